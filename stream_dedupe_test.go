package managedagents

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var dedupeBase = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// ms is dedupeBase plus n milliseconds.
func ms(n int) time.Time { return dedupeBase.Add(time.Duration(n) * time.Millisecond) }

func TestDedupeHoldsOnlyTheCursorOverALongStream(t *testing.T) {
	t.Parallel()
	var d dedupe
	const n = 200_000
	at := func(i int) time.Time { return ms(i / 4) } // four events per timestamp
	for i := range n {
		require.True(t, d.admit("sevt_"+strconv.Itoa(i), at(i), false))
		require.LessOrEqual(t, d.size(), 4, "the ids at the cursor only")
	}
	require.Equal(t, at(n-1), d.cursor)
	// A backfill from the cursor (created_at[gte]) repeats the events at the
	// cursor: all are known.
	d.reopened(d.cursor, time.Time{})
	for i := n - 4; i < n; i++ {
		require.False(t, d.admit("sevt_"+strconv.Itoa(i), at(i), true), i)
	}
	require.True(t, d.admit("sevt_new", at(n), true))
}

func TestDedupeKeepsAQueuedIDUntilItsProcessedCopy(t *testing.T) {
	t.Parallel()
	var d dedupe
	require.True(t, d.admit("sevt_u", time.Time{}, false), "the queued copy")
	require.False(t, d.admit("sevt_u", time.Time{}, false), "a second queued copy")
	for i := range 100_000 {
		require.True(t, d.admit("sevt_"+strconv.Itoa(i), ms(i), false))
	}
	require.Equal(t, ms(99_999), d.cursor, "queued copies do not move the cursor")
	require.False(t, d.admit("sevt_u", ms(100_000), false), "the processed copy, 100,000 events later")
	require.Empty(t, d.pending)
	// The processed copy moved the cursor, as if delivered: a backfill from
	// there lists it again and it is known.
	require.Equal(t, ms(100_000), d.cursor)
	d.reopened(d.cursor, time.Time{})
	require.False(t, d.admit("sevt_u", ms(100_000), true))
}

func TestDedupeQueuedCopyThenProcessedCopyFromABackfill(t *testing.T) {
	t.Parallel()
	var d dedupe
	require.True(t, d.admit("sevt_1", ms(1), false))
	require.True(t, d.admit("sevt_u", time.Time{}, false))
	d.reopened(d.cursor, time.Time{})
	require.False(t, d.admit("sevt_1", ms(1), true), "at the cursor")
	require.False(t, d.admit("sevt_u", ms(5), true), "the processed copy, listed")
	require.True(t, d.admit("sevt_2", ms(6), true))
	require.Empty(t, d.pending)
}

func TestDedupeOverlapHeldUntilTheLiveStreamPassesIt(t *testing.T) {
	t.Parallel()
	var d dedupe
	for i := range 10 {
		require.True(t, d.admit("sevt_"+strconv.Itoa(i), ms(i), false))
	}
	// Reopened with the Date 60 s later; the backfill lists 9…(60 s + 50,000
	// ms). Events processed more than overlapSlack before the Date cannot be
	// on the new connection: they are not held.
	date := ms(60_000)
	d.reopened(d.cursor, date)
	require.Equal(t, date.Add(-overlapSlack), d.overlapFrom)
	require.False(t, d.admit("sevt_9", ms(9), true))
	for i := 10; i < 110_000; i += 2 {
		require.True(t, d.admit("sevt_"+strconv.Itoa(i), ms(i), true))
	}
	require.Len(t, d.overlap, (110_000-50_000)/2, "the listed events since the Date minus the slack")
	// The new connection repeats 50,000 of them, then goes on.
	for i := 60_000; i < 110_000; i += 2 {
		require.False(t, d.admit("sevt_"+strconv.Itoa(i), ms(i), false), i)
	}
	require.True(t, d.admit("sevt_110000", ms(110_000), false))
	require.NotNil(t, d.overlap, "an overlap event may still follow, within the slack")
	last := 110_000 + int(overlapSlack/time.Millisecond)
	require.True(t, d.admit("sevt_late", ms(last+1), false))
	require.Nil(t, d.overlap, "the live stream is past every listed event")
	require.LessOrEqual(t, d.size(), 1)
}

func TestDedupeDropsALiveReplayOfEventsBeforeTheReopen(t *testing.T) {
	t.Parallel()
	var d dedupe
	for i := range 100 {
		require.True(t, d.admit("sevt_"+strconv.Itoa(i), ms(i), false))
	}
	d.reopened(d.cursor, ms(100))
	// The new connection begins with a replay of the last 50 events, most of
	// them not at the cursor, then new ones.
	for i := 50; i < 100; i++ {
		require.False(t, d.admit("sevt_"+strconv.Itoa(i), ms(i), false), i)
	}
	require.True(t, d.admit("sevt_100", ms(100), false))
	require.True(t, d.admit("sevt_u", time.Time{}, false), "a queued copy is new")
}

func TestDedupeWithoutDateHoldsTheWholeBackfill(t *testing.T) {
	t.Parallel()
	var d dedupe
	d.reopened(ms(0), time.Time{})
	for i := range 100 {
		require.True(t, d.admit("sevt_"+strconv.Itoa(i), ms(i), true))
	}
	require.Len(t, d.overlap, 100)
	for i := range 100 {
		require.False(t, d.admit("sevt_"+strconv.Itoa(i), ms(i), false))
	}
}

func TestServerDate(t *testing.T) {
	t.Parallel()
	resp := &http.Response{Header: http.Header{"Date": {"Tue, 24 Nov 2026 10:00:00 GMT"}}}
	require.Equal(t, dedupeBase, serverDate(resp))
	require.True(t, serverDate(&http.Response{Header: http.Header{"Date": {"soon"}}}).IsZero())
	require.True(t, serverDate(&http.Response{Header: http.Header{}}).IsZero())
}

// BenchmarkDedupe measures the dedupe's cost per event: a live event (unique
// id, two per millisecond), and the live copy of an event a 10,000-event
// backfill listed (a duplicate dropped while the overlap is held).
func BenchmarkDedupe(b *testing.B) {
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = "sevt_011CFake" + strconv.Itoa(1_000_000+i)
	}
	b.Run("live", func(b *testing.B) {
		var d dedupe
		i := 0
		for b.Loop() {
			if !d.admit(ids[i%len(ids)], ms(i/2), false) {
				b.Fatal("a new event dropped")
			}
			i++
		}
	})
	b.Run("overlap", func(b *testing.B) {
		const overlap = 10_000
		var d dedupe
		d.reopened(ms(0), time.Time{})
		for i := range overlap {
			d.admit(ids[i], ms(i), true)
		}
		i := 0
		for b.Loop() {
			if d.admit(ids[i%overlap], ms(i%overlap), false) {
				b.Fatal("a listed event delivered again")
			}
			i++
		}
	})
}
