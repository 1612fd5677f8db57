package managedagents

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents/internal/cron"
	"github.com/go-managedagents/managedagents/option"
)

// DeploymentService manages deployments. Get it from [Client.Deployments].
type DeploymentService struct{ client *Client }

// DeploymentStatus is the status of a deployment: whether its schedule fires.
type DeploymentStatus string

// Deployment statuses. An archived deployment reports DeploymentStatusActive
// with ArchivedAt set.
const (
	DeploymentStatusActive DeploymentStatus = "active"
	DeploymentStatusPaused DeploymentStatus = "paused"
)

// Deployment is a deployment ("type":"deployment"): an agent version pinned
// with an environment, resources, vaults, initial events, an optional budget and
// an optional cron schedule. Each fire, scheduled or run now, creates one
// session and appends one [DeploymentRun].
type Deployment struct {
	// ObjectMeta holds the id (depl_…), the type ("deployment"), the timestamps
	// and the raw JSON.
	ObjectMeta
	// Name is the deployment's name.
	Name string `json:"name"`
	// Description is empty when unset.
	Description string `json:"description"`
	// Agent is the agent and the concrete version the deployment runs. Pass
	// &d.Agent back in an update to keep it pinned.
	Agent AgentRef `json:"agent"`
	// EnvironmentID is the environment the sessions run in.
	EnvironmentID string `json:"environment_id"`
	// InitialEvents are sent to every session the deployment creates, right
	// after creation: *UserMessageEvent, *UserDefineOutcomeEvent,
	// *SystemMessageEvent, or *UnknownEvent for a type this SDK does not know.
	// They carry no id.
	InitialEvents []Event `json:"-"`
	// Resources are mounted in every session: *GitHubRepositoryResource,
	// *FileResource, *MemoryStoreResource or *UnknownResource, as configured
	// (no id, no timestamps, no repository token).
	Resources SessionResources `json:"resources"`
	// VaultIDs are the vaults supplying credentials to the sessions.
	VaultIDs []string `json:"vault_ids"`
	// Metadata holds the user's key-value pairs.
	Metadata map[string]string `json:"metadata"`
	// Schedule is the cron schedule; nil for a deployment that runs only when
	// asked ([DeploymentService.Run]).
	Schedule *Schedule `json:"schedule"`
	// Status is DeploymentStatusActive or DeploymentStatusPaused (paused
	// schedules do not fire; Run still works).
	Status DeploymentStatus `json:"status"`
	// PausedReason says why the deployment is paused; nil exactly when it is
	// not.
	PausedReason *DeploymentPausedReason `json:"paused_reason"`
	// Budget is copied onto each new session; nil when none.
	Budget *Budget `json:"budget"`
}

// UnmarshalJSON decodes a deployment, its initial events and resources by
// type, and keeps its raw JSON.
func (d *Deployment) UnmarshalJSON(b []byte) error {
	type plain Deployment
	w := struct {
		*plain
		InitialEvents json.RawMessage `json:"initial_events"`
	}{plain: (*plain)(d)}
	if err := decodeObject(b, &w, &d.ObjectMeta); err != nil {
		return err
	}
	evs, err := decodeEvents(w.InitialEvents)
	if err != nil {
		return err
	}
	d.InitialEvents = evs
	return nil
}

// Schedule is a deployment's cron schedule as the API reports it.
type Schedule struct {
	// Type is "cron", the only kind of schedule today.
	Type string `json:"type"`
	// Expression is a 5-field cron expression: minute hour day-of-month month
	// day-of-week.
	Expression string `json:"expression"`
	// Timezone is the IANA time zone the expression is read in.
	Timezone string `json:"timezone"`
	// LastRunAt is when the latest scheduled run started; zero before the
	// first. Runs started with Run do not change it.
	LastRunAt time.Time `json:"last_run_at,omitzero"`
	// UpcomingRunsAt are up to 5 next instants of the schedule, for active and
	// paused deployments; empty once archived. A run starts at or a little
	// after each.
	UpcomingRunsAt []time.Time `json:"upcoming_runs_at,omitzero"`
}

// ScheduleParams is the schedule of a deployment to create or update:
// {"type":"cron","expression","timezone"}. Build it with [NewScheduleCron].
type ScheduleParams struct {
	// Expression is a 5-field POSIX cron expression (minute hour day-of-month
	// month day-of-week, day of week 0-7 with 0 and 7 Sunday, names such as
	// MON or JAN allowed). Seconds or year fields, L, W, #, ? and shortcuts
	// such as @daily are not. Required.
	Expression string `json:"expression"`
	// Timezone is an IANA time zone name, e.g. "America/Los_Angeles" or
	// "UTC". Required.
	Timezone string `json:"timezone"`
}

// NewScheduleCron returns the schedule that fires at each instant of the cron
// expression in the IANA time zone timezone.
func NewScheduleCron(expression, timezone string) *ScheduleParams {
	return &ScheduleParams{Expression: expression, Timezone: timezone}
}

// MarshalJSON adds the type "cron".
func (p ScheduleParams) MarshalJSON() ([]byte, error) {
	type plain ScheduleParams
	return marshalWithType("cron", plain(p))
}

func (p *ScheduleParams) validate(field string) error {
	if p.Expression == "" {
		return invalid(field+".expression", "is required")
	}
	if _, err := cron.Parse(p.Expression); err != nil {
		return invalid(field+".expression", err.Error())
	}
	if p.Timezone == "" {
		return invalid(field+".timezone", "is required (an IANA name such as \"UTC\" or \"America/Los_Angeles\")")
	}
	if strings.ContainsFunc(p.Timezone, func(r rune) bool { return r <= ' ' }) {
		return invalid(field+".timezone", "must be an IANA time zone name, without spaces")
	}
	return nil
}

// DeploymentPausedReason says why a deployment is paused: {"type":"manual"}
// after [DeploymentService.Pause], or {"type":"error","error":{"type":…}} when
// a scheduled run failed with an error that pauses the schedule.
type DeploymentPausedReason struct {
	// Type is "manual" or "error".
	Type string `json:"type"`
	// Error names the error of the failed scheduled run ("error" only).
	Error *DeploymentPausedError `json:"error,omitzero"`
}

// DeploymentPausedError is the error that paused a deployment.
type DeploymentPausedError struct {
	// Type is the error, e.g. DeploymentErrorVaultArchived.
	Type DeploymentErrorType `json:"type"`
}

// DeploymentErrorType is the error of a failed deployment run, also given as
// the reason of an automatic pause. A type this SDK does not know is kept as
// received.
type DeploymentErrorType string

// Deployment run errors. All but DeploymentErrorSessionRateLimited and
// DeploymentErrorSessionCreationRejected pause the schedule when a scheduled
// run fails with them.
const (
	DeploymentErrorEnvironmentArchived            DeploymentErrorType = "environment_archived_error"
	DeploymentErrorAgentArchived                  DeploymentErrorType = "agent_archived_error"
	DeploymentErrorEnvironmentNotFound            DeploymentErrorType = "environment_not_found_error"
	DeploymentErrorVaultNotFound                  DeploymentErrorType = "vault_not_found_error"
	DeploymentErrorFileNotFound                   DeploymentErrorType = "file_not_found_error"
	DeploymentErrorSessionResourceNotFound        DeploymentErrorType = "session_resource_not_found_error"
	DeploymentErrorWorkspaceArchived              DeploymentErrorType = "workspace_archived_error"
	DeploymentErrorOrganizationDisabled           DeploymentErrorType = "organization_disabled_error"
	DeploymentErrorMemoryStoreArchived            DeploymentErrorType = "memory_store_archived_error"
	DeploymentErrorSkillNotFound                  DeploymentErrorType = "skill_not_found_error"
	DeploymentErrorVaultArchived                  DeploymentErrorType = "vault_archived_error"
	DeploymentErrorUnknown                        DeploymentErrorType = "unknown_error"
	DeploymentErrorSelfHostedResourcesUnsupported DeploymentErrorType = "self_hosted_resources_unsupported_error"
	DeploymentErrorMCPEgressBlocked               DeploymentErrorType = "mcp_egress_blocked_error"
	// DeploymentErrorSessionRateLimited: the session could not be created for
	// the rate limit; the schedule keeps firing.
	DeploymentErrorSessionRateLimited DeploymentErrorType = "session_rate_limited_error"
	// DeploymentErrorSessionCreationRejected: the session was refused for a
	// reason a retry would not change.
	DeploymentErrorSessionCreationRejected DeploymentErrorType = "session_creation_rejected_error"
)

// PausesSchedule reports whether a scheduled run failing with e pauses its
// deployment (every known error but the rate limit and a rejected session).
func (e DeploymentErrorType) PausesSchedule() bool {
	return e != DeploymentErrorSessionRateLimited && e != DeploymentErrorSessionCreationRejected
}

// maxDeploymentInitialEvents, maxDeploymentResources and
// maxDeploymentVaults bound a deployment's lists.
const (
	maxDeploymentInitialEvents = 50
	maxDeploymentResources     = 500
	maxDeploymentVaults        = 50
)

// DeploymentCreateParams is the body of POST /v1/deployments.
type DeploymentCreateParams struct {
	// Name is the deployment's name. Required.
	Name string `json:"name"`
	// Agent is the agent to run: NewAgentRef(id) pins its latest version at
	// creation; &AgentRef{ID, Version} pins Version. The agent must exist and
	// not be archived. Required.
	Agent *AgentRef `json:"agent"`
	// EnvironmentID is the environment the sessions run in. Required.
	EnvironmentID string `json:"environment_id"`
	// InitialEvents are sent to each new session right after its creation: 1
	// to 50 user.message, user.define_outcome and system.message events (a
	// system.message last, right after the user.message it accompanies).
	// Required.
	InitialEvents []EventParam `json:"initial_events"`
	// Description says what the deployment does.
	Description string `json:"description,omitzero"`
	// Resources are mounted in each session (at most 500):
	// *GitHubRepositoryResourceParams, *FileResourceParams,
	// *MemoryStoreResourceParams.
	Resources []SessionResourceParams `json:"resources,omitzero"`
	// VaultIDs are the vaults supplying credentials (at most 50).
	VaultIDs []string `json:"vault_ids,omitzero"`
	// Schedule fires the deployment on a cron schedule, e.g.
	// NewScheduleCron("0 9 * * 1-5", "America/Los_Angeles"); nil runs it only
	// when asked.
	Schedule *ScheduleParams `json:"schedule,omitzero"`
	// Budget caps the list-price spend of each session, e.g.
	// NewBudgetLimit("500", "USD"); the agent's model must have a public list
	// price.
	Budget *Budget `json:"budget,omitzero"`
	// Metadata holds up to 16 pairs (keys up to 64 characters, values up to
	// 512).
	Metadata map[string]string `json:"metadata,omitzero"`
}

func (p DeploymentCreateParams) validate() error {
	if p.Name == "" {
		return invalid("name", "is required")
	}
	if p.Agent == nil {
		return invalid("agent", "is required")
	}
	if err := p.Agent.validate("agent"); err != nil {
		return err
	}
	if p.EnvironmentID == "" {
		return invalid("environment_id", "is required")
	}
	if err := validateDeploymentEvents(p.InitialEvents); err != nil {
		return err
	}
	if err := validateDeploymentParts(p.Resources, p.VaultIDs, p.Schedule, p.Budget); err != nil {
		return err
	}
	return validateMetadataLimits("metadata", p.Metadata)
}

// validateDeploymentEvents checks the initial events of a deployment: 1 to 50
// of the kinds a deployment sends.
func validateDeploymentEvents(events []EventParam) error {
	if len(events) > maxDeploymentInitialEvents {
		return invalid("initial_events", "holds "+strconv.Itoa(len(events))+" events, more than "+strconv.Itoa(maxDeploymentInitialEvents))
	}
	if err := validateEvents("initial_events", events); err != nil {
		return err
	}
	for i, e := range events {
		switch e.(type) {
		case *UserMessageParam, *UserDefineOutcomeParam, *SystemMessageParam:
		default:
			return invalid("initial_events["+strconv.Itoa(i)+"]", "must be a user.message, user.define_outcome or system.message, not "+string(e.EventType()))
		}
	}
	return nil
}

// validateDeploymentParts checks the optional fields create and update share.
func validateDeploymentParts(resources []SessionResourceParams, vaultIDs []string, schedule *ScheduleParams, budget *Budget) error {
	if len(resources) > maxDeploymentResources {
		return invalid("resources", "holds "+strconv.Itoa(len(resources))+" resources, more than "+strconv.Itoa(maxDeploymentResources))
	}
	if err := validateResourceParams("resources", resources); err != nil {
		return err
	}
	if len(vaultIDs) > maxDeploymentVaults {
		return invalid("vault_ids", "holds "+strconv.Itoa(len(vaultIDs))+" ids, more than "+strconv.Itoa(maxDeploymentVaults))
	}
	for i, v := range vaultIDs {
		if err := checkID("vault_ids["+strconv.Itoa(i)+"]", v); err != nil {
			return err
		}
	}
	if schedule != nil {
		if err := schedule.validate("schedule"); err != nil {
			return err
		}
	}
	return validateBudget("budget", budget)
}

// DeploymentUpdateParams is the body of POST /v1/deployments/{deployment_id}.
// Zero fields are not sent and keep the stored value; Clear names the fields
// to clear. Changes apply to the sessions created afterwards.
type DeploymentUpdateParams struct {
	// Name replaces the name.
	Name string `json:"name,omitzero"`
	// Description replaces the description.
	Description string `json:"description,omitzero"`
	// Agent re-pins the agent: NewAgentRef(id) to its latest version now,
	// &AgentRef{ID, Version} to Version.
	Agent *AgentRef `json:"agent,omitzero"`
	// EnvironmentID replaces the environment.
	EnvironmentID string `json:"environment_id,omitzero"`
	// InitialEvents replace the initial events as a whole (1 to 50).
	InitialEvents []EventParam `json:"initial_events,omitzero"`
	// Resources replace the resources as a whole (at most 500).
	Resources []SessionResourceParams `json:"resources,omitzero"`
	// VaultIDs replace the vaults as a whole (at most 50).
	VaultIDs []string `json:"vault_ids,omitzero"`
	// Schedule replaces the schedule.
	Schedule *ScheduleParams `json:"schedule,omitzero"`
	// Budget replaces the budget of later sessions.
	Budget *Budget `json:"budget,omitzero"`
	// Metadata patches the metadata: see [MetadataPatch].
	Metadata MetadataPatch `json:"metadata,omitzero"`
	// Clear names the fields to clear, sent as null: "description",
	// "resources", "vault_ids", "schedule" (the deployment then runs only when
	// asked) and "budget" (later sessions are uncapped). A field cannot be both
	// set and cleared; name, agent, environment_id and initial_events cannot be
	// cleared.
	Clear []string `json:"-"`
}

// deploymentClearable are the fields DeploymentUpdateParams.Clear accepts.
var deploymentClearable = []string{"description", "resources", "vault_ids", "schedule", "budget"}

// MarshalJSON encodes the fields set, and null for each field of Clear.
func (p DeploymentUpdateParams) MarshalJSON() ([]byte, error) {
	type plain DeploymentUpdateParams
	return marshalUpdate(plain(p), p.Clear)
}

func (p DeploymentUpdateParams) validate() error {
	if p.Agent != nil {
		if err := p.Agent.validate("agent"); err != nil {
			return err
		}
	}
	if p.InitialEvents != nil {
		if err := validateDeploymentEvents(p.InitialEvents); err != nil {
			return err
		}
	}
	if err := validateDeploymentParts(p.Resources, p.VaultIDs, p.Schedule, p.Budget); err != nil {
		return err
	}
	if err := validateMetadataLimits("metadata", p.Metadata); err != nil {
		return err
	}
	type plain DeploymentUpdateParams
	return validateClear(p.Clear, deploymentClearable, plain(p))
}

// DeploymentListParams filters GET /v1/deployments.
type DeploymentListParams struct {
	// AgentID keeps the deployments of this agent.
	AgentID string
	// CreatedAtGTE and CreatedAtLTE bound created_at, both inclusive.
	CreatedAtGTE, CreatedAtLTE time.Time
	// IncludeArchived lists archived deployments too; it cannot be combined
	// with Status.
	IncludeArchived bool
	// Limit is the page size, at most 100 (the API's default is 20).
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
	// Status keeps the deployments in this status.
	Status DeploymentStatus
}

// maxDeploymentsLimit and maxDeploymentRunsLimit are the largest pages.
const (
	maxDeploymentsLimit    = 100
	maxDeploymentRunsLimit = 1000
)

func (p DeploymentListParams) values() (url.Values, error) {
	switch p.Status {
	case "", DeploymentStatusActive, DeploymentStatusPaused:
	default:
		return nil, invalid("status", `must be "active" or "paused", not `+strconv.Quote(string(p.Status)))
	}
	if p.Status != "" && p.IncludeArchived {
		return nil, invalid("status", "cannot be combined with include_archived")
	}
	q, err := pageQuery(p.Limit, maxDeploymentsLimit, p.Page)
	if err != nil {
		return nil, err
	}
	q.str("agent_id", p.AgentID)
	q.time("created_at[gte]", p.CreatedAtGTE)
	q.time("created_at[lte]", p.CreatedAtLTE)
	q.bool("include_archived", p.IncludeArchived)
	q.str("status", string(p.Status))
	return url.Values(q), nil
}

// pageQuery is listQuery with the list's largest page size checked.
func pageQuery(limit, maxLimit int, page string) (query, error) {
	if limit > maxLimit {
		return nil, invalid("limit", "must be at most "+strconv.Itoa(maxLimit))
	}
	return listQuery(limit, page)
}

// DeploymentGetParams are the parameters of GET
// /v1/deployments/{deployment_id}; it has none yet.
type DeploymentGetParams struct{}

// DeploymentArchiveParams are the parameters of POST
// /v1/deployments/{deployment_id}/archive; it has none yet.
type DeploymentArchiveParams struct{}

// DeploymentPauseParams are the parameters of POST
// /v1/deployments/{deployment_id}/pause; it has none yet.
type DeploymentPauseParams struct{}

// DeploymentUnpauseParams are the parameters of POST
// /v1/deployments/{deployment_id}/unpause; it has none yet.
type DeploymentUnpauseParams struct{}

// DeploymentRunParams are the parameters of POST
// /v1/deployments/{deployment_id}/run; it has none yet.
type DeploymentRunParams struct{}

// Create creates a deployment. A deployment with a Schedule starts firing at
// once; one without runs only when asked. The request is never sent twice:
// when it fails after it was sent, the deployment may or may not exist.
//
// POST /v1/deployments
func (s *DeploymentService) Create(ctx context.Context, params DeploymentCreateParams, opts ...option.RequestOption) (*Deployment, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	body := params
	tokens := revealTokens(&body.Resources)
	return doJSON[Deployment](ctx, s.client, deploymentsCreate.At().WithBody(body), withSecrets(opts, tokens...))
}

// Get returns a deployment.
//
// GET /v1/deployments/{deployment_id}
func (s *DeploymentService) Get(ctx context.Context, deploymentID string, params DeploymentGetParams, opts ...option.RequestOption) (*Deployment, error) {
	return doJSON[Deployment](ctx, s.client, deploymentsRetrieve.At(deploymentID), opts)
}

// Update changes a deployment; only the fields set in params change, for the
// sessions created afterwards. See [DeploymentUpdateParams].
//
// POST /v1/deployments/{deployment_id}
func (s *DeploymentService) Update(ctx context.Context, deploymentID string, params DeploymentUpdateParams, opts ...option.RequestOption) (*Deployment, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	body := params
	tokens := revealTokens(&body.Resources)
	return doJSON[Deployment](ctx, s.client, deploymentsUpdate.At(deploymentID).WithBody(body), withSecrets(opts, tokens...))
}

// List returns one page of deployments.
//
// GET /v1/deployments
func (s *DeploymentService) List(ctx context.Context, params DeploymentListParams, opts ...option.RequestOption) (*Page[*Deployment], error) {
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return doJSON[Page[*Deployment]](ctx, s.client, deploymentsList.At().WithQuery(q), opts)
}

// ListAll iterates over the deployments from params.Page on, fetching pages
// lazily, and stops at the first error.
//
// GET /v1/deployments
func (s *DeploymentService) ListAll(ctx context.Context, params DeploymentListParams, opts ...option.RequestOption) iter.Seq2[*Deployment, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*Deployment], error) {
		p := params
		p.Page = page
		return s.List(ctx, p, opts...)
	})
}

// Archive archives a deployment for good: its schedule stops, it is listed
// only with IncludeArchived, and it can no longer run.
//
// POST /v1/deployments/{deployment_id}/archive
func (s *DeploymentService) Archive(ctx context.Context, deploymentID string, params DeploymentArchiveParams, opts ...option.RequestOption) (*Deployment, error) {
	return doJSON[Deployment](ctx, s.client, deploymentsArchive.At(deploymentID), opts)
}

// Pause stops a deployment's schedule from firing (Status paused, PausedReason
// manual); Run still works.
//
// POST /v1/deployments/{deployment_id}/pause
func (s *DeploymentService) Pause(ctx context.Context, deploymentID string, params DeploymentPauseParams, opts ...option.RequestOption) (*Deployment, error) {
	return doJSON[Deployment](ctx, s.client, deploymentsPause.At(deploymentID), opts)
}

// Unpause lets a paused deployment's schedule fire again and clears its
// PausedReason. Instants that passed while it was paused are not run.
//
// POST /v1/deployments/{deployment_id}/unpause
func (s *DeploymentService) Unpause(ctx context.Context, deploymentID string, params DeploymentUnpauseParams, opts ...option.RequestOption) (*Deployment, error) {
	return doJSON[Deployment](ctx, s.client, deploymentsUnpause.At(deploymentID), opts)
}

// Run fires a deployment now, paused or not: it creates one session and
// returns the run record (TriggerContext manual). A run whose session could
// not be created is still a run: its Error says why, and err is nil. The
// request is never sent twice, since a second send would start a second
// session: when it fails after it was sent, list the deployment's runs
// ([DeploymentRunService.List]) to learn whether it started.
//
// POST /v1/deployments/{deployment_id}/run
func (s *DeploymentService) Run(ctx context.Context, deploymentID string, params DeploymentRunParams, opts ...option.RequestOption) (*DeploymentRun, error) {
	return doJSON[DeploymentRun](ctx, s.client, deploymentsRun.At(deploymentID), opts)
}
