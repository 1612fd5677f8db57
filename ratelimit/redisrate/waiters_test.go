package redisrate

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// commandCounter is a go-redis hook that counts the commands sent.
type commandCounter struct{ n atomic.Int64 }

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// waitLine starts callers of a Limiter's Acquire one after the other, each
// once the one before is in line (told its wait), and records the waits each
// was told, the order in which they went and when.
type waitLine struct {
	t        *testing.T
	l        *Limiter
	mu       sync.Mutex
	wg       sync.WaitGroup
	order    []int
	told     [][]time.Duration
	admitted []time.Time
}

func newWaitLine(t *testing.T, l *Limiter, n int) *waitLine {
	return &waitLine{t: t, l: l, told: make([][]time.Duration, n), admitted: make([]time.Time, n)}
}

// join starts caller i and returns once it has been told its first wait.
func (w *waitLine) join(i int) {
	w.t.Helper()
	queued := make(chan struct{})
	ctx := ratelimit.WithWaitNotice(context.Background(), func(_ ratelimit.Class, wait time.Duration) {
		w.mu.Lock()
		w.told[i] = append(w.told[i], wait)
		first := len(w.told[i]) == 1
		w.mu.Unlock()
		if first {
			close(queued)
		}
	})
	w.wg.Go(func() {
		if err := w.l.Acquire(ctx, ratelimit.Read); err != nil {
			w.t.Error(err)
		}
		w.mu.Lock()
		w.order = append(w.order, i)
		w.admitted[i] = time.Now()
		w.mu.Unlock()
	})
	select {
	case <-queued:
	case <-time.After(10 * time.Second):
		w.t.Fatalf("caller %d was never told its wait", i)
	}
}

// TestWaitersReserveTheirTurn: callers that wait for the shared budget each
// take their slot in one round trip and are told its wait once, then sleep
// until it: they go in the order they came, and Redis sees a few commands per
// caller, not one per caller at every slot (a thousand streams reconnecting
// in one process would otherwise poll Redis a thousand times per slot, and
// tell their users a wait at every poll).
func TestWaitersReserveTheirTurn(t *testing.T) {
	t.Parallel()
	const waiters = 20
	budget := ratelimit.Budget{Limit: 20, Window: time.Second} // burst 2, then one each 55.6 ms
	interval := budget.Window / time.Duration(budget.Limit-2)
	rdb := newClient(t, redisAddr(t))
	var commands commandCounter
	rdb.AddHook(&commands)
	l, err := New(rdb, orgKey(t), WithBudgets(ratelimit.Budgets{Create: budget, Read: budget}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 { // the burst
		if err := l.Acquire(ctx, ratelimit.Read); err != nil {
			t.Fatal(err)
		}
	}
	commands.n.Store(0) // the connection's handshake and the script's first load are done

	line := newWaitLine(t, l, waiters)
	start := time.Now()
	for i := range waiters {
		line.join(i)
	}
	line.wg.Wait()
	order, told, admitted := line.order, line.told, line.admitted

	if want := slices.Collect(func(yield func(int) bool) {
		for i := range waiters {
			if !yield(i) {
				return
			}
		}
	}); !slices.Equal(order, want) {
		t.Errorf("admitted in the order %v, want the order they came", order)
	}
	for i, waits := range told {
		if len(waits) != 1 {
			t.Errorf("waiter %d was told %d waits, %v; want one", i, len(waits), waits)
		}
	}
	// The last one's slot is the 20th after the burst.
	if last := admitted[waiters-1].Sub(start); last < waiters*interval-50*time.Millisecond {
		t.Errorf("the last waiter went after %s, before its slot at about %s", last, waiters*interval)
	}
	// Two round trips for each waiter: its reservation, and a look at the
	// pause count once its slot has come.
	if n := commands.n.Load(); n > 2*waiters {
		t.Errorf("%d Redis commands for %d waiters; want at most 2 each", n, waiters)
	}
}

// TestPauseShiftsTheSlotsWaitedFor: a 429 seen by another replica while
// callers wait for their slots pushes every slot back behind the gate: they
// all go after it, in the order they came and as far apart as before (not
// all at once when it opens), each told the extra wait; a caller that comes
// during the pause takes the next slot after theirs.
func TestPauseShiftsTheSlotsWaitedFor(t *testing.T) {
	t.Parallel()
	const waiters = 5
	const pause = 500 * time.Millisecond
	budget := ratelimit.Budget{Limit: 20, Window: time.Second} // burst 2, then one each 55.6 ms
	interval := budget.Window / time.Duration(budget.Limit-2)
	lims := newLimiters(t, 2, WithBudgets(ratelimit.Budgets{Create: budget, Read: budget}))
	ctx := context.Background()
	for range 2 { // the burst
		if err := lims[0].Acquire(ctx, ratelimit.Read); err != nil {
			t.Fatal(err)
		}
	}
	line := newWaitLine(t, lims[0], waiters+1)
	for i := range waiters {
		line.join(i)
	}
	paused := time.Now()
	lims[1].Pause(ctx, ratelimit.Read, pause)
	line.join(waiters) // during the pause
	line.wg.Wait()
	order, told, admitted := line.order, line.told, line.admitted

	if !slices.Equal(order, []int{0, 1, 2, 3, 4, 5}) {
		t.Errorf("admitted in the order %v, want the order they came", order)
	}
	for i, at := range admitted {
		if at.Before(paused.Add(pause - 5*time.Millisecond)) {
			t.Errorf("caller %d went %s after the pause began, before the gate opened", i, at.Sub(paused))
		}
		if i > 0 {
			if gap := at.Sub(admitted[i-1]); gap < interval/2 {
				t.Errorf("callers %d and %d went %s apart, want about %s", i-1, i, gap, interval)
			}
		}
	}
	for i := range waiters {
		if len(told[i]) != 2 || told[i][1] != pause {
			t.Errorf("caller %d was told %v, want its slot's wait then %s", i, told[i], pause)
		}
	}
}

// TestCancelledWaiterGivesItsSlotBack: a caller whose context ends while it
// waits for its slot gives the slot back when no one took a later one, so the
// next caller waits as long as it would have, not one slot more.
func TestCancelledWaiterGivesItsSlotBack(t *testing.T) {
	t.Parallel()
	budget := ratelimit.Budget{Limit: 2, Window: 4 * time.Second} // burst 1, then one each 4 s
	lims := newLimiters(t, 1, WithBudgets(ratelimit.Budgets{Create: budget, Read: budget}))
	if err := lims[0].Acquire(context.Background(), ratelimit.Read); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	told := make(chan time.Duration, 1)
	done := make(chan error, 1)
	go func() {
		done <- lims[0].Acquire(ratelimit.WithWaitNotice(ctx, func(_ ratelimit.Class, d time.Duration) { told <- d }), ratelimit.Read)
	}()
	if d := <-told; d < 3*time.Second || d > 4*time.Second {
		t.Fatalf("told a wait of %s, want about 4s", d)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Acquire = %v, want context.Canceled", err)
	}
	checkWaitError(t, lims[0], ratelimit.Read, 3*time.Second, 4*time.Second)
}
