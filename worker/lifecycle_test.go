package worker_test

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
	"github.com/go-managedagents/managedagents/toolrunner"
	"github.com/go-managedagents/managedagents/worker"
)

// outcomes is an item middleware that records how each item ended.
type outcomes struct {
	mu   sync.Mutex
	errs map[string]error
}

func (o *outcomes) middleware(ctx context.Context, item *managedagents.WorkItem, next func(context.Context) error) error {
	err := next(ctx)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.errs == nil {
		o.errs = map[string]error{}
	}
	o.errs[item.ID] = err
	return err
}

func (o *outcomes) of(id string) (error, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	err, ok := o.errs[id]
	return err, ok
}

// Stop lets a running tool call finish and post its result, then stops the
// item (force) and returns: the item was interrupted, not failed.
func TestStopDrainsRunningToolCalls(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, oneCall("bash", map[string]any{"command": "echo finished"}, answers), nil, nil)
	f.start(t, sid)
	gate := newToolGate()
	var out outcomes
	w := f.run(t, worker.Options{ToolMiddleware: []toolrunner.Middleware{gate.middleware}, MaxIdle: -1,
		ItemMiddleware: []worker.ItemMiddleware{out.middleware}})
	recv(t, gate.started)
	work := f.workOf(t, sid)
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		stopped <- w.Stop(ctx)
	}()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned %v while a call ran", err)
	case <-time.After(20 * time.Millisecond):
	}
	gate.open()
	require.NoError(t, recv(t, stopped))
	require.Equal(t, "finished\n\n", recv(t, answers).Text())
	require.Len(t, f.results(t, sid), 1)
	require.Len(t, f.workRequests(managedagentstest.RouteStopWork, work), 1)
	err, ok := out.of(work)
	require.True(t, ok)
	require.ErrorIs(t, err, worker.ErrInterrupted)
	require.ErrorIs(t, err, context.Canceled, "an interruption, not a failure")
	s := w.Stats()
	require.Equal(t, int64(1), s.ItemsInterrupted)
	require.Zero(t, s.ItemsFailed)
	select {
	case <-w.Stopped():
	default:
		t.Fatal("Stopped not closed after Stop returned")
	}
	require.NoError(t, w.Stop(context.Background()), "Stop again")
	require.NoError(t, w.StopAndCancel(context.Background()), "and StopAndCancel after it")
}

// StopAndCancel kills a running tool's processes at once, posts nothing for
// it, and stops the item.
func TestStopAndCancelKillsRunningTools(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, oneCall("bash", map[string]any{"command": "sleep 300 & echo $! > sleep.pid; wait"}, answers), nil, nil)
	f.start(t, sid)
	root := t.TempDir()
	var out outcomes
	w := f.run(t, worker.Options{Workdir: root, ItemMiddleware: []worker.ItemMiddleware{out.middleware}})
	work := f.workOf(t, sid)
	pid := pidIn(t, filepath.Join(root, work), "sleep.pid")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	require.NoError(t, w.StopAndCancel(ctx))
	require.True(t, gone(pid), "killed before StopAndCancel returned")
	require.Empty(t, f.results(t, sid))
	require.Len(t, f.workRequests(managedagentstest.RouteStopWork, work), 1)
	err, _ := out.of(work)
	require.ErrorIs(t, err, worker.ErrInterrupted)
}

// The end of Start's context drains the worker for DrainTimeout: a call
// still running then is cancelled (nothing posted), and the item stopped.
func TestStartContextDrainsForDrainTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, oneCall("bash", map[string]any{"command": "echo never"}, answers), nil, nil)
	f.start(t, sid)
	gate := newToolGate()
	w, err := worker.New(f.client, f.envID, f.options(t, worker.Options{DrainTimeout: 50 * time.Millisecond,
		ToolMiddleware: []toolrunner.Middleware{gate.middleware}}))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, w.Start(ctx))
	require.ErrorIs(t, w.Start(ctx), worker.ErrAlreadyStarted)
	recv(t, gate.started)
	work := f.workOf(t, sid)
	begun := time.Now()
	cancel()
	recv(t, w.Stopped())
	require.GreaterOrEqual(t, time.Since(begun), 50*time.Millisecond, "the call had its grace period")
	require.Error(t, recv(t, gate.cancelled))
	require.Empty(t, f.results(t, sid))
	require.Len(t, f.workRequests(managedagentstest.RouteStopWork, work), 1)
	require.NoError(t, w.Err())
}

// A worker never started: Stop and StopAndCancel return at once.
func TestStopBeforeStart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w, err := worker.New(f.client, f.envID, f.options(t, worker.Options{}))
	require.NoError(t, err)
	require.NoError(t, w.Stop(context.Background()))
	require.NoError(t, w.StopAndCancel(context.Background()))
}

// A poll refused for good (a revoked environment key) stops the worker on
// its own, after its items; Err says why.
func TestPollRefusedForGoodStopsTheWorker(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	client := f.client.WithOptions(option.WithEnvironmentKey("sk-ant-env-revoked"))
	w, err := worker.New(client, f.envID, f.options(t, worker.Options{}))
	require.NoError(t, err)
	require.NoError(t, w.Start(context.Background()))
	recv(t, w.Stopped())
	var apiErr *managedagents.APIError
	require.ErrorAs(t, w.Err(), &apiErr)
	require.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	require.NotContains(t, w.Err().Error(), "sk-ant-env-revoked")
}

// Items are served at once, up to MaxConcurrentItems: with a cap of 2 and
// three sessions whose calls block, two calls run at once and the third
// session's item is not even polled until one ends.
func TestMaxConcurrentItems(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	answers := make(chan managedagentstest.Answer, 3)
	for range 3 {
		f.start(t, f.session(t, oneCall("bash", map[string]any{"command": "echo ok"}, answers), nil, nil))
	}
	gate := newToolGate()
	w := f.run(t, worker.Options{MaxConcurrentItems: 2, ToolMiddleware: []toolrunner.Middleware{gate.middleware}})
	recv(t, gate.started)
	recv(t, gate.started)
	select {
	case <-gate.started:
		t.Fatal("a third item ran with a cap of 2")
	case <-time.After(100 * time.Millisecond):
	}
	require.Equal(t, int64(2), w.Stats().ItemsActive)
	require.Equal(t, int64(2), w.Stats().ItemsClaimed)
	gate.open()
	for range 3 {
		require.Equal(t, "ok\n\n", recv(t, answers).Text())
	}
	eventually(t, func() bool { return w.Stats().Stops == 3 })
	stop(t, w)
	require.Equal(t, int64(3), w.Stats().ItemsServed)
}

// A 429 answered to a poll, with a long retry-after, pauses the polls only:
// the heartbeats of the item being served go on, and its lease holds.
func TestPollRateLimitNeverStarvesTheLease(t *testing.T) {
	t.Parallel()
	f := newFixture(t, managedagentstest.WithWorkLeaseTTL(time.Second))
	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, oneCall("bash", map[string]any{"command": "echo held"}, answers), nil, nil)
	f.start(t, sid)
	gate := newToolGate()
	// The client has a limiter, as a real one does: a 429 pauses its class.
	f.client = f.client.WithOptions(option.WithRateLimits(ratelimit.DefaultBudgets))
	w := f.run(t, worker.Options{ToolMiddleware: []toolrunner.Middleware{gate.middleware}})
	recv(t, gate.started)
	work := f.workOf(t, sid)
	f.srv.FailNext(managedagentstest.RoutePollWork, 3, http.StatusTooManyRequests, http.Header{"Retry-After": {"30"}})
	eventually(t, func() bool {
		n := 0
		for _, r := range f.requests(managedagentstest.RoutePollWork) {
			if r.Status == http.StatusTooManyRequests {
				n++
			}
		}
		return n >= 1
	})
	beats := len(f.workRequests(managedagentstest.RouteHeartbeatWork, work))
	eventually(t, func() bool { return len(f.workRequests(managedagentstest.RouteHeartbeatWork, work)) >= beats+4 })
	gate.open()
	require.Equal(t, "held\n\n", recv(t, answers).Text())
	require.Zero(t, w.Stats().LeasesLost)
	stop(t, w)
}
