package otelmanagedagents

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Values of error.type besides the API's own error types and HTTP statuses.
// The first four are the official SDK's; the others are ours, for what only
// this SDK does (a client-side rate limiter, a stream that reconnects).
const (
	errClientTimeout   = "client_timeout_error"    // a deadline or timeout of the client
	errConnection      = "connection_error"        // a network error, a body cut short
	errClient          = "client_error"            // anything else
	errTool            = "tool_error"              // a tool call that failed
	errRateLimiter     = "client_rate_limit_error" // the limiter's wait would pass the deadline
	errStreamEnded     = "stream_ended"            // the server ended a stream without a terminal event
	errStreamIdle      = "stream_idle"             // no byte within the idle timeout
	errEventTooLarge   = "event_too_large"         // a frame over the maximum event size
	errEventDecode     = "event_decode_error"      // a frame that does not decode
	errSessionEnded    = "session_ended"           // RunTurn: the session ended during the turn
	errCanceled        = "canceled"                // metrics only: the application canceled
	maxErrorTypeLength = 64
)

// canceled reports whether err is the application's cancellation, which ends
// a span without a status.
func canceled(err error) bool { return errors.Is(err, context.Canceled) }

// errorType returns the error.type of an operation that failed with err: the
// error type of the API's answer or error frame, else the HTTP status, else
// one of the values above. Its values are a small set (an error type the API
// sends that is not a short snake_case word is replaced by the status), so it
// is safe as a metric attribute.
func errorType(err error) string {
	if errors.Is(err, managedagents.ErrSessionEnded) {
		return errSessionEnded
	}
	var apiErr *managedagents.APIError
	if errors.As(err, &apiErr) {
		if wordLike(apiErr.Type) {
			return apiErr.Type
		}
		if apiErr.StatusCode >= 400 {
			return strconv.Itoa(apiErr.StatusCode)
		}
		return "api_error"
	}
	var de *managedagents.EventDecodeError
	var we *ratelimit.WaitError
	var netErr net.Error
	switch {
	case errors.Is(err, managedagents.ErrStreamEnded):
		return errStreamEnded
	case errors.Is(err, managedagents.ErrStreamIdle):
		return errStreamIdle
	case errors.Is(err, managedagents.ErrEventTooLarge):
		return errEventTooLarge
	case errors.As(err, &de):
		return errEventDecode
	case errors.As(err, &we):
		return errRateLimiter
	case errors.Is(err, context.DeadlineExceeded):
		return errClientTimeout
	case errors.As(err, &netErr):
		if netErr.Timeout() {
			return errClientTimeout
		}
		return errConnection
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		// A connection closed before the whole answer, or before any.
		return errConnection
	}
	return errClient
}

// wordLike reports whether s is a short snake_case word, as the API's error
// types are.
func wordLike(s string) bool {
	if s == "" || len(s) > maxErrorTypeLength {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
