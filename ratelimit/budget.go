package ratelimit

import (
	"fmt"
	"time"
)

// Budget is a number of requests allowed in any sliding window of time.
//
// A token bucket that starts full with Burst tokens and refills at
// (Limit-Burst)/Window tokens per second never admits more than Limit
// requests in any window of length Window: at the start of a window the
// bucket holds at most Burst tokens, and during the window at most
// (Limit-Burst) more arrive. A bucket that refilled at Limit/Window with a
// full burst would admit up to Limit+Burst, nearly twice the budget.
type Budget struct {
	// Limit is the most requests allowed in any window of length Window. It
	// must be at least 2, and greater than Burst.
	Limit int
	// Window is the length of the sliding window; it must be positive.
	Window time.Duration
	// Burst is the largest number of requests sent back to back; the refill
	// rate is (Limit-Burst)/Window so that no window ever admits more than
	// Limit. Zero means a tenth of Limit (at least 1). It must be less than
	// Limit: with Burst equal to Limit the bucket would never refill.
	Burst int
}

// Budgets holds one Budget per class. A zero Budget stands for the class's
// built-in default (the value DefaultBudgets starts with), so
// Budgets{Read: ...} changes only the read budget.
type Budgets struct {
	// Create is the budget of the Create class (POST /v1/agents,
	// /v1/environments and /v1/sessions).
	Create Budget
	// Read is the budget of the Read class (every other request).
	Read Budget
}

// DefaultBudgets are the documented Managed Agents limits: 60 create and 600
// read requests per minute per organization. Each class may send a tenth of
// its budget back to back (6 creates, 60 reads) and then refills at the rest:
// 54 creates per minute (one every 1.11 s) and 540 reads per minute (one
// every 111 ms), so that no 60-second window holds more than 60 creates or
// 600 reads.
var DefaultBudgets = Budgets{
	Create: Budget{Limit: 60, Window: time.Minute, Burst: 6},
	Read:   Budget{Limit: 600, Window: time.Minute, Burst: 60},
}

// defaultBudget is the built-in budget of class c; unlike DefaultBudgets it
// cannot be changed by users.
func defaultBudget(c Class) Budget {
	if c == Create {
		return Budget{Limit: 60, Window: time.Minute, Burst: 6}
	}
	return Budget{Limit: 600, Window: time.Minute, Burst: 60}
}

// normalize returns b with a zero Burst replaced by its default, or an error
// naming the first field that cannot be honoured.
func (b Budget) normalize(c Class) (Budget, error) {
	if b == (Budget{}) {
		return defaultBudget(c), nil
	}
	if b.Window <= 0 {
		return b, fmt.Errorf("ratelimit: %s budget: Window %s must be positive", c, b.Window)
	}
	if b.Limit < 2 {
		return b, fmt.Errorf("ratelimit: %s budget: Limit %d must be at least 2 (a burst of at least 1 and a refill rate of (Limit-Burst)/Window above zero)", c, b.Limit)
	}
	if b.Burst < 0 {
		return b, fmt.Errorf("ratelimit: %s budget: Burst %d is negative", c, b.Burst)
	}
	if b.Burst == 0 {
		b.Burst = max(1, b.Limit/10)
	}
	if b.Burst >= b.Limit {
		return b, fmt.Errorf("ratelimit: %s budget: Burst %d must be less than Limit %d (the refill rate is (Limit-Burst)/Window)", c, b.Burst, b.Limit)
	}
	return b, nil
}

// lenient returns b made valid without an error: a bad Burst becomes the
// default burst, and a budget that is still invalid becomes the class default.
func (b Budget) lenient(c Class) Budget {
	if n, err := b.normalize(c); err == nil {
		return n
	}
	if b.Burst != 0 {
		b.Burst = 0
		if n, err := b.normalize(c); err == nil {
			return n
		}
	}
	return defaultBudget(c)
}

// interval is the time one token takes to refill.
func (b Budget) interval() time.Duration {
	return b.Window / time.Duration(b.Limit-b.Burst)
}
