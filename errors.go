package managedagents

import "github.com/go-managedagents/managedagents/internal/apierror"

// APIError is an error answer of the API: a non-2xx status, or an error frame on
// an event stream. Use errors.As to read it and errors.Is with the sentinels below
// to classify it.
type APIError = apierror.Error

// ValidationError reports an argument rejected before any request was sent. It
// names the field and matches [ErrInvalidParams].
type ValidationError = apierror.ValidationError

// DeliveryError reports that a request that must not be repeated (a create or an
// event send) failed after it was sent: it may or may not have taken effect, and it
// was not sent again. It matches [ErrDeliveryUncertain].
type DeliveryError = apierror.DeliveryError

// ResponseError reports a 2xx answer whose body could not be read: empty, null,
// not JSON, cut off, or of another shape. The request succeeded (a create did
// create), so do not repeat it blindly; RequestID helps support. It matches
// [ErrMalformedResponse].
type ResponseError = apierror.ResponseError

// Sentinel errors, matched with errors.Is against an *APIError (by status code or
// error type) or against the SDK's own errors.
var (
	// ErrBadRequest matches 400 and 422 answers (invalid_request_error).
	ErrBadRequest = apierror.ErrBadRequest
	// ErrUnauthorized matches 401 answers (authentication_error).
	ErrUnauthorized = apierror.ErrUnauthorized
	// ErrBilling matches billing_error answers.
	ErrBilling = apierror.ErrBilling
	// ErrPermissionDenied matches 403 answers (permission_error).
	ErrPermissionDenied = apierror.ErrPermissionDenied
	// ErrNotFound matches 404 answers (not_found_error).
	ErrNotFound = apierror.ErrNotFound
	// ErrRequestTimeout matches 408 answers and timeout_error.
	ErrRequestTimeout = apierror.ErrRequestTimeout
	// ErrConflict matches 409 answers (conflict_error).
	ErrConflict = apierror.ErrConflict
	// ErrRequestTooLarge matches 413 answers.
	ErrRequestTooLarge = apierror.ErrRequestTooLarge
	// ErrRateLimited matches 429 answers (rate_limit_error) and the client-side
	// limiter's *ratelimit.WaitError.
	ErrRateLimited = apierror.ErrRateLimited
	// ErrServer matches 5xx answers (api_error).
	ErrServer = apierror.ErrServer
	// ErrOverloaded matches 529 answers (overloaded_error).
	ErrOverloaded = apierror.ErrOverloaded
	// ErrDeliveryUncertain matches a *DeliveryError.
	ErrDeliveryUncertain = apierror.ErrDeliveryUncertain
	// ErrInvalidParams matches a *ValidationError.
	ErrInvalidParams = apierror.ErrInvalidParams
	// ErrMissingCredentials is returned when neither an API key nor an auth token
	// is set (ANTHROPIC_API_KEY, option.WithAPIKey, option.WithAuthToken).
	ErrMissingCredentials = apierror.ErrMissingCredentials
	// ErrMalformedResponse matches a *ResponseError: a 2xx answer whose body
	// could not be read.
	ErrMalformedResponse = apierror.ErrMalformedResponse
)
