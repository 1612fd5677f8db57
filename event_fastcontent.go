package managedagents

import "encoding/json"

// This file is the fast path of DecodeEvent for events with content. Decoding
// ContentBlocks through its UnmarshalJSON costs encoding/json a scan of the
// whole content just to find where it ends, then the blocks are scanned and
// decoded again: on a stream of tool results, the largest cost of decoding.
// Here the event is decoded in one pass into a wrapper whose content field, a
// plain slice of {type, text} structs, shadows the event's own (encoding/json
// prefers the shallower of two fields with one name); the text blocks are then
// built from it. Content holding any block other than text (or anything
// unexpected) is decoded again the general way, so the fast path never changes
// a result for content the API sends. One difference remains, on input no
// server sends: the fast path reads a block's "type" key as encoding/json
// reads keys (case-insensitively, the last one wins) where the general path
// takes the first key spelled exactly "type"; the two can differ only on a
// block with a second "type" key or a differently cased one ("Type").

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

// decodeContentFast decodes data into ev when ev is an event with content and
// that content is text blocks only, and reports whether it did. When it did
// not, ev may be partly filled: the caller decodes data into a fresh event.
func decodeContentFast(data []byte, ev decodable) (ok bool) {
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
		return false
	}
	if json.Unmarshal(data, wire) != nil {
		return false
	}
	blocks := *content
	if len(blocks) == 0 {
		return true // nil, as the general path leaves [] and null
	}
	out := make(ContentBlocks, len(blocks))
	texts := make([]TextBlock, len(blocks)) // one allocation for all blocks
	for i := range blocks {
		if blocks[i].Type != BlockTypeText {
			return false
		}
		texts[i].Text = blocks[i].Text
		out[i] = &texts[i]
	}
	*dst = out
	return true
}
