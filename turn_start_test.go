package managedagents

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// The turn starts at the processed copy of its queued message even when the
// session.status_running of its work came first; the idle of earlier work,
// seen before, does not end it.
func TestTurnStartsAtTheProcessedCopyOfItsEvents(t *testing.T) {
	dec := func(js string) Event {
		ev, err := DecodeEvent([]byte(js))
		require.NoError(t, err)
		return ev
	}
	queued := dec(`{"type":"user.message","id":"sevt_b","content":[],"processed_at":null}`)
	tr := &turn{result: &TurnResult{}, toolUses: map[string]Event{}, answered: map[string]bool{},
		awaitEcho: "sevt_b", echo: queued}
	feed := func(ev Event) bool {
		done, err := tr.handle(context.Background(), ev)
		require.NoError(t, err)
		return done
	}
	require.False(t, feed(queued))
	require.False(t, feed(dec(evJSON(EventTypeSessionStatusRunning, "sevt_r0", 1)))) // earlier work resumes
	require.False(t, feed(dec(msg("sevt_m0", 2))))
	tr.duplicate(dec(`{"type":"user.message","id":"sevt_b","content":[],"processed_at":"2026-11-24T10:00:00.004Z"}`))
	require.False(t, feed(dec(evJSON(EventTypeSessionStatusRunning, "sevt_r1", 4))))
	require.False(t, feed(dec(msg("sevt_m1", 5))))
	require.True(t, feed(dec(`{"type":"session.status_idle","id":"sevt_i1","processed_at":"2026-11-24T10:00:00.006Z","stop_reason":{"type":"end_turn"}}`)))
	require.Len(t, tr.result.Messages, 1)
	require.Equal(t, "sevt_m1", tr.result.Messages[0].ID)

	// The same, with the running before the processed copy.
	tr = &turn{result: &TurnResult{}, toolUses: map[string]Event{}, answered: map[string]bool{},
		awaitEcho: "sevt_b", echo: queued}
	require.False(t, feed(queued))
	require.False(t, feed(dec(evJSON(EventTypeSessionStatusRunning, "sevt_r1", 4))))
	tr.duplicate(dec(`{"type":"user.message","id":"sevt_b","content":[],"processed_at":"2026-11-24T10:00:00.004Z"}`))
	require.True(t, feed(dec(`{"type":"session.status_idle","id":"sevt_i1","processed_at":"2026-11-24T10:00:00.006Z","stop_reason":{"type":"end_turn"}}`)))
}
