package managedagents

// This file holds the events a client sends (user.* and system.message) as they
// come back in lists and streams. The types to send them are in event_send.go.

// UserMessageEvent (user.message) is a user turn.
type UserMessageEvent struct {
	EventMeta
	// Content holds text, image, document and redacted blocks.
	Content ContentBlocks `json:"content"`
}

func (*UserMessageEvent) isEvent() {}

// Text returns the text of the message's text blocks, concatenated.
func (e *UserMessageEvent) Text() string { return e.Content.Text() }

// UserInterruptEvent (user.interrupt) stops the agent; it jumps the queue. Its ID
// may be empty (a known quirk of the API).
type UserInterruptEvent struct {
	EventMeta
	// SessionThreadID is the thread interrupted; empty means every non-archived
	// thread.
	SessionThreadID string `json:"session_thread_id,omitempty"`
}

func (*UserInterruptEvent) isEvent() {}

// ToolConfirmationResult is the answer to a held tool call: "allow" or "deny".
type ToolConfirmationResult string

// Tool confirmation results.
const (
	ToolConfirmationAllow ToolConfirmationResult = "allow"
	ToolConfirmationDeny  ToolConfirmationResult = "deny"
)

// UserToolConfirmationEvent (user.tool_confirmation) allows or denies a tool
// call that waited for confirmation.
type UserToolConfirmationEvent struct {
	EventMeta
	// ToolUseID is the id of the agent.tool_use or agent.mcp_tool_use event.
	ToolUseID string `json:"tool_use_id"`
	// Result is "allow" or "deny".
	Result ToolConfirmationResult `json:"result"`
	// DenyMessage tells the agent why the call was denied; empty if none.
	DenyMessage string `json:"deny_message,omitempty"`
	// SessionThreadID is set by the server when the answer was routed to a child
	// thread.
	SessionThreadID string `json:"session_thread_id,omitempty"`
}

func (*UserToolConfirmationEvent) isEvent() {}

// UserCustomToolResultEvent (user.custom_tool_result) is the result of a custom
// tool call.
type UserCustomToolResultEvent struct {
	EventMeta
	// CustomToolUseID is the id of the agent.custom_tool_use event answered.
	CustomToolUseID string `json:"custom_tool_use_id"`
	// Content holds text, image, document and search_result blocks.
	Content ContentBlocks `json:"content,omitempty"`
	// IsError reports that the tool failed.
	IsError bool `json:"is_error,omitempty"`
	// SessionThreadID is the thread of the call, when routed to a child thread.
	SessionThreadID string `json:"session_thread_id,omitempty"`
}

func (*UserCustomToolResultEvent) isEvent() {}

// UserToolResultEvent (user.tool_result) is the result of a built-in tool run by
// the client (self-hosted environments only).
type UserToolResultEvent struct {
	EventMeta
	// ToolUseID is the id of the agent.tool_use event answered.
	ToolUseID string `json:"tool_use_id"`
	// Content holds text, image, document and search_result blocks.
	Content ContentBlocks `json:"content,omitempty"`
	// IsError reports that the tool failed.
	IsError bool `json:"is_error,omitempty"`
	// SessionThreadID is the thread of the call, when routed to a child thread.
	SessionThreadID string `json:"session_thread_id,omitempty"`
}

func (*UserToolResultEvent) isEvent() {}

// Rubric type strings.
const (
	RubricTypeText = "text"
	RubricTypeFile = "file"
)

// Rubric is how an outcome is graded: inline text ({"type":"text","content"}) or
// a file uploaded with the Files API ({"type":"file","file_id"}). Build one with
// [NewRubricText] or [NewRubricFile].
type Rubric struct {
	// Type is "text" or "file".
	Type string `json:"type"`
	// Content is the rubric text (type "text"; at most 262,144 characters).
	Content string `json:"content,omitempty"`
	// FileID is the rubric file (type "file").
	FileID string `json:"file_id,omitempty"`
}

// NewRubricText returns an inline rubric.
func NewRubricText(content string) Rubric { return Rubric{Type: RubricTypeText, Content: content} }

// NewRubricFile returns a rubric read from an uploaded file.
func NewRubricFile(fileID string) Rubric { return Rubric{Type: RubricTypeFile, FileID: fileID} }

// UserDefineOutcomeEvent (user.define_outcome) sets a goal graded against a
// rubric.
type UserDefineOutcomeEvent struct {
	EventMeta
	// OutcomeID is the outcome's id (outc_…), made by the server.
	OutcomeID string `json:"outcome_id"`
	// Description says what the outcome is.
	Description string `json:"description"`
	// Rubric is how the outcome is graded.
	Rubric Rubric `json:"rubric"`
	// MaxIterations is the most grading rounds (default 3, at most 20).
	MaxIterations int `json:"max_iterations"`
}

func (*UserDefineOutcomeEvent) isEvent() {}

// SystemMessageEvent (system.message) appends system-level context to the
// conversation.
type SystemMessageEvent struct {
	EventMeta
	// Content holds text blocks.
	Content ContentBlocks `json:"content"`
}

func (*SystemMessageEvent) isEvent() {}

// Text returns the text of the message, concatenated.
func (e *SystemMessageEvent) Text() string { return e.Content.Text() }
