package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// BenchmarkAcquire measures the cost of a slot that is free: the limiter's own
// overhead, with a budget too large to make anyone wait.
func BenchmarkAcquire(b *testing.B) {
	huge := ratelimit.Budget{Limit: 1 << 50, Window: time.Second, Burst: 1 << 40}
	ctx := context.Background()
	b.Run("uncontended", func(b *testing.B) {
		l := ratelimit.New(ratelimit.Budgets{Create: huge, Read: huge})
		b.ReportAllocs()
		for b.Loop() {
			if err := l.Acquire(ctx, ratelimit.Read); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		l := ratelimit.New(ratelimit.Budgets{Create: huge, Read: huge})
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
	b.Run("fail fast", func(b *testing.B) {
		// Every call finds the bucket empty and its deadline too close.
		l := ratelimit.New(ratelimit.Budgets{Read: ratelimit.Budget{Limit: 2, Window: time.Hour, Burst: 1}})
		_ = l.Acquire(ctx, ratelimit.Read)
		dctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		b.ReportAllocs()
		for b.Loop() {
			if err := l.Acquire(dctx, ratelimit.Read); err == nil {
				b.Fatal("got a slot")
			}
		}
	})
}
