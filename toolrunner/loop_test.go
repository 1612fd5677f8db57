package toolrunner

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// loopHarness drives a loop by hand, in the test's goroutine: events go in
// through handle, and the decisions (what runs, what waits) are read from the
// loop's state at once, without timing.
type loopHarness struct {
	t       *testing.T
	l       *loop
	cancel  context.CancelCauseFunc
	started chan string // tool-use ids, as their executor starts
}

// newHarness returns a loop whose executor blocks every call until its
// context ends. No request is ever sent: calls are cancelled, not answered.
func newHarness(t *testing.T, opts Options) *loopHarness {
	client := managedagents.NewClient(option.WithBaseURL("http://127.0.0.1:1"), option.WithAPIKey("unused"))
	h := &loopHarness{t: t, started: make(chan string, 100)}
	opts.Executor = ExecutorFunc(func(ctx context.Context, _ string, input json.RawMessage) (ToolResult, error) {
		c, _ := CallFromContext(ctx)
		h.started <- c.ID
		<-ctx.Done()
		return ToolResult{}, ctx.Err()
	})
	r, err := New(client, "sesn_test", opts)
	require.NoError(t, err)
	h.l = newLoop(r)
	var ctx context.Context
	ctx, h.cancel = context.WithCancelCause(context.Background())
	h.l.ctx = ctx
	t.Cleanup(h.close)
	return h
}

// close cancels every call and takes them back.
func (h *loopHarness) close() {
	h.cancel(nil)
	for h.l.running > 0 {
		h.l.complete(<-h.l.done)
	}
}

var at = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// toolUse feeds an agent.tool_use of thread (empty for the primary).
func (h *loopHarness) toolUse(id, thread string, perm managedagents.EvaluatedPermission) {
	at = at.Add(time.Millisecond)
	ev := &managedagents.AgentToolUseEvent{Name: "bash", Input: json.RawMessage(`{}`), EvaluatedPermission: perm, SessionThreadID: thread}
	ev.ID, ev.Type, ev.ProcessedAt = id, managedagents.EventTypeAgentToolUse, at
	h.l.handle(ev)
}

// finish cancels the running call id (as an interrupt would) and takes it
// back, which lets the loop start what waited for it.
func (h *loopHarness) finish(id string) {
	c := h.l.calls[id]
	require.NotNil(h.t, c, id)
	require.Equal(h.t, statusRunning, c.status, id)
	c.cancel(ErrVoided)
	c.void.Store(true)
	for {
		done := <-h.l.done
		h.l.complete(done)
		if done == c {
			return
		}
	}
}

func (h *loopHarness) status(id string) callStatus {
	if c := h.l.calls[id]; c != nil {
		return c.status
	}
	return statusSettled
}

// MaxConcurrency caps the calls running at once across threads; a call of a
// busy thread waits for the one before it, whatever the free slots.
func TestMaxConcurrencyAndThreadOrder(t *testing.T) {
	h := newHarness(t, Options{MaxConcurrency: 2})
	h.toolUse("a1", "", "")
	h.toolUse("a2", "", managedagents.EvaluatedPermissionAllow)
	h.toolUse("b1", "sthr_b", "")
	h.toolUse("c1", "sthr_c", "")
	require.Equal(t, 2, h.l.running)
	require.Equal(t, statusRunning, h.status("a1"))
	require.Equal(t, statusQueued, h.status("a2"), "a2 waits for a1, its thread's call before it")
	require.Equal(t, statusRunning, h.status("b1"))
	require.Equal(t, statusQueued, h.status("c1"), "no free slot")

	h.finish("b1") // frees a slot; a2 still waits for a1, so c1 takes it
	require.Equal(t, statusQueued, h.status("a2"))
	require.Equal(t, statusRunning, h.status("c1"))
	h.finish("a1")
	require.Equal(t, statusRunning, h.status("a2"))
	require.Equal(t, 2, h.l.running)
}

// A call held for confirmation blocks the calls after it in its thread, not
// those of other threads; a confirmation for another id changes nothing.
func TestHeldCallBlocksItsThreadOnly(t *testing.T) {
	h := newHarness(t, Options{})
	h.toolUse("a1", "", managedagents.EvaluatedPermissionAsk)
	h.toolUse("a2", "", "")
	h.toolUse("b1", "sthr_b", "")
	require.Equal(t, statusHeld, h.status("a1"))
	require.Equal(t, statusQueued, h.status("a2"))
	require.Equal(t, statusRunning, h.status("b1"))

	conf := func(id string, res managedagents.ToolConfirmationResult) {
		ev := &managedagents.UserToolConfirmationEvent{ToolUseID: id, Result: res}
		ev.Type = managedagents.EventTypeUserToolConfirmation
		h.l.handle(ev)
	}
	conf("b1", managedagents.ToolConfirmationDeny)
	require.Equal(t, statusRunning, h.status("b1"), "b1 was not held: a confirmation does not touch it")
	conf("a1", managedagents.ToolConfirmationDeny)
	require.Equal(t, statusSettled, h.status("a1"))
	require.Equal(t, statusRunning, h.status("a2"))
	require.Equal(t, int64(1), h.l.r.stats.denied.Load())
}

// While the history is read, calls wait: one whose result the history holds
// further on is never started.
func TestCallsWaitWhileCatchingUp(t *testing.T) {
	h := newHarness(t, Options{})
	h.l.catchingUp = true
	h.toolUse("a1", "", "")
	h.toolUse("a2", "", "")
	res := &managedagents.UserToolResultEvent{ToolUseID: "a1"}
	res.Type = managedagents.EventTypeUserToolResult
	h.l.handle(res)
	require.Equal(t, 0, h.l.running)
	h.l.caughtUp()
	require.Equal(t, statusSettled, h.status("a1"))
	require.Equal(t, statusRunning, h.status("a2"))
	require.Equal(t, "a2", <-h.started)
}

// An interrupt voids the calls processed up to it (by processed_at), not
// those after; a second copy of it changes nothing.
func TestInterruptVoidsCallsUpToIt(t *testing.T) {
	h := newHarness(t, Options{})
	h.toolUse("a1", "", managedagents.EvaluatedPermissionAsk)
	h.toolUse("b1", "sthr_b", "")
	cut := at
	h.toolUse("c1", "sthr_c", managedagents.EvaluatedPermissionAsk)
	in := &managedagents.UserInterruptEvent{}
	in.ID, in.Type, in.ProcessedAt = "sevt_int", managedagents.EventTypeUserInterrupt, cut
	h.l.handle(in)
	require.Equal(t, statusSettled, h.status("a1"))
	require.True(t, h.l.calls["b1"].void.Load(), "the running call is voided, and cancelled")
	require.Equal(t, statusHeld, h.status("c1"), "processed after the interrupt")
	h.l.handle(in)
	require.Equal(t, statusHeld, h.status("c1"))
	require.Equal(t, int64(2), h.l.r.stats.voided.Load())
}

// Calls not owned that the history shows while it is read are reported once
// it is read, unless the history answered them.
func TestUnownedCallsReportedOnceCaughtUp(t *testing.T) {
	var reported []string
	h := newHarness(t, Options{OnUnanswered: func(c ToolCall, err error) {
		require.ErrorIs(t, err, ErrNotOwned)
		reported = append(reported, c.ID)
	}})
	custom := func(id string) {
		ev := &managedagents.AgentCustomToolUseEvent{Name: "theirs", Input: json.RawMessage(`{}`)}
		ev.ID, ev.Type = id, managedagents.EventTypeAgentCustomToolUse
		h.l.handle(ev)
	}
	h.l.catchingUp = true
	custom("x1")
	custom("x2")
	res := &managedagents.UserCustomToolResultEvent{CustomToolUseID: "x1"}
	res.Type = managedagents.EventTypeUserCustomToolResult
	h.l.handle(res)
	require.Empty(t, reported)
	h.l.caughtUp()
	require.Equal(t, []string{"x2"}, reported)
	custom("x3")
	require.Equal(t, []string{"x2", "x3"}, reported, "live: reported at once")
}

// The reference's sample agent.tool_use (always_allow) runs at once, as a
// call of the primary thread.
func TestReferenceSampleToolUseRuns(t *testing.T) {
	data, err := os.ReadFile("testdata/agent_tool_use_bash.json")
	require.NoError(t, err)
	ev, err := managedagents.DecodeEvent(data)
	require.NoError(t, err)
	h := newHarness(t, Options{})
	h.l.handle(ev)
	require.Equal(t, "sevt_011CnS4hT2uWq8zKx5vNb3Rj", <-h.started)
	c := h.l.calls["sevt_011CnS4hT2uWq8zKx5vNb3Rj"]
	require.Equal(t, "bash", c.Name)
	require.Empty(t, c.ThreadID)
	require.JSONEq(t, `{"command":"cd app && go test ./... 2>&1 | tail -n 20","timeout_ms":90000}`, string(c.Input))
}
