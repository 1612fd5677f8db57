package managedagents

import "encoding/json"

// AgentMessageEvent (agent.message) is assistant text.
type AgentMessageEvent struct {
	EventMeta
	// Content holds text and redacted blocks.
	Content ContentBlocks `json:"content"`
}

func (*AgentMessageEvent) isEvent() {}

// Text returns the text of the message's text blocks, concatenated.
func (e *AgentMessageEvent) Text() string { return e.Content.Text() }

// AgentThinkingEvent (agent.thinking) says the agent is thinking. It carries no
// content.
type AgentThinkingEvent struct{ EventMeta }

func (*AgentThinkingEvent) isEvent() {}

// EvaluatedPermission is the permission a tool call got: "allow", "ask" (wait for
// a user.tool_confirmation) or "deny".
type EvaluatedPermission string

// Evaluated permissions.
const (
	EvaluatedPermissionAllow EvaluatedPermission = "allow"
	EvaluatedPermissionAsk   EvaluatedPermission = "ask"
	EvaluatedPermissionDeny  EvaluatedPermission = "deny"
)

// Tool evaluation type strings.
const (
	ToolEvaluationAlwaysAllow = "always_allow"
	ToolEvaluationAlwaysAsk   = "always_ask"
	ToolEvaluationAuto        = "auto"
)

// ToolEvaluation says how the permission policy decided on a tool call.
type ToolEvaluation struct {
	// Type is "always_allow", "always_ask" or "auto".
	Type string `json:"type"`
	// EvaluatedPermission is the automatic decision (type "auto" only).
	EvaluatedPermission *AutoPermission `json:"evaluated_permission,omitempty"`
}

// AutoPermission is an automatic permission decision.
type AutoPermission struct {
	// Type is "allow", "ask" or "deny".
	Type EvaluatedPermission `json:"type"`
	// ReasonCode explains "ask" and "deny", e.g. "indeterminate" or "high_risk"
	// (an open set).
	ReasonCode string `json:"reason_code,omitempty"`
}

// AgentToolUseEvent (agent.tool_use) is a call of a built-in tool. When
// EvaluatedPermission is "ask", answer it with [NewUserToolConfirmationAllow]
// or [NewUserToolConfirmationDeny].
type AgentToolUseEvent struct {
	EventMeta
	// Name is the tool's name, e.g. "bash".
	Name string `json:"name"`
	// Input is the tool's input, a JSON object; decode it with json.Unmarshal.
	Input json.RawMessage `json:"input"`
	// EvaluatedPermission is "allow", "ask" or "deny"; empty if not reported.
	EvaluatedPermission EvaluatedPermission `json:"evaluated_permission,omitempty"`
	// Evaluation says how the permission was decided; nil when the server refused
	// the call before any policy applied.
	Evaluation *ToolEvaluation `json:"evaluation,omitempty"`
	// SessionThreadID is the child thread of the call, when cross-posted.
	SessionThreadID string `json:"session_thread_id,omitempty"`
}

func (*AgentToolUseEvent) isEvent() {}

// AgentToolResultEvent (agent.tool_result) is the result of a built-in tool.
type AgentToolResultEvent struct {
	EventMeta
	// ToolUseID is the id of the agent.tool_use event.
	ToolUseID string `json:"tool_use_id"`
	// Content holds text, image, document and search_result blocks.
	Content ContentBlocks `json:"content,omitempty"`
	// IsError reports that the tool failed.
	IsError bool `json:"is_error,omitempty"`
}

func (*AgentToolResultEvent) isEvent() {}

// AgentMCPToolUseEvent (agent.mcp_tool_use) is a call of an MCP server's tool.
type AgentMCPToolUseEvent struct {
	EventMeta
	// MCPServerName is the server's name.
	MCPServerName string `json:"mcp_server_name"`
	// Name is the tool's name.
	Name string `json:"name"`
	// Input is the tool's input, a JSON object.
	Input json.RawMessage `json:"input"`
	// EvaluatedPermission is "allow", "ask" or "deny"; empty if not reported.
	EvaluatedPermission EvaluatedPermission `json:"evaluated_permission,omitempty"`
	// Evaluation says how the permission was decided, if reported.
	Evaluation *ToolEvaluation `json:"evaluation,omitempty"`
	// SessionThreadID is the child thread of the call, when cross-posted.
	SessionThreadID string `json:"session_thread_id,omitempty"`
}

func (*AgentMCPToolUseEvent) isEvent() {}

// AgentMCPToolResultEvent (agent.mcp_tool_result) is the result of an MCP tool.
type AgentMCPToolResultEvent struct {
	EventMeta
	// MCPToolUseID is the id of the agent.mcp_tool_use event.
	MCPToolUseID string `json:"mcp_tool_use_id"`
	// Content holds the result's blocks.
	Content ContentBlocks `json:"content,omitempty"`
	// IsError reports that the tool failed.
	IsError bool `json:"is_error,omitempty"`
}

func (*AgentMCPToolResultEvent) isEvent() {}

// AgentCustomToolUseEvent (agent.custom_tool_use) is a call of a custom tool:
// answer it with [CustomToolResult].
type AgentCustomToolUseEvent struct {
	EventMeta
	// Name is the tool's name.
	Name string `json:"name"`
	// Input is the tool's input, a JSON object.
	Input json.RawMessage `json:"input"`
	// SessionThreadID is the child thread of the call, when cross-posted.
	SessionThreadID string `json:"session_thread_id,omitempty"`
}

func (*AgentCustomToolUseEvent) isEvent() {}

// AgentThreadContextCompactedEvent (agent.thread_context_compacted) says the
// thread's history was summarized.
type AgentThreadContextCompactedEvent struct{ EventMeta }

func (*AgentThreadContextCompactedEvent) isEvent() {}

// AgentThreadMessageSentEvent (agent.thread_message_sent) is a message sent to
// another thread (multiagent).
type AgentThreadMessageSentEvent struct {
	EventMeta
	// ToSessionThreadID is the receiving thread.
	ToSessionThreadID string `json:"to_session_thread_id"`
	// ToAgentName is the receiving agent's name, if known.
	ToAgentName string `json:"to_agent_name,omitempty"`
	// Content is the message.
	Content ContentBlocks `json:"content"`
}

func (*AgentThreadMessageSentEvent) isEvent() {}

// Text returns the text of the message, concatenated.
func (e *AgentThreadMessageSentEvent) Text() string { return e.Content.Text() }

// AgentThreadMessageReceivedEvent (agent.thread_message_received) is a message
// received from another thread (multiagent).
type AgentThreadMessageReceivedEvent struct {
	EventMeta
	// FromSessionThreadID is the sending thread.
	FromSessionThreadID string `json:"from_session_thread_id"`
	// FromAgentName is the sending agent's name, if known.
	FromAgentName string `json:"from_agent_name,omitempty"`
	// Content is the message.
	Content ContentBlocks `json:"content"`
}

func (*AgentThreadMessageReceivedEvent) isEvent() {}

// Text returns the text of the message, concatenated.
func (e *AgentThreadMessageReceivedEvent) Text() string { return e.Content.Text() }
