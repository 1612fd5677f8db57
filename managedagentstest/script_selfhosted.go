package managedagentstest

import (
	"errors"
	"fmt"
)

// This file holds what a script needs to play an agent of a self-hosted
// environment (self-hosted.md §1): its built-in tools run on the client's
// worker, which answers each agent.tool_use with a user.tool_result.

// ErrToolDenied is returned by [Turn.CallTool] when the call was not sent to
// the worker: the agent's policy denied it (the toolset does not enable the
// tool), or the user denied it in a user.tool_confirmation. The server has
// answered it with an error agent.tool_result.
var ErrToolDenied = errors.New("managedagentstest: tool call denied")

// CallTool calls the built-in tool name of a session in a self-hosted
// environment and waits for the worker's user.tool_result, as the agent loop
// does: it emits agent.tool_use, with the evaluated_permission of the agent's
// policy (see [Turn.ToolUse]); when the policy is always_ask it waits, idle with
// requires_action, for the user.tool_confirmation, then runs again; and it
// waits, running, for the user.tool_result, which it returns. A call denied by
// the policy or by the user is answered by the server with an error
// agent.tool_result, and CallTool returns [ErrToolDenied]. It panics (ending
// the turn with a session.error) if the session's environment is not
// self_hosted: a cloud session runs its tools itself (see [Turn.RunTool]).
func (t *Turn) CallTool(name string, input any) (Answer, error) {
	t.mustBeSelfHosted("CallTool")
	id := t.ToolUse(name, input)
	if id == "" {
		return Answer{}, t.Err()
	}
	if t.ToolPolicy(name) == "" {
		t.ToolResult(id, "The tool "+name+" is not enabled for this agent.", true)
		return Answer{}, ErrToolDenied
	}
	switch ok, err := t.confirmed(id, name); {
	case err != nil:
		return Answer{}, err
	case !ok:
		return Answer{}, ErrToolDenied
	}
	answers, err := t.AwaitResults(id)
	if err != nil {
		return Answer{}, err
	}
	return answers[0], nil
}

// AwaitResults waits for the worker's user.tool_result answering each of the
// agent.tool_use events ids, the session running meanwhile (no
// requires_action idle: a self-hosted worker runs built-in tools without the
// user). Results that came before the call count; a user.tool_confirmation
// does not. It returns them in the
// order of ids, or [ErrInterrupted] / [ErrClosed]. Emit several calls with
// [Turn.ToolUse] and [Thread.ToolUse] first to have them run at once.
func (t *Turn) AwaitResults(ids ...string) ([]Answer, error) { return t.await(ids, false) }

// mustBeSelfHosted panics unless the session's environment is self_hosted.
func (t *Turn) mustBeSelfHosted(method string) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if typeOf(t.sess.env["config"]) != "self_hosted" {
		panic(fmt.Sprintf("managedagentstest: %s: session %s is not in a self_hosted environment", method, t.sess.id))
	}
}

// ToolUse emits agent.tool_use for the built-in tool name in the thread, with
// the evaluated_permission of the thread agent's policy (see [Turn.ToolUse]),
// and cross-posts it to the session's stream and events with its
// session_thread_id, as the API does for a child thread's calls that its
// session's worker must answer. Wait for the answer with [Turn.AwaitResults]
// (or [Turn.Await] for a confirmation). It returns the event's id, or "" once
// the turn is stopped or the thread terminated.
func (th *Thread) ToolUse(name string, input any) string {
	t := th.turn
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if t.stopped || t.ended || t.errLocked() != nil || th.rec.status == "terminated" {
		return ""
	}
	ev := toolUseEvent(toolPolicy(th.rec.agent, name), name, input)
	ev["session_thread_id"] = th.rec.id
	ev = t.s.emitInThread(t.sess, th.rec, ev)
	cross := clone(ev)
	delete(cross, "processed_at")
	return t.s.emitLocked(t.sess, cross)["id"].(string)
}
