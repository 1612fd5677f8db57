package redisrate

import (
	"fmt"

	"github.com/go-redis/redis_rate/v10"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// gcraLimit turns a budget of at most L requests in any window W, with burst b,
// into redis_rate's GCRA parameters.
//
// redis_rate admits a request at time t when tat-t <= (Burst-1)*T, where
// T = Period/Rate is the emission interval and tat (the theoretical arrival
// time) grows by T with each admission. If n requests are admitted at
// a1 <= ... <= an, tat after the (n-1)-th is at least a1+(n-1)*T, so admitting
// the n-th needs an-a1 >= (n-Burst)*T. In a window of length W this gives
// n <= Burst + floor(W/T).
//
// With Burst = b, Rate = L-b and Period = W, T = W/(L-b) and n <= L, as in the
// in-process limiter (burst b, refill (L-b)/W). Both Rate and Burst are whole
// numbers here, so redis_rate's integer Limit loses nothing. The roundings that
// remain (the server clock's microseconds, the TAT stored as a Lua number,
// which Redis before 7 formats with 14 significant digits, about 10 µs in 2026)
// move admissions by microseconds, while an (L+1)-th request would need the
// window to be a whole T (a second for 60/min) longer: the bound has room for
// them. TestGCRABound checks this on a model of the script.
//
// reserveScript, which Acquire runs, gives each caller the time at which
// redis_rate's script would admit it if it came back exactly when told: its
// slots obey the same bound (TestGCRABound models it too).
func gcraLimit(c ratelimit.Class, b ratelimit.Budget) (redis_rate.Limit, error) {
	burst := b.Burst
	if burst <= 0 {
		burst = max(1, b.Limit/10)
	}
	switch {
	case b.Window <= 0:
		return redis_rate.Limit{}, fmt.Errorf("redisrate: %s budget: window %s is not positive", c, b.Window)
	case b.Limit <= burst:
		return redis_rate.Limit{}, fmt.Errorf("redisrate: %s budget: limit %d must exceed the burst %d", c, b.Limit, burst)
	}
	return redis_rate.Limit{Rate: b.Limit - burst, Burst: burst, Period: b.Window}, nil
}
