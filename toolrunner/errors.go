package toolrunner

import (
	"context"
	"errors"
	"net/http"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// permanent reports whether err is a refusal that asking again cannot change:
// a 4xx answer other than 408, 409 and 429, arguments or credentials the SDK
// rejects before sending, a 2xx answer that cannot be read. A nil error is
// not permanent.
func permanent(err error) bool {
	if err == nil {
		return false
	}
	var apiErr *managedagents.APIError
	if errors.As(err, &apiErr) && !errors.Is(err, managedagents.ErrDeliveryUncertain) {
		switch code := apiErr.StatusCode; {
		case code == 0: // an error frame of a stream: the stream decided
			return false
		case code == http.StatusRequestTimeout, code == http.StatusConflict, code == http.StatusTooManyRequests, code >= 500:
			return false
		}
		return true
	}
	return errors.Is(err, managedagents.ErrInvalidParams) || errors.Is(err, managedagents.ErrMissingCredentials) ||
		errors.Is(err, managedagents.ErrMalformedResponse)
}

// sendOutcome classifies a failed post of a result.
type sendOutcome int

const (
	// sendUncertain: the post may have reached the server: check the history
	// before posting again.
	sendUncertain sendOutcome = iota
	// sendNotDelivered: the server surely did not take it (a 429, a wait for
	// the client-side limiter): post again.
	sendNotDelivered
	// sendRefused: the API refused it for good (a 4xx other than 408, 409,
	// 429): check the history once (another client may have answered), then
	// give up.
	sendRefused
	// sendInvalid: the SDK refused the result before sending (a block it
	// cannot send): post it again as text.
	sendInvalid
)

// classifySend classifies err, the failure of a post made under a context
// that is still live.
func classifySend(err error) sendOutcome {
	var apiErr *managedagents.APIError
	var wait *ratelimit.WaitError
	switch {
	case errors.Is(err, managedagents.ErrInvalidParams):
		return sendInvalid
	case errors.Is(err, managedagents.ErrDeliveryUncertain), errors.Is(err, context.DeadlineExceeded):
		return sendUncertain
	case errors.As(err, &wait):
		return sendNotDelivered
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests:
		return sendNotDelivered
	case permanent(err):
		return sendRefused
	}
	// 408, 409, 5xx, a network error: the server may have stored the event.
	return sendUncertain
}
