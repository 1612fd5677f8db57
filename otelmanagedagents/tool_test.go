package otelmanagedagents

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents"
)

// fakeCall is a ToolCall as the session tool runner will hand one over.
type fakeCall struct {
	session     string
	event       managedagents.Event
	description string
}

func (c fakeCall) SessionID() string            { return c.session }
func (c fakeCall) ToolUse() managedagents.Event { return c.event }
func (c fakeCall) Description() string          { return c.description }

func toolUse(id, name, thread string) *managedagents.AgentToolUseEvent {
	return &managedagents.AgentToolUseEvent{
		EventMeta:       managedagents.EventMeta{ID: id, Type: managedagents.EventTypeAgentToolUse},
		Name:            name,
		SessionThreadID: thread,
	}
}

// TestToolSpanOfARunnerCall: a built-in tool call of a thread is an
// INTERNAL span "anthropic.tool_use <name>" with the reference's attributes,
// a child of the caller's span, and its duration is measured.
func TestToolSpanOfARunnerCall(t *testing.T) {
	h := newHarness(t, nil)
	parentCtx, parent := h.tel.tracer.Start(h.ctx, "runner")
	call := fakeCall{session: "sesn_1", event: toolUse("sevt_1", "bash", "sthr_1"), description: "Runs a shell command."}
	out, err := TraceTool(parentCtx, h.tel, call, func(ctx context.Context) (string, error) {
		require.True(t, trace.SpanFromContext(ctx).IsRecording(), "the tool runs in its span")
		return "ok", nil
	})
	parent.End()
	require.NoError(t, err)
	require.Equal(t, "ok", out)

	span := h.one("anthropic.tool_use bash")
	require.Equal(t, trace.SpanKindInternal, span.SpanKind())
	require.Equal(t, parent.SpanContext().SpanID(), span.Parent().SpanID())
	require.Equal(t, codes.Ok, span.Status().Code)
	requireAttrs(t, span, map[attribute.Key]any{
		"gen_ai.provider.name":        "anthropic",
		"gen_ai.operation.name":       "execute_tool",
		"gen_ai.tool.name":            "bash",
		"gen_ai.tool.call.id":         "sevt_1",
		"gen_ai.tool.type":            "function",
		"gen_ai.tool.description":     "Runs a shell command.",
		"anthropic.session.id":        "sesn_1",
		"anthropic.session.thread.id": "sthr_1",
		"gen_ai.conversation.id":      "sthr_1",
	}, "error.type", "gen_ai.tool.call.arguments", "anthropic.tool_result.content")
	dp, ok := h.histogram(metricToolDuration, keyToolName.String("bash"), keyToolKind.String(kindToolUse))
	require.True(t, ok)
	require.Equal(t, uint64(1), dp.Count)
}

// TestToolSpanOutcomes: a failure is tool_error, a cancellation leaves the
// status unset, a panic still ends the span; custom and MCP calls are named
// after their kind; a description that is not UTF-8 is left out.
func TestToolSpanOutcomes(t *testing.T) {
	h := newHarness(t, nil)
	custom := &managedagents.AgentCustomToolUseEvent{
		EventMeta: managedagents.EventMeta{ID: "sevt_2", Type: managedagents.EventTypeAgentCustomToolUse}, Name: "get_weather"}
	_, err := TraceTool(h.ctx, h.tel, fakeCall{session: "sesn_1", event: custom, description: "bad \xff"},
		func(context.Context) (int, error) { return 0, errors.New("no network") })
	require.Error(t, err)
	failed := h.one("anthropic.custom_tool_use get_weather")
	require.Equal(t, codes.Error, failed.Status().Code)
	requireAttrs(t, failed, map[attribute.Key]any{"error.type": "tool_error"},
		"gen_ai.tool.description", "anthropic.session.thread.id", "gen_ai.conversation.id")

	ctx, cancel := context.WithCancel(h.ctx)
	_, span := h.tel.StartTool(ctx, fakeCall{session: "sesn_1", event: toolUse("sevt_3", "read", "")})
	cancel()
	span.End(errors.New("interrupted")) // the tool's own error once its context ended
	span.End(nil)                       // a second End does nothing
	stopped := h.one("anthropic.tool_use read")
	require.Equal(t, codes.Unset, stopped.Status().Code)
	requireAttrs(t, stopped, nil, "error.type")

	mcp := &managedagents.AgentMCPToolUseEvent{
		EventMeta: managedagents.EventMeta{ID: "sevt_4", Type: managedagents.EventTypeAgentMCPToolUse}, Name: "search"}
	require.Panics(t, func() {
		_, _ = TraceTool(h.ctx, h.tel, fakeCall{session: "sesn_1", event: mcp}, func(context.Context) (int, error) { panic("boom") })
	})
	panicked := h.one("anthropic.mcp_tool_use search")
	require.Equal(t, codes.Error, panicked.Status().Code)

	dp, ok := h.histogram(metricToolDuration, keyToolName.String("read"), keyToolKind.String(kindToolUse), keyErrorType.String(errCanceled))
	require.True(t, ok)
	require.Equal(t, uint64(1), dp.Count)
	_, ok = h.histogram(metricToolDuration, keyToolName.String("read"), keyToolKind.String(kindToolUse))
	require.False(t, ok, "the second End recorded nothing")
	_, ok = h.histogram(metricToolDuration, keyToolName.String("get_weather"), keyToolKind.String(kindCustomToolUse), keyErrorType.String(errTool))
	require.True(t, ok)
}
