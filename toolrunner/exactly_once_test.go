package toolrunner_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// A runner that starts on a session with history runs the calls still owed
// and none that the history answered (by anyone), even with a fresh store.
func TestHistoryAnsweredCallsAreNotRunAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	got := make(chan []managedagentstest.Answer, 1)
	emitted := make(chan []string, 1)
	f.script(func(turn *managedagentstest.Turn) {
		a := turn.ToolUse("bash", map[string]any{"command": "answered elsewhere"})
		b := turn.ToolUse("bash", map[string]any{"command": "owed"})
		emitted <- []string{a, b}
		if answers, err := turn.AwaitResults(a, b); err == nil {
			got <- answers
		}
	})
	f.start(t)
	ids := recv(t, emitted)
	f.send(t, managedagents.NewUserToolResult(ids[0], managedagents.NewTextBlock("by someone else")))
	exec := &executor{}
	rr := f.run(t, toolrunner.Options{Executor: exec})
	answers := recv(t, got)
	require.Equal(t, "by someone else", answers[0].Text())
	require.Equal(t, "bash ran", answers[1].Text())
	rr.stop(t)
	require.Len(t, exec.ran(), 1)
	require.Contains(t, string(exec.inputs[0]), "owed")
	require.Equal(t, map[string]int{ids[0]: 1, ids[1]: 1}, f.results(t))
}

// A runner stopped after a call ran but before its result was posted (the
// post held back, then cancelled): the next runner, with the same
// store, does not run the call again; it checks the history and posts the
// recorded result, once.
func TestRestartPostsRecordedResultWithoutRunningAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	got := oneToolCall(f)
	store := toolrunner.NewMemoryStore()
	first := &executor{fn: func(context.Context, string, json.RawMessage) (toolrunner.ToolResult, error) {
		return toolrunner.NewToolResultText("from the first runner"), nil
	}}
	f.start(t)
	posting := make(chan toolrunner.ToolCall, 1)
	// The first runner's post is held in a client middleware (the result is
	// recorded by then) until the runner stops: it never leaves.
	plain := f.client
	f.client = plain.WithOptions(option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		if c, ok := toolrunner.CallFromContext(req.Context()); ok && req.Method == http.MethodPost {
			posting <- c
			<-req.Context().Done()
			return nil, req.Context().Err()
		}
		return next(req)
	}))
	r1 := f.run(t, toolrunner.Options{Executor: first, Store: store})
	c := recv(t, posting)
	rec, ok := store.Get(toolrunner.CallKey{SessionID: f.sessionID, ToolUseID: c.ID})
	require.True(t, ok)
	require.Equal(t, toolrunner.CallFinished, rec.State)
	require.Equal(t, "from the first runner", rec.Result.Content.Text())
	r1.cancel(errLeaseLost)
	require.ErrorIs(t, r1.wait(t), errLeaseLost)
	rec, _ = store.Get(toolrunner.CallKey{SessionID: f.sessionID, ToolUseID: c.ID})
	require.Equal(t, toolrunner.CallReleased, rec.State, "released with its result")
	require.Empty(t, f.results(t))

	f.client = plain
	second := &executor{}
	r2 := f.run(t, toolrunner.Options{Executor: second, Store: store})
	require.Equal(t, "from the first runner", recv(t, got).Text())
	st := r2.stop(t)
	require.Empty(t, second.ran(), "not run again")
	require.Equal(t, []string{"bash"}, first.ran())
	require.Equal(t, map[string]int{f.toolUseIDs(t)[0]: 1}, f.results(t))
	require.Equal(t, int64(1), st.Posted)
	require.Equal(t, int64(0), st.Started)
}

// A runner stopped in the middle of a call (its lease lost): the next
// runner, with the same store, does not run the call again; it answers it
// with an error result saying so, so that the agent can go on.
func TestRestartNeverRerunsACallCutShort(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	got := make(chan managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		if a, err := turn.CallTool("bash", map[string]any{"command": "block"}); err == nil {
			got <- a
		}
	})
	store := toolrunner.NewMemoryStore()
	first := newBlocking()
	r1 := f.run(t, toolrunner.Options{Executor: first, Store: store})
	f.start(t)
	recv(t, first.started)
	r1.cancel(errLeaseLost)
	require.ErrorIs(t, r1.wait(t), errLeaseLost)

	second := &executor{}
	r2 := f.run(t, toolrunner.Options{Executor: second, Store: store})
	a := recv(t, got)
	require.True(t, a.IsError)
	require.Contains(t, a.Text(), "not run again")
	r2.stop(t)
	require.Empty(t, second.ran())
	require.Len(t, first.ran(), 1)
	require.Equal(t, map[string]int{f.toolUseIDs(t)[0]: 1}, f.results(t))
}

// Two runners on one session sharing a store (a worker's item reclaimed
// while the first still ran): each call runs once in all.
func TestTwoRunnersSharingAStoreRunEachCallOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	got := make(chan string, 3)
	f.script(func(turn *managedagentstest.Turn) {
		for _, cmd := range []string{"one", "two", "three"} {
			a, err := turn.CallTool("bash", map[string]any{"command": cmd})
			if err != nil {
				return
			}
			got <- a.Text()
		}
	})
	store := toolrunner.NewMemoryStore()
	exec := &executor{}
	f.run(t, toolrunner.Options{Executor: exec, Store: store})
	f.run(t, toolrunner.Options{Executor: exec, Store: store})
	f.start(t)
	for range 3 {
		recv(t, got)
	}
	require.Len(t, exec.ran(), 3)
	for _, n := range f.results(t) {
		require.Equal(t, 1, n)
	}
}

// A record left by a runner that died (never released): the call is taken
// over once the owner's time is up, never run. A started call is answered as
// cut short after the call's and the post's time; a finished one gets its
// recorded result posted after the post's time.
func TestDeadOwnerIsTakenOverAfterItsTime(t *testing.T) {
	t.Parallel()
	long := time.Now().Add(-time.Hour)
	for name, tc := range map[string]struct {
		rec  toolrunner.CallRecord
		want string
	}{
		"started":  {toolrunner.CallRecord{State: toolrunner.CallStarted, UpdatedAt: long}, "cut short"},
		"finished": {toolrunner.CallRecord{State: toolrunner.CallFinished, UpdatedAt: long, Result: new(toolrunner.NewToolResultText("recorded"))}, "recorded"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			ids := make(chan string, 1)
			got := make(chan managedagentstest.Answer, 1)
			f.script(func(turn *managedagentstest.Turn) {
				id := turn.ToolUse("bash", map[string]any{"command": "x"})
				ids <- id
				if a, err := turn.AwaitResults(id); err == nil {
					got <- a[0]
				}
			})
			f.start(t)
			store := toolrunner.NewMemoryStore()
			_, claimed, err := store.Claim(context.Background(), toolrunner.CallKey{SessionID: f.sessionID, ToolUseID: recv(t, ids)}, tc.rec)
			require.NoError(t, err)
			require.True(t, claimed)
			exec := &executor{}
			f.run(t, toolrunner.Options{Executor: exec, Store: store, ToolTimeout: time.Minute, SendWindow: time.Minute})
			require.Contains(t, recv(t, got).Text(), tc.want)
			require.Empty(t, exec.ran())
		})
	}
}
