// Package callinfo holds the record of one API call that travels in the
// context of each of its attempts: what the call is (its endpoint and path
// parameters), how far it got (attempts, limiter wait), per-call values that
// middlewares keep between attempts, and the functions to run when it ends.
// Package option shows it to middlewares as option.Call; the transport and the
// root package write it.
package callinfo

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Param is one path parameter of a call.
type Param struct {
	Name, Value string
}

// State is the record of one call. Its static fields are set before the call
// starts and never change; the rest is guarded by mu, as a stream's end may
// come from another goroutine than its attempts.
type State struct {
	Op, Method, Route string
	Params            []Param
	Query             url.Values // the query the call's params built; never modified
	Stream            bool

	mu      sync.Mutex
	attempt int
	wait    time.Duration
	values  map[any]any
	onEnd   []func(*http.Response, error)
	ended   bool
	resp    *http.Response // the call's outcome, once ended
	err     error
}

type key struct{}

// Start returns ctx carrying st.
func Start(ctx context.Context, st *State) context.Context {
	return context.WithValue(ctx, key{}, st)
}

// From returns the call carried by ctx, or nil.
func From(ctx context.Context) *State {
	st, _ := ctx.Value(key{}).(*State)
	return st
}

// NextAttempt counts a new attempt and returns its number, from 1.
func (s *State) NextAttempt() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempt++
	return s.attempt
}

// Attempt returns the number of the attempt in progress (the number of
// attempts made, once the call has ended); 0 before the first.
func (s *State) Attempt() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempt
}

// AddWait adds d to the time spent waiting for the rate limiter.
func (s *State) AddWait(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wait += d
}

// Wait returns the time spent waiting for the rate limiter so far.
func (s *State) Wait() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wait
}

// Value returns the value stored under k, or nil.
func (s *State) Value(k any) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.values[k]
}

// SetValue stores v under k.
func (s *State) SetValue(k, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = make(map[any]any)
	}
	s.values[k] = v
}

// OnEnd registers f to run when the call ends; after the end it runs f at
// once with the call's outcome.
func (s *State) OnEnd(f func(*http.Response, error)) {
	s.mu.Lock()
	if !s.ended {
		s.onEnd = append(s.onEnd, f)
		s.mu.Unlock()
		return
	}
	resp, err := s.resp, s.err
	s.mu.Unlock()
	f(resp, err)
}

// End ends the call with its last response (nil if none) and its error (nil
// on success) and runs the registered functions, in order, once.
func (s *State) End(resp *http.Response, err error) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended, s.resp, s.err = true, resp, err
	fs := s.onEnd
	s.onEnd = nil
	s.mu.Unlock()
	for _, f := range fs {
		f(resp, err)
	}
}
