package toolrunner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// tracedCall is a tool call as the otelmanagedagents module's tool span sees
// it: ToolCall must stay one, so that its Middleware plugs in as is.
type tracedCall interface {
	SessionID() string
	ToolUse() managedagents.Event
	Description() string
}

var _ tracedCall = toolrunner.ToolCall{}

// span is what a tracing middleware would put on an anthropic.tool_use span
// (webhooks-telemetry.md §2.6).
type span struct {
	name      string
	call      toolrunner.ToolCall
	took      time.Duration
	isError   bool
	err       error
	inContext bool
}

// Middleware wraps every call, built-in and custom, the first outermost; it
// gets what a span needs (tool name and type, tool_use id, session, thread,
// duration, error), may change the result, and the call rides the context
// into the executor and into the requests that post the result.
func TestMiddlewareWrapsEachCall(t *testing.T) {
	t.Parallel()
	f, helper := newThreadsFixture(t, []any{agentToolset(""),
		map[string]any{"type": "custom", "name": "lookup", "description": "d", "input_schema": map[string]any{"type": "object"}}})
	threadID := make(chan string, 1)
	got := make(chan []managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		th := turn.StartThread(helper)
		threadID <- th.ID()
		a := th.ToolUse("glob", map[string]any{"pattern": "*"})
		answers, err := turn.AwaitResults(a)
		if err != nil {
			return
		}
		b, err := turn.CallCustomTool("lookup", map[string]any{})
		if err == nil {
			got <- append(answers, b)
		}
	})
	var mu sync.Mutex
	var spans []span
	var order []string
	outer := func(ctx context.Context, c toolrunner.ToolCall, next toolrunner.ToolFunc) (toolrunner.ToolResult, error) {
		mu.Lock()
		order = append(order, "outer "+c.Name)
		mu.Unlock()
		start := time.Now()
		res, err := next(ctx, c)
		_, in := toolrunner.CallFromContext(ctx)
		mu.Lock()
		spans = append(spans, span{name: strings.TrimPrefix(string(c.Type), "agent.") + " " + c.Name, call: c,
			took: time.Since(start), isError: res.IsError, err: err, inContext: in})
		mu.Unlock()
		return res, err
	}
	inner := func(ctx context.Context, c toolrunner.ToolCall, next toolrunner.ToolFunc) (toolrunner.ToolResult, error) {
		mu.Lock()
		order = append(order, "inner "+c.Name)
		mu.Unlock()
		res, err := next(ctx, c)
		res.Content = append(res.Content, managedagents.NewTextBlock(" (traced)"))
		return res, err
	}
	var posted []toolrunner.ToolCall
	f.client = f.client.WithOptions(option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		if c, ok := toolrunner.CallFromContext(req.Context()); ok && req.Method == http.MethodPost {
			mu.Lock()
			posted = append(posted, c)
			mu.Unlock()
		}
		return next(req)
	}))
	exec := &executor{}
	exec.fn = func(ctx context.Context, name string, _ json.RawMessage) (toolrunner.ToolResult, error) {
		c, ok := toolrunner.CallFromContext(ctx)
		require.True(t, ok)
		return toolrunner.NewToolResultText(name + " " + c.ID), nil
	}
	rr := f.run(t, toolrunner.Options{Executor: exec, Middleware: []toolrunner.Middleware{outer, inner},
		CustomTools: map[string]toolrunner.ToolFunc{"lookup": func(context.Context, toolrunner.ToolCall) (toolrunner.ToolResult, error) {
			return toolrunner.NewToolResultError("not found"), nil
		}}})
	f.start(t)
	tid := recv(t, threadID)
	answers := recv(t, got)
	rr.stop(t)
	ids := f.toolUseIDs(t)
	require.Equal(t, "glob "+ids[0]+" (traced)", answers[0].Text())
	require.Equal(t, "not found (traced)", answers[1].Text())

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"outer glob", "inner glob", "outer lookup", "inner lookup"}, order)
	require.Len(t, spans, 2)
	require.Equal(t, "tool_use glob", spans[0].name)
	require.Equal(t, ids[0], spans[0].call.ID)
	require.Equal(t, ids[0], spans[0].call.ToolUse().EventID())
	require.Equal(t, f.sessionID, spans[0].call.SessionID())
	require.Equal(t, tid, spans[0].call.ThreadID)
	require.False(t, spans[0].call.ProcessedAt.IsZero())
	require.True(t, spans[0].inContext)
	require.Equal(t, "custom_tool_use lookup", spans[1].name)
	require.Equal(t, managedagents.EventTypeAgentCustomToolUse, spans[1].call.Type)
	require.Empty(t, spans[1].call.ThreadID)
	require.True(t, spans[1].isError)
	require.NoError(t, spans[1].err)
	require.Len(t, posted, 2, "each post carries its call")
	require.Equal(t, ids[0], posted[0].ID)
	require.Equal(t, ids[1], posted[1].ID)
}

// The runner's logs name sessions, calls, threads and tools, never a
// credential, a tool's input or its result, even when posts fail and the
// stream reconnects.
func TestLogsHoldNoSecret(t *testing.T) {
	t.Parallel()
	const key = "sk-ant-api03-EXAMPLE-runner-log-secret"
	srv := managedagentstest.NewServer(managedagentstest.WithAPIKey(key))
	f := buildFixture(t, srv, func(*fixture) map[string]any { return nil })
	got := make(chan managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		if a, err := turn.CallTool("bash", map[string]any{"command": "curl -u admin:hunter2 example.com"}); err == nil {
			got <- a
		}
	})
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	exec := &executor{fn: func(context.Context, string, json.RawMessage) (toolrunner.ToolResult, error) {
		srv.CutStreams()
		return toolrunner.NewToolResultText("token=RESULT-SECRET-42"), nil
	}}
	f.start(t)
	srv.FailNext(managedagentstest.RouteSendEvents, 1, http.StatusServiceUnavailable, nil)
	rr := f.run(t, toolrunner.Options{Executor: exec, Logger: logger,
		RequestOptions: []option.RequestOption{option.WithAuthToken(key)}})
	require.Equal(t, "token=RESULT-SECRET-42", recv(t, got).Text())
	rr.stop(t)
	mu.Lock()
	defer mu.Unlock()
	out := buf.String()
	require.Contains(t, out, `"tool_use_id":"`+f.toolUseIDs(t)[0]+`"`)
	require.Contains(t, out, "result post uncertain")
	for _, secret := range []string{key, "hunter2", "RESULT-SECRET"} {
		require.NotContains(t, out, secret)
	}
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }
