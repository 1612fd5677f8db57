package transport

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// finalConflictEndpoint is an update whose 409 answers are final, as the
// memory endpoints declare them.
func finalConflictEndpoint() *Endpoint {
	return testEndpoint(http.MethodPost, "/v1/memory_stores/memstore_1/memories/mem_1").ConflictIsFinal()
}

const preconditionFailed = `{"type":"error","error":{"type":"memory_precondition_failed_error","message":"content_sha256 does not match"}}`

// A 409 of an endpoint that declares its conflicts final is the answer: it
// is not retried, not even when the server says x-should-retry: true, and it
// is not uncertain when no earlier attempt may have been applied.
func TestFinalConflictNotRetried(t *testing.T) {
	t.Parallel()
	for _, header := range []string{"", "true"} {
		t.Run("x-should-retry="+header, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				reply(w, 409, preconditionFailed, "X-Should-Retry", header)
			})
			_, _, err := Do(context.Background(), testConfig(s), finalConflictEndpoint().At().WithBody(map[string]string{"content": "x"}))
			require.Equal(t, 1, s.count(), "a final conflict is sent once")
			require.Equal(t, 409, statusOf(t, err).Response.StatusCode)
			require.False(t, uncertain(err))
		})
	}
}

// Without the declaration a 409 is retried, as the official SDK does.
func TestConflictRetriedByDefault(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		reply(w, 409, preconditionFailed)
	})
	e := testEndpoint(http.MethodPost, "/v1/memory_stores/memstore_1/memories/mem_1")
	_, _, err := Do(context.Background(), testConfig(s), e.At().WithBody(map[string]string{"content": "x"}))
	require.Equal(t, 3, s.count())
	require.False(t, uncertain(err))
}

// A final 409 after an attempt that may have been applied (a 5xx, a
// connection lost after sending) may be that attempt's own echo: it is
// reported as uncertain, with the 409 kept. After a refusal (429) it is not.
func TestFinalConflictAfterPossiblyAppliedAttempt(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		first     func(w http.ResponseWriter)
		uncertain bool
	}{
		"after 500":     {func(w http.ResponseWriter) { reply(w, 500, errBody("api_error", "boom")) }, true},
		"after 408":     {func(w http.ResponseWriter) { reply(w, 408, errBody("timeout_error", "slow")) }, true},
		"after a reset": {resetConn, true},
		"after a 429": {func(w http.ResponseWriter) {
			reply(w, 429, errBody("rate_limit_error", "slow down"), "Retry-After-Ms", "1")
		}, false},
		"first attempt": {nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 && tc.first != nil {
					tc.first(w)
					return
				}
				reply(w, 409, preconditionFailed)
			})
			_, _, err := Do(context.Background(), testConfig(s), finalConflictEndpoint().At().WithBody(map[string]string{"content": "x"}))
			want := 1
			if tc.first != nil {
				want = 2
			}
			require.Equal(t, want, s.count())
			require.Equal(t, 409, statusOf(t, err).Response.StatusCode, "the final answer is kept")
			require.Equal(t, tc.uncertain, uncertain(err))
		})
	}
}

func TestMayHaveApplied(t *testing.T) {
	t.Parallel()
	err := context.DeadlineExceeded
	require.True(t, mayHaveApplied(0, err, true), "lost after sending")
	require.False(t, mayHaveApplied(0, err, false), "never sent")
	for status, want := range map[int]bool{400: false, 404: false, 408: true, 409: false, 429: false, 500: true, 503: true, 529: true} {
		require.Equal(t, want, mayHaveApplied(status, nil, true), status)
	}
}
