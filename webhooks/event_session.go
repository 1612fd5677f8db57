package webhooks

// Session events.

// Event types of this file: the data.type of each.
const (
	TypeSessionCreated                = "session.created"
	TypeSessionPending                = "session.pending"
	TypeSessionRunning                = "session.running"
	TypeSessionIdled                  = "session.idled"
	TypeSessionRequiresAction         = "session.requires_action"
	TypeSessionUpdated                = "session.updated"
	TypeSessionArchived               = "session.archived"
	TypeSessionDeleted                = "session.deleted"
	TypeSessionStatusRunStarted       = "session.status_run_started"
	TypeSessionStatusIdled            = "session.status_idled"
	TypeSessionStatusRescheduled      = "session.status_rescheduled"
	TypeSessionStatusTerminated       = "session.status_terminated"
	TypeSessionBudgetReached          = "session.budget_reached"
	TypeSessionOutcomeEvaluationEnded = "session.outcome_evaluation_ended"
	TypeSessionThreadCreated          = "session.thread_created"
	TypeSessionThreadIdled            = "session.thread_idled"
	TypeSessionThreadTerminated       = "session.thread_terminated"
)

// SessionCreatedEvent (session.created) says a session was created.
type SessionCreatedEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionCreatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionPendingEvent (session.pending) says a session is pending (an event the
// official SDK lists; its trigger is not documented).
type SessionPendingEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionPendingEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionRunningEvent (session.running) says a session is running (an event the
// official SDK lists; the documented one is session.status_run_started).
type SessionRunningEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionRunningEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionIdledEvent (session.idled) says a session went idle (an event the
// official SDK lists; the documented one is session.status_idled).
type SessionIdledEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionIdledEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionRequiresActionEvent (session.requires_action) says a session waits for
// the client: list its events for the pending agent.tool_use or
// agent.custom_tool_use (an event the official SDK lists; its trigger is not
// documented).
type SessionRequiresActionEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionRequiresActionEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionUpdatedEvent (session.updated) says a session was updated.
type SessionUpdatedEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionUpdatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionArchivedEvent (session.archived) says a session was archived.
type SessionArchivedEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionArchivedEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionDeletedEvent (session.deleted) says a session was deleted: fetching it
// gives 404.
type SessionDeletedEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionDeletedEvent) object() (Object, bool) { return e.Data.object(true), true }

// SessionStatusRunStartedEvent (session.status_run_started) says a session
// started running; sent on each transition to running. The stream announces it
// as session.status_running.
type SessionStatusRunStartedEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionStatusRunStartedEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionStatusIdledEvent (session.status_idled) says a session went idle, for
// example to wait for a tool confirmation or a new user message; sent each
// time. The stream announces it as session.status_idle.
type SessionStatusIdledEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionStatusIdledEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionStatusRescheduledEvent (session.status_rescheduled) says a session hit
// a transient error and retries by itself.
type SessionStatusRescheduledEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionStatusRescheduledEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionStatusTerminatedEvent (session.status_terminated) says a session ended
// for good: an unrecoverable error, or it was archived.
type SessionStatusTerminatedEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionStatusTerminatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionBudgetReachedEvent (session.budget_reached) says a session reached its
// budget and is paused; sent at most once per budget value (changing the budget
// re-arms it).
type SessionBudgetReachedEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionBudgetReachedEvent) object() (Object, bool) { return e.Data.object(false), true }

// SessionOutcomeEvaluationEndedEvent (session.outcome_evaluation_ended) says
// the outcome evaluation of one iteration finished; the session's events hold
// the result.
type SessionOutcomeEvaluationEndedEvent struct {
	EventMeta
	// Data identifies the session.
	Data SessionData `json:"data"`
}

func (e *SessionOutcomeEvaluationEndedEvent) object() (Object, bool) {
	return e.Data.object(false), true
}

// SessionThreadCreatedEvent (session.thread_created) says a multiagent session
// opened a thread. Data.ID is the session, Data.SessionThreadID the thread.
type SessionThreadCreatedEvent struct {
	EventMeta
	// Data identifies the thread and its session.
	Data SessionThreadData `json:"data"`
}

func (e *SessionThreadCreatedEvent) object() (Object, bool) { return e.Data.object(), true }

// SessionThreadIdledEvent (session.thread_idled) says an agent of a multiagent
// session waits for input on a thread. Data.ID is the session,
// Data.SessionThreadID the thread.
type SessionThreadIdledEvent struct {
	EventMeta
	// Data identifies the thread and its session.
	Data SessionThreadData `json:"data"`
}

func (e *SessionThreadIdledEvent) object() (Object, bool) { return e.Data.object(), true }

// SessionThreadTerminatedEvent (session.thread_terminated) says a thread of a
// multiagent session was archived. Data.ID is the session, Data.SessionThreadID
// the thread.
type SessionThreadTerminatedEvent struct {
	EventMeta
	// Data identifies the thread and its session.
	Data SessionThreadData `json:"data"`
}

func (e *SessionThreadTerminatedEvent) object() (Object, bool) { return e.Data.object(), true }
