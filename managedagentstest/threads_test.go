package managedagentstest_test

import (
	"context"
	"testing"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

func TestThreadStreamAndEvents(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, nil)
	tid := ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads", nil)["data"].([]any)[0].(map[string]any)["id"].(string)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/threads/"+tid+"/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("hi"))
	frames := st.untilIdle(t)
	ev := ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads/"+tid+"/events", nil)["data"].([]any)
	require.Len(t, ev, len(frames))
	require.Equal(t, "idle", ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads/"+tid, nil)["status"])
}

// The primary thread carries the full snapshot of the session's agent, and
// its stats and usage are null until its first status change and first idle
// (reference §4.13).
func TestPrimaryThreadAnswer(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, _, sid := setup(t, srv, map[string]any{"system": "Be brief.", "description": "d"})
	thread := func() map[string]any {
		return ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads", nil)["data"].([]any)[0].(map[string]any)
	}
	th := thread()
	agent := th["agent"].(map[string]any)
	require.Equal(t, aid, agent["id"])
	require.Equal(t, "agent", agent["type"])
	require.Equal(t, "Be brief.", agent["system"])
	for _, k := range []string{"version", "name", "description", "model", "tools", "mcp_servers", "skills", "execution_identity"} {
		require.Contains(t, agent, k)
	}
	require.NotContains(t, agent, "multiagent", "a thread's agent has no multiagent config")
	for _, k := range []string{"stats", "usage", "parent_thread_id", "workflow_run_id", "archived_at"} {
		require.Contains(t, th, k)
		require.Nil(t, th[k], k)
	}

	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("hi"))
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	th = thread()
	require.Contains(t, th["stats"], "startup_seconds")
	usage := th["usage"].(map[string]any)
	require.EqualValues(t, 120, usage["input_tokens"])
	require.Contains(t, usage, "active_seconds")
}

// Child threads started by a script have their own events and stream; the
// session's stream and list show their status events only; a child can be
// archived once it is not running, the primary never; a turn that ends
// idles the children it left running.
func TestChildThreads(t *testing.T) {
	t.Parallel()
	srv := start(t)
	helper := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "Helper", "model": "m"})["id"].(string)
	aid, _, sid := setup(t, srv, map[string]any{"multiagent": map[string]any{"type": "coordinator", "agents": []any{helper}}})
	started, proceed, idleAgain := make(chan string, 2), make(chan struct{}), make(chan string, 1)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		done := turn.StartThread(helper)
		left := turn.StartThread(helper)
		started <- done.ID()
		started <- left.ID()
		<-proceed
		done.Message("found it")
		done.Idle()
		idleAgain <- done.Idle()
	})
	sessionStream := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
	done, left := <-started, <-started
	childStream := openStream(t, srv, "/v1/sessions/"+sid+"/threads/"+done+"/stream")
	close(proceed)

	require.Equal(t, "agent.message", childStream.next(t).Name)
	require.Equal(t, []string{"user.message", "session.status_running",
		"session.thread_created", "session.thread_status_running", "session.thread_created", "session.thread_status_running",
		"session.thread_status_idle", "session.thread_status_idle", "session.status_idle"}, names(sessionStream.untilIdle(t)))
	created := ok(t, srv, "GET", "/v1/sessions/"+sid+"/events?types%5B%5D=session.thread_created", nil)["data"].([]any)
	require.Equal(t, map[string]any{"type": "session.thread_created", "id": created[0].(map[string]any)["id"],
		"processed_at": created[0].(map[string]any)["processed_at"], "session_thread_id": done, "agent_name": "Helper",
		"workflow_run_id": nil}, created[0])

	require.Empty(t, <-idleAgain, "an idle thread does not idle again")
	childEvents := ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads/"+done+"/events", nil)["data"].([]any)
	require.Len(t, childEvents, 1)
	require.Equal(t, "agent.message", childEvents[0].(map[string]any)["type"])
	for _, raw := range srv.Events(sid) {
		require.NotContains(t, string(raw), "found it", "a child's events stay in its thread")
	}

	threads := ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads", nil)["data"].([]any)
	require.Len(t, threads, 3)
	primary := threads[0].(map[string]any)["id"].(string)
	child := ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads/"+left, nil)
	require.Equal(t, primary, child["parent_thread_id"])
	require.Equal(t, "idle", child["status"], "the turn's end idled it")
	require.Equal(t, "Helper", child["agent"].(map[string]any)["name"])

	archived := ok(t, srv, "POST", "/v1/sessions/"+sid+"/threads/"+done+"/archive", nil)
	require.NotNil(t, archived["archived_at"])
	requireError(t, call(t, srv, "POST", "/v1/sessions/"+sid+"/threads/"+primary+"/archive", nil, nil), 400, "invalid_request_error")

	// An agent outside the roster cannot be started: the turn ends in error.
	srv.SetScript(aid, func(turn *managedagentstest.Turn) { turn.StartThread(aid) })
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("again"))
	stop, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, "retries_exhausted", stop)
}
