package managedagentstest_test

import (
	"encoding/json"
	"testing"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

// selfHostedSession creates an agent (extra fields merged), a self_hosted
// environment and a session in it, and returns the agent's and session's ids.
func selfHostedSession(t *testing.T, srv *managedagentstest.Server, agent map[string]any) (agentID, sessionID string) {
	t.Helper()
	body := map[string]any{"name": "Worker agent", "model": "claude-sonnet-5-5",
		"tools": []any{map[string]any{"type": "agent_toolset_20260401"}}}
	for k, v := range agent {
		body[k] = v
	}
	agentID = ok(t, srv, "POST", "/v1/agents", body)["id"].(string)
	env := ok(t, srv, "POST", "/v1/environments", map[string]any{"name": "self-" + agentID,
		"config": map[string]any{"type": "self_hosted"}})
	require.Equal(t, map[string]any{"type": "self_hosted"}, env["config"])
	sessionID = ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": agentID, "environment_id": env["id"]})["id"].(string)
	return agentID, sessionID
}

func toolResult(id, text string, isError bool) map[string]any {
	return map[string]any{"events": []any{map[string]any{"type": "user.tool_result", "tool_use_id": id,
		"is_error": isError, "content": []any{map[string]any{"type": "text", "text": text}}}}}
}

// A self-hosted agent's built-in call waits, running, for the worker's
// user.tool_result, and goes on with it (self-hosted.md §1, §4.5).
func TestCallToolWaitsForTheWorkersResult(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, sid := selfHostedSession(t, srv, nil)
	got := make(chan managedagentstest.Answer, 1)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		a, err := turn.CallTool("bash", map[string]any{"command": "echo hi"})
		if err == nil {
			got <- a
		}
		turn.Message("done")
	})
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
	frames := st.until(t, "agent.tool_use")
	use := frames[len(frames)-1].JSON(t)
	require.Equal(t, "bash", use["name"])
	require.Equal(t, "allow", use["evaluated_permission"])
	require.Equal(t, map[string]any{"type": "always_allow"}, use["evaluation"])
	require.Equal(t, map[string]any{"command": "echo hi"}, use["input"])
	require.Equal(t, "running", srv.SessionStatus(sid), "no requires_action idle for a built-in tool")

	echo := ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", toolResult(use["id"].(string), "hi\n\n", false))
	ev := echo["data"].([]any)[0].(map[string]any)
	require.Equal(t, "user.tool_result", ev["type"])
	require.Equal(t, false, ev["is_error"])
	require.NotNil(t, ev["processed_at"], "tool results are processed on receipt")
	a := <-got
	require.Equal(t, "hi\n\n", a.Text())
	require.Equal(t, "user.tool_result", a.Type)
	require.Equal(t, []string{"user.tool_result", "agent.message", "session.status_idle"}, names(st.untilIdle(t)))
}

// always_ask: the call idles with requires_action until the user's
// confirmation; allowed, it then waits for the worker; denied, the server
// answers it with an error agent.tool_result and the worker gets nothing to do.
func TestCallToolAskWaitsForConfirmation(t *testing.T) {
	t.Parallel()
	for _, allow := range []bool{true, false} {
		srv := start(t)
		aid, sid := selfHostedSession(t, srv, map[string]any{"tools": []any{map[string]any{
			"type": "agent_toolset_20260401", "default_config": map[string]any{"permission_policy": map[string]any{"type": "always_ask"}}}}})
		errs := make(chan error, 1)
		srv.SetScript(aid, func(turn *managedagentstest.Turn) {
			_, err := turn.CallTool("read", map[string]any{"file_path": "a.txt"})
			errs <- err
		})
		st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
		ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
		frames := st.untilIdle(t)
		use := frames[len(frames)-2].JSON(t)
		require.Equal(t, "ask", use["evaluated_permission"])
		id := use["id"].(string)
		require.Equal(t, []any{id}, stopReason(t, frames[len(frames)-1])["event_ids"])

		conf := map[string]any{"type": "user.tool_confirmation", "tool_use_id": id, "result": "deny"}
		if allow {
			conf["result"] = "allow"
		}
		ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{conf}})
		if !allow {
			require.ErrorIs(t, <-errs, managedagentstest.ErrToolDenied)
			after := st.untilIdle(t)
			require.Equal(t, "agent.tool_result", after[2].Name)
			require.Equal(t, true, after[2].JSON(t)["is_error"])
			continue
		}
		require.Equal(t, []string{"user.tool_confirmation", "session.status_running"}, names([]sseFrame{st.next(t), st.next(t)}))
		ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", toolResult(id, "contents", false))
		require.NoError(t, <-errs)
	}
}

// A tool the agent's toolset does not enable is denied by the server; the
// worker is never asked.
func TestCallToolDeniedByPolicy(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, sid := selfHostedSession(t, srv, map[string]any{"tools": []any{map[string]any{
		"type": "agent_toolset_20260401", "configs": []any{map[string]any{"name": "bash", "enabled": false}}}}})
	errs := make(chan error, 1)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		_, err := turn.CallTool("bash", map[string]any{"command": "rm -rf /"})
		errs <- err
	})
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
	require.ErrorIs(t, <-errs, managedagentstest.ErrToolDenied)
	var types []string
	for _, raw := range srv.Events(sid) {
		var ev map[string]any
		require.NoError(t, json.Unmarshal(raw, &ev))
		types = append(types, ev["type"].(string))
		if ev["type"] == "agent.tool_use" {
			require.Equal(t, "deny", ev["evaluated_permission"])
			require.NotContains(t, ev, "evaluation")
		}
	}
	require.Contains(t, types, "agent.tool_result")
}

// A child thread's call is cross-posted to the session with its
// session_thread_id, under the same id, and its answer (sent without a thread
// id) reaches the waiting turn.
func TestThreadToolUseIsCrossPosted(t *testing.T) {
	t.Parallel()
	srv := start(t)
	helper := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "Helper", "model": "claude-haiku-5-5",
		"tools": []any{map[string]any{"type": "agent_toolset_20260401"}}})["id"].(string)
	aid, sid := selfHostedSession(t, srv, map[string]any{"multiagent": map[string]any{"type": "coordinator", "agents": []any{helper}}})
	got := make(chan []managedagentstest.Answer, 1)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		th := turn.StartThread(helper)
		a := turn.ToolUse("glob", map[string]any{"pattern": "*.go"})
		b := th.ToolUse("grep", map[string]any{"pattern": "TODO"})
		answers, err := turn.AwaitResults(a, b)
		if err == nil {
			got <- answers
		}
	})
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
	st.until(t, "agent.tool_use")
	cross := st.until(t, "agent.tool_use")
	ev := cross[len(cross)-1].JSON(t)
	threadID := ev["session_thread_id"].(string)
	require.NotEmpty(t, threadID)
	require.Equal(t, "grep", ev["name"])

	list := ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads/"+threadID+"/events", nil)["data"].([]any)
	last := list[len(list)-1].(map[string]any)
	require.Equal(t, ev["id"], last["id"], "the thread's own copy has the same id")

	var ids []string
	for _, raw := range srv.Events(sid) {
		var e map[string]any
		require.NoError(t, json.Unmarshal(raw, &e))
		if e["type"] == "agent.tool_use" {
			ids = append(ids, e["id"].(string))
		}
	}
	require.Len(t, ids, 2)
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", toolResult(ids[1], "b", false))
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", toolResult(ids[0], "a", false))
	answers := <-got
	require.Equal(t, "a", answers[0].Text())
	require.Equal(t, "b", answers[1].Text())
}
