package managedagentstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Script plays the agent of a session for one turn. The server calls it, in a
// goroutine of its own, for each user.message of the session, one turn at a
// time, in the order the messages were sent. Before the call the server emits
// session.status_running; when the script returns it emits session.status_idle
// with stop_reason end_turn, unless the script ended the turn itself with
// [Turn.Idle] or [Turn.Terminate].
//
// A user.interrupt stops the turn: from then on the Turn's emitting methods do
// nothing, its waiting methods return [ErrInterrupted], and [Turn.Context] is
// done. The script should return soon after; the turn then ends with idle
// end_turn. [Server.Close] stops turns the same way (with [ErrClosed]) and waits
// for the scripts to return.
type Script func(t *Turn)

// Errors returned by the waiting methods of a [Turn].
var (
	// ErrInterrupted means a user.interrupt stopped the turn.
	ErrInterrupted = errors.New("managedagentstest: turn interrupted")
	// ErrClosed means the server was closed or the session deleted.
	ErrClosed = errors.New("managedagentstest: server closed or session deleted")
)

// ModelUsage is the token usage of one model request, written as the
// model_usage of span.model_request_end (input_tokens, output_tokens,
// cache_read_input_tokens, cache_creation_input_tokens).
type ModelUsage struct {
	// InputTokens is written as input_tokens.
	InputTokens int64
	// OutputTokens is written as output_tokens.
	OutputTokens int64
	// CacheReadInputTokens is written as cache_read_input_tokens.
	CacheReadInputTokens int64
	// CacheCreationInputTokens is written as cache_creation_input_tokens.
	CacheCreationInputTokens int64
}

// Answer is the client's answer to a tool use: a user.tool_confirmation, a
// user.custom_tool_result or a user.tool_result.
type Answer struct {
	// ToolUseID is the id of the tool-use event answered.
	ToolUseID string
	// Type is the answer's event type.
	Type string
	// Allowed reports a confirmation with result "allow".
	Allowed bool
	// DenyMessage is the deny_message of a denied confirmation.
	DenyMessage string
	// Content holds the content blocks of a result (JSON array), if any.
	Content json.RawMessage
	// IsError is the is_error flag of a result.
	IsError bool
	// Event is the answer event as persisted.
	Event json.RawMessage
}

// Text returns the text blocks of the answer's content, joined.
func (a Answer) Text() string { return blocksText(a.Content) }

func blocksText(raw json.RawMessage) string {
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &blocks)
	var b strings.Builder
	for _, bl := range blocks {
		if bl.Type == "text" {
			b.WriteString(bl.Text)
		}
	}
	return b.String()
}

// waiter is an Await in progress. woken (guarded by Server.mu) is set when an
// answer wakes it and cleared once it has looked at the answers: until then
// the session is about to move on, so it has not settled (Server.WaitIdle).
type waiter struct {
	ch    chan struct{}
	woken bool
}

// Turn is one turn of a session's agent, given to a [Script]. Its methods emit
// events into the session (persisted with ids and processed_at, and sent to the
// open streams) and return the new event's id, or "" once the turn is stopped.
// A Turn must only be used by its script's goroutine.
type Turn struct {
	s       *Server
	sess    *sessionRec
	input   obj
	ctx     context.Context
	cancel  context.CancelFunc
	stopped bool // guarded by Server.mu
	ended   bool // the script emitted the final idle
	span    string
}

// stop stops the turn; s.mu must be held.
func (t *Turn) stop() {
	t.stopped = true
	t.cancel()
}

// Context returns a context that is done when the turn is interrupted, the
// session deleted or the server closed.
func (t *Turn) Context() context.Context { return t.ctx }

// Err returns nil while the turn runs, then [ErrInterrupted] or [ErrClosed].
func (t *Turn) Err() error {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.errLocked()
}

func (t *Turn) errLocked() error {
	switch {
	case t.s.ctx.Err() != nil || t.sess.deleted:
		return ErrClosed
	case t.stopped:
		return ErrInterrupted
	}
	return nil
}

// SessionID returns the id of the session.
func (t *Turn) SessionID() string { return t.sess.id }

// Event returns the user.message that started the turn, as persisted.
func (t *Turn) Event() json.RawMessage {
	b, _ := json.Marshal(t.input)
	return b
}

// Text returns the text blocks of the user.message that started the turn.
func (t *Turn) Text() string {
	b, _ := json.Marshal(t.input["content"])
	return blocksText(b)
}

// Agent returns the session's agent snapshot (JSON of the session's "agent").
func (t *Turn) Agent() json.RawMessage {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	b, _ := json.Marshal(t.sess.v["agent"])
	return b
}

// CustomTools returns the names of the agent's custom tools.
func (t *Turn) CustomTools() []string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	var names []string
	for _, tool := range t.sess.v["agent"].(obj)["tools"].([]any) {
		if typeOf(tool) == "custom" {
			names = append(names, tool.(obj)["name"].(string))
		}
	}
	return names
}

// customTool returns the custom tool named name, or nil.
func (t *Turn) customTool(name string) obj {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	for _, tool := range t.sess.v["agent"].(obj)["tools"].([]any) {
		if typeOf(tool) == "custom" && tool.(obj)["name"] == name {
			return clone(tool.(obj))
		}
	}
	return nil
}

// ToolPolicy returns the permission policy of the built-in tool name
// ("always_allow", "always_ask" or "auto"), or "" when the agent's toolset does
// not enable it.
func (t *Turn) ToolPolicy(name string) string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return toolPolicy(t.sess.v["agent"].(obj), name)
}

// toolPolicy returns the permission policy agent (a session's agent or a
// thread's snapshot) gives the built-in tool name, or "" when its toolset does
// not enable it.
func toolPolicy(agent obj, name string) string {
	tools, _ := isList(agent["tools"])
	for _, tool := range tools {
		if typeOf(tool) != "agent_toolset_20260401" {
			continue
		}
		cfg := tool.(obj)["default_config"].(obj)
		for _, c := range tool.(obj)["configs"].([]any) {
			if c.(obj)["name"] == name {
				cfg = c.(obj)
			}
		}
		if cfg["enabled"] != true {
			return ""
		}
		return typeOf(cfg["permission_policy"])
	}
	return ""
}

// Emit persists ev, any event object with a "type" (id and processed_at are set
// by the server unless ev has an id), and returns its id. Use it for events the
// other methods do not cover. Status events change the session's status.
func (t *Turn) Emit(ev map[string]any) string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.emitLocked(clone(obj(ev)))
}

func (t *Turn) emitLocked(ev obj) string {
	if t.stopped || t.ended || t.errLocked() != nil {
		return ""
	}
	return t.s.emitLocked(t.sess, ev)["id"].(string)
}

// Thinking emits agent.thinking, previewed by an event_start on streams that
// asked for agent.thinking deltas.
func (t *Turn) Thinking() string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if t.stopped || t.errLocked() != nil {
		return ""
	}
	id := t.s.newID("sevt")
	t.s.preview(t.sess, "agent.thinking", obj{"type": "event_start", "event": obj{"type": "agent.thinking", "id": id}})
	return t.emitLocked(obj{"type": "agent.thinking", "id": id})
}

// Message emits agent.message with the text chunks joined. Streams that asked
// for agent.message deltas first get an event_start and one event_delta per chunk.
func (t *Turn) Message(chunks ...string) string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if t.stopped || t.errLocked() != nil {
		return ""
	}
	id := t.s.newID("sevt")
	t.s.preview(t.sess, "agent.message", obj{"type": "event_start", "event": obj{"type": "agent.message", "id": id}})
	for _, c := range chunks {
		t.s.preview(t.sess, "agent.message", obj{"type": "event_delta", "event_id": id,
			"delta": obj{"type": "content_delta", "index": 0, "content": obj{"type": "text", "text": c}}})
	}
	return t.emitLocked(obj{"type": "agent.message", "id": id,
		"content": []any{obj{"type": "text", "text": strings.Join(chunks, "")}}})
}

// BeginModelRequest emits span.model_request_start.
func (t *Turn) BeginModelRequest() string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.span = t.emitLocked(obj{"type": "span.model_request_start"})
	return t.span
}

// EndModelRequest emits span.model_request_end for the last
// [Turn.BeginModelRequest], with usage, and adds usage to the session's usage.
func (t *Turn) EndModelRequest(usage ModelUsage) string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	id := t.emitLocked(obj{"type": "span.model_request_end", "model_request_start_id": t.span, "is_error": false,
		"model_usage": obj{"input_tokens": usage.InputTokens, "output_tokens": usage.OutputTokens,
			"cache_read_input_tokens": usage.CacheReadInputTokens, "cache_creation_input_tokens": usage.CacheCreationInputTokens}})
	if id != "" {
		u := &t.sess.usage
		u.InputTokens += usage.InputTokens
		u.OutputTokens += usage.OutputTokens
		u.CacheReadInputTokens += usage.CacheReadInputTokens
		u.CacheCreationInputTokens += usage.CacheCreationInputTokens
		t.sess.requests++
	}
	return id
}

// Usage emits session.usage with the session's cumulative usage.
func (t *Turn) Usage() string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.emitLocked(obj{"type": "session.usage", "usage": clone(t.s.sessionJSON(t.sess)["usage"]),
		"budget": clone(t.sess.v["budget"])})
}

// ToolUse emits agent.tool_use for the built-in tool name with input. Its
// evaluated_permission follows the agent's policy for the tool: "ask" for
// always_ask (answer it with [Turn.Await]), "deny" (without evaluation) when
// the agent's toolset does not enable the tool, "allow" otherwise.
func (t *Turn) ToolUse(name string, input any) string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.emitLocked(toolUseEvent(toolPolicy(t.sess.v["agent"].(obj), name), name, input))
}

// toolUseEvent returns the agent.tool_use of the built-in tool name under
// policy (see [Turn.ToolUse]).
func toolUseEvent(policy, name string, input any) obj {
	ev := obj{"type": "agent.tool_use", "name": name, "input": clone(input), "evaluated_permission": "allow"}
	switch policy {
	case "always_ask":
		ev["evaluated_permission"] = "ask"
		ev["evaluation"] = obj{"type": "always_ask"}
	case "auto":
		ev["evaluation"] = obj{"type": "auto", "evaluated_permission": obj{"type": "allow"}}
	case "always_allow":
		ev["evaluation"] = obj{"type": "always_allow"}
	default:
		ev["evaluated_permission"] = "deny"
	}
	return ev
}

// ToolResult emits agent.tool_result for toolUseID with one text block.
func (t *Turn) ToolResult(toolUseID, text string, isError bool) string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.emitLocked(obj{"type": "agent.tool_result", "tool_use_id": toolUseID,
		"content": []any{obj{"type": "text", "text": text}}, "is_error": isError})
}

// RunTool runs the built-in tool name: agent.tool_use, then, if the policy is
// always_ask, a wait for the client's confirmation, then agent.tool_result with
// output (or, when denied, an error result). A tool the agent's toolset does not
// enable is denied by the server (evaluated_permission "deny") and does not run:
// its result is an error. It reports whether the tool ran.
func (t *Turn) RunTool(name string, input any, output string) (bool, error) {
	id := t.ToolUse(name, input)
	if id == "" {
		return false, t.Err()
	}
	if t.ToolPolicy(name) == "" {
		t.ToolResult(id, "The tool "+name+" is not enabled for this agent.", true)
		return false, nil
	}
	if ok, err := t.confirmed(id, name); !ok {
		return false, err
	}
	t.ToolResult(id, output, false)
	return true, nil
}

// confirmed waits, for the use id of a tool whose policy is always_ask, for
// the client's confirmation, and answers a denial with an error result. It
// reports whether the tool may run; err is why the turn stopped waiting.
func (t *Turn) confirmed(id, name string) (bool, error) {
	if t.ToolPolicy(name) != "always_ask" {
		return true, nil
	}
	answers, err := t.Await(id)
	if err != nil {
		return false, err
	}
	if a := answers[0]; a.Type == "user.tool_result" {
		// A self-hosted worker ran the call and answered before this turn
		// saw the confirmation (an id keeps only its latest answer): the
		// call was allowed, and its result stays for AwaitResults.
		t.s.mu.Lock()
		t.sess.answers[id] = a
		t.s.mu.Unlock()
		return true, nil
	}
	if !answers[0].Allowed {
		msg := "The user denied this tool call."
		if answers[0].DenyMessage != "" {
			msg += " " + answers[0].DenyMessage
		}
		t.ToolResult(id, msg, true)
		return false, nil
	}
	return true, nil
}

// CustomToolUse emits agent.custom_tool_use for the custom tool name. Answer it
// with [Turn.Await].
func (t *Turn) CustomToolUse(name string, input any) string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.emitLocked(obj{"type": "agent.custom_tool_use", "name": name, "input": clone(input)})
}

// CallCustomTool emits agent.custom_tool_use and waits for the client's
// user.custom_tool_result.
func (t *Turn) CallCustomTool(name string, input any) (Answer, error) {
	id := t.CustomToolUse(name, input)
	if id == "" {
		return Answer{}, t.Err()
	}
	answers, err := t.Await(id)
	if err != nil {
		return Answer{}, err
	}
	return answers[0], nil
}

// Await waits for the client to answer each of the tool uses ids (confirmations
// or results). Answers that came before the call count. While some are missing
// it emits session.status_idle with stop_reason requires_action listing them
// (again after each partial answer), and once all are in it emits
// session.status_running. It returns the answers in the order of ids, or
// [ErrInterrupted] / [ErrClosed].
func (t *Turn) Await(ids ...string) ([]Answer, error) { return t.await(ids, true) }

// await waits for an answer to each of ids; requiresAction makes the session
// idle (requires_action) while some are missing, as for confirmations and
// custom tools, rather than keep running, as while a self-hosted worker runs
// a built-in tool.
func (t *Turn) await(ids []string, requiresAction bool) ([]Answer, error) {
	w := &waiter{ch: make(chan struct{}, 1)}
	t.s.mu.Lock()
	if err := t.errLocked(); err != nil {
		t.s.mu.Unlock()
		return nil, err
	}
	for _, id := range ids {
		t.sess.pending[id] = w
	}
	defer func() {
		t.s.mu.Lock()
		for _, id := range ids {
			if t.sess.pending[id] == w {
				delete(t.sess.pending, id)
			}
		}
		t.s.mu.Unlock()
	}()
	idled := false
	for {
		var missing []any
		for _, id := range ids {
			// A confirmation does not answer a wait for a worker's result.
			if a, ok := t.sess.answers[id]; !ok || (!requiresAction && a.Type == "user.tool_confirmation") {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 {
			out := make([]Answer, len(ids))
			for i, id := range ids {
				out[i] = t.sess.answers[id]
				delete(t.sess.answers, id)
			}
			if idled {
				t.emitLocked(obj{"type": "session.status_running"})
			}
			t.s.mu.Unlock()
			return out, nil
		}
		if requiresAction {
			t.emitLocked(obj{"type": "session.status_idle",
				"stop_reason": obj{"type": "requires_action", "event_ids": missing}, "stop_details": nil})
			idled = true
		}
		t.s.mu.Unlock()
		select {
		case <-w.ch:
		case <-t.ctx.Done():
			return nil, t.Err()
		}
		t.s.mu.Lock()
		w.woken = false
	}
}

// Error emits session.error with error type errType (e.g.
// "model_overloaded_error"), message and retry_status retryStatus ("retrying",
// "exhausted" or "terminal"). The fields some types carry are taken from the
// session (reference §5.6): mcp_server_name, the agent's first MCP server;
// vault_id and credential_id, its first vault and that vault's first
// credential; repository_url, its first repository (null without one).
func (t *Turn) Error(errType, message, retryStatus string) string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	e := obj{"type": errType, "message": message, "retry_status": obj{"type": retryStatus}}
	switch errType {
	case "mcp_connection_failed_error", "mcp_authentication_failed_error":
		e["mcp_server_name"] = "mcp"
		if servers, _ := isList(t.sess.v["agent"].(obj)["mcp_servers"]); len(servers) > 0 {
			e["mcp_server_name"] = servers[0].(obj)["name"]
		}
	case "credential_host_unreachable_error":
		e["vault_id"], e["credential_id"] = "vlt_011CFakeVault", "vcrd_011CFakeCredential"
		if vaults, _ := isList(t.sess.v["vault_ids"]); len(vaults) > 0 {
			e["vault_id"] = vaults[0]
			if v := t.s.vaults[vaults[0].(string)]; v != nil && len(v.creds) > 0 {
				e["credential_id"] = v.creds[0].id
			}
		}
	case "repository_authentication_error", "repository_forbidden_error", "repository_not_found_error",
		"repository_checkout_error", "repository_clone_error":
		e["repository_url"] = nil
		for _, r := range t.sess.resources {
			if r.v["type"] == "github_repository" {
				e["repository_url"] = r.v["url"]
				break
			}
		}
	}
	return t.emitLocked(obj{"type": "session.error", "error": e})
}

// Idle ends the turn with session.status_idle and stop_reason stopReason
// ("end_turn", "retries_exhausted", "budget_reached", "refusal", ...). Later
// emits of the turn do nothing. For requires_action use [Turn.Await]. After
// budget_reached the session refuses new work until its budget is updated.
func (t *Turn) Idle(stopReason string) string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	var details any
	if stopReason == "refusal" {
		details = obj{"type": "refusal", "category": nil, "explanation": nil}
	}
	id := t.emitLocked(obj{"type": "session.status_idle", "stop_reason": obj{"type": stopReason}, "stop_details": details})
	if id != "" {
		t.ended = true
	}
	return id
}

// Terminate ends the turn and the session with session.status_terminated. The
// session accepts no more events and its streams end.
func (t *Turn) Terminate() string {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	id := t.emitLocked(obj{"type": "session.status_terminated"})
	if id != "" {
		t.ended = true
	}
	return id
}

// Wait sleeps for d (real time) or until the turn is stopped, and returns
// [Turn.Err].
func (t *Turn) Wait(d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.ctx.Done():
	}
	return t.Err()
}

// startRunner starts the goroutine that plays the queued turns of sess, unless
// it runs already; s.mu must be held.
func (s *Server) startRunner(sess *sessionRec) {
	if sess.runner || len(sess.inbox) == 0 || s.ctx.Err() != nil {
		return
	}
	sess.runner = true
	s.wg.Add(1)
	go s.runTurns(sess)
}

func (s *Server) scriptFor(sess *sessionRec) Script {
	if sc, ok := s.scripts[sess.v["agent"].(obj)["id"].(string)]; ok {
		return sc
	}
	return s.script
}

func (s *Server) runTurns(sess *sessionRec) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		if len(sess.inbox) == 0 || sess.deleted || s.ctx.Err() != nil || sess.status() == "terminated" {
			sess.runner = false
			sess.inbox = nil
			sess.signal()
			s.mu.Unlock()
			return
		}
		in := sess.inbox[0]
		sess.inbox = sess.inbox[1:]
		ctx, cancel := context.WithCancel(s.ctx)
		t := &Turn{s: s, sess: sess, input: in, ctx: ctx, cancel: cancel}
		sess.turn = t
		script := s.scriptFor(sess)
		if in["processed_at"] == nil {
			s.emitLocked(sess, in) // a message queued by WithQueuedEcho
		}
		s.emitLocked(sess, obj{"type": "session.status_running"})
		s.mu.Unlock()

		panicked := play(script, t)

		s.mu.Lock()
		if !sess.deleted && s.ctx.Err() == nil && sess.status() != "terminated" {
			for _, th := range sess.threads[1:] {
				if th.status == "running" || th.status == "rescheduling" {
					s.threadStatus(sess, th, "idle")
				}
			}
		}
		if !sess.deleted && s.ctx.Err() == nil && !t.ended && sess.status() != "terminated" {
			if panicked != nil && !t.stopped {
				s.emitLocked(sess, obj{"type": "session.error", "error": obj{"type": "unknown_error",
					"message": fmt.Sprint("script panicked: ", panicked), "retry_status": obj{"type": "exhausted"}}})
				s.emitLocked(sess, obj{"type": "session.status_idle", "stop_reason": obj{"type": "retries_exhausted"}, "stop_details": nil})
			} else {
				s.emitLocked(sess, obj{"type": "session.status_idle", "stop_reason": obj{"type": "end_turn"}, "stop_details": nil})
			}
		}
		cancel()
		sess.turn = nil
		s.mu.Unlock()
	}
}

// play runs script, returning the value of a panic, if any.
func play(script Script, t *Turn) (p any) {
	defer func() { p = recover() }()
	script(t)
	return nil
}
