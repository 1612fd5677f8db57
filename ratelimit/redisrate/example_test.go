package redisrate_test

import (
	"log"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit/redisrate"
)

// Every replica of a service builds the same limiter, with the same
// organization key, and hands it to its client.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
	lim, err := redisrate.New(rdb, "acme-prod",
		redisrate.WithFallback(), // keep going on the in-process limiter if Redis is down
		redisrate.WithLogger(slog.Default()))
	if err != nil {
		log.Fatal(err)
	}
	client := managedagents.NewClient(option.WithLimiter(lim))
	_ = client
}
