package redisrate

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/go-managedagents/managedagents/ratelimit"
)

func TestGCRALimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		budget ratelimit.Budget
		want   redis_rate.Limit
	}{
		{ratelimit.DefaultBudgets.Create, redis_rate.Limit{Rate: 54, Burst: 6, Period: time.Minute}},
		{ratelimit.DefaultBudgets.Read, redis_rate.Limit{Rate: 540, Burst: 60, Period: time.Minute}},
		{ratelimit.Budget{Limit: 20, Window: 2 * time.Second}, redis_rate.Limit{Rate: 18, Burst: 2, Period: 2 * time.Second}},
		{ratelimit.Budget{Limit: 5, Window: time.Second}, redis_rate.Limit{Rate: 4, Burst: 1, Period: time.Second}},
		{ratelimit.Budget{Limit: 10, Window: time.Second, Burst: 9}, redis_rate.Limit{Rate: 1, Burst: 9, Period: time.Second}},
		{ratelimit.Budget{Limit: 10, Window: time.Second, Burst: -3}, redis_rate.Limit{Rate: 9, Burst: 1, Period: time.Second}},
	}
	for _, tt := range tests {
		got, err := gcraLimit(ratelimit.Read, tt.budget)
		if err != nil || got != tt.want {
			t.Errorf("gcraLimit(%+v) = %+v, %v; want %+v", tt.budget, got, err, tt.want)
		}
	}
	for _, b := range []ratelimit.Budget{
		{Limit: 1, Window: time.Second},             // default burst 1 leaves no refill
		{Limit: 10, Window: time.Second, Burst: 10}, // idem
		{Limit: 10}, // no window
		{Limit: 10, Window: -time.Second},
		{},
	} {
		if got, err := gcraLimit(ratelimit.Create, b); err == nil {
			t.Errorf("gcraLimit(%+v) = %+v, want an error", b, got)
		}
	}
}

// TestGCRABound runs a model of redis_rate's script (cost 1) with greedy
// callers that come back exactly when told, or after random gaps, with the
// server clock in microseconds and the TAT stored with 14 significant digits
// (Lua's number format, the coarsest Redis uses), and checks that no closed
// window of length W admits more than L, and that L-1 or L are reached.
func TestGCRABound(t *testing.T) {
	t.Parallel()
	budgets := []ratelimit.Budget{
		ratelimit.DefaultBudgets.Create,
		ratelimit.DefaultBudgets.Read,
		{Limit: 20, Window: 2 * time.Second},
		{Limit: 6, Window: 2 * time.Second},
		{Limit: 2, Window: time.Second},
		{Limit: 10, Window: time.Second, Burst: 9},
		{Limit: 1000, Window: 10 * time.Second, Burst: 1},
	}
	for _, b := range budgets {
		limit, err := gcraLimit(ratelimit.Read, b)
		if err != nil {
			t.Fatal(err)
		}
		// Callers that come back exactly when told reach the bound.
		if most := mostInWindow(simulateGCRA(limit, 4*b.Window, nil), b.Window); most > b.Limit || most < b.Limit-1 {
			t.Errorf("budget %+v, greedy callers: at most %d admitted in a window of %s, want %d (or %d)", b, most, b.Window, b.Limit, b.Limit-1)
		}
		// Callers that also pause at random never pass it.
		for seed := range uint64(10) {
			rng := rand.New(rand.NewPCG(seed, uint64(b.Window)))
			if most := mostInWindow(simulateGCRA(limit, 8*b.Window, rng), b.Window); most > b.Limit {
				t.Errorf("budget %+v, seed %d: %d admitted in a window of %s, want at most %d", b, seed, most, b.Window, b.Limit)
			}
		}
		// Slots reserved by a crowd arriving at once, or at random, neither.
		if most := mostInWindow(simulateReserve(limit, 4*b.Window, nil), b.Window); most > b.Limit || most < b.Limit-1 {
			t.Errorf("budget %+v, reserved at once: at most %d slots in a window of %s, want %d (or %d)", b, most, b.Window, b.Limit, b.Limit-1)
		}
		for seed := range uint64(10) {
			rng := rand.New(rand.NewPCG(seed, uint64(b.Window)+1))
			if most := mostInWindow(simulateReserve(limit, 8*b.Window, rng), b.Window); most > b.Limit {
				t.Errorf("budget %+v, seed %d: %d slots reserved in a window of %s, want at most %d", b, seed, most, b.Window, b.Limit)
			}
		}
	}
}

// simulateReserve returns the slot times, in microseconds, of reserveScript
// for callers that reserve over a span of simulated time: all at the start
// (rng nil: each reservation follows the previous at once, as a crowd of
// waiters), or at random gaps. The TAT is stored with 17 significant digits,
// as the script does.
func simulateReserve(limit redis_rate.Limit, span time.Duration, rng *rand.Rand) []int64 {
	const epoch = 312_595_200_000_000 // 2026-11-28 in µs since 2017, as the script counts
	interval := limit.Period.Seconds() / float64(limit.Rate)
	burstOffset := interval * float64(limit.Burst)
	var slots []int64
	stored := math.NaN()
	for now := int64(0); now < span.Microseconds(); {
		nowS := float64(epoch+now) / 1e6
		tat := nowS
		if !math.IsNaN(stored) {
			tat = max(stored, nowS)
		}
		newTAT := tat + interval
		wait := max(newTAT-burstOffset-nowS, 0)
		stored, _ = strconv.ParseFloat(strconv.FormatFloat(newTAT, 'g', 17, 64), 64)
		// The caller sleeps the wait rounded up to the µs (reservation.wait).
		slot := now + int64(math.Ceil(wait*1e6))
		slots = append(slots, slot)
		if rng == nil {
			if slot > span.Microseconds() {
				break
			}
			continue
		}
		now += rng.Int64N(2 * int64(interval*1e6))
	}
	slices.Sort(slots)
	return slots
}

// mostInWindow returns the largest number of times (in µs, sorted) in a
// closed window of length w.
func mostInWindow(times []int64, w time.Duration) int {
	most, lo := 0, 0
	for hi := range times {
		for times[hi]-times[lo] > w.Microseconds() {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

// simulateGCRA returns the admission times, in microseconds, of callers over a
// span of simulated time. They come back as soon as they are told; with rng
// they sometimes come back later, or stay idle for a while.
func simulateGCRA(limit redis_rate.Limit, span time.Duration, rng *rand.Rand) []int64 {
	const epoch = 312_595_200_000_000 // 2026-11-28 in µs since 2017, as the script counts
	interval := limit.Period.Seconds() / float64(limit.Rate)
	burstOffset := interval * float64(limit.Burst)
	var admitted []int64
	stored := math.NaN() // no key
	for now := int64(0); now < span.Microseconds(); {
		nowS := float64(epoch+now) / 1e6
		tat := nowS
		if !math.IsNaN(stored) {
			tat = max(stored, nowS)
		}
		newTAT := tat + interval
		if diff := nowS - (newTAT - burstOffset); diff < 0 {
			// Denied: come back after the retry-after, rounded up to the µs.
			now += int64(math.Ceil(-diff * 1e6))
			if rng != nil && rng.IntN(4) == 0 {
				now += rng.Int64N(1000)
			}
			continue
		}
		stored, _ = strconv.ParseFloat(strconv.FormatFloat(newTAT, 'g', 14, 64), 64)
		admitted = append(admitted, now)
		if rng == nil {
			continue
		}
		switch n := rng.IntN(4 * (limit.Rate + limit.Burst)); {
		case n == 0: // now and then idle long enough to refill part or all of the burst
			now += rng.Int64N(limit.Period.Microseconds())
		case n < 5:
			now += rng.Int64N(1000)
		}
	}
	return admitted
}
