package transport

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
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
// *ContentTypeError carrying the answer (content type, request id), never
// retried.
func TestOpenWrongContentType(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		reply(w, 200, "<html>login</html>", "Content-Type", "text/html", "Request-Id", "req_portal")
	})
	resp, err := Open(context.Background(), testConfig(s), testEndpoint("GET", "/v1/sessions/sesn_1/events/stream").At(), 2)
	require.Nil(t, resp)
	var ce *ContentTypeError
	require.True(t, errors.As(err, &ce), "%v", err)
	require.Equal(t, "text/html", ce.Response.Header.Get("Content-Type"))
	require.Equal(t, "req_portal", ce.Response.Header.Get("Request-Id"))
	require.Equal(t, 200, ce.Response.StatusCode)
	require.Equal(t, 1, s.count())
}
