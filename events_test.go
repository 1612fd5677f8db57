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
func meta(id, typ string) EventMeta { return EventMeta{ID: id, Type: typ, ProcessedAt: fixtureTime} }

// wantEvents is the expected decoding of each testdata/events/<type>.json.
var wantEvents = map[string]Event{
	TypeUserMessage: &UserMessageEvent{EventMeta: meta("sevt_um1", TypeUserMessage), Content: ContentBlocks{
		&TextBlock{Text: "Look at this:"},
		&ImageBlock{Source: &Base64Source{MediaType: "image/png", Data: "iVBORw0KGgo="}},
		&ImageBlock{Source: &URLSource{URL: "https://example.com/a.png"}},
		&DocumentBlock{Source: &FileSource{FileID: "file_011"}, Title: "Spec", Context: "v2"},
		&DocumentBlock{Source: &PlainTextSource{MediaType: "text/plain", Data: "plain doc"}},
		&RedactedBlock{},
		&TextBlock{Text: " and this."},
	}},
	TypeUserInterrupt: &UserInterruptEvent{EventMeta: EventMeta{Type: TypeUserInterrupt}, SessionThreadID: "sthr_1"},
	TypeUserToolConfirmation: &UserToolConfirmationEvent{EventMeta: meta("sevt_tc1", TypeUserToolConfirmation),
		ToolUseID: "sevt_tu1", Result: ToolConfirmationDeny, DenyMessage: "not on prod", SessionThreadID: "sthr_2"},
	TypeUserCustomToolResult: &UserCustomToolResultEvent{EventMeta: meta("sevt_ctr1", TypeUserCustomToolResult),
		CustomToolUseID: "sevt_ctu1", IsError: true, SessionThreadID: "sthr_3", Content: ContentBlocks{
			&TextBlock{Text: `{"status":"ok"}`},
			&SearchResultBlock{Source: "https://example.com/r", Title: "Result", Content: []TextBlock{{Text: "snippet"}}, Citations: SearchResultCitations{Enabled: true}},
		}},
	TypeUserToolResult: &UserToolResultEvent{EventMeta: meta("sevt_tr1", TypeUserToolResult), ToolUseID: "sevt_tu2",
		Content: ContentBlocks{&DocumentBlock{Source: &URLSource{URL: "https://example.com/d.pdf"}}}},
	TypeUserDefineOutcome: &UserDefineOutcomeEvent{EventMeta: meta("sevt_do1", TypeUserDefineOutcome), OutcomeID: "outc_1",
		Description: "Write a report", Rubric: Rubric{Type: RubricTypeFile, FileID: "file_rub"}, MaxIterations: 5},
	TypeSystemMessage: &SystemMessageEvent{EventMeta: EventMeta{ID: "sevt_sm1", Type: TypeSystemMessage},
		Content: ContentBlocks{&TextBlock{Text: "Be brief."}, &TextBlock{Text: " Really."}}},
	TypeAgentMessage: &AgentMessageEvent{EventMeta: meta("sevt_am1", TypeAgentMessage),
		Content: ContentBlocks{&TextBlock{Text: "Hello, "}, &RedactedBlock{}, &TextBlock{Text: "world."}}},
	TypeAgentThinking: &AgentThinkingEvent{EventMeta: meta("sevt_at1", TypeAgentThinking)},
	TypeAgentToolUse: &AgentToolUseEvent{EventMeta: meta("sevt_tu1", TypeAgentToolUse), Name: "bash",
		Input:               json.RawMessage("{\n    \"command\": \"ls -la\",\n    \"type\": \"nested\"\n  }"),
		EvaluatedPermission: EvaluatedPermissionAsk,
		Evaluation:          &ToolEvaluation{Type: ToolEvaluationAuto, EvaluatedPermission: &AutoPermission{Type: EvaluatedPermissionAsk, ReasonCode: "indeterminate"}},
		SessionThreadID:     "sthr_4"},
	TypeAgentToolResult: &AgentToolResultEvent{EventMeta: meta("sevt_atr1", TypeAgentToolResult), ToolUseID: "sevt_tu1",
		Content: ContentBlocks{&TextBlock{Text: "total 0"}}},
	TypeAgentMCPToolUse: &AgentMCPToolUseEvent{EventMeta: meta("sevt_mtu1", TypeAgentMCPToolUse), MCPServerName: "github",
		Name: "create_issue", Input: json.RawMessage("{\n    \"title\": \"x\"\n  }"), EvaluatedPermission: EvaluatedPermissionDeny,
		Evaluation: &ToolEvaluation{Type: ToolEvaluationAuto, EvaluatedPermission: &AutoPermission{Type: EvaluatedPermissionDeny, ReasonCode: "high_risk"}}},
	TypeAgentMCPToolResult: &AgentMCPToolResultEvent{EventMeta: meta("sevt_mtr1", TypeAgentMCPToolResult), MCPToolUseID: "sevt_mtu1",
		Content: ContentBlocks{&TextBlock{Text: "denied"}}, IsError: true},
	TypeAgentCustomToolUse: &AgentCustomToolUseEvent{EventMeta: meta("sevt_ctu1", TypeAgentCustomToolUse), Name: "lookup_order",
		Input: json.RawMessage("{\n    \"order_number\": \"1234\"\n  }"), SessionThreadID: "sthr_5"},
	TypeAgentThreadContextCompacted: &AgentThreadContextCompactedEvent{EventMeta: meta("sevt_cc1", TypeAgentThreadContextCompacted)},
	TypeAgentThreadMessageSent: &AgentThreadMessageSentEvent{EventMeta: meta("sevt_tms1", TypeAgentThreadMessageSent),
		ToSessionThreadID: "sthr_6", ToAgentName: "researcher", Content: ContentBlocks{&TextBlock{Text: "Find X"}}},
	TypeAgentThreadMessageReceived: &AgentThreadMessageReceivedEvent{EventMeta: meta("sevt_tmr1", TypeAgentThreadMessageReceived),
		FromSessionThreadID: "sthr_6", Content: ContentBlocks{&TextBlock{Text: "Found X"}}},
	TypeSessionStatusRunning: &SessionStatusRunningEvent{EventMeta: meta("sevt_sr1", TypeSessionStatusRunning)},
	TypeSessionStatusIdle: &SessionStatusIdleEvent{EventMeta: meta("sevt_si1", TypeSessionStatusIdle),
		StopReason:  StopReason{Type: StopReasonRefusal},
		StopDetails: &StopDetails{Type: "refusal", Category: RefusalCyber, Explanation: "Declined."}},
	TypeSessionStatusRescheduled: &SessionStatusRescheduledEvent{EventMeta: meta("sevt_srs1", TypeSessionStatusRescheduled)},
	TypeSessionStatusTerminated:  &SessionStatusTerminatedEvent{EventMeta: meta("sevt_st1", TypeSessionStatusTerminated)},
	TypeSessionError: &SessionErrorEvent{EventMeta: meta("sevt_se1", TypeSessionError), Error: SessionError{
		Type: SessionErrorCredentialHostUnreachable, Message: "host down", RetryStatus: RetryStatus{Type: RetryStatusTerminal},
		CredentialID: "vcrd_1", VaultID: "vlt_1"}},
	TypeSessionUpdated: &SessionUpdatedEvent{EventMeta: meta("sevt_su1", TypeSessionUpdated),
		Title:    Change[string]{Set: true, Value: "New title"},
		Metadata: map[string]string{"team": "support"},
		Budget:   Change[*Budget]{Set: true},
		Agent:    &SessionAgent{ID: "agent_1", Type: "agent", Version: 3}},
	TypeSessionUsage: &SessionUsageEvent{EventMeta: meta("sevt_us1", TypeSessionUsage), Usage: SessionUsage{
		InputTokens: 100, OutputTokens: 20, CacheReadInputTokens: 5,
		CacheCreation: &CacheCreation{Ephemeral5mInputTokens: 7, Ephemeral1hInputTokens: 8},
		ActiveSeconds: 12.5, ListCost: &Money{Amount: "42", Currency: "USD"},
		ServerToolUse: &ServerToolUse{WebSearchRequests: 2, WebFetchRequests: 1},
	}, Budget: LimitBudget("2500", "USD")},
	TypeSessionDeleted: &SessionDeletedEvent{EventMeta: meta("sevt_sd1", TypeSessionDeleted)},
	TypeSessionThreadCreated: &SessionThreadCreatedEvent{EventMeta: meta("sevt_tc2", TypeSessionThreadCreated),
		SessionThreadID: "sthr_7", AgentName: "worker"},
	TypeSessionThreadStatusRunning: &SessionThreadStatusRunningEvent{EventMeta: meta("sevt_tsr1", TypeSessionThreadStatusRunning),
		SessionThreadID: "sthr_7", AgentName: "worker"},
	TypeSessionThreadStatusIdle: &SessionThreadStatusIdleEvent{EventMeta: meta("sevt_tsi1", TypeSessionThreadStatusIdle),
		SessionThreadID: "sthr_7", AgentName: "worker",
		StopReason: StopReason{Type: StopReasonRequiresAction, EventIDs: []string{"sevt_a", "sevt_b"}}},
	TypeSessionThreadStatusRescheduled: &SessionThreadStatusRescheduledEvent{EventMeta: meta("sevt_tsrs1", TypeSessionThreadStatusRescheduled),
		SessionThreadID: "sthr_7", AgentName: "worker"},
	TypeSessionThreadStatusTerminated: &SessionThreadStatusTerminatedEvent{EventMeta: meta("sevt_tst1", TypeSessionThreadStatusTerminated),
		SessionThreadID: "sthr_7", AgentName: "worker"},
	TypeSpanModelRequestStart: &SpanModelRequestStartEvent{EventMeta: meta("sevt_mrs1", TypeSpanModelRequestStart)},
	TypeSpanModelRequestEnd: &SpanModelRequestEndEvent{EventMeta: meta("sevt_mre1", TypeSpanModelRequestEnd),
		ModelRequestStartID: "sevt_mrs1", IsError: true,
		ModelUsage: ModelUsage{InputTokens: 2210, OutputTokens: 96, CacheReadInputTokens: 12288, CacheCreationInputTokens: 3072, Speed: "fast"}},
	TypeSpanOutcomeEvaluationStart: &SpanOutcomeEvaluationStartEvent{EventMeta: meta("sevt_oes1", TypeSpanOutcomeEvaluationStart),
		OutcomeID: "outc_1"},
	TypeSpanOutcomeEvaluationOngoing: &SpanOutcomeEvaluationOngoingEvent{EventMeta: meta("sevt_oeo1", TypeSpanOutcomeEvaluationOngoing),
		OutcomeID: "outc_1", Iteration: 1},
	TypeSpanOutcomeEvaluationEnd: &SpanOutcomeEvaluationEndEvent{EventMeta: meta("sevt_oee1", TypeSpanOutcomeEvaluationEnd),
		OutcomeEvaluationStartID: "sevt_oes1", OutcomeID: "outc_1", Iteration: 1, Result: OutcomeNeedsRevision,
		Explanation: "Missing totals.", Usage: ModelUsage{InputTokens: 10, OutputTokens: 2, CacheCreationInputTokens: 1}},
	TypeWorkflowRunCreated: &WorkflowRunCreatedEvent{EventMeta: meta("sevt_wc1", TypeWorkflowRunCreated), WorkflowRunID: "wfr_1",
		Name: "review", Phases: []WorkflowRunPhase{{ID: "ph_1", Name: "draft", Description: "Write it"}, {ID: "ph_2", Name: "check", Description: "Check it"}}},
	TypeWorkflowRunStatusRunning: &WorkflowRunStatusRunningEvent{EventMeta: meta("sevt_wr1", TypeWorkflowRunStatusRunning), WorkflowRunID: "wfr_1"},
	TypeWorkflowRunStatusIdle:    &WorkflowRunStatusIdleEvent{EventMeta: meta("sevt_wi1", TypeWorkflowRunStatusIdle), WorkflowRunID: "wfr_1"},
	TypeWorkflowRunStatusEnded: &WorkflowRunStatusEndedEvent{EventMeta: meta("sevt_we1", TypeWorkflowRunStatusEnded), WorkflowRunID: "wfr_1",
		Result: WorkflowRunResult{Type: WorkflowRunFailed, Error: &WorkflowRunError{Type: WorkflowErrorTimeout, Message: "took too long"}}},
	TypeWorkflowRunError: &WorkflowRunErrorEvent{EventMeta: meta("sevt_wer1", TypeWorkflowRunError),
		Error: WorkflowRunError{Type: WorkflowErrorThreadLimit, Message: "too many threads"}},
	TypeWorkflowRunPhaseStarted: &WorkflowRunPhaseStartedEvent{EventMeta: meta("sevt_wps1", TypeWorkflowRunPhaseStarted),
		WorkflowRunID: "wfr_1", WorkflowRunPhaseID: "ph_1"},
	TypeWorkflowRunPhaseEnded: &WorkflowRunPhaseEndedEvent{EventMeta: meta("sevt_wpe1", TypeWorkflowRunPhaseEnded),
		WorkflowRunID: "wfr_1", WorkflowRunPhaseID: "ph_1", PhaseStartedID: "sevt_wps1"},
	TypeEventStart: &EventStartEvent{Type: TypeEventStart, Preview: EventPreview{Type: TypeAgentMessage, ID: "sevt_am1"}},
	TypeEventDelta: &EventDeltaEvent{Type: TypeEventDelta, PreviewID: "sevt_am1",
		Delta: EventDelta{Type: DeltaTypeContent, Index: 2, Content: &DeltaContent{Type: "text", Text: "world."}}},
}

func TestDecodeEveryEventType(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, len(wantEvents), "one fixture per event type")
	for _, file := range files {
		typ := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(typ, func(t *testing.T) {
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
	am := wantEvents[TypeAgentMessage].(*AgentMessageEvent)
	require.Equal(t, "Hello, world.", am.Text())
	um := wantEvents[TypeUserMessage].(*UserMessageEvent)
	require.Equal(t, "Look at this: and this.", um.Text())
	require.Equal(t, "Be brief. Really.", wantEvents[TypeSystemMessage].(*SystemMessageEvent).Text())
	require.Equal(t, "Find X", wantEvents[TypeAgentThreadMessageSent].(*AgentThreadMessageSentEvent).Text())
	require.Equal(t, "Found X", wantEvents[TypeAgentThreadMessageReceived].(*AgentThreadMessageReceivedEvent).Text())
	require.Empty(t, ContentBlocks(nil).Text())

	se := wantEvents[TypeSessionError].(*SessionErrorEvent).Error
	require.True(t, se.IsTerminal())
	require.False(t, se.Retrying())
	require.False(t, se.RetryStatus.Exhausted())
	require.EqualError(t, se, "managedagents: session error credential_host_unreachable_error: host down")
	require.True(t, RetryStatus{Type: RetryStatusRetrying}.Retrying())
	require.True(t, RetryStatus{Type: RetryStatusExhausted}.Exhausted())

	idle := wantEvents[TypeSessionThreadStatusIdle].(*SessionThreadStatusIdleEvent)
	require.True(t, idle.StopReason.RequiresAction())
	require.True(t, idle.StopReason.Known())
	require.False(t, StopReason{Type: "paused_for_lunch"}.Known())
	require.False(t, StopReason{Type: StopReasonEndTurn}.RequiresAction())

	start := wantEvents[TypeEventStart].(*EventStartEvent)
	require.Equal(t, "sevt_am1", start.PreviewedEventID())
	require.Equal(t, TypeAgentMessage, start.PreviewedType())
	delta := wantEvents[TypeEventDelta].(*EventDeltaEvent)
	require.Equal(t, "sevt_am1", delta.PreviewedEventID())
	require.Equal(t, "world.", delta.Text())
	require.Empty(t, (&EventDeltaEvent{}).Text())
	require.Empty(t, (&EventDeltaEvent{Delta: EventDelta{Content: &DeltaContent{Type: "image", Text: "x"}}}).Text())

	require.True(t, IsTerminal(wantEvents[TypeSessionStatusTerminated]))
	require.True(t, IsTerminal(wantEvents[TypeSessionDeleted]))
	require.False(t, IsTerminal(wantEvents[TypeSessionStatusIdle]))
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
	require.Equal(t, Change[*Budget]{Set: true, Value: LimitBudget("100", "USD")}, set.Budget)

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
	require.Equal(t, "session.teleported", u.Type)
	require.Equal(t, "session.teleported", u.EventType())
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
		name, json, wantType string
	}{
		{"type key not first", `{"id":"sevt_1","processed_at":null,"type":"agent.thinking"}`, TypeAgentThinking},
		{"nested type before the top-level one", `{"content":[{"type":"text","text":"x"}],"event":{"type":"agent.thinking"},"type":"agent.message"}`, TypeAgentMessage},
		{"escaped quotes and backslashes in strings", `{"content":[{"type":"text","text":"say \"type\":\"x\" \\"}],"type":"agent.message"}`, TypeAgentMessage},
		{"brackets inside strings", `{"note":"}]{[","type":"session.status_running"}`, TypeSessionStatusRunning},
		{"whitespace everywhere", " \n\t{ \r\n \"id\" : \"sevt_1\" ,\n \"type\"\t:\n \"session.status_idle\" , \"stop_reason\" : { \"type\" : \"end_turn\" } }\n", TypeSessionStatusIdle},
		{"escaped type value", `{"type":"agent\u002emessage","content":[]}`, TypeAgentMessage},
		{"escaped type key", `{"typ\u0065":"agent.thinking"}`, TypeAgentThinking},
		{"key that ends in type", `{"subtype":"agent.message","type":"agent.thinking"}`, TypeAgentThinking},
		{"numbers, literals and nested arrays first", `{"n":-1.5e3,"t":true,"f":false,"z":null,"a":[[],[{}],"]"],"type":"span.model_request_start"}`, TypeSpanModelRequestStart},
		{"unicode", `{"text":"héllo ✓ \ud83d\ude00","type":"agent.thinking"}`, TypeAgentThinking},
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
