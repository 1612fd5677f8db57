package managedagents

import (
	"net/http"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
)

// A backfill page that never answers does not hang the stream: the page is
// bounded by the idle timeout, and its expiry is a reconnect whose cause
// matches ErrStreamIdle.
func TestStreamBackfillPageWithoutAnswerIsAReconnect(t *testing.T) {
	const idle = time.Minute
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(hang()), // its backfill page never answers
		sseConn(write(frame(term("sevt_3", 3))), hang()),
	}, option.WithStreamIdleTimeout(idle))
	clk := fakeClock(c)
	f.lists = []http.HandlerFunc{pageWithoutAnswer(clk, idle)}
	got, ns := drainSession(t, f, c)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3"}, got)
	gte := "2026-11-24T10:00:00.001Z"
	require.Equal(t, []string{streamPath, streamPath, listReq(gte, ""), streamPath, listReq(gte, "")}, f.requests())
	require.Len(t, ns, 2)
	require.ErrorIs(t, ns[0].Cause, ErrStreamEnded)
	require.ErrorIs(t, ns[1].Cause, ErrStreamIdle)
	require.ErrorContains(t, ns[1].Cause, "GET /v1/sessions/{session_id}/events")
	require.Equal(t, 2, ns[1].Attempt, "a connection whose backfill failed is not healthy")
}

// A list page that keeps failing spends the reconnect budget like any fault.
func TestStreamBackfillPagesWithoutAnswerSpendTheBudget(t *testing.T) {
	const idle = time.Minute
	f, c := newFakeStreams(t, []string{msg("sevt_1", 1)}, []http.HandlerFunc{
		sseConn(write(frame(msg("sevt_1", 1)))),
		sseConn(hang()),
		sseConn(hang()),
	}, option.WithStreamIdleTimeout(idle), option.WithStreamReconnects(2))
	clk := fakeClock(c)
	f.lists = []http.HandlerFunc{pageWithoutAnswer(clk, idle), pageWithoutAnswer(clk, idle)}
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	require.ErrorIs(t, drainGaveUp(t, s, []string{"sevt_1"}, 2), ErrStreamIdle)
}

// A reopen that never answers does not hang the stream either: each open
// attempt's wait for the response headers is bounded by the idle timeout,
// and its expiry is the cause of the next reconnect.
func TestStreamReopenWithoutAnswerIsAReconnect(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, // no headers ever
		sseConn(write(frame(term("sevt_3", 3))), hang()),
	}, option.WithStreamIdleTimeout(100*time.Millisecond))
	// The transport times the wait for headers on the system clock; the
	// live read's watchdog runs on a still fake clock.
	fakeClock(c)
	got, ns := drainSession(t, f, c)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3"}, got)
	require.Equal(t, []string{streamPath, streamPath, streamPath, listReq("2026-11-24T10:00:00.001Z", "")}, f.requests())
	require.Len(t, ns, 2)
	require.ErrorIs(t, ns[0].Cause, ErrStreamEnded)
	require.ErrorContains(t, ns[1].Cause, "no response headers within the stream idle timeout (100ms)")
	require.Equal(t, 2, ns[1].Attempt)
}
