// Package ratelimit keeps a client within the Managed Agents per-minute request
// budgets: 60 create requests and 600 read requests per minute per organization.
//
// A [Limiter] is asked for a slot before every request attempt, stream open,
// reconnect and list page, and is told of every 429 so that all callers of the
// class pause together. [New] returns the default in-process implementation; one
// Limiter may be shared by several clients, and any implementation (for example
// one that keeps the budget in Redis) can be plugged in with option.WithLimiter.
package ratelimit

import (
	"context"
	"fmt"
	"strings"
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

// Classify returns the class of a request by its method and URL path (without
// the query). Only the three create endpoints are in the Create class.
func Classify(method, path string) Class {
	if method == "POST" {
		switch strings.TrimSuffix(path, "/") {
		case "/v1/agents", "/v1/environments", "/v1/sessions":
			return Create
		}
	}
	return Read
}

// Limiter decides when a request may be sent.
type Limiter interface {
	// Acquire blocks until a request of class c may be sent and takes its slot.
	// If the wait would outlast ctx's deadline it returns at once a *WaitError
	// carrying the wait, and takes nothing. If ctx ends while waiting it returns
	// ctx.Err() and takes nothing.
	Acquire(ctx context.Context, c Class) error
	// Pause is told that the server answered a request of class c with 429 and
	// asked for retryAfter (zero when the server gave none). Every later Acquire
	// of the class waits until that time has passed.
	Pause(ctx context.Context, c Class, retryAfter time.Duration)
}

// WaitError reports that a slot would come too late for the caller's deadline.
// It matches managedagents.ErrRateLimited with errors.Is.
type WaitError struct {
	Class Class
	// Wait is how long from the moment of the call the caller would have had to wait.
	Wait time.Duration
}

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
