package managedagentstest_test

import (
	"context"
	"io"
	"testing"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

// A built-in tool the toolset does not enable is denied by the server: the
// call does not run and its result is an error (reference §4.4, §5.3).
func TestRunToolNotEnabled(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, _, sid := setup(t, srv, map[string]any{"tools": []any{map[string]any{"type": "agent_toolset_20260401",
		"configs": []any{map[string]any{"name": "bash", "enabled": false}}}}})
	type outcome struct {
		ran bool
		err error
	}
	done := make(chan outcome, 1)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		ran, err := turn.RunTool("bash", map[string]any{"command": "ls"}, "a.txt")
		done <- outcome{ran, err}
	})
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("list"))
	frames := st.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "agent.tool_use", "agent.tool_result", "session.status_idle"}, names(frames))
	use := frames[2].JSON(t)
	require.Equal(t, "deny", use["evaluated_permission"])
	require.NotContains(t, use, "evaluation")
	res := frames[3].JSON(t)
	require.Equal(t, use["id"], res["tool_use_id"])
	require.Equal(t, true, res["is_error"])
	o := <-done
	require.NoError(t, o.err)
	require.False(t, o.ran, "a denied tool does not run")
}

// A stream fault with a SessionID waits for a connection to that session;
// connections to other sessions are left alone.
func TestStreamFaultAimedAtSession(t *testing.T) {
	t.Parallel()
	srv := start(t)
	sidA, sendA := streamSession(t, srv)
	sidB, sendB := streamSession(t, srv)
	srv.AddStreamFault(managedagentstest.StreamFault{Kind: managedagentstest.FaultCut, After: 1, SessionID: sidB})

	stA := openStream(t, srv, "/v1/sessions/"+sidA+"/events/stream")
	sendA()
	require.Len(t, stA.untilIdle(t), 5, "session A's stream is healthy")

	stB := openStream(t, srv, "/v1/sessions/"+sidB+"/events/stream")
	sendB()
	require.Equal(t, "user.message", stB.next(t).Name)
	require.ErrorIs(t, stB.next(t).Err, io.EOF, "session B's stream is cut")
	_, err := srv.WaitIdle(context.Background(), sidB)
	require.NoError(t, err)
}

// A system.message accompanies the user.message or tool result right before
// it, as the last event of the request (reference §5.4).
func TestSystemMessagePlacement(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, nil)
	sys := map[string]any{"type": "system.message", "content": []any{map[string]any{"type": "text", "text": "Be brief."}}}
	msg := userMessage("hi")["events"].([]any)[0]
	path := "/v1/sessions/" + sid + "/events"
	requireError(t, call(t, srv, "POST", path, map[string]any{"events": []any{sys}}, nil), 400, "invalid_request_error")
	requireError(t, call(t, srv, "POST", path, map[string]any{"events": []any{sys, msg}}, nil), 400, "invalid_request_error")
	ok(t, srv, "POST", path, map[string]any{"events": []any{msg, sys}})
}

// At a budget pause (idle, budget_reached) only settle events are accepted,
// an interrupt is not persisted, and a budget update lifts the pause
// (reference §5.4, §5.5).
func TestBudgetPause(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, eid, _ := setup(t, srv, nil)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		if turn.Text() == "spend" {
			turn.Idle("budget_reached")
		}
	})
	budget := func(cents string) map[string]any {
		return map[string]any{"type": "limit", "max_list_cost": map[string]any{"amount": cents, "currency": "USD"}}
	}
	sid := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": aid, "environment_id": eid, "budget": budget("100")})["id"].(string)
	path := "/v1/sessions/" + sid + "/events"
	ok(t, srv, "POST", path, userMessage("spend"))
	stop, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, "budget_reached", stop)
	n := len(srv.Events(sid))

	requireError(t, call(t, srv, "POST", path, userMessage("more"), nil), 400, "invalid_request_error")
	echo := ok(t, srv, "POST", path, map[string]any{"events": []any{map[string]any{"type": "user.interrupt"}}})
	require.NotEmpty(t, echo["data"].([]any)[0].(map[string]any)["id"])
	require.Len(t, srv.Events(sid), n, "an interrupt at a budget pause is not persisted")

	ok(t, srv, "POST", "/v1/sessions/"+sid, map[string]any{"budget": budget("500")})
	ok(t, srv, "POST", path, userMessage("more"))
	stop, err = srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, "end_turn", stop)
}
