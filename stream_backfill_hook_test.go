package managedagents

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStreamOnBackfillCountsWhatItPassedOn: after a reconnect, OnBackfill
// tells the cursor, the pages listed and the events the backfill delivered,
// not the duplicates it dropped.
func TestStreamOnBackfillCountsWhatItPassedOn(t *testing.T) {
	hist := []string{msg("sevt_a", 5), msg("sevt_b", 7), msg("sevt_c", 7), msg("sevt_d", 7), msg("sevt_e", 9)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frames(hist[0], hist[1]))),
		sseConn(write(frames(hist[3], hist[4], msg("sevt_f", 10), term("sevt_z", 11))), hang()),
	})
	// OnBackfill runs in the reading goroutine, this one.
	var got []StreamBackfill
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnBackfill: func(b StreamBackfill) { got = append(got, b) }})
	require.NoError(t, err)
	ids, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_a", "sevt_b", "sevt_c", "sevt_d", "sevt_e", "sevt_f", "sevt_z"}, ids)
	// The list gives b (at the cursor, a duplicate), c, d and e on two pages.
	require.Equal(t, []StreamBackfill{{
		Since:  time.Date(2026, 11, 24, 10, 0, 0, 7e6, time.UTC),
		Pages:  2,
		Events: 3,
	}}, got)
}

// TestStreamOnBackfillReportsTheSinceReplay: the replay of Since is a
// backfill too; a stream that never reconnects reports nothing else.
func TestStreamOnBackfillReportsTheSinceReplay(t *testing.T) {
	hist := []string{msg("sevt_old", -5_000), msg("sevt_1", 1), msg("sevt_2", 2)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frames(hist[2], msg("sevt_3", 3), term("sevt_4", 4))), hang()),
	})
	since := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var got []StreamBackfill
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{Since: since, OnBackfill: func(b StreamBackfill) { got = append(got, b) }})
	require.NoError(t, err)
	_, err = drain(s)
	require.NoError(t, err)
	require.Equal(t, []StreamBackfill{{Since: since, Pages: 1, Events: 2}}, got)
}
