package otelmanagedagents

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// spanRunTurn is the name of the span of a turn.
const spanRunTurn = "anthropic.sessions.run_turn"

// RunTurn runs client.Sessions.RunTurn(ctx, sessionID, params, opts...) inside
// the INTERNAL span anthropic.sessions.run_turn (gen_ai.operation.name
// invoke_agent, anthropic.session.id), parent of the turn's calls (the
// stream's connections, the send, the backfills, the answers to tool calls)
// and of a span per custom tool call of params.Tools (anthropic.custom_tool_use
// <name>, see [Telemetry.StartTool]). The turn's stream reports on it as on an
// [EventStream]'s span: reconnect and backfill events, and counts. At the end
// it gets anthropic.turn.stop_reason and the counts of messages, tool uses
// and session errors of the result; its status is OK, unset when ctx was
// canceled, or ERROR with error.type (session_ended when the session ended
// during the turn). params' own hooks still run, after the telemetry's.
func (t *Telemetry) RunTurn(ctx context.Context, client *managedagents.Client, sessionID string, params managedagents.SessionRunTurnParams, opts ...option.RequestOption) (*managedagents.TurnResult, error) {
	start := time.Now()
	span := trace.SpanFromContext(context.Background())
	turnCtx := ctx
	guard(func() {
		turnCtx, span = t.tracer.Start(ctx, spanRunTurn, trace.WithSpanKind(trace.SpanKindInternal),
			trace.WithAttributes(providerAnthropic, keyGenAIOperation.String("invoke_agent"), keySessionID.String(sessionID)))
	})
	obs := t.newStreamObserver(turnCtx, span, opSessionStream)
	active := metric.WithAttributes(keyOperationName.String(opSessionStream))
	guard(func() { t.m.streamActive.Add(turnCtx, 1, active) })
	params.OnReconnect = obs.onReconnect(params.OnReconnect)
	params.OnBackfill = obs.onBackfill(params.OnBackfill)
	onEvent := params.OnEvent
	params.OnEvent = func(ev managedagents.Event) {
		obs.event(ev)
		if onEvent != nil {
			onEvent(ev)
		}
	}
	if len(params.Tools) > 0 {
		tools := make(map[string]managedagents.ToolHandler, len(params.Tools))
		for name, h := range params.Tools {
			tools[name] = t.traceToolHandler(sessionID, h)
		}
		params.Tools = tools
	}

	res, err := client.Sessions.RunTurn(turnCtx, sessionID, params, opts...)

	guard(func() {
		defer span.End()
		t.m.streamActive.Add(turnCtx, -1, active)
		attrs := obs.totals()
		var measure []attribute.KeyValue
		if res != nil {
			attrs = append(attrs,
				keyTurnMessages.Int(len(res.Messages)),
				keyTurnToolUses.Int(len(res.ToolUses)),
				keyTurnErrors.Int(len(res.Errors)))
			if r := res.StopReason; r.Type != "" {
				attrs = append(attrs, keyTurnStopReason.String(string(r.Type)))
				reason := "other" // the server's choice: bounded for the metric
				if r.Known() {
					reason = string(r.Type)
				}
				measure = append(measure, keyTurnStopReason.String(reason))
			}
		}
		span.SetAttributes(attrs...)
		switch {
		case err == nil:
			span.SetStatus(codes.Ok, "")
		case canceled(err):
			measure = append(measure, keyErrorType.String(errCanceled))
		default:
			setErrorStatus(span, err)
			measure = append(measure, keyErrorType.String(errorType(err)))
		}
		t.m.turnDuration.Record(turnCtx, time.Since(start).Seconds(), metric.WithAttributes(measure...))
	})
	return res, err
}

// traceToolHandler returns h run in a custom tool span of session sessionID.
func (t *Telemetry) traceToolHandler(sessionID string, h managedagents.ToolHandler) managedagents.ToolHandler {
	return func(ctx context.Context, call *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
		return TraceTool(ctx, t, customToolCall{session: sessionID, event: call}, func(ctx context.Context) ([]managedagents.ContentBlock, error) {
			return h(ctx, call)
		})
	}
}

// customToolCall is a ToolCall of RunTurn's custom tools.
type customToolCall struct {
	session string
	event   *managedagents.AgentCustomToolUseEvent
}

func (c customToolCall) SessionID() string            { return c.session }
func (c customToolCall) ToolUse() managedagents.Event { return c.event }
func (c customToolCall) Description() string          { return "" }
