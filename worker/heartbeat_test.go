package worker_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/clock/fakeclock"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
	"github.com/go-managedagents/managedagents/worker"
)

// A tool that runs for 60 s (on a fake clock shared by the worker and the
// fake server, whose leases last 30 s): the worker beats every 15 s all
// along, each beat echoing the last, the lease holds, and the call's
// result is posted.
func TestHeartbeatsContinueThroughALongTool(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	clock := fakeclock.New(start)
	f := newFixture(t, managedagentstest.WithClock(start))
	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, oneCall("bash", map[string]any{"command": "echo after a minute"}, answers), nil, nil)
	f.start(t, sid)
	gate := newToolGate()
	w := f.run(t, worker.Options{Clock: clock, ToolMiddleware: []toolrunner.Middleware{gate.middleware}})
	recv(t, gate.started)
	work := f.workOf(t, sid)

	answered := func() int {
		n := 0
		for _, r := range f.workRequests(managedagentstest.RouteHeartbeatWork, work) {
			require.Equal(t, http.StatusOK, r.Status, "a heartbeat refused")
			n++
		}
		return n
	}
	eventually(t, func() bool { return answered() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for i := 1; i <= 4; i++ { // 60 s
		_, err := clock.WaitPending(ctx, func(p []time.Duration) bool { return len(p) > 0 && p[0] == 15*time.Second })
		require.NoError(t, err, "the next heartbeat waits half the TTL")
		f.srv.AdvanceClock(15 * time.Second)
		clock.Advance(15 * time.Second)
		eventually(t, func() bool { return answered() == 1+i })
	}
	gate.open()
	require.Equal(t, "after a minute\n\n", recv(t, answers).Text())
	eventually(t, func() bool { return len(f.workRequests(managedagentstest.RouteStopWork, work)) == 1 })
	stop(t, w)

	beats := f.workRequests(managedagentstest.RouteHeartbeatWork, work)
	require.Equal(t, "NO_HEARTBEAT", beats[0].Query.Get("expected_last_heartbeat"))
	for i := 1; i < len(beats); i++ {
		prev := beats[i-1].Time.Format("2006-01-02T15:04:05.000Z07:00")
		require.Equal(t, prev, beats[i].Query.Get("expected_last_heartbeat"), "beat %d echoes the one before", i)
	}
	require.Zero(t, w.Stats().LeasesLost)
	require.Equal(t, http.StatusNoContent, f.workRequests(managedagentstest.RouteStopWork, work)[0].Status)
}
