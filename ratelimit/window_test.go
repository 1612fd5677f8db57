package ratelimit_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// maxInWindow returns the largest number of admissions in any closed window
// [t, t+w] that starts at an admission.
func maxInWindow(ts []time.Time, w time.Duration) int {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, time.Time.Compare)
	most, j := 0, 0
	for i := range ts {
		for j < len(ts) && !ts[j].After(ts[i].Add(w)) {
			j++
		}
		most = max(most, j-i)
	}
	return most
}

func TestMaxInWindow(t *testing.T) {
	t.Parallel()
	s := func(d ...time.Duration) []time.Time {
		var ts []time.Time
		for _, x := range d {
			ts = append(ts, epoch.Add(x))
		}
		return ts
	}
	if got := maxInWindow(s(0, 0, time.Second, 2*time.Second), time.Second); got != 3 {
		t.Errorf("closed window holds %d, want 3", got)
	}
	if got := maxInWindow(s(3*time.Second, 0, time.Second+1), time.Second); got != 1 {
		t.Errorf("holds %d, want 1", got)
	}
}

// TestWindowBound runs 64 goroutines against one limiter while a driver moves
// the fake clock from timer to timer, and checks every admission as the start
// of a window.
func TestWindowBound(t *testing.T) {
	t.Parallel()
	const goroutines = 64
	for _, tc := range []struct {
		name      string
		class     ratelimit.Class
		perG      int           // acquires per goroutine
		think     time.Duration // up to this long idle before each acquire
		pauses    bool          // 429s now and then
		saturated bool          // no idle spells: the limiter alone sets the pace
	}{
		{name: "create saturated", class: ratelimit.Create, perG: 5, saturated: true},
		{name: "read saturated", class: ratelimit.Read, perG: 40, saturated: true},
		{name: "create idle spells", class: ratelimit.Create, perG: 5, think: 3 * time.Minute},
		{name: "read idle spells", class: ratelimit.Read, perG: 30, think: 40 * time.Second},
		{name: "create 429s", class: ratelimit.Create, perG: 5, pauses: true, saturated: true},
		{name: "read 429s and idle spells", class: ratelimit.Read, perG: 30, think: 20 * time.Second, pauses: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			budget := ratelimit.DefaultBudgets.Create
			if tc.class == ratelimit.Read {
				budget = ratelimit.DefaultBudgets.Read
			}
			clock := newFakeClock(epoch)
			l := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clock))
			ctx := context.Background()

			var mu sync.Mutex
			var admitted []time.Time
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					defer clock.exit()
					rng := rand.New(rand.NewPCG(uint64(g), 7))
					for range tc.perG {
						if tc.think > 0 {
							clock.sleep(time.Duration(rng.Int64N(int64(tc.think))) + 1)
						}
						if err := l.Acquire(ctx, tc.class); err != nil {
							t.Error(err)
							return
						}
						at := clock.Now()
						mu.Lock()
						admitted = append(admitted, at)
						mu.Unlock()
					}
				})
			}

			type span struct{ from, until time.Time }
			var paused []span
			var gate time.Time
			rng := rand.New(rand.NewPCG(1, 2))
			for step := 0; ; step++ {
				clock.awaitBlocked(t, goroutines)
				if tc.pauses && step%40 == 20 {
					stale := clock.limiterTimers()
					d := time.Duration(rng.IntN(20)) * time.Second // 0: the default pause
					now := clock.Now()
					l.Pause(ctx, tc.class, d)
					if d == 0 {
						d = time.Second
						if tc.class == ratelimit.Create {
							d = time.Minute / 54
						}
					}
					paused = append(paused, span{now, now.Add(d)})
					if now.Add(d).After(gate) { // the gate moved: waiters queue again
						gate = now.Add(d)
						clock.awaitStopped(t, stale)
					}
					clock.awaitBlocked(t, goroutines)
				}
				if !clock.next() {
					break
				}
			}
			wg.Wait()

			if n := goroutines * tc.perG; len(admitted) != n {
				t.Fatalf("admitted %d, want %d", len(admitted), n)
			}
			if got := maxInWindow(admitted, budget.Window); got > budget.Limit {
				t.Errorf("a window of %s admitted %d, budget %d", budget.Window, got, budget.Limit)
			} else if tc.saturated && !tc.pauses && got != budget.Limit {
				t.Errorf("busiest window admitted %d, want the full budget %d", got, budget.Limit)
			}
			for _, at := range admitted {
				for _, p := range paused {
					if at.After(p.from) && at.Before(p.until) { // at p.from: admitted before Pause
						t.Errorf("admitted at %s, inside the pause %s to %s", at.Sub(epoch), p.from.Sub(epoch), p.until.Sub(epoch))
					}
				}
			}
			if tc.saturated {
				// n admissions take exactly (n-burst)/rate, and each pause
				// adds at most its length: a pause loses no tokens.
				slices.SortFunc(admitted, time.Time.Compare)
				elapsed := admitted[len(admitted)-1].Sub(admitted[0])
				want := time.Duration(len(admitted)-budget.Burst) * budget.Window / time.Duration(budget.Limit-budget.Burst)
				var most time.Duration
				for _, p := range paused {
					most += p.until.Sub(p.from)
				}
				if elapsed < want-time.Millisecond || elapsed > want+most+time.Millisecond {
					t.Errorf("%d admissions took %s, want %s plus at most %s of pauses", len(admitted), elapsed, want, most)
				}
			}
			t.Logf("%d admissions over %s, %d pauses", len(admitted), clock.Now().Sub(epoch), len(paused))
		})
	}
}
