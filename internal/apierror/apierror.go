// Package apierror defines the SDK's error values; the root package re-exports them.
package apierror

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// Sentinels matched with errors.Is.
var (
	ErrBadRequest         = errors.New("managedagents: bad request")
	ErrUnauthorized       = errors.New("managedagents: unauthorized")
	ErrBilling            = errors.New("managedagents: billing error")
	ErrPermissionDenied   = errors.New("managedagents: permission denied")
	ErrNotFound           = errors.New("managedagents: not found")
	ErrRequestTimeout     = errors.New("managedagents: request timeout")
	ErrConflict           = errors.New("managedagents: conflict")
	ErrRequestTooLarge    = errors.New("managedagents: request too large")
	ErrRateLimited        = ratelimit.ErrLimited
	ErrServer             = errors.New("managedagents: server error")
	ErrOverloaded         = errors.New("managedagents: overloaded")
	ErrDeliveryUncertain  = errors.New("managedagents: delivery uncertain")
	ErrInvalidParams      = errors.New("managedagents: invalid params")
	ErrMissingCredentials = errors.New("managedagents: no API key or auth token")
	ErrMalformedResponse  = errors.New("managedagents: malformed response")
)

// Error is an error answer of the API: a non-2xx status, or an error frame on a stream.
type Error struct {
	// StatusCode is the HTTP status (0 for an error frame inside a 200 stream).
	StatusCode int
	// Type is error.type of the body, e.g. "not_found_error"; empty when the body
	// is not the JSON error envelope.
	Type string
	// Message is error.message, or a summary of a body that is not JSON.
	Message string
	// Code is error.details.error_code when present.
	Code string
	// RequestID is the request-id header, or request_id of the body.
	RequestID string
	// RetryAfter is the wait the server asked for (retry-after-ms or retry-after); 0 if none.
	RetryAfter time.Duration
	// Body is the raw response body (at most 64 KiB of it).
	Body []byte
	// Method and URL name the request (the URL has no credentials; query kept).
	Method string
	URL    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("managedagents: ")
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

// Is matches the sentinel for the status code or error type.
func (e *Error) Is(target error) bool {
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
	}
	return false
}

// ValidationError reports a bad argument found before any request was sent.
type ValidationError struct {
	// Field is the JSON or parameter name of the argument, e.g. "agent_id".
	Field string
	// Problem says what is wrong with it.
	Problem string
}

func (e *ValidationError) Error() string {
	return "managedagents: invalid " + e.Field + ": " + e.Problem
}

// Is reports whether target is ErrInvalidParams.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidParams }

// DeliveryError reports that a request that must not be repeated may or may not
// have reached the server; it was not sent again.
type DeliveryError struct {
	Method, URL string
	// Err is the failure seen after the request was sent.
	Err error
}

func (e *DeliveryError) Error() string {
	cause := "unknown failure"
	if e.Err != nil {
		// The cause usually names the same request; say it once.
		cause = strings.TrimPrefix(e.Err.Error(), "managedagents: ")
		cause = strings.TrimPrefix(cause, e.Method+" "+e.URL+": ")
	}
	return fmt.Sprintf("managedagents: %s %s: delivery uncertain, not retried: %s", e.Method, e.URL, cause)
}

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Is reports whether target is ErrDeliveryUncertain.
func (e *DeliveryError) Is(target error) bool { return target == ErrDeliveryUncertain }

// ResponseError reports a 2xx answer whose body is not what the call expects:
// empty, null, not JSON, cut off, or JSON of another shape. The request itself
// succeeded (a create did create), so it must not be sent again blindly.
type ResponseError struct {
	// Method and URL name the request (the URL has no credentials).
	Method, URL string
	// StatusCode is the answer's status; 0 when not known.
	StatusCode int
	// ContentType is the answer's content-type header.
	ContentType string
	// RequestID is the request-id header, for support.
	RequestID string
	// Err is the decoding error; nil for an empty body.
	Err error
}

func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "managedagents: %s %s: ", e.Method, e.URL)
	if e.Err == nil {
		b.WriteString("empty response body")
	} else {
		fmt.Fprintf(&b, "decoding response: %v", e.Err)
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

// Is reports whether target is ErrMalformedResponse.
func (e *ResponseError) Is(target error) bool { return target == ErrMalformedResponse }
