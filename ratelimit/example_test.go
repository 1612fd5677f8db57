package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Two processes share the organization's budget: each takes half of it. One
// limiter is shared by every client of the process.
func ExampleNewChecked() {
	limiter, err := ratelimit.NewChecked(ratelimit.Budgets{
		Create: ratelimit.Budget{Limit: 30, Window: time.Minute},  // burst 3, then 27/min
		Read:   ratelimit.Budget{Limit: 300, Window: time.Minute}, // burst 30, then 270/min
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	shared := option.WithLimiter(limiter) // pass to every managedagents.NewClient
	_ = shared
	fmt.Printf("%+v\n", limiter.Budgets().Create)

	_, err = ratelimit.NewChecked(ratelimit.Budgets{Create: ratelimit.Budget{Limit: 60, Window: time.Minute, Burst: 60}})
	fmt.Println(err)
	// Output:
	// {Limit:30 Window:1m0s Burst:3}
	// ratelimit: create budget: Burst 60 must be less than Limit 60 (the refill rate is (Limit-Burst)/Window)
}

// A caller whose deadline comes before the next slot learns it at once.
func ExampleWaitError() {
	limiter := ratelimit.New(ratelimit.Budgets{Create: ratelimit.Budget{Limit: 2, Window: time.Hour, Burst: 1}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = limiter.Acquire(ctx, ratelimit.Create) // the burst of 1
	err := limiter.Acquire(ctx, ratelimit.Create)
	var we *ratelimit.WaitError
	if errors.As(err, &we) {
		fmt.Println(errors.Is(err, ratelimit.ErrLimited), we.Class, we.Wait.Round(time.Minute))
	}
	// Output: true create 1h0m0s
}
