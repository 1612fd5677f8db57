package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	ma "github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"go.uber.org/goleak"
)

// all are the default options: the whole history, then follow.
var all = options{last: -1}

// newSession starts a fake playing demoAgent and creates a session whose
// first turn (the quickstart task) has run to its end.
func newSession(t *testing.T) (*managedagentstest.Server, *ma.Client, string) {
	t.Helper()
	srv := managedagentstest.NewServer(managedagentstest.WithScript(demoAgent), managedagentstest.WithHeartbeat(50*time.Millisecond, managedagentstest.HeartbeatComment))
	t.Cleanup(srv.Close)
	client := srv.Client()
	ctx := t.Context()
	agent, err := client.Agents.Create(ctx, ma.AgentCreateParams{Name: "A", Model: ma.ModelConfig{ID: "claude-sonnet-5-5"}, Tools: []ma.Tool{ma.NewAgentToolset()}})
	if err != nil {
		t.Fatal(err)
	}
	env, err := client.Environments.Create(ctx, ma.EnvironmentCreateParams{Name: "e"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := client.Sessions.Create(ctx, ma.SessionCreateParams{Agent: ma.NewAgentRef(agent.ID), EnvironmentID: env.ID,
		InitialEvents: []ma.EventParam{ma.NewUserMessage(demoTask)}})
	if err != nil {
		t.Fatal(err)
	}
	if stop, err := srv.WaitIdle(ctx, s.ID); err != nil || stop != "end_turn" {
		t.Fatalf("WaitIdle = %q, %v", stop, err)
	}
	return srv, client, s.ID
}

// persistedIDs returns the ids of the session's events, in order.
func persistedIDs(t *testing.T, srv *managedagentstest.Server, sessionID string) []string {
	t.Helper()
	var ids []string
	for _, raw := range srv.Events(sessionID) {
		var e struct{ ID string }
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	return ids
}

// printed returns the id and type of each printed line.
func printed(t *testing.T, out string) (ids, types []string) {
	t.Helper()
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasPrefix(f[0], "sevt_") {
			t.Fatalf("line %q does not begin with an event id and type", line)
		}
		ids, types = append(ids, f[0]), append(types, f[1])
	}
	return ids, types
}

// waitStream waits until the fake has n open streams.
func waitStream(t *testing.T, srv *managedagentstest.Server, n int) {
	t.Helper()
	waitFor(t, func() bool { return srv.OpenStreams() == n })
}

// syncBuffer is a bytes.Buffer that tail writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until cond holds, for at most 5 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// The history is printed, then the live events, each once, even when the
// stream re-sends events already listed, until the session terminates.
func TestTailHistoryThenLive(t *testing.T) {
	t.Parallel()
	srv, client, id := newSession(t)
	srv.ReplayOnConnect(4) // the stream starts with 4 events the history has too

	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- tail(t.Context(), client, id, &out, all) }()
	waitStream(t, srv, 1)
	if _, err := client.Sessions.Events.Send(t.Context(), id, ma.SessionEventSendParams{Events: []ma.EventParam{ma.NewUserMessage(demoBye)}}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("tail: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tail did not return after the session terminated")
	}

	ids, types := printed(t, out.String())
	want := persistedIDs(t, srv, id)
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("printed ids\n%v\nwant the session's events, each once, in order\n%v", ids, want)
	}
	if last := types[len(types)-1]; last != string(ma.EventTypeSessionStatusTerminated) {
		t.Errorf("last line is %s, want %s", last, ma.EventTypeSessionStatusTerminated)
	}
}

// A stream cut in the middle of the live events reconnects and recovers the
// events it missed: each is printed once, in order.
func TestTailSurvivesDisconnect(t *testing.T) {
	t.Parallel()
	srv, client, id := newSession(t)
	client = client.WithOptions(option.WithStreamBackoff(time.Millisecond, 10*time.Millisecond))
	srv.CutStreamAfter(3)

	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- tail(t.Context(), client, id, &out, all) }()
	waitStream(t, srv, 1)
	if _, err := client.Sessions.Events.Send(t.Context(), id, ma.SessionEventSendParams{Events: []ma.EventParam{ma.NewUserMessage(demoBye)}}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("tail: %v", err)
	}
	ids, _ := printed(t, out.String())
	if want := persistedIDs(t, srv, id); strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("printed ids\n%v\nwant\n%v", ids, want)
	}
	streams := 0
	for _, r := range srv.Requests() {
		if r.Route == managedagentstest.RouteStreamEvents {
			streams++
		}
	}
	if streams < 2 {
		t.Errorf("%d stream connections, want a reconnect", streams)
	}
}

// -history prints the history and returns without opening a stream.
func TestTailHistoryOnly(t *testing.T) {
	t.Parallel()
	srv, client, id := newSession(t)
	var out bytes.Buffer
	if err := tail(t.Context(), client, id, &out, options{last: -1, history: true}); err != nil {
		t.Fatal(err)
	}
	ids, _ := printed(t, out.String())
	if want := persistedIDs(t, srv, id); strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("printed %v, want %v", ids, want)
	}
	for _, r := range srv.Requests() {
		if r.Route == managedagentstest.RouteStreamEvents {
			t.Errorf("-history opened the stream")
		}
	}
}

// -json prints each event's JSON on a line of its own.
func TestTailJSON(t *testing.T) {
	t.Parallel()
	srv, client, id := newSession(t)
	var out bytes.Buffer
	if err := tail(t.Context(), client, id, &out, options{last: -1, history: true, json: true}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(out.String()) {
		var e struct{ ID, Type string }
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.ID == "" || e.Type == "" {
			t.Fatalf("line %q: not an event's JSON (%v)", line, err)
		}
		n++
	}
	if want := len(srv.Events(id)); n != want {
		t.Errorf("%d lines, want %d", n, want)
	}
}

// A session deleted while followed ends tail without error, after the
// session.deleted line.
func TestTailDeleted(t *testing.T) {
	t.Parallel()
	srv, client, id := newSession(t)
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- tail(t.Context(), client, id, &out, all) }()
	// Delete once the history is printed: the stream is then live.
	history := len(persistedIDs(t, srv, id))
	waitFor(t, func() bool { return strings.Count(out.String(), "\n") >= history })
	if _, err := client.Sessions.Delete(t.Context(), id, ma.SessionDeleteParams{}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("tail: %v", err)
	}
	if _, types := printed(t, out.String()); types[len(types)-1] != string(ma.EventTypeSessionDeleted) {
		t.Errorf("last line is %s, want session.deleted", types[len(types)-1])
	}
}

// Ctrl-C (the context ending) stops tail with the context's error, which
// main turns into exit status 130.
func TestTailCancel(t *testing.T) {
	t.Parallel()
	srv, client, id := newSession(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- tail(ctx, client, id, &bytes.Buffer{}, all) }()
	waitStream(t, srv, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("tail after cancel: %v, want context.Canceled", err)
	}
}

// -n N starts with the last N events of the history: alone with -history,
// then followed by the live events otherwise, each printed once.
func TestTailLastN(t *testing.T) {
	t.Parallel()
	srv, client, id := newSession(t)
	history := persistedIDs(t, srv, id)
	for _, n := range []int{0, 1, 3, len(history), len(history) + 5} {
		var out bytes.Buffer
		if err := tail(t.Context(), client, id, &out, options{last: n, history: true}); err != nil {
			t.Fatal(err)
		}
		var got []string
		if out.Len() > 0 {
			got, _ = printed(t, out.String())
		}
		if want := history[max(len(history)-n, 0):]; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("-n %d -history printed %v, want %v", n, got, want)
		}
	}

	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- tail(t.Context(), client, id, &out, options{last: 3}) }()
	waitStream(t, srv, 1)
	if _, err := client.Sessions.Events.Send(t.Context(), id, ma.SessionEventSendParams{Events: []ma.EventParam{ma.NewUserMessage(demoBye)}}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("tail: %v", err)
	}
	ids, _ := printed(t, out.String())
	if want := persistedIDs(t, srv, id)[len(history)-3:]; strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("-n 3 printed\n%v\nwant the last 3 of the history, then the live events\n%v", ids, want)
	}
}

func TestTailErrors(t *testing.T) {
	t.Parallel()
	_, client, _ := newSession(t)
	for _, opts := range []options{all, {last: -1, history: true}, {last: 2}} {
		err := tail(t.Context(), client, "sesn_nope", &bytes.Buffer{}, opts)
		if err == nil || err.Error() != "no session sesn_nope" {
			t.Errorf("unknown session (%+v): %v, want \"no session sesn_nope\"", opts, err)
		}
	}
	if err := tail(t.Context(), client, "", &bytes.Buffer{}, all); err == nil || !strings.Contains(err.Error(), "is not a session id") {
		t.Errorf("empty id: %v", err)
	}
}

// The demo follows its session to the end.
func TestDemo(t *testing.T) {
	t.Parallel()
	srv := managedagentstest.NewServer(managedagentstest.WithScript(demoAgent))
	defer srv.Close()
	var out bytes.Buffer
	if err := demo(t.Context(), srv.Client(), &out, all); err != nil {
		t.Fatal(err)
	}
	_, types := printed(t, out.String())
	if types[0] != string(ma.EventTypeUserMessage) || types[len(types)-1] != string(ma.EventTypeSessionStatusTerminated) {
		t.Errorf("demo printed %v", types)
	}
}

func TestMain(m *testing.M) {
	stderr = io.Discard
	goleak.VerifyTestMain(m)
}

func TestSummary(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 40)
	tests := []struct {
		event, want string
	}{
		{`{"type":"agent.message","id":"sevt_1","processed_at":"2026-04-01T09:00:00Z","content":[{"type":"text","text":"Hello\n\nworld"}]}`, "Hello world"},
		{`{"type":"agent.message","id":"sevt_1","processed_at":"2026-04-01T09:00:00Z","content":[{"type":"text","text":"` + long + `"}]}`, strings.Repeat("word ", 23) + "word…"},
		{`{"type":"user.message","id":"sevt_1","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]}`, "hi [image] (queued)"},
		{`{"type":"agent.tool_use","id":"sevt_1","processed_at":"2026-04-01T09:00:00Z","name":"bash","input":{"command": "ls"},"evaluated_permission":"ask"}`, `bash {"command":"ls"} (ask)`},
		{`{"type":"agent.custom_tool_use","id":"sevt_1","processed_at":"2026-04-01T09:00:00Z","name":"get_weather","input":{"city":"Paris"}}`, `get_weather {"city":"Paris"}`},
		{`{"type":"agent.tool_result","id":"sevt_2","processed_at":"2026-04-01T09:00:00Z","tool_use_id":"sevt_1","is_error":true,"content":[{"type":"text","text":"denied"}]}`, "for sevt_1 error: denied"},
		{`{"type":"user.tool_confirmation","id":"sevt_3","processed_at":"2026-04-01T09:00:00Z","tool_use_id":"sevt_1","result":"deny","deny_message":"no rm"}`, "deny sevt_1: no rm"},
		{`{"type":"session.status_idle","id":"sevt_4","processed_at":"2026-04-01T09:00:00Z","stop_reason":{"type":"requires_action","event_ids":["sevt_1","sevt_2"]}}`, "requires_action sevt_1,sevt_2"},
		{`{"type":"session.status_idle","id":"sevt_4","processed_at":"2026-04-01T09:00:00Z","stop_reason":{"type":"refusal"},"stop_details":{"type":"refusal","category":"cyber","explanation":"no"}}`, "refusal (cyber): no"},
		{`{"type":"session.error","id":"sevt_5","processed_at":"2026-04-01T09:00:00Z","error":{"type":"model_overloaded_error","message":"Overloaded","retry_status":{"type":"retrying"}}}`, "model_overloaded_error: Overloaded (retrying)"},
		{`{"type":"session.usage","id":"sevt_6","processed_at":"2026-04-01T09:00:00Z","usage":{"input_tokens":1200,"output_tokens":80,"cache_read_input_tokens":1024,"active_seconds":12.5,"list_cost":{"amount":"1234","currency":"USD"}}}`, "in 1200, out 80, cache read 1024, 12.5s active, list cost 12.34 USD"},
		{`{"type":"span.model_request_end","id":"sevt_7","processed_at":"2026-04-01T09:00:00Z","is_error":true,"model_usage":{"input_tokens":5,"output_tokens":0}}`, "failed, in 5, out 0"},
		{`{"type":"session.updated","id":"sevt_8","processed_at":"2026-04-01T09:00:00Z","title":"New","budget":null}`, `title "New", budget removed`},
		{`{"type":"session.status_running","id":"sevt_9","processed_at":"2026-04-01T09:00:00Z"}`, ""},
		{`{"type":"session.teleported","id":"sevt_10","processed_at":"2026-04-01T09:00:00Z","to":"mars"}`, `{"type":"session.teleported","id":"sevt_10","processed_at":"2026-04-01T09:00:00Z","to":"mars"}`},
	}
	for _, tt := range tests {
		ev, err := ma.DecodeEvent([]byte(tt.event))
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(ev); got != tt.want {
			t.Errorf("summary(%s)\n got %q\nwant %q", tt.event, got, tt.want)
		}
	}
}
