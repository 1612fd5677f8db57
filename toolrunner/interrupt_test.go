package toolrunner_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// blocking is an executor whose calls with "block" in their input wait for
// their context to end, reporting its cause; the others answer at once.
type blocking struct {
	*executor
	started chan string // the input of each blocking call, once it runs
	causes  chan error  // the cause of each blocking call's end
}

func newBlocking() *blocking {
	b := &blocking{executor: &executor{}, started: make(chan string, 10), causes: make(chan error, 10)}
	b.fn = func(ctx context.Context, name string, input json.RawMessage) (toolrunner.ToolResult, error) {
		if !strings.Contains(string(input), "block") {
			return toolrunner.NewToolResultText(name + " " + string(input)), nil
		}
		b.started <- string(input)
		<-ctx.Done()
		b.causes <- context.Cause(ctx)
		return toolrunner.ToolResult{}, ctx.Err()
	}
	return b
}

// A user.interrupt during a long call cancels it (cause ErrVoided) and voids
// the calls queued behind it: nothing is posted for either, the queued one
// never runs. The next turn's calls run.
func TestInterruptCancelsRunningCallAndVoidsQueued(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	turns := 0
	got := make(chan managedagentstest.Answer, 1)
	interrupted := make(chan error, 1)
	f.script(func(turn *managedagentstest.Turn) {
		turns++
		if turns == 1 {
			a := turn.ToolUse("bash", map[string]any{"command": "block"})
			b := turn.ToolUse("bash", map[string]any{"command": "queued"})
			_, err := turn.AwaitResults(a, b)
			interrupted <- err
			return
		}
		if a, err := turn.CallTool("bash", map[string]any{"command": "next turn"}); err == nil {
			got <- a
		}
	})
	exec := newBlocking()
	rr := f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	recv(t, exec.started)
	f.send(t, managedagents.NewUserInterrupt())
	require.ErrorIs(t, recv(t, exec.causes), toolrunner.ErrVoided)
	require.ErrorIs(t, recv(t, interrupted), managedagentstest.ErrInterrupted)
	require.Equal(t, "end_turn", f.waitIdle(t))

	f.start(t)
	require.Contains(t, recv(t, got).Text(), "next turn")
	st := rr.stop(t)
	ids := f.toolUseIDs(t)
	require.Len(t, ids, 3)
	require.Equal(t, map[string]int{ids[2]: 1}, f.results(t), "nothing posted for the voided calls")
	require.Len(t, exec.ran(), 2, "the queued call never ran")
	require.Contains(t, string(exec.inputs[1]), "next turn")
	require.Equal(t, int64(2), st.Voided)
}

// An interrupt of one child thread cancels that thread's call only; the
// primary thread's call runs on and is answered.
func TestThreadInterruptCancelsThatThreadOnly(t *testing.T) {
	t.Parallel()
	f, helper := newThreadsFixture(t, nil)
	threadID := make(chan string, 1)
	release := make(chan struct{})
	f.script(func(turn *managedagentstest.Turn) {
		th := turn.StartThread(helper)
		threadID <- th.ID()
		a := turn.ToolUse("bash", map[string]any{"command": "primary"})
		th.ToolUse("bash", map[string]any{"command": "block"})
		_, _ = turn.AwaitResults(a)
	})
	exec := newBlocking()
	exec.fn = func(ctx context.Context, name string, input json.RawMessage) (toolrunner.ToolResult, error) {
		if strings.Contains(string(input), "primary") {
			<-release
			return toolrunner.NewToolResultText("primary done"), nil
		}
		exec.started <- string(input)
		<-ctx.Done()
		exec.causes <- context.Cause(ctx)
		return toolrunner.ToolResult{}, ctx.Err()
	}
	rr := f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	tid := recv(t, threadID)
	recv(t, exec.started)
	// The fake stops the whole turn at any interrupt; the runner voids only
	// the named thread's calls.
	f.send(t, managedagents.NewUserInterruptThread(tid))
	require.ErrorIs(t, recv(t, exec.causes), toolrunner.ErrVoided)
	close(release)
	st := rr.stop(t)
	ids := f.toolUseIDs(t)
	require.Len(t, ids, 2)
	require.Equal(t, map[string]int{ids[0]: 1}, f.results(t))
	require.Equal(t, int64(1), st.Voided)
}

// A child thread that terminates voids its running call: cancelled, nothing
// posted.
func TestTerminatedThreadVoidsItsCall(t *testing.T) {
	t.Parallel()
	f, helper := newThreadsFixture(t, nil)
	exec := newBlocking()
	f.script(func(turn *managedagentstest.Turn) {
		th := turn.StartThread(helper)
		th.ToolUse("grep", map[string]any{"pattern": "block"})
		<-exec.started
		th.Terminate()
	})
	rr := f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	require.ErrorIs(t, recv(t, exec.causes), toolrunner.ErrVoided)
	f.waitIdle(t)
	st := rr.stop(t)
	require.Empty(t, f.results(t))
	require.Equal(t, int64(1), st.Voided)
}
