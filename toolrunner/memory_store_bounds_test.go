package toolrunner_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// Forget drops every record of one session, and only of it.
func TestMemoryStoreForgetDropsOneSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := toolrunner.NewMemoryStore()
	for _, k := range []toolrunner.CallKey{{SessionID: "s1", ToolUseID: "a"}, {SessionID: "s1", ToolUseID: "b"}, {SessionID: "s2", ToolUseID: "a"}} {
		_, claimed, err := store.Claim(ctx, k, toolrunner.CallRecord{State: toolrunner.CallStarted})
		require.NoError(t, err)
		require.True(t, claimed)
	}
	require.NoError(t, store.Put(ctx, toolrunner.CallKey{SessionID: "s1", ToolUseID: "a"}, toolrunner.CallRecord{State: toolrunner.CallAnswered}))
	require.Equal(t, 3, store.Len())
	store.Forget("s1")
	store.Forget("unknown")
	require.Equal(t, 1, store.Len())
	_, ok := store.Get(toolrunner.CallKey{SessionID: "s1", ToolUseID: "a"})
	require.False(t, ok)
	rec, ok := store.Get(toolrunner.CallKey{SessionID: "s2", ToolUseID: "a"})
	require.True(t, ok)
	require.Equal(t, int64(1), rec.Version)
	_, claimed, err := store.Claim(ctx, toolrunner.CallKey{SessionID: "s1", ToolUseID: "a"}, toolrunner.CallRecord{State: toolrunner.CallStarted})
	require.NoError(t, err)
	require.True(t, claimed, "a forgotten call can be claimed again")
}

// A runner that sees its session terminate leaves no record of it in a
// shared MemoryStore.
func TestEndedSessionLeavesNoRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.script(func(turn *managedagentstest.Turn) {
		for _, cmd := range []string{"one", "two"} {
			if _, err := turn.CallTool("bash", map[string]any{"command": cmd}); err != nil {
				return
			}
		}
		turn.Terminate()
	})
	store := toolrunner.NewMemoryStore()
	exec := &executor{}
	rr := f.run(t, toolrunner.Options{Executor: exec, Store: store})
	f.start(t)
	require.NoError(t, rr.wait(t))
	require.Len(t, exec.ran(), 2)
	require.Zero(t, store.Len())
}

// Forget while a runner of the session runs keeps its records until the
// runner returns: the runner may still need them.
func TestForgetWaitsForTheSessionsRunners(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.script(func(turn *managedagentstest.Turn) {
		_, _ = turn.CallTool("bash", map[string]any{"command": "block"})
	})
	store := toolrunner.NewMemoryStore()
	exec := newBlocking()
	rr := f.run(t, toolrunner.Options{Executor: exec, Store: store})
	f.start(t)
	recv(t, exec.started)
	store.Forget(f.sessionID)
	require.Equal(t, 1, store.Len(), "kept while the runner runs")
	rr.cancel(errLeaseLost)
	require.ErrorIs(t, rr.wait(t), errLeaseLost)
	require.Zero(t, store.Len())
}

// A session that idled out: the records of the calls its history answered
// go once its runner returns, and a runner that takes the session up again
// (a new work item) reads the replayed calls answered and runs none of them.
func TestIdledSessionDropsAnsweredCallsAndNeverRerunsThem(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.script(func(turn *managedagentstest.Turn) {
		for _, cmd := range []string{"one", "two"} {
			if _, err := turn.CallTool("bash", map[string]any{"command": cmd}); err != nil {
				return
			}
		}
		turn.Message("done")
	})
	store := toolrunner.NewMemoryStore()
	first := &executor{}
	rr := f.run(t, toolrunner.Options{Executor: first, Store: store, MaxIdle: 10 * time.Millisecond})
	f.start(t)
	require.NoError(t, rr.wait(t), "idled out")
	require.Len(t, first.ran(), 2)
	require.Zero(t, store.Len())

	second := &executor{}
	rr = f.run(t, toolrunner.Options{Executor: second, Store: store, MaxIdle: 10 * time.Millisecond})
	require.NoError(t, rr.wait(t))
	require.Empty(t, second.ran(), "the replayed calls are answered in the history")
	require.Zero(t, store.Len())
	for _, n := range f.results(t) {
		require.Equal(t, 1, n)
	}
}

// A session whose runner stopped while a call's result was refused (the
// history holds no answer to it): its record stays, and the next runner of
// the session, reading the call again, does not run it; the record of the
// call the history answered goes.
func TestStoppedSessionKeepsTheRecordsItsHistoryDoesNotSettle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ids := make(chan string, 2)
	proceed := make(chan struct{})
	var once sync.Once
	letProceed := func() { once.Do(func() { close(proceed) }) }
	t.Cleanup(letProceed) // before the fake closes, which waits for the script
	got := make(chan managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		a, err := turn.CallTool("bash", map[string]any{"command": "answered"})
		if err != nil {
			return
		}
		ids <- a.ToolUseID
		ids <- turn.ToolUse("bash", map[string]any{"command": "refused"})
		<-proceed
		c := turn.ToolUse("bash", map[string]any{"command": "later"})
		if res, err := turn.AwaitResults(c); err == nil {
			got <- res[0]
		}
	})
	store := toolrunner.NewMemoryStore()
	plain := f.client
	f.client = plain.WithOptions(option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		if c, ok := toolrunner.CallFromContext(req.Context()); ok && req.Method == http.MethodPost && strings.Contains(string(c.Input), "refused") {
			return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}}, Request: req,
				Body: io.NopCloser(strings.NewReader(`{"type":"error","error":{"type":"invalid_request_error","message":"refused"}}`))}, nil
		}
		return next(req)
	}))
	first := &executor{}
	rr := f.run(t, toolrunner.Options{Executor: first, Store: store})
	f.start(t)
	answered, refused := recv(t, ids), recv(t, ids)
	key := func(id string) toolrunner.CallKey { return toolrunner.CallKey{SessionID: f.sessionID, ToolUseID: id} }
	eventually(t, func() bool {
		rec, ok := store.Get(key(refused))
		return ok && rec.State == toolrunner.CallAbandoned
	})
	rr.stop(t)
	require.Equal(t, 1, store.Len())
	_, ok := store.Get(key(answered))
	require.False(t, ok, "answered in the history: dropped")

	f.client = plain
	second := &executor{}
	rr = f.run(t, toolrunner.Options{Executor: second, Store: store})
	letProceed()
	require.Equal(t, "bash ran", recv(t, got).Text())
	rr.stop(t)
	require.Len(t, second.ran(), 1, "only the new call ran")
	require.Contains(t, string(second.inputs[0]), "later")
	require.Equal(t, map[string]int{answered: 1, f.toolUseIDs(t)[2]: 1}, f.results(t))
	rec, ok := store.Get(key(refused))
	require.True(t, ok, "still kept: the history does not settle it")
	require.Equal(t, toolrunner.CallAbandoned, rec.State)
}

// eventually waits until cond holds, checking every few milliseconds, for
// at most the test timeout.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
