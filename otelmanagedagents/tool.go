package otelmanagedagents

import (
	"context"
	"errors"
	"sync"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents"
)

// Kinds of tool calls: the prefix of their span's name, and their
// anthropic.tool.kind in metrics.
const (
	kindToolUse       = "tool_use"        // agent.tool_use: a built-in tool the application runs
	kindCustomToolUse = "custom_tool_use" // agent.custom_tool_use: the application's own tool
	kindMCPToolUse    = "mcp_tool_use"    // agent.mcp_tool_use
)

// ToolCall is a tool call as its span sees it. A session tool runner's call
// implements it; so does RunTurn's custom tool call, inside [Telemetry.RunTurn].
type ToolCall interface {
	// SessionID returns the id of the session the call belongs to.
	SessionID() string
	// ToolUse returns the event that asked for the call: an
	// *managedagents.AgentToolUseEvent, *managedagents.AgentCustomToolUseEvent
	// or *managedagents.AgentMCPToolUseEvent.
	ToolUse() managedagents.Event
	// Description returns the description of the tool in its definition, or
	// "" when the caller does not know it.
	Description() string
}

// ToolSpan is the span of one tool call, started by [Telemetry.StartTool].
// End it when the call returned; later calls of End do nothing.
type ToolSpan struct {
	t     *Telemetry
	ctx   context.Context // the caller's: its cancellation is not a failure
	span  trace.Span
	start time.Time
	attrs []attribute.KeyValue // of the duration metric
	once  sync.Once
}

// StartTool starts the INTERNAL span of a tool call, a child of the span in
// ctx, and returns ctx with it, for the tool to run in. Its name is
// "anthropic.tool_use <name>", "anthropic.custom_tool_use <name>" or
// "anthropic.mcp_tool_use <name>" after the kind of the call's event, as the
// official SDK's tool runner names them; its attributes are
// gen_ai.operation.name execute_tool, gen_ai.tool.name, gen_ai.tool.call.id
// (the event's id), gen_ai.tool.type function, gen_ai.tool.description (when
// not empty and valid UTF-8), anthropic.session.id and, for a call of a
// thread, anthropic.session.thread.id and gen_ai.conversation.id. The tool's
// input and result are never recorded.
func (t *Telemetry) StartTool(ctx context.Context, call ToolCall) (context.Context, *ToolSpan) {
	s := &ToolSpan{t: t, ctx: ctx, span: trace.SpanFromContext(context.Background()), start: time.Now()}
	toolCtx := ctx
	guard(func() {
		kind, name, thread := toolUseOf(call.ToolUse())
		s.attrs = []attribute.KeyValue{keyToolName.String(name), keyToolKind.String(kind)}
		spanName := "anthropic." + kind
		if name != "" {
			spanName += " " + name
		}
		attrs := []attribute.KeyValue{
			providerAnthropic,
			keyGenAIOperation.String("execute_tool"),
			keyToolName.String(name),
			keyToolCallID.String(call.ToolUse().EventID()),
			keyToolType.String("function"),
			keySessionID.String(call.SessionID()),
		}
		if thread != "" {
			attrs = append(attrs, keySessionThreadID.String(thread), keyConversationID.String(thread))
		}
		if d := call.Description(); d != "" && utf8.ValidString(d) {
			attrs = append(attrs, keyToolDescription.String(d))
		}
		toolCtx, s.span = t.tracer.Start(ctx, spanName, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	})
	return toolCtx, s
}

// toolUseOf returns the kind, tool name and thread of a tool-use event.
func toolUseOf(ev managedagents.Event) (kind, name, thread string) {
	switch e := ev.(type) {
	case *managedagents.AgentToolUseEvent:
		return kindToolUse, e.Name, e.SessionThreadID
	case *managedagents.AgentCustomToolUseEvent:
		return kindCustomToolUse, e.Name, e.SessionThreadID
	case *managedagents.AgentMCPToolUseEvent:
		return kindMCPToolUse, e.Name, e.SessionThreadID
	}
	return kindToolUse, "", ""
}

// End ends the span of a tool call that returned err (nil on success; a
// result the tool reported as an error counts as one): status OK, ERROR with
// error.type tool_error, or none when the call was canceled (err is, or the
// context given to StartTool ended with, context.Canceled): stopped, not
// failed. A deadline of the caller's context is a failure. It records the
// call's duration in the anthropic.managed_agents.tool.duration metric.
func (s *ToolSpan) End(err error) {
	s.once.Do(func() { s.end(err) })
}

func (s *ToolSpan) end(err error) {
	guard(func() {
		defer s.span.End()
		attrs := s.attrs
		switch {
		case err == nil:
			s.span.SetStatus(codes.Ok, "")
		case canceled(err) || canceled(s.ctx.Err()):
			attrs = append(attrs, keyErrorType.String(errCanceled))
		default:
			s.span.SetStatus(codes.Error, "")
			s.span.SetAttributes(keyErrorType.String(errTool))
			attrs = append(attrs, keyErrorType.String(errTool))
		}
		s.t.m.toolDuration.Record(s.ctx, time.Since(s.start).Seconds(), metric.WithAttributes(attrs...))
	})
}

// TraceTool runs run in the span of call (see [Telemetry.StartTool] and
// [ToolSpan.End]) and returns what it returned: a hook of a runner that wraps
// each tool call plugs in with one line. (For package toolrunner, whose
// results can report a failure without an error, use
// [Telemetry.ToolMiddleware].)
func TraceTool[R any](ctx context.Context, t *Telemetry, call ToolCall, run func(context.Context) (R, error)) (R, error) {
	toolCtx, span := t.StartTool(ctx, call)
	returned := false
	defer func() {
		if !returned { // run panicked: the span still ends, the panic goes on
			span.End(errToolPanicked)
		}
	}()
	r, err := run(toolCtx)
	returned = true
	span.End(err)
	return r, err
}

// errToolPanicked ends the span of a tool call that panicked.
var errToolPanicked = errors.New("otelmanagedagents: the tool call panicked")
