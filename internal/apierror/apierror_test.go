package apierror

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/ratelimit"
)

func TestErrorIs(t *testing.T) {
	t.Parallel()
	all := []error{ErrBadRequest, ErrUnauthorized, ErrBilling, ErrPermissionDenied, ErrNotFound,
		ErrRequestTimeout, ErrConflict, ErrRequestTooLarge, ErrRateLimited, ErrServer, ErrOverloaded}
	cases := []struct {
		status int
		typ    string
		want   []error
	}{
		{400, "invalid_request_error", []error{ErrBadRequest}},
		{422, "", []error{ErrBadRequest}},
		{401, "authentication_error", []error{ErrUnauthorized}},
		{402, "", []error{ErrBilling}},
		{400, "billing_error", []error{ErrBadRequest, ErrBilling}},
		{403, "permission_error", []error{ErrPermissionDenied}},
		{404, "not_found_error", []error{ErrNotFound}},
		{408, "", []error{ErrRequestTimeout}},
		{409, "conflict_error", []error{ErrConflict}},
		{409, "invalid_request_error", []error{ErrConflict}},
		{413, "request_too_large", []error{ErrRequestTooLarge}},
		{429, "rate_limit_error", []error{ErrRateLimited}},
		{500, "api_error", []error{ErrServer}},
		{502, "", []error{ErrServer}},
		{504, "timeout_error", []error{ErrServer, ErrRequestTimeout}},
		{529, "overloaded_error", []error{ErrServer, ErrOverloaded}},
		{0, "overloaded_error", []error{ErrOverloaded}},
		{0, "api_error", []error{ErrServer}},
		{0, "invalid_request_error", []error{ErrBadRequest}},
		{418, "", nil},
	}
	for _, c := range cases {
		e := &Error{StatusCode: c.status, Type: c.typ}
		for _, s := range all {
			want := false
			for _, w := range c.want {
				want = want || w == s
			}
			require.Equal(t, want, errors.Is(e, s), "%d %q vs %v", c.status, c.typ, s)
		}
		require.False(t, errors.Is(e, ErrDeliveryUncertain))
	}
	require.True(t, errors.Is(&Error{StatusCode: 429}, ratelimit.ErrLimited), "ErrRateLimited is ratelimit.ErrLimited")
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	e := &Error{StatusCode: 404, Type: "not_found_error", Message: "no agent", RequestID: "req_1", Method: "GET", URL: "https://api.example/v1/agents/a"}
	require.Equal(t, "managedagents: GET https://api.example/v1/agents/a: 404 Not Found (not_found_error): no agent [request-id req_1]", e.Error())
	require.Equal(t, "managedagents: stream error (overloaded_error): busy", (&Error{Type: "overloaded_error", Message: "busy"}).Error())
	require.Equal(t, "managedagents: 502 Bad Gateway", (&Error{StatusCode: 502}).Error())
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	var err error = &ValidationError{Field: "agent_id", Problem: "must not be empty"}
	require.Equal(t, "managedagents: invalid agent_id: must not be empty", err.Error())
	require.ErrorIs(t, err, ErrInvalidParams)
	require.NotErrorIs(t, err, ErrBadRequest)
}

func TestDeliveryError(t *testing.T) {
	t.Parallel()
	apiErr := &Error{StatusCode: 500, Type: "api_error", Message: "boom", Method: "POST", URL: "https://h/v1/sessions"}
	var err error = fmt.Errorf("wrapped: %w", &DeliveryError{Method: "POST", URL: "https://h/v1/sessions", Err: apiErr})
	require.ErrorIs(t, err, ErrDeliveryUncertain)
	require.ErrorIs(t, err, ErrServer, "the cause's sentinels still match")
	var got *Error
	require.ErrorAs(t, err, &got)
	require.Same(t, apiErr, got)
	var del *DeliveryError
	require.ErrorAs(t, err, &del)
	require.Equal(t, "managedagents: POST https://h/v1/sessions: delivery uncertain, not retried: 500 Internal Server Error (api_error): boom", del.Error())

	reset := &DeliveryError{Method: "POST", URL: "u", Err: io.ErrUnexpectedEOF}
	require.ErrorIs(t, reset, io.ErrUnexpectedEOF)
	require.Contains(t, reset.Error(), "unexpected EOF")
	require.Contains(t, (&DeliveryError{}).Error(), "unknown failure", "a nil cause does not panic")
}
