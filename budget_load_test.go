package managedagents_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// loadClock is a ratelimit.Clock shared by the limiter and the fake server. It
// moves only when every live worker waits on one of its timers: then it jumps
// to the earliest timer and fires it. Requests therefore run at frozen instants,
// and the server counts each at the time the limiter admitted it.
type loadClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*loadTimer
	live    int           // workers still running
	changed chan struct{} // closed and replaced on every change
	moved   func(time.Time)
}

type loadTimer struct {
	c  *loadClock
	at time.Time
	ch chan time.Time
}

func newLoadClock(start time.Time, workers int, moved func(time.Time)) *loadClock {
	return &loadClock{now: start, live: workers, changed: make(chan struct{}), moved: moved}
}

func (c *loadClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *loadClock) NewTimer(d time.Duration) ratelimit.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &loadTimer{c: c, at: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.ch <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	c.touch()
	return t
}

func (t *loadTimer) C() <-chan time.Time { return t.ch }

func (t *loadTimer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.timers, t)
	if i < 0 {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	c.touch()
	return true
}

// touch wakes the driver; c.mu must be held.
func (c *loadClock) touch() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// done says a worker has finished.
func (c *loadClock) done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live--
	c.touch()
}

// drive advances the clock whenever every live worker waits on a timer, until
// no worker is left or ctx ends. It returns how often it moved the clock.
func (c *loadClock) drive(ctx context.Context) int {
	moves := 0
	for {
		c.mu.Lock()
		if c.live == 0 {
			c.mu.Unlock()
			return moves
		}
		if len(c.timers) < c.live {
			ch := c.changed
			c.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return moves
			}
			continue
		}
		next := c.timers[0].at
		for _, t := range c.timers {
			if t.at.Before(next) {
				next = t.at
			}
		}
		c.now = next
		c.timers = slices.DeleteFunc(c.timers, func(t *loadTimer) bool {
			if t.at.After(next) {
				return false
			}
			t.ch <- next
			return true
		})
		c.touch()
		moved := c.moved
		c.mu.Unlock()
		moved(next)
		moves++
	}
}

// TestRateBudgetUnderLoad runs 64 goroutines that create agents and read them
// as fast as the default budgets allow, against the fake with the documented
// budgets emulated (60 creates and 600 reads per minute), on a shared fake
// clock: no answer is a 429, and the fake's own count never exceeds a budget
// in any minute. Midway the fake forces one 429 with retry-after 5 s on a read:
// every reader pauses until it has passed, while creates go on.
func TestRateBudgetUnderLoad(t *testing.T) {
	t.Parallel()
	const (
		workers     = 64
		creates     = 2  // per worker
		readsPer    = 10 // per create
		forcedAfter = 400
		forcedWait  = 5 * time.Second
	)
	start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	srv := managedagentstest.NewServer(managedagentstest.WithClock(start), managedagentstest.WithRateLimits(60, 600))
	t.Cleanup(srv.Close)
	clock := newLoadClock(start, workers, srv.SetNow)
	limiter := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clock))
	client := srv.Client(option.WithLimiter(limiter), option.WithMaxRetries(0))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		mu       sync.Mutex
		reads    int
		forced   []time.Time // when a read met the forced 429
		failures []error
	)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			defer clock.done()
			for i := range creates {
				a, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{Name: fmt.Sprintf("w%d-%d", w, i), Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Errorf("create: %w", err))
					mu.Unlock()
					return
				}
				for range readsPer {
					_, err := client.Agents.Get(ctx, a.ID, managedagents.AgentGetParams{})
					mu.Lock()
					reads++
					if reads == forcedAfter {
						srv.FailNext(managedagentstest.RouteGetAgent, 1, http.StatusTooManyRequests, http.Header{"Retry-After": {"5"}})
					}
					var apiErr *managedagents.APIError
					switch {
					case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests && len(forced) == 0:
						forced = append(forced, clock.Now())
					case err != nil:
						failures = append(failures, fmt.Errorf("read: %w", err))
					}
					mu.Unlock()
				}
			}
		})
	}
	moves := clock.drive(ctx)
	wg.Wait()
	require.NoError(t, ctx.Err(), "the load did not finish")
	require.Empty(t, failures)
	require.Len(t, forced, 1, "the forced 429 reached a reader")

	// The fake's log: no 429 but the forced one, and the gate held every reader.
	var creates429, reads429 int
	var lastCreate, lastRead time.Time
	var readsInPause, createsInPause int
	pauseFrom, pauseTo := forced[0], forced[0].Add(forcedWait)
	for _, r := range srv.Requests() {
		isRead := r.Route == managedagentstest.RouteGetAgent
		if r.Status == http.StatusTooManyRequests {
			if isRead {
				reads429++
			} else {
				creates429++
			}
			continue
		}
		require.Equal(t, 200, r.Status, "%s %s", r.Method, r.Path)
		if r.Time.After(pauseFrom) && r.Time.Before(pauseTo) {
			if isRead {
				readsInPause++
			} else {
				createsInPause++
			}
		}
		if isRead {
			lastRead = r.Time
		} else {
			lastCreate = r.Time
		}
	}
	require.Zero(t, creates429, "creates answered 429")
	require.Equal(t, 1, reads429, "reads answered 429: only the forced one")
	require.Zero(t, readsInPause, "a read went out while the gate was closed")
	require.Positive(t, createsInPause, "creates are another class and go on")

	maxCreate := srv.MaxRateCount(managedagentstest.RateCreate)
	maxRead := srv.MaxRateCount(managedagentstest.RateRead)
	require.LessOrEqual(t, maxCreate, 60)
	require.LessOrEqual(t, maxRead, 600)
	// The load pressed against both budgets, so the bound is tight.
	require.GreaterOrEqual(t, maxCreate, 55)
	require.GreaterOrEqual(t, maxRead, 550)
	t.Logf("%d workers: %d creates and %d reads in %s of fake time (%d clock moves); busiest minute: %d creates, %d reads; forced 429 at +%s paused reads for %s",
		workers, workers*creates, reads, latest(lastCreate, lastRead).Sub(start), moves, maxCreate, maxRead, pauseFrom.Sub(start), forcedWait)
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
