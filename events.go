package managedagents

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event is one event of a session, as listed or streamed. It is a sealed
// interface: the concrete types are the *…Event structs of this package, one per
// event type of the API, and [*UnknownEvent] for a type this SDK does not know.
// Use a type switch:
//
//	switch e := ev.(type) {
//	case *AgentMessageEvent:
//		fmt.Print(e.Text())
//	case *SessionStatusIdleEvent:
//		...
//	}
type Event interface {
	// EventID returns the event's id (sevt_…); empty for the stream-only
	// event_start and event_delta previews.
	EventID() string
	// EventType returns the event's type, e.g. EventTypeAgentMessage.
	EventType() EventType
	// EventProcessedAt returns when the server processed the event; the zero time
	// while it is still queued, and for previews.
	EventProcessedAt() time.Time
	// RawJSON returns the event exactly as received.
	RawJSON() json.RawMessage
	isEvent()
}

// EventMeta holds the fields every persisted event has. Each event struct embeds it.
type EventMeta struct {
	// ID is the event's id (sevt_…).
	ID string `json:"id"`
	// Type is the event's type.
	Type EventType `json:"type"`
	// ProcessedAt is when the server processed the event; zero while queued.
	ProcessedAt time.Time `json:"processed_at,omitzero"`

	raw json.RawMessage
}

// EventID implements Event.
func (m *EventMeta) EventID() string { return m.ID }

// EventType implements Event.
func (m *EventMeta) EventType() EventType { return m.Type }

// EventProcessedAt implements Event.
func (m *EventMeta) EventProcessedAt() time.Time { return m.ProcessedAt }

// RawJSON implements Event.
func (m *EventMeta) RawJSON() json.RawMessage { return m.raw }

func (m *EventMeta) setRaw(b json.RawMessage) { m.raw = b }

// EventType is the type of an event: its JSON "type". The constants below are
// every type the API documents; a type this SDK does not know decodes to an
// [*UnknownEvent] with that type.
type EventType string

// Event types.
const (
	// Events a client sends (echoed back in lists and streams).
	EventTypeUserMessage          EventType = "user.message"
	EventTypeUserInterrupt        EventType = "user.interrupt"
	EventTypeUserToolConfirmation EventType = "user.tool_confirmation"
	EventTypeUserCustomToolResult EventType = "user.custom_tool_result"
	EventTypeUserToolResult       EventType = "user.tool_result"
	EventTypeUserDefineOutcome    EventType = "user.define_outcome"
	EventTypeSystemMessage        EventType = "system.message"

	// Agent events.
	EventTypeAgentMessage                EventType = "agent.message"
	EventTypeAgentThinking               EventType = "agent.thinking"
	EventTypeAgentToolUse                EventType = "agent.tool_use"
	EventTypeAgentToolResult             EventType = "agent.tool_result"
	EventTypeAgentMCPToolUse             EventType = "agent.mcp_tool_use"
	EventTypeAgentMCPToolResult          EventType = "agent.mcp_tool_result"
	EventTypeAgentCustomToolUse          EventType = "agent.custom_tool_use"
	EventTypeAgentThreadContextCompacted EventType = "agent.thread_context_compacted"
	EventTypeAgentThreadMessageSent      EventType = "agent.thread_message_sent"
	EventTypeAgentThreadMessageReceived  EventType = "agent.thread_message_received"

	// Session events.
	EventTypeSessionStatusRunning           EventType = "session.status_running"
	EventTypeSessionStatusIdle              EventType = "session.status_idle"
	EventTypeSessionStatusRescheduled       EventType = "session.status_rescheduled"
	EventTypeSessionStatusTerminated        EventType = "session.status_terminated"
	EventTypeSessionError                   EventType = "session.error"
	EventTypeSessionUpdated                 EventType = "session.updated"
	EventTypeSessionUsage                   EventType = "session.usage"
	EventTypeSessionDeleted                 EventType = "session.deleted"
	EventTypeSessionThreadCreated           EventType = "session.thread_created"
	EventTypeSessionThreadStatusRunning     EventType = "session.thread_status_running"
	EventTypeSessionThreadStatusIdle        EventType = "session.thread_status_idle"
	EventTypeSessionThreadStatusRescheduled EventType = "session.thread_status_rescheduled"
	EventTypeSessionThreadStatusTerminated  EventType = "session.thread_status_terminated"

	// Span events.
	EventTypeSpanModelRequestStart        EventType = "span.model_request_start"
	EventTypeSpanModelRequestEnd          EventType = "span.model_request_end"
	EventTypeSpanOutcomeEvaluationStart   EventType = "span.outcome_evaluation_start"
	EventTypeSpanOutcomeEvaluationOngoing EventType = "span.outcome_evaluation_ongoing"
	EventTypeSpanOutcomeEvaluationEnd     EventType = "span.outcome_evaluation_end"

	// Workflow-run events.
	EventTypeWorkflowRunCreated       EventType = "workflow_run.created"
	EventTypeWorkflowRunStatusRunning EventType = "workflow_run.status_running"
	EventTypeWorkflowRunStatusIdle    EventType = "workflow_run.status_idle"
	EventTypeWorkflowRunStatusEnded   EventType = "workflow_run.status_ended"
	EventTypeWorkflowRunError         EventType = "workflow_run.error"
	EventTypeWorkflowRunPhaseStarted  EventType = "workflow_run.phase_started"
	EventTypeWorkflowRunPhaseEnded    EventType = "workflow_run.phase_ended"

	// Stream-only previews (opt-in with event_deltas[]); never listed.
	EventTypeEventStart EventType = "event_start"
	EventTypeEventDelta EventType = "event_delta"
)

// SessionStatusTerminatedEvent (session.status_terminated) says the session ended
// for good.
type SessionStatusTerminatedEvent struct{ EventMeta }

func (*SessionStatusTerminatedEvent) isEvent() {}

// SessionDeletedEvent (session.deleted) is the last event of a deleted session's
// stream.
type SessionDeletedEvent struct{ EventMeta }

func (*SessionDeletedEvent) isEvent() {}

// UnknownEvent is an event whose type this SDK does not know. Its raw JSON is kept.
type UnknownEvent struct{ EventMeta }

func (*UnknownEvent) isEvent() {}

// IsTerminal reports whether ev ends a session's event stream for good:
// session.status_terminated or session.deleted.
func IsTerminal(ev Event) bool {
	switch ev.(type) {
	case *SessionStatusTerminatedEvent, *SessionDeletedEvent:
		return true
	}
	return false
}

// DecodeEvent decodes one event from its JSON. The concrete type is chosen by the
// JSON "type" field; an unknown type gives *UnknownEvent, not an error. The event
// keeps data as its raw JSON (data must not be changed afterwards). List pages
// and stream frames both use it.
//
// The result is exactly what encoding/json alone gives (see decodeEventPlain):
// malformed JSON, a value that is not an object, and an object without a
// non-empty string "type" are errors, and DecodeEvent never panics. It gets
// there faster for the events the API sends (see decodeEventFast).
func DecodeEvent(data []byte) (Event, error) {
	if ev := decodeEventFast(data); ev != nil {
		return ev, nil
	}
	return decodeEventPlain(data)
}

// decodeEventPlain is the general decoder, with encoding/json alone: the type
// as encoding/json reads the "type" member (keys match case-insensitively, the
// last one wins), then the whole event into the concrete type of that type.
// DecodeEvent must give exactly what it gives, on every input
// (FuzzDecodeEventFastMatchesPlain).
func decodeEventPlain(data []byte) (Event, error) {
	var head struct {
		Type EventType `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decoding event: %w", err)
	}
	if head.Type == "" {
		return nil, errNoEventType
	}
	ev := newEvent(head.Type)
	if err := json.Unmarshal(data, ev); err != nil {
		return nil, fmt.Errorf("decoding %s event: %w", head.Type, err)
	}
	ev.setRaw(data)
	return ev, nil
}

// errNoEventType is the error of an event without a non-empty string "type".
var errNoEventType = errors.New(`decoding event: no non-empty string "type" member`)

// decodable is what DecodeEvent fills.
type decodable interface {
	Event
	setRaw(json.RawMessage)
}

// newEvent returns a new, empty event of the concrete type for typ.
func newEvent(typ EventType) decodable {
	switch typ {
	case EventTypeUserMessage:
		return new(UserMessageEvent)
	case EventTypeUserInterrupt:
		return new(UserInterruptEvent)
	case EventTypeUserToolConfirmation:
		return new(UserToolConfirmationEvent)
	case EventTypeUserCustomToolResult:
		return new(UserCustomToolResultEvent)
	case EventTypeUserToolResult:
		return new(UserToolResultEvent)
	case EventTypeUserDefineOutcome:
		return new(UserDefineOutcomeEvent)
	case EventTypeSystemMessage:
		return new(SystemMessageEvent)
	case EventTypeAgentMessage:
		return new(AgentMessageEvent)
	case EventTypeAgentThinking:
		return new(AgentThinkingEvent)
	case EventTypeAgentToolUse:
		return new(AgentToolUseEvent)
	case EventTypeAgentToolResult:
		return new(AgentToolResultEvent)
	case EventTypeAgentMCPToolUse:
		return new(AgentMCPToolUseEvent)
	case EventTypeAgentMCPToolResult:
		return new(AgentMCPToolResultEvent)
	case EventTypeAgentCustomToolUse:
		return new(AgentCustomToolUseEvent)
	case EventTypeAgentThreadContextCompacted:
		return new(AgentThreadContextCompactedEvent)
	case EventTypeAgentThreadMessageSent:
		return new(AgentThreadMessageSentEvent)
	case EventTypeAgentThreadMessageReceived:
		return new(AgentThreadMessageReceivedEvent)
	case EventTypeSessionStatusRunning:
		return new(SessionStatusRunningEvent)
	case EventTypeSessionStatusIdle:
		return new(SessionStatusIdleEvent)
	case EventTypeSessionStatusRescheduled:
		return new(SessionStatusRescheduledEvent)
	case EventTypeSessionStatusTerminated:
		return new(SessionStatusTerminatedEvent)
	case EventTypeSessionError:
		return new(SessionErrorEvent)
	case EventTypeSessionUpdated:
		return new(SessionUpdatedEvent)
	case EventTypeSessionUsage:
		return new(SessionUsageEvent)
	case EventTypeSessionDeleted:
		return new(SessionDeletedEvent)
	case EventTypeSessionThreadCreated:
		return new(SessionThreadCreatedEvent)
	case EventTypeSessionThreadStatusRunning:
		return new(SessionThreadStatusRunningEvent)
	case EventTypeSessionThreadStatusIdle:
		return new(SessionThreadStatusIdleEvent)
	case EventTypeSessionThreadStatusRescheduled:
		return new(SessionThreadStatusRescheduledEvent)
	case EventTypeSessionThreadStatusTerminated:
		return new(SessionThreadStatusTerminatedEvent)
	case EventTypeSpanModelRequestStart:
		return new(SpanModelRequestStartEvent)
	case EventTypeSpanModelRequestEnd:
		return new(SpanModelRequestEndEvent)
	case EventTypeSpanOutcomeEvaluationStart:
		return new(SpanOutcomeEvaluationStartEvent)
	case EventTypeSpanOutcomeEvaluationOngoing:
		return new(SpanOutcomeEvaluationOngoingEvent)
	case EventTypeSpanOutcomeEvaluationEnd:
		return new(SpanOutcomeEvaluationEndEvent)
	case EventTypeWorkflowRunCreated:
		return new(WorkflowRunCreatedEvent)
	case EventTypeWorkflowRunStatusRunning:
		return new(WorkflowRunStatusRunningEvent)
	case EventTypeWorkflowRunStatusIdle:
		return new(WorkflowRunStatusIdleEvent)
	case EventTypeWorkflowRunStatusEnded:
		return new(WorkflowRunStatusEndedEvent)
	case EventTypeWorkflowRunError:
		return new(WorkflowRunErrorEvent)
	case EventTypeWorkflowRunPhaseStarted:
		return new(WorkflowRunPhaseStartedEvent)
	case EventTypeWorkflowRunPhaseEnded:
		return new(WorkflowRunPhaseEndedEvent)
	case EventTypeEventStart:
		return new(EventStartEvent)
	case EventTypeEventDelta:
		return new(EventDeltaEvent)
	}
	return new(UnknownEvent)
}
