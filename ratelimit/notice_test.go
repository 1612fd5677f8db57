package ratelimit_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// waitLog records the waits told to a WithWaitNotice function.
type waitLog struct {
	mu    sync.Mutex
	waits []string
	told  chan struct{} // a token per notice, if not nil
}

func (w *waitLog) notice(name string) func(ratelimit.Class, time.Duration) {
	return func(c ratelimit.Class, d time.Duration) {
		w.mu.Lock()
		w.waits = append(w.waits, name+" "+string(c)+" "+d.String())
		w.mu.Unlock()
		if w.told != nil {
			w.told <- struct{}{}
		}
	}
}

// await waits for the next notice.
func (w *waitLog) await(t *testing.T) {
	t.Helper()
	select {
	case <-w.told:
	case <-time.After(10 * time.Second):
		t.Fatal("no notice")
	}
}

func (w *waitLog) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.waits)
}

// TestAcquireTellsEachWaitBeforeIt: an Acquire that must wait tells the
// function of WithWaitNotice how long, before the wait (while it still
// blocks); one that gets its slot at once tells nothing; a waiter sent back
// behind a 429 gate is told its new wait.
func TestAcquireTellsEachWaitBeforeIt(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(epoch)
	l := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clock))
	log := waitLog{told: make(chan struct{}, 2)}
	ctx := ratelimit.WithWaitNotice(context.Background(), log.notice("n"))
	drain(t, l, ratelimit.Create, 6) // the burst, told nothing
	if got := log.get(); len(got) != 0 {
		t.Fatalf("slots taken at once were told as waits: %v", got)
	}
	done := acquireAsync(ctx, l, ratelimit.Create)
	log.await(t)
	select {
	case err := <-done:
		t.Fatalf("Acquire returned before its wait: %v", err)
	default:
	}
	l.Pause(context.Background(), ratelimit.Create, 5*time.Second) // back behind the gate
	log.await(t)
	for clock.next() {
	}
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
	want := []string{"n create " + createSlot.String(), "n create 5s"}
	if got := log.get(); !slices.Equal(got, want) {
		t.Errorf("told %v, want %v", got, want)
	}
}

// TestAcquireTellsAWaitBeforeItsTimerStarts: the notice comes before the
// wait's timer exists, so that a caller bounding its call by the waits it is
// told (a stream's backfill page) has moved its bound before any clock can
// run the wait out.
func TestAcquireTellsAWaitBeforeItsTimerStarts(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(epoch)
	l := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clock))
	drain(t, l, ratelimit.Create, 6)
	timers := make(chan int, 1)
	ctx := ratelimit.WithWaitNotice(context.Background(), func(ratelimit.Class, time.Duration) {
		timers <- len(clock.limiterTimers())
	})
	done := acquireAsync(ctx, l, ratelimit.Create)
	if n := <-timers; n != 0 {
		t.Errorf("told the wait with %d limiter timers already started, want 0", n)
	}
	for clock.next() {
	}
	if err := receive(t, done); err != nil {
		t.Fatal(err)
	}
}

// TestWaitNoticesChain: a context given a second notice function calls both,
// the first one set first; NotifyWait tells nothing of a wait that is not
// positive, and nothing without a function.
func TestWaitNoticesChain(t *testing.T) {
	t.Parallel()
	var log waitLog
	ctx := ratelimit.WithWaitNotice(context.Background(), log.notice("outer"))
	ctx = ratelimit.WithWaitNotice(ctx, log.notice("inner"))
	ratelimit.NotifyWait(ctx, ratelimit.Read, 0)
	ratelimit.NotifyWait(ctx, ratelimit.Read, -time.Second)
	ratelimit.NotifyWait(ctx, ratelimit.Read, time.Second)
	ratelimit.NotifyWait(context.Background(), ratelimit.Read, time.Second)
	want := []string{"outer read 1s", "inner read 1s"}
	if got := log.get(); !slices.Equal(got, want) {
		t.Errorf("told %v, want %v", got, want)
	}
}
