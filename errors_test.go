package managedagents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

func TestAPIErrorIs(t *testing.T) {
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
		e := &APIError{StatusCode: c.status, Type: c.typ}
		for _, s := range all {
			want := false
			for _, w := range c.want {
				want = want || w == s
			}
			require.Equal(t, want, errors.Is(e, s), "%d %q vs %v", c.status, c.typ, s)
		}
		require.False(t, errors.Is(e, ErrDeliveryUncertain))
	}
	require.True(t, errors.Is(&APIError{StatusCode: 429}, ratelimit.ErrLimited), "ErrRateLimited is ratelimit.ErrLimited")
	require.ErrorIs(t, &ratelimit.WaitError{Class: ratelimit.Read}, ErrRateLimited, "the limiter's wait matches too")
}

func TestAPIErrorMessage(t *testing.T) {
	t.Parallel()
	e := &APIError{StatusCode: 404, Type: "not_found_error", Message: "no agent", RequestID: "req_1", Method: "GET", URL: "https://api.example/v1/agents/a"}
	require.Equal(t, "managedagents: GET https://api.example/v1/agents/a: 404 Not Found (not_found_error): no agent [request-id req_1]", e.Error())
	require.Equal(t, "managedagents: stream error (overloaded_error): busy", (&APIError{Type: "overloaded_error", Message: "busy"}).Error())
	require.Equal(t, "managedagents: 502 Bad Gateway", (&APIError{StatusCode: 502}).Error())
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
	apiErr := &APIError{StatusCode: 500, Type: "api_error", Message: "boom", Method: "POST", URL: "https://h/v1/sessions"}
	var err error = fmt.Errorf("wrapped: %w", &DeliveryError{Method: "POST", URL: "https://h/v1/sessions", Err: apiErr})
	require.ErrorIs(t, err, ErrDeliveryUncertain)
	require.ErrorIs(t, err, ErrServer, "the cause's sentinels still match")
	var got *APIError
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

func TestResponseError(t *testing.T) {
	t.Parallel()
	cause := &json.SyntaxError{Offset: 3}
	e := &ResponseError{Method: "POST", URL: "https://api.example.com/v1/agents", StatusCode: 200, ContentType: "text/html", RequestID: "req_1", Err: cause}
	require.Equal(t, `managedagents: POST https://api.example.com/v1/agents: decoding response: `+cause.Error()+` (status 200, content-type "text/html") [request-id req_1]`, e.Error())
	require.ErrorIs(t, e, ErrMalformedResponse)
	require.NotErrorIs(t, e, ErrServer)
	var se *json.SyntaxError
	require.True(t, errors.As(e, &se))

	empty := &ResponseError{Method: "GET", URL: "/v1/sessions/sesn_1", StatusCode: 200, Err: errEmptyBody}
	require.Equal(t, "managedagents: GET /v1/sessions/sesn_1: decoding response: empty response body (status 200)", empty.Error())
	require.ErrorIs(t, empty, ErrMalformedResponse)
}

func TestStreamErrorUnwraps(t *testing.T) {
	t.Parallel()
	cause := &APIError{StatusCode: 503, Method: "GET", URL: "https://h/v1/sessions/s/events/stream"}
	var err error = &StreamError{Attempts: 3, Err: cause}
	var got *APIError
	require.ErrorAs(t, err, &got)
	require.Same(t, cause, got)
	require.ErrorIs(t, err, ErrServer)
	require.Equal(t, "managedagents: event stream gave up after 3 reconnects in a row: GET https://h/v1/sessions/s/events/stream: 503 Service Unavailable", err.Error())
}

// TestErrorMessagesSayThePrefixOnce builds every error kind around every
// other (as the SDK nests them: a delivery failure of a 5xx, a stream that
// gave up on a stream error or a decode error, a malformed answer whose cause
// is one of the package's errors) and checks that "managedagents:" starts each
// message and appears nowhere else.
func TestErrorMessagesSayThePrefixOnce(t *testing.T) {
	t.Parallel()
	leaves := []error{
		&APIError{StatusCode: 500, Type: "api_error", Message: "boom", Method: "POST", URL: "https://h/v1/x", RequestID: "req_1"},
		&APIError{Type: "overloaded_error", Message: "busy"},
		&ValidationError{Field: "f", Problem: "p"},
		&ratelimit.WaitError{Class: ratelimit.Read},
		&EventDecodeError{ID: "sevt_1", Index: -1, Err: errors.New("bad")},
		ErrStreamEnded, ErrStreamIdle, ErrNotFound, ErrMissingCredentials, ratelimit.ErrLimited,
		fmt.Errorf("%w (%d bytes)", ErrEventTooLarge, 1024),
		fmt.Errorf("managedagents: POST /v1/sessions: %w", io.ErrUnexpectedEOF), // a network error of the transport
		context.Canceled, io.ErrUnexpectedEOF,
	}
	wrappers := map[string]func(error) error{
		"delivery": func(e error) error { return &DeliveryError{Method: "POST", URL: "https://h/v1/x", Err: e} },
		"response": func(e error) error {
			return &ResponseError{Method: "GET", URL: "https://h/v1/x", StatusCode: 200, Err: e}
		},
		"stream": func(e error) error { return &StreamError{Attempts: 2, Err: e} },
	}
	check := func(err error) {
		msg := err.Error()
		require.True(t, strings.HasPrefix(msg, "managedagents: ") || !strings.Contains(msg, "managedagents"), msg)
		require.LessOrEqual(t, strings.Count(msg, "managedagents:"), 1, msg)
	}
	for _, leaf := range leaves {
		check(leaf)
		for _, w := range wrappers {
			check(w(leaf))
			for _, w2 := range wrappers {
				check(w2(w(leaf)))
			}
		}
	}
}

// TestResponseErrorCarriesTheAnswer: a 2xx answer that does not decode gives
// a *ResponseError with the answer's status, content type and request id,
// for the calls that decode with their own decoder (an event send, a
// resource's union) as for the others.
func TestResponseErrorCarriesTheAnswer(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Request-Id", "req_bad")
		replyJSON(201, `{"data":[{"type":7}],"type":[]}`)(w, r)
	})
	ctx := context.Background()
	calls := map[string]func() error{
		"Sessions.Events.Send": func() error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessage("hi")}})
			return err
		},
		"Sessions.Resources.Get": func() error {
			_, err := c.Sessions.Resources.Get(ctx, "sesn_1", "sesrsc_1", SessionResourceGetParams{})
			return err
		},
		"Sessions.Resources.Update": func() error {
			_, err := c.Sessions.Resources.Update(ctx, "sesn_1", "sesrsc_1", SessionResourceUpdateParams{AuthorizationToken: NewSecret("tok")})
			return err
		},
		"Sessions.Get": func() error {
			_, err := c.Sessions.Get(ctx, "sesn_1", SessionGetParams{})
			return err
		},
	}
	for name, call := range calls {
		var re *ResponseError
		require.ErrorAs(t, call(), &re, name)
		require.Equal(t, 201, re.StatusCode, name)
		require.Equal(t, "req_bad", re.RequestID, name)
		require.Equal(t, "application/json", re.ContentType, name)
		require.Contains(t, re.URL, "/v1/sessions/sesn_1", name)
		require.NotNil(t, re.Err, name)
	}
}

// TestEveryCallReportsAnUnreadableAnswer walks every service method (the
// table of endpoints_test.go) against a server whose 2xx answers cannot be
// read: each call fails with a *ResponseError carrying the answer's status
// and request id, matching ErrMalformedResponse, with the package's prefix
// once. An events list whose page is JSON but holds an event that does not
// decode is such an answer too. Downloads hand their body over unread, so
// they are not asked.
func TestEveryCallReportsAnUnreadableAnswer(t *testing.T) {
	t.Parallel()
	const (
		wrongTypes = `{"id":7,"type":[],"data":[{"type":7,"id":7}],"next_page":7}`
		badEvent   = `{"data":[{"type":"agent.message","id":"sevt_1","processed_at":false}],"next_page":null}`
	)
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Request-Id", "req_unreadable")
		body := wrongTypes
		if strings.HasSuffix(r.URL.Path, "/events") && r.Method == http.MethodGet {
			body = badEvent
		}
		replyJSON(200, body)(w, r)
	}, option.WithEnvironmentKey(testEnvironmentKey))
	downloads := []string{"Files.Download", "Files.DownloadToFile", "Skills.Versions.Download"}
	for name, sc := range serviceCalls {
		if slices.Contains(downloads, name) {
			continue
		}
		err := sc.call(context.Background(), c)
		var re *ResponseError
		require.ErrorAs(t, err, &re, "%s: %v", name, err)
		require.ErrorIs(t, err, ErrMalformedResponse, name)
		require.Equal(t, 200, re.StatusCode, name)
		require.Equal(t, "req_unreadable", re.RequestID, name)
		require.Equal(t, 1, strings.Count(err.Error(), "managedagents:"), err.Error())
	}
}
