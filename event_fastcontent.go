package managedagents

import "encoding/json"

// This file is the fast path of DecodeEvent. The general decoder,
// decodeEventPlain, reads the JSON twice (once for the type, once into the
// event), and decoding ContentBlocks through its UnmarshalJSON costs
// encoding/json a scan of the whole content just to find where it ends before
// the blocks are decoded again: on a stream of tool results, the largest cost.
// The fast path guesses the type with a scan of the keys up to "type"
// (scanType), decodes the event once, and decodes content that holds only text
// blocks in the same pass, into a wrapper whose content field, a plain slice of
// {type, text} structs, shadows the event's own (encoding/json prefers the
// shallower of two fields with one name).
//
// It never decides alone. Its event is kept only when encoding/json read the
// same type it guessed (so the concrete type is the one decodeEventPlain picks)
// and, for content, when the object has one member that fills the content
// field (so no earlier copy of it, which the general path would also decode,
// was skipped) and every block is text. Anything else, including every error,
// goes to decodeEventPlain, so DecodeEvent gives exactly what it gives:
// FuzzDecodeEventFastMatchesPlain checks that on any input.

// decodeEventFast decodes data when it can vouch that the result is
// decodeEventPlain's, and returns nil otherwise.
func decodeEventFast(data []byte) Event {
	typ, ok := scanType(data)
	if !ok || len(typ) == 0 {
		return nil
	}
	ev := newEvent(EventType(typ))
	switch decodeContentFast(data, ev) {
	case noContent:
		if json.Unmarshal(data, ev) != nil {
			return nil
		}
	case otherContent:
		return nil
	}
	if string(ev.EventType()) != string(typ) {
		return nil // a second, or differently cased, "type" key
	}
	ev.setRaw(data)
	return ev
}

// wireBlock is a content block as the fast path reads it.
type wireBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// Wrappers: the event, with its content read as wire blocks.
type (
	agentMessageWire struct {
		*AgentMessageEvent
		Content []wireBlock `json:"content"`
	}
	agentToolResultWire struct {
		*AgentToolResultEvent
		Content []wireBlock `json:"content"`
	}
	agentMCPToolResultWire struct {
		*AgentMCPToolResultEvent
		Content []wireBlock `json:"content"`
	}
	agentThreadMessageSentWire struct {
		*AgentThreadMessageSentEvent
		Content []wireBlock `json:"content"`
	}
	agentThreadMessageReceivedWire struct {
		*AgentThreadMessageReceivedEvent
		Content []wireBlock `json:"content"`
	}
	userMessageWire struct {
		*UserMessageEvent
		Content []wireBlock `json:"content"`
	}
	userCustomToolResultWire struct {
		*UserCustomToolResultEvent
		Content []wireBlock `json:"content"`
	}
	userToolResultWire struct {
		*UserToolResultEvent
		Content []wireBlock `json:"content"`
	}
	systemMessageWire struct {
		*SystemMessageEvent
		Content []wireBlock `json:"content"`
	}
)

// contentPath says what decodeContentFast did.
type contentPath int

const (
	noContent    contentPath = iota // ev has no content field: nothing done
	textContent                     // ev was decoded, its content text blocks only
	otherContent                    // ev has content the fast path does not vouch for
)

// decodeContentFast decodes data into ev when ev is an event with content and
// that content is text blocks only (textContent). For an event without
// content it does nothing (noContent); otherwise ev may be partly filled and
// must be dropped (otherContent).
func decodeContentFast(data []byte, ev decodable) contentPath {
	var wire any
	var content *[]wireBlock
	var dst *ContentBlocks
	switch e := ev.(type) {
	case *AgentMessageEvent:
		w := &agentMessageWire{AgentMessageEvent: e}
		wire, content, dst = w, &w.Content, &e.Content
	case *AgentToolResultEvent:
		w := &agentToolResultWire{AgentToolResultEvent: e}
		wire, content, dst = w, &w.Content, &e.Content
	case *AgentMCPToolResultEvent:
		w := &agentMCPToolResultWire{AgentMCPToolResultEvent: e}
		wire, content, dst = w, &w.Content, &e.Content
	case *AgentThreadMessageSentEvent:
		w := &agentThreadMessageSentWire{AgentThreadMessageSentEvent: e}
		wire, content, dst = w, &w.Content, &e.Content
	case *AgentThreadMessageReceivedEvent:
		w := &agentThreadMessageReceivedWire{AgentThreadMessageReceivedEvent: e}
		wire, content, dst = w, &w.Content, &e.Content
	case *UserMessageEvent:
		w := &userMessageWire{UserMessageEvent: e}
		wire, content, dst = w, &w.Content, &e.Content
	case *UserCustomToolResultEvent:
		w := &userCustomToolResultWire{UserCustomToolResultEvent: e}
		wire, content, dst = w, &w.Content, &e.Content
	case *UserToolResultEvent:
		w := &userToolResultWire{UserToolResultEvent: e}
		wire, content, dst = w, &w.Content, &e.Content
	case *SystemMessageEvent:
		w := &systemMessageWire{SystemMessageEvent: e}
		wire, content, dst = w, &w.Content, &e.Content
	default:
		return noContent
	}
	if countKey(data, "content") > 1 || json.Unmarshal(data, wire) != nil {
		return otherContent
	}
	blocks := *content
	if len(blocks) == 0 {
		return textContent // nil, as the general path leaves [] and null
	}
	out := make(ContentBlocks, len(blocks))
	texts := make([]TextBlock, len(blocks)) // one allocation for all blocks
	for i := range blocks {
		if blocks[i].Type != BlockTypeText {
			return otherContent
		}
		texts[i].Text = blocks[i].Text
		out[i] = &texts[i]
	}
	*dst = out
	return textContent
}
