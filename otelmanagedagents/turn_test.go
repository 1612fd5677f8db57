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

// TestRunTurnSpanWithACutStream: a turn whose stream is cut after two frames
// is one INTERNAL span with the session id and the stop reason, parent of
// every call of the turn and of the custom tool's span; the reconnect and the
// backfill are events on it, and the metrics count them.
func TestRunTurnSpanWithACutStream(t *testing.T) {
	h := newHarness(t, nil)
	_, _, sessionID := h.seed()
	h.srv.CutStreamAfter(2)
	var reconnects int
	res, err := h.tel.RunTurn(h.ctx, h.client, sessionID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("What is the weather in Paris?")},
		Tools: map[string]managedagents.ToolHandler{
			"get_weather": func(ctx context.Context, call *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				require.True(t, trace.SpanFromContext(ctx).SpanContext().IsValid(), "the tool runs in its span")
				return []managedagents.ContentBlock{managedagents.NewTextBlock("sunny")}, nil
			},
		},
		OnReconnect: func(managedagents.StreamReconnect) { reconnects++ },
	})
	require.NoError(t, err)
	require.Equal(t, managedagents.StopReasonEndTurn, res.StopReason.Type)
	require.Equal(t, 1, reconnects, "the application's hook still runs")

	turn := h.one(spanRunTurn)
	require.Equal(t, trace.SpanKindInternal, turn.SpanKind())
	require.Equal(t, codes.Ok, turn.Status().Code)
	requireAttrs(t, turn, map[attribute.Key]any{
		"gen_ai.provider.name":        "anthropic",
		"gen_ai.operation.name":       "invoke_agent",
		"anthropic.session.id":        sessionID,
		"anthropic.turn.stop_reason":  "end_turn",
		"anthropic.turn.messages":     int64(len(res.Messages)),
		"anthropic.turn.tool_uses":    int64(1),
		"anthropic.stream.reconnects": int64(1),
	})
	events := attrs(turn)[keyStreamEvents].AsInt64()
	backfilled := attrs(turn)[keyStreamBackfilled].AsInt64()
	require.Positive(t, events)
	require.Positive(t, backfilled, "the cut lost events the backfill recovered")
	var names []string
	for _, ev := range turn.Events() {
		names = append(names, ev.Name)
	}
	require.Equal(t, []string{eventReconnect, eventBackfill}, names)
	reconnect := map[attribute.Key]attribute.Value{}
	for _, kv := range turn.Events()[0].Attributes {
		reconnect[kv.Key] = kv.Value
	}
	require.Equal(t, "stream_ended", reconnect[keyErrorType].AsString())
	require.Equal(t, int64(1), reconnect[keyReconnectAttempt].AsInt64())

	// Every call of the turn, and the tool, are children of the turn's span.
	for _, name := range []string{"anthropic.sessions.events.stream", "anthropic.sessions.events.send", "anthropic.sessions.events.list", "anthropic.custom_tool_use get_weather"} {
		spans := h.ended(name)
		require.NotEmpty(t, spans, name)
		for _, s := range spans {
			require.Equal(t, turn.SpanContext().SpanID(), s.Parent().SpanID(), name)
		}
	}
	require.Len(t, h.ended("anthropic.sessions.events.stream"), 2, "one span per connection")

	op := keyOperationName.String(opSessionStream)
	require.Equal(t, int64(1), h.sum(metricStreamReconnects, op, keyErrorType.String("stream_ended")))
	require.Equal(t, backfilled, h.sum(metricStreamBackfilled, op))
	var delivered int64
	for _, set := range h.attributeSets(metricStreamEvents) {
		delivered += h.sum(metricStreamEvents, set.ToSlice()...)
	}
	require.Equal(t, events, delivered)
	require.Equal(t, int64(0), h.sum(metricStreamActive, op), "the turn's stream is closed")
	dp, ok := h.histogram(metricTurnDuration, keyTurnStopReason.String("end_turn"))
	require.True(t, ok)
	require.Equal(t, uint64(1), dp.Count)
	tool, ok := h.histogram(metricToolDuration, keyToolName.String("get_weather"), keyToolKind.String(kindCustomToolUse))
	require.True(t, ok)
	require.Equal(t, uint64(1), tool.Count)
}

// TestRunTurnCanceledLeavesStatusUnset: a turn whose context is canceled ends
// its span without a status, and its tool span too.
func TestRunTurnCanceledLeavesStatusUnset(t *testing.T) {
	h := newHarness(t, nil)
	_, _, sessionID := h.seed()
	ctx, cancel := context.WithCancel(h.ctx)
	_, err := h.tel.RunTurn(ctx, h.client, sessionID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Weather?")},
		Tools: map[string]managedagents.ToolHandler{
			"get_weather": func(ctx context.Context, _ *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				cancel()
				<-ctx.Done()
				return nil, ctx.Err()
			},
		},
	})
	require.ErrorIs(t, err, context.Canceled)
	turn := h.one(spanRunTurn)
	require.Equal(t, codes.Unset, turn.Status().Code)
	requireAttrs(t, turn, nil, "error.type")
	tool := h.one("anthropic.custom_tool_use get_weather")
	require.Equal(t, codes.Unset, tool.Status().Code)
	_, ok := h.histogram(metricTurnDuration, keyErrorType.String(errCanceled))
	require.True(t, ok)
}

// TestRunTurnToolErrorFailsItsSpanOnly: a tool handler's error fails its own
// span with tool_error; the turn goes on and succeeds.
func TestRunTurnToolErrorFailsItsSpanOnly(t *testing.T) {
	h := newHarness(t, nil)
	_, _, sessionID := h.seed()
	_, err := h.tel.RunTurn(h.ctx, h.client, sessionID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Weather?")},
		Tools: map[string]managedagents.ToolHandler{
			"get_weather": func(context.Context, *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				return nil, errors.New("no network")
			},
		},
	})
	require.NoError(t, err)
	require.Equal(t, codes.Ok, h.one(spanRunTurn).Status().Code)
	tool := h.one("anthropic.custom_tool_use get_weather")
	require.Equal(t, codes.Error, tool.Status().Code)
	requireAttrs(t, tool, map[attribute.Key]any{"error.type": "tool_error"})
}
