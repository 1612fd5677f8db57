package worker_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
	"github.com/go-managedagents/managedagents/worker"
)

// A worker serving items whose sessions terminate keeps no record of their
// calls once they ended: its store stays bounded however long it runs.
func TestTerminatedSessionsLeaveNoRecordInTheStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 3
	answers := make(chan managedagentstest.Answer, n)
	var sessions []string
	for range n {
		sid := f.session(t, func(turn *managedagentstest.Turn) {
			a, err := turn.CallTool("bash", map[string]any{"command": "echo hi"})
			if err != nil {
				return
			}
			answers <- a
			turn.Terminate()
		}, nil, nil)
		sessions = append(sessions, sid)
		f.start(t, sid)
	}
	store := toolrunner.NewMemoryStore()
	w := f.run(t, worker.Options{Store: store, MaxIdle: -1})
	for range n {
		require.Equal(t, "hi\n\n", recv(t, answers).Text())
	}
	eventually(t, func() bool { return w.Stats().ItemsServed == n })
	require.Zero(t, store.Len())
	stop(t, w)
	for _, sid := range sessions {
		require.Len(t, f.results(t, sid), 1)
	}
}

// An item of a session already terminated runs nothing, and forgets what
// the worker recorded of it.
func TestItemOfATerminatedSessionForgetsItsRecords(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sid := f.session(t, func(turn *managedagentstest.Turn) { turn.Terminate() }, nil, nil)
	store := toolrunner.NewMemoryStore()
	_, claimed, err := store.Claim(t.Context(), toolrunner.CallKey{SessionID: sid, ToolUseID: "sevt_earlier"}, toolrunner.CallRecord{State: toolrunner.CallAnswered})
	require.NoError(t, err)
	require.True(t, claimed)
	f.start(t, sid)
	f.waitIdle(t, sid)
	w := f.run(t, worker.Options{Store: store})
	eventually(t, func() bool { return w.Stats().ItemsServed == 1 })
	require.Zero(t, store.Len())
	stop(t, w)
}
