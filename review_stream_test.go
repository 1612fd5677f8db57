package managedagents

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A context cancelled while a backfill page is being delivered ends the stream
// at once: Next does not go on delivering the rest of the page.
func TestReviewStreamCancelStopsMidBackfillPage(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), msg("sevt_3", 3)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(hang()),
	})
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	s, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	defer s.Close()
	var got []string
	for s.Next() {
		got = append(got, label(s.Current()))
		if s.Current().EventID() == "sevt_2" {
			cancel()
		}
	}
	require.Equal(t, []string{"sevt_1", "sevt_2"}, got)
	require.ErrorIs(t, s.Err(), context.Canceled)
}

// Close called in the body of an All loop ends the loop at once, even when
// more events of a backfill page are already in memory.
func TestReviewStreamCloseInAllStopsMidBackfillPage(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), msg("sevt_3", 3)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	var got []string
	for ev, err := range s.All() {
		require.NoError(t, err)
		got = append(got, label(ev))
		if ev.EventID() == "sevt_2" {
			require.NoError(t, s.Close())
		}
	}
	require.Equal(t, []string{"sevt_1", "sevt_2"}, got)
	require.NoError(t, s.Err())
}

// After a reconnect, the new connection may carry the previews of an event the
// backfill already delivered whole. Delivering them after their buffered
// event would leave a preview that nothing ever closes (the buffered copy is a
// duplicate): they are dropped.
func TestReviewStreamStalePreviewsAfterBackfillAreDropped(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_x", 2)}
	start := `{"type":"event_start","event":{"type":"agent.message","id":"sevt_x"}}`
	delta := `{"type":"event_delta","event_id":"sevt_x","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":"hi"}}}`
	startY := `{"type":"event_start","event":{"type":"agent.message","id":"sevt_y"}}`
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(write(frames(start, delta, hist[1], startY, msg("sevt_y", 3), term("sevt_z", 4))), hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{EventDeltas: []string{DeltasAgentMessage}})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_x", "event_start", "sevt_y", "sevt_z"}, got)
}

// Close from another goroutine at any moment of a stream that reconnects and
// backfills: Next returns false soon, Err is nil, nothing leaks (the fake
// checks goroutines), and the race detector finds nothing.
func TestReviewStreamCloseRacesNext(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), msg("sevt_3", 3), msg("sevt_4", 4)}
	for i := range 20 {
		// A subtest per round, so that each fake's goroutine check runs when
		// its round ends, not after the other rounds' servers started.
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			conns := []http.HandlerFunc{}
			for range 50 {
				conns = append(conns, sseConn(write(frames(hist[0], hist[1]))))
			}
			f, c := newFakeStreams(t, hist, conns)
			s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
			require.NoError(t, err)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for s.Next() {
					_ = s.Current()
				}
			}()
			time.Sleep(time.Duration(i) * 100 * time.Microsecond)
			require.NoError(t, s.Close())
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Next did not return after Close")
			}
			require.NoError(t, s.Err())
		})
	}
}

// The turn starts at the processed copy of its queued message even when the
// session.status_running of its work came first; the idle of earlier work,
// seen before, does not end it.
func TestReviewTurnRunningBeforeProcessedCopy(t *testing.T) {
	dec := func(js string) Event {
		ev, err := DecodeEvent([]byte(js))
		require.NoError(t, err)
		return ev
	}
	queued := dec(`{"type":"user.message","id":"sevt_b","content":[],"processed_at":null}`)
	tr := &turn{result: &TurnResult{}, toolUses: map[string]Event{}, answered: map[string]bool{},
		awaitEcho: "sevt_b", echo: queued, startsWork: true}
	feed := func(ev Event) bool {
		done, err := tr.handle(context.Background(), ev)
		require.NoError(t, err)
		return done
	}
	require.False(t, feed(queued))
	require.False(t, feed(dec(evJSON(TypeSessionStatusRunning, "sevt_r0", 1)))) // earlier work resumes
	require.False(t, feed(dec(msg("sevt_m0", 2))))
	tr.duplicate(dec(`{"type":"user.message","id":"sevt_b","content":[],"processed_at":"2026-11-24T10:00:00.004Z"}`))
	require.False(t, feed(dec(evJSON(TypeSessionStatusRunning, "sevt_r1", 4))))
	require.False(t, feed(dec(msg("sevt_m1", 5))))
	require.True(t, feed(dec(`{"type":"session.status_idle","id":"sevt_i1","processed_at":"2026-11-24T10:00:00.006Z","stop_reason":{"type":"end_turn"}}`)))
	require.Len(t, tr.result.Messages, 1)
	require.Equal(t, "sevt_m1", tr.result.Messages[0].ID)

	// The same, with the running before the processed copy.
	tr = &turn{result: &TurnResult{}, toolUses: map[string]Event{}, answered: map[string]bool{},
		awaitEcho: "sevt_b", echo: queued, startsWork: true}
	require.False(t, feed(queued))
	require.False(t, feed(dec(evJSON(TypeSessionStatusRunning, "sevt_r1", 4))))
	tr.duplicate(dec(`{"type":"user.message","id":"sevt_b","content":[],"processed_at":"2026-11-24T10:00:00.004Z"}`))
	require.True(t, feed(dec(`{"type":"session.status_idle","id":"sevt_i1","processed_at":"2026-11-24T10:00:00.006Z","stop_reason":{"type":"end_turn"}}`)))
}
