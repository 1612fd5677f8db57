package managedagents

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSessionCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params SessionCreateParams
	}{
		{"sessions/create_minimal.json", SessionCreateParams{Agent: NewAgentRef("agent_011CMASi45ub7Qe4ZE36UT5G"), EnvironmentID: "env_011C9KTAb8dLcukC7edhDQ7c"}},
		{"sessions/create_full.json", SessionCreateParams{
			Agent:         &AgentRef{ID: "agent_011CMASi45ub7Qe4ZE36UT5G", Version: 3},
			EnvironmentID: "env_011C9KTAb8dLcukC7edhDQ7c",
			Title:         "Order #1234 status",
			Resources: []SessionResourceParams{
				&GitHubRepositoryResourceParams{URL: "https://github.com/example-org/support-playbooks", AuthorizationToken: NewSecret("ghp_example"), MountPath: "/workspace/playbooks", Checkout: NewCheckoutBranch("main")},
				&GitHubRepositoryResourceParams{URL: "https://github.com/example-org/public", Checkout: NewCheckoutCommit("4f2a9c1e")},
				&FileResourceParams{FileID: "file_011CDLhLaqEKVZkCJPt2H312", MountPath: "/mnt/data/report.pdf"},
				&MemoryStoreResourceParams{MemoryStoreID: "memstore_011CMemA1b2C3d4E5", Access: "read_only", Instructions: "Check past tickets."},
			},
			VaultIDs: []string{"vlt_011CNAYT3j5qcdsyuMNmPfYe"},
			Metadata: map[string]string{"customer_id": "cus_4821"},
			Budget:   NewBudgetLimit("2500", "USD"),
			InitialEvents: []EventParam{
				NewUserMessage("Where is my order?"),
				NewUserDefineOutcome("Answer with an ETA", NewRubricText("Gives a date.")),
			},
		}},
		{"sessions/create_overrides.json", SessionCreateParams{
			Agent: &AgentWithOverrides{
				ID:         "agent_011CMASi45ub7Qe4ZE36UT5G",
				Version:    2,
				Model:      &ModelConfig{ID: "claude-opus-5-5", InferenceGeo: "global"},
				System:     new(""),
				Tools:      []Tool{},
				MCPServers: []MCPServer{NewMCPServerURL("tickets", "https://mcp.tickets.example.com/mcp")},
				Skills:     []SkillRef{NewSkillRefCustom("skill_01XJ5")},
			},
			EnvironmentID: "env_011C9KTAb8dLcukC7edhDQ7c",
		}},
		{"sessions/create_overrides_latest.json", SessionCreateParams{Agent: &AgentWithOverrides{ID: "agent_1"}, EnvironmentID: "env_1"}},
		{"sessions/create_agent_latest.json", SessionCreateParams{Agent: &AgentRef{ID: "agent_1"}, EnvironmentID: "env_1"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "sessions/session.json"))))
			s, err := c.Sessions.Create(context.Background(), tc.params)
			require.NoError(t, err)
			require.Equal(t, "sesn_011Cn5d4gEYkbUrMWeWQLGsC", s.ID)
			r := requireOneRequest(t, *reqs, "POST", "/v1/sessions", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestSessionUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params SessionUpdateParams
	}{
		{"sessions/update_title_metadata.json", SessionUpdateParams{Title: "Renamed", Metadata: MetadataPatch{}.Set("channel", "email").Delete("customer_id")}},
		{"sessions/update_agent_budget.json", SessionUpdateParams{
			Agent:  &SessionAgentUpdate{Tools: []Tool{NewCustomTool("n", "d", InputSchema{Type: "object"})}, MCPServers: []MCPServer{}},
			Budget: NewBudgetLimit("5000", "USD"),
		}},
		{"sessions/update_remove_budget.json", SessionUpdateParams{Clear: []string{"budget"}, VaultIDs: []string{"vlt_1"}}},
		{"sessions/update_empty.json", SessionUpdateParams{}},
		{"sessions/update_clear_title_metadata.json", SessionUpdateParams{Clear: []string{"title", "metadata"}}},
		{"sessions/update_clear_agent_tools.json", SessionUpdateParams{
			Agent: &SessionAgentUpdate{MCPServers: []MCPServer{}},
			Clear: []string{"agent.tools"},
		}},
		{"sessions/update_clear_agent_only.json", SessionUpdateParams{Clear: []string{"agent.mcp_servers"}}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "sessions/session.json"))))
			_, err := c.Sessions.Update(context.Background(), "sesn_011Cn5d4gEYkbUrMWeWQLGsC", tc.params)
			require.NoError(t, err)
			r := requireOneRequest(t, *reqs, "POST", "/v1/sessions/sesn_011Cn5d4gEYkbUrMWeWQLGsC", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestSessionGetArchiveDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "sessions/session.json"))))
	_, err := c.Sessions.Get(ctx, "sesn_011Cn5d4gEYkbUrMWeWQLGsC", SessionGetParams{})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/sessions/sesn_011Cn5d4gEYkbUrMWeWQLGsC", "")

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "sessions/session_multiagent.json"))))
	s, err := c.Sessions.Archive(ctx, "sesn_011CMultiAgentSess1234567", SessionArchiveParams{})
	require.NoError(t, err)
	require.True(t, s.IsArchived())
	r := requireOneRequest(t, *reqs, "POST", "/v1/sessions/sesn_011CMultiAgentSess1234567/archive", "")
	require.Empty(t, r.Body)

	for _, body := range []string{string(fixture(t, "sessions/deleted.json")), ""} {
		c, reqs = newTestClient(t, replyJSON(200, body))
		d, err := c.Sessions.Delete(ctx, "sesn_011Cn5d4gEYkbUrMWeWQLGsC", SessionDeleteParams{})
		require.NoError(t, err)
		require.Equal(t, &DeletedObject{ID: "sesn_011Cn5d4gEYkbUrMWeWQLGsC", Type: "session_deleted"}, d)
		requireOneRequest(t, *reqs, "DELETE", "/v1/sessions/sesn_011Cn5d4gEYkbUrMWeWQLGsC", "")
	}

	c, _ = newTestClient(t, replyJSON(400, `{"type":"error","error":{"type":"invalid_request_error","message":"session is running"}}`))
	_, err = c.Sessions.Delete(ctx, "sesn_1", SessionDeleteParams{})
	require.ErrorIs(t, err, ErrBadRequest)
}

func TestSessionListQuery(t *testing.T) {
	t.Parallel()
	page := `{"data":[` + string(fixture(t, "sessions/session.json")) + `],"next_page":"p3","prev_page":"p1"}`
	c, reqs := newTestClient(t, replyJSON(200, page))
	ts := time.Date(2026, 11, 24, 10, 0, 0, 123456789, time.UTC)
	p, err := c.Sessions.List(context.Background(), SessionListParams{
		AgentID:         "agent_011CMASi45ub7Qe4ZE36UT5G",
		AgentVersion:    3,
		CreatedAtGT:     ts,
		CreatedAtGTE:    ts.Add(time.Second),
		CreatedAtLT:     ts.Add(time.Hour),
		CreatedAtLTE:    ts.Add(2 * time.Hour),
		DeploymentID:    "depl_1",
		IncludeArchived: true,
		Limit:           5,
		MemoryStoreID:   "memstore_1",
		Order:           OrderAsc,
		Page:            "p2",
		Statuses:        []SessionStatus{SessionStatusIdle, SessionStatusRunning},
	})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/sessions",
		"agent_id=agent_011CMASi45ub7Qe4ZE36UT5G&agent_version=3"+
			"&created_at%5Bgt%5D=2026-11-24T10%3A00%3A00.123456Z"+
			"&created_at%5Bgte%5D=2026-11-24T10%3A00%3A01.123456Z"+
			"&created_at%5Blt%5D=2026-11-24T11%3A00%3A00.123456Z"+
			"&created_at%5Blte%5D=2026-11-24T12%3A00%3A00.123456Z"+
			"&deployment_id=depl_1&include_archived=true&limit=5&memory_store_id=memstore_1"+
			"&order=asc&page=p2&statuses%5B%5D=idle&statuses%5B%5D=running")
	require.Equal(t, "p3", p.NextPage)
	require.Equal(t, "p1", p.PrevPage)
	require.Len(t, p.Data, 1)

	c, reqs = newTestClient(t, replyJSON(200, `{"data":[],"next_page":null,"prev_page":null}`))
	p, err = c.Sessions.List(context.Background(), SessionListParams{Order: OrderDesc})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/sessions", "order=desc")
	require.False(t, p.HasNextPage())
	require.Empty(t, p.PrevPage)
}

func TestSessionListAll(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[{"id":"sesn_1","type":"session","status":"idle"}],"next_page":"p2","prev_page":null}`,
		"p2": `{"data":[],"next_page":"p3","prev_page":"p1"}`,
		"p3": `{"data":[{"id":"sesn_2","type":"session","status":"terminated"},{"id":"sesn_3","type":"session","status":"running"}],"next_page":null,"prev_page":"p2"}`,
	}))
	var ids []string
	for s, err := range c.Sessions.ListAll(context.Background(), SessionListParams{Statuses: []SessionStatus{SessionStatusIdle}}) {
		require.NoError(t, err)
		ids = append(ids, s.ID)
	}
	require.Equal(t, []string{"sesn_1", "sesn_2", "sesn_3"}, ids)
	require.Len(t, *reqs, 3)
	require.Equal(t, "page=p3&statuses%5B%5D=idle", (*reqs)[2].RawQuery)

	c, reqs = newTestClient(t, pagesByCursor(map[string]string{"": `{"data":[{"id":"sesn_1","type":"session"}],"next_page":"bad"}`}))
	var n, errs int
	for _, err := range c.Sessions.ListAll(context.Background(), SessionListParams{}) {
		if err != nil {
			errs++
			require.ErrorIs(t, err, ErrServer)
			continue
		}
		n++
	}
	require.Equal(t, 1, n)
	require.Equal(t, 1, errs)
	require.Len(t, *reqs, 2)
}

func TestSessionDecodeSample(t *testing.T) {
	t.Parallel()
	var s Session
	require.NoError(t, json.Unmarshal(fixture(t, "sessions/session.json"), &s))
	require.Equal(t, "sesn_011Cn5d4gEYkbUrMWeWQLGsC", s.ID)
	require.Equal(t, "session", s.Type)
	require.Equal(t, "Order #1234 status", s.Title)
	require.Equal(t, SessionStatusIdle, s.Status)

	a := s.Agent
	require.Equal(t, "agent_011CMASi45ub7Qe4ZE36UT5G", a.ID)
	require.Equal(t, "agent", a.Type)
	require.Equal(t, int64(3), a.Version)
	require.Equal(t, "Order Support Agent", a.Name)
	require.Contains(t, a.Description, "order-status")
	require.Contains(t, a.System, "Be brief")
	require.Equal(t, ModelConfig{ID: "claude-sonnet-5-5", Effort: EffortMedium, Speed: SpeedStandard}, a.Model)
	require.Len(t, a.Tools, 3)
	require.IsType(t, &AgentToolset{}, a.Tools[0])
	require.IsType(t, &MCPToolset{}, a.Tools[1])
	require.IsType(t, &CustomTool{}, a.Tools[2])
	require.Equal(t, []MCPServer{NewMCPServerURL("tickets", "https://mcp.tickets.example.com/mcp")}, a.MCPServers)
	require.Equal(t, []SkillRef{{Type: "anthropic", SkillID: "xlsx", Version: "20251013"}}, a.Skills)
	require.Equal(t, NewExecutionIdentityServiceAccount(), a.ExecutionIdentity)
	require.Nil(t, a.Multiagent)

	require.Equal(t, "env_011C9KTAb8dLcukC7edhDQ7c", s.EnvironmentID)
	require.Len(t, s.Resources, 2)
	gh := s.Resources[0].(*GitHubRepositoryResource)
	require.Equal(t, &GitHubRepositoryResource{
		ObjectMeta: ObjectMeta{ID: "sesrsc_011CmrG6dLaYyNoVKf58ZTBq", Type: "github_repository", CreatedAt: parseTS(t, "2026-11-24T10:02:11.530Z"), UpdatedAt: parseTS(t, "2026-11-24T10:02:11.530Z")},
		URL:        "https://github.com/example-org/support-playbooks", MountPath: "/workspace/support-playbooks",
		Checkout: NewCheckoutBranch("main"),
	}, withoutRaw(gh))
	f := s.Resources[1].(*FileResource)
	require.Equal(t, "sesrsc_011CqT7wX2Jd9kPbVf3RzLme", f.ResourceID())
	require.Equal(t, "file_011CDLhLaqEKVZkCJPt2H312", f.FileID)
	require.Equal(t, "/mnt/session/uploads/file_011CDLhLaqEKVZkCJPt2H312", f.MountPath)

	require.Equal(t, []string{"vlt_011CNAYT3j5qcdsyuMNmPfYe"}, s.VaultIDs)
	require.Equal(t, map[string]string{"customer_id": "cus_4821", "channel": "chat"}, s.Metadata)
	require.Equal(t, NewBudgetLimit("500", "USD"), s.Budget)
	require.Equal(t, SessionUsage{
		InputTokens: 18422, OutputTokens: 1307, CacheReadInputTokens: 40960,
		CacheCreation: &CacheCreation{Ephemeral5mInputTokens: 6144},
		ActiveSeconds: 41.87,
		ListCost:      &Money{Amount: "14", Currency: "USD"},
		ServerToolUse: &ServerToolUse{WebSearchRequests: 1},
	}, s.Usage)
	require.Equal(t, SessionStats{ActiveSeconds: 41.87, DurationSeconds: 318.2}, s.Stats)
	require.Empty(t, s.OutcomeEvaluations)
	require.Empty(t, s.DeploymentID)
	require.Equal(t, parseTS(t, "2026-11-24T10:02:09.114Z"), s.CreatedAt)
	require.Equal(t, parseTS(t, "2026-11-24T10:07:27.352Z"), s.UpdatedAt)
	require.False(t, s.IsArchived())
}

func TestSessionDecodeMultiagent(t *testing.T) {
	t.Parallel()
	raw := fixture(t, "sessions/session_multiagent.json")
	var s Session
	require.NoError(t, json.Unmarshal(raw, &s))
	require.Empty(t, s.Title)
	require.Equal(t, SessionStatusRunning, s.Status)
	require.Nil(t, s.Budget)
	require.Equal(t, SessionUsage{}, s.Usage)
	require.Equal(t, "depl_011CDeployA1b2", s.DeploymentID)
	require.Equal(t, parseTS(t, "2026-11-25T00:00:00Z"), s.ArchivedAt)

	m := s.Agent.Multiagent
	require.Equal(t, MultiagentCoordinator, m.Type)
	require.Len(t, m.Agents, 2)
	snap := m.Agents[0]
	require.Equal(t, "agent", snap.Type)
	require.Equal(t, "agent_011CMASi45ub7Qe4ZE36UT5G", snap.ID)
	require.Equal(t, int64(3), snap.Version)
	require.Empty(t, snap.Model)
	require.NotNil(t, snap.Snapshot)
	require.Equal(t, "Order Support Agent", snap.Snapshot.Name)
	require.Equal(t, ModelConfig{ID: "claude-haiku-5-5", Effort: EffortLow}, snap.Snapshot.Model)
	require.Equal(t, "lookup_order", snap.Snapshot.Tools[0].(*CustomTool).Name)
	require.Equal(t, NewMultiagentAgentAdvisor("claude-fable-5-2"), m.Agents[1])

	require.Len(t, s.Resources, 3)
	require.Equal(t, &GitHubRepositoryResource{
		ObjectMeta: ObjectMeta{ID: "sesrsc_011CmrG6dLaYyNoVKf58ZTBq", Type: "github_repository", CreatedAt: parseTS(t, "2026-11-24T10:02:11.530Z"), UpdatedAt: parseTS(t, "2026-11-24T10:02:11.530Z")},
		URL:        "https://github.com/example-org/support-playbooks", MountPath: "/workspace/support-playbooks",
		Checkout: NewCheckoutCommit("4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"),
	}, withoutRaw(s.Resources[0]))
	require.Equal(t, &MemoryStoreResource{
		ObjectMeta: ObjectMeta{Type: "memory_store"}, MemoryStoreID: "memstore_011CMemA1b2C3d4E5", Access: "read_only",
		Instructions: "Check past tickets before answering.", Description: "Support history",
		Name: "support-history", MountPath: "/mnt/memory/support-history",
	}, withoutRaw(s.Resources[1]))
	require.Empty(t, s.Resources[1].ResourceID())
	unk := s.Resources[2].(*UnknownResource)
	require.Equal(t, "s3_bucket", unk.ResourceType())
	require.Equal(t, "sesrsc_011CNewKindX1y2Z3", unk.ResourceID())
	require.JSONEq(t, `{"id":"sesrsc_011CNewKindX1y2Z3","type":"s3_bucket","bucket":"example-data","mount_path":"/mnt/s3"}`, string(unk.RawJSON()))

	require.Equal(t, []OutcomeEvaluation{
		{Type: "outcome_evaluation", OutcomeID: "outc_011COutcomeA1b2", Description: "A summary of every open ticket", Result: "needs_revision", Iteration: 2, Explanation: "Two tickets are missing."},
		{Type: "outcome_evaluation", OutcomeID: "outc_011COutcomeC3d4", Description: "A CSV export", Result: "satisfied", Iteration: 1, Explanation: "Done.", CompletedAt: parseTS(t, "2026-11-24T10:05:00.25Z")},
	}, s.OutcomeEvaluations)

	// Unknown fields survive in RawJSON; re-encoding keeps the unknown resource.
	require.JSONEq(t, string(raw), string(s.RawJSON()))
	out, err := json.Marshal(&s)
	require.NoError(t, err)
	var again Session
	require.NoError(t, json.Unmarshal(out, &again))
	for i := range 2 {
		require.Equal(t, withoutRaw(s.Resources[i]), withoutRaw(again.Resources[i]))
	}
	require.Equal(t, "s3_bucket", again.Resources[2].ResourceType())
	require.Equal(t, s.OutcomeEvaluations, again.OutcomeEvaluations)
	require.Equal(t, s.ArchivedAt, again.ArchivedAt)
}

func TestSessionValidation(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, `{}`))
	ctx := context.Background()
	ok := func(f func(*SessionCreateParams)) SessionCreateParams {
		p := SessionCreateParams{Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1"}
		f(&p)
		return p
	}
	for _, tc := range []struct {
		field  string
		params SessionCreateParams
	}{
		{"agent", SessionCreateParams{EnvironmentID: "env_1"}},
		{"agent.id", ok(func(p *SessionCreateParams) { p.Agent = NewAgentRef("") })},
		{"agent.id", ok(func(p *SessionCreateParams) { p.Agent = &AgentRef{Version: 1} })},
		{"agent.version", ok(func(p *SessionCreateParams) { p.Agent = &AgentRef{ID: "a", Version: -1} })},
		{"agent", ok(func(p *SessionCreateParams) { p.Agent = (*AgentWithOverrides)(nil) })},
		{"agent.id", ok(func(p *SessionCreateParams) { p.Agent = &AgentWithOverrides{} })},
		{"agent.model.id", ok(func(p *SessionCreateParams) { p.Agent = &AgentWithOverrides{ID: "a", Model: &ModelConfig{}} })},
		{"agent.tools[0].name", ok(func(p *SessionCreateParams) { p.Agent = &AgentWithOverrides{ID: "a", Tools: []Tool{&CustomTool{}}} })},
		{"environment_id", ok(func(p *SessionCreateParams) { p.EnvironmentID = "" })},
		{"resources[0].url", ok(func(p *SessionCreateParams) { p.Resources = []SessionResourceParams{&GitHubRepositoryResourceParams{}} })},
		{"resources[0].checkout.type", ok(func(p *SessionCreateParams) {
			p.Resources = []SessionResourceParams{&GitHubRepositoryResourceParams{URL: "u", Checkout: &Checkout{Name: "main"}}}
		})},
		{"resources[0].checkout.name", ok(func(p *SessionCreateParams) {
			p.Resources = []SessionResourceParams{&GitHubRepositoryResourceParams{URL: "u", Checkout: NewCheckoutBranch("")}}
		})},
		{"resources[0].checkout.sha", ok(func(p *SessionCreateParams) {
			p.Resources = []SessionResourceParams{&GitHubRepositoryResourceParams{URL: "u", Checkout: NewCheckoutCommit("")}}
		})},
		{"resources[1].file_id", ok(func(p *SessionCreateParams) {
			p.Resources = []SessionResourceParams{&FileResourceParams{FileID: "f"}, &FileResourceParams{}}
		})},
		{"resources[0].memory_store_id", ok(func(p *SessionCreateParams) { p.Resources = []SessionResourceParams{&MemoryStoreResourceParams{}} })},
		{"resources[0]", ok(func(p *SessionCreateParams) { p.Resources = []SessionResourceParams{nil} })},
		{"resources[0]", ok(func(p *SessionCreateParams) { p.Resources = []SessionResourceParams{(*FileResourceParams)(nil)} })},
		{"vault_ids[0]", ok(func(p *SessionCreateParams) { p.VaultIDs = []string{""} })},
		{"budget.max_list_cost.amount", ok(func(p *SessionCreateParams) { p.Budget = NewBudgetLimit("", "USD") })},
		{"budget.max_list_cost.currency", ok(func(p *SessionCreateParams) { p.Budget = NewBudgetLimit("1", "") })},
		{"budget.max_list_cost.amount", ok(func(p *SessionCreateParams) { p.Budget = NewBudgetLimit("25.00", "USD") })},
		{"budget.max_list_cost.amount", ok(func(p *SessionCreateParams) { p.Budget = NewBudgetLimit("0250", "USD") })},
		{"budget.max_list_cost.amount", ok(func(p *SessionCreateParams) { p.Budget = NewBudgetLimit("-5", "USD") })},
		{"budget.type", ok(func(p *SessionCreateParams) { p.Budget = &Budget{} })},
		{"initial_events[0]", ok(func(p *SessionCreateParams) { p.InitialEvents = []EventParam{nil} })},
		{"initial_events[1]", ok(func(p *SessionCreateParams) { p.InitialEvents = []EventParam{NewUserMessage("hi"), NewUserInterrupt()} })},
		{"initial_events[0].content[0].text", ok(func(p *SessionCreateParams) { p.InitialEvents = []EventParam{NewUserMessage("")} })},
		{"initial_events", ok(func(p *SessionCreateParams) {
			p.InitialEvents = make([]EventParam, 51)
			for i := range p.InitialEvents {
				p.InitialEvents[i] = NewUserMessage("hi")
			}
		})},
		{"metadata", ok(func(p *SessionCreateParams) { p.Metadata = map[string]string{"": ""} })},
	} {
		_, err := c.Sessions.Create(ctx, tc.params)
		requireInvalid(t, err, tc.field)
	}

	_, err := c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Clear: []string{"budget"}, Budget: NewBudgetLimit("1", "USD")})
	requireInvalid(t, err, "budget")
	_, err = c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Clear: []string{"title"}, Title: "t"})
	requireInvalid(t, err, "title")
	_, err = c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Clear: []string{"agent.tools"}, Agent: &SessionAgentUpdate{Tools: []Tool{}}})
	requireInvalid(t, err, "agent.tools")
	_, err = c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Clear: []string{"metadata", "metadata"}})
	requireInvalid(t, err, "clear[1]")
	_, err = c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Clear: []string{"Title"}})
	requireInvalid(t, err, "clear[0]")
	_, err = c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Clear: []string{"vault_ids"}})
	requireInvalid(t, err, "clear[0]")
	_, err = c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Agent: &SessionAgentUpdate{Tools: []Tool{&MCPToolset{}}}})
	requireInvalid(t, err, "agent.tools[0].mcp_server_name")
	_, err = c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Agent: &SessionAgentUpdate{MCPServers: []MCPServer{{}}}})
	requireInvalid(t, err, "agent.mcp_servers[0].name")
	_, err = c.Sessions.Update(ctx, "", SessionUpdateParams{})
	requireInvalid(t, err, "session_id")
	_, err = c.Sessions.Get(ctx, "sesn 1", SessionGetParams{})
	requireInvalid(t, err, "session_id")
	_, err = c.Sessions.Delete(ctx, "sesn%1", SessionDeleteParams{})
	requireInvalid(t, err, "session_id")
	_, err = c.Sessions.Archive(ctx, ".", SessionArchiveParams{})
	requireInvalid(t, err, "session_id")

	for _, tc := range []struct {
		field  string
		params SessionListParams
	}{
		{"agent_version", SessionListParams{AgentVersion: 2}},
		{"agent_version", SessionListParams{AgentID: "a", AgentVersion: -2}},
		{"order", SessionListParams{Order: "newest"}},
		{"limit", SessionListParams{Limit: -1}},
		{"statuses[1]", SessionListParams{Statuses: []SessionStatus{SessionStatusIdle, "paused"}}},
	} {
		_, err := c.Sessions.List(ctx, tc.params)
		requireInvalid(t, err, tc.field)
	}
	for _, err := range c.Sessions.ListAll(ctx, SessionListParams{Order: "up"}) {
		requireInvalid(t, err, "order")
	}
	require.Empty(t, *reqs)
}
