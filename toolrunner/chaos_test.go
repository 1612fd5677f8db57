package toolrunner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// faultyProxy is a server of the test's own in front of the fake: it passes
// every request through, except the next result posts it was told to break,
// which it either resets before passing on (the server never sees them) or
// passes on, reads the server's answer, and then resets (the server stored
// them; the client never learns).
type faultyProxy struct {
	*httptest.Server
	fake  *managedagentstest.Server
	proxy *httputil.ReverseProxy

	mu     sync.Mutex
	faults []string // "before" or "after", for the next result posts
}

func newFaultyProxy(t *testing.T, fake *managedagentstest.Server) *faultyProxy {
	t.Helper()
	target, err := url.Parse(fake.URL)
	require.NoError(t, err)
	p := &faultyProxy{fake: fake, proxy: httputil.NewSingleHostReverseProxy(target)}
	p.proxy.Transport = fake.HTTPClient().Transport
	p.proxy.ErrorLog = log.New(io.Discard, "", 0) // streams cut at the end of a test
	p.Server = httptest.NewServer(p)
	t.Cleanup(p.Close)
	return p
}

// breakNext queues faults for the next result posts.
func (p *faultyProxy) breakNext(faults ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, faults...)
}

func (p *faultyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	fault := ""
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/events") && bytes.Contains(body, []byte(`tool_result"`)) {
		p.mu.Lock()
		if len(p.faults) > 0 {
			fault, p.faults = p.faults[0], p.faults[1:]
		}
		p.mu.Unlock()
	}
	switch fault {
	case "":
		p.proxy.ServeHTTP(w, r)
		return
	case "after":
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.fake.URL+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		if resp, err := p.fake.HTTPClient().Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	reset(w)
}

// reset ends the connection of w with a TCP reset, answering nothing.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// client returns a client of the fake that goes through the proxy.
func (p *faultyProxy) client(f *fixture) {
	f.client = f.srv.Client(option.WithBaseURL(p.URL), option.WithHTTPClient(p.Client()))
}

// oneToolCall makes the fixture's agent call bash once and report the
// answer.
func oneToolCall(f *fixture) <-chan managedagentstest.Answer {
	got := make(chan managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		if a, err := turn.CallTool("bash", map[string]any{"command": "make"}); err == nil {
			got <- a
		}
	})
	return got
}

// proxiedCall runs one bash call through a runner whose result post the
// proxy breaks with fault; it checks that the call ran once and that the
// session holds one result, and returns the fixture and the runner's counts.
func proxiedCall(t *testing.T, fault string) (*fixture, toolrunner.Stats) {
	t.Helper()
	f := newFixture(t, nil)
	p := newFaultyProxy(t, f.srv)
	p.client(f)
	p.breakNext(fault)
	got := oneToolCall(f)
	exec := &executor{}
	rr := f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	require.Equal(t, "bash ran", recv(t, got).Text())
	f.waitIdle(t)
	require.Equal(t, map[string]int{f.toolUseIDs(t)[0]: 1}, f.results(t), "one result")
	require.Len(t, f.posts(), 1, "the fake received the result once")
	require.Equal(t, []string{"bash"}, exec.ran(), "run once")
	return f, rr.stop(t)
}

// A result post reset after the server stored it: the runner does not know
// whether it landed, reads the history, finds it there, and neither runs
// the call again nor posts a second result.
func TestResultPostResetAfterServerReadIsReconciled(t *testing.T) {
	t.Parallel()
	_, st := proxiedCall(t, "after")
	require.Equal(t, int64(1), st.Reconciled)
	require.Equal(t, int64(0), st.Posted, "the only post's answer was lost")
	require.Equal(t, int64(0), st.Retried)
}

// A result post reset before it reached the server: the history does not
// hold it, so it is posted again, once; the call is not run again.
func TestResultPostLostBeforeServerIsPostedAgain(t *testing.T) {
	t.Parallel()
	f, st := proxiedCall(t, "before")
	require.Equal(t, int64(0), st.Reconciled)
	require.Equal(t, int64(1), st.Posted)
	require.Equal(t, int64(1), st.Retried)

	// The reconciling read looked for this result only: its type, from the
	// call on.
	var reads int
	for _, r := range f.srv.Requests() {
		if r.Route == managedagentstest.RouteListEvents && r.Query.Get("types[]") == "user.tool_result" {
			reads++
			require.NotEmpty(t, r.Query.Get("created_at[gte]"))
		}
	}
	require.Equal(t, 1, reads)
}

// A 5xx answer to a result post may hide a stored event: the history is read,
// and the result, not there, is posted again, once.
func TestResultPostAnswered5xxIsReconciledThenPostedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	got := oneToolCall(f)
	exec := &executor{}
	f.start(t) // the call waits in the history until the runner starts
	f.srv.FailNext(managedagentstest.RouteSendEvents, 2, http.StatusServiceUnavailable, nil)
	rr := f.run(t, toolrunner.Options{Executor: exec})
	require.Equal(t, "bash ran", recv(t, got).Text())
	f.waitIdle(t)
	require.Equal(t, map[string]int{f.toolUseIDs(t)[0]: 1}, f.results(t))
	require.Equal(t, []string{"bash"}, exec.ran())
	st := rr.stop(t)
	require.Equal(t, int64(2), st.Retried)
	require.Equal(t, int64(1), st.Posted)
}

// The stream cut while a tool runs: the stream reconnects and backfills, the
// call is not run a second time, and its result is posted once.
func TestStreamCutWhileToolRuns(t *testing.T) {
	t.Parallel()
	opened, streams := streamOpened()
	f := newFixture(t, nil, opened)
	got := make(chan []managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		a, err := turn.CallTool("bash", map[string]any{"command": "sleep 1"})
		if err != nil {
			return
		}
		b, err := turn.CallTool("bash", map[string]any{"command": "true"})
		if err == nil {
			got <- []managedagentstest.Answer{a, b}
		}
	})
	exec := &executor{}
	exec.fn = func(_ context.Context, name string, input json.RawMessage) (toolrunner.ToolResult, error) {
		if strings.Contains(string(input), "sleep") {
			f.srv.CutStreams()
		}
		return toolrunner.NewToolResultText("ok " + string(input)), nil
	}
	rr := f.run(t, toolrunner.Options{Executor: exec})
	recv(t, streams) // the cut falls on an open stream
	f.start(t)
	answers := recv(t, got)
	recv(t, streams) // the second call came on a reconnected stream
	require.Contains(t, answers[0].Text(), "sleep 1")
	require.Contains(t, answers[1].Text(), "true")
	f.waitIdle(t)
	ids := f.toolUseIDs(t)
	require.Equal(t, map[string]int{ids[0]: 1, ids[1]: 1}, f.results(t))
	require.Equal(t, []string{"bash", "bash"}, exec.ran())
	require.Equal(t, int64(2), rr.stop(t).Started)
}

// A stream that gives up (no reconnect allowed) is opened again by the
// runner, after reading the history from where it was; nothing runs twice
// and the calls made meanwhile run.
func TestStreamGivenUpIsOpenedAgain(t *testing.T) {
	t.Parallel()
	opened, streams := streamOpened()
	f := newFixture(t, nil, option.WithStreamReconnects(0), opened)
	got := make(chan string, 2)
	f.script(func(turn *managedagentstest.Turn) {
		for _, cmd := range []string{"one", "two"} {
			a, err := turn.CallTool("bash", map[string]any{"command": cmd})
			if err != nil {
				return
			}
			got <- a.Text()
		}
	})
	exec := &executor{}
	exec.fn = func(_ context.Context, _ string, input json.RawMessage) (toolrunner.ToolResult, error) {
		if strings.Contains(string(input), "one") {
			f.srv.CutStreams()
		}
		return toolrunner.NewToolResultText(string(input)), nil
	}
	f.run(t, toolrunner.Options{Executor: exec})
	recv(t, streams) // the cut falls on an open stream
	f.start(t)
	require.Contains(t, recv(t, got), "one")
	require.Contains(t, recv(t, got), "two")
	require.Equal(t, []string{"bash", "bash"}, exec.ran())
	// The stream was dead after the cut: the second call was seen only
	// because the runner read the history again and reopened it.
	var reads int
	for _, r := range f.srv.Requests() {
		if r.Route == managedagentstest.RouteListEvents && !r.Query.Has("types[]") {
			reads++
		}
	}
	require.GreaterOrEqual(t, reads, 3, "the first read, the first stream's backfill, the read after it gave up")
}
