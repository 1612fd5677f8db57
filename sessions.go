package managedagents

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/option"
)

// SessionStatus is the status of a session or of a session thread.
type SessionStatus string

// Session and thread statuses.
const (
	// SessionStatusRescheduling: recovering from a transient error; it will resume.
	SessionStatusRescheduling SessionStatus = "rescheduling"
	// SessionStatusRunning: the agent is working.
	SessionStatusRunning SessionStatus = "running"
	// SessionStatusIdle: waiting for input (a message, a tool confirmation or a
	// custom tool result). New sessions start idle.
	SessionStatusIdle SessionStatus = "idle"
	// SessionStatusTerminated: ended for good.
	SessionStatusTerminated SessionStatus = "terminated"
)

func (s SessionStatus) check(field string) error {
	switch s {
	case SessionStatusRescheduling, SessionStatusRunning, SessionStatusIdle, SessionStatusTerminated:
		return nil
	}
	return invalid(field, `must be "rescheduling", "running", "idle" or "terminated", not `+strconv.Quote(string(s)))
}

// Session is a session ("type":"session").
type Session struct {
	// ObjectMeta holds the id (sesn_…), the type ("session"), the timestamps and
	// the raw JSON.
	ObjectMeta
	// Title may be empty.
	Title string `json:"title"`
	// Status is the session's status.
	Status SessionStatus `json:"status"`
	// Agent is the agent as resolved at creation (with overrides applied).
	Agent SessionAgent `json:"agent"`
	// EnvironmentID is the environment the session runs in.
	EnvironmentID string `json:"environment_id"`
	// Resources are the resources mounted in the session: *GitHubRepositoryResource,
	// *FileResource, *MemoryStoreResource or *UnknownResource.
	Resources SessionResources `json:"resources"`
	// VaultIDs are the vaults supplying credentials; empty when none.
	VaultIDs []string `json:"vault_ids"`
	// Metadata holds the user's key-value pairs.
	Metadata map[string]string `json:"metadata"`
	// Budget is the spending cap; nil when none.
	Budget *Budget `json:"budget"`
	// Usage is the cumulative usage.
	Usage SessionUsage `json:"usage"`
	// Stats are timing statistics.
	Stats SessionStats `json:"stats"`
	// OutcomeEvaluations has one entry per user.define_outcome event.
	OutcomeEvaluations []OutcomeEvaluation `json:"outcome_evaluations"`
	// DeploymentID is the deployment that created the session; empty when none.
	DeploymentID string `json:"deployment_id,omitzero"`
}

// UnmarshalJSON decodes a session, its resources by type, and keeps its raw JSON.
func (s *Session) UnmarshalJSON(b []byte) error {
	type plain Session
	return decodeObject(b, (*plain)(s), &s.ObjectMeta)
}

// SessionAgent is a resolved agent snapshot: the agent of a session, of a
// session thread, or an expanded entry of a session's multiagent roster. Type is
// "agent" (a saved agent: ID and Version set), "advisor" (an advisor model: only
// Model.ID set; threads only) or "inline" (an unsaved agent defined when a thread
// was spawned: no ID or Version; threads only).
type SessionAgent struct {
	// ID is the agent's id ("agent" only).
	ID string `json:"id,omitzero"`
	// Type is "agent", "advisor" or "inline".
	Type string `json:"type"`
	// Version is the agent version ("agent" only).
	Version int64 `json:"version,omitzero"`
	// Name is the agent's name.
	Name string `json:"name,omitzero"`
	// Description may be empty.
	Description string `json:"description,omitzero"`
	// System is the system prompt; may be empty.
	System string `json:"system,omitzero"`
	// Model is the model; for an advisor only Model.ID is set.
	Model ModelConfig `json:"model"`
	// Tools are the tools, decoded by type as in [Agent].
	Tools Tools `json:"tools,omitzero"`
	// MCPServers are the MCP servers.
	MCPServers []MCPServer `json:"mcp_servers,omitzero"`
	// Skills are the skills.
	Skills []Skill `json:"skills,omitzero"`
	// ExecutionIdentity is the principal runs act as.
	ExecutionIdentity *ExecutionIdentity `json:"execution_identity,omitzero"`
	// Multiagent is the expanded multiagent configuration (session agent only);
	// nil when single-threaded.
	Multiagent *Multiagent `json:"multiagent,omitzero"`
}

// SessionStats are a session's timing statistics.
type SessionStats struct {
	// ActiveSeconds sums the running time of each thread.
	ActiveSeconds float64 `json:"active_seconds"`
	// DurationSeconds is the wall time since creation, frozen when terminated.
	DurationSeconds float64 `json:"duration_seconds"`
}

// OutcomeEvaluation is the state of one outcome (from user.define_outcome).
type OutcomeEvaluation struct {
	// Type is "outcome_evaluation".
	Type string `json:"type"`
	// OutcomeID is the outcome's id (outc_…).
	OutcomeID string `json:"outcome_id"`
	// Description is the outcome's description.
	Description string `json:"description"`
	// Result is one of "pending", "running", "evaluating", "satisfied",
	// "needs_revision", "max_iterations_reached", "failed", "interrupted".
	Result string `json:"result"`
	// Iteration is the current iteration.
	Iteration int `json:"iteration"`
	// Explanation is the evaluator's explanation.
	Explanation string `json:"explanation"`
	// CompletedAt is when the evaluation completed; zero while it is not.
	CompletedAt time.Time `json:"completed_at,omitzero"`
}

// DeletedObject is the answer of a delete: {"id","type":"…_deleted"}. When the
// server answers with an empty body, ID is the deleted object's id and Type the
// expected stub type.
type DeletedObject struct {
	// ID is the deleted object's id.
	ID string `json:"id"`
	// Type is the stub's type: "session_deleted", "environment_deleted",
	// "session_resource_deleted", "vault_deleted",
	// "vault_credential_deleted", …
	Type string `json:"type"`
}

// deleteResource sends the DELETE r and decodes the stub; an empty 2xx body
// gives {id, typ}, id being r's last path parameter.
func (c *Client) deleteResource(ctx context.Context, r transport.Request, typ string, opts []option.RequestOption) (*DeletedObject, error) {
	var out DeletedObject
	err := c.send(ctx, r, opts, func(data []byte) error {
		if t := bytes.TrimSpace(data); len(t) == 0 || string(t) == "null" {
			return nil
		}
		return json.Unmarshal(data, &out)
	})
	if err != nil {
		return nil, err
	}
	if out.ID == "" {
		out.ID = r.PathParams[len(r.PathParams)-1]
	}
	if out.Type == "" {
		out.Type = typ
	}
	return &out, nil
}

// SessionAgentParam picks the agent of a new session. It is a sealed interface:
// the concrete types are [*AgentRef] (a saved agent, at its latest or a pinned
// version; build it with [NewAgentRef]) and [*AgentWithOverrides].
type SessionAgentParam interface {
	validate(field string) error
	isSessionAgentParam()
}

// AgentRef is a session's agent given by id, at its latest version (Version 0,
// sent as the bare id string) or at Version (sent as
// {"type":"agent","id","version"}).
type AgentRef struct {
	// ID is the agent's id. Required.
	ID string
	// Version is the version (≥1); 0 means the latest.
	Version int64
}

// NewAgentRef returns the agent agentID at its latest version.
func NewAgentRef(agentID string) *AgentRef { return &AgentRef{ID: agentID} }

func (*AgentRef) isSessionAgentParam() {}

// MarshalJSON encodes the bare id for the latest version, else
// {"type":"agent","id","version"}.
func (a AgentRef) MarshalJSON() ([]byte, error) {
	if a.Version == 0 {
		return json.Marshal(a.ID)
	}
	return json.Marshal(struct {
		Type    string `json:"type"`
		ID      string `json:"id"`
		Version int64  `json:"version"`
	}{"agent", a.ID, a.Version})
}

func (a *AgentRef) validate(field string) error {
	if a == nil {
		return invalid(field, "is required")
	}
	if a.ID == "" {
		return invalid(field+".id", "is required")
	}
	if a.Version < 0 {
		return invalid(field+".version", "must not be negative")
	}
	return nil
}

// AgentWithOverrides is a session's agent with session-local overrides:
// {"type":"agent_with_overrides",…}. Each set field replaces the agent's for this
// session only; nil fields keep the agent's.
type AgentWithOverrides struct {
	// ID is the agent's id. Required.
	ID string `json:"id"`
	// Version is the version; 0 means the latest.
	Version int64 `json:"version,omitzero"`
	// Model replaces the model (its effort is ignored, inference_geo applies).
	Model *ModelConfig `json:"model,omitzero"`
	// System replaces the system prompt; new("") empties it.
	System *string `json:"system,omitzero"`
	// Tools replaces the tools; an empty non-nil slice removes them.
	Tools []Tool `json:"tools,omitzero"`
	// MCPServers replaces the MCP servers.
	MCPServers []MCPServer `json:"mcp_servers,omitzero"`
	// Skills replaces the skills.
	Skills []Skill `json:"skills,omitzero"`
}

func (*AgentWithOverrides) isSessionAgentParam() {}

// MarshalJSON adds the type.
func (a AgentWithOverrides) MarshalJSON() ([]byte, error) {
	type plain AgentWithOverrides
	return marshalWithType("agent_with_overrides", plain(a))
}

func (a *AgentWithOverrides) validate(field string) error {
	if a == nil {
		return invalid(field, "is required")
	}
	if a.ID == "" {
		return invalid(field+".id", "is required")
	}
	if a.Version < 0 {
		return invalid(field+".version", "must not be negative")
	}
	if a.Model != nil {
		if err := a.Model.validate(field + ".model"); err != nil {
			return err
		}
	}
	if err := validateTools(field+".tools", a.Tools); err != nil {
		return err
	}
	if err := validateMCPServers(field+".mcp_servers", a.MCPServers); err != nil {
		return err
	}
	return validateSkills(field+".skills", a.Skills)
}

// SessionCreateParams is the body of POST /v1/sessions.
type SessionCreateParams struct {
	// Agent is the session's agent: NewAgentRef("agent_…"), &AgentRef{ID,
	// Version} or &AgentWithOverrides{…}. Required.
	Agent SessionAgentParam `json:"agent"`
	// EnvironmentID is the environment to run in. Required.
	EnvironmentID string `json:"environment_id"`
	// Title is an optional title.
	Title string `json:"title,omitzero"`
	// Resources are mounted in the container: *GitHubRepositoryResourceParams,
	// *FileResourceParams, *MemoryStoreResourceParams.
	Resources []SessionResourceParams `json:"resources,omitzero"`
	// VaultIDs are vaults (vlt_…) supplying credentials; set at creation only.
	VaultIDs []string `json:"vault_ids,omitzero"`
	// Metadata holds up to 16 pairs.
	Metadata map[string]string `json:"metadata,omitzero"`
	// Budget caps list-price spend, e.g. NewBudgetLimit("2500", "USD"). It can only
	// be set at creation (later changed or removed, never added).
	Budget *Budget `json:"budget,omitzero"`
	// InitialEvents are user.message and user.define_outcome events
	// ([UserMessage], [DefineOutcome]), at most 50, processed in order. They start
	// the agent at once, before any stream can be open: to see every event, create
	// the session without them, open the stream, then send.
	InitialEvents []EventParam `json:"initial_events,omitzero"`
}

func (p SessionCreateParams) validate() error {
	if p.Agent == nil {
		return invalid("agent", "is required")
	}
	if err := p.Agent.validate("agent"); err != nil {
		return err
	}
	if p.EnvironmentID == "" {
		return invalid("environment_id", "is required")
	}
	if err := validateResourceParams("resources", p.Resources); err != nil {
		return err
	}
	for i, v := range p.VaultIDs {
		if v == "" {
			return invalid("vault_ids["+strconv.Itoa(i)+"]", "must not be empty")
		}
	}
	if err := validateBudget("budget", p.Budget); err != nil {
		return err
	}
	if err := validateInitialEvents(p.InitialEvents); err != nil {
		return err
	}
	return validateMetadataKeys("metadata", p.Metadata)
}

// maxInitialEvents is the most initial_events a session create accepts.
const maxInitialEvents = 50

func validateInitialEvents(events []EventParam) error {
	if len(events) == 0 {
		return nil
	}
	if len(events) > maxInitialEvents {
		return invalid("initial_events", "holds "+strconv.Itoa(len(events))+" events, more than "+strconv.Itoa(maxInitialEvents))
	}
	if err := validateEvents("initial_events", events); err != nil {
		return err
	}
	for i, e := range events {
		switch e.(type) {
		case *UserMessageParam, *UserDefineOutcomeParam:
		default:
			return invalid("initial_events["+strconv.Itoa(i)+"]", "must be a user.message or user.define_outcome, not "+string(e.EventType()))
		}
	}
	return nil
}

func validateBudget(field string, b *Budget) error {
	if b == nil {
		return nil
	}
	if b.Type == "" {
		return invalid(field+".type", "is required")
	}
	if a := b.MaxListCost.Amount; a == "" {
		return invalid(field+".max_list_cost.amount", "is required")
	} else if !isMinorUnits(a) {
		return invalid(field+".max_list_cost.amount", "must be a whole number of minor units without leading zeros (e.g. \"2500\" for 25.00), not "+strconv.Quote(a))
	}
	if b.MaxListCost.Currency == "" {
		return invalid(field+".max_list_cost.currency", "is required")
	}
	return nil
}

// isMinorUnits reports whether s is a money amount as the API writes it: decimal
// digits without a leading zero (or "0").
func isMinorUnits(s string) bool {
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// SessionAgentUpdate replaces parts of a session's agent; the session must not
// be running. Nil fields keep the current value; an empty non-nil slice clears.
type SessionAgentUpdate struct {
	// Tools replaces the session agent's tools.
	Tools []Tool `json:"tools,omitzero"`
	// MCPServers replaces the session agent's MCP servers.
	MCPServers []MCPServer `json:"mcp_servers,omitzero"`
}

// SessionUpdateParams is the body of POST /v1/sessions/{session_id}. Zero fields
// are not sent and keep the stored value; Clear names the fields to clear.
type SessionUpdateParams struct {
	// Title replaces the title.
	Title string `json:"title,omitzero"`
	// Metadata patches the metadata: see [MetadataPatch].
	Metadata MetadataPatch `json:"metadata,omitzero"`
	// Agent replaces the session agent's tools and MCP servers.
	Agent *SessionAgentUpdate `json:"agent,omitzero"`
	// Budget replaces the budget of a session created with one (it cannot be
	// lowered to or below the cost already spent).
	Budget *Budget `json:"budget,omitzero"`
	// VaultIDs is reserved: the API currently rejects it.
	VaultIDs []string `json:"vault_ids,omitzero"`
	// Clear names the fields to clear, sent as null: "title", "metadata" (every
	// key), "budget" (removed for good), "agent.tools" and "agent.mcp_servers". A
	// field cannot be both set and cleared.
	Clear []string `json:"-"`
}

// sessionClearable are the fields SessionUpdateParams.Clear accepts.
var sessionClearable = []string{"title", "metadata", "budget", "agent.tools", "agent.mcp_servers"}

// MarshalJSON encodes the fields set, and null for each field of Clear.
func (p SessionUpdateParams) MarshalJSON() ([]byte, error) {
	type plain SessionUpdateParams
	return marshalUpdate(plain(p), p.Clear)
}

func (p SessionUpdateParams) validate() error {
	if err := validateBudget("budget", p.Budget); err != nil {
		return err
	}
	if p.Agent != nil {
		if err := validateTools("agent.tools", p.Agent.Tools); err != nil {
			return err
		}
		if err := validateMCPServers("agent.mcp_servers", p.Agent.MCPServers); err != nil {
			return err
		}
	}
	if err := validateMetadataKeys("metadata", p.Metadata); err != nil {
		return err
	}
	type plain SessionUpdateParams
	return validateClear(p.Clear, sessionClearable, plain(p))
}

// SessionListParams filters GET /v1/sessions.
type SessionListParams struct {
	// AgentID keeps sessions of this agent.
	AgentID string
	// AgentVersion keeps sessions of this agent version; it needs AgentID.
	AgentVersion int64
	// CreatedAtGT, CreatedAtGTE, CreatedAtLT and CreatedAtLTE bound created_at
	// (created_at[gt], created_at[gte], created_at[lt], created_at[lte]).
	CreatedAtGT, CreatedAtGTE, CreatedAtLT, CreatedAtLTE time.Time
	// DeploymentID keeps sessions started by this deployment.
	DeploymentID string
	// IncludeArchived lists archived sessions too.
	IncludeArchived bool
	// Limit is the page size.
	Limit int
	// MemoryStoreID keeps sessions with this memory store among their resources.
	MemoryStoreID string
	// Order is the order by created_at; the API's default is descending. A cursor
	// only works with the order it was made with.
	Order Order
	// Page is a cursor from a previous page's NextPage or PrevPage.
	Page string
	// Statuses keeps sessions in these statuses (statuses[]).
	Statuses []SessionStatus
}

func (p SessionListParams) values() (url.Values, error) {
	if p.AgentVersion != 0 && p.AgentID == "" {
		return nil, invalid("agent_version", "needs agent_id")
	}
	if p.AgentVersion < 0 {
		return nil, invalid("agent_version", "must not be negative")
	}
	if err := p.Order.check("order"); err != nil {
		return nil, err
	}
	q, err := listQuery(p.Limit, p.Page)
	if err != nil {
		return nil, err
	}
	if err := q.statuses(p.Statuses); err != nil {
		return nil, err
	}
	q.str("agent_id", p.AgentID)
	q.int64("agent_version", p.AgentVersion)
	q.time("created_at[gt]", p.CreatedAtGT)
	q.time("created_at[gte]", p.CreatedAtGTE)
	q.time("created_at[lt]", p.CreatedAtLT)
	q.time("created_at[lte]", p.CreatedAtLTE)
	q.str("deployment_id", p.DeploymentID)
	q.bool("include_archived", p.IncludeArchived)
	q.str("memory_store_id", p.MemoryStoreID)
	q.str("order", string(p.Order))
	return url.Values(q), nil
}

// SessionGetParams are the parameters of GET /v1/sessions/{session_id}; it has
// none yet.
type SessionGetParams struct{}

// SessionDeleteParams are the parameters of DELETE /v1/sessions/{session_id};
// it has none yet.
type SessionDeleteParams struct{}

// SessionArchiveParams are the parameters of POST
// /v1/sessions/{session_id}/archive; it has none yet.
type SessionArchiveParams struct{}

// Create creates a session. It returns once the resources are mounted.
//
// POST /v1/sessions
func (s *SessionService) Create(ctx context.Context, params SessionCreateParams, opts ...option.RequestOption) (*Session, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	return doJSON[Session](ctx, s.client, sessionsCreate.At().WithBody(params), opts)
}

// Get returns a session.
//
// GET /v1/sessions/{session_id}
func (s *SessionService) Get(ctx context.Context, sessionID string, params SessionGetParams, opts ...option.RequestOption) (*Session, error) {
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	return doJSON[Session](ctx, s.client, sessionsRetrieve.At(sessionID), opts)
}

// Update changes a session; only the fields set in params change. See
// [SessionUpdateParams].
//
// POST /v1/sessions/{session_id}
func (s *SessionService) Update(ctx context.Context, sessionID string, params SessionUpdateParams, opts ...option.RequestOption) (*Session, error) {
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	if err := params.validate(); err != nil {
		return nil, err
	}
	return doJSON[Session](ctx, s.client, sessionsUpdate.At(sessionID).WithBody(params), opts)
}

// List returns one page of sessions. The page has both NextPage and PrevPage.
//
// GET /v1/sessions
func (s *SessionService) List(ctx context.Context, params SessionListParams, opts ...option.RequestOption) (*Page[*Session], error) {
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return doJSON[Page[*Session]](ctx, s.client, sessionsList.At().WithQuery(q), opts)
}

// ListAll iterates over the sessions from params.Page on, following NextPage,
// fetching pages lazily, and stops at the first error.
//
// GET /v1/sessions
func (s *SessionService) ListAll(ctx context.Context, params SessionListParams, opts ...option.RequestOption) iter.Seq2[*Session, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*Session], error) {
		p := params
		p.Page = page
		return s.List(ctx, p, opts...)
	})
}

// Delete deletes a session with its history, container and checkpoints; open
// streams end. A running session cannot be deleted (400).
//
// DELETE /v1/sessions/{session_id}
func (s *SessionService) Delete(ctx context.Context, sessionID string, params SessionDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	return s.client.deleteResource(ctx, sessionsDelete.At(sessionID), "session_deleted", opts)
}

// Archive archives a session for good; it becomes read-only. A running session
// cannot be archived (400).
//
// POST /v1/sessions/{session_id}/archive
func (s *SessionService) Archive(ctx context.Context, sessionID string, params SessionArchiveParams, opts ...option.RequestOption) (*Session, error) {
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	return doJSON[Session](ctx, s.client, sessionsArchive.At(sessionID), opts)
}
