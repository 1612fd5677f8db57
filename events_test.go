package managedagents

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fixtureTime is the processed_at of every fixture in testdata/events.
var fixtureTime = time.Date(2026, 11, 24, 10, 5, 1, 208_000_000, time.UTC)

// meta returns the EventMeta of a fixture event.
func meta(id string, typ EventType) EventMeta {
	return EventMeta{ID: id, Type: typ, ProcessedAt: fixtureTime}
}

// wantEvents is the expected decoding of each testdata/events/<type>.json.
var wantEvents = map[EventType]Event{
	EventTypeUserMessage: &UserMessageEvent{EventMeta: meta("sevt_um1", EventTypeUserMessage), Content: ContentBlocks{
		&TextBlock{Text: "Look at this:"},
		&ImageBlock{Source: &Base64Source{MediaType: "image/png", Data: "iVBORw0KGgo="}},
		&ImageBlock{Source: &URLSource{URL: "https://example.com/a.png"}},
		&DocumentBlock{Source: &FileSource{FileID: "file_011"}, Title: "Spec", Context: "v2"},
		&DocumentBlock{Source: &PlainTextSource{MediaType: "text/plain", Data: "plain doc"}},
		&RedactedBlock{},
		&TextBlock{Text: " and this."},
	}},
	EventTypeUserInterrupt: &UserInterruptEvent{EventMeta: EventMeta{Type: EventTypeUserInterrupt}, SessionThreadID: "sthr_1"},
	EventTypeUserToolConfirmation: &UserToolConfirmationEvent{EventMeta: meta("sevt_tc1", EventTypeUserToolConfirmation),
		ToolUseID: "sevt_tu1", Result: ToolConfirmationDeny, DenyMessage: "not on prod", SessionThreadID: "sthr_2"},
	EventTypeUserCustomToolResult: &UserCustomToolResultEvent{EventMeta: meta("sevt_ctr1", EventTypeUserCustomToolResult),
		CustomToolUseID: "sevt_ctu1", IsError: true, SessionThreadID: "sthr_3", Content: ContentBlocks{
			&TextBlock{Text: `{"status":"ok"}`},
			&SearchResultBlock{Source: "https://example.com/r", Title: "Result", Content: []TextBlock{{Text: "snippet"}}, Citations: SearchResultCitations{Enabled: true}},
		}},
	EventTypeUserToolResult: &UserToolResultEvent{EventMeta: meta("sevt_tr1", EventTypeUserToolResult), ToolUseID: "sevt_tu2",
		Content: ContentBlocks{&DocumentBlock{Source: &URLSource{URL: "https://example.com/d.pdf"}}}},
	EventTypeUserDefineOutcome: &UserDefineOutcomeEvent{EventMeta: meta("sevt_do1", EventTypeUserDefineOutcome), OutcomeID: "outc_1",
		Description: "Write a report", Rubric: Rubric{Type: RubricTypeFile, FileID: "file_rub"}, MaxIterations: 5},
	EventTypeSystemMessage: &SystemMessageEvent{EventMeta: EventMeta{ID: "sevt_sm1", Type: EventTypeSystemMessage},
		Content: ContentBlocks{&TextBlock{Text: "Be brief."}, &TextBlock{Text: " Really."}}},
	EventTypeAgentMessage: &AgentMessageEvent{EventMeta: meta("sevt_am1", EventTypeAgentMessage),
		Content: ContentBlocks{&TextBlock{Text: "Hello, "}, &RedactedBlock{}, &TextBlock{Text: "world."}}},
	EventTypeAgentThinking: &AgentThinkingEvent{EventMeta: meta("sevt_at1", EventTypeAgentThinking)},
	EventTypeAgentToolUse: &AgentToolUseEvent{EventMeta: meta("sevt_tu1", EventTypeAgentToolUse), Name: "bash",
		Input:               json.RawMessage("{\n    \"command\": \"ls -la\",\n    \"type\": \"nested\"\n  }"),
		EvaluatedPermission: EvaluatedPermissionAsk,
		Evaluation:          &ToolEvaluation{Type: ToolEvaluationAuto, EvaluatedPermission: &AutoPermission{Type: EvaluatedPermissionAsk, ReasonCode: "indeterminate"}},
		SessionThreadID:     "sthr_4"},
	EventTypeAgentToolResult: &AgentToolResultEvent{EventMeta: meta("sevt_atr1", EventTypeAgentToolResult), ToolUseID: "sevt_tu1",
		Content: ContentBlocks{&TextBlock{Text: "total 0"}}},
	EventTypeAgentMCPToolUse: &AgentMCPToolUseEvent{EventMeta: meta("sevt_mtu1", EventTypeAgentMCPToolUse), MCPServerName: "github",
		Name: "create_issue", Input: json.RawMessage("{\n    \"title\": \"x\"\n  }"), EvaluatedPermission: EvaluatedPermissionDeny,
		Evaluation: &ToolEvaluation{Type: ToolEvaluationAuto, EvaluatedPermission: &AutoPermission{Type: EvaluatedPermissionDeny, ReasonCode: "high_risk"}}},
	EventTypeAgentMCPToolResult: &AgentMCPToolResultEvent{EventMeta: meta("sevt_mtr1", EventTypeAgentMCPToolResult), MCPToolUseID: "sevt_mtu1",
		Content: ContentBlocks{&TextBlock{Text: "denied"}}, IsError: true},
	EventTypeAgentCustomToolUse: &AgentCustomToolUseEvent{EventMeta: meta("sevt_ctu1", EventTypeAgentCustomToolUse), Name: "lookup_order",
		Input: json.RawMessage("{\n    \"order_number\": \"1234\"\n  }"), SessionThreadID: "sthr_5"},
	EventTypeAgentThreadContextCompacted: &AgentThreadContextCompactedEvent{EventMeta: meta("sevt_cc1", EventTypeAgentThreadContextCompacted)},
	EventTypeAgentThreadMessageSent: &AgentThreadMessageSentEvent{EventMeta: meta("sevt_tms1", EventTypeAgentThreadMessageSent),
		ToSessionThreadID: "sthr_6", ToAgentName: "researcher", Content: ContentBlocks{&TextBlock{Text: "Find X"}}},
	EventTypeAgentThreadMessageReceived: &AgentThreadMessageReceivedEvent{EventMeta: meta("sevt_tmr1", EventTypeAgentThreadMessageReceived),
		FromSessionThreadID: "sthr_6", Content: ContentBlocks{&TextBlock{Text: "Found X"}}},
	EventTypeSessionStatusRunning: &SessionStatusRunningEvent{EventMeta: meta("sevt_sr1", EventTypeSessionStatusRunning)},
	EventTypeSessionStatusIdle: &SessionStatusIdleEvent{EventMeta: meta("sevt_si1", EventTypeSessionStatusIdle),
		StopReason:  StopReason{Type: StopReasonRefusal},
		StopDetails: &StopDetails{Type: "refusal", Category: RefusalCyber, Explanation: "Declined."}},
	EventTypeSessionStatusRescheduled: &SessionStatusRescheduledEvent{EventMeta: meta("sevt_srs1", EventTypeSessionStatusRescheduled)},
	EventTypeSessionStatusTerminated:  &SessionStatusTerminatedEvent{EventMeta: meta("sevt_st1", EventTypeSessionStatusTerminated)},
	EventTypeSessionError: &SessionErrorEvent{EventMeta: meta("sevt_se1", EventTypeSessionError), Error: SessionError{
		Type: SessionErrorCredentialHostUnreachable, Message: "host down", RetryStatus: RetryStatus{Type: RetryStatusTerminal},
		CredentialID: "vcrd_1", VaultID: "vlt_1"}},
	EventTypeSessionUpdated: &SessionUpdatedEvent{EventMeta: meta("sevt_su1", EventTypeSessionUpdated),
		Title:    Change[string]{Set: true, Value: "New title"},
		Metadata: map[string]string{"team": "support"},
		Budget:   Change[*Budget]{Set: true},
		Agent:    &SessionAgent{ID: "agent_1", Type: "agent", Version: 3}},
	EventTypeSessionUsage: &SessionUsageEvent{EventMeta: meta("sevt_us1", EventTypeSessionUsage), Usage: SessionUsage{
		InputTokens: 100, OutputTokens: 20, CacheReadInputTokens: 5,
		CacheCreation: &CacheCreation{Ephemeral5mInputTokens: 7, Ephemeral1hInputTokens: 8},
		ActiveSeconds: 12.5, ListCost: &Money{Amount: "42", Currency: "USD"},
		ServerToolUse: &ServerToolUse{WebSearchRequests: 2, WebFetchRequests: 1},
	}, Budget: NewBudgetLimit("2500", "USD")},
	EventTypeSessionDeleted: &SessionDeletedEvent{EventMeta: meta("sevt_sd1", EventTypeSessionDeleted)},
	EventTypeSessionThreadCreated: &SessionThreadCreatedEvent{EventMeta: meta("sevt_tc2", EventTypeSessionThreadCreated),
		SessionThreadID: "sthr_7", AgentName: "worker"},
	EventTypeSessionThreadStatusRunning: &SessionThreadStatusRunningEvent{EventMeta: meta("sevt_tsr1", EventTypeSessionThreadStatusRunning),
		SessionThreadID: "sthr_7", AgentName: "worker"},
	EventTypeSessionThreadStatusIdle: &SessionThreadStatusIdleEvent{EventMeta: meta("sevt_tsi1", EventTypeSessionThreadStatusIdle),
		SessionThreadID: "sthr_7", AgentName: "worker",
		StopReason: StopReason{Type: StopReasonRequiresAction, EventIDs: []string{"sevt_a", "sevt_b"}}},
	EventTypeSessionThreadStatusRescheduled: &SessionThreadStatusRescheduledEvent{EventMeta: meta("sevt_tsrs1", EventTypeSessionThreadStatusRescheduled),
		SessionThreadID: "sthr_7", AgentName: "worker"},
	EventTypeSessionThreadStatusTerminated: &SessionThreadStatusTerminatedEvent{EventMeta: meta("sevt_tst1", EventTypeSessionThreadStatusTerminated),
		SessionThreadID: "sthr_7", AgentName: "worker"},
	EventTypeSpanModelRequestStart: &SpanModelRequestStartEvent{EventMeta: meta("sevt_mrs1", EventTypeSpanModelRequestStart)},
	EventTypeSpanModelRequestEnd: &SpanModelRequestEndEvent{EventMeta: meta("sevt_mre1", EventTypeSpanModelRequestEnd),
		ModelRequestStartID: "sevt_mrs1", IsError: true,
		ModelUsage: ModelUsage{InputTokens: 2210, OutputTokens: 96, CacheReadInputTokens: 12288, CacheCreationInputTokens: 3072, Speed: "fast"}},
	EventTypeSpanOutcomeEvaluationStart: &SpanOutcomeEvaluationStartEvent{EventMeta: meta("sevt_oes1", EventTypeSpanOutcomeEvaluationStart),
		OutcomeID: "outc_1"},
	EventTypeSpanOutcomeEvaluationOngoing: &SpanOutcomeEvaluationOngoingEvent{EventMeta: meta("sevt_oeo1", EventTypeSpanOutcomeEvaluationOngoing),
		OutcomeID: "outc_1", Iteration: 1},
	EventTypeSpanOutcomeEvaluationEnd: &SpanOutcomeEvaluationEndEvent{EventMeta: meta("sevt_oee1", EventTypeSpanOutcomeEvaluationEnd),
		OutcomeEvaluationStartID: "sevt_oes1", OutcomeID: "outc_1", Iteration: 1, Result: OutcomeNeedsRevision,
		Explanation: "Missing totals.", Usage: ModelUsage{InputTokens: 10, OutputTokens: 2, CacheCreationInputTokens: 1}},
	EventTypeWorkflowRunCreated: &WorkflowRunCreatedEvent{EventMeta: meta("sevt_wc1", EventTypeWorkflowRunCreated), WorkflowRunID: "wfr_1",
		Name: "review", Phases: []WorkflowRunPhase{{ID: "ph_1", Name: "draft", Description: "Write it"}, {ID: "ph_2", Name: "check", Description: "Check it"}}},
	EventTypeWorkflowRunStatusRunning: &WorkflowRunStatusRunningEvent{EventMeta: meta("sevt_wr1", EventTypeWorkflowRunStatusRunning), WorkflowRunID: "wfr_1"},
	EventTypeWorkflowRunStatusIdle:    &WorkflowRunStatusIdleEvent{EventMeta: meta("sevt_wi1", EventTypeWorkflowRunStatusIdle), WorkflowRunID: "wfr_1"},
	EventTypeWorkflowRunStatusEnded: &WorkflowRunStatusEndedEvent{EventMeta: meta("sevt_we1", EventTypeWorkflowRunStatusEnded), WorkflowRunID: "wfr_1",
		Result: WorkflowRunResult{Type: WorkflowRunFailed, Error: &WorkflowRunError{Type: WorkflowErrorTimeout, Message: "took too long"}}},
	EventTypeWorkflowRunError: &WorkflowRunErrorEvent{EventMeta: meta("sevt_wer1", EventTypeWorkflowRunError),
		Error: WorkflowRunError{Type: WorkflowErrorThreadLimit, Message: "too many threads"}},
	EventTypeWorkflowRunPhaseStarted: &WorkflowRunPhaseStartedEvent{EventMeta: meta("sevt_wps1", EventTypeWorkflowRunPhaseStarted),
		WorkflowRunID: "wfr_1", WorkflowRunPhaseID: "ph_1"},
	EventTypeWorkflowRunPhaseEnded: &WorkflowRunPhaseEndedEvent{EventMeta: meta("sevt_wpe1", EventTypeWorkflowRunPhaseEnded),
		WorkflowRunID: "wfr_1", WorkflowRunPhaseID: "ph_1", PhaseStartedID: "sevt_wps1"},
	EventTypeEventStart: &EventStartEvent{Type: EventTypeEventStart, Preview: EventPreview{Type: EventTypeAgentMessage, ID: "sevt_am1"}},
	EventTypeEventDelta: &EventDeltaEvent{Type: EventTypeEventDelta, PreviewID: "sevt_am1",
		Delta: EventDelta{Type: DeltaTypeContent, Index: 2, Content: &DeltaContent{Type: "text", Text: "world."}}},
}

func TestDecodeEveryEventType(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, len(wantEvents), "one fixture per event type")
	for _, file := range files {
		typ := EventType(strings.TrimSuffix(filepath.Base(file), ".json"))
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			want, ok := wantEvents[typ]
			require.True(t, ok, "no expectation for %s", typ)
			want.(decodable).setRaw(data)

			got, err := DecodeEvent(data)
			require.NoError(t, err)
			require.Equal(t, want, got)
			require.Equal(t, typ, got.EventType())
			require.Same(t, &data[0], &got.RawJSON()[0], "raw JSON is the given slice, not a copy")
			if _, ok := got.(PreviewEvent); ok {
				require.Empty(t, got.EventID())
				require.True(t, got.EventProcessedAt().IsZero())
			}
		})
	}
}

func TestEveryTypeConstantHasAConcreteType(t *testing.T) {
	t.Parallel()
	// Every Type… string decodes to its own concrete type, not *UnknownEvent.
	for typ := range wantEvents {
		ev, err := DecodeEvent([]byte(`{"type":"` + typ + `"}`))
		require.NoError(t, err, typ)
		_, unknown := ev.(*UnknownEvent)
		require.False(t, unknown, typ)
		require.Equal(t, typ, ev.EventType())
	}
}

func TestEventHelpers(t *testing.T) {
	t.Parallel()
	am := wantEvents[EventTypeAgentMessage].(*AgentMessageEvent)
	require.Equal(t, "Hello, world.", am.Text())
	um := wantEvents[EventTypeUserMessage].(*UserMessageEvent)
	require.Equal(t, "Look at this: and this.", um.Text())
	require.Equal(t, "Be brief. Really.", wantEvents[EventTypeSystemMessage].(*SystemMessageEvent).Text())
	require.Equal(t, "Find X", wantEvents[EventTypeAgentThreadMessageSent].(*AgentThreadMessageSentEvent).Text())
	require.Equal(t, "Found X", wantEvents[EventTypeAgentThreadMessageReceived].(*AgentThreadMessageReceivedEvent).Text())
	require.Empty(t, ContentBlocks(nil).Text())

	se := wantEvents[EventTypeSessionError].(*SessionErrorEvent).Error
	require.True(t, se.IsTerminal())
	require.False(t, se.Retrying())
	require.False(t, se.RetryStatus.Exhausted())
	require.EqualError(t, se, "managedagents: session error credential_host_unreachable_error: host down")
	require.True(t, RetryStatus{Type: RetryStatusRetrying}.Retrying())
	require.True(t, RetryStatus{Type: RetryStatusExhausted}.Exhausted())

	idle := wantEvents[EventTypeSessionThreadStatusIdle].(*SessionThreadStatusIdleEvent)
	require.True(t, idle.StopReason.RequiresAction())
	require.True(t, idle.StopReason.Known())
	require.False(t, StopReason{Type: "paused_for_lunch"}.Known())
	require.False(t, StopReason{Type: StopReasonEndTurn}.RequiresAction())

	start := wantEvents[EventTypeEventStart].(*EventStartEvent)
	require.Equal(t, "sevt_am1", start.PreviewedEventID())
	require.Equal(t, EventTypeAgentMessage, start.PreviewedType())
	delta := wantEvents[EventTypeEventDelta].(*EventDeltaEvent)
	require.Equal(t, "sevt_am1", delta.PreviewedEventID())
	require.Equal(t, "world.", delta.Text())
	require.Empty(t, (&EventDeltaEvent{}).Text())
	require.Empty(t, (&EventDeltaEvent{Delta: EventDelta{Content: &DeltaContent{Type: "image", Text: "x"}}}).Text())

	require.True(t, IsTerminal(wantEvents[EventTypeSessionStatusTerminated]))
	require.True(t, IsTerminal(wantEvents[EventTypeSessionDeleted]))
	require.False(t, IsTerminal(wantEvents[EventTypeSessionStatusIdle]))
}

func TestSessionUpdatedAbsentNullAndValue(t *testing.T) {
	t.Parallel()
	decode := func(s string) *SessionUpdatedEvent {
		ev, err := DecodeEvent([]byte(s))
		require.NoError(t, err)
		return ev.(*SessionUpdatedEvent)
	}
	absent := decode(`{"type":"session.updated","id":"sevt_1","processed_at":null}`)
	require.False(t, absent.Budget.Set)
	require.False(t, absent.Title.Set)
	require.Nil(t, absent.Agent)
	require.True(t, absent.ProcessedAt.IsZero())

	removed := decode(`{"type":"session.updated","id":"sevt_1","budget":null,"title":null}`)
	require.True(t, removed.Budget.Set)
	require.Nil(t, removed.Budget.Value)
	require.True(t, removed.Title.Set)
	require.Empty(t, removed.Title.Value)

	set := decode(`{"type":"session.updated","id":"sevt_1","budget":{"type":"limit","max_list_cost":{"amount":"100","currency":"USD"}}}`)
	require.Equal(t, Change[*Budget]{Set: true, Value: NewBudgetLimit("100", "USD")}, set.Budget)

	// Round trip keeps absent fields absent and null as null.
	out, err := json.Marshal(removed)
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"sevt_1","type":"session.updated","title":"","budget":null}`, string(out))
	out, err = json.Marshal(absent)
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"sevt_1","type":"session.updated"}`, string(out))
}

func TestDecodeUnknownEventType(t *testing.T) {
	t.Parallel()
	data := []byte(`{"id":"sevt_9","processed_at":"2026-11-24T10:05:01.208Z","type":"session.teleported","to":{"type":"mars"}}`)
	ev, err := DecodeEvent(data)
	require.NoError(t, err)
	u, ok := ev.(*UnknownEvent)
	require.True(t, ok)
	require.Equal(t, EventType("session.teleported"), u.Type)
	require.Equal(t, EventType("session.teleported"), u.EventType())
	require.Equal(t, "sevt_9", u.EventID())
	require.Equal(t, fixtureTime, u.EventProcessedAt())
	require.Equal(t, string(data), string(u.RawJSON()))
	require.False(t, IsTerminal(u))
}

func TestDecodeToleratesUnknownFieldsAndBlocks(t *testing.T) {
	t.Parallel()
	data := []byte(`{"type":"agent.message","id":"sevt_1","future":{"type":"x","list":[1,2,{"a":"]"}]},` +
		`"content":[{"type":"hologram","frames":[{"type":"text"}]},{"type":"text","text":"hi","citations":[]},` +
		`{"type":"image","source":{"type":"s3","bucket":"b"}}],"processed_at":null}`)
	ev, err := DecodeEvent(data)
	require.NoError(t, err)
	am := ev.(*AgentMessageEvent)
	require.Len(t, am.Content, 3)
	ub := am.Content[0].(*UnknownBlock)
	require.Equal(t, "hologram", ub.BlockType())
	require.JSONEq(t, `{"type":"hologram","frames":[{"type":"text"}]}`, string(ub.Raw))
	require.Equal(t, "hi", am.Text())
	us := am.Content[2].(*ImageBlock).Source.(*UnknownSource)
	require.Equal(t, "s3", us.SourceType())
	require.JSONEq(t, `{"type":"s3","bucket":"b"}`, string(us.Raw))

	// Unknown blocks and sources marshal back as they came.
	out, err := json.Marshal(am.Content)
	require.NoError(t, err)
	require.JSONEq(t, `[{"type":"hologram","frames":[{"type":"text"}]},{"type":"text","text":"hi"},{"type":"image","source":{"type":"s3","bucket":"b"}}]`, string(out))
}

func TestDecodeScannerEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, json string
		wantType   EventType
	}{
		{"type key not first", `{"id":"sevt_1","processed_at":null,"type":"agent.thinking"}`, EventTypeAgentThinking},
		{"nested type before the top-level one", `{"content":[{"type":"text","text":"x"}],"event":{"type":"agent.thinking"},"type":"agent.message"}`, EventTypeAgentMessage},
		{"escaped quotes and backslashes in strings", `{"content":[{"type":"text","text":"say \"type\":\"x\" \\"}],"type":"agent.message"}`, EventTypeAgentMessage},
		{"brackets inside strings", `{"note":"}]{[","type":"session.status_running"}`, EventTypeSessionStatusRunning},
		{"whitespace everywhere", " \n\t{ \r\n \"id\" : \"sevt_1\" ,\n \"type\"\t:\n \"session.status_idle\" , \"stop_reason\" : { \"type\" : \"end_turn\" } }\n", EventTypeSessionStatusIdle},
		{"escaped type value", `{"type":"agent\u002emessage","content":[]}`, EventTypeAgentMessage},
		{"escaped type key", `{"typ\u0065":"agent.thinking"}`, EventTypeAgentThinking},
		{"key that ends in type", `{"subtype":"agent.message","type":"agent.thinking"}`, EventTypeAgentThinking},
		{"numbers, literals and nested arrays first", `{"n":-1.5e3,"t":true,"f":false,"z":null,"a":[[],[{}],"]"],"type":"span.model_request_start"}`, EventTypeSpanModelRequestStart},
		{"unicode", `{"text":"héllo ✓ \ud83d\ude00","type":"agent.thinking"}`, EventTypeAgentThinking},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := DecodeEvent([]byte(tt.json))
			require.NoError(t, err)
			require.Equal(t, tt.wantType, ev.EventType())
			_, unknown := ev.(*UnknownEvent)
			require.False(t, unknown)
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	bad := []string{
		``,
		` `,
		`null`,
		`[]`,
		`"agent.message"`,
		`{`,
		`{"type"`,
		`{"type":`,
		`{"type":"agent.message"`,
		`{"type":"agent.mess`,
		`{"id":"x"}`,
		`{}`,
		`{"type":5}`,
		`{"type":null}`,
		`{"id":"sevt_1" "type":"agent.message"}`,
		`{"type":"agent.message","content":[{"type":"text","text":"x"}}`,
		`{"type":"agent.message","content":"nope"}`,
		`{"type":"agent.message","content":[1]}`,
		`{"type":"agent.message","content":[{"type":"image","source":7}]}`,
		`{"type":"session.status_idle","stop_reason":"end_turn"}`,
		`{"type":"agent.message"} trailing`,
		`{"a":"\`,
		`{"a":tru`,
		`{"a":[1,2,{"b":"c"}`,
		`{"type":"x","processed_at":"yesterday"}`,
		"{\"type\":\"agent.message\",\"id\":\"\xff\"}x",
	}
	for _, s := range bad {
		ev, err := DecodeEvent([]byte(s))
		require.Error(t, err, "input %q", s)
		require.Nil(t, ev, "input %q", s)
	}
}

func TestDecodeEventsArray(t *testing.T) {
	t.Parallel()
	data := []byte(` [ {"type":"agent.thinking","id":"a"} , {"type":"nope","id":"b"} ] `)
	evs, err := decodeEvents(data)
	require.NoError(t, err)
	require.Len(t, evs, 2)
	require.IsType(t, &AgentThinkingEvent{}, evs[0])
	require.IsType(t, &UnknownEvent{}, evs[1])
	require.Equal(t, `{"type":"nope","id":"b"}`, string(evs[1].RawJSON()))

	for _, s := range []string{`null`, `[]`, ``} {
		evs, err := decodeEvents([]byte(s))
		require.NoError(t, err)
		require.Empty(t, evs)
	}
	for _, s := range []string{`{}`, `[{"type":"x"},]`, `[{"type":"x"} {"type":"y"}]`, `[{"type":"x"}`, `[1]`} {
		_, err := decodeEvents([]byte(s))
		require.Error(t, err, s)
	}
}
