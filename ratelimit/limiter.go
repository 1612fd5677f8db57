// Package ratelimit keeps a client within the Managed Agents per-minute request
// budgets: 60 create requests and 600 read requests per minute per organization.
//
// A [Limiter] is asked for a slot before every request attempt (retries
// included), stream open, reconnect and list page, and is told of every 429
// so that all callers of the class pause together. Each endpoint of the SDK
// declares its class where it is defined: [Create] for the create endpoints
// (POST /v1/agents, /v1/environments and /v1/sessions), [Read] for
// everything else.
//
// # Budgets and bursts
//
// [New] returns a [TokenLimiter], the default in-process Limiter: one token
// bucket (golang.org/x/time/rate) per class. A [Budget] of Limit requests per
// Window with burst b refills at (Limit-b)/Window. A window of length Window
// then admits at most the b tokens the bucket held when the window began plus
// the Limit-b that arrive during it: never more than Limit, whatever the
// timing. (A bucket refilling at Limit/Window with a full burst of Limit
// would admit nearly twice the budget in the minute after an idle spell.)
// [DefaultBudgets] send up to 6 creates and 60 reads back to back, then 54
// creates per minute (one every 1.11 s) and 540 reads per minute (one every
// 111 ms). The budget is per organization: if other processes spend it too,
// give each a share with option.WithRateLimits, or share one limiter.
//
// # The 429 gate
//
// When the server answers 429, [TokenLimiter.Pause] closes the class's gate
// until its retry-after has passed (one second, or one token's refill time if
// longer, when the server gave none). Every Acquire of the class, including
// those already waiting, waits for the gate before taking a token, so the
// whole process backs off together; the other class goes on.
//
// # Deadlines
//
// Acquire never sleeps past the context's deadline: if the gate and the
// bucket together would make the caller wait until the deadline or later, it
// returns at once a [*WaitError] (which matches [ErrLimited] and
// managedagents.ErrRateLimited) and takes nothing, so the slot stays for a
// caller that can wait for it. If the context ends while waiting, Acquire
// returns ctx.Err() and gives the slot back.
//
// # Sharing and plugging in
//
// A TokenLimiter is safe for concurrent use. Several clients given the same
// one with option.WithLimiter share its budgets and its gate. Any type with
// the Limiter methods can be plugged in the same way: the nested module
// github.com/go-managedagents/managedagents/ratelimit/redisrate keeps the
// budget and the gate in Redis so that many processes or machines share them.
// option.WithoutLimiter turns client-side limiting off.
package ratelimit

import (
	"context"
	"fmt"
	"time"
)

// Class is a rate-limit budget class.
type Class string

// The two classes of the Managed Agents API.
const (
	// Create covers POST /v1/agents, POST /v1/environments and POST /v1/sessions.
	Create Class = "create"
	// Read covers every other request, including each stream open or reconnect and
	// each list page.
	Read Class = "read"
)

// Limiter decides when a request may be sent.
type Limiter interface {
	// Acquire blocks until a request of class c may be sent and takes its slot.
	// If the wait would outlast ctx's deadline it returns at once a *WaitError
	// carrying the wait, and takes nothing. If ctx ends while waiting it returns
	// ctx.Err() and takes nothing. Before each wait it should call NotifyWait,
	// so that the caller can tell its user (an event stream tells its
	// OnReconnect).
	Acquire(ctx context.Context, c Class) error
	// Pause is told that the server answered a request of class c with 429 and
	// asked for retryAfter (zero when the server gave none), capped by the
	// client's option.WithMaxRetryAfter, so that a server asking for a day
	// does not block the class for a day. Every later Acquire of the class
	// waits until that time has passed.
	Pause(ctx context.Context, c Class, retryAfter time.Duration)
}

// WaitError reports that a slot would come too late for the caller's deadline.
// It matches managedagents.ErrRateLimited with errors.Is.
type WaitError struct {
	// Class is the budget the request would have spent.
	Class Class
	// Wait is how long from the moment of the call the caller would have had to wait.
	Wait time.Duration
}

// Error says which budget and how long the wait would have been.
func (e *WaitError) Error() string {
	return fmt.Sprintf("managedagents: %s rate limit: next slot in %s, after the context deadline", e.Class, e.Wait.Round(time.Millisecond))
}

// Is reports whether target is ErrLimited.
func (e *WaitError) Is(target error) bool { return target == ErrLimited }

// ErrLimited is matched by every rate-limit error, local or from the server.
// managedagents.ErrRateLimited is the same value.
var ErrLimited = errLimited{}

type errLimited struct{}

func (errLimited) Error() string { return "managedagents: rate limited" }
