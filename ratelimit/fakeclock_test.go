package ratelimit_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// fakeClock is a ratelimit.Clock that moves only when told to.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer // pending, unordered
	exited int          // goroutines that said they will not wait again
	// changed is closed and replaced whenever timers or exited change.
	changed chan struct{}
}

type fakeTimer struct {
	clock *fakeClock
	at    time.Time
	ch    chan time.Time
	sleep bool // made by fakeClock.sleep, not by the limiter
}

func newFakeClock(start time.Time) *fakeClock {
	return &fakeClock{now: start, changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) ratelimit.Timer { return c.newTimer(d, false) }

func (c *fakeClock) newTimer(d time.Duration, sleep bool) *fakeTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, at: c.now.Add(d), ch: make(chan time.Time, 1), sleep: sleep}
	if d <= 0 {
		t.ch <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	c.notify()
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.timers, t)
	if i < 0 {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	c.notify()
	return true
}

// notify wakes the awaiters; c.mu must be held.
func (c *fakeClock) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// await waits (in real time, at most 10 s) until done, called with c.mu
// held, reports true.
func (c *fakeClock) await(t testing.TB, what string, done func() bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		ok, ch := done(), c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("fake clock: timed out waiting for %s", what)
		}
	}
}

// sleep waits on the fake clock for d.
func (c *fakeClock) sleep(d time.Duration) { <-c.newTimer(d, true).C() }

// exit records that a goroutine counted by awaitBlocked has finished.
func (c *fakeClock) exit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.exited++
	c.notify()
}

// limiterTimers returns the pending timers made by the limiter.
func (c *fakeClock) limiterTimers() []*fakeTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ts []*fakeTimer
	for _, t := range c.timers {
		if !t.sleep {
			ts = append(ts, t)
		}
	}
	return ts
}

// awaitStopped waits until none of ts is pending.
func (c *fakeClock) awaitStopped(t testing.TB, ts []*fakeTimer) {
	t.Helper()
	c.await(t, "timers to stop", func() bool {
		return !slices.ContainsFunc(c.timers, func(p *fakeTimer) bool { return slices.Contains(ts, p) })
	})
}

// awaitBlocked waits until n goroutines are either waiting on a timer or
// have exited.
func (c *fakeClock) awaitBlocked(t testing.TB, n int) {
	t.Helper()
	c.await(t, "goroutines to block", func() bool {
		if k := len(c.timers) + c.exited; k > n {
			t.Errorf("fake clock: %d goroutines blocked or exited, want %d", k, n)
			return true
		}
		return len(c.timers)+c.exited == n
	})
}

// awaitTimers waits until n timers are pending and returns the earliest time.
func (c *fakeClock) awaitTimers(t testing.TB, n int) time.Time {
	t.Helper()
	c.await(t, "timers", func() bool { return len(c.timers) == n })
	_, first := c.pending()
	return first
}

// pending returns the number of pending timers and their earliest time.
func (c *fakeClock) pending() (int, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first time.Time
	for _, t := range c.timers {
		if first.IsZero() || t.at.Before(first) {
			first = t.at
		}
	}
	return len(c.timers), first
}

// advanceTo moves the clock to at (never back) and fires every timer due.
func (c *fakeClock) advanceTo(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at.After(c.now) {
		c.now = at
	}
	c.timers = slices.DeleteFunc(c.timers, func(t *fakeTimer) bool {
		if t.at.After(c.now) {
			return false
		}
		t.ch <- c.now
		return true
	})
	c.notify()
}

// advance moves the clock by d and fires every timer due.
func (c *fakeClock) advance(d time.Duration) { c.advanceTo(c.Now().Add(d)) }

// next moves the clock to the earliest pending timer and fires it (and any
// other due then). It reports false when no timer is pending.
func (c *fakeClock) next() bool {
	n, first := c.pending()
	if n == 0 {
		return false
	}
	c.advanceTo(first)
	return true
}
