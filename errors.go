package managedagents

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// APIError is an error answer of the API: a non-2xx status, or an error frame
// on an event stream. Use errors.As to read it and errors.Is with the sentinels
// below to classify it (by status code or error type).
type APIError struct {
	// StatusCode is the HTTP status; 0 for an error frame inside a 200 stream.
	StatusCode int
	// Type is error.type of the body, e.g. "not_found_error"; empty when the
	// body is not the JSON error envelope.
	Type string
	// Message is error.message, or a summary of a body that is not the JSON
	// envelope (an HTML page from a proxy, plain text, nothing).
	Message string
	// Code is error.details.error_code when present, e.g. "environment_archived".
	Code string
	// RequestID is the request-id header, or request_id of the body: quote it
	// to support.
	RequestID string
	// RetryAfter is the wait the server asked for (retry-after-ms or
	// retry-after); 0 if none.
	RetryAfter time.Duration
	// Body is the raw response body, at most 64 KiB of it.
	Body []byte
	// Method is the request's HTTP method; empty for an error frame.
	Method string
	// URL is the request's URL, query included, without credentials; empty
	// for an error frame.
	URL string
}

// Error describes the answer: request, status, type, message and request id.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(errPrefix)
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	} else {
		b.WriteString("stream error")
	}
	if e.Type != "" {
		fmt.Fprintf(&b, " (%s)", e.Type)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request-id %s]", e.RequestID)
	}
	return b.String()
}

// Is matches the sentinel for the status code or the error type.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		// By type only for an error frame: the API also sends
		// invalid_request_error with a 409.
		return e.StatusCode == 400 || e.StatusCode == 422 || (e.StatusCode == 0 && e.Type == "invalid_request_error")
	case ErrUnauthorized:
		return e.StatusCode == 401 || e.Type == "authentication_error"
	case ErrBilling:
		return e.StatusCode == 402 || e.Type == "billing_error"
	case ErrPermissionDenied:
		return e.StatusCode == 403 || e.Type == "permission_error"
	case ErrNotFound:
		return e.StatusCode == 404 || e.Type == "not_found_error"
	case ErrRequestTimeout:
		return e.StatusCode == 408 || e.Type == "timeout_error"
	case ErrConflict:
		return e.StatusCode == 409 || e.Type == "conflict_error"
	case ErrRequestTooLarge:
		return e.StatusCode == 413 || e.Type == "request_too_large"
	case ErrRateLimited:
		return e.StatusCode == 429 || e.Type == "rate_limit_error"
	case ErrOverloaded:
		return e.StatusCode == 529 || e.Type == "overloaded_error"
	case ErrServer:
		return e.StatusCode >= 500 || e.Type == "api_error"
	case ErrMemoryPreconditionFailed:
		return e.Type == ErrorTypeMemoryPreconditionFailed
	case ErrMemoryPathConflict:
		return e.Type == ErrorTypeMemoryPathConflict
	}
	return false
}

// ValidationError reports an argument rejected before any request was sent.
// It matches [ErrInvalidParams].
type ValidationError struct {
	// Field is the JSON or parameter name of the argument, e.g. "agent_id" or
	// "events[0].content".
	Field string
	// Problem says what is wrong with it.
	Problem string
}

// Error names the field and the problem.
func (e *ValidationError) Error() string {
	return errPrefix + "invalid " + e.Field + ": " + e.Problem
}

// Is reports whether target is [ErrInvalidParams].
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidParams }

// DeliveryError reports that a request that must not be repeated (a create,
// an event send) failed after it was sent: it may or may not have taken
// effect, and it was not sent again. It matches [ErrDeliveryUncertain], and
// errors.Is and errors.As see through it to its cause (an *[APIError] for a
// 5xx answer).
type DeliveryError struct {
	// Method is the request's HTTP method.
	Method string
	// URL is the request's URL, without credentials.
	URL string
	// Err is the failure seen after the request was sent: an *APIError or a
	// network error.
	Err error
}

// Error names the request and the failure.
func (e *DeliveryError) Error() string {
	cause := "unknown failure"
	if e.Err != nil {
		// The cause usually names the same request; say it once.
		cause = strings.TrimPrefix(causeText(e.Err), e.Method+" "+e.URL+": ")
	}
	return fmt.Sprintf("%s%s %s: delivery uncertain, not retried: %s", errPrefix, e.Method, e.URL, cause)
}

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrDeliveryUncertain].
func (e *DeliveryError) Is(target error) bool { return target == ErrDeliveryUncertain }

// ResponseError reports a 2xx answer whose body could not be read: empty,
// null, not JSON, cut off, of another shape, or (for a stream open) not an
// event stream. The request succeeded (a create did create), so do not repeat
// it blindly; RequestID helps support. It matches [ErrMalformedResponse].
type ResponseError struct {
	// Method is the request's HTTP method.
	Method string
	// URL is the request's URL, without credentials.
	URL string
	// StatusCode is the answer's status.
	StatusCode int
	// ContentType is the answer's content-type header.
	ContentType string
	// RequestID is the answer's request-id header.
	RequestID string
	// Err says what is wrong with the body: the decoding error, or an error
	// saying that the body was empty, null or not an event stream.
	Err error
}

// Error names the request, the problem, the status, content type and request id.
func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s %s: ", errPrefix, e.Method, e.URL)
	if e.Err == nil {
		b.WriteString("unreadable response body")
	} else {
		fmt.Fprintf(&b, "decoding response: %s", causeText(e.Err))
	}
	var about []string
	if e.StatusCode != 0 {
		about = append(about, "status "+strconv.Itoa(e.StatusCode))
	}
	if e.ContentType != "" {
		about = append(about, "content-type "+strconv.Quote(e.ContentType))
	}
	if len(about) > 0 {
		b.WriteString(" (" + strings.Join(about, ", ") + ")")
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request-id %s]", e.RequestID)
	}
	return b.String()
}

// Unwrap returns the decoding error.
func (e *ResponseError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrMalformedResponse].
func (e *ResponseError) Is(target error) bool { return target == ErrMalformedResponse }

// StreamError reports that an event stream gave up: its connection failed, or
// could not be opened again, more times in a row than
// option.WithStreamReconnects allows (default 10). errors.Is and errors.As see
// through it to the last cause (for example an *[APIError] with status 503).
type StreamError struct {
	// Attempts is the number of reconnects made in a row before giving up.
	Attempts int
	// Err is the last failure.
	Err error
}

// Error names the number of reconnects and the last failure.
func (e *StreamError) Error() string {
	return fmt.Sprintf("%sevent stream gave up after %d reconnects in a row: %s", errPrefix, e.Attempts, causeText(e.Err))
}

// Unwrap returns the last failure.
func (e *StreamError) Unwrap() error { return e.Err }

// Sentinel errors, matched with errors.Is against an *APIError (by status code
// or error type) or against the SDK's own errors.
var (
	// ErrBadRequest matches 400 and 422 answers (invalid_request_error).
	ErrBadRequest = errors.New("managedagents: bad request")
	// ErrUnauthorized matches 401 answers (authentication_error).
	ErrUnauthorized = errors.New("managedagents: unauthorized")
	// ErrBilling matches 402 answers and billing_error.
	ErrBilling = errors.New("managedagents: billing error")
	// ErrPermissionDenied matches 403 answers (permission_error).
	ErrPermissionDenied = errors.New("managedagents: permission denied")
	// ErrNotFound matches 404 answers (not_found_error).
	ErrNotFound = errors.New("managedagents: not found")
	// ErrRequestTimeout matches 408 answers and timeout_error.
	ErrRequestTimeout = errors.New("managedagents: request timeout")
	// ErrConflict matches 409 answers (conflict_error).
	ErrConflict = errors.New("managedagents: conflict")
	// ErrRequestTooLarge matches 413 answers (request_too_large).
	ErrRequestTooLarge = errors.New("managedagents: request too large")
	// ErrRateLimited matches 429 answers (rate_limit_error) and the
	// client-side limiter's *ratelimit.WaitError; it is ratelimit.ErrLimited.
	ErrRateLimited = ratelimit.ErrLimited
	// ErrServer matches 5xx answers (api_error).
	ErrServer = errors.New("managedagents: server error")
	// ErrOverloaded matches 529 answers (overloaded_error).
	ErrOverloaded = errors.New("managedagents: overloaded")
	// ErrDeliveryUncertain matches a *DeliveryError.
	ErrDeliveryUncertain = errors.New("managedagents: delivery uncertain")
	// ErrInvalidParams matches a *ValidationError.
	ErrInvalidParams = errors.New("managedagents: invalid params")
	// ErrMissingCredentials is returned when neither an API key nor an auth
	// token is set (ANTHROPIC_API_KEY, option.WithAPIKey, option.WithAuthToken).
	ErrMissingCredentials = errors.New("managedagents: no API key or auth token")
	// ErrMalformedResponse matches a *ResponseError: a 2xx answer whose body
	// could not be read.
	ErrMalformedResponse = errors.New("managedagents: malformed response")
)

// errPrefix starts every message of the package's errors, once: an error
// that quotes another one drops the other's prefix (see causeText).
const errPrefix = "managedagents: "

// causeText returns err's message without its leading errPrefix, for an
// error that quotes it after its own prefix.
func causeText(err error) string {
	return strings.TrimPrefix(err.Error(), errPrefix)
}
