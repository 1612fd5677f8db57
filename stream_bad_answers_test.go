package managedagents

import (
	"io"
	"net/http"
	"testing"

	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
)

// answer200 answers 200 with a content type and a body, as a proxy's
// maintenance page or a cut-off cache entry would.
func answer200(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Request-Id", "req_proxy")
		_, _ = io.WriteString(w, body)
	}
}

var (
	maintenancePage = answer200("text/html; charset=utf-8", "<html><title>Down for maintenance</title></html>")
	cutShortPage    = answer200("application/json", `{"data":[{"type":"agent.message","id":"sevt_2","processed_at":"2026-11-24T10:00:00.002Z"},{"ty`)
)

// A 200 that cannot be read during a reconnect (a list page that is a
// proxy's HTML page or JSON cut short, a reopen answered with another content
// type) is a transient fault: the stream reconnects, within its budget, and
// delivers every event once.
func TestStreamBadAnswerDuringReconnectIsAFault(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(hang()), // its page: the maintenance page
		answer200("application/json", `{"data":[]}`),
		sseConn(hang()), // its page: JSON cut short
		sseConn(write(frame(term("sevt_3", 3))), hang()),
	})
	fakeClock(c)
	f.lists = []http.HandlerFunc{maintenancePage, cutShortPage}
	got, ns := drainSession(t, f, c)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3"}, got)
	gte := "2026-11-24T10:00:00.001Z"
	require.Equal(t, []string{
		streamPath, streamPath, listReq(gte, ""), streamPath, streamPath, listReq(gte, ""), streamPath, listReq(gte, ""),
	}, f.requests())
	require.Len(t, ns, 4)
	require.ErrorIs(t, ns[0].Cause, ErrStreamEnded)
	for i, want := range map[int]string{1: "text/html", 2: "not an event stream", 3: "unexpected end of JSON input"} {
		var re *ResponseError
		require.ErrorAs(t, ns[i].Cause, &re, "notice %d", i)
		require.Equal(t, "req_proxy", re.RequestID)
		require.ErrorContains(t, ns[i].Cause, want)
		require.Equal(t, i+1, ns[i].Attempt, "no healthy connection in between")
	}
}

// A proxy that keeps answering with its page spends the reconnect budget:
// the stream ends with a *StreamError whose cause is the *ResponseError.
func TestStreamBadAnswersSpendTheBudget(t *testing.T) {
	f, c := newFakeStreams(t, []string{msg("sevt_1", 1)}, []http.HandlerFunc{
		sseConn(write(frame(msg("sevt_1", 1)))),
		sseConn(hang()),
		maintenancePage,
	}, option.WithStreamReconnects(2))
	fakeClock(c)
	f.lists = []http.HandlerFunc{maintenancePage}
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	err = drainGaveUp(t, s, []string{"sevt_1"}, 2)
	require.ErrorIs(t, err, ErrMalformedResponse)
	require.ErrorContains(t, err, "not an event stream")
}
