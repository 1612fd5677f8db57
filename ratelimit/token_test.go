package ratelimit_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

var _ ratelimit.Limiter = (*ratelimit.TokenLimiter)(nil)

// createSlot is the refill time of one default create token.
const createSlot = time.Minute / 54

// future is a fake start time later than any real clock during the test, so
// that contexts with deadlines on the fake time line do not expire for real.
func future() time.Time { return time.Now().Add(24 * time.Hour).Truncate(time.Second) }

func awaitTimers(t *testing.T, c *fakeClock, n int) time.Time {
	t.Helper()
	return c.awaitTimers(t, n)
}

// acquireAsync runs Acquire in a goroutine and returns its result channel.
func acquireAsync(ctx context.Context, l ratelimit.Limiter, c ratelimit.Class) <-chan error {
	done := make(chan error, 1)
	go func() { done <- l.Acquire(ctx, c) }()
	return done
}

func receive(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Acquire did not return")
		return nil
	}
}

// drain takes n slots of class c that must be free at once.
func drain(t *testing.T, l ratelimit.Limiter, c ratelimit.Class, n int) {
	t.Helper()
	for i := range n {
		select {
		case err := <-acquireAsync(context.Background(), l, c):
			if err != nil {
				t.Fatalf("slot %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("slot %d was not free", i)
		}
	}
}

func TestPauseGatesTheClass(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(epoch)
	l := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clock))
	ctx := context.Background()
	drain(t, l, ratelimit.Create, 6)

	var mu sync.Mutex
	var admitted []time.Duration
	var wg sync.WaitGroup
	start := func(n int) {
		for range n {
			wg.Go(func() {
				defer clock.exit()
				if err := l.Acquire(ctx, ratelimit.Create); err != nil {
					t.Error(err)
				}
				mu.Lock()
				admitted = append(admitted, clock.Now().Sub(epoch))
				mu.Unlock()
			})
		}
	}
	start(5) // waiting for tokens when the 429 comes
	clock.awaitBlocked(t, 5)
	stale := clock.limiterTimers()
	l.Pause(ctx, ratelimit.Create, 10*time.Second)
	clock.awaitStopped(t, stale)
	start(3) // arriving during the pause
	clock.awaitBlocked(t, 8)
	if first := awaitTimers(t, clock, 8); first.Before(epoch.Add(10 * time.Second)) {
		t.Errorf("a create waits only until %s, before the gate", first.Sub(epoch))
	}

	// The other class goes on.
	drain(t, l, ratelimit.Read, 60)

	// A shorter pause does not shorten the gate.
	l.Pause(ctx, ratelimit.Create, time.Second)
	for clock.next() {
		clock.awaitBlocked(t, 8)
	}
	wg.Wait()

	// After 10 s the bucket has refilled to its burst of 6; the pause gave
	// back the tokens of the 5 callers that were waiting, so none is lost.
	slices.Sort(admitted)
	g := 10 * time.Second
	want := []time.Duration{g, g, g, g, g, g, g + createSlot, g + 2*createSlot}
	if !closeAll(admitted, want) {
		t.Errorf("admitted at %v, want %v", admitted, want)
	}
}

func closeAll(got, want []time.Duration) bool {
	return slices.EqualFunc(got, want, func(a, b time.Duration) bool { return (a - b).Abs() < time.Microsecond })
}

func TestPauseWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		class ratelimit.Class
		want  time.Duration
	}{
		{ratelimit.Create, createSlot}, // one token's refill, longer than 1 s
		{ratelimit.Read, time.Second},  // a token refills in 111 ms: 1 s
	} {
		t.Run(string(tc.class), func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock(epoch)
			l := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clock))
			l.Pause(context.Background(), tc.class, 0)
			done := acquireAsync(context.Background(), l, tc.class)
			if at := awaitTimers(t, clock, 1); at.Sub(epoch) != tc.want {
				t.Errorf("gate opens after %s, want %s", at.Sub(epoch), tc.want)
			}
			clock.next()
			if err := receive(t, done); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// slowBudgets refill one token per hour after a burst of 1.
var slowBudgets = ratelimit.Budgets{
	Create: ratelimit.Budget{Limit: 2, Window: time.Hour, Burst: 1},
	Read:   ratelimit.Budget{Limit: 2, Window: time.Hour, Burst: 1},
}

func TestAcquireFailsFast(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		pause    time.Duration // before the call, on a full bucket
		drained  bool          // the burst is spent
		deadline time.Duration
		wait     time.Duration // the WaitError's Wait; 0: no error
	}{
		{name: "bucket", drained: true, deadline: 30 * time.Minute, wait: time.Hour},
		{name: "bucket at the deadline", drained: true, deadline: time.Hour, wait: time.Hour},
		{name: "bucket before the deadline", drained: true, deadline: time.Hour + time.Second},
		{name: "gate", pause: 2 * time.Hour, deadline: time.Hour, wait: 2 * time.Hour},
		{name: "bucket behind the gate", pause: 30 * time.Minute, drained: true, deadline: 50 * time.Minute, wait: time.Hour},
		{name: "gate past a refilled bucket", pause: 90 * time.Minute, drained: true, deadline: 80 * time.Minute, wait: 90 * time.Minute},
		{name: "gate before the deadline", pause: 90 * time.Minute, deadline: 100 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := future()
			clock := newFakeClock(start)
			l := ratelimit.New(slowBudgets, ratelimit.WithClock(clock))
			if tc.drained {
				drain(t, l, ratelimit.Read, 1)
			}
			if tc.pause > 0 {
				l.Pause(context.Background(), ratelimit.Read, tc.pause)
			}
			ctx, cancel := context.WithDeadline(context.Background(), start.Add(tc.deadline))
			defer cancel()
			done := acquireAsync(ctx, l, ratelimit.Read)
			if tc.wait == 0 {
				clock.awaitBlocked(t, 1)
				clock.next()
				if err := receive(t, done); err != nil {
					t.Fatalf("Acquire: %v, want a slot before the deadline", err)
				}
				return
			}
			err := receive(t, done) // at once: the fake clock does not move
			var we *ratelimit.WaitError
			if !errors.As(err, &we) || !errors.Is(err, ratelimit.ErrLimited) {
				t.Fatalf("Acquire: %v, want a *WaitError matching ErrLimited", err)
			}
			if *we != (ratelimit.WaitError{Class: ratelimit.Read, Wait: tc.wait}) {
				t.Errorf("got %+v, want Wait %s", *we, tc.wait)
			}
			if n, _ := clock.pending(); n != 0 || !clock.Now().Equal(start) {
				t.Errorf("%d timers pending, clock at %s", n, clock.Now().Sub(start))
			}
			// The slot was not consumed: the next caller gets it at the same time.
			done = acquireAsync(context.Background(), l, ratelimit.Read)
			if at := awaitTimers(t, clock, 1); at.Sub(start) != tc.wait {
				t.Errorf("next caller waits until %s, want %s", at.Sub(start), tc.wait)
			}
			clock.next()
			if err := receive(t, done); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAcquireCancelled(t *testing.T) {
	t.Parallel()
	t.Run("while waiting", func(t *testing.T) {
		t.Parallel()
		clock := newFakeClock(epoch)
		l := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clock))
		drain(t, l, ratelimit.Create, 6)
		ctx, cancel := context.WithCancel(context.Background())
		done := acquireAsync(ctx, l, ratelimit.Create)
		awaitTimers(t, clock, 1)
		cancel()
		if err := receive(t, done); !errors.Is(err, context.Canceled) {
			t.Fatalf("Acquire: %v, want context.Canceled", err)
		}
		if n, _ := clock.pending(); n != 0 {
			t.Errorf("%d timers left pending", n)
		}
		// The slot came back: the next caller waits one slot, not two.
		done = acquireAsync(context.Background(), l, ratelimit.Create)
		if at := awaitTimers(t, clock, 1); at.Sub(epoch) != createSlot {
			t.Errorf("next caller waits %s, want %s", at.Sub(epoch), createSlot)
		}
		clock.next()
		if err := receive(t, done); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("before the call", func(t *testing.T) {
		t.Parallel()
		clock := newFakeClock(epoch)
		l := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clock))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for range 10 {
			if err := l.Acquire(ctx, ratelimit.Create); !errors.Is(err, context.Canceled) {
				t.Fatalf("Acquire: %v, want context.Canceled", err)
			}
		}
		drain(t, l, ratelimit.Create, 6) // the whole burst is still there
	})
	t.Run("during a pause", func(t *testing.T) {
		t.Parallel()
		clock := newFakeClock(epoch)
		l := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clock))
		l.Pause(context.Background(), ratelimit.Read, time.Minute)
		ctx, cancel := context.WithCancel(context.Background())
		done := acquireAsync(ctx, l, ratelimit.Read)
		awaitTimers(t, clock, 1)
		cancel()
		if err := receive(t, done); !errors.Is(err, context.Canceled) {
			t.Fatalf("Acquire: %v, want context.Canceled", err)
		}
		clock.advance(time.Minute)
		drain(t, l, ratelimit.Read, 60)
	})
}

func TestUnknownClassCountsAsRead(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(epoch)
	l := ratelimit.New(slowBudgets, ratelimit.WithClock(clock))
	drain(t, l, "delete", 1)
	done := acquireAsync(context.Background(), l, ratelimit.Read)
	if at := awaitTimers(t, clock, 1); at.Sub(epoch) != time.Hour {
		t.Errorf("read waits %s after an unknown class took the slot, want 1h", at.Sub(epoch))
	}
	clock.next()
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
}

func TestSystemClock(t *testing.T) {
	t.Parallel()
	// Budget{2, 40ms, 1}: one token every 20 ms after the first.
	b := ratelimit.Budget{Limit: 2, Window: 40 * time.Millisecond, Burst: 1}
	l := ratelimit.New(ratelimit.Budgets{Create: b, Read: b})
	ctx := context.Background()
	begin := time.Now()
	for range 3 {
		if err := l.Acquire(ctx, ratelimit.Create); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(begin); d < 40*time.Millisecond {
		t.Errorf("3 slots took %s, want at least 40ms", d)
	}
}

func TestPauseFailsWaiterPastItsDeadline(t *testing.T) {
	t.Parallel()
	start := future()
	clock := newFakeClock(start)
	l := ratelimit.New(slowBudgets, ratelimit.WithClock(clock))
	drain(t, l, ratelimit.Create, 1)
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(90*time.Minute))
	defer cancel()
	done := acquireAsync(ctx, l, ratelimit.Create) // waits for the token at 1h
	awaitTimers(t, clock, 1)
	clock.advance(10 * time.Minute)
	l.Pause(context.Background(), ratelimit.Create, 2*time.Hour)
	err := receive(t, done)
	var we *ratelimit.WaitError
	if !errors.As(err, &we) {
		t.Fatalf("Acquire: %v, want a *WaitError", err)
	}
	if want := 130 * time.Minute; we.Wait != want { // from the call to the gate
		t.Errorf("Wait = %s, want %s", we.Wait, want)
	}
}
