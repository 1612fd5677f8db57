package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[anthropic.BetaManagedAgentsSession](managedagentstest.RouteCreateSession, managedagentstest.RouteGetSession,
		managedagentstest.RouteUpdateSession, managedagentstest.RouteArchiveSession)
	answers[pagination.BidirectionalPageCursor[anthropic.BetaManagedAgentsSession]](managedagentstest.RouteListSessions)
	answers[anthropic.BetaManagedAgentsDeletedSession](managedagentstest.RouteDeleteSession)
	// reference §4.9: title, budget and archived_at are null until set; §4.5:
	// a session's agent.multiagent is null for a single-threaded agent.
	allowNull("BetaManagedAgentsSession.title", "BetaManagedAgentsSession.budget", "BetaManagedAgentsSession.archived_at",
		"BetaManagedAgentsSessionAgent.multiagent")
	// reference §4.12: a repository's checkout is null when not given.
	allowNull("BetaManagedAgentsGitHubRepositoryResource.checkout")
	// reference §4.9: an outcome evaluation's completed_at is null until it completes.
	allowNull("BetaManagedAgentsOutcomeEvaluationResource.completed_at")
}

// fixture is an environment and agents of every multiagent kind to start
// sessions from.
type fixture struct {
	env                             *anthropic.BetaEnvironment
	helper, coordinator, multiagent *anthropic.BetaManagedAgentsAgent
}

func newFixture(t *testing.T, h *harness) fixture {
	t.Helper()
	ctx := context.Background()
	var f fixture
	f.env = must(h.client.Beta.Environments.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "env-" + t.Name()}))(t)
	f.helper = must(h.client.Beta.Agents.New(ctx, anthropic.BetaAgentNewParams{Name: "Helper",
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-haiku-5-5"},
		Tools: []anthropic.BetaAgentNewParamsToolUnion{{OfAgentToolset20260401: &anthropic.BetaManagedAgentsAgentToolset20260401Params{}}},
	}))(t)
	f.coordinator = must(h.client.Beta.Agents.New(ctx, fullAgentParams(f.helper.ID)))(t)
	f.multiagent = must(h.client.Beta.Agents.New(ctx, anthropic.BetaAgentNewParams{Name: "Orchestrator",
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-opus-5-5"},
		Multiagent: anthropic.BetaManagedAgentsMultiagentParamsUnion{OfMultiagent20261001: &anthropic.BetaManagedAgentsMultiagent20261001Params{
			Advisor: anthropic.BetaManagedAgentsMultiagentAdvisorParamsOfEnabled("claude-opus-5-5"),
			Workflows: anthropic.BetaManagedAgentsMultiagentWorkflowsParamsUnion{OfEnabled: &anthropic.BetaManagedAgentsMultiagentWorkflowsEnabledParams{
				PredefinedAgents: []anthropic.BetaManagedAgentsMultiagentPredefinedAgentParamsUnion{
					{OfBetaManagedAgentsAgents: &anthropic.BetaManagedAgentsAgentParams{ID: f.helper.ID, Version: anthropic.Int(1)}}},
			}},
		}},
	}))(t)
	return f
}

// Sessions from every form of agent reference, with every resource kind,
// budget, vaults and initial events, then read, updated, listed with every
// filter, archived and deleted.
func TestSessions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, managedagentstest.WithClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)))
	ctx := context.Background()
	f := newFixture(t, h)
	sessions := h.client.Beta.Sessions
	store := must(h.client.Beta.MemoryStores.New(ctx, anthropic.BetaMemoryStoreNewParams{Name: "Team notes"}))(t)

	plain := must(sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.helper.ID)}, EnvironmentID: f.env.ID}))(t)
	h.srv.AdvanceClock(time.Second)
	vault := must(h.client.Beta.Vaults.New(ctx, anthropic.BetaVaultNewParams{DisplayName: "session vault"}))(t)
	full := must(sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent:         anthropic.BetaSessionNewParamsAgentUnion{OfBetaManagedAgentsAgents: &anthropic.BetaManagedAgentsAgentParams{ID: f.coordinator.ID, Version: anthropic.Int(1)}},
		EnvironmentID: f.env.ID,
		Title:         anthropic.String("Order #1234"),
		Metadata:      map[string]string{"customer": "c_1"},
		VaultIDs:      []string{vault.ID},
		Budget:        anthropic.BetaManagedAgentsBudgetLimitParam{MaxListCost: anthropic.BetaMonetaryAmountParam{Amount: "2500", Currency: "USD"}},
		Resources: []anthropic.BetaSessionNewParamsResourceUnion{
			{OfGitHubRepository: &anthropic.BetaManagedAgentsGitHubRepositoryResourceParams{URL: "https://github.com/o/r.git",
				AuthorizationToken: "ghp_secret", Checkout: anthropic.BetaManagedAgentsGitHubRepositoryResourceParamsCheckoutUnion{
					OfBranch: &anthropic.BetaManagedAgentsBranchCheckoutParam{Name: "main"}}}},
			{OfGitHubRepository: &anthropic.BetaManagedAgentsGitHubRepositoryResourceParams{URL: "https://github.com/o/docs",
				MountPath: anthropic.String("/workspace/docs"), Checkout: anthropic.BetaManagedAgentsGitHubRepositoryResourceParamsCheckoutUnion{
					OfCommit: &anthropic.BetaManagedAgentsCommitCheckoutParam{Sha: "0123456789abcdef0123456789abcdef01234567"}}}},
			{OfGitHubRepository: &anthropic.BetaManagedAgentsGitHubRepositoryResourceParams{URL: "https://github.com/o/plain"}},
			{OfFile: &anthropic.BetaManagedAgentsFileResourceParams{FileID: "file_011CFakeFile"}},
			{OfMemoryStore: &anthropic.BetaManagedAgentsMemoryStoreResourceParam{MemoryStoreID: store.ID,
				Access: "read_only", Instructions: anthropic.String("Team notes.")}},
		},
		InitialEvents: []anthropic.BetaSessionNewParamsInitialEventUnion{
			{OfUserDefineOutcome: &anthropic.BetaManagedAgentsUserDefineOutcomeEventParams{Description: "A passing build",
				Rubric: anthropic.BetaManagedAgentsUserDefineOutcomeEventParamsRubricUnion{
					OfText: &anthropic.BetaManagedAgentsTextRubricParams{Content: "The build passes."}}}},
		},
	}))(t)
	if got := full.Agent.Multiagent.Agents; len(got) != 3 || got[0].Name != "Helper" || got[1].Name != "Coder" || got[2].Type != "advisor" {
		t.Errorf("coordinator roster not expanded to agent snapshots: %s", full.Agent.Multiagent.RawJSON())
	}
	if len(full.Resources) != 5 || len(full.OutcomeEvaluations) != 1 || full.Budget.MaxListCost.Amount != "2500" {
		t.Errorf("created: %s", full.RawJSON())
	}
	h.srv.AdvanceClock(time.Second)
	overridden := must(sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfBetaManagedAgentsAgentWithOverridess: &anthropic.BetaManagedAgentsAgentWithOverridesParams{
			ID: f.multiagent.ID, System: anthropic.String("Override."),
			Model:      anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-sonnet-5-5", InferenceGeo: anthropic.String("global")},
			Tools:      []anthropic.BetaManagedAgentsAgentWithOverridesParamsToolUnion{{OfCustom: &anthropic.BetaManagedAgentsCustomToolParams{Name: "lookup", Description: "Look up.", InputSchema: anthropic.BetaManagedAgentsCustomToolInputSchemaParam{Properties: map[string]any{}}}}},
			MCPServers: []anthropic.BetaManagedAgentsURLMCPServerParams{},
			Skills:     []anthropic.BetaManagedAgentsSkillParamsUnion{anthropic.BetaManagedAgentsSkillParamsOfAnthropic("pdf")},
		}},
		EnvironmentID: f.env.ID,
	}))(t)
	if got := overridden.Agent.Multiagent.Workflows.PredefinedAgents; len(got) != 1 || got[0].Name != "Helper" {
		t.Errorf("workflow agents not expanded to agent snapshots: %s", overridden.Agent.Multiagent.RawJSON())
	}

	got := must(sessions.Get(ctx, full.ID, anthropic.BetaSessionGetParams{}))(t)
	if got.ID != full.ID {
		t.Errorf("get: %s", got.RawJSON())
	}
	updated := must(sessions.Update(ctx, plain.ID, anthropic.BetaSessionUpdateParams{
		Title: anthropic.String("Renamed"), Metadata: map[string]string{"k": "v"},
		Agent: anthropic.BetaManagedAgentsSessionAgentUpdateParam{
			Tools:      []anthropic.BetaManagedAgentsSessionAgentUpdateToolUnionParam{{OfAgentToolset20260401: &anthropic.BetaManagedAgentsAgentToolset20260401Params{}}},
			MCPServers: []anthropic.BetaManagedAgentsURLMCPServerParams{},
		},
	}))(t)
	if updated.Title != "Renamed" {
		t.Errorf("update: %s", updated.RawJSON())
	}
	raised := must(sessions.Update(ctx, full.ID, anthropic.BetaSessionUpdateParams{
		Budget: anthropic.BetaManagedAgentsBudgetLimitParam{MaxListCost: anthropic.BetaMonetaryAmountParam{Amount: "5000", Currency: "USD"}}}))(t)
	if raised.Budget.MaxListCost.Amount != "5000" {
		t.Errorf("budget update: %s", raised.RawJSON())
	}

	// Every filter of the list, and both page directions.
	lists := []anthropic.BetaSessionListParams{
		{Limit: anthropic.Int(1), Order: "asc"},
		{AgentID: anthropic.String(f.coordinator.ID), AgentVersion: anthropic.Int(1)},
		{Statuses: []string{"idle", "running"}, IncludeArchived: anthropic.Bool(true)},
		{CreatedAtGt: anthropic.Time(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)), CreatedAtLt: anthropic.Time(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)),
			CreatedAtGte: anthropic.Time(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)), CreatedAtLte: anthropic.Time(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))},
		{MemoryStoreID: anthropic.String(store.ID)},
		{DeploymentID: anthropic.String("depl_011CFake")},
	}
	counts := []int{3, 1, 3, 3, 1, 0}
	for i, p := range lists {
		n := 0
		for page := must(sessions.List(ctx, p))(t); page != nil; page = must(page.GetNextPage())(t) {
			n += len(page.Data)
		}
		if n != counts[i] {
			t.Errorf("list %d: %d sessions, want %d", i, n, counts[i])
		}
	}

	archived := must(sessions.Archive(ctx, plain.ID, anthropic.BetaSessionArchiveParams{}))(t)
	if archived.ArchivedAt.IsZero() {
		t.Errorf("archive: %s", archived.RawJSON())
	}
	deleted := must(sessions.Delete(ctx, overridden.ID, anthropic.BetaSessionDeleteParams{}))(t)
	if deleted.ID != overridden.ID {
		t.Errorf("delete: %s", deleted.RawJSON())
	}
	_, err := sessions.Get(ctx, overridden.ID, anthropic.BetaSessionGetParams{})
	h.wantError(err, 404, "not_found_error")
	_, err = sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.helper.ID)}, EnvironmentID: "env_missing"})
	h.wantError(err, 404, "not_found_error")
	_, err = sessions.Update(ctx, plain.ID, anthropic.BetaSessionUpdateParams{Title: anthropic.String("Archived")})
	h.wantError(err, 400, "invalid_request_error")
}
