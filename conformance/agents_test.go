package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/param"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[anthropic.BetaManagedAgentsAgent](managedagentstest.RouteCreateAgent, managedagentstest.RouteGetAgent,
		managedagentstest.RouteUpdateAgent, managedagentstest.RouteArchiveAgent)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsAgent]](managedagentstest.RouteListAgents,
		managedagentstest.RouteListAgentVersions)
	// reference §4.1: archived_at and multiagent are null until set.
	allowNull("BetaManagedAgentsAgent.archived_at", "BetaManagedAgentsAgent.multiagent")
	// reference §4.3: a web_fetch config's url_sources keys are null when not set.
	// SDK: url_sources itself is null when not set.
	allowNull("BetaManagedAgentsWebFetchToolConfig.url_sources")
	allowNull("BetaManagedAgentsWebFetchURLSources.user_input", "BetaManagedAgentsWebFetchURLSources.client_tool_results",
		"BetaManagedAgentsWebFetchURLSources.server_tool_results")
}

// Every shape of agent the API takes, created, read, updated, listed,
// versioned and archived.
func TestAgents(t *testing.T) {
	t.Parallel()
	h := newHarness(t, managedagentstest.WithClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)))
	ctx := context.Background()
	agents := h.client.Beta.Agents

	helper := must(agents.New(ctx, anthropic.BetaAgentNewParams{
		Name:  "Helper",
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-haiku-5-5"},
	}))(t)
	full := must(agents.New(ctx, fullAgentParams(helper.ID)))(t)
	if full.Version != 1 || len(full.Tools) != 3 || full.Multiagent.Type != "coordinator" {
		t.Fatalf("created agent: %s", full.RawJSON())
	}

	// multiagent_20261001 with every level given in request form, and with
	// the levels left to their defaults.
	orchestrator := must(agents.New(ctx, anthropic.BetaAgentNewParams{
		Name:  "Orchestrator",
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-opus-5-5"},
		Multiagent: anthropic.BetaManagedAgentsMultiagentParamsUnion{OfMultiagent20261001: &anthropic.BetaManagedAgentsMultiagent20261001Params{
			Advisor: anthropic.BetaManagedAgentsMultiagentAdvisorParamsOfEnabled("claude-opus-5-5"),
			Subagents: anthropic.BetaManagedAgentsMultiagentSubagentsParamsUnion{OfEnabled: &anthropic.BetaManagedAgentsMultiagentSubagentsEnabledParams{
				PredefinedAgents: []anthropic.BetaManagedAgentsMultiagentPredefinedAgentParamsUnion{
					anthropic.BetaManagedAgentsMultiagentPredefinedAgentParamsOfBetaManagedAgentsAgents(helper.ID),
					{OfBetaManagedAgentsMultiagentSelfs: &anthropic.BetaManagedAgentsMultiagentSelfParams{}},
				},
				InlineAgents: anthropic.BetaManagedAgentsMultiagentInlineAgentsParamsUnion{
					OfDisabled: &anthropic.BetaManagedAgentsMultiagentInlineAgentsDisabledParams{}},
			}},
			Workflows: anthropic.BetaManagedAgentsMultiagentWorkflowsParamsUnion{
				OfDisabled: &anthropic.BetaManagedAgentsMultiagentWorkflowsDisabledParams{}},
		}},
	}))(t)
	if got := orchestrator.Multiagent.Subagents.PredefinedAgents; len(got) != 2 || got[1].ID != orchestrator.ID {
		t.Errorf("predefined agents not resolved: %s", orchestrator.Multiagent.RawJSON())
	}
	defaults := must(agents.New(ctx, anthropic.BetaAgentNewParams{
		Name:  "Defaults",
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-opus-5-5"},
		Multiagent: anthropic.BetaManagedAgentsMultiagentParamsUnion{
			OfMultiagent20261001: &anthropic.BetaManagedAgentsMultiagent20261001Params{}},
	}))(t)
	if m := defaults.Multiagent; m.Advisor.Type != "disabled" || m.Subagents.Type != "enabled" || m.Workflows.Type != "enabled" {
		t.Errorf("multiagent defaults: %s", m.RawJSON())
	}

	got := must(agents.Get(ctx, full.ID, anthropic.BetaAgentGetParams{}))(t)
	if got.RawJSON() != full.RawJSON() {
		t.Errorf("get differs from create:\n%s\n%s", got.RawJSON(), full.RawJSON())
	}

	updated := must(agents.Update(ctx, full.ID, anthropic.BetaAgentUpdateParams{
		Version:     anthropic.Int(1),
		Description: anthropic.String(""),
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-sonnet-5-5", Speed: "fast",
			Effort: anthropic.BetaManagedAgentsModelConfigParamsEffortUnion{
				OfBetaManagedAgentsEffortXhigh: &anthropic.BetaManagedAgentsEffortXhighParam{}}},
		Metadata: map[string]string{"team": "platform"},
		ExecutionIdentity: anthropic.BetaManagedAgentsExecutionIdentityParamsUnion{
			OfServiceAccount: &anthropic.BetaManagedAgentsServiceAccountExecutionIdentityParams{}},
		Tools:      []anthropic.BetaAgentUpdateParamsToolUnion{{OfAgentToolset20260401: &anthropic.BetaManagedAgentsAgentToolset20260401Params{}}},
		MCPServers: []anthropic.BetaManagedAgentsURLMCPServerParams{},
		Multiagent: anthropic.BetaManagedAgentsMultiagentParamsUnion{
			OfMultiagent20261001: &anthropic.BetaManagedAgentsMultiagent20261001Params{
				Subagents: anthropic.BetaManagedAgentsMultiagentSubagentsParamsUnion{
					OfDisabled: &anthropic.BetaManagedAgentsMultiagentSubagentsDisabledParams{}}}},
	}))(t)
	if updated.Version != 2 || updated.Model.Speed != "fast" || updated.Model.Effort.Type != "xhigh" {
		t.Errorf("update: %s", updated.RawJSON())
	}

	v1 := must(agents.Get(ctx, full.ID, anthropic.BetaAgentGetParams{Version: anthropic.Int(1)}))(t)
	if v1.Version != 1 {
		t.Errorf("version 1: %s", v1.RawJSON())
	}
	versions := must(agents.Versions.List(ctx, full.ID, anthropic.BetaAgentVersionListParams{Limit: anthropic.Int(1)}))(t)
	next := must(versions.GetNextPage())(t)
	if len(versions.Data) != 1 || next == nil || len(next.Data) != 1 || next.Data[0].Version != 1 {
		t.Errorf("versions: %s / %v", versions.RawJSON(), next)
	}

	list := must(agents.List(ctx, anthropic.BetaAgentListParams{
		Limit:        anthropic.Int(2),
		CreatedAtGte: anthropic.Time(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)),
		CreatedAtLte: anthropic.Time(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)),
	}))(t)
	n := 0
	for page := list; page != nil; page = must(page.GetNextPage())(t) {
		n += len(page.Data)
	}
	if n != 4 {
		t.Errorf("listed %d agents, want 4", n)
	}

	archived := must(agents.Archive(ctx, defaults.ID, anthropic.BetaAgentArchiveParams{}))(t)
	if archived.ArchivedAt.IsZero() {
		t.Errorf("archive: %s", archived.RawJSON())
	}
	all := must(agents.List(ctx, anthropic.BetaAgentListParams{IncludeArchived: anthropic.Bool(true)}))(t)
	if len(all.Data) != 4 {
		t.Errorf("listed %d agents with archived ones, want 4", len(all.Data))
	}

	_, err := agents.Update(ctx, full.ID, anthropic.BetaAgentUpdateParams{Version: anthropic.Int(1), Name: anthropic.String("Stale")})
	h.wantError(err, 409, "invalid_request_error")
	_, err = agents.Get(ctx, "agent_missing", anthropic.BetaAgentGetParams{})
	h.wantError(err, 404, "not_found_error")
	_, err = agents.Update(ctx, defaults.ID, anthropic.BetaAgentUpdateParams{Name: anthropic.String("Archived")})
	h.wantError(err, 400, "invalid_request_error")
}

// fullAgentParams is an agent with every tool kind and config, an MCP server,
// both skill kinds, an AWS role and a coordinator roster in every request form
// (an id, self, an advisor).
func fullAgentParams(helperID string) anthropic.BetaAgentNewParams {
	ask := anthropic.BetaManagedAgentsBashToolConfigParamsPermissionPolicyUnion{
		OfAlwaysAsk: &anthropic.BetaManagedAgentsAlwaysAskPolicyParam{}}
	only := anthropic.BetaManagedAgentsWebFetchURLSourceToolFilterParamOfOnly(
		[]anthropic.BetaManagedAgentsWebFetchURLSourceToolReferenceParam{{Name: "lookup"}})
	return anthropic.BetaAgentNewParams{
		Name:        "Coder",
		Description: anthropic.String("Writes code."),
		System:      anthropic.String("Be brief."),
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-opus-5-5", InferenceGeo: anthropic.String("us"),
			Effort: anthropic.BetaManagedAgentsModelConfigParamsEffortUnion{
				OfBetaManagedAgentsModelConfigsEffortBetaManagedAgentsEffortLevel: anthropic.String("medium")}},
		Metadata: map[string]string{"team": "x"},
		Tools: []anthropic.BetaAgentNewParamsToolUnion{
			{OfAgentToolset20260401: &anthropic.BetaManagedAgentsAgentToolset20260401Params{
				DefaultConfig: anthropic.BetaManagedAgentsAgentToolsetDefaultConfigParams{
					PermissionPolicy: anthropic.BetaManagedAgentsAgentToolsetDefaultConfigParamsPermissionPolicyUnion{
						OfAuto: &anthropic.BetaManagedAgentsAutoPolicyParam{}}},
				Configs: []anthropic.BetaManagedAgentsAgentToolConfigParamsUnion{
					{OfBash: &anthropic.BetaManagedAgentsBashToolConfigParams{PermissionPolicy: ask}},
					{OfRead: &anthropic.BetaManagedAgentsReadToolConfigParams{Enabled: anthropic.Bool(false)}},
					{OfWrite: &anthropic.BetaManagedAgentsWriteToolConfigParams{}},
					{OfEdit: &anthropic.BetaManagedAgentsEditToolConfigParams{}},
					{OfGlob: &anthropic.BetaManagedAgentsGlobToolConfigParams{}},
					{OfGrep: &anthropic.BetaManagedAgentsGrepToolConfigParams{}},
					{OfWebFetch: &anthropic.BetaManagedAgentsWebFetchToolConfigParams{
						AllowedDomains:   []string{"docs.example.com"},
						MaxContentTokens: anthropic.Int(4096),
						URLSources: anthropic.BetaManagedAgentsWebFetchURLSourcesParams{
							UserInput: anthropic.BetaManagedAgentsWebFetchURLSourceUserInputParamsUnion{
								OfBetaManagedAgentsWebFetchURLSourceShorthand: param.NewOpt(anthropic.BetaManagedAgentsWebFetchURLSourceShorthandNone)},
							ClientToolResults: anthropic.BetaManagedAgentsWebFetchURLSourceToolFilterParamsUnion{
								OfBetaManagedAgentsWebFetchURLSourceToolFilterUnion: &only},
						}}},
					{OfWebSearch: &anthropic.BetaManagedAgentsWebSearchToolConfigParams{
						BlockedDomains: []string{"ads.example.com"},
						UserLocation:   anthropic.BetaManagedAgentsUserLocationParam{City: anthropic.String("Paris"), Country: anthropic.String("FR")}}},
				},
			}},
			{OfMCPToolset: &anthropic.BetaManagedAgentsMCPToolsetParams{
				MCPServerName: "tickets",
				Configs: []anthropic.BetaManagedAgentsMCPToolConfigParams{{Name: "close_ticket", Enabled: anthropic.Bool(false),
					PermissionPolicy: anthropic.BetaManagedAgentsMCPToolConfigParamsPermissionPolicyUnion{
						OfAlwaysAsk: &anthropic.BetaManagedAgentsAlwaysAskPolicyParam{}}}},
			}},
			{OfCustom: &anthropic.BetaManagedAgentsCustomToolParams{
				Name: "lookup", Description: "Look up an order.",
				InputSchema: anthropic.BetaManagedAgentsCustomToolInputSchemaParam{
					Properties: map[string]any{"order": map[string]any{"type": "string"}}, Required: []string{"order"},
					ExtraFields: map[string]any{"additionalProperties": false}},
			}},
		},
		MCPServers: []anthropic.BetaManagedAgentsURLMCPServerParams{{Name: "tickets", URL: "https://mcp.example.com/mcp"}},
		Skills: []anthropic.BetaManagedAgentsSkillParamsUnion{
			anthropic.BetaManagedAgentsSkillParamsOfAnthropic("xlsx"),
			{OfCustom: &anthropic.BetaManagedAgentsCustomSkillParams{SkillID: "skill_01abc", Version: anthropic.String("3")}},
		},
		ExecutionIdentity: anthropic.BetaManagedAgentsExecutionIdentityParamsOfAWSRole("arn:aws:iam::123456789012:role/agent"),
		Multiagent: anthropic.BetaManagedAgentsMultiagentParamsOfCoordinator([]anthropic.BetaManagedAgentsMultiagentRosterEntryParamsUnion{
			{OfString: anthropic.String(helperID)},
			{OfBetaManagedAgentsMultiagentSelfs: &anthropic.BetaManagedAgentsMultiagentSelfParams{}},
			anthropic.BetaManagedAgentsMultiagentRosterEntryParamsOfBetaManagedAgentsAdvisors("claude-opus-5-5"),
		}),
	}
}
