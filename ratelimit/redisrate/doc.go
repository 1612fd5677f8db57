// Package redisrate keeps one Managed Agents rate budget in Redis, so that many
// processes or replicas of a service share it.
//
// The per-minute budgets (60 create and 600 read requests) belong to the
// organization, not to a process: ten replicas that each run the in-process
// [ratelimit.TokenLimiter] send up to ten times the budget and live on 429s.
// A [Limiter] keeps, per class, a GCRA state (github.com/go-redis/redis_rate/v10)
// and a shared 429 pause gate in Redis under a key chosen by the caller for the
// organization, and implements [ratelimit.Limiter] for option.WithLimiter:
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
// Each [Limiter.Acquire] costs two Redis round trips (PTTL and EVALSHA) when
// a slot is free. When Redis cannot be reached, Acquire returns an error that
// matches [ErrUnavailable], or, with [WithFallback], uses an in-process
// limiter until Redis answers again.
package redisrate
