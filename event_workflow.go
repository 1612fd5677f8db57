package managedagents

// WorkflowRunPhase is one phase of a workflow run.
type WorkflowRunPhase struct {
	// ID is the phase's id.
	ID string `json:"id"`
	// Name is the phase's name.
	Name string `json:"name"`
	// Description describes the phase.
	Description string `json:"description"`
}

// WorkflowRunCreatedEvent (workflow_run.created) says a workflow run started.
type WorkflowRunCreatedEvent struct {
	EventMeta
	// WorkflowRunID is the run.
	WorkflowRunID string `json:"workflow_run_id"`
	// Name is the workflow's name.
	Name string `json:"name"`
	// Description describes the workflow; empty if none.
	Description string `json:"description,omitempty"`
	// Phases are the run's phases.
	Phases []WorkflowRunPhase `json:"phases"`
}

func (*WorkflowRunCreatedEvent) isEvent() {}

// WorkflowRunStatusRunningEvent (workflow_run.status_running) says a run is
// working.
type WorkflowRunStatusRunningEvent struct {
	EventMeta
	// WorkflowRunID is the run.
	WorkflowRunID string `json:"workflow_run_id"`
}

func (*WorkflowRunStatusRunningEvent) isEvent() {}

// WorkflowRunStatusIdleEvent (workflow_run.status_idle) says a run is waiting.
type WorkflowRunStatusIdleEvent struct {
	EventMeta
	// WorkflowRunID is the run.
	WorkflowRunID string `json:"workflow_run_id"`
}

func (*WorkflowRunStatusIdleEvent) isEvent() {}

// Workflow run result types.
const (
	WorkflowRunCompleted = "completed"
	WorkflowRunStopped   = "stopped"
	WorkflowRunFailed    = "error"
)

// WorkflowRunResult is how a run ended: {"type":"completed"}, {"type":"stopped"}
// or {"type":"error","error":…}.
type WorkflowRunResult struct {
	// Type is "completed", "stopped" or "error".
	Type string `json:"type"`
	// Error is the error (type "error" only).
	Error *WorkflowRunError `json:"error,omitempty"`
}

// Workflow run error types.
const (
	WorkflowErrorTimeout         = "timeout_error"
	WorkflowErrorProgram         = "program_error"
	WorkflowErrorUnknown         = "unknown_error"
	WorkflowErrorThreadLimit     = "thread_limit_error"
	WorkflowErrorMaxWorkflowRuns = "max_workflow_runs_error"
)

// WorkflowRunError is an error of a workflow run (no retry status).
type WorkflowRunError struct {
	// Type is one of the WorkflowError… constants, or a newer type.
	Type string `json:"type"`
	// Message describes the error.
	Message string `json:"message"`
}

// WorkflowRunStatusEndedEvent (workflow_run.status_ended) says a run ended.
type WorkflowRunStatusEndedEvent struct {
	EventMeta
	// WorkflowRunID is the run.
	WorkflowRunID string `json:"workflow_run_id"`
	// Result is how it ended.
	Result WorkflowRunResult `json:"result"`
}

func (*WorkflowRunStatusEndedEvent) isEvent() {}

// WorkflowRunErrorEvent (workflow_run.error) reports an error of a run.
type WorkflowRunErrorEvent struct {
	EventMeta
	// WorkflowRunID is the run; empty if not known.
	WorkflowRunID string `json:"workflow_run_id,omitempty"`
	// Error is the error.
	Error WorkflowRunError `json:"error"`
}

func (*WorkflowRunErrorEvent) isEvent() {}

// WorkflowRunPhaseStartedEvent (workflow_run.phase_started) says a phase began.
type WorkflowRunPhaseStartedEvent struct {
	EventMeta
	// WorkflowRunID is the run.
	WorkflowRunID string `json:"workflow_run_id"`
	// WorkflowRunPhaseID is the phase.
	WorkflowRunPhaseID string `json:"workflow_run_phase_id"`
}

func (*WorkflowRunPhaseStartedEvent) isEvent() {}

// WorkflowRunPhaseEndedEvent (workflow_run.phase_ended) says a phase ended.
type WorkflowRunPhaseEndedEvent struct {
	EventMeta
	// WorkflowRunID is the run.
	WorkflowRunID string `json:"workflow_run_id"`
	// WorkflowRunPhaseID is the phase.
	WorkflowRunPhaseID string `json:"workflow_run_phase_id"`
	// PhaseStartedID is the id of the workflow_run.phase_started event.
	PhaseStartedID string `json:"phase_started_id"`
}

func (*WorkflowRunPhaseEndedEvent) isEvent() {}
