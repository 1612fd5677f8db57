package managedagents_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// Settings of the overlap soak.
const (
	overlapSoakEvents = 100_000  // persisted events, the terminal one included
	overlapSoakSeed   = 20261202 // fixed, so that a failure can be replayed
	// A user.message is echoed queued, then processed this many events later.
	overlapSoakDelayMin, overlapSoakDelayMax = 10_001, 15_000
	// One connection in overlapSoakSlowEvery has a slow backfill: the list
	// answers once this many more events were processed, all of which the new
	// connection carries too.
	overlapSoakSlowEvery                     = 8
	overlapSoakSlowMin, overlapSoakSlowMax   = 10_001, 12_000
	overlapSoakPageSize                      = 1000
	overlapSoakTimeout                       = 2 * time.Minute
	overlapSoakMissedMax, overlapSoakLiveMax = 400, 3000
)

// soakEntry is one event as a session emits it on its stream: a persisted
// event, or the queued copy of a user.message (processed_at null, not listed).
type soakEntry struct {
	frame  []byte
	json   []byte
	seq    int // index in the persisted order (the processed copy's, for a queued copy)
	at     time.Time
	queued bool
}

// soakSession is the emitted stream of a session, built before the soak: the
// persisted events in processed_at order (two per millisecond), with queued
// copies of user.message events emitted a long delay before their processed
// copy.
type soakSession struct {
	emitted   []soakEntry
	persisted []int // emitted index of each persisted event, in processed order
	users     int
}

func newSoakSession(rng *rand.Rand) *soakSession {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s := &soakSession{}
	due := map[int]int{} // persisted seq at which a queued user.message is processed → its number
	nextUser := 0
	add := func(typ managedagents.EventType, seq int, queued bool) {
		id := "sevt_" + strconv.Itoa(seq)
		at := base.Add(time.Duration(seq/2) * time.Millisecond)
		stamp := `"` + at.Format("2006-01-02T15:04:05.000Z") + `"`
		if queued {
			stamp = "null"
		}
		js := fmt.Sprintf(`{"type":%q,"id":%q,"content":[{"type":"text","text":"%s"}],"processed_at":%s}`, typ, id, id, stamp)
		e := soakEntry{frame: []byte("event: " + string(typ) + "\ndata: " + js + "\n\n"), json: []byte(js), seq: seq, at: at, queued: queued}
		if !queued {
			s.persisted = append(s.persisted, len(s.emitted))
		}
		s.emitted = append(s.emitted, e)
	}
	for seq := 0; seq < overlapSoakEvents; {
		switch {
		case seq == overlapSoakEvents-1:
			add(managedagents.EventTypeSessionStatusTerminated, seq, false)
			seq++
		case due[seq] > 0:
			add(managedagents.EventTypeUserMessage, seq, false)
			delete(due, seq)
			seq++
		case rng.IntN(60) == 0 && seq+overlapSoakDelayMax < overlapSoakEvents-1:
			// A user.message sent while the agent works: echoed queued now,
			// processed (and persisted at that seq) a long delay later.
			at := seq + overlapSoakDelayMin + rng.IntN(overlapSoakDelayMax-overlapSoakDelayMin+1)
			for due[at] > 0 {
				at++
			}
			nextUser++
			due[at] = nextUser
			add(managedagents.EventTypeUserMessage, at, true)
			s.users++
		default:
			add(managedagents.EventTypeAgentMessage, seq, false)
			seq++
		}
	}
	return s
}

// soakServer plays a soakSession: each stream connection carries the events
// emitted from the moment it opens, then ends with a fault (a clean end or an
// abort mid-frame); some events are missed while the stream is away; and the
// backfill's list answers as of a later moment than the open (a slow list in
// a busy session), so that the listed events and the new connection overlap.
type soakServer struct {
	t    *testing.T
	sess *soakSession
	rng  *rand.Rand

	mu       sync.Mutex
	pos      int // emitted index the next connection starts at
	listEnd  int // emitted index the current backfill lists up to (exclusive)
	opens    int
	overlaps []int // the overlap of each backfill
	faults   map[string]int
}

func (s *soakServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/stream") {
		s.stream(w, r)
		return
	}
	s.list(w, r)
}

func (s *soakServer) stream(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.opens++
	start := s.pos
	overlap := 0
	if s.opens > 1 {
		overlap = s.rng.IntN(200)
		if s.opens%overlapSoakSlowEvery == 0 {
			overlap = overlapSoakSlowMin + s.rng.IntN(overlapSoakSlowMax-overlapSoakSlowMin+1)
		}
		overlap = min(overlap, len(s.sess.emitted)-start)
		s.overlaps = append(s.overlaps, overlap)
	}
	s.listEnd = start + overlap
	end := min(start+overlap+10+s.rng.IntN(overlapSoakLiveMax), len(s.sess.emitted))
	abort := s.rng.IntN(2) == 0 && end < len(s.sess.emitted)
	if end < len(s.sess.emitted) {
		if abort {
			s.faults["abort mid-frame"]++
		} else {
			s.faults["clean end"]++
		}
	}
	// Events processed while the stream is away are only in the history.
	s.pos = min(end+s.rng.IntN(overlapSoakMissedMax), len(s.sess.emitted)-1)
	date := s.lastStamp(start)
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Date", date.Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	for _, e := range s.sess.emitted[start:end] {
		if _, err := w.Write(e.frame); err != nil {
			return
		}
	}
	switch {
	case end == len(s.sess.emitted): // the terminal event was sent: stay open
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	case abort:
		next := s.sess.emitted[end].frame
		_, _ = w.Write(next[:len(next)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
}

// lastStamp returns the processed_at of the last persisted event emitted
// before emitted index i (the session's clock then). s.mu is held.
func (s *soakServer) lastStamp(i int) time.Time {
	for j := i - 1; j >= 0; j-- {
		if e := s.sess.emitted[j]; !e.queued {
			return e.at
		}
	}
	return s.sess.emitted[0].at
}

// list answers GET …/events: the persisted events emitted before listEnd,
// processed at or after created_at[gte], in pages.
func (s *soakServer) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	listEnd := s.listEnd
	s.mu.Unlock()
	q := r.URL.Query()
	gte, err := time.Parse(time.RFC3339Nano, q.Get("created_at[gte]"))
	if err != nil {
		s.t.Errorf("backfill without a valid created_at[gte]: %s", r.URL.RawQuery)
	}
	p := s.sess.persisted
	from := sort.Search(len(p), func(k int) bool { return !s.sess.emitted[p[k]].at.Before(gte) })
	if page := q.Get("page"); page != "" {
		from, _ = strconv.Atoi(page)
	}
	to := sort.Search(len(p), func(k int) bool { return p[k] >= listEnd })
	last := min(from+overlapSoakPageSize, to)
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for k := from; k < last; k++ {
		if k > from {
			b.WriteByte(',')
		}
		b.Write(s.sess.emitted[p[k]].json)
	}
	next := "null"
	if last < to {
		next = strconv.Quote(strconv.Itoa(last))
	}
	b.WriteString(`],"next_page":` + next + `}`)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, b.String())
}

// TestQueuedCopiesAndSlowBackfillsSoak streams 100,000 persisted events from a
// session of its own making: about one in sixty is a user.message echoed
// queued (processed_at null) and processed 10,001 to 15,000 events later; every
// connection ends by a fault after up to 3,000 events, events are missed while
// the stream is away, and one backfill in eight is slow: its list answers
// 10,001 to 12,000 events later than the reopen, which the new connection
// carries too. The reader gets every persisted event exactly once, each
// user.message as its first copy, everything else in processed order.
func TestQueuedCopiesAndSlowBackfillsSoak(t *testing.T) {
	t.Parallel() // TestChaosSoak times its stream on a fake clock: this load cannot delay it
	rng := rand.New(rand.NewPCG(overlapSoakSeed, overlapSoakSeed>>1))
	sess := newSoakSession(rng)
	srv := &soakServer{t: t, sess: sess, rng: rng, faults: map[string]int{}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client := managedagents.NewClient(
		option.WithAPIKey("sk-ant-soak"),
		option.WithBaseURL(hs.URL),
		option.WithHTTPClient(hs.Client()),
		option.WithoutLimiter(),
		option.WithMaxRetries(0),
		option.WithStreamBackoff(time.Microsecond, time.Millisecond),
	)
	ctx, cancel := context.WithTimeout(context.Background(), overlapSoakTimeout)
	defer cancel()
	stream, err := client.Sessions.Events.Stream(ctx, "sesn_soak", managedagents.EventStreamParams{})
	require.NoError(t, err)
	defer stream.Close()

	start := time.Now()
	seen := make(map[string]bool, overlapSoakEvents)
	lastInOrder := -1 // seq of the last event delivered in processed order
	var queuedCopies, processedUsers int
	for ev, err := range stream.All() {
		require.NoError(t, err, "after %d events", len(seen))
		id := ev.EventID()
		require.False(t, seen[id], "event %s delivered twice", id)
		seen[id] = true
		seq, err := strconv.Atoi(strings.TrimPrefix(id, "sevt_"))
		require.NoError(t, err)
		require.Greater(t, seq, lastInOrder, "event %s out of order", id)
		if _, ok := ev.(*managedagents.UserMessageEvent); ok {
			if ev.EventProcessedAt().IsZero() {
				queuedCopies++
				continue // its queued copy comes before events processed earlier
			}
			processedUsers++
		}
		lastInOrder = seq
	}
	took := time.Since(start)
	require.NoError(t, stream.Err())
	require.Len(t, seen, overlapSoakEvents, "every persisted event")

	srv.mu.Lock()
	defer srv.mu.Unlock()
	slow, largest := 0, 0
	for _, o := range srv.overlaps {
		if o > 10_000 {
			slow++
		}
		largest = max(largest, o)
	}
	t.Logf("overlap soak: %d events delivered once in %s over %d connections (faults: %v)", len(seen), took.Round(time.Millisecond), srv.opens, srv.faults)
	t.Logf("overlap soak: %d user.message, %d delivered as their queued copy, %d as their processed copy (queued copy missed)", sess.users, queuedCopies, processedUsers)
	t.Logf("overlap soak: %d backfills, %d with an overlap over 10,000 events (largest %d)", len(srv.overlaps), slow, largest)
	require.Equal(t, sess.users, queuedCopies+processedUsers)
	require.Positive(t, queuedCopies)
	require.Positive(t, processedUsers)
	require.GreaterOrEqual(t, slow, 3, "slow backfills")
}
