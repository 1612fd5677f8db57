package transport

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The transport reports a failed call with the raw facts of the answer; the
// root package turns them into its documented error types (APIError,
// DeliveryError, ResponseError) at the boundary, where it also redacts them.
// Other failures are ctx.Err(), a Limiter error as is, or an error naming the
// request and the network failure.

// StatusError is a non-2xx answer that ended a call.
type StatusError struct {
	// Method and URL name the request (the URL has no credentials).
	Method, URL string
	// Response is the answer, its body replaced by Body.
	Response *http.Response
	// Body is the answer's body, at most 64 KiB of it.
	Body []byte
	// RetryAfter is the wait the answer asked for, 0 if none.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return e.Method + " " + e.URL + ": status " + strconv.Itoa(e.Response.StatusCode)
}

// UncertainError reports that a request declared Once failed after it may
// have reached the server; it was not sent again.
type UncertainError struct {
	Method, URL string
	// Err is the failure: a *StatusError or a network error.
	Err error
}

func (e *UncertainError) Error() string {
	return e.Method + " " + e.URL + ": delivery uncertain: " + e.Err.Error()
}

func (e *UncertainError) Unwrap() error { return e.Err }

// ContentTypeError is a 2xx answer to a stream open that is not an event
// stream (a proxy's login page, a JSON body); its body was closed.
type ContentTypeError struct {
	Method, URL string
	Response    *http.Response
}

func (e *ContentTypeError) Error() string {
	return e.Method + " " + e.URL + ": not an event stream: " + e.Response.Header.Get("Content-Type")
}

// ParseRetryAfter reads retry-after-ms (milliseconds), then retry-after (seconds,
// possibly fractional, or an HTTP date). It returns 0 when neither is present,
// valid and positive.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < 1e12 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil {
			if s > 0 && s < 1e9 {
				return time.Duration(s * float64(time.Second))
			}
			return 0
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d
			}
		}
	}
	return 0
}
