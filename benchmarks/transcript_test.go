package benchmarks

// This file builds the recorded SSE transcript that every decode benchmark
// reads: 10,000 events of the mix a real session produces, generated from a
// fixed seed so that every run, every machine and every decoder sees the same
// bytes. Generating it beats committing ~7 MB of testdata.
//
// A turn looks like the one in the API reference (§5.9): user.message →
// session.status_running → per model request: span.model_request_start,
// agent.thinking, event_start + event_delta previews, agent.message, a tool use
// (built-in, MCP or custom) → span.model_request_end → the tool's result (a few
// KiB of file or command output) … → session.usage → session.status_idle. Custom
// tools pause the turn (status_idle requires_action, user.custom_tool_result,
// status_running); some turns hit a retried session.error. The last event is
// session.status_terminated.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// transcriptEvents is the number of events in the decode transcript.
const transcriptEvents = 10_000

// idLen is the length of every generated event id: "sevt_" and 22 characters.
const idLen = 27

// transcript is a generated SSE body and what it holds.
type transcript struct {
	// SSE is the whole body: "event: <type>\ndata: <json>\n\n" per event.
	SSE []byte
	// Frames holds each event's SSE frame, in order (slices of SSE).
	Frames [][]byte
	// IDAt is, per frame, the offset of the event's own id inside the frame, or
	// -1 for the stream-only previews (event_start, event_delta) that have none.
	// The long-stream server rewrites ids there to keep them unique.
	IDAt []int
	// Types counts the events per type.
	Types map[string]int
}

// loadTranscript returns the decode transcript, built once on first use (so that
// benchmarks that do not need it do not carry it in their heap).
var loadTranscript = sync.OnceValue(func() *transcript {
	return generate(transcriptEvents, 20261124)
})

// generate builds a transcript of exactly n events from seed.
func generate(n int, seed uint64) *transcript {
	g := &gen{
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now: time.Date(2026, 11, 24, 10, 5, 0, 0, time.UTC),
		t:   &transcript{Types: map[string]int{}},
	}
	for g.count() < n-1 {
		g.turn()
	}
	g.truncate(n - 1)
	g.event("session.status_terminated", g.id(), nil)
	return g.finish()
}

// gen is the state of the generator.
type gen struct {
	rng   *rand.Rand
	now   time.Time
	t     *transcript
	buf   bytes.Buffer
	spans []frameSpan
}

type frameSpan struct {
	start, end, idAt int
	typ              string
}

func (g *gen) count() int { return len(g.spans) }

// truncate drops the events after the first n.
func (g *gen) truncate(n int) {
	if len(g.spans) <= n {
		return
	}
	g.buf.Truncate(g.spans[n].start)
	g.spans = g.spans[:n]
}

func (g *gen) finish() *transcript {
	t := g.t
	t.SSE = bytes.Clone(g.buf.Bytes())
	for _, s := range g.spans {
		t.Frames = append(t.Frames, t.SSE[s.start:s.end:s.end])
		t.IDAt = append(t.IDAt, s.idAt)
		t.Types[s.typ]++
	}
	return t
}

// kv is one ordered JSON member.
type kv struct {
	k string
	v any
}

// event appends one SSE frame. The JSON starts with type, then id (when id is not
// empty), then fields, then processed_at (for persisted events): the order the
// API uses.
func (g *gen) event(typ, id string, fields []kv) {
	start := g.buf.Len()
	g.buf.WriteString("event: ")
	g.buf.WriteString(typ)
	g.buf.WriteString("\ndata: {\"type\":")
	g.buf.WriteString(strconv.Quote(typ))
	idAt := -1
	if id != "" {
		g.buf.WriteString(`,"id":"`)
		idAt = g.buf.Len() - start
		g.buf.WriteString(id)
		g.buf.WriteByte('"')
	}
	for _, f := range fields {
		g.buf.WriteString(",")
		g.buf.WriteString(strconv.Quote(f.k))
		g.buf.WriteString(":")
		writeJSON(&g.buf, f.v)
	}
	if id != "" {
		g.now = g.now.Add(time.Duration(5+g.rng.IntN(900)) * time.Millisecond)
		g.buf.WriteString(`,"processed_at":"`)
		g.buf.WriteString(g.now.Format("2006-01-02T15:04:05.000Z"))
		g.buf.WriteString(`"`)
	}
	g.buf.WriteString("}\n\n")
	g.spans = append(g.spans, frameSpan{start: start, end: g.buf.Len(), idAt: idAt, typ: typ})
}

// obj is a JSON object whose members keep their order.
type obj []kv

// raw is JSON written as is.
type raw string

func writeJSON(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case obj:
		buf.WriteByte('{')
		for i, f := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(strconv.Quote(f.k))
			buf.WriteByte(':')
			writeJSON(buf, f.v)
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(buf, e)
		}
		buf.WriteByte(']')
	case raw:
		buf.WriteString(string(v))
	default:
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		buf.Write(b)
	}
}

const idChars = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// id returns a fresh event id of idLen characters.
func (g *gen) id() string {
	var b [idLen]byte
	copy(b[:], "sevt_011C")
	for i := 9; i < idLen; i++ {
		b[i] = idChars[g.rng.IntN(len(idChars))]
	}
	return string(b[:])
}

var words = strings.Fields(`the order shipment carrier tracking refund playbook customer policy
	delayed arrived warehouse label return window invoice payment address update status
	check please thanks sorry — résumé naïve café “quoted” item items package parcel box
	within days business UPS FedEx DHL express standard priority ETA Friday Monday note
	found matching lines file repository config service handler error retry timeout`)

// text returns about n bytes of prose, with the odd quote, newline and non-ASCII
// rune that make JSON strings need escaping.
func (g *gen) text(n int) string {
	var sb strings.Builder
	for sb.Len() < n {
		if sb.Len() > 0 {
			switch r := g.rng.IntN(40); {
			case r == 0:
				sb.WriteString(".\n\n")
			case r < 4:
				sb.WriteString(". ")
			case r < 6:
				sb.WriteString(", ")
			default:
				sb.WriteByte(' ')
			}
		}
		w := words[g.rng.IntN(len(words))]
		if g.rng.IntN(60) == 0 {
			w = `"` + w + `"`
		}
		sb.WriteString(w)
	}
	return sb.String()
}

// output returns about n bytes of tool output: file lines with paths, tabs,
// quotes and backslashes, as grep, read or bash print them.
func (g *gen) output(n int) string {
	var sb strings.Builder
	line := 1 + g.rng.IntN(200)
	for sb.Len() < n {
		switch g.rng.IntN(4) {
		case 0:
			fmt.Fprintf(&sb, "playbooks/%s.md:%d:%s\n", words[g.rng.IntN(len(words))], line, g.text(40+g.rng.IntN(80)))
		case 1:
			fmt.Fprintf(&sb, "%6d\t\tif err := h.%s(ctx, \"%s\"); err != nil {\n", line, words[g.rng.IntN(len(words))], g.text(12))
		case 2:
			fmt.Fprintf(&sb, "%6d\t\t\treturn fmt.Errorf(\"%s: %%w\\n\", err)\n", line, g.text(24))
		default:
			fmt.Fprintf(&sb, "%6d\t%s\n", line, g.text(30+g.rng.IntN(60)))
		}
		line++
	}
	return sb.String()
}

func textBlock(s string) obj { return obj{{"type", "text"}, {"text", s}} }

func (g *gen) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// turn appends one user turn.
func (g *gen) turn() {
	msg := g.text(g.between(40, 400))
	if g.rng.IntN(10) == 0 {
		msg += "\n\n" + g.output(g.between(800, 2000)) // a pasted log
	}
	g.event("user.message", g.id(), []kv{{"content", []any{textBlock(msg)}}})
	g.event("session.status_running", g.id(), nil)
	requests := g.between(1, 5)
	for r := range requests {
		last := r == requests-1
		if g.rng.IntN(12) == 0 {
			g.event("session.error", g.id(), []kv{{"error", obj{
				{"type", "model_overloaded_error"},
				{"message", "Overloaded"},
				{"retry_status", obj{{"type", "retrying"}}},
			}}})
			g.event("session.status_rescheduled", g.id(), nil)
			g.event("session.status_running", g.id(), nil)
		}
		if !g.modelRequest(last) {
			break
		}
	}
	if g.rng.IntN(3) == 0 {
		g.event("session.usage", g.id(), []kv{{"usage", obj{
			{"input_tokens", g.between(1000, 90000)},
			{"output_tokens", g.between(100, 9000)},
			{"cache_read_input_tokens", g.between(0, 500000)},
			{"cache_creation", obj{{"ephemeral_5m_input_tokens", g.between(0, 9000)}, {"ephemeral_1h_input_tokens", 0}}},
			{"active_seconds", float64(g.between(10, 9000)) / 10},
			{"list_cost", obj{{"amount", strconv.Itoa(g.between(1, 900))}, {"currency", "USD"}}},
		}}, {"budget", nil}})
	}
	g.event("session.status_idle", g.id(), []kv{
		{"stop_reason", obj{{"type", "end_turn"}}},
		{"stop_details", nil},
	})
}

// modelRequest appends one model request and what follows it. It reports
// whether the turn goes on.
func (g *gen) modelRequest(last bool) bool {
	start := g.id()
	g.event("span.model_request_start", start, nil)
	if g.rng.IntN(2) == 0 {
		g.event("agent.thinking", g.id(), nil)
	}
	if g.rng.IntN(3) != 0 {
		id := g.id()
		full := g.text(g.between(60, 900))
		g.event("event_start", "", []kv{{"event", obj{{"type", "agent.message"}, {"id", id}}}})
		for _, part := range split(full, g.between(1, 8)) {
			g.event("event_delta", "", []kv{{"event_id", id}, {"delta", obj{
				{"type", "content_delta"}, {"index", 0}, {"content", textBlock(part)},
			}}})
		}
		g.event("agent.message", id, []kv{{"content", []any{textBlock(full)}}})
	}
	var tool func()
	if !last {
		switch g.rng.IntN(6) {
		case 0, 1, 2:
			tool = g.builtinTool()
		case 3, 4:
			tool = g.mcpTool()
		default:
			tool = g.customTool()
		}
	}
	g.event("span.model_request_end", g.id(), []kv{
		{"model_request_start_id", start},
		{"is_error", false},
		{"model_usage", obj{
			{"input_tokens", g.between(800, 40000)},
			{"output_tokens", g.between(20, 2000)},
			{"cache_read_input_tokens", g.between(0, 60000)},
			{"cache_creation_input_tokens", g.between(0, 4000)},
		}},
	})
	if tool == nil {
		return false
	}
	tool()
	return true
}

// split cuts s into n pieces.
func split(s string, n int) []string {
	var parts []string
	size := len(s)/n + 1
	for len(s) > 0 {
		k := min(size, len(s))
		for k < len(s) && s[k]&0xC0 == 0x80 { // keep runes whole
			k++
		}
		parts = append(parts, s[:k])
		s = s[k:]
	}
	return parts
}

var builtins = []string{"bash", "read", "grep", "glob", "edit", "web_fetch"}

// builtinTool appends an agent.tool_use and returns what appends its result.
func (g *gen) builtinTool() func() {
	id := g.id()
	name := builtins[g.rng.IntN(len(builtins))]
	var input obj
	switch name {
	case "bash":
		input = obj{{"command", "cd /workspace && grep -rn \"" + g.text(12) + "\" src/ | head -50"}, {"timeout_ms", 120000}}
	case "read":
		input = obj{{"file_path", "/workspace/playbooks/" + words[g.rng.IntN(len(words))] + ".md"}, {"offset", g.between(0, 400)}, {"limit", 200}}
	case "grep":
		input = obj{{"pattern", g.text(16)}, {"path", "/workspace/support-playbooks"}, {"-n", true}, {"glob", "*.md"}}
	case "glob":
		input = obj{{"pattern", "**/*.go"}, {"path", "/workspace"}}
	case "edit":
		input = obj{{"file_path", "/workspace/notes.md"}, {"old_string", g.text(80)}, {"new_string", g.text(120)}}
	default:
		input = obj{{"url", "https://docs.example.com/shipping/" + words[g.rng.IntN(len(words))]}, {"prompt", g.text(60)}}
	}
	fields := []kv{{"name", name}, {"input", input}, {"evaluated_permission", "allow"}, {"evaluation", obj{{"type", "always_allow"}}}}
	if g.rng.IntN(4) == 0 {
		fields[3] = kv{"evaluation", obj{{"type", "auto"}, {"evaluated_permission", obj{{"type", "allow"}}}}}
	}
	g.event("agent.tool_use", id, fields)
	return func() {
		g.event("agent.tool_result", g.id(), []kv{
			{"tool_use_id", id},
			{"content", []any{textBlock(g.output(g.between(1024, 6144)))}},
			{"is_error", g.rng.IntN(20) == 0},
		})
	}
}

// mcpTool appends an agent.mcp_tool_use and returns what appends its result.
func (g *gen) mcpTool() func() {
	id := g.id()
	g.event("agent.mcp_tool_use", id, []kv{
		{"mcp_server_name", "tickets"},
		{"name", "search_tickets"},
		{"input", obj{{"query", g.text(30)}, {"status", []any{"open", "pending"}}, {"limit", 20}}},
		{"evaluated_permission", "allow"},
		{"evaluation", obj{{"type", "always_allow"}}},
	})
	return func() {
		g.event("agent.mcp_tool_result", g.id(), []kv{
			{"mcp_tool_use_id", id},
			{"content", []any{textBlock(g.output(g.between(512, 4096)))}},
			{"is_error", false},
		})
	}
}

// customTool appends an agent.custom_tool_use and returns what appends the
// pause and the user's answer.
func (g *gen) customTool() func() {
	id := g.id()
	g.event("agent.custom_tool_use", id, []kv{
		{"name", "lookup_order"},
		{"input", obj{{"order_number", strconv.Itoa(g.between(1000, 99999))}, {"include_history", true}}},
	})
	return func() {
		g.event("session.status_idle", g.id(), []kv{
			{"stop_reason", obj{{"type", "requires_action"}, {"event_ids", []any{id}}}},
			{"stop_details", nil},
		})
		result := fmt.Sprintf(`{"status":"in_transit","carrier":"UPS","eta":"2026-11-26","history":%q}`, g.text(g.between(300, 2500)))
		g.event("user.custom_tool_result", g.id(), []kv{
			{"custom_tool_use_id", id},
			{"content", []any{textBlock(result)}},
			{"is_error", false},
		})
		g.event("session.status_running", g.id(), nil)
	}
}
