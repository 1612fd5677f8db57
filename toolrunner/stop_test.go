package toolrunner_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// The session's termination ends Run without error, and cancels a call
// still running: nothing is posted for it.
func TestSessionTerminationStopsRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	exec := newBlocking()
	f.script(func(turn *managedagentstest.Turn) {
		turn.ToolUse("bash", map[string]any{"command": "block"})
		<-exec.started
		turn.Terminate()
	})
	rr := f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	require.NoError(t, rr.wait(t))
	require.Error(t, recv(t, exec.causes), "the running call was cancelled")
	require.Empty(t, f.results(t))
}

// A session deleted while the runner follows it ends Run without error.
func TestSessionDeletionStopsRun(t *testing.T) {
	t.Parallel()
	opened, streams := streamOpened()
	f := newFixture(t, nil, opened)
	rr := f.run(t, toolrunner.Options{Executor: &executor{}})
	recv(t, streams)
	status, body := f.srv.Call("DELETE", "/v1/sessions/"+f.sessionID, nil)
	require.Equal(t, 200, status, "%s", body)
	require.NoError(t, rr.wait(t))
}

// A session already terminated: Run reads the history, runs nothing (not
// even a call left pending there) and returns.
func TestTerminatedSessionRunsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.script(func(turn *managedagentstest.Turn) {
		turn.ToolUse("bash", map[string]any{"command": "never"})
		turn.Terminate()
	})
	f.start(t)
	f.waitIdle(t)
	exec := &executor{}
	rr := f.run(t, toolrunner.Options{Executor: exec})
	require.NoError(t, rr.wait(t))
	require.Empty(t, exec.ran())
}

// After a turn ends (idle, end_turn) with nothing outstanding, Run returns
// once MaxIdle has passed.
func TestIdleAfterTurnEndsRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.script(func(turn *managedagentstest.Turn) {
		_, _ = turn.CallTool("bash", map[string]any{"command": "x"})
	})
	rr := f.run(t, toolrunner.Options{Executor: &executor{}, MaxIdle: 20 * time.Millisecond})
	f.start(t)
	require.NoError(t, rr.wait(t))
	require.Len(t, f.results(t), 1)
	require.Equal(t, "end_turn", f.waitIdle(t))
}

// A session whose history ends with a finished turn: Run idles out at once,
// without a new event.
func TestIdleSessionFromHistoryEndsRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.script(func(turn *managedagentstest.Turn) { turn.Message("hi") })
	f.start(t)
	f.waitIdle(t)
	rr := f.run(t, toolrunner.Options{Executor: &executor{}, MaxIdle: time.Millisecond})
	require.NoError(t, rr.wait(t))
}

// Shutdown lets the running call finish and post its result, starts nothing
// more, reports the call that never started, and makes Run return nil.
func TestShutdownLetsRunningCallsFinish(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]any{"tools": []any{map[string]any{"type": "agent_toolset_20260401"}}})
	release := make(chan struct{})
	started := make(chan struct{})
	f.script(func(turn *managedagentstest.Turn) {
		a := turn.ToolUse("bash", map[string]any{"command": "first"})
		b := turn.ToolUse("bash", map[string]any{"command": "second"})
		_, _ = turn.AwaitResults(a, b)
	})
	exec := &executor{fn: func(context.Context, string, json.RawMessage) (toolrunner.ToolResult, error) {
		close(started)
		<-release
		return toolrunner.NewToolResultText("first done"), nil
	}}
	un := newUnanswered()
	rr := f.run(t, toolrunner.Options{Executor: exec, OnUnanswered: un.report})
	f.start(t)
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- rr.Shutdown(context.Background()) }()
	// Run cannot return while the first call runs; once released, it posts.
	close(release)
	require.NoError(t, recv(t, stopped))
	require.NoError(t, rr.wait(t))
	ids := f.toolUseIDs(t)
	require.Equal(t, map[string]int{ids[0]: 1}, f.results(t))
	require.Equal(t, []string{"bash"}, exec.ran())
	calls, errs := un.get()
	require.Len(t, calls, 1)
	require.Equal(t, ids[1], calls[0].ID)
	require.ErrorIs(t, errs[0], toolrunner.ErrStopped)
}

// Shutdown whose context ends first cancels the running call, as a cancelled
// Run context would, and returns the context's error.
func TestShutdownDeadlineCancelsRunningCalls(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.script(func(turn *managedagentstest.Turn) { _, _ = turn.CallTool("bash", map[string]any{"command": "block"}) })
	exec := newBlocking()
	rr := f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	recv(t, exec.started)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, rr.Shutdown(ctx), context.Canceled)
	require.ErrorIs(t, recv(t, exec.causes), toolrunner.ErrStopped)
	require.NoError(t, rr.wait(t))
	require.Empty(t, f.results(t))
}

// errLeaseLost stands for a worker's cause of cancellation.
var errLeaseLost = errors.New("lease lost")

// Run's context cancelled (a worker lost its lease): the running call is
// cancelled with that cause, nothing is posted, and Run returns the cause.
// The call is recorded as released without a result (cut short): a runner
// sharing the store never runs it again.
func TestCancelStopsToolsAndPostsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.script(func(turn *managedagentstest.Turn) { _, _ = turn.CallTool("bash", map[string]any{"command": "block"}) })
	exec := newBlocking()
	store := toolrunner.NewMemoryStore()
	rr := f.run(t, toolrunner.Options{Executor: exec, Store: store})
	f.start(t)
	recv(t, exec.started)
	rr.cancel(errLeaseLost)
	require.ErrorIs(t, recv(t, exec.causes), errLeaseLost)
	require.ErrorIs(t, rr.wait(t), errLeaseLost)
	require.Empty(t, f.results(t))
	rec, ok := store.Get(toolrunner.CallKey{SessionID: f.sessionID, ToolUseID: f.toolUseIDs(t)[0]})
	require.True(t, ok)
	require.Equal(t, toolrunner.CallReleased, rec.State)
	require.Nil(t, rec.Result)
}

// Run may be called once; Shutdown before Run makes Run return at once.
func TestRunOnceAndShutdownBeforeRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	r, err := toolrunner.New(f.client, f.sessionID, fastOptions(toolrunner.Options{Executor: &executor{}}))
	require.NoError(t, err)
	require.NoError(t, r.Shutdown(context.Background()))
	require.NoError(t, r.Run(context.Background()))
	require.ErrorIs(t, r.Run(context.Background()), toolrunner.ErrAlreadyRun)
}

// New refuses what cannot work.
func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	exec := &executor{}
	for name, tc := range map[string]struct {
		client  bool
		session string
		opts    toolrunner.Options
	}{
		"nil client":       {session: f.sessionID, opts: toolrunner.Options{Executor: exec}},
		"no session":       {client: true, opts: toolrunner.Options{Executor: exec}},
		"nothing to run":   {client: true, session: f.sessionID},
		"nil handler":      {client: true, session: f.sessionID, opts: toolrunner.Options{CustomTools: map[string]toolrunner.ToolFunc{"x": nil}}},
		"negative timeout": {client: true, session: f.sessionID, opts: toolrunner.Options{Executor: exec, ToolTimeout: -1}},
	} {
		c := f.client
		if !tc.client {
			c = nil
		}
		_, err := toolrunner.New(c, tc.session, tc.opts)
		require.Error(t, err, name)
	}
}
