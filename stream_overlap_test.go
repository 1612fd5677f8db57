package managedagents

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// sessionLog is the event log of a session played by a test's own server:
// event i is the agent.message "sevt_<i>" processed i ms after 10:00:00
// (evJSON's clock), so that the server's Date matches its processed_at.
type sessionLog struct{}

func (l sessionLog) event(i int) string { return msg("sevt_"+strconv.Itoa(i), i) }

// list answers GET …/events from the log as it stood when event end-1 was the
// last processed: the events processed at or after created_at[gte], in pages
// of 1,000 (the page token is the offset).
func (l sessionLog) list(t *testing.T, w http.ResponseWriter, r *http.Request, end int) {
	q := r.URL.Query()
	from := 0
	if v := q.Get("created_at[gte]"); v != "" {
		at, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			t.Errorf("created_at[gte] %q: %v", v, err)
		}
		from = int(at.Sub(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)).Milliseconds())
	}
	if p := q.Get("page"); p != "" {
		from, _ = strconv.Atoi(p)
	}
	last := min(from+1000, end)
	parts := make([]string, 0, last-from)
	for i := from; i < last; i++ {
		parts = append(parts, l.event(i))
	}
	next := "null"
	if last < end {
		next = strconv.Quote(strconv.Itoa(last))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"data":[%s],"next_page":%s}`, strings.Join(parts, ","), next)
}

// readSessionStream serves h as the API, reads the stream of session sesn_1
// to its end through a client without limiter or retries (tiny stream
// backoffs), and returns the stream and how many times each id came, in the
// order of first delivery. The test fails if the stream ends with an error or
// leaves a goroutine behind.
func readSessionStream(t *testing.T, h http.HandlerFunc) (s *EventStream, order []string, count map[string]int) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := NewClient(
		option.WithAPIKey(testAPIKey),
		option.WithBaseURL(srv.URL),
		option.WithHTTPClient(srv.Client()),
		option.WithoutLimiter(),
		option.WithMaxRetries(0),
		option.WithStreamBackoff(time.Millisecond, 5*time.Millisecond),
	)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	s, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	count = map[string]int{}
	for s.Next() {
		id := s.Current().EventID()
		if count[id] == 0 {
			order = append(order, id)
		}
		count[id]++
	}
	require.NoError(t, s.Err())
	return s, order, count
}

// duplicates returns how many copies beyond the first count holds.
func duplicates(count map[string]int) int {
	d := 0
	for _, n := range count {
		d += n - 1
	}
	return d
}

// TestStreamBackfillOverlapOfAnySizeDeliveredOnce: after a reconnect the
// stream reopens, lists the history, then reads what the new connection
// buffered. When the list is slow and the session busy, the listed events and
// the new connection overlap by many events: each is delivered once however
// large the overlap. The stream holds the listed ids the new connection may
// repeat, not the whole backfill: after a long disconnect, only those
// processed since 10 s before the reopen's Date.
func TestStreamBackfillOverlapOfAnySizeDeliveredOnce(t *testing.T) {
	for _, tc := range []struct {
		name            string
		missed, overlap int // events processed while away; listed ones the new connection carries too
		held            int // ids the stream holds at the end
	}{
		// held: every listed event (9…reopenAt+overlap-1), and the terminal
		// event at the cursor.
		{name: "5000", missed: 10, overlap: 5_000, held: 5_011 + 1},
		{name: "10000", missed: 10, overlap: 10_000, held: 10_011 + 1},
		{name: "100000", missed: 10, overlap: 100_000, held: 100_011 + 1},
		// 30 s of events missed: those processed before 10:00:20 cannot be
		// on the new connection, whose Date is 10:00:30 (10:00:30.010 to the
		// second): held are the listed events from 20,000 on.
		{name: "10000 after a long disconnect", missed: 30_000, overlap: 10_000, held: 20_010 + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.overlap > 10_000 && testing.Short() {
				t.Skip("100,000 events: not with -short")
			}
			// The first connection delivers events 0…9 and ends; `missed`
			// events are processed while the stream is away; it reopens at
			// the next one, and the list answers only once `overlap` more
			// were processed: it lists 9…reopenAt+overlap-1, while the new
			// connection buffered reopenAt…reopenAt+overlap+4.
			log := sessionLog{}
			reopenAt := 10 + tc.missed
			listEnd := reopenAt + tc.overlap
			liveEnd := listEnd + 5
			date := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC).Add(time.Duration(reopenAt) * time.Millisecond)
			var opens atomic.Int32
			s, order, count := readSessionStream(t, func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/stream") {
					log.list(t, w, r, listEnd)
					return
				}
				opens.Add(1)
				w.Header().Set("Content-Type", "text/event-stream")
				w.Header().Set("Date", streamDate)
				from, end := 0, 10
				if opens.Load() > 1 {
					w.Header().Set("Date", date.Format(http.TimeFormat))
					from, end = reopenAt, liveEnd
				}
				var b strings.Builder
				for i := from; i < end; i++ {
					b.WriteString(frame(log.event(i)))
				}
				if opens.Load() > 1 {
					b.WriteString(frame(term("sevt_end", liveEnd)))
				}
				_, _ = w.Write([]byte(b.String()))
			})
			require.Zero(t, duplicates(count), "events delivered twice")
			require.Len(t, order, liveEnd+1)
			for i := range liveEnd {
				require.Equal(t, "sevt_"+strconv.Itoa(i), order[i])
			}
			require.Equal(t, int32(2), opens.Load())
			require.Equal(t, tc.held, s.dd.size())
		})
	}
}

// TestStreamQueuedCopyFarFromItsProcessedCopyDeliveredOnce: a user.message is
// echoed queued (processed_at null) and again once processed, with any number
// of events between the two copies, live or from a backfill: it is delivered
// once, as its first copy.
func TestStreamQueuedCopyFarFromItsProcessedCopyDeliveredOnce(t *testing.T) {
	const between = 10_000
	queued := `{"type":"user.message","id":"sevt_u","content":[],"processed_at":null}`
	processed := evJSON("user.message", "sevt_u", between)
	log := sessionLog{}
	for _, tc := range []struct {
		name string
		// conns are the frames of each stream connection; list is the history
		// a backfill lists, ascending.
		conns []string
		list  []string
	}{
		{
			name: "live",
			// One connection: the queued copy, 10,000 events, the processed copy.
			conns: []string{queued + "\n" + eventsJSON(log, 0, between) + "\n" + processed + "\n" + term("sevt_end", between+1)},
		},
		{
			name: "backfill",
			// The queued copy and 10,000 events, then a cut; the backfill lists
			// the processed copy.
			conns: []string{queued + "\n" + eventsJSON(log, 0, between), term("sevt_end", between+1)},
			list:  []string{log.event(between - 1), processed},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opens := 0
			_, order, count := readSessionStream(t, func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/stream") {
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"data":[%s],"next_page":null}`, strings.Join(tc.list, ","))
					return
				}
				opens++
				if opens > len(tc.conns) {
					http.Error(w, "unscripted", http.StatusInternalServerError)
					return
				}
				w.Header().Set("Content-Type", "text/event-stream")
				w.Header().Set("Date", streamDate)
				_, _ = w.Write([]byte(frames(strings.Split(tc.conns[opens-1], "\n")...)))
			})
			require.Equal(t, 1, count["sevt_u"], "the user.message is delivered once")
			require.Zero(t, duplicates(count))
			require.Len(t, order, between+2)
			require.Equal(t, "sevt_u", order[0])
		})
	}
}

// eventsJSON returns the JSON of events from…end-1 of log, one a line.
func eventsJSON(log sessionLog, from, end int) string {
	parts := make([]string, 0, end-from)
	for i := from; i < end; i++ {
		parts = append(parts, log.event(i))
	}
	return strings.Join(parts, "\n")
}
