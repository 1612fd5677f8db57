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
