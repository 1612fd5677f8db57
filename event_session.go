package managedagents

import (
	"encoding/json"
)

// SessionStatusRunningEvent (session.status_running) says the agent is working.
type SessionStatusRunningEvent struct{ EventMeta }

func (*SessionStatusRunningEvent) isEvent() {}

// SessionStatusIdleEvent (session.status_idle) says the agent stopped: the turn
// ended, or it waits for answers (StopReason.Type "requires_action").
type SessionStatusIdleEvent struct {
	EventMeta
	// StopReason says why the agent stopped.
	StopReason StopReason `json:"stop_reason"`
	// StopDetails explains a refusal; nil otherwise.
	StopDetails *StopDetails `json:"stop_details,omitempty"`
}

func (*SessionStatusIdleEvent) isEvent() {}

// SessionStatusRescheduledEvent (session.status_rescheduled) says the session is
// recovering from a transient error (status "rescheduling") and will resume.
type SessionStatusRescheduledEvent struct{ EventMeta }

func (*SessionStatusRescheduledEvent) isEvent() {}

// StopReasonType is the type of a [StopReason]. A value not listed here is a
// reason this SDK does not know yet; treat it as the end of the turn.
type StopReasonType string

// Stop reasons.
const (
	// StopReasonEndTurn: the turn finished (also after an interrupt).
	StopReasonEndTurn StopReasonType = "end_turn"
	// StopReasonRequiresAction: the agent waits for the tool confirmations and
	// custom tool results listed in EventIDs.
	StopReasonRequiresAction StopReasonType = "requires_action"
	// StopReasonRetriesExhausted: repeated errors used up the retry budget.
	StopReasonRetriesExhausted StopReasonType = "retries_exhausted"
	// StopReasonBudgetReached: the session's budget was reached; raise or remove it
	// to resume.
	StopReasonBudgetReached StopReasonType = "budget_reached"
	// StopReasonRefusal: the model refused; see StopDetails.
	StopReasonRefusal StopReasonType = "refusal"
)

// StopReason says why a session or thread went idle.
type StopReason struct {
	// Type is the reason.
	Type StopReasonType `json:"type"`
	// EventIDs are the tool-use events to answer (requires_action only).
	EventIDs []string `json:"event_ids,omitempty"`
}

// RequiresAction reports whether the agent waits for answers to EventIDs: the
// turn is not over.
func (r StopReason) RequiresAction() bool { return r.Type == StopReasonRequiresAction }

// Known reports whether Type is one of the reasons this SDK knows.
func (r StopReason) Known() bool {
	switch r.Type {
	case StopReasonEndTurn, StopReasonRequiresAction, StopReasonRetriesExhausted, StopReasonBudgetReached, StopReasonRefusal:
		return true
	}
	return false
}

// RefusalCategory is the category of a refusal.
type RefusalCategory string

// Refusal categories.
const (
	RefusalCyber               RefusalCategory = "cyber"
	RefusalBio                 RefusalCategory = "bio"
	RefusalFrontierLLM         RefusalCategory = "frontier_llm"
	RefusalReasoningExtraction RefusalCategory = "reasoning_extraction"
	RefusalGeneralHarms        RefusalCategory = "general_harms"
)

// StopDetails explains a stop: {"type":"refusal","category","explanation"}.
type StopDetails struct {
	// Type is "refusal".
	Type string `json:"type"`
	// Category is the refusal's category; empty if not given.
	Category RefusalCategory `json:"category,omitempty"`
	// Explanation explains the refusal; empty if not given.
	Explanation string `json:"explanation,omitempty"`
}

// SessionErrorEvent (session.error) reports an error; Error.RetryStatus says
// whether the server retries, gave up on the turn, or ends the session.
type SessionErrorEvent struct {
	EventMeta
	// Error is the error.
	Error SessionError `json:"error"`
}

func (*SessionErrorEvent) isEvent() {}

// SessionErrorType is the type of a [SessionError]. Match unknown types on the
// error's RetryStatus.
type SessionErrorType string

// Session error types.
const (
	SessionErrorUnknown                   SessionErrorType = "unknown_error"
	SessionErrorModelOverloaded           SessionErrorType = "model_overloaded_error"
	SessionErrorModelRateLimited          SessionErrorType = "model_rate_limited_error"
	SessionErrorModelRequestFailed        SessionErrorType = "model_request_failed_error"
	SessionErrorMCPConnectionFailed       SessionErrorType = "mcp_connection_failed_error"
	SessionErrorMCPAuthenticationFailed   SessionErrorType = "mcp_authentication_failed_error"
	SessionErrorBilling                   SessionErrorType = "billing_error"
	SessionErrorCredentialHostUnreachable SessionErrorType = "credential_host_unreachable_error"
	SessionErrorToolUseLimitReached       SessionErrorType = "tool_use_limit_reached_error"
	SessionErrorCompactionLimitReached    SessionErrorType = "compaction_limit_reached_error"
	SessionErrorRepositoryAuthentication  SessionErrorType = "repository_authentication_error"
	SessionErrorRepositoryForbidden       SessionErrorType = "repository_forbidden_error"
	SessionErrorRepositoryNotFound        SessionErrorType = "repository_not_found_error"
	SessionErrorRepositoryCheckout        SessionErrorType = "repository_checkout_error"
	SessionErrorRepositoryClone           SessionErrorType = "repository_clone_error"
)

// SessionError is the error of a session.error event. It implements error.
type SessionError struct {
	// Type is the error's type.
	Type SessionErrorType `json:"type"`
	// Message describes the error.
	Message string `json:"message"`
	// RetryStatus says what happens next.
	RetryStatus RetryStatus `json:"retry_status"`
	// MCPServerName is the MCP server (mcp_* errors).
	MCPServerName string `json:"mcp_server_name,omitempty"`
	// CredentialID is the credential (credential_host_unreachable_error).
	CredentialID string `json:"credential_id,omitempty"`
	// VaultID is the credential's vault (credential_host_unreachable_error).
	VaultID string `json:"vault_id,omitempty"`
	// RepositoryURL is the repository (repository_* errors); may be empty.
	RepositoryURL string `json:"repository_url,omitempty"`
}

// Error returns the type and message.
func (e SessionError) Error() string {
	return errPrefix + "session error " + string(e.Type) + ": " + e.Message
}

// Retrying reports whether the server retries on its own: wait.
func (e SessionError) Retrying() bool { return e.RetryStatus.Retrying() }

// IsTerminal reports whether the session will end (become terminated).
func (e SessionError) IsTerminal() bool { return e.RetryStatus.IsTerminal() }

// RetryStatusType is the type of a [RetryStatus].
type RetryStatusType string

// Retry statuses.
const (
	// RetryStatusRetrying: the server retries; wait.
	RetryStatusRetrying RetryStatusType = "retrying"
	// RetryStatusExhausted: the turn is dead and queued inputs were flushed; the
	// session is back to idle and may be prompted again.
	RetryStatusExhausted RetryStatusType = "exhausted"
	// RetryStatusTerminal: the session will become terminated.
	RetryStatusTerminal RetryStatusType = "terminal"
)

// RetryStatus says what follows a session error.
type RetryStatus struct {
	// Type is "retrying", "exhausted" or "terminal".
	Type RetryStatusType `json:"type"`
}

// Retrying reports whether the server retries on its own.
func (r RetryStatus) Retrying() bool { return r.Type == RetryStatusRetrying }

// Exhausted reports whether the turn was given up; the session may be prompted
// again.
func (r RetryStatus) Exhausted() bool { return r.Type == RetryStatusExhausted }

// IsTerminal reports whether the session will end.
func (r RetryStatus) IsTerminal() bool { return r.Type == RetryStatusTerminal }

// Change is a field of [SessionUpdatedEvent] that is present only when the update
// changed it. Set reports whether it was present; Value is the new value, the
// zero value when the field was null (removed).
type Change[T any] struct {
	// Set reports whether the field was present.
	Set bool
	// Value is the new value; zero when removed.
	Value T
}

// UnmarshalJSON sets Set, and Value unless data is null.
func (c *Change[T]) UnmarshalJSON(data []byte) error {
	c.Set = true
	var zero T
	c.Value = zero
	if string(data) == "null" {
		return nil
	}
	return json.Unmarshal(data, &c.Value)
}

// MarshalJSON encodes Value.
func (c Change[T]) MarshalJSON() ([]byte, error) { return json.Marshal(c.Value) }

// IsZero reports whether the field was absent, so omitzero drops it.
func (c Change[T]) IsZero() bool { return !c.Set }

// SessionUpdatedEvent (session.updated) follows a session update and carries only
// the fields it changed. The new configuration applies from the next turn.
type SessionUpdatedEvent struct {
	EventMeta
	// Title is the new title, if changed.
	Title Change[string] `json:"title,omitzero"`
	// Metadata is the full metadata after the update; nil when unchanged (or
	// cleared to empty).
	Metadata map[string]string `json:"metadata,omitempty"`
	// Budget is the new budget, if changed; Set with a nil Value means the budget
	// was removed.
	Budget Change[*Budget] `json:"budget,omitzero"`
	// Agent is the session's full agent configuration after the update; nil
	// unless the update changed the agent's tools or MCP servers.
	Agent *SessionAgent `json:"agent,omitempty"`
}

func (*SessionUpdatedEvent) isEvent() {}

// SessionUsageEvent (session.usage) is a snapshot of the session's cumulative
// usage and list cost.
type SessionUsageEvent struct {
	EventMeta
	// Usage is the cumulative usage.
	Usage SessionUsage `json:"usage"`
	// Budget is the session's budget at the time; nil when it has none.
	Budget *Budget `json:"budget,omitempty"`
}

func (*SessionUsageEvent) isEvent() {}

// SessionThreadCreatedEvent (session.thread_created) says a child thread was
// spawned.
type SessionThreadCreatedEvent struct {
	EventMeta
	// SessionThreadID is the new thread (sthr_…).
	SessionThreadID string `json:"session_thread_id"`
	// AgentName is the thread's agent.
	AgentName string `json:"agent_name"`
	// WorkflowRunID is the workflow run that made it, if any.
	WorkflowRunID string `json:"workflow_run_id,omitempty"`
}

func (*SessionThreadCreatedEvent) isEvent() {}

// SessionThreadStatusRunningEvent (session.thread_status_running) says a thread
// is working.
type SessionThreadStatusRunningEvent struct {
	EventMeta
	// SessionThreadID is the thread.
	SessionThreadID string `json:"session_thread_id"`
	// AgentName is the thread's agent.
	AgentName string `json:"agent_name"`
}

func (*SessionThreadStatusRunningEvent) isEvent() {}

// SessionThreadStatusIdleEvent (session.thread_status_idle) says a thread
// stopped.
type SessionThreadStatusIdleEvent struct {
	EventMeta
	// SessionThreadID is the thread.
	SessionThreadID string `json:"session_thread_id"`
	// AgentName is the thread's agent.
	AgentName string `json:"agent_name"`
	// StopReason says why the thread stopped.
	StopReason StopReason `json:"stop_reason"`
	// StopDetails explains a refusal; nil otherwise.
	StopDetails *StopDetails `json:"stop_details,omitempty"`
}

func (*SessionThreadStatusIdleEvent) isEvent() {}

// SessionThreadStatusRescheduledEvent (session.thread_status_rescheduled) says a
// thread is recovering from a transient error.
type SessionThreadStatusRescheduledEvent struct {
	EventMeta
	// SessionThreadID is the thread.
	SessionThreadID string `json:"session_thread_id"`
	// AgentName is the thread's agent.
	AgentName string `json:"agent_name"`
}

func (*SessionThreadStatusRescheduledEvent) isEvent() {}

// SessionThreadStatusTerminatedEvent (session.thread_status_terminated) says a
// thread ended for good.
type SessionThreadStatusTerminatedEvent struct {
	EventMeta
	// SessionThreadID is the thread.
	SessionThreadID string `json:"session_thread_id"`
	// AgentName is the thread's agent.
	AgentName string `json:"agent_name"`
}

func (*SessionThreadStatusTerminatedEvent) isEvent() {}
