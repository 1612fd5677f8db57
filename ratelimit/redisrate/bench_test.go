package redisrate

import (
	"context"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// BenchmarkAcquire measures what a slot costs when one is free: the Redis round
// trips of one Acquire from one goroutine (serial) and from many at once on one
// client (parallel), and the in-process limiter for comparison. The budget is
// large enough that no Acquire waits.
func BenchmarkAcquire(b *testing.B) {
	huge := ratelimit.Budget{Limit: 1 << 30, Window: time.Second}
	budgets := ratelimit.Budgets{Create: huge, Read: huge}
	ctx := context.Background()
	b.Run("redis/serial", func(b *testing.B) {
		l, err := New(newClient(b, redisAddr(b)), orgKey(b), WithBudgets(budgets))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := l.Acquire(ctx, ratelimit.Read); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("redis/parallel", func(b *testing.B) {
		l, err := New(newClient(b, redisAddr(b)), orgKey(b), WithBudgets(budgets))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := l.Acquire(ctx, ratelimit.Read); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("inprocess/serial", func(b *testing.B) {
		l := ratelimit.New(budgets)
		b.ReportAllocs()
		for b.Loop() {
			if err := l.Acquire(ctx, ratelimit.Read); err != nil {
				b.Fatal(err)
			}
		}
	})
}
