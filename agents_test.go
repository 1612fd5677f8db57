package managedagents

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pagesByCursor answers each request with pages[query "page"], or a 500 error
// for a cursor it does not know.
func pagesByCursor(pages map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Query().Get("page")]
		if !ok {
			replyJSON(500, `{"type":"error","error":{"type":"api_error","message":"boom"}}`)(w, r)
			return
		}
		replyJSON(200, body)(w, r)
	}
}

// requireInvalid asserts err is a *ValidationError for field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var verr *ValidationError
	require.True(t, errors.As(err, &verr), "want *ValidationError, got %v", err)
	require.Equal(t, field, verr.Field, "%v", err)
	require.ErrorIs(t, err, ErrInvalidParams)
}

// requireOneRequest asserts the one request recorded.
func requireOneRequest(t *testing.T, reqs []recorded, method, path, rawQuery string) recorded {
	t.Helper()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, method, r.Method)
	require.Equal(t, path, r.Path)
	require.Equal(t, rawQuery, r.RawQuery)
	require.Equal(t, testAPIKey, r.Header.Get("X-Api-Key"))
	require.Equal(t, "managed-agents-2026-04-01", r.Header.Get("Anthropic-Beta"))
	require.Equal(t, "2023-06-01", r.Header.Get("Anthropic-Version"))
	if len(r.Body) > 0 {
		require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	} else {
		require.Empty(t, r.Header.Get("Content-Type"))
	}
	return r
}

func parseTS(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return ts
}

func fullAgentCreateParams() AgentCreateParams {
	return AgentCreateParams{
		Name:        "Order Support Agent",
		Model:       ModelConfig{ID: "claude-sonnet-5-5", Effort: EffortMedium, Speed: SpeedFast, InferenceGeo: "us"},
		Description: "Answers order-status questions.",
		System:      "Be brief.",
		Tools: []Tool{
			&AgentToolset{
				DefaultConfig: &ToolsetDefaultConfig{Enabled: new(true), PermissionPolicy: PolicyAlwaysAllow},
				Configs: []ToolConfig{
					NewToolConfigEnabled(ToolBash, PolicyAlwaysAsk),
					NewToolConfigDisabled(ToolWrite),
					{
						Name: ToolWebFetch, Type: ToolWebFetch, PermissionPolicy: PolicyAuto,
						AllowedDomains: []string{"docs.example.com"}, MaxContentTokens: 20000,
						URLSources: &URLSources{
							UserInput:         &URLSourceFilter{Type: "all"},
							ServerToolResults: &URLSourceFilter{Type: "except", Tools: []ToolReference{{Name: "web_search"}}},
						},
					},
					{
						Name: ToolWebSearch, BlockedDomains: []string{"spam.example.com"},
						UserLocation: &UserLocation{City: "Paris", Country: "FR", Timezone: "Europe/Paris"},
					},
				},
			},
			NewMCPToolset("tickets", MCPToolConfig{Name: "close_ticket", Enabled: new(false), PermissionPolicy: PolicyAlwaysAsk}),
			NewMCPToolset("crm"),
			NewCustomTool("lookup_order", "Look up an order by number.", InputSchema{
				Properties: map[string]any{"order_number": map[string]any{"type": "string"}},
				Required:   []string{"order_number"},
				Extra:      map[string]any{"additionalProperties": false},
			}),
		},
		MCPServers:        []MCPServer{NewMCPServerURL("tickets", "https://mcp.tickets.example.com/mcp"), {Name: "crm", URL: "https://crm.example.com/mcp"}},
		Skills:            []SkillRef{NewSkillRefAnthropic("xlsx"), {Type: "custom", SkillID: "skill_01XJ5", Version: "2"}},
		ExecutionIdentity: NewExecutionIdentityAWSRole("arn:aws:iam::123456789012:role/runner"),
		Multiagent: &Multiagent{
			Type:      Multiagent20261001,
			Advisor:   &MultiagentAdvisor{Type: "enabled", Model: "claude-fable-5-2"},
			Subagents: &MultiagentMembers{Type: "enabled", PredefinedAgents: []MultiagentAgent{NewMultiagentAgent("agent_2", 0), NewMultiagentAgentSelf()}, InlineAgents: &MultiagentSwitch{Type: "disabled"}},
			Workflows: NewMultiagentMembersDisabled(),
		},
		Metadata: map[string]string{"team": "support"},
	}
}

func TestAgentCreate(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "agents/agent.json"))))
	a, err := c.Agents.Create(context.Background(), fullAgentCreateParams())
	require.NoError(t, err)
	require.Equal(t, "agent_011CMASi45ub7Qe4ZE36UT5G", a.ID)
	r := requireOneRequest(t, *reqs, "POST", "/v1/agents", "")
	assertGolden(t, "agents/create_full.json", r.Body)
}

func TestAgentCreateMinimalAndCoordinator(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "agents/agent_coordinator.json"))))
	_, err := c.Agents.Create(context.Background(), AgentCreateParams{Name: "Minimal", Model: ModelConfig{ID: "claude-haiku-5-5"}})
	require.NoError(t, err)
	_, err = c.Agents.Create(context.Background(), AgentCreateParams{
		Name:       "Coordinator",
		Model:      ModelConfig{ID: "claude-sonnet-5-5"},
		Multiagent: NewMultiagentCoordinator(NewMultiagentAgent("agent_1", 3), NewMultiagentAgentSelf(), NewMultiagentAgentAdvisor("claude-fable-5-2")),
	})
	require.NoError(t, err)
	require.Len(t, *reqs, 2)
	assertGolden(t, "agents/create_minimal.json", (*reqs)[0].Body)
	assertGolden(t, "agents/create_coordinator.json", (*reqs)[1].Body)
}

func TestAgentGet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		version int64
		query   string
	}{{"latest", 0, ""}, {"version", 3, "version=3"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "agents/agent.json"))))
			a, err := c.Agents.Get(context.Background(), "agent_011CMASi45ub7Qe4ZE36UT5G", AgentGetParams{Version: tc.version})
			require.NoError(t, err)
			require.Equal(t, int64(3), a.Version)
			requireOneRequest(t, *reqs, "GET", "/v1/agents/agent_011CMASi45ub7Qe4ZE36UT5G", tc.query)
		})
	}
}

func TestAgentUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params AgentUpdateParams
	}{
		{"agents/update_name.json", AgentUpdateParams{Name: "Renamed"}},
		{"agents/update_clear.json", AgentUpdateParams{
			Tools:      []Tool{},
			MCPServers: []MCPServer{},
			Skills:     []SkillRef{},
			Metadata:   MetadataPatch{}.Set("team", "core").Delete("env"),
			Version:    3,
			Clear:      []string{"description", "system", "multiagent"},
		}},
		{"agents/update_clear_metadata.json", AgentUpdateParams{Name: "Renamed", Clear: []string{"metadata", "execution_identity", "tools"}}},
		{"agents/update_replace.json", AgentUpdateParams{
			Model:             &ModelConfig{ID: "claude-opus-5-5", Effort: EffortMax},
			Tools:             []Tool{NewAgentToolset()},
			ExecutionIdentity: NewExecutionIdentityServiceAccount(),
			Multiagent:        &Multiagent{Type: Multiagent20261001, Workflows: NewMultiagentMembersEnabled()},
		}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "agents/agent.json"))))
			_, err := c.Agents.Update(context.Background(), "agent_011CMASi45ub7Qe4ZE36UT5G", tc.params)
			require.NoError(t, err)
			r := requireOneRequest(t, *reqs, "POST", "/v1/agents/agent_011CMASi45ub7Qe4ZE36UT5G", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestAgentListQuery(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "agents/page_of_agents.json"))))
	page, err := c.Agents.List(context.Background(), AgentListParams{
		CreatedAtGTE:    time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		CreatedAtLTE:    time.Date(2026, 11, 30, 23, 59, 59, 500_000_000, time.FixedZone("CET", 3600)),
		IncludeArchived: true,
		Limit:           50,
		Page:            "page_abc",
	})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/agents",
		"created_at%5Bgte%5D=2026-11-01T00%3A00%3A00Z&created_at%5Blte%5D=2026-11-30T22%3A59%3A59.5Z&include_archived=true&limit=50&page=page_abc")
	require.Len(t, page.Data, 2)
	require.True(t, page.HasNextPage())
	require.Equal(t, "Repo Janitor", page.Data[1].Name)
	require.Empty(t, page.Data[1].Skills)
	require.Empty(t, page.PrevPage)

	c2, reqs2 := newTestClient(t, replyJSON(200, `{"data":[],"next_page":null}`))
	page, err = c2.Agents.List(context.Background(), AgentListParams{})
	require.NoError(t, err)
	requireOneRequest(t, *reqs2, "GET", "/v1/agents", "")
	require.False(t, page.HasNextPage())
}

func TestAgentArchive(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "agents/agent_multiagent.json"))))
	a, err := c.Agents.Archive(context.Background(), "agent_011CZkYpogX7uDKUyvBTophP", AgentArchiveParams{})
	require.NoError(t, err)
	require.True(t, a.IsArchived())
	r := requireOneRequest(t, *reqs, "POST", "/v1/agents/agent_011CZkYpogX7uDKUyvBTophP/archive", "")
	require.Empty(t, r.Body)
}

func TestAgentVersions(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[{"id":"agent_1","type":"agent","version":2},{"id":"agent_1","type":"agent","version":1}],"next_page":"p2"}`,
		"p2": `{"data":[],"next_page":null}`,
	}))
	page, err := c.Agents.Versions.List(context.Background(), "agent_1", AgentVersionListParams{Limit: 2, Page: ""})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/agents/agent_1/versions", "limit=2")
	require.Equal(t, "p2", page.NextPage)

	var versions []int64
	for a, err := range c.Agents.Versions.ListAll(context.Background(), "agent_1", AgentVersionListParams{Limit: 2}) {
		require.NoError(t, err)
		versions = append(versions, a.Version)
	}
	require.Equal(t, []int64{2, 1}, versions)
	require.Len(t, *reqs, 3)
	require.Equal(t, "limit=2&page=p2", (*reqs)[2].RawQuery)
}

func TestAgentDecodeSample(t *testing.T) {
	t.Parallel()
	var a Agent
	require.NoError(t, json.Unmarshal(fixture(t, "agents/agent.json"), &a))
	require.Equal(t, "agent_011CMASi45ub7Qe4ZE36UT5G", a.ID)
	require.Equal(t, "agent", a.Type)
	require.Equal(t, "Order Support Agent", a.Name)
	require.Contains(t, a.Description, "order-status")
	require.Contains(t, a.System, "lookup_order")
	require.Equal(t, ModelConfig{ID: "claude-sonnet-5-5", Effort: EffortMedium, Speed: SpeedStandard}, a.Model)
	require.Len(t, a.Tools, 3)

	ts, ok := a.Tools[0].(*AgentToolset)
	require.True(t, ok)
	require.Equal(t, ToolTypeAgentToolset, ts.ToolType())
	require.Equal(t, &ToolsetDefaultConfig{Enabled: new(true), PermissionPolicy: PolicyAlwaysAllow}, ts.DefaultConfig)
	require.Len(t, ts.Configs, 8)
	require.Equal(t, ToolConfig{Name: "bash", Type: "bash", Enabled: new(true), PermissionPolicy: PolicyAlwaysAsk}, ts.Configs[0])
	fetch := ts.Configs[6]
	require.Equal(t, ToolWebFetch, fetch.Name)
	require.False(t, fetch.IsEnabled())
	require.Nil(t, fetch.URLSources)
	require.Zero(t, fetch.MaxContentTokens)
	search := ts.Configs[7]
	require.Equal(t, PolicyAuto, search.PermissionPolicy)
	require.Equal(t, []string{"docs.example.com"}, search.AllowedDomains)
	require.Nil(t, search.UserLocation)

	mcp, ok := a.Tools[1].(*MCPToolset)
	require.True(t, ok)
	require.Equal(t, "tickets", mcp.MCPServerName)
	require.Equal(t, PolicyAlwaysAsk, mcp.DefaultConfig.PermissionPolicy)
	require.Equal(t, []MCPToolConfig{{Name: "close_ticket", Enabled: new(false), PermissionPolicy: PolicyAlwaysAsk}}, mcp.Configs)
	require.False(t, mcp.Configs[0].IsEnabled())

	ct, ok := a.Tools[2].(*CustomTool)
	require.True(t, ok)
	require.Equal(t, "lookup_order", ct.Name)
	require.Contains(t, ct.Description, "Look up an order")
	require.Equal(t, "object", ct.InputSchema.Type)
	require.Equal(t, []string{"order_number"}, ct.InputSchema.Required)
	require.Equal(t, map[string]any{"type": "string", "description": "Order number without the leading #"}, ct.InputSchema.Properties["order_number"])
	require.Nil(t, ct.InputSchema.Extra)

	require.Equal(t, []MCPServer{{Type: "url", Name: "tickets", URL: "https://mcp.tickets.example.com/mcp"}}, a.MCPServers)
	require.Equal(t, []SkillRef{{Type: "anthropic", SkillID: "xlsx", Version: "20251013"}}, a.Skills)
	require.Equal(t, NewExecutionIdentityServiceAccount(), a.ExecutionIdentity)
	require.Nil(t, a.Multiagent)
	require.Equal(t, map[string]string{"team": "support", "env": "staging"}, a.Metadata)
	require.Equal(t, int64(3), a.Version)
	require.Equal(t, parseTS(t, "2026-11-02T09:14:07.412Z"), a.CreatedAt)
	require.Equal(t, parseTS(t, "2026-11-20T16:41:55.018Z"), a.UpdatedAt)
	require.True(t, a.ArchivedAt.IsZero())
	require.False(t, a.IsArchived())
	require.JSONEq(t, string(fixture(t, "agents/agent.json")), string(a.RawJSON()))
}

func TestAgentDecodeMultiagentAndUnknowns(t *testing.T) {
	t.Parallel()
	raw := fixture(t, "agents/agent_multiagent.json")
	var a Agent
	require.NoError(t, json.Unmarshal(raw, &a))
	require.Empty(t, a.Description)
	require.Empty(t, a.System)
	require.Equal(t, ModelConfig{ID: "claude-opus-5-5", Effort: EffortXHigh, Speed: SpeedFast, InferenceGeo: "us"}, a.Model)
	require.Equal(t, int64(1772585501101368014), a.Version)
	require.Equal(t, parseTS(t, "2026-11-21T08:00:00.5Z"), a.ArchivedAt)
	require.Equal(t, &ExecutionIdentity{Type: "aws_role", RoleARN: "arn:aws:iam::123456789012:role/agent-runner"}, a.ExecutionIdentity)
	require.Equal(t, []SkillRef{{Type: "custom", SkillID: "skill_01XJ5abc", Version: "3"}}, a.Skills)
	require.Empty(t, a.MCPServers)
	require.NotNil(t, a.MCPServers)

	ts := a.Tools[0].(*AgentToolset)
	require.False(t, *ts.DefaultConfig.Enabled)
	fetch := ts.Configs[0]
	require.Equal(t, []string{"evil.example.com"}, fetch.BlockedDomains)
	require.Equal(t, int64(50000), fetch.MaxContentTokens)
	require.Equal(t, &URLSources{
		UserInput:         &URLSourceFilter{Type: "all"},
		ClientToolResults: &URLSourceFilter{Type: "none"},
		ServerToolResults: &URLSourceFilter{Type: "only", Tools: []ToolReference{{Type: "tool_reference", Name: "web_search"}}},
	}, fetch.URLSources)
	require.Equal(t, &UserLocation{Type: "approximate", City: "Lyon", Region: "Auvergne-Rhône-Alpes", Country: "FR", Timezone: "Europe/Paris"}, ts.Configs[1].UserLocation)

	unk, ok := a.Tools[1].(*UnknownTool)
	require.True(t, ok)
	require.Equal(t, "code_interpreter_20270101", unk.ToolType())
	require.JSONEq(t, `{"type":"code_interpreter_20270101","name":"python","sandbox":{"memory_mb":2048}}`, string(unk.Raw))

	ct := a.Tools[2].(*CustomTool)
	require.Equal(t, map[string]any{"additionalProperties": false, "$defs": map[string]any{"level": map[string]any{"enum": []any{"info", "page"}}}}, ct.InputSchema.Extra)

	m := a.Multiagent
	require.NotNil(t, m)
	require.Equal(t, Multiagent20261001, m.Type)
	require.Equal(t, &MultiagentAdvisor{Type: "enabled", Model: "claude-fable-5-2"}, m.Advisor)
	require.Equal(t, "enabled", m.Subagents.Type)
	require.Equal(t, []MultiagentAgent{{Type: "agent", ID: "agent_011CMASi45ub7Qe4ZE36UT5G", Version: 3}}, m.Subagents.PredefinedAgents)
	require.Equal(t, &MultiagentSwitch{Type: "disabled"}, m.Subagents.InlineAgents)
	require.Equal(t, NewMultiagentMembersDisabled(), m.Workflows)
	require.Contains(t, string(m.RawJSON()), "future_knob")

	// Unknown fields are kept in RawJSON, and re-encoding then decoding gives the
	// same agent; the unknown tool goes back byte for byte.
	require.Contains(t, string(a.RawJSON()), `"future_field"`)
	out, err := json.Marshal(&a)
	require.NoError(t, err)
	require.Contains(t, string(out), `"sandbox":{"memory_mb":2048}`)
	var again Agent
	require.NoError(t, json.Unmarshal(out, &again))
	again.raw, a.raw = nil, nil
	again.Multiagent.raw, a.Multiagent.raw = nil, nil
	again.Tools[1].(*UnknownTool).Raw = json.RawMessage(compactJSON(t, again.Tools[1].(*UnknownTool).Raw))
	a.Tools[1].(*UnknownTool).Raw = json.RawMessage(compactJSON(t, a.Tools[1].(*UnknownTool).Raw))
	require.Equal(t, a, again)
}

func compactJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return out
}

func TestAgentDecodeCoordinator(t *testing.T) {
	t.Parallel()
	var a Agent
	require.NoError(t, json.Unmarshal(fixture(t, "agents/agent_coordinator.json"), &a))
	require.Equal(t, EffortHigh, a.Model.Effort)
	require.Empty(t, a.Model.Speed)
	require.Empty(t, a.Tools)
	require.Equal(t, &Multiagent{Type: MultiagentCoordinator, Agents: []MultiagentAgent{
		NewMultiagentAgent("agent_011CMASi45ub7Qe4ZE36UT5G", 3),
		NewMultiagentAgentAdvisor("claude-fable-5-2"),
	}, raw: a.Multiagent.raw}, a.Multiagent)
}

func TestAgentValidation(t *testing.T) {
	t.Parallel()
	valid := func() AgentCreateParams { return AgentCreateParams{Name: "a", Model: ModelConfig{ID: "m"}} }
	with := func(f func(*AgentCreateParams)) AgentCreateParams { p := valid(); f(&p); return p }
	for _, tc := range []struct {
		field  string
		params AgentCreateParams
	}{
		{"name", AgentCreateParams{Model: ModelConfig{ID: "m"}}},
		{"model.id", AgentCreateParams{Name: "a"}},
		{"tools[0]", with(func(p *AgentCreateParams) { p.Tools = []Tool{nil} })},
		{"tools[1]", with(func(p *AgentCreateParams) { p.Tools = []Tool{NewAgentToolset(), (*CustomTool)(nil)} })},
		{"tools[0].name", with(func(p *AgentCreateParams) { p.Tools = []Tool{NewCustomTool("", "d", InputSchema{Type: "object"})} })},
		{"tools[0].name", with(func(p *AgentCreateParams) {
			p.Tools = []Tool{NewCustomTool("look up", "d", InputSchema{Type: "object"})}
		})},
		{"tools[0].name", with(func(p *AgentCreateParams) { p.Tools = []Tool{NewCustomTool("é", "d", InputSchema{Type: "object"})} })},
		{"tools[0].description", with(func(p *AgentCreateParams) { p.Tools = []Tool{NewCustomTool("n", "", InputSchema{Type: "object"})} })},
		{"tools[0].input_schema", with(func(p *AgentCreateParams) { p.Tools = []Tool{NewCustomTool("n", "d", InputSchema{})} })},
		{"tools[0].input_schema.type", with(func(p *AgentCreateParams) { p.Tools = []Tool{NewCustomTool("n", "d", InputSchema{Type: "array"})} })},
		{"tools[2].configs[1].name", with(func(p *AgentCreateParams) {
			p.Tools = []Tool{NewCustomTool("n", "d", InputSchema{Type: "object"}), NewMCPToolset("s"), NewAgentToolset(NewToolConfigEnabled("bash", PolicyAlwaysAllow), ToolConfig{})}
		})},
		{"tools[0].configs[0].permission_policy.type", with(func(p *AgentCreateParams) {
			p.Tools = []Tool{NewAgentToolset(NewToolConfigEnabled("bash", PermissionPolicy("sometimes")))}
		})},
		{"tools[0].default_config.permission_policy.type", with(func(p *AgentCreateParams) {
			p.Tools = []Tool{&MCPToolset{MCPServerName: "s", DefaultConfig: &ToolsetDefaultConfig{PermissionPolicy: PermissionPolicy("never")}}}
		})},
		{"tools[0].configs[0].blocked_domains", with(func(p *AgentCreateParams) {
			p.Tools = []Tool{NewAgentToolset(ToolConfig{Name: ToolWebSearch, AllowedDomains: []string{"a"}, BlockedDomains: []string{"b"}})}
		})},
		{"tools[0].mcp_server_name", with(func(p *AgentCreateParams) { p.Tools = []Tool{&MCPToolset{}} })},
		{"tools[0].configs[0].name", with(func(p *AgentCreateParams) { p.Tools = []Tool{NewMCPToolset("s", MCPToolConfig{})} })},
		{"mcp_servers[0].url", with(func(p *AgentCreateParams) { p.MCPServers = []MCPServer{{Name: "s"}} })},
		{"mcp_servers[0].name", with(func(p *AgentCreateParams) { p.MCPServers = []MCPServer{{URL: "https://x"}} })},
		{"mcp_servers[1].name", with(func(p *AgentCreateParams) {
			p.Tools = []Tool{NewMCPToolset("s")}
			p.MCPServers = []MCPServer{NewMCPServerURL("s", "https://x"), NewMCPServerURL("s", "https://y")}
		})},
		{"mcp_servers[1]", with(func(p *AgentCreateParams) {
			p.Tools = []Tool{NewMCPToolset("s")}
			p.MCPServers = []MCPServer{NewMCPServerURL("s", "https://x"), NewMCPServerURL("unused", "https://y")}
		})},
		{"mcp_servers[0]", with(func(p *AgentCreateParams) { p.MCPServers = []MCPServer{NewMCPServerURL("s", "https://x")} })},
		{"tools[1].mcp_server_name", with(func(p *AgentCreateParams) {
			p.Tools = []Tool{NewMCPToolset("s"), NewMCPToolset("other")}
			p.MCPServers = []MCPServer{NewMCPServerURL("s", "https://x")}
		})},
		{"tools[0].mcp_server_name", with(func(p *AgentCreateParams) { p.Tools = []Tool{NewMCPToolset("s")} })},
		{"skills[0].skill_id", with(func(p *AgentCreateParams) { p.Skills = []SkillRef{{Type: "anthropic"}} })},
		{"skills[0].type", with(func(p *AgentCreateParams) { p.Skills = []SkillRef{{SkillID: "x"}} })},
		{"execution_identity.role_arn", with(func(p *AgentCreateParams) { p.ExecutionIdentity = &ExecutionIdentity{Type: "aws_role"} })},
		{"multiagent.type", with(func(p *AgentCreateParams) { p.Multiagent = &Multiagent{} })},
		{"multiagent.agents[1].id", with(func(p *AgentCreateParams) {
			p.Multiagent = NewMultiagentCoordinator(NewMultiagentAgentSelf(), MultiagentAgent{Type: "agent"})
		})},
		{"multiagent.agents[0].model", with(func(p *AgentCreateParams) { p.Multiagent = NewMultiagentCoordinator(MultiagentAgent{Type: "advisor"}) })},
		{"multiagent.advisor.model", with(func(p *AgentCreateParams) {
			p.Multiagent = &Multiagent{Type: Multiagent20261001, Advisor: &MultiagentAdvisor{Type: "enabled"}}
		})},
		{"multiagent.workflows.predefined_agents[0].type", with(func(p *AgentCreateParams) {
			p.Multiagent = &Multiagent{Type: Multiagent20261001, Workflows: NewMultiagentMembersEnabled(MultiagentAgent{})}
		})},
		{`metadata[""]`, with(func(p *AgentCreateParams) { p.Metadata = map[string]string{"": "x"} })},
	} {
		t.Run(tc.field, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, `{}`))
			_, err := c.Agents.Create(context.Background(), tc.params)
			requireInvalid(t, err, tc.field)
			require.Empty(t, *reqs)
		})
	}

	c, reqs := newTestClient(t, replyJSON(200, `{}`))
	ctx := context.Background()
	_, err := c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Clear: []string{"multiagent"}, Multiagent: NewMultiagentCoordinator()})
	requireInvalid(t, err, "multiagent")
	_, err = c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Description: "d", Clear: []string{"description"}})
	requireInvalid(t, err, "description")
	_, err = c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Tools: []Tool{}, Clear: []string{"tools"}})
	requireInvalid(t, err, "tools")
	_, err = c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Clear: []string{"name"}})
	requireInvalid(t, err, "clear[0]")
	_, err = c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Model: &ModelConfig{}})
	requireInvalid(t, err, "model.id")
	_, err = c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Tools: []Tool{}, MCPServers: []MCPServer{NewMCPServerURL("s", "https://x")}})
	requireInvalid(t, err, "mcp_servers[0]")
	// Only one of the two lists replaced: the stored other one may match it.
	require.NoError(t, AgentUpdateParams{MCPServers: []MCPServer{NewMCPServerURL("s", "https://x")}}.validate())
	require.NoError(t, AgentUpdateParams{Tools: []Tool{NewMCPToolset("s")}}.validate())
	_, err = c.Agents.Update(ctx, "", AgentUpdateParams{})
	requireInvalid(t, err, "agent_id")
	_, err = c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Metadata: MetadataPatch{"": nil}})
	requireInvalid(t, err, `metadata[""]`)
	_, err = c.Agents.Get(ctx, "a/b", AgentGetParams{})
	requireInvalid(t, err, "agent_id")
	_, err = c.Agents.Get(ctx, "agent_1", AgentGetParams{Version: -1})
	requireInvalid(t, err, "version")
	_, err = c.Agents.Archive(ctx, "..", AgentArchiveParams{})
	requireInvalid(t, err, "agent_id")
	_, err = c.Agents.List(ctx, AgentListParams{Limit: -1})
	requireInvalid(t, err, "limit")
	_, err = c.Agents.Versions.List(ctx, "", AgentVersionListParams{})
	requireInvalid(t, err, "agent_id")
	require.Empty(t, *reqs)
}

func TestAgentListAll(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[{"id":"agent_1","type":"agent"},{"id":"agent_2","type":"agent"}],"next_page":"p2"}`,
		"p2": `{"data":[],"next_page":"p3"}`,
		"p3": `{"data":[{"id":"agent_3","type":"agent"}],"next_page":null}`,
	}))
	var ids []string
	for a, err := range c.Agents.ListAll(context.Background(), AgentListParams{Limit: 2, IncludeArchived: true}) {
		require.NoError(t, err)
		ids = append(ids, a.ID)
	}
	require.Equal(t, []string{"agent_1", "agent_2", "agent_3"}, ids)
	require.Len(t, *reqs, 3)
	require.Equal(t, "include_archived=true&limit=2", (*reqs)[0].RawQuery)
	require.Equal(t, "include_archived=true&limit=2&page=p2", (*reqs)[1].RawQuery)
	require.Equal(t, "include_archived=true&limit=2&page=p3", (*reqs)[2].RawQuery)
}

func TestAgentListAllStopsAtFirstError(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"": `{"data":[{"id":"agent_1","type":"agent"}],"next_page":"gone"}`,
	}))
	var ids []string
	var errs []error
	for a, err := range c.Agents.ListAll(context.Background(), AgentListParams{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, a.ID)
	}
	require.Equal(t, []string{"agent_1"}, ids)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrServer)
	require.Len(t, *reqs, 2)

	// Breaking out of the loop fetches no more pages.
	for range c.Agents.ListAll(context.Background(), AgentListParams{}) {
		break
	}
	require.Len(t, *reqs, 3)
}

func TestEffortAndModelDecoding(t *testing.T) {
	t.Parallel()
	var m ModelConfig
	require.NoError(t, json.Unmarshal([]byte(`"claude-haiku-5-5"`), &m))
	require.Equal(t, ModelConfig{ID: "claude-haiku-5-5"}, m)
	require.NoError(t, json.Unmarshal([]byte(`{"id":"x","effort":"low","unknown":1}`), &m))
	require.Equal(t, ModelConfig{ID: "x", Effort: EffortLow}, m)
	require.NoError(t, json.Unmarshal([]byte(`{"id":"x","effort":{"type":"max"}}`), &m))
	require.Equal(t, EffortMax, m.Effort)
	b, err := json.Marshal(ModelConfig{ID: "x", Effort: EffortHigh})
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"x","effort":{"type":"high"}}`, string(b))
	require.Error(t, json.Unmarshal([]byte(`{"id":"x","effort":7}`), &m))
}
