package conformance

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// everyEvent is a script that emits every kind of event a Turn can write:
// each tool policy, results, custom tools and their answers, errors of each
// retry status, usage, and, when asked, each way a turn ends.
func everyEvent(turn *managedagentstest.Turn) {
	switch turn.Text() {
	case "tools":
		turn.BeginModelRequest()
		turn.Thinking()
		turn.Message("Running ", "tools.")
		for _, name := range []string{"bash", "read", "write", "web_search"} {
			if _, err := turn.RunTool(name, map[string]any{"command": "ls"}, "ok"); err != nil {
				return
			}
		}
		turn.EndModelRequest(managedagentstest.ModelUsage{InputTokens: 10, OutputTokens: 5, CacheReadInputTokens: 2, CacheCreationInputTokens: 1})
		if _, err := turn.CallCustomTool("lookup", map[string]any{"order": "1"}); err != nil {
			return
		}
		for _, retry := range []string{"retrying", "exhausted"} {
			turn.Error("model_overloaded_error", "Overloaded.", retry)
		}
		turn.Usage()
	case "refuse":
		turn.Idle("refusal")
	case "spend":
		turn.Usage()
		turn.Idle("budget_reached")
	case "exhaust":
		turn.Error("mcp_connection_failed_error", "The MCP server did not answer.", "exhausted")
		turn.Idle("retries_exhausted")
	case "end":
		turn.Error("unknown_error", "Gone.", "terminal")
		turn.Terminate()
	}
}

// Every event type the fake writes, on the stream and in the history, read
// by the official SDK: each Turn method's events, the echo of every event a
// client sends (including user.tool_result on a self-hosted environment),
// session.updated, each stop reason, session.status_terminated, and
// session.deleted.
func TestEveryEventType(t *testing.T) {
	t.Parallel()
	// Queued messages are echoed with processed_at null first; ping events
	// come between the others.
	h := newHarness(t, managedagentstest.WithScript(everyEvent), managedagentstest.WithQueuedEcho(),
		managedagentstest.WithHeartbeat(time.Millisecond, managedagentstest.HeartbeatEvent))
	ctx := context.Background()
	f := newFixture(t, h)
	sess := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.coordinator.ID)}, EnvironmentID: f.env.ID,
		Budget: anthropic.BetaManagedAgentsBudgetLimitParam{MaxListCost: anthropic.BetaMonetaryAmountParam{Amount: "100", Currency: "USD"}},
	}))(t)
	events := h.client.Beta.Sessions.Events
	stream := events.StreamEvents(ctx, sess.ID, anthropic.BetaSessionEventStreamParams{})
	defer stream.Close()
	send := func(evs ...anthropic.BetaManagedAgentsEventParamsUnion) {
		t.Helper()
		must(events.Send(ctx, sess.ID, anthropic.BetaSessionEventSendParams{Events: evs}))(t)
	}
	idle := func() anthropic.BetaManagedAgentsSessionStatusIdleEvent {
		t.Helper()
		evs := readStream(h, stream, func(ev anthropic.BetaManagedAgentsStreamSessionEventsUnion) bool {
			return ev.Type == "session.status_idle" || ev.Type == "session.status_terminated"
		})
		return evs[len(evs)-1].AsSessionStatusIdle()
	}

	send(userText("tools"), systemText("Keep it short."))
	queued := false
	for stop := idle(); stop.StopReason.Type == "requires_action"; stop = idle() {
		if !queued {
			echo := must(events.Send(ctx, sess.ID, anthropic.BetaSessionEventSendParams{
				Events: []anthropic.BetaManagedAgentsEventParamsUnion{userText("queued")}}))(t)
			if echo.Data[0].JSON.ProcessedAt.Raw() != "null" {
				t.Errorf("a message sent during a turn was not queued: %s", echo.RawJSON())
			}
			queued = true
		}
		id := stop.StopReason.EventIDs[0]
		answer := anthropic.BetaManagedAgentsEventParamsOfUserToolConfirmation(anthropic.BetaManagedAgentsUserToolConfirmationEventParamsResultDeny, id)
		answer.OfUserToolConfirmation.DenyMessage = anthropic.String("Not now.")
		if typeOfEvent(t, h, sess.ID, id) == "agent.custom_tool_use" {
			answer = anthropic.BetaManagedAgentsEventParamsOfUserCustomToolResult(id)
			answer.OfUserCustomToolResult.IsError = anthropic.Bool(true)
			answer.OfUserCustomToolResult.Content = []anthropic.BetaManagedAgentsUserCustomToolResultEventParamsContentUnion{
				{OfText: &anthropic.BetaManagedAgentsTextBlockParam{Text: "no such order"}},
				{OfSearchResult: &anthropic.BetaManagedAgentsSearchResultBlockParam{Source: "https://example.com", Title: "Orders",
					Content:   []anthropic.BetaManagedAgentsSearchResultContentParam{{Text: "none"}},
					Citations: anthropic.BetaManagedAgentsSearchResultCitationsParam{Enabled: true}}},
			}
		}
		send(answer)
	}
	idle() // the queued message's turn
	send(userText("refuse"))
	idle()
	// At a budget pause an interrupt is taken but never processed.
	send(userText("spend"))
	idle()
	paused := must(events.Send(ctx, sess.ID, anthropic.BetaSessionEventSendParams{Events: []anthropic.BetaManagedAgentsEventParamsUnion{
		{OfUserInterrupt: &anthropic.BetaManagedAgentsUserInterruptEventParams{}}}}))(t)
	if paused.Data[0].JSON.ProcessedAt.Raw() != "null" {
		t.Errorf("an interrupt at a budget pause was processed: %s", paused.RawJSON())
	}
	must(h.client.Beta.Sessions.Update(ctx, sess.ID, anthropic.BetaSessionUpdateParams{Budget: anthropic.BetaManagedAgentsBudgetLimitParam{
		MaxListCost: anthropic.BetaMonetaryAmountParam{Amount: "150", Currency: "USD"}}}))(t)
	send(userText("exhaust"))
	idle()
	send(anthropic.BetaManagedAgentsEventParamsUnion{OfUserDefineOutcome: &anthropic.BetaManagedAgentsUserDefineOutcomeEventParams{
		Description: "A report", MaxIterations: anthropic.Int(2),
		Rubric: anthropic.BetaManagedAgentsUserDefineOutcomeEventParamsRubricUnion{OfFile: &anthropic.BetaManagedAgentsFileRubricParams{FileID: "file_011CFake"}}}})
	// The redirect pattern: an interrupt, then the new message.
	send(anthropic.BetaManagedAgentsEventParamsUnion{OfUserInterrupt: &anthropic.BetaManagedAgentsUserInterruptEventParams{}},
		anthropic.BetaManagedAgentsEventParamsUnion{OfUserMessage: &anthropic.BetaManagedAgentsUserMessageEventParams{
			Content: []anthropic.BetaManagedAgentsUserMessageEventParamsContentUnion{
				{OfImage: &anthropic.BetaManagedAgentsImageBlockParam{Source: anthropic.BetaManagedAgentsImageBlockSourceUnionParam{
					OfURL: &anthropic.BetaManagedAgentsURLImageSourceParam{URL: "https://example.com/a.png"}}}},
				{OfDocument: &anthropic.BetaManagedAgentsDocumentBlockParam{Title: anthropic.String("Notes"), Source: anthropic.BetaManagedAgentsDocumentBlockSourceUnionParam{
					OfText: &anthropic.BetaManagedAgentsPlainTextDocumentSourceParam{Data: "hello"}}}},
				{OfRedacted: &anthropic.BetaManagedAgentsRedactedBlockParam{}},
			}}})
	idle()
	must(h.client.Beta.Sessions.Update(ctx, sess.ID, anthropic.BetaSessionUpdateParams{Title: anthropic.String("Every event"),
		Metadata: map[string]string{"k": "v"}, Budget: anthropic.BetaManagedAgentsBudgetLimitParam{
			MaxListCost: anthropic.BetaMonetaryAmountParam{Amount: "200", Currency: "USD"}}}))(t)
	readStream(h, stream, func(ev anthropic.BetaManagedAgentsStreamSessionEventsUnion) bool { return ev.Type == "session.updated" })
	send(userText("end"))
	idle()
	must(events.List(ctx, sess.ID, anthropic.BetaSessionEventListParams{}))(t)

	// A self-hosted session takes user.tool_result for a built-in tool.
	selfHosted := must(h.client.Beta.Environments.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "worker",
		Config: anthropic.BetaEnvironmentNewParamsConfigUnion{OfSelfHosted: &anthropic.BetaSelfHostedConfigParams{}}}))(t)
	h.srv.SetScript(f.helper.ID, func(turn *managedagentstest.Turn) {
		if id := turn.ToolUse("bash", map[string]any{"command": "pwd"}); id != "" {
			_, _ = turn.Await(id)
		}
	})
	worker := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.helper.ID)}, EnvironmentID: selfHosted.ID}))(t)
	workerStream := events.StreamEvents(ctx, worker.ID, anthropic.BetaSessionEventStreamParams{})
	defer workerStream.Close()
	must(events.Send(ctx, worker.ID, anthropic.BetaSessionEventSendParams{Events: []anthropic.BetaManagedAgentsEventParamsUnion{userText("pwd")}}))(t)
	evs := readStream(h, workerStream, func(ev anthropic.BetaManagedAgentsStreamSessionEventsUnion) bool {
		return ev.Type == "session.status_idle"
	})
	var toolUse string
	for _, ev := range evs {
		if ev.Type == "agent.tool_use" {
			toolUse = ev.ID
		}
	}
	result := anthropic.BetaManagedAgentsEventParamsOfUserToolResult(toolUse)
	result.OfUserToolResult.Content = []anthropic.BetaManagedAgentsUserToolResultEventParamsContentUnion{
		{OfText: &anthropic.BetaManagedAgentsTextBlockParam{Text: "/workspace"}}}
	must(events.Send(ctx, worker.ID, anthropic.BetaSessionEventSendParams{Events: []anthropic.BetaManagedAgentsEventParamsUnion{result}}))(t)
	readStream(h, workerStream, func(ev anthropic.BetaManagedAgentsStreamSessionEventsUnion) bool {
		return ev.Type == "session.status_idle" && ev.StopReason.Type == "end_turn"
	})
	must(h.client.Beta.Sessions.Delete(ctx, worker.ID, anthropic.BetaSessionDeleteParams{}))(t)
	if last := readStream(h, workerStream, nil); len(last) != 1 || last[0].Type != "session.deleted" {
		t.Errorf("after delete the stream had %v", last)
	}
}

func userText(text string) anthropic.BetaManagedAgentsEventParamsUnion {
	return anthropic.BetaManagedAgentsEventParamsOfUserMessage([]anthropic.BetaManagedAgentsUserMessageEventParamsContentUnion{
		{OfText: &anthropic.BetaManagedAgentsTextBlockParam{Text: text}}})
}

func systemText(text string) anthropic.BetaManagedAgentsEventParamsUnion {
	return anthropic.BetaManagedAgentsEventParamsOfSystemMessage([]anthropic.BetaManagedAgentsSystemContentBlockParam{{Text: text}})
}

// typeOfEvent returns the type of the event id of a session, from the fake.
func typeOfEvent(t *testing.T, h *harness, sessionID, id string) string {
	t.Helper()
	for _, raw := range h.srv.Events(sessionID) {
		var ev struct{ ID, Type string }
		if err := json.Unmarshal(raw, &ev); err == nil && ev.ID == id {
			return ev.Type
		}
	}
	return ""
}
