package managedagents

// SpanModelRequestStartEvent (span.model_request_start) opens a model request.
type SpanModelRequestStartEvent struct{ EventMeta }

func (*SpanModelRequestStartEvent) isEvent() {}

// SpanModelRequestEndEvent (span.model_request_end) closes a model request. It
// also closes any preview the request left unfinished.
type SpanModelRequestEndEvent struct {
	EventMeta
	// ModelRequestStartID is the id of the span.model_request_start event.
	ModelRequestStartID string `json:"model_request_start_id"`
	// IsError reports that the request failed.
	IsError bool `json:"is_error"`
	// ModelUsage is the request's token usage.
	ModelUsage ModelUsage `json:"model_usage"`
}

func (*SpanModelRequestEndEvent) isEvent() {}

// SpanOutcomeEvaluationStartEvent (span.outcome_evaluation_start) opens a grading
// round of an outcome.
type SpanOutcomeEvaluationStartEvent struct {
	EventMeta
	// OutcomeID is the outcome graded (outc_…).
	OutcomeID string `json:"outcome_id"`
	// Iteration is the round, from 0.
	Iteration int `json:"iteration"`
}

func (*SpanOutcomeEvaluationStartEvent) isEvent() {}

// SpanOutcomeEvaluationOngoingEvent (span.outcome_evaluation_ongoing) is a
// heartbeat while an outcome is graded.
type SpanOutcomeEvaluationOngoingEvent struct {
	EventMeta
	// OutcomeID is the outcome graded.
	OutcomeID string `json:"outcome_id"`
	// Iteration is the round, from 0.
	Iteration int `json:"iteration"`
}

func (*SpanOutcomeEvaluationOngoingEvent) isEvent() {}

// Outcome evaluation results of [SpanOutcomeEvaluationEndEvent].
const (
	OutcomeSatisfied            = "satisfied"
	OutcomeNeedsRevision        = "needs_revision"
	OutcomeMaxIterationsReached = "max_iterations_reached"
	OutcomeFailed               = "failed"
	OutcomeInterrupted          = "interrupted"
)

// SpanOutcomeEvaluationEndEvent (span.outcome_evaluation_end) closes a grading
// round.
type SpanOutcomeEvaluationEndEvent struct {
	EventMeta
	// OutcomeEvaluationStartID is the id of the span.outcome_evaluation_start event.
	OutcomeEvaluationStartID string `json:"outcome_evaluation_start_id"`
	// OutcomeID is the outcome graded.
	OutcomeID string `json:"outcome_id"`
	// Iteration is the round, from 0.
	Iteration int `json:"iteration"`
	// Result is "satisfied", "needs_revision", "max_iterations_reached", "failed"
	// or "interrupted" (the Outcome… constants).
	Result string `json:"result"`
	// Explanation explains the result.
	Explanation string `json:"explanation"`
	// Usage is the grader's token usage.
	Usage ModelUsage `json:"usage"`
}

func (*SpanOutcomeEvaluationEndEvent) isEvent() {}
