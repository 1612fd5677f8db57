package managedagents

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDedupeStaysBoundedOverAMillionStyleStream(t *testing.T) {
	t.Parallel()
	d := newDedupe()
	base := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	const n = 200_000
	at := func(i int) time.Time { return base.Add(time.Duration(i/4) * time.Millisecond) } // four events per timestamp
	maxSize := 0
	for i := range n {
		id := "sevt_" + strconv.Itoa(i)
		require.False(t, d.seen(id))
		d.add(id, at(i))
		maxSize = max(maxSize, d.size())
	}
	require.LessOrEqual(t, maxSize, dedupeRecent+4, "ring plus the events at the cursor")
	require.Len(t, d.ring, dedupeRecent)
	require.Equal(t, at(n-1), d.cursor)

	// A backfill from the cursor (created_at[gte]) repeats the events at the
	// cursor and everything delivered recently: all are known.
	for i := n - dedupeRecent; i < n; i++ {
		require.True(t, d.seen("sevt_"+strconv.Itoa(i)), i)
	}
	// Older ids are forgotten: nothing can repeat them.
	require.False(t, d.seen("sevt_0"))
}

func TestDedupeKeepsCursorIDsBeyondTheRing(t *testing.T) {
	t.Parallel()
	d := newDedupe()
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	d.add("sevt_at_cursor", at)
	// Many queued (no processed_at) or older events follow and push it out of
	// the ring; it stays known, since a backfill from the cursor repeats it.
	for i := range dedupeRecent + 10 {
		d.add("sevt_q"+strconv.Itoa(i), time.Time{})
	}
	require.True(t, d.seen("sevt_at_cursor"))
	require.Equal(t, at, d.cursor, "queued events do not move the cursor")
	d.add("sevt_later", at.Add(time.Millisecond))
	require.False(t, d.seen("sevt_at_cursor"), "forgotten once the cursor moved past it")
	require.True(t, d.seen("sevt_later"))
}
