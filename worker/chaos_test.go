package worker_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/toolrunner"
	"github.com/go-managedagents/managedagents/worker"
)

// toolGate is a tool middleware that holds every call until released, and
// counts the calls that ran.
type toolGate struct {
	started   chan toolrunner.ToolCall
	release   chan struct{}
	cancelled chan error // the cause of a call's context that ended first
	ran       atomic.Int64
	once      sync.Once
}

func newToolGate() *toolGate {
	return &toolGate{started: make(chan toolrunner.ToolCall, 10), release: make(chan struct{}), cancelled: make(chan error, 10)}
}

func (g *toolGate) open() { g.once.Do(func() { close(g.release) }) }

func (g *toolGate) middleware(ctx context.Context, call toolrunner.ToolCall, next toolrunner.ToolFunc) (toolrunner.ToolResult, error) {
	g.ran.Add(1)
	g.started <- call
	select {
	case <-g.release:
	case <-ctx.Done():
		g.cancelled <- context.Cause(ctx)
		return toolrunner.ToolResult{}, ctx.Err()
	}
	return next(ctx, call)
}

// oneCall is a script that calls one tool and records its answer.
func oneCall(name string, input map[string]any, answers chan<- managedagentstest.Answer) managedagentstest.Script {
	return func(turn *managedagentstest.Turn) {
		a, err := turn.CallTool(name, input)
		if err != nil {
			return
		}
		answers <- a
		turn.Message("done")
	}
}

// pidIn waits for the file name of the item's working directory to hold a
// process id, and returns it.
func pidIn(t *testing.T, dir, name string) int {
	t.Helper()
	var pid int
	eventually(t, func() bool {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.HasSuffix(b, []byte("\n")) {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil
	})
	return pid
}

// gone reports whether process pid ended (it no longer exists, or is a
// zombie nobody reaped yet).
func gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the command name in parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] == 'Z'
}

// A 412 answered to a heartbeat while a tool runs: the tool's processes are
// killed, no result is posted, and the item is not stopped (it is another
// worker's now).
func TestLeaseLostMidToolStopsTheToolsAndSendsNoStop(t *testing.T) {
	t.Parallel()
	f := newFixture(t, managedagentstest.WithWorkLeaseTTL(2*time.Second)) // a beat a second
	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, oneCall("bash", map[string]any{"command": "sleep 300 & echo $! > sleep.pid; wait"}, answers), nil, nil)
	f.start(t, sid)
	root := t.TempDir()
	w := f.run(t, worker.Options{Workdir: root})
	work := f.workOf(t, sid)
	pid := pidIn(t, filepath.Join(root, work), "sleep.pid")
	require.False(t, gone(pid))

	f.srv.FailNext(managedagentstest.RouteHeartbeatWork, 1, http.StatusPreconditionFailed, nil)
	eventually(t, func() bool { return w.Stats().LeasesLost == 1 && w.Stats().ItemsActive == 0 })
	eventually(t, func() bool { return gone(pid) })
	stop(t, w)
	require.Empty(t, f.workRequests(managedagentstest.RouteStopWork, work), "no stop for a lost lease")
	require.Empty(t, f.results(t, sid), "nothing posted")
	require.Zero(t, w.Stats().ItemsFailed)
	_, err := os.Stat(filepath.Join(root, work))
	require.ErrorIs(t, err, os.ErrNotExist, "cleaned up all the same")
}

// The session's stream is cut while a tool runs: the stream comes back, the
// call is not run again, and its result is posted once.
func TestStreamCutWhileAToolRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, oneCall("bash", map[string]any{"command": "echo ran"}, answers), nil, nil)
	f.start(t, sid)
	gate := newToolGate()
	w := f.run(t, worker.Options{ToolMiddleware: []toolrunner.Middleware{gate.middleware}})
	recv(t, gate.started)
	streams := len(f.requests(managedagentstest.RouteStreamEvents))
	f.srv.CutStreams()
	eventually(t, func() bool { return len(f.requests(managedagentstest.RouteStreamEvents)) > streams })
	gate.open()
	require.Equal(t, "ran\n\n", recv(t, answers).Text())
	f.waitIdle(t, sid)
	stop(t, w)
	require.Equal(t, int64(1), gate.ran.Load(), "run once")
	require.Len(t, f.results(t, sid), 1, "one result")
}

// resettingProxy is a server of the test's own in front of the fake: it
// forwards every request, except that it lets the first result post reach
// the fake (which stores it) and then resets the connection without an
// answer, as a network failing after the server read the request would.
type resettingProxy struct {
	*httptest.Server
	target *url.URL
	fake   *http.Client
	proxy  *httputil.ReverseProxy
	reset  atomic.Int64 // result posts reset
	posts  atomic.Int64 // result posts seen
}

func newResettingProxy(t *testing.T, f *fixture) *resettingProxy {
	target, err := url.Parse(f.srv.URL)
	require.NoError(t, err)
	p := &resettingProxy{target: target, fake: f.srv.HTTPClient()}
	p.proxy = &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport:     p.fake.Transport,
		FlushInterval: -1, // event streams pass at once
		ErrorLog:      log.New(io.Discard, "", 0),
	}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *resettingProxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/events") {
		p.proxy.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !bytes.Contains(body, []byte(`"user.tool_result"`)) || p.posts.Add(1) > 1 {
		p.proxy.ServeHTTP(w, r)
		return
	}
	// Deliver it, then cut the connection before the answer.
	out := r.Clone(context.WithoutCancel(r.Context()))
	out.RequestURI, out.URL.Scheme, out.URL.Host, out.Host = "", p.target.Scheme, p.target.Host, p.target.Host
	out.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := p.fake.Do(out)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	p.reset.Add(1)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// A result post whose connection is reset after the fake stored it: the
// worker does not run the tool again, and does not post a second result
// (it finds the first in the session's history).
func TestResultPostResetAfterTheServerReadIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := newResettingProxy(t, f)
	f.client = managedagents.NewClient(option.WithBaseURL(p.URL), option.WithAPIKey(managedagentstest.TestAPIKey),
		option.WithEnvironmentKey(managedagentstest.TestEnvironmentKey), option.WithoutLimiter(),
		option.WithStreamBackoff(time.Millisecond, 5*time.Millisecond))
	answers := make(chan managedagentstest.Answer, 2)
	sid := f.session(t, func(turn *managedagentstest.Turn) {
		for _, cmd := range []string{"echo one", "echo two"} {
			a, err := turn.CallTool("bash", map[string]any{"command": cmd})
			if err != nil {
				return
			}
			answers <- a
		}
		turn.Message("done")
	}, nil, nil)
	f.start(t, sid)
	var ran atomic.Int64
	w := f.run(t, worker.Options{ToolMiddleware: []toolrunner.Middleware{func(ctx context.Context, call toolrunner.ToolCall, next toolrunner.ToolFunc) (toolrunner.ToolResult, error) {
		ran.Add(1)
		return next(ctx, call)
	}}})
	require.Equal(t, "one\n\n", recv(t, answers).Text())
	require.Equal(t, "two\n\n", recv(t, answers).Text())
	f.waitIdle(t, sid)
	stop(t, w)
	require.Equal(t, int64(1), p.reset.Load(), "the first post was reset")
	require.Equal(t, int64(2), ran.Load(), "each call ran once")
	results := f.results(t, sid)
	require.Len(t, results, 2, "one result per call")
	require.NotEqual(t, results[0]["tool_use_id"], results[1]["tool_use_id"])
	require.Equal(t, int64(2), p.posts.Load(), "the reset post was not sent again")
}

// A worker cut off from the API while a tool runs: its lease lapses (no
// heartbeat gets through for a whole TTL), the queue hands the item to a
// second worker, and the first stops its tools and tries to send nothing
// more (no result, no stop). The second, sharing the first's record of
// started calls, answers the call as cut short rather than running it
// again, and serves the item to its end.
func TestReclaimedItemIsGivenUpSilently(t *testing.T) {
	t.Parallel()
	f := newFixture(t, managedagentstest.WithWorkLeaseTTL(time.Second))
	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, oneCall("bash", map[string]any{"command": "sleep 300 & echo $! > sleep.pid; wait"}, answers), nil, nil)
	f.start(t, sid)
	store := toolrunner.NewMemoryStore()

	// Once cut off, every request of the first worker fails, and is
	// recorded.
	var cut atomic.Bool
	var mu sync.Mutex
	var tried []string
	first := f.client.WithOptions(option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		if !cut.Load() {
			return next(req)
		}
		mu.Lock()
		tried = append(tried, req.Method+" "+req.URL.Path)
		mu.Unlock()
		return nil, errors.New("network unreachable")
	}))
	root1 := t.TempDir()
	w1, err := worker.New(first, f.envID, f.options(t, worker.Options{Workdir: root1, Store: store, Poll: pollAs("worker-1")}))
	require.NoError(t, err)
	require.NoError(t, w1.Start(context.Background()))
	t.Cleanup(func() { _ = w1.StopAndCancel(context.Background()) })
	work := f.workOf(t, sid)
	pid := pidIn(t, filepath.Join(root1, work), "sleep.pid")
	cut.Store(true)
	eventually(t, func() bool { return w1.Stats().LeasesLost == 1 && w1.Stats().ItemsActive == 0 })
	require.True(t, gone(pid), "the tool's processes are killed")

	w2 := f.run(t, worker.Options{Store: store, Poll: pollAs("worker-2")})
	a := recv(t, answers)
	require.True(t, a.IsError)
	require.Contains(t, a.Text(), "cut short")
	f.waitIdle(t, sid)
	stop(t, w2)
	stop(t, w1)
	mu.Lock()
	defer mu.Unlock()
	for _, r := range tried {
		require.False(t, strings.HasSuffix(r, "/stop") || strings.HasPrefix(r, "POST /v1/sessions/"), "the first worker tried %s after losing its lease", r)
	}
	require.Len(t, f.results(t, sid), 1)
	require.Equal(t, int64(1), w2.Stats().Stops)
	require.Zero(t, w1.Stats().Stops)
	require.Zero(t, w1.Stats().StopErrors, "no stop tried")
}

// pollAs returns fast poll options with worker id id.
func pollAs(id string) managedagents.WorkPollerOptions {
	p := fastPolls
	p.WorkerID = id
	return p
}
