package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
	"github.com/go-managedagents/managedagents/worker"
)

// TestMain fails the package when a test leaves a goroutine or a process
// behind (a shell, or anything a shell started), and
// serves as the child process of the SIGTERM test (see
// TestSIGTERMDuringAToolDrains) and as the fake's process of the memory
// benchmark (see BenchmarkWorkerMemoryPerItem).
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	if os.Getenv(fakeEnv) != "" {
		os.Exit(runFake())
	}
	becomeSubreaper()
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left running:", err)
			code = 1
		}
		if stray := strayProcesses(); len(stray) > 0 {
			fmt.Fprintln(os.Stderr, "processes left running:", stray)
			code = 1
		}
	}
	os.Exit(code)
}

// testTimeout bounds every wait of a test.
const testTimeout = 20 * time.Second

// fastPolls poll without a budget worth the name: tests poll as often as
// they need.
var fastPolls = managedagents.WorkPollerOptions{
	WorkerID: "test-worker",
	BlockMs:  200,
	Budget:   ratelimit.Budget{Limit: 100000, Window: time.Minute, Burst: 10000},
}

// fixture is a fake server with a self-hosted environment.
type fixture struct {
	srv    *managedagentstest.Server
	client *managedagents.Client
	envID  string
}

// newFixture starts a fake server (closed at the end of the test) with
// opts, and creates a self-hosted environment.
func newFixture(t testing.TB, opts ...managedagentstest.ServerOption) *fixture {
	t.Helper()
	srv := managedagentstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, client: srv.Client(option.WithStreamBackoff(time.Millisecond, 5*time.Millisecond))}
	f.envID = f.seed(t, "POST", "/v1/environments", map[string]any{"name": "self-hosted", "config": map[string]any{"type": "self_hosted"}})["id"].(string)
	return f
}

// seed calls the fake in process and returns the decoded answer.
func (f *fixture) seed(t testing.TB, method, path string, body any) map[string]any {
	t.Helper()
	status, data := f.srv.Call(method, path, body)
	require.Equal(t, 200, status, "%s %s: %s", method, path, data)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

// session creates an agent with the agent toolset (extra fields merged)
// playing script, and a session of it in the environment (extra session
// fields merged), and returns the session's id.
func (f *fixture) session(t testing.TB, script managedagentstest.Script, agent, session map[string]any) string {
	t.Helper()
	body := map[string]any{"name": "Worker agent", "model": "claude-sonnet-5-5", "tools": []any{map[string]any{"type": "agent_toolset_20260401"}}}
	for k, v := range agent {
		body[k] = v
	}
	agentID := f.seed(t, "POST", "/v1/agents", body)["id"].(string)
	f.srv.SetScript(agentID, script)
	sb := map[string]any{"agent": agentID, "environment_id": f.envID}
	for k, v := range session {
		sb[k] = v
	}
	return f.seed(t, "POST", "/v1/sessions", sb)["id"].(string)
}

// start sends a user.message to the session, which starts its script.
func (f *fixture) start(t testing.TB, sessionID string) {
	t.Helper()
	_, err := f.client.Sessions.Events.Send(context.Background(), sessionID, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("go")}})
	require.NoError(t, err)
}

// options are worker options for tests: fast polls, a quick idle end, the
// test's own working directory, what opts sets.
func (f *fixture) options(t testing.TB, opts worker.Options) worker.Options {
	if opts.Workdir == "" {
		opts.Workdir = t.TempDir()
	}
	if opts.Poll == (managedagents.WorkPollerOptions{}) {
		opts.Poll = fastPolls
	}
	if opts.MaxIdle == 0 {
		opts.MaxIdle = 50 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	return opts
}

// run starts a worker of the environment with opts (see options); it is
// stopped at once at the end of the test.
func (f *fixture) run(t testing.TB, opts worker.Options) *worker.Worker {
	t.Helper()
	w, err := worker.New(f.client, f.envID, f.options(t, opts))
	require.NoError(t, err)
	require.NoError(t, w.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		_ = w.StopAndCancel(ctx)
		<-w.Stopped()
	})
	return w
}

// stop stops w gracefully within the test timeout.
func stop(t testing.TB, w *worker.Worker) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	require.NoError(t, w.Stop(ctx))
}

// requests returns the requests of route the fake received.
func (f *fixture) requests(route string) []managedagentstest.Request {
	var out []managedagentstest.Request
	for _, r := range f.srv.Requests() {
		if r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// workRequests returns the requests of route for work item id.
func (f *fixture) workRequests(route, id string) []managedagentstest.Request {
	var out []managedagentstest.Request
	for _, r := range f.requests(route) {
		if strings.Split(r.Path, "/")[5] == id {
			out = append(out, r)
		}
	}
	return out
}

// workOf returns the id of the work item of session id, once acked.
func (f *fixture) workOf(t testing.TB, sessionID string) string {
	t.Helper()
	var id string
	eventually(t, func() bool {
		for _, r := range f.requests(managedagentstest.RouteAckWork) {
			if r.Status != http.StatusOK {
				continue
			}
			wid := strings.Split(r.Path, "/")[5]
			_, data := f.srv.Call("GET", "/v1/environments/"+f.envID+"/work/"+wid, nil)
			var item struct {
				Data struct{ ID string } `json:"data"`
			}
			if json.Unmarshal(data, &item) == nil && item.Data.ID == sessionID {
				id = wid
				return true
			}
		}
		return false
	})
	return id
}

// eventually waits until cond holds, checking every few milliseconds, for
// at most the test timeout.
func eventually(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitIdle waits until the session settled and returns the last stop reason.
func (f *fixture) waitIdle(t testing.TB, sessionID string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	stop, err := f.srv.WaitIdle(ctx, sessionID)
	require.NoError(t, err)
	return stop
}

// events returns the session's events, decoded.
func (f *fixture) events(t testing.TB, sessionID string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, raw := range f.srv.Events(sessionID) {
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		out = append(out, m)
	}
	return out
}

// results returns the session's user.tool_result events, in order.
func (f *fixture) results(t testing.TB, sessionID string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ev := range f.events(t, sessionID) {
		if ev["type"] == "user.tool_result" {
			out = append(out, ev)
		}
	}
	return out
}

// recv receives from ch within the test timeout.
func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testTimeout):
		t.Fatal("nothing received in time")
		var zero T
		return zero
	}
}

// logs collects the worker's log records, for checks that no secret is
// logged.
type logs struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testLogger logs at debug level into the test's log when -v is set.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return nil
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
