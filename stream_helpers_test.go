package managedagents

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/internal/clock/fakeclock"
	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// streamDate is the Date header the fake stream endpoint sends.
const streamDate = "Tue, 24 Nov 2026 10:00:00 GMT"

// fakeStreams is an httptest server scripted for stream tests: each stream
// open is answered by the next connection script; the events lists are
// answered from a fixed history, filtered by created_at[gte] (session lists
// only) and paged.
type fakeStreams struct {
	t        *testing.T
	ctx      context.Context // ends with the test (after the leak check), or after 20 s
	srv      *httptest.Server
	mu       sync.Mutex
	reqs     []recorded
	at       []time.Time
	conns    []http.HandlerFunc
	opened   int
	history  []string // raw JSON events, ascending
	pageSize int
	// lists answer the list requests in turn, before the history does; a
	// nil one leaves its request to the history. Set it before the stream
	// opens.
	lists  []http.HandlerFunc
	listed int
}

// newFakeStreams starts the fake and returns it with a client for it: no
// limiter, no retries, tiny stream backoffs, plus opts. The test fails if any
// goroutine it started remains after it ends.
func newFakeStreams(t *testing.T, history []string, conns []http.HandlerFunc, opts ...option.RequestOption) (*fakeStreams, *Client) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	f := &fakeStreams{t: t, conns: conns, history: history, pageSize: 3}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	f.ctx = ctx
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	// Before the server closes (which would end every connection whatever the
	// client did): only the server's accept loop may remain, once the client's
	// idle keep-alive connections are closed. A stream that left its
	// connection open would keep a handler (and the client's reader) alive.
	t.Cleanup(func() {
		// A connection whose request ended just before (a Close racing a
		// backfill) may go back to the idle pool after a first
		// CloseIdleConnections: close idle ones again while waiting. A stream
		// that kept its connection busy still fails.
		opts := []goleak.Option{ignore, goleak.IgnoreAnyFunction("net/http/httptest.(*Server).goServe.func1")}
		var err error
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			f.srv.Client().CloseIdleConnections()
			if err = goleak.Find(opts...); err == nil {
				return
			}
		}
		t.Error(err)
	})
	return f, f.client(opts...)
}

// client returns a client for the fake: no limiter, no retries, tiny stream
// backoffs, plus opts.
func (f *fakeStreams) client(opts ...option.RequestOption) *Client {
	base := []option.RequestOption{
		option.WithAPIKey(testAPIKey),
		option.WithBaseURL(f.srv.URL + "/prefix"),
		option.WithHTTPClient(f.srv.Client()),
		option.WithoutLimiter(),
		option.WithMaxRetries(0),
		option.WithStreamBackoff(time.Millisecond, 5*time.Millisecond),
	}
	c := NewClient(append(base, opts...)...)
	c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = time.Millisecond, 5*time.Millisecond
	return c
}

func (f *fakeStreams) serve(w http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutPrefix(r.URL.EscapedPath(), "/prefix")
	if !ok {
		f.t.Errorf("request outside the base URL: %s", r.URL)
		http.Error(w, "outside", http.StatusTeapot)
		return
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{Method: r.Method, Path: p, RawQuery: r.URL.RawQuery, Header: r.Header.Clone()})
	f.at = append(f.at, time.Now())
	var conn, list http.HandlerFunc
	switch {
	case strings.HasSuffix(p, "/stream"):
		if f.opened < len(f.conns) {
			conn = f.conns[f.opened]
		}
		f.opened++
	case strings.HasSuffix(p, "/events"):
		if f.listed < len(f.lists) {
			list = f.lists[f.listed]
		}
		f.listed++
	}
	f.mu.Unlock()
	switch {
	case strings.HasSuffix(p, "/stream"):
		if conn == nil {
			f.t.Errorf("stream opened more often than scripted")
			http.Error(w, "unscripted", http.StatusInternalServerError)
			return
		}
		conn(w, r)
	case strings.HasSuffix(p, "/events") && list != nil:
		list(w, r)
	case strings.HasSuffix(p, "/events"):
		f.list(w, r, !strings.Contains(p, "/threads/"))
	default:
		f.t.Errorf("unexpected request %s %s", r.Method, p)
		http.Error(w, "unexpected", http.StatusNotFound)
	}
}

// list answers an events list from the history.
func (f *fakeStreams) list(w http.ResponseWriter, r *http.Request, filter bool) {
	q := r.URL.Query()
	var gte time.Time
	if v := q.Get("created_at[gte]"); v != "" {
		if !filter {
			f.t.Errorf("thread events list got a time filter: %s", r.URL.RawQuery)
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			f.t.Errorf("bad created_at[gte] %q", v)
		}
		gte = t
	}
	var keep []string
	for _, raw := range f.history {
		var probe struct {
			ProcessedAt *time.Time `json:"processed_at"`
		}
		// An event whose processed_at is not a time (a broken fixture) is kept.
		if !gte.IsZero() && json.Unmarshal([]byte(raw), &probe) == nil && (probe.ProcessedAt == nil || probe.ProcessedAt.Before(gte)) {
			continue
		}
		keep = append(keep, raw)
	}
	off := 0
	if p := q.Get("page"); p != "" {
		off, _ = strconv.Atoi(strings.TrimPrefix(p, "p"))
	}
	end := min(off+f.pageSize, len(keep))
	next := "null"
	if end < len(keep) {
		next = `"p` + strconv.Itoa(end) + `"`
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"data":[%s],"next_page":%s}`, strings.Join(keep[off:end], ","), next)
}

// requests returns "GET path?query" for every request so far.
func (f *fakeStreams) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.reqs {
		s := r.Method + " " + r.Path
		if r.RawQuery != "" {
			s += "?" + r.RawQuery
		}
		out = append(out, s)
	}
	return out
}

// step is one action of a scripted stream connection; false ends it.
type step func(w http.ResponseWriter, r *http.Request) bool

// sseConn answers a stream open with 200 and runs steps; when they are done the
// response ends (a clean end of body).
func sseConn(steps ...step) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Date", streamDate)
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for _, s := range steps {
			if !s(w, r) {
				return
			}
		}
	}
}

// write sends raw SSE text.
func write(text ...string) step {
	return func(w http.ResponseWriter, r *http.Request) bool {
		for _, s := range text {
			if _, err := io.WriteString(w, s); err != nil {
				return false
			}
		}
		w.(http.Flusher).Flush()
		return true
	}
}

// hang keeps the connection open until the client goes away.
func hang() step {
	return func(w http.ResponseWriter, r *http.Request) bool {
		<-r.Context().Done()
		return false
	}
}

// abort breaks the connection in the middle of the chunked body: the client
// sees a network error, not a clean end.
func abort() step {
	return func(w http.ResponseWriter, r *http.Request) bool {
		panic(http.ErrAbortHandler)
	}
}

// reply answers a stream open with an error status.
func reply(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// evJSON is a persisted event processed ms milliseconds after 10:00:00.
func evJSON(typ EventType, id string, ms int) string {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond)
	return fmt.Sprintf(`{"type":%q,"id":%q,"processed_at":%q}`, typ, id, at.Format(time.RFC3339Nano))
}

// msg is an agent.message event processed at ms.
func msg(id string, ms int) string { return evJSON("agent.message", id, ms) }

// term is a session.status_terminated event processed at ms.
func term(id string, ms int) string { return evJSON(EventTypeSessionStatusTerminated, id, ms) }

// frame is the SSE frame of the event js, named by its type.
func frame(js string) string {
	var probe struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal([]byte(js), &probe)
	return "event: " + probe.Type + "\ndata: " + js + "\n\n"
}

// frames is frame of each event.
func frames(js ...string) string {
	var b strings.Builder
	for _, j := range js {
		b.WriteString(frame(j))
	}
	return b.String()
}

// transcript returns the frames of testdata/streams/name and the JSON of its
// persisted events.
func transcript(t *testing.T, name string) (fr []string, persisted []string) {
	t.Helper()
	text := strings.ReplaceAll(string(fixture(t, "streams/"+name)), "\r\n", "\n")
	for _, f := range strings.Split(text, "\n\n") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		fr = append(fr, f+"\n\n")
		for _, line := range strings.Split(f, "\n") {
			if js, ok := strings.CutPrefix(line, "data: "); ok {
				var probe struct {
					ID string `json:"id"`
				}
				if json.Unmarshal([]byte(js), &probe) == nil && probe.ID != "" {
					persisted = append(persisted, js)
				}
			}
		}
	}
	return fr, persisted
}

// idOf returns the id of the event js.
func idOf(t *testing.T, js string) string {
	t.Helper()
	var probe struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &probe))
	return probe.ID
}

// label names a delivered event: its id, or its type for a preview.
func label(ev Event) string {
	if id := ev.EventID(); id != "" {
		return id
	}
	return string(ev.EventType())
}

// drain reads s with Next until it ends.
func drain(s *EventStream) ([]string, error) {
	var got []string
	for s.Next() {
		got = append(got, label(s.Current()))
	}
	return got, s.Err()
}

// notices records OnReconnect calls.
type notices struct {
	mu  sync.Mutex
	all []StreamReconnect
}

func (n *notices) add(r StreamReconnect) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, r)
}

func (n *notices) get() []StreamReconnect {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]StreamReconnect(nil), n.all...)
}

// streamPath and listPath are the paths of session sesn_1.
const (
	streamPath = "GET /v1/sessions/sesn_1/events/stream"
	listPath   = "GET /v1/sessions/sesn_1/events"
)

// listReq is the backfill request for page (empty: the first) from gte.
func listReq(gte, page string) string {
	q := url.Values{"order": {"asc"}}
	if gte != "" {
		q.Set("created_at[gte]", gte)
	}
	if page != "" {
		q.Set("page", page)
	}
	return listPath + "?" + q.Encode()
}

// fakeClock makes c's streams run on a fake clock, which moves only when the
// test says so, without a reconnect backoff (tests that look at the backoff
// set one and let it pass, see passBackoffs).
func fakeClock(c *Client) *fakeclock.Clock {
	clk := fakeclock.New(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	c.cfg.StreamClock = clk
	c.cfg.StreamBackoffMin, c.cfg.StreamBackoffMax = 0, 0
	return clk
}

// passBackoffs returns an OnReconnect that records each notice in n and
// then lets its backoff pass on clk as soon as the stream waits for it. Its
// goroutines end with the test.
func passBackoffs(t *testing.T, n *notices, clk *fakeclock.Clock) func(StreamReconnect) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return func(r StreamReconnect) {
		n.add(r)
		if r.Delay <= 0 {
			return
		}
		wg.Go(func() {
			if _, err := clk.WaitPending(ctx, func(p []time.Duration) bool { return slices.Contains(p, r.Delay) }); err == nil {
				clk.Advance(r.Delay)
			}
		})
	}
}

// pageWithoutAnswer answers a list request never: it moves clk by d (the
// stream's bound on the page, armed before the request was sent), then waits
// for the client to give up.
func pageWithoutAnswer(clk *fakeclock.Clock, d time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		clk.Advance(d)
		<-r.Context().Done()
	}
}

// wrapFirstStream returns the option that makes c's requests go to f's
// server and wraps the body of the first stream answer with wrap.
func (f *fakeStreams) wrapFirstStream(wrap func(body io.ReadCloser, req *http.Request) io.ReadCloser) option.RequestOption {
	var once sync.Once
	base := f.srv.Client().Transport
	return option.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if err == nil && strings.HasSuffix(r.URL.Path, "/stream") {
			once.Do(func() { resp.Body = wrap(resp.Body, r) })
		}
		return resp, err
	})})
}

// heartbeatBody passes its connection's bytes through until the end of the
// first frame, then sends beats heartbeats (comment lines and ping frames in
// turn) one per read, moving clk by step before each, then goes silent: it
// moves clk by silence and reads on (the server sends nothing more), until
// the client gives up. Like a real connection, it fails once the request's
// context has ended.
type heartbeatBody struct {
	io.ReadCloser
	req           *http.Request
	clk           *fakeclock.Clock
	step, silence time.Duration
	beats         int
	passed        []byte // the bytes of the first frame read so far
	sent          int
	quiet         atomic.Bool // the silence began
}

func (b *heartbeatBody) Read(p []byte) (int, error) {
	if !bytes.Contains(b.passed, []byte("\n\n")) {
		n, err := b.ReadCloser.Read(p)
		b.passed = append(b.passed, p[:n]...)
		return n, err
	}
	if err := b.req.Context().Err(); err != nil {
		return 0, err
	}
	if b.sent < b.beats {
		beat := ": heartbeat\n\n"
		if b.sent%2 == 1 {
			beat = "event: ping\ndata: {\"type\":\"ping\"}\n\n"
		}
		b.sent++
		b.clk.Advance(b.step)
		return copy(p, beat), nil
	}
	if !b.quiet.Swap(true) {
		b.clk.Advance(b.silence)
	}
	return b.ReadCloser.Read(p)
}

// waitFor blocks until ch is closed.
func waitFor(ch <-chan struct{}) step {
	return func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-ch:
			return true
		case <-r.Context().Done():
			return false
		}
	}
}

// drainGaveUp reads s to its end and checks that it delivered want, then
// gave up after attempts reconnects in a row; it returns the error, a
// *StreamError.
func drainGaveUp(t *testing.T, s *EventStream, want []string, attempts int) error {
	t.Helper()
	got, err := drain(s)
	require.Equal(t, want, got)
	var se *StreamError
	require.ErrorAs(t, err, &se)
	require.Equal(t, attempts, se.Attempts)
	return err
}

// drainSession opens the stream of sesn_1 with c, reads it to its end
// without error, and returns what it delivered and its reconnect notices.
func drainSession(t *testing.T, f *fakeStreams, c *Client) ([]string, []StreamReconnect) {
	t.Helper()
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	return got, n.get()
}
