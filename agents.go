package managedagents

import (
	"context"
	"iter"
	"net/url"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// Agent is a saved agent definition ("type":"agent"), as returned by the agent
// endpoints.
type Agent struct {
	// ObjectMeta holds the id (agent_…), the type ("agent"), the timestamps and
	// the raw JSON.
	ObjectMeta
	// Name is the agent's name.
	Name string `json:"name"`
	// Description may be empty.
	Description string `json:"description"`
	// System is the system prompt; may be empty.
	System string `json:"system"`
	// Model is the model and its resolved settings.
	Model ModelConfig `json:"model"`
	// Tools are the agent's tools: *AgentToolset, *MCPToolset, *CustomTool or
	// *UnknownTool.
	Tools Tools `json:"tools"`
	// MCPServers are the MCP servers the agent's MCP toolsets use.
	MCPServers []MCPServer `json:"mcp_servers"`
	// Skills are the skills loaded into the agent.
	Skills []SkillRef `json:"skills"`
	// ExecutionIdentity is the principal runs act as; service_account when none.
	ExecutionIdentity *ExecutionIdentity `json:"execution_identity,omitzero"`
	// Multiagent is the orchestration configuration; nil when single-threaded.
	Multiagent *Multiagent `json:"multiagent"`
	// Metadata holds the user's key-value pairs.
	Metadata map[string]string `json:"metadata"`
	// Version is the agent's version: 1 on create, incremented by each update.
	Version int64 `json:"version"`
}

// UnmarshalJSON decodes an agent, its tools by type, and keeps its raw JSON.
func (a *Agent) UnmarshalJSON(b []byte) error {
	type plain Agent
	return decodeObject(b, (*plain)(a), &a.ObjectMeta)
}

// AgentCreateParams is the body of POST /v1/agents.
type AgentCreateParams struct {
	// Name is the agent's name (1–256 characters). Required.
	Name string `json:"name"`
	// Model is the model, e.g. ModelConfig{ID: "claude-sonnet-5-5"}. Its ID is
	// required.
	Model ModelConfig `json:"model"`
	// Description is optional (at most 2048 characters).
	Description string `json:"description,omitzero"`
	// System is the system prompt.
	System string `json:"system,omitzero"`
	// Tools are the agent's tools (at most 256 across toolsets).
	Tools []Tool `json:"tools,omitzero"`
	// MCPServers are MCP servers (at most 20, unique names), each used by an
	// MCPToolset.
	MCPServers []MCPServer `json:"mcp_servers,omitzero"`
	// Skills are skills to load (at most 20).
	Skills []SkillRef `json:"skills,omitzero"`
	// ExecutionIdentity is the principal runs act as; nil means service_account.
	ExecutionIdentity *ExecutionIdentity `json:"execution_identity,omitzero"`
	// Multiagent is the orchestration configuration; nil means single-threaded.
	Multiagent *Multiagent `json:"multiagent,omitzero"`
	// Metadata holds up to 16 pairs (keys ≤64, values ≤512 characters).
	Metadata map[string]string `json:"metadata,omitzero"`
}

func (p AgentCreateParams) validate() error {
	if p.Name == "" {
		return invalid("name", "is required")
	}
	if err := p.Model.validate("model"); err != nil {
		return err
	}
	if err := validateAgentParts(p.Tools, p.MCPServers, p.Skills, p.ExecutionIdentity, p.Multiagent); err != nil {
		return err
	}
	if err := validateMCPRefs("", p.Tools, p.MCPServers); err != nil {
		return err
	}
	return validateMetadataLimits("metadata", p.Metadata)
}

func validateAgentParts(tools []Tool, servers []MCPServer, skills []SkillRef, ei *ExecutionIdentity, ma *Multiagent) error {
	if err := validateTools("tools", tools); err != nil {
		return err
	}
	if err := validateMCPServers("mcp_servers", servers); err != nil {
		return err
	}
	if err := validateSkills("skills", skills); err != nil {
		return err
	}
	if err := ei.validate("execution_identity"); err != nil {
		return err
	}
	return ma.validate("multiagent")
}

// AgentUpdateParams is the body of POST /v1/agents/{agent_id}. Every field is
// optional: a zero field is not sent and keeps the stored value. List fields
// replace the stored list as a whole (a non-nil empty slice replaces it with no
// entries). Clear names the fields to clear.
type AgentUpdateParams struct {
	// Name replaces the name; it cannot be cleared.
	Name string `json:"name,omitzero"`
	// Description replaces the description.
	Description string `json:"description,omitzero"`
	// System replaces the system prompt.
	System string `json:"system,omitzero"`
	// Model replaces the model config as a whole: an empty InferenceGeo clears the
	// stored one, an empty Effort keeps the stored effort. It cannot be cleared.
	Model *ModelConfig `json:"model,omitzero"`
	// Tools replaces the tools.
	Tools []Tool `json:"tools,omitzero"`
	// MCPServers replaces the MCP servers.
	MCPServers []MCPServer `json:"mcp_servers,omitzero"`
	// Skills replaces the skills.
	Skills []SkillRef `json:"skills,omitzero"`
	// ExecutionIdentity replaces the execution identity.
	ExecutionIdentity *ExecutionIdentity `json:"execution_identity,omitzero"`
	// Multiagent replaces the multiagent configuration (a multiagent_20261001
	// configuration merges into a stored one of the same type).
	Multiagent *Multiagent `json:"multiagent,omitzero"`
	// Metadata patches the metadata: see [MetadataPatch].
	Metadata MetadataPatch `json:"metadata,omitzero"`
	// Version is the optimistic lock: the agent's current version. When set, the
	// update fails with a 409 (ErrConflict) if the agent changed meanwhile; 0 means
	// last write wins.
	Version int64 `json:"version,omitzero"`
	// Clear names the fields to clear, sent as null: "description", "system",
	// "tools", "mcp_servers", "skills", "execution_identity" (back to the
	// service account), "multiagent" (single-threaded) and "metadata" (every
	// key). A field cannot be both set and cleared.
	Clear []string `json:"-"`
}

// agentClearable are the fields AgentUpdateParams.Clear accepts.
var agentClearable = []string{"description", "system", "tools", "mcp_servers", "skills", "execution_identity", "multiagent", "metadata"}

// MarshalJSON encodes the fields set, and null for each field of Clear.
func (p AgentUpdateParams) MarshalJSON() ([]byte, error) {
	type plain AgentUpdateParams
	return marshalUpdate(plain(p), p.Clear)
}

func (p AgentUpdateParams) validate() error {
	if p.Model != nil {
		if err := p.Model.validate("model"); err != nil {
			return err
		}
	}
	if p.Version < 0 {
		return invalid("version", "must not be negative")
	}
	if err := validateAgentParts(p.Tools, p.MCPServers, p.Skills, p.ExecutionIdentity, p.Multiagent); err != nil {
		return err
	}
	if p.Tools != nil && p.MCPServers != nil {
		if err := validateMCPRefs("", p.Tools, p.MCPServers); err != nil {
			return err
		}
	}
	if err := validateMetadataLimits("metadata", p.Metadata); err != nil {
		return err
	}
	type plain AgentUpdateParams
	return validateClear(p.Clear, agentClearable, plain(p))
}

// AgentGetParams selects the version of GET /v1/agents/{agent_id}.
type AgentGetParams struct {
	// Version is the version to get; 0 means the latest.
	Version int64
}

// AgentListParams filters GET /v1/agents.
type AgentListParams struct {
	// CreatedAtGTE and CreatedAtLTE bound created_at (created_at[gte],
	// created_at[lte]); zero means unbounded.
	CreatedAtGTE, CreatedAtLTE time.Time
	// IncludeArchived lists archived agents too.
	IncludeArchived bool
	// Limit is the page size (API default 20, max 100).
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

func (p AgentListParams) values() (url.Values, error) {
	q, err := listQuery(p.Limit, p.Page)
	if err != nil {
		return nil, err
	}
	q.time("created_at[gte]", p.CreatedAtGTE)
	q.time("created_at[lte]", p.CreatedAtLTE)
	q.bool("include_archived", p.IncludeArchived)
	return url.Values(q), nil
}

// AgentArchiveParams are the parameters of POST /v1/agents/{agent_id}/archive;
// it has none yet.
type AgentArchiveParams struct{}

// AgentVersionListParams pages GET /v1/agents/{agent_id}/versions.
type AgentVersionListParams struct {
	// Limit is the page size (API default 20, max 100).
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// Create creates an agent at version 1.
//
// POST /v1/agents
func (s *AgentService) Create(ctx context.Context, params AgentCreateParams, opts ...option.RequestOption) (*Agent, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	return doJSON[Agent](ctx, s.client, agentsCreate.At().WithBody(params), opts)
}

// Get returns an agent: its latest version, or params.Version.
//
// GET /v1/agents/{agent_id}
func (s *AgentService) Get(ctx context.Context, agentID string, params AgentGetParams, opts ...option.RequestOption) (*Agent, error) {
	if params.Version < 0 {
		return nil, invalid("version", "must not be negative")
	}
	q := query{}
	q.int64("version", params.Version)
	return doJSON[Agent](ctx, s.client, agentsRetrieve.At(agentID).WithQuery(url.Values(q)), opts)
}

// Update changes an agent and returns it at its new version. Only the fields set
// in params change; see [AgentUpdateParams]. Archived agents cannot be updated.
//
// POST /v1/agents/{agent_id}
func (s *AgentService) Update(ctx context.Context, agentID string, params AgentUpdateParams, opts ...option.RequestOption) (*Agent, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	return doJSON[Agent](ctx, s.client, agentsUpdate.At(agentID).WithBody(params), opts)
}

// List returns one page of agents.
//
// GET /v1/agents
func (s *AgentService) List(ctx context.Context, params AgentListParams, opts ...option.RequestOption) (*Page[*Agent], error) {
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return doJSON[Page[*Agent]](ctx, s.client, agentsList.At().WithQuery(q), opts)
}

// ListAll iterates over the agents from params.Page on, fetching pages lazily,
// and stops at the first error.
//
// GET /v1/agents
func (s *AgentService) ListAll(ctx context.Context, params AgentListParams, opts ...option.RequestOption) iter.Seq2[*Agent, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*Agent], error) {
		p := params
		p.Page = page
		return s.List(ctx, p, opts...)
	})
}

// Archive archives an agent for good: it becomes read-only and new sessions
// cannot use it. Agents have no delete.
//
// POST /v1/agents/{agent_id}/archive
func (s *AgentService) Archive(ctx context.Context, agentID string, params AgentArchiveParams, opts ...option.RequestOption) (*Agent, error) {
	return doJSON[Agent](ctx, s.client, agentsArchive.At(agentID), opts)
}

// List returns one page of an agent's versions, one Agent per version.
//
// GET /v1/agents/{agent_id}/versions
func (s *AgentVersionService) List(ctx context.Context, agentID string, params AgentVersionListParams, opts ...option.RequestOption) (*Page[*Agent], error) {
	q, err := listQuery(params.Limit, params.Page)
	if err != nil {
		return nil, err
	}
	return doJSON[Page[*Agent]](ctx, s.client, agentsVersionsList.At(agentID).WithQuery(url.Values(q)), opts)
}

// ListAll iterates over an agent's versions from params.Page on, fetching pages
// lazily, and stops at the first error.
//
// GET /v1/agents/{agent_id}/versions
func (s *AgentVersionService) ListAll(ctx context.Context, agentID string, params AgentVersionListParams, opts ...option.RequestOption) iter.Seq2[*Agent, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*Agent], error) {
		p := params
		p.Page = page
		return s.List(ctx, agentID, p, opts...)
	})
}
