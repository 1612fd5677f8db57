package transport

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/apierror"
)

func TestIsEventStream(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bool{
		"":                                 true,
		"text/event-stream":                true,
		"Text/Event-Stream; charset=utf-8": true,
		"text/event-stream;":               true,
		"application/json":                 false,
		"text/html; charset=utf-8":         false,
		"text/plain":                       false,
		"text/event-streamx":               false,
	} {
		require.Equal(t, want, isEventStream(ct), ct)
	}
}

// TestOpenWrongContentType: a 200 that is not an event stream is a
// *apierror.ResponseError naming the content type and request id, and the
// body is closed.
func TestOpenWrongContentType(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		reply(w, 200, "<html>login</html>", "Content-Type", "text/html", "Request-Id", "req_portal")
	})
	resp, err := Open(context.Background(), testConfig(s), "/v1/sessions/sesn_1/events/stream", nil)
	require.Nil(t, resp)
	var re *apierror.ResponseError
	require.True(t, errors.As(err, &re), "%v", err)
	require.ErrorIs(t, err, apierror.ErrMalformedResponse)
	require.Equal(t, "text/html", re.ContentType)
	require.Equal(t, "req_portal", re.RequestID)
	require.Equal(t, 200, re.StatusCode)
	require.Equal(t, 1, s.count())
}
