package managedagents_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// herdTick is how often, in the herd's time, every session with an open
// stream gets a user.message (its turn adds three events): often enough that
// a live stream never meets its 90 s idle timeout, as heartbeats would do.
const herdTick = time.Minute

// herdStart is when the herd's clock starts.
var herdStart = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// herdScript plays the agent of the herd's sessions: a reply to each
// message, and the end of the session on "end".
func herdScript(t *managedagentstest.Turn) {
	if t.Text() == "end" {
		t.Terminate()
		return
	}
	t.Message("ok")
}

// herdReport is what a herd run measured.
type herdReport struct {
	streams int
	// opening is the herd's time the n first opens took; recovery, the
	// herd's time from the cut until the last stream was live again (its
	// backfill done, its connection read); median, the median stream's;
	// real, the recovery in real time.
	opening, recovery, median, real time.Duration
	// reopens and pages count the stream opens and the backfill pages after
	// the cut; throttled, the 429 answers of the whole run.
	reopens, pages, throttled int
	// peakReads is the fake's busiest minute of reads over the whole run.
	peakReads int
	// notices counts the OnReconnect notices after the cut; limited, those
	// of a wait for the rate limiter, the longest of which was maxWait.
	notices, limited int
	maxWait          time.Duration
	backfilled       int // events recovered from the history after the cut
	// heapLive and heapRecovered are the heap in use per followed session,
	// beyond what it was before the streams opened, once every stream was
	// live and once every stream had recovered: the client's stream, the
	// fake's connection and the events the fake stored meanwhile, whose
	// JSON takes historyLive and historyRecovered bytes per session.
	heapLive, heapRecovered       float64
	historyLive, historyRecovered float64
	// goroutines is the number of goroutines per followed session while
	// live, the client's and the fake's.
	goroutines float64
}

// herdStream is what one stream of the herd delivered and was told.
type herdStream struct {
	mu          sync.Mutex
	ids         []string
	stream      *managedagents.EventStream
	recoveredAt time.Time
	notices     []managedagents.StreamReconnect // those after the cut
	backfilled  int
}

// herd is n sessions of the fake followed at once by one client, on the
// herd's clock (see herdClock), under the documented budgets (60 creates and
// 600 reads per minute) that the fake emulates and the client's limiter
// keeps.
type herd struct {
	tb      testing.TB
	srv     *managedagentstest.Server
	clock   *herdClock
	tr      *herdTransport
	client  *managedagents.Client
	ids     []string
	byPath  map[string]int
	streams []herdStream
	opened  []atomic.Bool

	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	cut    atomic.Bool
	// warm: every stream delivered a first turn; noticed: every stream was
	// told of the cut; recovered: every stream is live again. The clock
	// stops when warm and recovered are done.
	warm, noticed, recovered *countdown
}

func newHerd(tb testing.TB, n int) *herd {
	srv := managedagentstest.NewServer(
		managedagentstest.WithClock(herdStart),
		managedagentstest.WithRateLimits(60, 600),
		managedagentstest.WithHeartbeat(0, managedagentstest.HeartbeatComment),
		managedagentstest.WithScript(herdScript))
	h := &herd{tb: tb, srv: srv, ids: make([]string, n), byPath: make(map[string]int, n),
		streams: make([]herdStream, n), opened: make([]atomic.Bool, n)}
	h.ctx, h.cancel = context.WithCancelCause(context.Background())
	h.clock = newHerdClock(herdStart, n, srv.SetNow)
	h.warm = newCountdown(n, h.clock.hold)
	h.noticed = newCountdown(n, nil)
	h.recovered = newCountdown(n, h.clock.hold)
	base := srv.HTTPClient().Transport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = n
	h.tr = &herdTransport{base: base, c: h.clock, onFirstRead: h.live}
	tb.Cleanup(func() {
		h.cancel(errors.New("the test ended"))
		h.wg.Wait()
		srv.Close()
		base.CloseIdleConnections()
	})
	// The objects are made without HTTP, so without spending the budget.
	agentID := seed(tb, srv, "/v1/agents", map[string]any{"name": "herd", "model": "claude-sonnet-5-5"})
	envID := seed(tb, srv, "/v1/environments", map[string]any{"name": "herd"})
	for i := range h.ids {
		h.ids[i] = seed(tb, srv, "/v1/sessions", map[string]any{"agent": agentID, "environment_id": envID})
		h.byPath[streamPath(h.ids[i])] = i
	}
	h.client = srv.Client(
		option.WithHTTPClient(&http.Client{Transport: h.tr}),
		option.WithLimiter(ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(h.clock))),
		// The stream's reconnect policy is under test, not the retries of
		// its requests, whose waits run on the real clock.
		option.WithMaxRetries(0))
	managedagents.SetStreamClock(h.client, h.clock)
	return h
}

func streamPath(sessionID string) string { return "/v1/sessions/" + sessionID + "/events/stream" }

// follow opens and reads the stream of session i until it ends.
func (h *herd) follow(i int) {
	defer h.clock.ended()
	st := &h.streams[i]
	s, err := h.client.Sessions.Events.Stream(h.ctx, h.ids[i], managedagents.EventStreamParams{
		OnReconnect: func(r managedagents.StreamReconnect) {
			if !h.cut.Load() {
				return
			}
			st.mu.Lock()
			st.notices = append(st.notices, r)
			first := len(st.notices) == 1
			st.mu.Unlock()
			if first {
				h.noticed.Done()
			}
		},
		OnBackfill: func(b managedagents.StreamBackfill) {
			st.mu.Lock()
			st.backfilled += b.Events
			st.mu.Unlock()
		},
	})
	if err != nil {
		h.cancel(fmt.Errorf("stream %d (%s): %w", i, h.ids[i], err))
		return
	}
	st.mu.Lock()
	st.stream = s
	st.mu.Unlock()
	h.opened[i].Store(true)
	for ev, err := range s.All() {
		if err != nil {
			h.cancel(fmt.Errorf("stream %d (%s): %w", i, h.ids[i], err))
			return
		}
		st.mu.Lock()
		st.ids = append(st.ids, ev.EventID())
		first := len(st.ids) == 4 // a whole turn
		st.mu.Unlock()
		if first {
			h.warm.Done()
		}
	}
}

// live is told of the first read of each stream connection: after the cut,
// the first one of a stream marks its recovery.
func (h *herd) live(path string) {
	st := &h.streams[h.byPath[path]]
	st.mu.Lock()
	first := h.cut.Load() && st.recoveredAt.IsZero()
	if first {
		st.recoveredAt = h.clock.Now()
	}
	st.mu.Unlock()
	if first {
		h.recovered.Done()
	}
}

// tick sends a message to every session whose stream is open.
func (h *herd) tick() {
	for i, id := range h.ids {
		if h.opened[i].Load() {
			h.tr.expect(streamPath(id))
			h.send(id, "tick")
		}
	}
}

func (h *herd) send(id, text string) {
	body := map[string]any{"events": []any{map[string]any{"type": "user.message", "content": []any{map[string]any{"type": "text", "text": text}}}}}
	if status, resp := h.srv.Call(http.MethodPost, "/v1/sessions/"+id+"/events", body); status != http.StatusOK {
		h.cancel(fmt.Errorf("send to %s: %d %s", id, status, resp))
	}
}

// history returns the size of the JSON of every event the fake stored.
func (h *herd) history() int {
	size := 0
	for _, id := range h.ids {
		for _, raw := range h.srv.Events(id) {
			size += len(raw)
		}
	}
	return size
}

// await waits for c, or fails with the reason the herd was given up.
func (h *herd) await(c *countdown, what string) {
	h.tb.Helper()
	select {
	case <-c.ch:
	case <-h.ctx.Done():
		h.tb.Fatalf("%s: %v", what, context.Cause(h.ctx))
	}
}

// run follows the herd: it opens the n streams, lets the sessions produce
// events, cuts every stream at the same moment while the sessions go on
// producing, waits until every stream is live again, then ends the sessions.
// It checks that each stream delivered its session's history exactly once,
// in order, and that nothing is left running, and returns the figures.
func (h *herd) run() herdReport {
	tb := h.tb
	ignore := goleak.IgnoreCurrent()
	stopTicks := h.clock.every(herdTick, h.tick)
	defer stopTicks()
	ctx, stop := context.WithTimeout(h.ctx, 5*time.Minute)
	defer stop()
	driven := make(chan error, 1)
	go func() { driven <- h.clock.drive(ctx, 30*time.Second) }()

	var before runtime.MemStats
	memNow(&before)
	goroutines := runtime.NumGoroutine()
	for i := range h.ids {
		h.wg.Go(func() { h.follow(i) })
	}
	h.await(h.warm, "every stream open and live")
	var live runtime.MemStats
	memNow(&live)
	goroutines = runtime.NumGoroutine() - goroutines
	historyLive := h.history()
	cutAt := h.clock.Now()
	h.cut.Store(true)
	realCut := time.Now()
	h.srv.CutStreams()
	h.await(h.noticed, "every stream told of the cut")
	h.clock.release()
	h.await(h.recovered, "every stream live again")
	realRecovery := time.Since(realCut)
	var recovered runtime.MemStats
	memNow(&recovered)
	historyRecovered := h.history()
	stopTicks()
	for _, id := range h.ids {
		h.send(id, "end")
	}
	h.wg.Wait()
	h.clock.release()
	require.NoError(tb, <-driven)
	require.NoError(tb, context.Cause(h.ctx))

	for i, id := range h.ids {
		var want []string
		for _, raw := range h.srv.Events(id) {
			var probe struct {
				ID string `json:"id"`
			}
			require.NoError(tb, json.Unmarshal(raw, &probe))
			want = append(want, probe.ID)
		}
		require.Equal(tb, want, h.streams[i].ids, "stream %d (%s) delivered its session's history exactly once, in order", i, id)
	}

	n := len(h.ids)
	r := herdReport{streams: n, opening: cutAt.Sub(herdStart), real: realRecovery,
		peakReads: h.srv.MaxRateCount(managedagentstest.RateRead),
		heapLive:  perStream(live, before, n), heapRecovered: perStream(recovered, before, n),
		historyLive: float64(historyLive) / float64(n), historyRecovered: float64(historyRecovered) / float64(n),
		goroutines: float64(goroutines) / float64(n)}
	var times []time.Duration
	for i := range h.streams {
		st := &h.streams[i]
		times = append(times, st.recoveredAt.Sub(cutAt))
		r.backfilled += st.backfilled
		r.notices += len(st.notices)
		for _, nt := range st.notices {
			if nt.RateLimited {
				r.limited++
				r.maxWait = max(r.maxWait, nt.Delay)
			}
		}
	}
	slices.Sort(times)
	r.recovery, r.median = times[n-1], times[n/2]
	for _, q := range h.srv.Requests() {
		switch {
		case q.Status == http.StatusTooManyRequests:
			r.throttled++
		case q.Time.Before(cutAt):
		case q.Route == managedagentstest.RouteStreamEvents:
			r.reopens++
		case q.Route == managedagentstest.RouteListEvents:
			r.pages++
		}
	}
	tb.Logf("%d streams opened in %s of the herd's time; cut at once, all live again after %s (median %s), %s real; "+
		"%d reopens, %d backfill pages, %d answers 429, %d events backfilled; busiest minute %d reads; "+
		"%d reconnect notices, %d of them limiter waits (longest %s); per session, client and fake: %.1f goroutines, %.1f KiB of heap live (%.1f KiB of stored events), %.1f KiB once recovered (%.1f KiB of stored events)",
		n, r.opening, r.recovery.Round(time.Millisecond), r.median.Round(time.Millisecond), r.real.Round(time.Millisecond),
		r.reopens, r.pages, r.throttled, r.backfilled, r.peakReads,
		r.notices, r.limited, r.maxWait.Round(time.Millisecond), r.goroutines,
		r.heapLive/1024, r.historyLive/1024, r.heapRecovered/1024, r.historyRecovered/1024)

	for i := range h.streams {
		require.NoError(tb, h.streams[i].stream.Close())
	}
	h.srv.Close()
	h.tr.base.(*http.Transport).CloseIdleConnections()
	require.NoError(tb, goleak.Find(ignore), "goroutines left once every stream and the server are closed")
	return r
}

// countdown is closed once Done was called n times; at that moment (in the
// goroutine of the last Done) it calls then.
type countdown struct {
	mu   sync.Mutex
	n    int
	then func()
	ch   chan struct{}
}

func newCountdown(n int, then func()) *countdown {
	return &countdown{n: n, then: then, ch: make(chan struct{})}
}

func (c *countdown) Done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n--
	if c.n == 0 {
		if c.then != nil {
			c.then()
		}
		close(c.ch)
	}
}

// seed creates an object on srv without HTTP and returns its id.
func seed(tb testing.TB, srv *managedagentstest.Server, path string, body any) string {
	tb.Helper()
	status, raw := srv.Call(http.MethodPost, path, body)
	require.Equal(tb, http.StatusOK, status, "%s: %s", path, raw)
	var probe struct {
		ID string `json:"id"`
	}
	require.NoError(tb, json.Unmarshal(raw, &probe))
	return probe.ID
}

// memNow fills m after a collection.
func memNow(m *runtime.MemStats) {
	runtime.GC()
	runtime.ReadMemStats(m)
}

// perStream is the heap in use at m beyond base, per stream.
func perStream(m, base runtime.MemStats, n int) float64 {
	return (float64(m.HeapAlloc) - float64(base.HeapAlloc)) / float64(n)
}

// TestThousandStreamsRecoverTogether: 1,000 streams of one client, cut at the
// same moment while their sessions go on producing events, all recover with
// every event delivered once, in order, while the client stays within the
// read budget: each stream reopens once and backfills one page, paced by the
// limiter (no 429 from the fake, whose busiest minute stays within 600
// reads), the limiter's waits are told through OnReconnect, and recovery
// takes the time the budget needs for those reads, not more. It runs on the
// herd's clock, so that the minutes of budget it spends pass in seconds.
func TestThousandStreamsRecoverTogether(t *testing.T) {
	const n = 1000
	r := newHerd(t, n).run()
	require.Zero(t, r.throttled, "no read answered 429")
	require.LessOrEqual(t, r.peakReads, 600, "the fake's busiest minute is within the read budget")
	require.Equal(t, n, r.reopens, "one reopen per stream")
	require.Equal(t, n, r.pages, "one backfill page per stream")
	// 2n reads after the cut: the limiter's burst of 60 at once, then 9 a
	// second; plus the backoff before the first.
	budget := time.Duration(2*n-60) * time.Second / 9
	require.InDelta(t, budget.Seconds(), r.recovery.Seconds(), 1, "recovery takes what the budget needs for those reads, not more")
	require.Positive(t, r.backfilled, "the sessions went on producing during the outage")
	// Each stream was told of the cut, then of each wait for the limiter
	// longer than nothing: its reopen (all but the burst's) and its page.
	require.GreaterOrEqual(t, r.limited, 2*n-60, "the limiter's waits are told through OnReconnect")
	require.Equal(t, n+r.limited, r.notices, "one backoff notice per stream, and the limiter's")
	require.Greater(t, r.maxWait, 90*time.Second, "a backfill waits longer than the idle timeout for the budget, without giving up")
}

// BenchmarkThousandStreamsRecovery runs the herd of
// TestThousandStreamsRecoverTogether and reports its figures: the recovery
// time on the herd's clock (what a service would wait under the default read
// budget) and in real time, the reads per stream after the cut, the fake's
// busiest minute of reads, the 429s, and the memory and goroutines per
// followed session (the client's stream and the fake's connection together).
// Run it with -benchtime 1x: one run spends six minutes of budget, in about
// two seconds.
func BenchmarkThousandStreamsRecovery(b *testing.B) {
	const n = 1000
	for b.Loop() {
		r := newHerd(b, n).run()
		b.ReportMetric(r.recovery.Seconds(), "recovery-s")
		b.ReportMetric(r.median.Seconds(), "median-recovery-s")
		b.ReportMetric(float64(r.real.Milliseconds()), "real-recovery-ms")
		b.ReportMetric(float64(r.reopens+r.pages)/n, "reads/stream")
		b.ReportMetric(float64(r.peakReads), "peak-reads/min")
		b.ReportMetric(float64(r.throttled), "429s")
		b.ReportMetric(r.heapLive/1024, "KiB/stream-live")
		b.ReportMetric(r.heapRecovered/1024, "KiB/stream-recovered")
		b.ReportMetric(r.goroutines, "goroutines/stream")
	}
}
