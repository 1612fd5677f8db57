package managedagents

import (
	"slices"
	"strings"
)

// DefaultMaxPreviews is the number of open previews an [Accumulator] keeps when
// NewAccumulator is given 0.
const DefaultMaxPreviews = 16

// maxPreviewBlocks bounds the content index of a delta; a larger index is ignored.
const maxPreviewBlocks = 256

// PreviewUpdate is what an event changed in the text of a previewed message; see
// [Accumulator.Add].
type PreviewUpdate struct {
	// ID is the id of the previewed (and, once Done, buffered) event.
	ID string
	// EventType is the previewed event's type: EventTypeAgentMessage or
	// EventTypeAgentThinking.
	EventType EventType
	// Text is the whole text so far; once Final, the buffered event's text.
	Text string
	// Appended is the text this event added at the end of what was shown: print it
	// to show the text as it arrives.
	Appended string
	// Started reports that this event opened the preview (an event_start).
	Started bool
	// Done reports that the preview is closed: by its buffered event (Final) or
	// by the end of its model request (not Final: the text is partial).
	Done bool
	// Final reports that Text is the buffered event's, authoritative text.
	Final bool
	// Replaced reports that the buffered event's text does not continue what the
	// preview showed: discard the shown text and show Text (Appended is then the
	// whole Text too).
	Replaced bool
}

// preview is the state of one open preview.
type preview struct {
	typ    EventType
	blocks [][]byte // text per content index
}

func (p *preview) text() string {
	if len(p.blocks) == 1 {
		return string(p.blocks[0])
	}
	n := 0
	for _, b := range p.blocks {
		n += len(b)
	}
	buf := make([]byte, 0, n)
	for _, b := range p.blocks {
		buf = append(buf, b...)
	}
	return string(buf)
}

// Accumulator folds the stream-only previews (event_start, event_delta) into text
// per previewed event, so a UI can print an agent.message as it is generated:
//
//	acc := managedagents.NewAccumulator(0)
//	for ev, err := range stream.All() {
//		...
//		if u, ok := acc.Add(ev); ok && u.EventType == managedagents.EventTypeAgentMessage {
//			fmt.Print(u.Appended)
//			if u.Done {
//				fmt.Println()
//			}
//		}
//	}
//
// Deltas accumulate by (event id, content index): a new index starts a new block,
// the same index appends. The buffered agent.message closes its preview and is
// authoritative; an agent.message that had no preview (deltas off, or after a
// reconnect) comes out whole. span.model_request_end drops the previews its
// request left unfinished. At most a fixed number of previews are kept open; the
// oldest is evicted. Call [Accumulator.Reset] when the stream reconnects: a new
// connection never resumes deltas.
//
// An Accumulator is not safe for concurrent use.
type Accumulator struct {
	max   int
	open  map[string]*preview
	order []string // open ids, oldest first
}

// NewAccumulator returns an Accumulator keeping at most maxOpen previews open;
// 0 or less means [DefaultMaxPreviews].
func NewAccumulator(maxOpen int) *Accumulator {
	if maxOpen <= 0 {
		maxOpen = DefaultMaxPreviews
	}
	return &Accumulator{max: maxOpen, open: make(map[string]*preview)}
}

// Reset drops every open preview. Call it when the stream reconnects.
func (a *Accumulator) Reset() {
	clear(a.open)
	a.order = a.order[:0]
}

// Len returns the number of open previews.
func (a *Accumulator) Len() int { return len(a.open) }

// Text returns the text so far of the open preview of event id, and whether such
// a preview is open.
func (a *Accumulator) Text(id string) (string, bool) {
	p, ok := a.open[id]
	if !ok {
		return "", false
	}
	return p.text(), true
}

// Add folds ev in. It reports ok for an event that concerned a preview or an
// agent.message: an event_start opening a preview (Started), an event_delta
// adding text to an open preview, the buffered event closing a preview or an
// agent.message without one (Done, Final), and a span.model_request_end dropping
// an unfinished preview (Done, not Final; when several are dropped, the update
// is the newest's). Other events, and deltas of unknown previews, give ok false.
func (a *Accumulator) Add(ev Event) (PreviewUpdate, bool) {
	if a.open == nil {
		a.open = make(map[string]*preview)
	}
	if a.max <= 0 {
		a.max = DefaultMaxPreviews
	}
	switch e := ev.(type) {
	case *EventStartEvent:
		if e == nil || e.Preview.ID == "" {
			return PreviewUpdate{}, false
		}
		id := e.Preview.ID
		if _, ok := a.open[id]; ok {
			return PreviewUpdate{}, false // at most one event_start per id
		}
		for len(a.order) >= a.max {
			delete(a.open, a.order[0])
			a.order = slices.Delete(a.order, 0, 1)
		}
		a.open[id] = &preview{typ: e.Preview.Type}
		a.order = append(a.order, id)
		return PreviewUpdate{ID: id, EventType: e.Preview.Type, Started: true}, true
	case *EventDeltaEvent:
		if e == nil {
			return PreviewUpdate{}, false
		}
		p, ok := a.open[e.PreviewID]
		idx := e.Delta.Index
		if !ok || idx < 0 || idx >= maxPreviewBlocks {
			return PreviewUpdate{}, false
		}
		for len(p.blocks) <= idx {
			p.blocks = append(p.blocks, nil)
		}
		frag := e.Text()
		p.blocks[idx] = append(p.blocks[idx], frag...)
		return PreviewUpdate{ID: e.PreviewID, EventType: p.typ, Text: p.text(), Appended: frag}, frag != ""
	case *AgentMessageEvent:
		if e == nil {
			return PreviewUpdate{}, false
		}
		return a.finish(e.ID, EventTypeAgentMessage, e.Text(), true), true
	case *SpanModelRequestEndEvent:
		if len(a.order) == 0 {
			return PreviewUpdate{}, false
		}
		newest := a.order[len(a.order)-1]
		p := a.open[newest]
		u := PreviewUpdate{ID: newest, EventType: p.typ, Text: p.text(), Done: true}
		a.Reset()
		return u, true
	case nil:
		return PreviewUpdate{}, false
	}
	// Any other buffered event closes its own preview (e.g. agent.thinking).
	if id := ev.EventID(); id != "" {
		if _, ok := a.open[id]; ok {
			return a.finish(id, ev.EventType(), "", false), true
		}
	}
	return PreviewUpdate{}, false
}

// finish closes the preview of id, if open, with the buffered event's text. text
// is authoritative only when hasText (agent.message); otherwise the preview's text
// is kept.
func (a *Accumulator) finish(id string, typ EventType, text string, hasText bool) PreviewUpdate {
	u := PreviewUpdate{ID: id, EventType: typ, Text: text, Appended: text, Done: true, Final: true}
	p, ok := a.open[id]
	if !ok {
		return u
	}
	delete(a.open, id)
	if i := slices.Index(a.order, id); i >= 0 {
		a.order = slices.Delete(a.order, i, i+1)
	}
	shown := p.text()
	if !hasText {
		u.Text, u.Appended = shown, ""
		return u
	}
	if rest, ok := strings.CutPrefix(text, shown); ok {
		u.Appended = rest
	} else {
		u.Replaced = true
	}
	return u
}
