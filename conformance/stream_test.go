package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[anthropic.BetaManagedAgentsSendSessionEvents](managedagentstest.RouteSendEvents)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsSessionEventUnion]](managedagentstest.RouteListEvents)
	// reference §5.1: an event's processed_at is null while it is queued;
	// §5.2: an interrupt at a budget pause is never processed.
	allowNull("BetaManagedAgentsUserMessageEvent.processed_at", "BetaManagedAgentsUserInterruptEvent.processed_at")
	// reference §5.5: stop_details is null unless the turn was refused, and
	// a refusal's category and explanation may be null.
	allowNull("BetaManagedAgentsSessionStatusIdleEvent.stop_details", "BetaManagedAgentsSessionThreadStatusIdleEvent.stop_details",
		"BetaManagedAgentsSessionRefusalStopDetails.category", "BetaManagedAgentsSessionRefusalStopDetails.explanation")
}

// The default scripted turn on the session stream with event_deltas, read by
// the official SDK's stream decoder and preview accumulator, with a tool
// confirmation and a custom tool result sent back through it; then the
// history, listed with every filter and paged.
func TestDefaultTurnOnStream(t *testing.T) {
	t.Parallel()
	h := newHarness(t, managedagentstest.WithClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)))
	ctx := context.Background()
	f := newFixture(t, h)
	// The coordinator agent asks before bash and has a custom tool.
	sess := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.coordinator.ID)}, EnvironmentID: f.env.ID}))(t)
	events := h.client.Beta.Sessions.Events

	stream := events.StreamEvents(ctx, sess.ID, anthropic.BetaSessionEventStreamParams{
		EventDeltas: []anthropic.BetaManagedAgentsDeltaType{anthropic.BetaManagedAgentsDeltaTypeAgentMessage, anthropic.BetaManagedAgentsDeltaTypeAgentThinking}})
	defer stream.Close()
	sent := must(events.Send(ctx, sess.ID, anthropic.BetaSessionEventSendParams{Events: []anthropic.BetaManagedAgentsEventParamsUnion{
		anthropic.BetaManagedAgentsEventParamsOfUserMessage([]anthropic.BetaManagedAgentsUserMessageEventParamsContentUnion{
			{OfText: &anthropic.BetaManagedAgentsTextBlockParam{Text: "Generate the first 20 Fibonacci numbers to fibonacci.txt"}}}),
	}}))(t)
	if len(sent.Data) != 1 || sent.Data[0].ID == "" {
		t.Fatalf("send: %s", sent.RawJSON())
	}

	var previews anthropic.BetaManagedAgentsEventAccumulator
	previewText := map[string]string{}
	var seen []string
	for {
		batch := readStream(h, stream, func(ev anthropic.BetaManagedAgentsStreamSessionEventsUnion) bool {
			return ev.Type == "session.status_idle"
		})
		for _, ev := range batch {
			previews.Accumulate(ev)
			if ev.Type == "event_delta" {
				previewText[ev.EventID] = previews.AgentMessageText(ev.EventID)
			}
			seen = append(seen, ev.Type)
		}
		idle := batch[len(batch)-1].AsSessionStatusIdle()
		if idle.StopReason.Type != "requires_action" {
			break
		}
		for _, id := range idle.StopReason.EventIDs {
			answer := anthropic.BetaManagedAgentsEventParamsOfUserToolConfirmation(anthropic.BetaManagedAgentsUserToolConfirmationEventParamsResultAllow, id)
			if kind := eventType(batch, id); kind == "agent.custom_tool_use" {
				answer = anthropic.BetaManagedAgentsEventParamsOfUserCustomToolResult(id)
				answer.OfUserCustomToolResult.Content = []anthropic.BetaManagedAgentsUserCustomToolResultEventParamsContentUnion{
					{OfText: &anthropic.BetaManagedAgentsTextBlockParam{Text: "order shipped"}}}
			}
			must(events.Send(ctx, sess.ID, anthropic.BetaSessionEventSendParams{Events: []anthropic.BetaManagedAgentsEventParamsUnion{answer}}))(t)
		}
	}
	for _, want := range []string{"event_start", "event_delta", "agent.thinking", "agent.message", "agent.tool_use", "agent.tool_result",
		"agent.custom_tool_use", "user.custom_tool_result", "user.tool_confirmation", "span.model_request_start", "span.model_request_end", "session.usage"} {
		if !strings.Contains(" "+strings.Join(seen, " ")+" ", " "+want+" ") {
			t.Errorf("the turn had no %s: %v", want, seen)
		}
	}
	// Each previewed message equals its buffered event: the accumulator
	// holds the buffered one now.
	for id, text := range previewText {
		if got := previews.AgentMessageText(id); got != text || text == "" {
			t.Errorf("message %s: preview %q, buffered %q", id, text, got)
		}
	}

	// The history: everything persisted (no previews), in pages.
	var history []anthropic.BetaManagedAgentsSessionEventUnion
	pager := events.ListAutoPaging(ctx, sess.ID, anthropic.BetaSessionEventListParams{Limit: anthropic.Int(4)})
	for pager.Next() {
		history = append(history, pager.Current())
	}
	if err := pager.Err(); err != nil {
		t.Fatal(err)
	}
	persisted := 0
	for _, typ := range seen {
		if typ != "event_start" && typ != "event_delta" {
			persisted++
		}
	}
	if len(history) != persisted {
		t.Errorf("history has %d events, the stream %d", len(history), persisted)
	}
	first, last := history[0].ProcessedAt, history[len(history)-1].ProcessedAt
	filtered := must(events.List(ctx, sess.ID, anthropic.BetaSessionEventListParams{
		Types:        []anthropic.BetaManagedAgentsSessionEventType{"agent.message", "agent.tool_use"},
		Order:        anthropic.BetaSessionEventListParamsOrderDesc,
		CreatedAtGte: anthropic.Time(first), CreatedAtLte: anthropic.Time(last),
		CreatedAtGt: anthropic.Time(first.Add(-time.Millisecond)), CreatedAtLt: anthropic.Time(last.Add(time.Millisecond)),
	}))(t)
	for i, ev := range filtered.Data {
		if ev.Type != "agent.message" && ev.Type != "agent.tool_use" {
			t.Errorf("type filter let %s through", ev.Type)
		}
		if i > 0 && ev.ProcessedAt.After(filtered.Data[i-1].ProcessedAt) {
			t.Errorf("order desc: %s after %s", ev.ProcessedAt, filtered.Data[i-1].ProcessedAt)
		}
	}
	if len(filtered.Data) < 4 {
		t.Errorf("filtered list: %s", filtered.RawJSON())
	}
}

// eventType returns the type of the event id among evs.
func eventType(evs []anthropic.BetaManagedAgentsStreamSessionEventsUnion, id string) string {
	for _, ev := range evs {
		if ev.ID == id {
			return ev.Type
		}
	}
	return ""
}
