// Package redisrate keeps one Managed Agents rate budget in Redis, so that many
// processes or replicas of a service share it.
//
// The per-minute budgets (60 create and 600 read requests) belong to the
// organization, not to a process: ten replicas that each run the in-process
// [ratelimit.TokenLimiter] send up to ten times the budget and live on 429s.
// A [Limiter] keeps, per class, a GCRA state (where and as
// github.com/go-redis/redis_rate/v10 keeps it) and a shared 429 pause gate in
// Redis under a key chosen by the caller for the organization, and implements
// [ratelimit.Limiter] for option.WithLimiter:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	lim, err := redisrate.New(rdb, "org-acme")
//	if err != nil { ... }
//	client := managedagents.NewClient(option.WithLimiter(lim))
//
// The GCRA parameters follow the in-process rule: burst b (default a tenth of
// the limit, at least 1) and b+1, b+2, ... admitted one emission interval
// W/(L-b) apart, so that no window of length W admits more than L requests.
// The pause gate is set by [Limiter.Pause] to the latest retry-after seen by
// any replica and read before every acquisition.
//
// A caller takes the next slot in one script and sleeps until it: callers
// are served in the order they came, in every replica, and a thousand of them
// waiting (a thousand event streams reconnecting at once) do not poll Redis,
// each is told its wait once (ratelimit.WithWaitNotice). A pause pushes back
// the slots still awaited, keeping their order and spacing.
//
// Each [Limiter.Acquire] costs one Redis round trip (EVALSHA) when a slot is
// free, and two when it has to wait (the reservation, then a look at the
// pauses once its slot has come). When Redis cannot be reached, Acquire
// returns an error that matches [ErrUnavailable], or, with [WithFallback],
// uses an in-process limiter until Redis answers again.
package redisrate
