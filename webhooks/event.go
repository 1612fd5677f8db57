package webhooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event is one webhook delivery, decoded. It is a sealed interface: the
// concrete types are the *…Event structs of this package, one per webhook
// event type, and [*UnknownEvent] for a type this package does not know. Use a
// type switch:
//
//	switch e := ev.(type) {
//	case *webhooks.SessionStatusIdledEvent:
//		session, err := client.Sessions.Get(ctx, e.Data.ID, managedagents.SessionGetParams{})
//		...
//	case *webhooks.SessionThreadIdledEvent:
//		thread, err := client.Sessions.Threads.Get(ctx, e.Data.ID, e.Data.SessionThreadID, managedagents.SessionThreadGetParams{})
//		...
//	}
//
// Webhook event types are not session event types: a session that goes idle
// streams session.status_idle but is announced by the webhook
// session.status_idled ([TypeSessionStatusIdled]).
type Event interface {
	// EventID returns the envelope's unique event id (whe_…). The same event
	// delivered again keeps it.
	EventID() string
	// EventType returns the event type, the body's data.type, e.g.
	// "session.status_idled" (the envelope's own "type" is always "event").
	EventType() string
	// EventCreatedAt returns when the event happened.
	EventCreatedAt() time.Time
	// RawJSON returns the whole body exactly as received.
	RawJSON() json.RawMessage
	// object names the object the event is about; it also seals the interface.
	object() (Object, bool)
}

// EventMeta holds the envelope of a delivery. Each event struct embeds it.
type EventMeta struct {
	// ID is the event's unique id (whe_…), kept by redeliveries.
	ID string `json:"id"`
	// Type is the event type, the body's data.type. DecodeEvent sets it; set
	// it yourself when you build an event by hand in a test.
	Type string `json:"-"`
	// CreatedAt is when the event happened.
	CreatedAt time.Time `json:"created_at,omitzero"`

	raw json.RawMessage
}

// EventID implements Event.
func (m *EventMeta) EventID() string { return m.ID }

// EventType implements Event.
func (m *EventMeta) EventType() string { return m.Type }

// EventCreatedAt implements Event.
func (m *EventMeta) EventCreatedAt() time.Time { return m.CreatedAt }

// RawJSON implements Event.
func (m *EventMeta) RawJSON() json.RawMessage { return m.raw }

func (m *EventMeta) setMeta(typ string, raw json.RawMessage) { m.Type, m.raw = typ, raw }

// UnknownEvent is an event whose type this package does not know, such as a
// type added to the API later or an endpoint's test event. It is not an error:
// answer it with a 2xx like any other, or a sender would retry it in vain.
type UnknownEvent struct {
	EventMeta
	// Data is the body's data object as received.
	Data json.RawMessage `json:"data"`
}

func (*UnknownEvent) object() (Object, bool) { return Object{}, false }

// DecodeEvent decodes a delivery's body into its event. The concrete type is
// chosen by data.type; an unknown type gives *UnknownEvent, not an error. The
// event keeps body as its raw JSON (body must not be changed afterwards).
//
// Malformed JSON, a body that is not an object, a body without a data object
// and a data object without a string "type" are errors. DecodeEvent does not
// verify anything: decode only bodies that [Verifier.Verify] accepted.
func DecodeEvent(body []byte) (Event, error) {
	var probe struct {
		Data *struct {
			Type *string `json:"type"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, fmt.Errorf("webhooks: decoding event: %w", err)
	}
	if probe.Data == nil {
		return nil, errors.New(`webhooks: decoding event: no "data" object`)
	}
	if probe.Data.Type == nil {
		return nil, errors.New(`webhooks: decoding event: no string "data.type"`)
	}
	typ := *probe.Data.Type
	ev := newEvent(typ)
	if err := json.Unmarshal(body, ev); err != nil {
		return nil, fmt.Errorf("webhooks: decoding %s event: %w", typ, err)
	}
	ev.setMeta(typ, body)
	return ev, nil
}

// decodable is what DecodeEvent fills.
type decodable interface {
	Event
	setMeta(typ string, raw json.RawMessage)
}

// newEvent returns a new, empty event of the concrete type for typ.
func newEvent(typ string) decodable {
	if newFn, ok := eventTypes[typ]; ok {
		return newFn()
	}
	return new(UnknownEvent)
}
