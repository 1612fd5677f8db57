package managedagents

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
)

// echoEvents answers a send with the events it got, given ids, as the API does.
func echoEvents(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for i, ev := range body.Events {
		ev["id"] = "sevt_echo_" + string(rune('a'+i))
		ev["processed_at"] = nil
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": body.Events})
}

func TestSendBodiesMatchGolden(t *testing.T) {
	t.Parallel()
	pdf := &DocumentBlock{Source: NewDocumentBlockPDF([]byte("%PDF-1.7")).Source, Title: "Invoice", Context: "March"}
	tests := []struct {
		name   string
		events []EventParam
	}{
		{"user_message_text", []EventParam{NewUserMessage("Where is my order #1234?")}},
		{"user_message_blocks", []EventParam{NewUserMessageBlocks(
			NewTextBlock("See the attachments."),
			NewImageBlockBase64("image/png", []byte{0x89, 'P', 'N', 'G'}),
			NewImageBlockURL("https://example.com/photo.jpg"),
			NewImageBlockFile("file_011img"),
			pdf,
			NewDocumentBlockText("plain notes"),
			NewDocumentBlockURL("https://example.com/spec.pdf"),
			NewDocumentBlockFile("file_011doc"),
			NewRedactedBlock(),
		)}},
		{"interrupt", []EventParam{NewUserInterrupt()}},
		{"interrupt_thread", []EventParam{NewUserInterruptThread("sthr_011child")}},
		{"tool_confirmation_allow", []EventParam{NewUserToolConfirmationAllow("sevt_011tooluse")}},
		{"tool_confirmation_deny", []EventParam{NewUserToolConfirmationDeny("sevt_011tooluse", "Not on production.")}},
		{"tool_confirmation_deny_silent", []EventParam{NewUserToolConfirmationDeny("sevt_011tooluse", "")}},
		{"custom_tool_result", []EventParam{NewUserCustomToolResult("sevt_011custom",
			NewTextBlock(`{"status":"in_transit","carrier":"UPS"}`),
			NewSearchResultBlock("https://example.com/track", "Tracking", "In transit", "ETA Nov 26"),
		)}},
		{"custom_tool_result_error", []EventParam{NewUserCustomToolResult("sevt_011custom", NewTextBlock("order service down")).AsError()}},
		{"tool_result", []EventParam{NewUserToolResult("sevt_011bash", NewTextBlock("total 0"))}},
		{"tool_result_error_no_content", []EventParam{NewUserToolResult("sevt_011bash").AsError()}},
		{"define_outcome_text", []EventParam{&UserDefineOutcomeParam{Description: "A refund decision", Rubric: NewRubricText("Cites the playbook."), MaxIterations: 5}}},
		{"define_outcome_file", []EventParam{NewUserDefineOutcome("A quarterly report", NewRubricFile("file_011rubric"))}},
		{"system_message", []EventParam{NewUserToolResult("sevt_011bash", NewTextBlock("ok")), NewSystemMessage("The user is on a phone; keep it short.")}},
		{"redirect", []EventParam{NewUserInterrupt(), NewUserMessage("Stop that; check order #99 instead.")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, echoEvents)
			got, err := c.Sessions.Events.Send(context.Background(), "sesn_011abc", SessionEventSendParams{Events: tt.events})
			require.NoError(t, err)
			require.Len(t, *reqs, 1)
			r := (*reqs)[0]
			require.Equal(t, http.MethodPost, r.Method)
			require.Equal(t, "/v1/sessions/sesn_011abc/events", r.Path)
			require.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assertGolden(t, "events/"+tt.name+".json", r.Body)

			// Each param marshals standalone to the same JSON it has in the body
			// (session create sends them as initial_events).
			var body struct{ Events []json.RawMessage }
			require.NoError(t, json.Unmarshal(r.Body, &body))
			require.Len(t, body.Events, len(tt.events))
			for i, p := range tt.events {
				alone, err := json.Marshal(p)
				require.NoError(t, err)
				require.JSONEq(t, string(body.Events[i]), string(alone))
			}

			// The echo is decoded into typed events, in order.
			require.Len(t, got.Data, len(tt.events))
			for i, ev := range got.Data {
				require.Equal(t, tt.events[i].EventType(), ev.EventType())
				require.Equal(t, "sevt_echo_"+string(rune('a'+i)), ev.EventID())
				require.NotEmpty(t, ev.RawJSON())
			}
		})
	}
}

func TestSendDecodesEchoedEvents(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, replyJSON(200, `{"data":[`+
		`{"type":"user.message","id":"sevt_1","content":[{"type":"text","text":"hi"}],"processed_at":null},`+
		`{"type":"user.define_outcome","id":"sevt_2","outcome_id":"outc_1","description":"d","rubric":{"type":"text","content":"r"},"max_iterations":3,"processed_at":"2026-11-24T10:05:01.208Z"}]}`))
	got, err := c.Sessions.Events.Send(context.Background(), "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessage("hi"), NewUserDefineOutcome("d", NewRubricText("r"))}})
	require.NoError(t, err)
	require.Len(t, got.Data, 2)
	um := got.Data[0].(*UserMessageEvent)
	require.Equal(t, "hi", um.Text())
	require.True(t, um.ProcessedAt.IsZero())
	do := got.Data[1].(*UserDefineOutcomeEvent)
	require.Equal(t, "outc_1", do.OutcomeID)
	require.Equal(t, 3, do.MaxIterations)
	require.Equal(t, fixtureTime, do.ProcessedAt)
}

func TestSendBadResponse(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"data":[{"id":"x"}]}`, `{"data":{}}`, `{"data":[{"type":"agent.message","content":5}]}`} {
		c, _ := newTestClient(t, replyJSON(200, body))
		_, err := c.Sessions.Events.Send(context.Background(), "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserInterrupt()}})
		require.Error(t, err, body)
	}
	c, _ := newTestClient(t, replyJSON(200, `{"data":[]}`))
	got, err := c.Sessions.Events.Send(context.Background(), "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserInterrupt()}})
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestSendServerErrorIsNotRetried(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(500, `{"type":"error","error":{"type":"api_error","message":"boom"},"request_id":"req_1"}`),
		option.WithMaxRetries(2))
	_, err := c.Sessions.Events.Send(context.Background(), "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessage("hi")}})
	require.Error(t, err)
	require.Len(t, *reqs, 1, "a send must never be repeated")
	require.NotContains(t, err.Error(), testAPIKey)
	var apiErr *APIError
	var delivery *DeliveryError
	require.True(t, errors.As(err, &apiErr) || errors.As(err, &delivery), "got %T: %v", err, err)
}

func TestSendValidation(t *testing.T) {
	t.Parallel()
	var nilMsg *UserMessageParam
	big := strings.Repeat("x", maxRubricChars+1)
	tests := []struct {
		name      string
		sessionID string
		events    []EventParam
		field     string
	}{
		{"empty session id", "", []EventParam{NewUserMessage("hi")}, "session_id"},
		{"bad session id", "sesn/1", []EventParam{NewUserMessage("hi")}, "session_id"},
		{"no events", "sesn_1", nil, "events"},
		{"nil event", "sesn_1", []EventParam{NewUserMessage("hi"), nil}, "events[1]"},
		{"typed nil event", "sesn_1", []EventParam{nilMsg}, "events[0]"},
		{"empty message", "sesn_1", []EventParam{NewUserMessage("")}, "events[0].content[0].text"},
		{"no content", "sesn_1", []EventParam{NewUserMessageBlocks()}, "events[0].content"},
		{"nil block", "sesn_1", []EventParam{NewUserMessageBlocks(NewTextBlock("a"), nil)}, "events[0].content[1]"},
		{"typed nil block", "sesn_1", []EventParam{NewUserMessageBlocks((*TextBlock)(nil))}, "events[0].content[0]"},
		{"image without source", "sesn_1", []EventParam{NewUserMessageBlocks(&ImageBlock{})}, "events[0].content[0].source"},
		{"image bad media type", "sesn_1", []EventParam{NewUserMessageBlocks(NewImageBlockBase64("image/tiff", []byte("x")))}, "events[0].content[0].source.media_type"},
		{"image empty data", "sesn_1", []EventParam{NewUserMessageBlocks(NewImageBlockBase64("image/png", nil))}, "events[0].content[0].source.data"},
		{"image text source", "sesn_1", []EventParam{NewUserMessageBlocks(&ImageBlock{Source: &PlainTextSource{Data: "x"}})}, "events[0].content[0].source"},
		{"image empty url", "sesn_1", []EventParam{NewUserMessageBlocks(NewImageBlockURL(""))}, "events[0].content[0].source.url"},
		{"image bad file id", "sesn_1", []EventParam{NewUserMessageBlocks(NewImageBlockFile("a/b"))}, "events[0].content[0].source.file_id"},
		{"document not pdf", "sesn_1", []EventParam{NewUserMessageBlocks(&DocumentBlock{Source: &Base64Source{MediaType: "image/png", Data: "eA=="}})}, "events[0].content[0].source.media_type"},
		{"document empty text", "sesn_1", []EventParam{NewUserMessageBlocks(NewDocumentBlockText(""))}, "events[0].content[0].source.data"},
		{"search result in message", "sesn_1", []EventParam{NewUserMessageBlocks(NewSearchResultBlock("u", "t", "x"))}, "events[0].content[0]"},
		{"redacted in tool result", "sesn_1", []EventParam{NewUserCustomToolResult("sevt_1", NewRedactedBlock())}, "events[0].content[0]"},
		{"search result without title", "sesn_1", []EventParam{NewUserToolResult("sevt_1", NewSearchResultBlock("u", "", "x"))}, "events[0].content[0].title"},
		{"unknown block bad raw", "sesn_1", []EventParam{NewUserMessageBlocks(&UnknownBlock{Type: "x", Raw: json.RawMessage(`{`)})}, "events[0].content[0]"},
		{"interrupt bad thread", "sesn_1", []EventParam{NewUserInterruptThread("sthr 1")}, "events[0].session_thread_id"},
		{"confirmation without id", "sesn_1", []EventParam{NewUserToolConfirmationAllow("")}, "events[0].tool_use_id"},
		{"confirmation bad result", "sesn_1", []EventParam{&UserToolConfirmationParam{ToolUseID: "sevt_1", Result: "maybe"}}, "events[0].result"},
		{"deny message with allow", "sesn_1", []EventParam{&UserToolConfirmationParam{ToolUseID: "sevt_1", Result: ToolConfirmationAllow, DenyMessage: "no"}}, "events[0].deny_message"},
		{"custom result without id", "sesn_1", []EventParam{NewUserCustomToolResult("", NewTextBlock("x"))}, "events[0].custom_tool_use_id"},
		{"custom result empty text", "sesn_1", []EventParam{NewUserCustomToolResult("sevt_1", NewTextBlock(""))}, "events[0].content[0].text"},
		{"tool result without id", "sesn_1", []EventParam{NewUserToolResult("..")}, "events[0].tool_use_id"},
		{"outcome without description", "sesn_1", []EventParam{NewUserDefineOutcome("", NewRubricText("r"))}, "events[0].description"},
		{"outcome without rubric", "sesn_1", []EventParam{NewUserDefineOutcome("d", Rubric{})}, "events[0].rubric"},
		{"outcome empty rubric text", "sesn_1", []EventParam{NewUserDefineOutcome("d", NewRubricText(""))}, "events[0].rubric.content"},
		{"outcome rubric too long", "sesn_1", []EventParam{NewUserDefineOutcome("d", NewRubricText(big))}, "events[0].rubric.content"},
		{"outcome rubric bad file", "sesn_1", []EventParam{NewUserDefineOutcome("d", NewRubricFile(""))}, "events[0].rubric.file_id"},
		{"outcome rubric bad type", "sesn_1", []EventParam{NewUserDefineOutcome("d", Rubric{Type: "url"})}, "events[0].rubric.type"},
		{"outcome too many iterations", "sesn_1", []EventParam{&UserDefineOutcomeParam{Description: "d", Rubric: NewRubricText("r"), MaxIterations: 21}}, "events[0].max_iterations"},
		{"outcome negative iterations", "sesn_1", []EventParam{&UserDefineOutcomeParam{Description: "d", Rubric: NewRubricText("r"), MaxIterations: -1}}, "events[0].max_iterations"},
		{"system message empty", "sesn_1", []EventParam{NewUserMessage("a"), NewSystemMessage("")}, "events[1].content[0].text"},
		{"system message no content", "sesn_1", []EventParam{NewUserMessage("a"), &SystemMessageParam{}}, "events[1].content"},
		{"system message not last", "sesn_1", []EventParam{NewUserMessage("a"), NewSystemMessage("s"), NewUserMessage("b")}, "events[1]"},
		{"two system messages", "sesn_1", []EventParam{NewUserMessage("a"), NewSystemMessage("s"), NewSystemMessage("t")}, "events[2]"},
		{"system message alone", "sesn_1", []EventParam{NewSystemMessage("s")}, "events[0]"},
		{"system message after interrupt", "sesn_1", []EventParam{NewUserInterrupt(), NewSystemMessage("s")}, "events[1]"},
		{"system message after confirmation", "sesn_1", []EventParam{NewUserToolConfirmationAllow("sevt_1"), NewSystemMessage("s")}, "events[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, echoEvents)
			_, err := c.Sessions.Events.Send(context.Background(), tt.sessionID, SessionEventSendParams{Events: tt.events})
			var verr *ValidationError
			require.True(t, errors.As(err, &verr), "got %v", err)
			require.Equal(t, tt.field, verr.Field, verr.Problem)
			require.ErrorIs(t, err, ErrInvalidParams)
			require.Empty(t, *reqs, "nothing is sent")
		})
	}
}

func TestSendValidationAccepts(t *testing.T) {
	t.Parallel()
	ok := [][]EventParam{
		{&UserDefineOutcomeParam{Description: "d", Rubric: NewRubricText("r"), MaxIterations: 20}},
		{&UserDefineOutcomeParam{Description: "d", Rubric: NewRubricText("r"), MaxIterations: 1}},
		{NewUserMessageBlocks(&UnknownBlock{Type: "hologram", Raw: json.RawMessage(`{"type":"hologram"}`)})},
		{NewUserMessageBlocks(&DocumentBlock{Source: &PlainTextSource{Data: "x"}})},
		{NewUserMessage("a"), NewSystemMessage("s")},
		{NewUserToolResult("sevt_1"), NewSystemMessage("s")},
		{NewUserInterrupt(), NewUserCustomToolResult("sevt_1"), NewSystemMessage("s")},
		{NewUserToolConfirmationDeny("sevt_1", "")},
		{NewUserCustomToolResult("sevt_1")},
	}
	for _, evs := range ok {
		require.NoError(t, validateEvents("events", evs))
	}
}
