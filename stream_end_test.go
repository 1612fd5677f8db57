package managedagents

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// threadTerminated is a session.thread_status_terminated of thread at ms.
func threadTerminated(id, thread string, ms int) string {
	ev := evJSON(EventTypeSessionThreadStatusTerminated, id, ms)
	return ev[:len(ev)-1] + fmt.Sprintf(`,"session_thread_id":%q,"agent_name":"worker"}`, thread)
}

// readUntil reads s until it ends or delivers the event stop, and returns the
// labels delivered.
func readUntil(s *EventStream, stop string) []string {
	var got []string
	for s.Next() {
		got = append(got, label(s.Current()))
		if got[len(got)-1] == stop {
			break
		}
	}
	return got
}

// TestThreadStreamEndsAfterItsThreadTerminated: a thread's stream ends,
// without error, after session.thread_status_terminated of its own thread,
// live or found in the backfill; another thread's termination does not end it.
func TestThreadStreamEndsAfterItsThreadTerminated(t *testing.T) {
	t.Run("live", func(t *testing.T) {
		f, c := newFakeStreams(t, nil, []http.HandlerFunc{
			sseConn(write(frames(msg("sevt_1", 1), threadTerminated("sevt_2", "sthr_other", 2), msg("sevt_3", 3),
				threadTerminated("sevt_4", "sthr_1", 4), msg("sevt_after", 5))), hang()),
		})
		s, err := c.Sessions.Threads.Events.Stream(f.ctx, "sesn_1", "sthr_1", EventStreamParams{})
		require.NoError(t, err)
		defer s.Close()
		require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3", "sevt_4"}, readUntil(s, "sevt_after"))
		require.NoError(t, s.Err())
		require.False(t, s.Next())
	})
	t.Run("backfill", func(t *testing.T) {
		hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), threadTerminated("sevt_3", "sthr_1", 3), msg("sevt_after", 4)}
		f, c := newFakeStreams(t, hist, []http.HandlerFunc{
			sseConn(write(frame(hist[0]))),
			sseConn(write(frame(hist[3])), hang()),
		})
		s, err := c.Sessions.Threads.Events.Stream(f.ctx, "sesn_1", "sthr_1", EventStreamParams{})
		require.NoError(t, err)
		defer s.Close()
		require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3"}, readUntil(s, "sevt_after"))
		require.NoError(t, s.Err())
	})
}

// TestSessionStreamGoesOnAfterAThreadTerminated: a thread's termination is
// only a status event on the session's stream.
func TestSessionStreamGoesOnAfterAThreadTerminated(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		sseConn(write(frames(threadTerminated("sevt_1", "sthr_1", 1), msg("sevt_2", 2), term("sevt_3", 3))), hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3"}, got)
}
