// Package fakeclock is a clock that moves only when a test says so. It serves
// as the stream's clock (clock.Clock) and as a limiter's (ratelimit.Clock), so
// that tests of timeouts, backoffs and pauses wait for events, never for time.
package fakeclock

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents/internal/clock"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Clock is a fake clock, safe for concurrent use. Its timers fire only when
// Advance moves the time to or past them: an AfterFunc timer's function runs
// in the goroutine that called Advance, a NewTimer timer's time is sent on its
// channel.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	pending map[*Timer]struct{}
	changed chan struct{} // closed and replaced whenever pending changes
}

// New returns a fake clock that reads start.
func New(start time.Time) *Clock {
	return &Clock{now: start, pending: map[*Timer]struct{}{}, changed: make(chan struct{})}
}

var (
	_ clock.Clock     = (*Clock)(nil)
	_ ratelimit.Clock = (*Clock)(nil)
)

// Timer is a timer of a fake Clock.
type Timer struct {
	c  *Clock
	d  time.Duration // the duration it was last set to
	at time.Time
	f  func()         // an AfterFunc timer
	ch chan time.Time // a NewTimer timer
}

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc returns a timer that calls f once the clock has moved d on; a d
// of zero or less calls f at once, in the caller's goroutine.
func (c *Clock) AfterFunc(d time.Duration, f func()) clock.Timer {
	t := &Timer{c: c, f: f}
	t.Reset(d)
	return t
}

// NewTimer returns a timer that sends the time on its channel once the clock
// has moved d on (at once when d is zero or less).
func (c *Clock) NewTimer(d time.Duration) ratelimit.Timer {
	t := &Timer{c: c, ch: make(chan time.Time, 1)}
	t.Reset(d)
	return t
}

// C returns the channel of a NewTimer timer.
func (t *Timer) C() <-chan time.Time { return t.ch }

// Stop disarms t; it reports whether t was pending.
func (t *Timer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.pending[t]
	if ok {
		delete(c.pending, t)
		c.signal()
	}
	return ok
}

// Reset arms t to fire d from now; it reports whether t was pending.
func (t *Timer) Reset(d time.Duration) bool {
	c := t.c
	c.mu.Lock()
	_, was := c.pending[t]
	delete(c.pending, t)
	t.d, t.at = d, c.now.Add(d)
	if d > 0 {
		c.pending[t] = struct{}{}
	}
	c.signal()
	now := c.now
	c.mu.Unlock()
	if d <= 0 {
		t.fire(now)
	}
	return was
}

func (t *Timer) fire(now time.Time) {
	if t.f != nil {
		t.f()
		return
	}
	select {
	case t.ch <- now:
	default:
	}
}

// signal wakes the goroutines waiting in WaitPending; c.mu is held.
func (c *Clock) signal() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Advance moves the clock d on and fires, in time order, every timer that
// comes due; the time reads each timer's moment while it fires.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		var next *Timer
		for t := range c.pending {
			if !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			break
		}
		delete(c.pending, next)
		c.signal()
		c.now = latest(c.now, next.at)
		now := c.now
		c.mu.Unlock()
		next.fire(now)
		c.mu.Lock()
	}
	c.now = latest(c.now, end)
	c.mu.Unlock()
}

// Pending returns the durations the pending timers were set to, shortest
// first.
func (c *Clock) Pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pendingLocked()
}

func (c *Clock) pendingLocked() []time.Duration {
	out := make([]time.Duration, 0, len(c.pending))
	for t := range c.pending {
		out = append(out, t.d)
	}
	slices.Sort(out)
	return out
}

// WaitPending blocks until ok accepts the durations of the pending timers
// (see Pending), and returns them; it returns ctx's error if ctx ends first.
func (c *Clock) WaitPending(ctx context.Context, ok func([]time.Duration) bool) ([]time.Duration, error) {
	for {
		c.mu.Lock()
		p, changed := c.pendingLocked(), c.changed
		c.mu.Unlock()
		if ok(p) {
			return p, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return p, ctx.Err()
		}
	}
}

// AdvanceToNext waits until a timer is pending, then moves the clock to the
// earliest one's moment and fires it; it returns the step, or ctx's error.
func (c *Clock) AdvanceToNext(ctx context.Context) (time.Duration, error) {
	if _, err := c.WaitPending(ctx, func(p []time.Duration) bool { return len(p) > 0 }); err != nil {
		return 0, err
	}
	c.mu.Lock()
	var next *Timer
	for t := range c.pending {
		if next == nil || t.at.Before(next.at) {
			next = t
		}
	}
	step := max(0, next.at.Sub(c.now))
	c.mu.Unlock()
	c.Advance(step)
	return step, nil
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
