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
	// EventType returns the event's type string, e.g. "agent.message".
	EventType() string
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
	// Type is the event's type string.
	Type string `json:"type"`
	// ProcessedAt is when the server processed the event; zero while queued.
	ProcessedAt time.Time `json:"processed_at,omitzero"`

	raw json.RawMessage
}

// EventID implements Event.
func (m *EventMeta) EventID() string { return m.ID }

// EventType implements Event.
func (m *EventMeta) EventType() string { return m.Type }

// EventProcessedAt implements Event.
func (m *EventMeta) EventProcessedAt() time.Time { return m.ProcessedAt }

// RawJSON implements Event.
func (m *EventMeta) RawJSON() json.RawMessage { return m.raw }

func (m *EventMeta) setRaw(b json.RawMessage) { m.raw = b }

func (m *EventMeta) setType(t string) { m.Type = t }

// Event type strings: the "type" of every event the API documents.
const (
	// Events a client sends (echoed back in lists and streams).
	TypeUserMessage          = "user.message"
	TypeUserInterrupt        = "user.interrupt"
	TypeUserToolConfirmation = "user.tool_confirmation"
	TypeUserCustomToolResult = "user.custom_tool_result"
	TypeUserToolResult       = "user.tool_result"
	TypeUserDefineOutcome    = "user.define_outcome"
	TypeSystemMessage        = "system.message"

	// Agent events.
	TypeAgentMessage                = "agent.message"
	TypeAgentThinking               = "agent.thinking"
	TypeAgentToolUse                = "agent.tool_use"
	TypeAgentToolResult             = "agent.tool_result"
	TypeAgentMCPToolUse             = "agent.mcp_tool_use"
	TypeAgentMCPToolResult          = "agent.mcp_tool_result"
	TypeAgentCustomToolUse          = "agent.custom_tool_use"
	TypeAgentThreadContextCompacted = "agent.thread_context_compacted"
	TypeAgentThreadMessageSent      = "agent.thread_message_sent"
	TypeAgentThreadMessageReceived  = "agent.thread_message_received"

	// Session events.
	TypeSessionStatusRunning           = "session.status_running"
	TypeSessionStatusIdle              = "session.status_idle"
	TypeSessionStatusRescheduled       = "session.status_rescheduled"
	TypeSessionStatusTerminated        = "session.status_terminated"
	TypeSessionError                   = "session.error"
	TypeSessionUpdated                 = "session.updated"
	TypeSessionUsage                   = "session.usage"
	TypeSessionDeleted                 = "session.deleted"
	TypeSessionThreadCreated           = "session.thread_created"
	TypeSessionThreadStatusRunning     = "session.thread_status_running"
	TypeSessionThreadStatusIdle        = "session.thread_status_idle"
	TypeSessionThreadStatusRescheduled = "session.thread_status_rescheduled"
	TypeSessionThreadStatusTerminated  = "session.thread_status_terminated"

	// Span events.
	TypeSpanModelRequestStart        = "span.model_request_start"
	TypeSpanModelRequestEnd          = "span.model_request_end"
	TypeSpanOutcomeEvaluationStart   = "span.outcome_evaluation_start"
	TypeSpanOutcomeEvaluationOngoing = "span.outcome_evaluation_ongoing"
	TypeSpanOutcomeEvaluationEnd     = "span.outcome_evaluation_end"

	// Workflow-run events.
	TypeWorkflowRunCreated       = "workflow_run.created"
	TypeWorkflowRunStatusRunning = "workflow_run.status_running"
	TypeWorkflowRunStatusIdle    = "workflow_run.status_idle"
	TypeWorkflowRunStatusEnded   = "workflow_run.status_ended"
	TypeWorkflowRunError         = "workflow_run.error"
	TypeWorkflowRunPhaseStarted  = "workflow_run.phase_started"
	TypeWorkflowRunPhaseEnded    = "workflow_run.phase_ended"

	// Stream-only previews (opt-in with event_deltas[]); never listed.
	TypeEventStart = "event_start"
	TypeEventDelta = "event_delta"
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
// It reads the top-level "type" with a small scanner and then unmarshals data
// once, into the concrete type. Malformed JSON, a value that is not an object, and
// an object without a string "type" are errors; DecodeEvent never panics.
func DecodeEvent(data []byte) (Event, error) {
	typ, found, err := scanType(data)
	if err != nil {
		return nil, fmt.Errorf("managedagents: decoding event: %w", err)
	}
	if !found {
		// Tell malformed JSON apart from a missing type.
		if !json.Valid(data) {
			return nil, errors.New("managedagents: decoding event: malformed JSON")
		}
		return nil, errors.New(`managedagents: decoding event: no string "type" member`)
	}
	ev := newEvent(typ)
	if err := json.Unmarshal(data, ev); err != nil {
		return nil, fmt.Errorf("managedagents: decoding %s event: %w", typ, err)
	}
	if ev.EventType() != string(typ) {
		// A second or differently cased "type" key: keep the one dispatched on.
		ev.setType(string(typ))
	}
	ev.setRaw(data)
	return ev, nil
}

// decodable is what DecodeEvent fills.
type decodable interface {
	Event
	setRaw(json.RawMessage)
	setType(string)
}

// newEvent returns a new, empty event of the concrete type for typ.
func newEvent(typ []byte) decodable {
	switch string(typ) {
	case TypeUserMessage:
		return new(UserMessageEvent)
	case TypeUserInterrupt:
		return new(UserInterruptEvent)
	case TypeUserToolConfirmation:
		return new(UserToolConfirmationEvent)
	case TypeUserCustomToolResult:
		return new(UserCustomToolResultEvent)
	case TypeUserToolResult:
		return new(UserToolResultEvent)
	case TypeUserDefineOutcome:
		return new(UserDefineOutcomeEvent)
	case TypeSystemMessage:
		return new(SystemMessageEvent)
	case TypeAgentMessage:
		return new(AgentMessageEvent)
	case TypeAgentThinking:
		return new(AgentThinkingEvent)
	case TypeAgentToolUse:
		return new(AgentToolUseEvent)
	case TypeAgentToolResult:
		return new(AgentToolResultEvent)
	case TypeAgentMCPToolUse:
		return new(AgentMCPToolUseEvent)
	case TypeAgentMCPToolResult:
		return new(AgentMCPToolResultEvent)
	case TypeAgentCustomToolUse:
		return new(AgentCustomToolUseEvent)
	case TypeAgentThreadContextCompacted:
		return new(AgentThreadContextCompactedEvent)
	case TypeAgentThreadMessageSent:
		return new(AgentThreadMessageSentEvent)
	case TypeAgentThreadMessageReceived:
		return new(AgentThreadMessageReceivedEvent)
	case TypeSessionStatusRunning:
		return new(SessionStatusRunningEvent)
	case TypeSessionStatusIdle:
		return new(SessionStatusIdleEvent)
	case TypeSessionStatusRescheduled:
		return new(SessionStatusRescheduledEvent)
	case TypeSessionStatusTerminated:
		return new(SessionStatusTerminatedEvent)
	case TypeSessionError:
		return new(SessionErrorEvent)
	case TypeSessionUpdated:
		return new(SessionUpdatedEvent)
	case TypeSessionUsage:
		return new(SessionUsageEvent)
	case TypeSessionDeleted:
		return new(SessionDeletedEvent)
	case TypeSessionThreadCreated:
		return new(SessionThreadCreatedEvent)
	case TypeSessionThreadStatusRunning:
		return new(SessionThreadStatusRunningEvent)
	case TypeSessionThreadStatusIdle:
		return new(SessionThreadStatusIdleEvent)
	case TypeSessionThreadStatusRescheduled:
		return new(SessionThreadStatusRescheduledEvent)
	case TypeSessionThreadStatusTerminated:
		return new(SessionThreadStatusTerminatedEvent)
	case TypeSpanModelRequestStart:
		return new(SpanModelRequestStartEvent)
	case TypeSpanModelRequestEnd:
		return new(SpanModelRequestEndEvent)
	case TypeSpanOutcomeEvaluationStart:
		return new(SpanOutcomeEvaluationStartEvent)
	case TypeSpanOutcomeEvaluationOngoing:
		return new(SpanOutcomeEvaluationOngoingEvent)
	case TypeSpanOutcomeEvaluationEnd:
		return new(SpanOutcomeEvaluationEndEvent)
	case TypeWorkflowRunCreated:
		return new(WorkflowRunCreatedEvent)
	case TypeWorkflowRunStatusRunning:
		return new(WorkflowRunStatusRunningEvent)
	case TypeWorkflowRunStatusIdle:
		return new(WorkflowRunStatusIdleEvent)
	case TypeWorkflowRunStatusEnded:
		return new(WorkflowRunStatusEndedEvent)
	case TypeWorkflowRunError:
		return new(WorkflowRunErrorEvent)
	case TypeWorkflowRunPhaseStarted:
		return new(WorkflowRunPhaseStartedEvent)
	case TypeWorkflowRunPhaseEnded:
		return new(WorkflowRunPhaseEndedEvent)
	case TypeEventStart:
		return new(EventStartEvent)
	case TypeEventDelta:
		return new(EventDeltaEvent)
	}
	return new(UnknownEvent)
}
