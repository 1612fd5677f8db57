package managedagents

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// manualClock is a ratelimit.Clock that moves only when the test says.
type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*manualTimer
	made    []time.Duration // the duration of every timer made
	changed chan struct{}   // closed and replaced when a timer is made
}

type manualTimer struct {
	c  *manualClock
	at time.Time
	ch chan time.Time
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), changed: make(chan struct{})}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) NewTimer(d time.Duration) ratelimit.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{c: c, at: c.now.Add(d), ch: make(chan time.Time, 1)}
	c.made = append(c.made, d)
	if d <= 0 {
		t.ch <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	close(c.changed)
	c.changed = make(chan struct{})
	return t
}

func (t *manualTimer) C() <-chan time.Time { return t.ch }

func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	i := slices.Index(t.c.timers, t)
	if i >= 0 {
		t.c.timers = slices.Delete(t.c.timers, i, i+1)
	}
	return i >= 0
}

// durations returns the durations of the timers made so far.
func (c *manualClock) durations() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.made)
}

// runUntil calls next in a goroutine and, until it returns, moves the clock
// to the earliest pending timer whenever one is waiting; it returns next's
// results.
func runUntil[T any](t *testing.T, c *manualClock, next func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := next()
		done <- result{v, err}
	}()
	timeout := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		changed := c.changed
		if len(c.timers) > 0 {
			slices.SortFunc(c.timers, func(a, b *manualTimer) int { return a.at.Compare(b.at) })
			first := c.timers[0]
			c.timers = c.timers[1:]
			c.now = first.at
			first.ch <- first.at
		}
		c.mu.Unlock()
		select {
		case r := <-done:
			return r.v, r.err
		case <-changed:
		case <-time.After(time.Millisecond):
		case <-timeout:
			t.Fatal("Next did not return")
		}
	}
}

// Polls never exceed the budget in any window, however long the queue stays
// empty, and the item is returned when one comes.
func TestWorkPollerPacing(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	var mu sync.Mutex
	var polls []time.Time
	c, reqs := workClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		polls = append(polls, clock.Now())
		n := len(polls)
		mu.Unlock()
		if n < 12 {
			replyJSON(200, "null")(w, r)
			return
		}
		replyJSON(200, string(fixture(t, "work/work_item.json")))(w, r)
	})
	budget := ratelimit.Budget{Limit: 4, Window: time.Minute, Burst: 2}
	p, err := NewWorkPoller(c, "env_1", WorkPollerOptions{WorkerID: "w-1", Budget: budget, Clock: clock})
	require.NoError(t, err)
	item, err := runUntil(t, clock, func() (*WorkItem, error) { return p.Next(context.Background()) })
	require.NoError(t, err)
	require.Equal(t, "work_011CnS2qJ8wYpZkD4vHfTb7M", item.ID)
	require.Len(t, polls, 12)
	for i, at := range polls {
		in := 0
		for _, other := range polls[i:] {
			if other.Sub(at) < budget.Window {
				in++
			}
		}
		require.LessOrEqual(t, in, budget.Limit, "polls in the minute from poll %d", i)
	}
	require.Equal(t, polls[0], polls[1], "the burst goes back to back")
	require.Equal(t, 30*time.Second, polls[2].Sub(polls[1]), "then one per (Limit-Burst)/Window")
	for _, r := range *reqs {
		require.Equal(t, "block_ms=999", r.RawQuery, "blocks 999 ms by default")
		require.Equal(t, "w-1", r.Header.Get("Anthropic-Worker-ID"))
		require.Equal(t, "bearer "+testEnvironmentKey, sentCredential(t, r.Header))
	}
}

// Failed polls back off, 1 s doubling with jitter (or the server's
// retry-after), up to the cap; a success resets the backoff; a failure a
// retry cannot fix is returned at once.
func TestWorkPollerBackoff(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	var n atomic.Int32
	c, _ := workClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 2:
			w.Header().Set("Retry-After", "9")
			replyJSON(429, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`)(w, r)
		case 1, 3, 4, 5, 6, 7, 9:
			replyJSON(503, `{"type":"error","error":{"type":"api_error","message":"down"}}`)(w, r)
		case 8, 10:
			replyJSON(200, string(fixture(t, "work/work_item.json")))(w, r)
		default:
			replyJSON(401, `{"type":"error","error":{"type":"authentication_error","message":"invalid key"}}`)(w, r)
		}
	})
	big := ratelimit.Budget{Limit: 1000, Window: time.Minute, Burst: 999}
	p, err := NewWorkPoller(c, "env_1", WorkPollerOptions{Budget: big, MaxBackoff: 20 * time.Second, Clock: clock})
	require.NoError(t, err)
	_, err = runUntil(t, clock, func() (*WorkItem, error) { return p.Next(context.Background()) })
	require.NoError(t, err)
	waits := clock.durations()
	require.Len(t, waits, 7)
	require.Equal(t, 9*time.Second, waits[1], "the server's retry-after when longer")
	for i, base := range []time.Duration{time.Second, 0, 4 * time.Second, 8 * time.Second, 16 * time.Second, 20 * time.Second, 20 * time.Second} {
		if base == 0 {
			continue
		}
		require.GreaterOrEqual(t, waits[i], base/2, "wait %d", i)
		require.LessOrEqual(t, waits[i], base, "wait %d", i)
	}

	_, err = runUntil(t, clock, func() (*WorkItem, error) { return p.Next(context.Background()) })
	require.NoError(t, err)
	waits = clock.durations()
	require.Len(t, waits, 8)
	require.LessOrEqual(t, waits[7], time.Second, "a success resets the backoff")

	_, err = runUntil(t, clock, func() (*WorkItem, error) { return p.Next(context.Background()) })
	require.ErrorIs(t, err, ErrUnauthorized, "a 401 is final")
	require.Len(t, clock.durations(), 8, "and is not waited for")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = p.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

// A poller made from a client without the environment key fails at once;
// the options are checked; the defaults are the documented ones.
func TestWorkPollerOptions(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, "null"))
	p, err := NewWorkPoller(c, "env_1", WorkPollerOptions{})
	require.NoError(t, err)
	require.Regexp(t, `-[0-9a-f]{16}$`, p.WorkerID())
	_, err = p.Next(context.Background())
	require.ErrorIs(t, err, ErrMissingCredentials)
	require.Empty(t, *reqs)

	for field, opts := range map[string]WorkPollerOptions{
		"block_ms":              {BlockMs: 1000},
		"reclaim_older_than_ms": {ReclaimOlderThanMs: -1},
		"budget":                {Budget: ratelimit.Budget{Limit: 1, Window: time.Minute}},
		"max_backoff":           {MaxBackoff: -time.Second},
		"worker_id":             {WorkerID: "a\nb"},
	} {
		_, err := NewWorkPoller(c, "env_1", opts)
		requireInvalid(t, err, field)
	}
	_, err = NewWorkPoller(c, "", WorkPollerOptions{})
	requireInvalid(t, err, "environment_id")
	_, err = NewWorkPoller(nil, "env_1", WorkPollerOptions{})
	requireInvalid(t, err, "client")

	// A negative BlockMs polls without blocking; the deadline of the context
	// bounds the wait for a slot.
	c, reqs = workClient(t, replyJSON(200, "null"))
	p, err = NewWorkPoller(c, "env_1", WorkPollerOptions{BlockMs: -1, ReclaimOlderThanMs: 2000, Budget: ratelimit.Budget{Limit: 2, Window: time.Hour, Burst: 1}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = p.Next(ctx)
	require.ErrorIs(t, err, ErrRateLimited, "the next slot is an hour away")
	require.Len(t, *reqs, 1)
	require.Equal(t, "reclaim_older_than_ms=2000", (*reqs)[0].RawQuery)
}
