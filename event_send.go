package managedagents

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/option"
)

// EventParam is an event to send with [SessionEventService.Send] (or as an
// initial event of a new session). It is a sealed interface: build one with
// [NewUserMessage], [NewUserMessageBlocks], [NewUserInterrupt],
// [NewUserInterruptThread], [NewUserToolConfirmationAllow],
// [NewUserToolConfirmationDeny], [NewUserCustomToolResult],
// [NewUserToolResult], [NewUserDefineOutcome] or [NewSystemMessage], or as a
// literal of the *…Param types. Each marshals to its wire form, "type"
// included, with json.Marshal.
type EventParam interface {
	// EventType returns the type of the event sent, e.g. EventTypeUserMessage.
	EventType() EventType
	// validate checks the event; field names it in errors (e.g. "events[0]").
	validate(field string) error
}

// UserMessageParam is a user.message to send.
type UserMessageParam struct {
	// Content holds text, image, document and redacted blocks; at least one.
	Content ContentBlocks `json:"content"`
}

// NewUserMessage returns a user.message holding text.
func NewUserMessage(text string) *UserMessageParam {
	return &UserMessageParam{Content: ContentBlocks{NewTextBlock(text)}}
}

// NewUserMessageBlocks returns a user.message holding blocks (text, image,
// document, redacted).
func NewUserMessageBlocks(blocks ...ContentBlock) *UserMessageParam {
	return &UserMessageParam{Content: ContentBlocks(blocks)}
}

// EventType returns "user.message".
func (*UserMessageParam) EventType() EventType { return EventTypeUserMessage }

// MarshalJSON encodes the event with its "type".
func (p UserMessageParam) MarshalJSON() ([]byte, error) {
	type plain UserMessageParam
	return marshalWithType(string(EventTypeUserMessage), plain(p))
}

func (p *UserMessageParam) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	return validateBlocks(field+".content", p.Content, true, userMessageBlocks)
}

// UserInterruptParam is a user.interrupt to send: it stops the agent and jumps
// the queue.
type UserInterruptParam struct {
	// SessionThreadID is the thread to interrupt; empty means every non-archived
	// thread.
	SessionThreadID string `json:"session_thread_id,omitempty"`
}

// NewUserInterrupt returns a user.interrupt for every thread.
func NewUserInterrupt() *UserInterruptParam { return &UserInterruptParam{} }

// NewUserInterruptThread returns a user.interrupt for one thread.
func NewUserInterruptThread(threadID string) *UserInterruptParam {
	return &UserInterruptParam{SessionThreadID: threadID}
}

// EventType returns "user.interrupt".
func (*UserInterruptParam) EventType() EventType { return EventTypeUserInterrupt }

// MarshalJSON encodes the event with its "type".
func (p UserInterruptParam) MarshalJSON() ([]byte, error) {
	type plain UserInterruptParam
	return marshalWithType(string(EventTypeUserInterrupt), plain(p))
}

func (p *UserInterruptParam) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if p.SessionThreadID != "" {
		return checkID(field+".session_thread_id", p.SessionThreadID)
	}
	return nil
}

// UserToolConfirmationParam is a user.tool_confirmation to send: it allows or
// denies a tool call whose evaluated permission was "ask".
type UserToolConfirmationParam struct {
	// ToolUseID is the id of the agent.tool_use or agent.mcp_tool_use event.
	ToolUseID string `json:"tool_use_id"`
	// Result is "allow" or "deny".
	Result ToolConfirmationResult `json:"result"`
	// DenyMessage tells the agent why (deny only).
	DenyMessage string `json:"deny_message,omitempty"`
}

// NewUserToolConfirmationAllow returns a user.tool_confirmation allowing the
// call toolUseID.
func NewUserToolConfirmationAllow(toolUseID string) *UserToolConfirmationParam {
	return &UserToolConfirmationParam{ToolUseID: toolUseID, Result: ToolConfirmationAllow}
}

// NewUserToolConfirmationDeny returns a user.tool_confirmation denying the call
// toolUseID, telling the agent message (may be empty).
func NewUserToolConfirmationDeny(toolUseID, message string) *UserToolConfirmationParam {
	return &UserToolConfirmationParam{ToolUseID: toolUseID, Result: ToolConfirmationDeny, DenyMessage: message}
}

// EventType returns "user.tool_confirmation".
func (*UserToolConfirmationParam) EventType() EventType { return EventTypeUserToolConfirmation }

// MarshalJSON encodes the event with its "type".
func (p UserToolConfirmationParam) MarshalJSON() ([]byte, error) {
	type plain UserToolConfirmationParam
	return marshalWithType(string(EventTypeUserToolConfirmation), plain(p))
}

func (p *UserToolConfirmationParam) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if err := checkID(field+".tool_use_id", p.ToolUseID); err != nil {
		return err
	}
	switch p.Result {
	case ToolConfirmationAllow:
		if p.DenyMessage != "" {
			return invalid(field+".deny_message", `is allowed only with result "deny"`)
		}
	case ToolConfirmationDeny:
	default:
		return invalid(field+".result", `must be "allow" or "deny", not `+strconv.Quote(string(p.Result)))
	}
	return nil
}

// UserCustomToolResultParam is a user.custom_tool_result to send: the result of
// an agent.custom_tool_use.
type UserCustomToolResultParam struct {
	// CustomToolUseID is the id of the agent.custom_tool_use event.
	CustomToolUseID string `json:"custom_tool_use_id"`
	// Content holds text, image, document and search_result blocks.
	Content ContentBlocks `json:"content,omitempty"`
	// IsError reports that the tool failed. It is always sent, false
	// included, as the official runner sends it.
	IsError bool `json:"is_error"`
}

// NewUserCustomToolResult returns a user.custom_tool_result answering
// customToolUseID with content.
func NewUserCustomToolResult(customToolUseID string, content ...ContentBlock) *UserCustomToolResultParam {
	return &UserCustomToolResultParam{CustomToolUseID: customToolUseID, Content: ContentBlocks(content)}
}

// AsError marks the result as a failure and returns p.
func (p *UserCustomToolResultParam) AsError() *UserCustomToolResultParam {
	if p != nil {
		p.IsError = true
	}
	return p
}

// EventType returns "user.custom_tool_result".
func (*UserCustomToolResultParam) EventType() EventType { return EventTypeUserCustomToolResult }

// MarshalJSON encodes the event with its "type".
func (p UserCustomToolResultParam) MarshalJSON() ([]byte, error) {
	type plain UserCustomToolResultParam
	return marshalWithType(string(EventTypeUserCustomToolResult), plain(p))
}

func (p *UserCustomToolResultParam) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if err := checkID(field+".custom_tool_use_id", p.CustomToolUseID); err != nil {
		return err
	}
	return validateBlocks(field+".content", p.Content, false, toolResultBlocks)
}

// UserToolResultParam is a user.tool_result to send: the result of a built-in
// tool run by the client (self-hosted environments only).
type UserToolResultParam struct {
	// ToolUseID is the id of the agent.tool_use event.
	ToolUseID string `json:"tool_use_id"`
	// Content holds text, image, document and search_result blocks.
	Content ContentBlocks `json:"content,omitempty"`
	// IsError reports that the tool failed. It is always sent, false
	// included, as the official runner sends it.
	IsError bool `json:"is_error"`
}

// NewUserToolResult returns a user.tool_result answering toolUseID with
// content.
func NewUserToolResult(toolUseID string, content ...ContentBlock) *UserToolResultParam {
	return &UserToolResultParam{ToolUseID: toolUseID, Content: ContentBlocks(content)}
}

// AsError marks the result as a failure and returns p.
func (p *UserToolResultParam) AsError() *UserToolResultParam {
	if p != nil {
		p.IsError = true
	}
	return p
}

// EventType returns "user.tool_result".
func (*UserToolResultParam) EventType() EventType { return EventTypeUserToolResult }

// MarshalJSON encodes the event with its "type".
func (p UserToolResultParam) MarshalJSON() ([]byte, error) {
	type plain UserToolResultParam
	return marshalWithType(string(EventTypeUserToolResult), plain(p))
}

func (p *UserToolResultParam) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if err := checkID(field+".tool_use_id", p.ToolUseID); err != nil {
		return err
	}
	return validateBlocks(field+".content", p.Content, false, toolResultBlocks)
}

// Limits of user.define_outcome.
const (
	maxOutcomeIterations = 20
	maxRubricChars       = 262144
)

// UserDefineOutcomeParam is a user.define_outcome to send: a goal the agent works
// toward, graded against a rubric.
type UserDefineOutcomeParam struct {
	// Description says what the outcome is. Required.
	Description string `json:"description"`
	// Rubric is how the outcome is graded: [NewRubricText] or [NewRubricFile].
	// Required.
	Rubric Rubric `json:"rubric"`
	// MaxIterations is the most grading rounds, 1 to 20; 0 means the API's
	// default (3).
	MaxIterations int `json:"max_iterations,omitempty"`
}

// NewUserDefineOutcome returns a user.define_outcome.
func NewUserDefineOutcome(description string, rubric Rubric) *UserDefineOutcomeParam {
	return &UserDefineOutcomeParam{Description: description, Rubric: rubric}
}

// EventType returns "user.define_outcome".
func (*UserDefineOutcomeParam) EventType() EventType { return EventTypeUserDefineOutcome }

// MarshalJSON encodes the event with its "type".
func (p UserDefineOutcomeParam) MarshalJSON() ([]byte, error) {
	type plain UserDefineOutcomeParam
	return marshalWithType(string(EventTypeUserDefineOutcome), plain(p))
}

func (p *UserDefineOutcomeParam) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if p.Description == "" {
		return invalid(field+".description", "must not be empty")
	}
	switch p.Rubric.Type {
	case "":
		return invalid(field+".rubric", "is required (use NewRubricText or NewRubricFile)")
	case RubricTypeText:
		if p.Rubric.Content == "" {
			return invalid(field+".rubric.content", "must not be empty")
		}
		if utf8.RuneCountInString(p.Rubric.Content) > maxRubricChars {
			return invalid(field+".rubric.content", "must be at most "+strconv.Itoa(maxRubricChars)+" characters")
		}
		if p.Rubric.FileID != "" {
			return invalid(field+".rubric.file_id", `is allowed only with type "file"`)
		}
	case RubricTypeFile:
		if err := checkID(field+".rubric.file_id", p.Rubric.FileID); err != nil {
			return err
		}
		if p.Rubric.Content != "" {
			return invalid(field+".rubric.content", `is allowed only with type "text"`)
		}
	default:
		return invalid(field+".rubric.type", `must be "text" or "file", not `+strconv.Quote(p.Rubric.Type))
	}
	if p.MaxIterations < 0 || p.MaxIterations > maxOutcomeIterations {
		return invalid(field+".max_iterations", "must be between 1 and "+strconv.Itoa(maxOutcomeIterations))
	}
	return nil
}

// maxSystemBlocks is the most blocks of a system.message.
const maxSystemBlocks = 1000

// SystemMessageParam is a system.message to send: system-level context appended
// to the conversation. At most one per request, and it must be the last event,
// right after the user.message, user.tool_result or user.custom_tool_result it
// accompanies; only some models accept it.
type SystemMessageParam struct {
	// Content holds 1 to 1000 text blocks.
	Content []TextBlock `json:"content"`
}

// NewSystemMessage returns a system.message holding text.
func NewSystemMessage(text string) *SystemMessageParam {
	return &SystemMessageParam{Content: []TextBlock{{Text: text}}}
}

// EventType returns "system.message".
func (*SystemMessageParam) EventType() EventType { return EventTypeSystemMessage }

// MarshalJSON encodes the event with its "type".
func (p SystemMessageParam) MarshalJSON() ([]byte, error) {
	type plain SystemMessageParam
	return marshalWithType(string(EventTypeSystemMessage), plain(p))
}

func (p *SystemMessageParam) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if len(p.Content) == 0 {
		return invalid(field+".content", "must not be empty")
	}
	if len(p.Content) > maxSystemBlocks {
		return invalid(field+".content", "must hold at most "+strconv.Itoa(maxSystemBlocks)+" blocks")
	}
	for i, b := range p.Content {
		if b.Text == "" {
			return invalid(fmt.Sprintf("%s.content[%d].text", field, i), "must not be empty")
		}
	}
	return nil
}

// blockRule says which blocks an event's content accepts.
type blockRule int

const (
	userMessageBlocks blockRule = iota // text, image, document, redacted
	toolResultBlocks                   // text, image, document, search_result
)

// validateBlocks checks content: required means it must not be empty.
func validateBlocks(field string, blocks ContentBlocks, required bool, rule blockRule) error {
	if required && len(blocks) == 0 {
		return invalid(field, "must not be empty")
	}
	for i, b := range blocks {
		f := field + "[" + strconv.Itoa(i) + "]"
		switch b := b.(type) {
		case nil:
			return invalid(f, "must not be nil")
		case *TextBlock:
			if b == nil {
				return invalid(f, "must not be nil")
			}
			if b.Text == "" {
				return invalid(f+".text", "must not be empty")
			}
		case *ImageBlock:
			if b == nil {
				return invalid(f, "must not be nil")
			}
			if err := validateSource(f+".source", b.Source, true); err != nil {
				return err
			}
		case *DocumentBlock:
			if b == nil {
				return invalid(f, "must not be nil")
			}
			if err := validateSource(f+".source", b.Source, false); err != nil {
				return err
			}
		case *RedactedBlock:
			if b == nil {
				return invalid(f, "must not be nil")
			}
			if rule != userMessageBlocks {
				return invalid(f, "a redacted block is allowed only in a user.message")
			}
		case *SearchResultBlock:
			if b == nil {
				return invalid(f, "must not be nil")
			}
			if rule != toolResultBlocks {
				return invalid(f, "a search_result block is allowed only in tool results")
			}
			if b.Source == "" {
				return invalid(f+".source", "must not be empty")
			}
			if b.Title == "" {
				return invalid(f+".title", "must not be empty")
			}
			for j, t := range b.Content {
				if t.Text == "" {
					return invalid(fmt.Sprintf("%s.content[%d].text", f, j), "must not be empty")
				}
			}
		case *UnknownBlock:
			if b == nil {
				return invalid(f, "must not be nil")
			}
			if !json.Valid(b.Raw) {
				return invalid(f, "raw JSON of the unknown block is not valid JSON")
			}
		default:
			return invalid(f, "unsupported block type "+strconv.Quote(b.BlockType()))
		}
	}
	return nil
}

// imageMediaTypes are the media types an image source accepts.
var imageMediaTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// validateSource checks the source of an image (image true) or a document.
func validateSource(field string, src BlockSource, image bool) error {
	switch s := src.(type) {
	case nil:
		return invalid(field, "is required")
	case *Base64Source:
		if s == nil {
			return invalid(field, "is required")
		}
		switch {
		case image && !imageMediaTypes[s.MediaType]:
			return invalid(field+".media_type", "must be image/png, image/jpeg, image/gif or image/webp, not "+strconv.Quote(s.MediaType))
		case !image && s.MediaType != "application/pdf":
			return invalid(field+".media_type", "must be application/pdf, not "+strconv.Quote(s.MediaType))
		case s.Data == "":
			return invalid(field+".data", "must not be empty")
		}
	case *PlainTextSource:
		if s == nil {
			return invalid(field, "is required")
		}
		if image {
			return invalid(field, "a text source is allowed only for documents")
		}
		if s.MediaType != "" && s.MediaType != "text/plain" {
			return invalid(field+".media_type", "must be text/plain, not "+strconv.Quote(s.MediaType))
		}
		if s.Data == "" {
			return invalid(field+".data", "must not be empty")
		}
	case *URLSource:
		if s == nil {
			return invalid(field, "is required")
		}
		if s.URL == "" {
			return invalid(field+".url", "must not be empty")
		}
	case *FileSource:
		if s == nil {
			return invalid(field, "is required")
		}
		return checkID(field+".file_id", s.FileID)
	case *UnknownSource:
		if s == nil {
			return invalid(field, "is required")
		}
		if !json.Valid(s.Raw) {
			return invalid(field, "raw JSON of the unknown source is not valid JSON")
		}
	default:
		return invalid(field, "unsupported source type "+strconv.Quote(src.SourceType()))
	}
	return nil
}

// validateEvents checks the events of one send request; field is the JSON name of
// the list ("events", or "initial_events" for a new session).
func validateEvents(field string, events []EventParam) error {
	if len(events) == 0 {
		return invalid(field, "must not be empty")
	}
	systemAt := -1
	for i, ev := range events {
		f := field + "[" + strconv.Itoa(i) + "]"
		if ev == nil {
			return invalid(f, "must not be nil")
		}
		if err := ev.validate(f); err != nil {
			return err
		}
		if _, ok := ev.(*SystemMessageParam); ok {
			if systemAt >= 0 {
				return invalid(f, "at most one system.message is allowed per request")
			}
			systemAt = i
		}
	}
	if systemAt >= 0 && systemAt != len(events)-1 {
		return invalid(field+"["+strconv.Itoa(systemAt)+"]", "a system.message must be the last event of the request")
	}
	if systemAt >= 0 {
		var prev EventParam
		if systemAt > 0 {
			prev = events[systemAt-1]
		}
		switch prev.(type) {
		case *UserMessageParam, *UserToolResultParam, *UserCustomToolResultParam:
		default:
			return invalid(field+"["+strconv.Itoa(systemAt)+"]", "a system.message must directly follow the user.message, user.tool_result or user.custom_tool_result it accompanies")
		}
	}
	return nil
}

// SessionEventSendParams is the body of POST /v1/sessions/{session_id}/events.
type SessionEventSendParams struct {
	// Events are the events to send, in order: at least one. At most one
	// system.message, which must be the last and directly follow the
	// user.message, user.tool_result or user.custom_tool_result it accompanies.
	Events []EventParam `json:"events"`
}

// SessionEventSendResult is the answer of POST /v1/sessions/{session_id}/events.
type SessionEventSendResult struct {
	// Data holds the events sent, in order, as the server echoed them: with
	// their ids, and a processed_at unless they were queued behind earlier work.
	Data []Event
}

// Send sends events to a session, in order, and returns them as the server
// echoed them, with their ids. Events are queued and processed in order (a
// user.interrupt jumps the queue); they may be sent while the session runs or
// idles. The events are checked before sending (a *ValidationError names the
// field, e.g. "events[0].content"). A send is never repeated: when it fails after
// it was sent, it may or may not have taken effect.
//
// POST /v1/sessions/{session_id}/events
func (s *SessionEventService) Send(ctx context.Context, sessionID string, params SessionEventSendParams, opts ...option.RequestOption) (*SessionEventSendResult, error) {
	if err := validateEvents("events", params.Events); err != nil {
		return nil, err
	}
	return doWith(ctx, s.client, sessionsEventsSend.At(sessionID).WithBody(params), opts, decodeSentEvents)
}

// decodeSentEvents decodes the answer of an event send, {"data":[events]}.
func decodeSentEvents(data []byte) (*SessionEventSendResult, error) {
	var out struct {
		Data json.RawMessage `json:"data"`
	}
	if err := jsonInto(&out)(data); err != nil {
		return nil, err
	}
	evs, err := decodeEvents(out.Data)
	if err != nil {
		return nil, err
	}
	return &SessionEventSendResult{Data: evs}, nil
}

// decodeEvents decodes a JSON array of events with DecodeEvent. A JSON null or
// absent array gives no events.
func decodeEvents(data []byte) ([]Event, error) {
	if len(data) == 0 {
		return nil, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, err
	}
	var out []Event
	for _, raw := range raws {
		ev, err := DecodeEvent(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}
