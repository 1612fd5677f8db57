package managedagents

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// DeploymentRunService reads deployment runs. Get it from
// [Client.DeploymentRuns].
type DeploymentRunService struct{ client *Client }

// TriggerType is what started a deployment run.
type TriggerType string

// Trigger types.
const (
	// TriggerTypeSchedule: the deployment's cron schedule fired.
	TriggerTypeSchedule TriggerType = "schedule"
	// TriggerTypeManual: [DeploymentService.Run].
	TriggerTypeManual TriggerType = "manual"
)

// DeploymentRun is the record of one fire of a deployment
// ("type":"deployment_run"): whether its session was created. Exactly one of
// SessionID (success) and Error (failure) is set; for what the session did
// next, get the session. Runs are never changed or deleted.
type DeploymentRun struct {
	// ObjectMeta holds the id (drun_…), the type ("deployment_run"), CreatedAt
	// (when the record was written) and the raw JSON. A run has no UpdatedAt
	// or ArchivedAt.
	ObjectMeta
	// DeploymentID is the deployment that fired.
	DeploymentID string `json:"deployment_id"`
	// Agent is the agent and version the deployment had when it fired.
	Agent AgentRef `json:"agent"`
	// TriggerContext says what started the run.
	TriggerContext TriggerContext `json:"trigger_context"`
	// SessionID is the session created; empty when the run failed.
	SessionID string `json:"session_id"`
	// Error says why the session was not created; nil when it was.
	Error *DeploymentRunError `json:"error"`
}

// UnmarshalJSON decodes a run and keeps its raw JSON.
func (r *DeploymentRun) UnmarshalJSON(b []byte) error {
	type plain DeploymentRun
	return decodeObject(b, (*plain)(r), &r.ObjectMeta)
}

// Succeeded reports whether the run created its session.
func (r *DeploymentRun) Succeeded() bool { return r.SessionID != "" && r.Error == nil }

// TriggerContext is what started a run: {"type":"schedule","scheduled_at"} or
// {"type":"manual"}.
type TriggerContext struct {
	// Type is TriggerTypeSchedule or TriggerTypeManual.
	Type TriggerType `json:"type"`
	// ScheduledAt is the instant the cron expression matched, before any
	// jitter ("schedule" only). A deployment has at most one run per instant.
	ScheduledAt time.Time `json:"scheduled_at,omitzero"`
}

// DeploymentRunError is why a run created no session.
type DeploymentRunError struct {
	// Type is the error, e.g. DeploymentErrorVaultArchived.
	Type DeploymentErrorType `json:"type"`
	// Message explains it.
	Message string `json:"message"`
}

// DeploymentRunListParams filters GET /v1/deployment_runs.
type DeploymentRunListParams struct {
	// CreatedAtGT, CreatedAtGTE, CreatedAtLT and CreatedAtLTE bound created_at.
	CreatedAtGT, CreatedAtGTE, CreatedAtLT, CreatedAtLTE time.Time
	// DeploymentID keeps the runs of one deployment (an unknown id lists
	// nothing).
	DeploymentID string
	// HasError keeps the failed runs (new(true)) or the successful ones
	// (new(false)); nil keeps both.
	HasError *bool
	// Limit is the page size, at most 1000 (the API's default is 20).
	Limit int
	// Page is a cursor from a previous page's NextPage; an expired one is a
	// 400.
	Page string
	// TriggerType keeps the runs of one trigger.
	TriggerType TriggerType
}

func (p DeploymentRunListParams) values() (url.Values, error) {
	switch p.TriggerType {
	case "", TriggerTypeSchedule, TriggerTypeManual:
	default:
		return nil, invalid("trigger_type", `must be "schedule" or "manual", not `+strconv.Quote(string(p.TriggerType)))
	}
	q, err := pageQuery(p.Limit, maxDeploymentRunsLimit, p.Page)
	if err != nil {
		return nil, err
	}
	q.time("created_at[gt]", p.CreatedAtGT)
	q.time("created_at[gte]", p.CreatedAtGTE)
	q.time("created_at[lt]", p.CreatedAtLT)
	q.time("created_at[lte]", p.CreatedAtLTE)
	q.str("deployment_id", p.DeploymentID)
	if p.HasError != nil {
		url.Values(q).Set("has_error", strconv.FormatBool(*p.HasError))
	}
	q.str("trigger_type", string(p.TriggerType))
	return url.Values(q), nil
}

// DeploymentRunGetParams are the parameters of GET
// /v1/deployment_runs/{deployment_run_id}; it has none yet.
type DeploymentRunGetParams struct{}

// Get returns a deployment run.
//
// GET /v1/deployment_runs/{deployment_run_id}
func (s *DeploymentRunService) Get(ctx context.Context, deploymentRunID string, params DeploymentRunGetParams, opts ...option.RequestOption) (*DeploymentRun, error) {
	if err := checkID("deployment_run_id", deploymentRunID); err != nil {
		return nil, err
	}
	return doJSON[DeploymentRun](ctx, s.client, deploymentRunsRetrieve.At(deploymentRunID), opts)
}

// List returns one page of deployment runs, of every deployment unless
// params.DeploymentID says which.
//
// GET /v1/deployment_runs
func (s *DeploymentRunService) List(ctx context.Context, params DeploymentRunListParams, opts ...option.RequestOption) (*Page[*DeploymentRun], error) {
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return doJSON[Page[*DeploymentRun]](ctx, s.client, deploymentRunsList.At().WithQuery(q), opts)
}

// ListAll iterates over the deployment runs from params.Page on, fetching
// pages lazily, and stops at the first error.
//
// GET /v1/deployment_runs
func (s *DeploymentRunService) ListAll(ctx context.Context, params DeploymentRunListParams, opts ...option.RequestOption) iter.Seq2[*DeploymentRun, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*DeploymentRun], error) {
		p := params
		p.Page = page
		return s.List(ctx, p, opts...)
	})
}
