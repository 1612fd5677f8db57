package managedagents

import (
	"encoding/json"
	"time"
)

// PreviewEvent is one of the stream-only preview events, [*EventStartEvent] and
// [*EventDeltaEvent], sent on streams opened with event_deltas. Previews have no
// id or processed_at of their own (EventID returns ""; never dedupe them by id):
// PreviewedEventID is the id of the buffered event they preview. Feed them to an
// [Accumulator] to get the text as it arrives.
type PreviewEvent interface {
	Event
	// PreviewedEventID returns the id of the event previewed.
	PreviewedEventID() string
}

// EventPreview names the event an event_start previews.
type EventPreview struct {
	// Type is the previewed event's type: EventTypeAgentMessage or
	// EventTypeAgentThinking.
	Type EventType `json:"type"`
	// ID is the previewed event's id; the buffered event will have the same.
	ID string `json:"id"`
}

// EventStartEvent (event_start, stream only) opens the preview of an event. For
// agent.message, event_delta events with its text follow, then the buffered
// agent.message; agent.thinking previews have no deltas.
type EventStartEvent struct {
	// Type is EventTypeEventStart.
	Type EventType `json:"type"`
	// Preview is the event previewed.
	Preview EventPreview `json:"event"`

	raw json.RawMessage
}

func (*EventStartEvent) isEvent() {}

// EventID returns "": previews have no id of their own.
func (*EventStartEvent) EventID() string { return "" }

// EventType returns EventTypeEventStart.
func (e *EventStartEvent) EventType() EventType { return e.Type }

// EventProcessedAt returns the zero time: previews are never processed.
func (*EventStartEvent) EventProcessedAt() time.Time { return time.Time{} }

// RawJSON returns the event exactly as received.
func (e *EventStartEvent) RawJSON() json.RawMessage { return e.raw }

func (e *EventStartEvent) setRaw(b json.RawMessage) { e.raw = b }

// PreviewedEventID returns the id of the event previewed.
func (e *EventStartEvent) PreviewedEventID() string { return e.Preview.ID }

// PreviewedType returns the type of the event previewed.
func (e *EventStartEvent) PreviewedType() EventType { return e.Preview.Type }

// Delta types.
const DeltaTypeContent = "content_delta"

// EventDelta is one fragment of a preview: {"type":"content_delta","index",
// "content"}. Fragments with the same Index append to the same content block.
type EventDelta struct {
	// Type is "content_delta".
	Type string `json:"type"`
	// Index is the content block the fragment belongs to (default 0).
	Index int `json:"index"`
	// Content is the fragment; nil when the delta has none (it still occupies its
	// index).
	Content *DeltaContent `json:"content,omitempty"`
}

// DeltaContent is the content of a delta: {"type":"text","text"}.
type DeltaContent struct {
	// Type is "text".
	Type string `json:"type"`
	// Text is the text to append.
	Text string `json:"text"`
}

// EventDeltaEvent (event_delta, stream only) is a fragment of a previewed event.
// Deltas are best effort: they may stop early, and the buffered event is
// authoritative.
type EventDeltaEvent struct {
	// Type is EventTypeEventDelta.
	Type EventType `json:"type"`
	// PreviewID is the id of the event previewed (the JSON "event_id").
	PreviewID string `json:"event_id"`
	// Delta is the fragment.
	Delta EventDelta `json:"delta"`

	raw json.RawMessage
}

func (*EventDeltaEvent) isEvent() {}

// EventID returns "": previews have no id of their own.
func (*EventDeltaEvent) EventID() string { return "" }

// EventType returns EventTypeEventDelta.
func (e *EventDeltaEvent) EventType() EventType { return e.Type }

// EventProcessedAt returns the zero time: previews are never processed.
func (*EventDeltaEvent) EventProcessedAt() time.Time { return time.Time{} }

// RawJSON returns the event exactly as received.
func (e *EventDeltaEvent) RawJSON() json.RawMessage { return e.raw }

func (e *EventDeltaEvent) setRaw(b json.RawMessage) { e.raw = b }

// PreviewedEventID returns the id of the event previewed.
func (e *EventDeltaEvent) PreviewedEventID() string { return e.PreviewID }

// Text returns the text the delta appends: its content's text when the content is
// text, else "".
func (e *EventDeltaEvent) Text() string {
	if c := e.Delta.Content; c != nil && (c.Type == BlockTypeText || c.Type == "") {
		return c.Text
	}
	return ""
}
