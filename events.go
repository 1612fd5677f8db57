package managedagents

import (
	"encoding/json"
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

// Event types the stream itself depends on. The full catalog follows the same shape.
const (
	TypeSessionStatusTerminated = "session.status_terminated"
	TypeSessionDeleted          = "session.deleted"
	TypeEventStart              = "event_start"
	TypeEventDelta              = "event_delta"
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
func DecodeEvent(data []byte) (Event, error) {
	var probe struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("managedagents: decoding event: %w", err)
	}
	var ev interface {
		Event
		setRaw(json.RawMessage)
	}
	switch probe.Type {
	case TypeSessionStatusTerminated:
		ev = new(SessionStatusTerminatedEvent)
	case TypeSessionDeleted:
		ev = new(SessionDeletedEvent)
	default:
		ev = new(UnknownEvent)
	}
	if err := json.Unmarshal(data, ev); err != nil {
		return nil, fmt.Errorf("managedagents: decoding %s event: %w", probe.Type, err)
	}
	ev.setRaw(data)
	return ev, nil
}
