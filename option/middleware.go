package option

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/go-managedagents/managedagents/internal/callinfo"
	"github.com/go-managedagents/managedagents/internal/config"
)

// MiddlewareNext sends a request on: through the next middleware, or through
// the client's *http.Client after the last one.
type MiddlewareNext func(*http.Request) (*http.Response, error)

// Middleware wraps one attempt of a call. It may change the request (add
// headers), look at or replace the response, or answer by itself without
// calling next. What it returns is what the SDK judges (retry, error,
// decoding): returning (nil, err) counts as a connection error.
type Middleware func(req *http.Request, next MiddlewareNext) (*http.Response, error)

// WithMiddleware adds middlewares that wrap every attempt of every call,
// including the opens of event streams, in the order given: the first is
// outermost. Client middlewares run outside the call's own.
//
// A middleware runs once per attempt, inside the retry loop, after the
// attempt took its rate-limiter slot: it sees the final URL, every wire
// header (credentials included: never log them), the body, and a context that
// carries the attempt's timeout and the call's [Call] ([CallFromContext]).
// A request that must not be repeated (a create, an event send) is still
// never sent twice: a middleware's error is retried for it only if the
// attempt surely never reached the server (the connection was never made), so
// an error returned without calling next ends the call.
//
// For an event stream the response body is the live stream, and for a
// download (files, skill archives) the content; the call ends when that body
// ends or is closed (see [Call.OnEnd]). An upload's request body is streamed:
// a middleware that reads it whole holds the whole file in memory.
func WithMiddleware(mws ...Middleware) RequestOption {
	return func(c *config.Config) error {
		for _, mw := range mws {
			if mw == nil {
				return errors.New("option.WithMiddleware: nil middleware")
			}
			c.Middlewares = append(c.Middlewares, func(r *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				return mw(r, next)
			})
		}
		return nil
	}
}

// PathParam is a path parameter of a call.
type PathParam struct {
	// Name is the parameter's name in the route: "session_id".
	Name string
	// Value is the value the caller gave.
	Value string
}

// Call describes the API call an attempt belongs to: what it is, and how far
// it got. A middleware gets it with [CallFromContext]; it is what a tracing or
// metrics middleware needs to make one span or one measure per call rather
// than per attempt. Its methods are safe for concurrent use.
type Call struct {
	// Operation names the call as the official SDK's span names do, without
	// their "anthropic." prefix: "agents.create", "sessions.events.send",
	// "sessions.threads.events.stream".
	Operation string
	// Method is the HTTP method.
	Method string
	// Route is the path template, with the parameters named:
	// "/v1/sessions/{session_id}/events" (the http.route of a span).
	Route string
	// PathParams are the route's parameters with their values, in order.
	PathParams []PathParam
	// Query is the query string the call's params built: only parameters
	// of the endpoint, whatever a middleware adds to the URL. Nil for none.
	Query url.Values
	// Stream reports an event-stream open, whose call ends with its connection.
	Stream bool

	st *callinfo.State
}

// CallFromContext returns the call that the request of ctx belongs to, or nil
// when ctx is not the context of an SDK request. The *Call values of one call
// are different pointers to the same record: keep state with SetValue, not
// by pointer.
func CallFromContext(ctx context.Context) *Call {
	st := callinfo.From(ctx)
	if st == nil {
		return nil
	}
	c := &Call{Operation: st.Op, Method: st.Method, Route: st.Route, Stream: st.Stream, st: st}
	if st.Query != nil {
		c.Query = make(url.Values, len(st.Query))
		for k, v := range st.Query {
			c.Query[k] = slices.Clone(v)
		}
	}
	for _, p := range st.Params {
		c.PathParams = append(c.PathParams, PathParam{Name: p.Name, Value: p.Value})
	}
	return c
}

// Attempt returns the number of the attempt in progress, from 1 (so
// Attempt()-1 is the number of retries so far); once the call has ended, the
// number of attempts it made.
func (c *Call) Attempt() int { return c.st.Attempt() }

// LimiterWait returns the time the call has waited for the client-side rate
// limiter so far, over all its attempts.
func (c *Call) LimiterWait() time.Duration { return c.st.Wait() }

// Value returns the value a middleware stored with SetValue under key, or nil.
func (c *Call) Value(key any) any { return c.st.Value(key) }

// SetValue stores value under key for the rest of the call, so that a
// middleware keeps what it started on the first attempt (a span) for the
// next ones. Use an unexported key type, as with context.WithValue.
func (c *Call) SetValue(key, value any) { c.st.SetValue(key, value) }

// CallEnd is the outcome of a call, given to the functions of [Call.OnEnd].
type CallEnd struct {
	// Response is the last attempt's response, nil if none arrived. Its
	// request carries no credentials, and a credential the server echoed
	// into a header (request-id, say) or an error answer's body is masked;
	// its body is closed (re-readable for an error answer).
	Response *http.Response
	// Err is the call's error as the SDK returns it (an *APIError,
	// *DeliveryError, ...), nil on success; for a stream, the error that
	// ended its connection, nil at the end of the body or on Close.
	Err error
}

// OnEnd registers f to run once when the call ends: when a unary call
// returns, or when the connection of an event stream or the body of a
// download ends (end of body, read error, or Close), or at once if the call
// has already ended. f runs in the
// goroutine that ends the call and must not block for long.
func (c *Call) OnEnd(f func(CallEnd)) {
	c.st.OnEnd(func(resp *http.Response, err error) { f(CallEnd{Response: resp, Err: err}) })
}
