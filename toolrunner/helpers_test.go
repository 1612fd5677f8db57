package toolrunner_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// call, post, reconcile, stream and timer of a runner must have ended.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait of a test: a runner that hangs fails the test
// instead of the package.
const testTimeout = 10 * time.Second

// fixture is a fake server with a self-hosted session whose agent plays
// script, and a client on it.
type fixture struct {
	srv       *managedagentstest.Server
	client    *managedagents.Client
	agentID   string
	sessionID string
}

// agentToolset is an agent_toolset_20260401 tool; policy ("" for the
// default, always_allow) applies to every tool, disabled names are not
// enabled.
func agentToolset(policy string, disabled ...string) map[string]any {
	ts := map[string]any{"type": "agent_toolset_20260401"}
	if policy != "" {
		ts["default_config"] = map[string]any{"permission_policy": map[string]any{"type": policy}}
	}
	var configs []any
	for _, name := range disabled {
		configs = append(configs, map[string]any{"name": name, "enabled": false})
	}
	if configs != nil {
		ts["configs"] = configs
	}
	return ts
}

// newFixture starts a fake server and creates an agent (fields of agent
// merged), a self_hosted environment and a session. The client reconnects
// its stream within milliseconds.
func newFixture(t testing.TB, agent map[string]any, clientOpts ...option.RequestOption) *fixture {
	t.Helper()
	return buildFixture(t, nil, func(*fixture) map[string]any { return agent }, clientOpts...)
}

// newThreadsFixture is newFixture for an agent with tools (the default
// toolset when nil) that coordinates a helper agent (whose id it returns), so
// that its script can start child threads.
func newThreadsFixture(t *testing.T, tools []any, clientOpts ...option.RequestOption) (*fixture, string) {
	t.Helper()
	var helper string
	f := buildFixture(t, nil, func(f *fixture) map[string]any {
		helper = f.seed(t, "POST", "/v1/agents", map[string]any{"name": "Helper", "model": "claude-haiku-5-5",
			"tools": []any{agentToolset("")}})["id"].(string)
		agent := map[string]any{"multiagent": map[string]any{"type": "coordinator", "agents": []any{helper}}}
		if tools != nil {
			agent["tools"] = tools
		}
		return agent
	}, clientOpts...)
	return f, helper
}

// buildFixture creates, on srv (a new fake server when nil; closed at the
// end of the test), the session of an agent whose extra fields agent returns
// (it may seed the server first).
func buildFixture(t testing.TB, srv *managedagentstest.Server, agent func(*fixture) map[string]any, clientOpts ...option.RequestOption) *fixture {
	t.Helper()
	if srv == nil {
		srv = managedagentstest.NewServer()
	}
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv}
	body := map[string]any{"name": "Worker agent", "model": "claude-sonnet-5-5", "tools": []any{agentToolset("")}}
	for k, v := range agent(f) {
		body[k] = v
	}
	f.agentID = f.seed(t, "POST", "/v1/agents", body)["id"].(string)
	env := f.seed(t, "POST", "/v1/environments", map[string]any{"name": "self-hosted", "config": map[string]any{"type": "self_hosted"}})
	f.sessionID = f.seed(t, "POST", "/v1/sessions", map[string]any{"agent": f.agentID, "environment_id": env["id"]})["id"].(string)
	opts := append([]option.RequestOption{option.WithStreamBackoff(time.Millisecond, 5*time.Millisecond)}, clientOpts...)
	f.client = srv.Client(opts...)
	return f
}

// streamOpened is a client option that signals on the returned channel each
// time an event stream of the client opened (its 200 answer came).
func streamOpened() (option.RequestOption, <-chan struct{}) {
	ch := make(chan struct{}, 100)
	return option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if err == nil && resp.StatusCode == http.StatusOK && strings.HasSuffix(req.URL.Path, "/events/stream") {
			ch <- struct{}{}
		}
		return resp, err
	}), ch
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

// script sets the script of the session's agent.
func (f *fixture) script(sc managedagentstest.Script) { f.srv.SetScript(f.agentID, sc) }

// send sends events to the session as the user.
func (f *fixture) send(t testing.TB, events ...managedagents.EventParam) {
	t.Helper()
	_, err := f.client.Sessions.Events.Send(context.Background(), f.sessionID, managedagents.SessionEventSendParams{Events: events})
	require.NoError(t, err)
}

// start sends a user.message, which starts the script's turn.
func (f *fixture) start(t testing.TB) { f.send(t, managedagents.NewUserMessage("go")) }

// events returns the session's events, decoded.
func (f *fixture) events(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, raw := range f.srv.Events(f.sessionID) {
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		out = append(out, m)
	}
	return out
}

// results returns, per tool-use id, how many user.tool_result and
// user.custom_tool_result events the session holds.
func (f *fixture) results(t *testing.T) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, ev := range f.events(t) {
		switch ev["type"] {
		case "user.tool_result":
			n[ev["tool_use_id"].(string)]++
		case "user.custom_tool_result":
			n[ev["custom_tool_use_id"].(string)]++
		}
	}
	return n
}

// toolUseIDs returns the ids of the session's agent.tool_use and
// agent.custom_tool_use events, in order.
func (f *fixture) toolUseIDs(t *testing.T) []string {
	t.Helper()
	var ids []string
	for _, ev := range f.events(t) {
		if ev["type"] == "agent.tool_use" || ev["type"] == "agent.custom_tool_use" {
			ids = append(ids, ev["id"].(string))
		}
	}
	return ids
}

// posts returns the request bodies of the result posts the fake received
// and did not fail (answered 200, or being answered).
func (f *fixture) posts() [][]byte {
	var out [][]byte
	for _, r := range f.srv.Requests() {
		if r.Route == managedagentstest.RouteSendEvents && (r.Status == http.StatusOK || r.Status == 0) {
			var body struct {
				Events []struct {
					Type string `json:"type"`
				} `json:"events"`
			}
			if json.Unmarshal(r.Body, &body) == nil && len(body.Events) == 1 &&
				(body.Events[0].Type == "user.tool_result" || body.Events[0].Type == "user.custom_tool_result") {
				out = append(out, r.Body)
			}
		}
	}
	return out
}

// waitIdle waits until the session settled and returns the last stop reason.
func (f *fixture) waitIdle(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	stop, err := f.srv.WaitIdle(ctx, f.sessionID)
	require.NoError(t, err)
	return stop
}

// fastOptions are runner options for tests: retries within a millisecond,
// no idle end, and what opts sets.
func fastOptions(opts toolrunner.Options) toolrunner.Options {
	if opts.Backoff == nil {
		opts.Backoff = func(int) time.Duration { return time.Millisecond }
	}
	if opts.MaxIdle == 0 {
		opts.MaxIdle = -1
	}
	return opts
}

// running is a Runner whose Run runs in a goroutine.
type running struct {
	*toolrunner.Runner
	cancel context.CancelCauseFunc
	done   chan error
}

// run makes a runner of the fixture's session with opts (see fastOptions)
// and runs it until the test ends.
func (f *fixture) run(t *testing.T, opts toolrunner.Options) *running {
	t.Helper()
	r, err := toolrunner.New(f.client, f.sessionID, fastOptions(opts))
	require.NoError(t, err)
	ctx, cancel := context.WithCancelCause(context.Background())
	rr := &running{Runner: r, cancel: cancel, done: make(chan error, 1)}
	go func() { rr.done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel(nil)
		<-rr.done
	})
	return rr
}

// stop shuts the runner down, letting its calls finish, and returns its
// counts once Run returned.
func (rr *running) stop(t *testing.T) toolrunner.Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	require.NoError(t, rr.Shutdown(ctx))
	require.NoError(t, rr.wait(t))
	return rr.Stats()
}

// wait waits for Run to return and returns its error.
func (rr *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-rr.done:
		rr.done <- err // for the cleanup
		return err
	case <-time.After(testTimeout):
		t.Fatal("Run did not return")
		return nil
	}
}

// executor is an Executor that records the calls it runs and runs each with
// fn (an echo of the input when nil).
type executor struct {
	mu     sync.Mutex
	calls  []string          // names, in the order started
	inputs []json.RawMessage // their inputs
	fn     func(ctx context.Context, name string, input json.RawMessage) (toolrunner.ToolResult, error)
}

func (e *executor) Run(ctx context.Context, name string, input json.RawMessage) (toolrunner.ToolResult, error) {
	e.mu.Lock()
	e.calls = append(e.calls, name)
	e.inputs = append(e.inputs, input)
	fn := e.fn
	e.mu.Unlock()
	if fn == nil {
		return toolrunner.NewToolResultText(name + " ran"), nil
	}
	return fn(ctx, name, input)
}

// ran returns the calls started so far.
func (e *executor) ran() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.calls...)
}

// recv receives from ch within the test timeout.
func recv[T any](t *testing.T, ch <-chan T) T {
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

// unanswered collects what Options.OnUnanswered reports.
type unanswered struct {
	mu    sync.Mutex
	calls []toolrunner.ToolCall
	errs  []error
	ch    chan struct{}
}

func newUnanswered() *unanswered { return &unanswered{ch: make(chan struct{}, 100)} }

func (u *unanswered) report(c toolrunner.ToolCall, err error) {
	u.mu.Lock()
	u.calls = append(u.calls, c)
	u.errs = append(u.errs, err)
	u.mu.Unlock()
	u.ch <- struct{}{}
}

func (u *unanswered) get() ([]toolrunner.ToolCall, []error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]toolrunner.ToolCall(nil), u.calls...), append([]error(nil), u.errs...)
}
