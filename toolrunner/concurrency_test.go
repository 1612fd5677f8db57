package toolrunner_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// Calls of different threads run at once; calls of one thread run one after
// the other, in order. Proved with channels: A1 (primary thread) and B1
// (child thread) each wait until the other started, which a runner that runs
// one call at a time never lets happen; A2 checks, when it starts, that A1
// has finished.
func TestThreadsRunConcurrentlyCallsOfOneThreadInOrder(t *testing.T) {
	t.Parallel()
	f, helper := newThreadsFixture(t, nil)
	got := make(chan []managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		th := turn.StartThread(helper)
		a1 := turn.ToolUse("bash", map[string]any{"command": "A1"})
		a2 := turn.ToolUse("bash", map[string]any{"command": "A2"})
		b1 := th.ToolUse("bash", map[string]any{"command": "B1"})
		if answers, err := turn.AwaitResults(a1, a2, b1); err == nil {
			got <- answers
		}
	})
	aStarted, bStarted := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var order []string
	a1Done := false
	exec := &executor{fn: func(ctx context.Context, _ string, input json.RawMessage) (toolrunner.ToolResult, error) {
		var in struct{ Command string }
		_ = json.Unmarshal(input, &in)
		mu.Lock()
		order = append(order, in.Command+" start")
		mu.Unlock()
		defer func() {
			mu.Lock()
			order = append(order, in.Command+" end")
			mu.Unlock()
		}()
		switch in.Command {
		case "A1":
			close(aStarted)
			if !waitFor(ctx, bStarted) {
				return toolrunner.NewToolResultError("B1 never ran alongside A1"), nil
			}
			mu.Lock()
			a1Done = true
			mu.Unlock()
		case "A2":
			mu.Lock()
			done := a1Done
			mu.Unlock()
			if !done {
				return toolrunner.NewToolResultError("A2 started before A1 finished"), nil
			}
		case "B1":
			close(bStarted)
			if !waitFor(ctx, aStarted) {
				return toolrunner.NewToolResultError("A1 never ran alongside B1"), nil
			}
		}
		return toolrunner.NewToolResultText(in.Command + " ok"), nil
	}}
	f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	answers := recv(t, got)
	for i, want := range []string{"A1 ok", "A2 ok", "B1 ok"} {
		require.Equal(t, want, answers[i].Text())
	}
	mu.Lock()
	defer mu.Unlock()
	require.Less(t, index(order, "A1 end"), index(order, "A2 start"))
}

// waitFor waits for ch to close, for at most the test timeout.
func waitFor(ctx context.Context, ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-ctx.Done():
	case <-time.After(testTimeout / 2):
	}
	return false
}

func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
