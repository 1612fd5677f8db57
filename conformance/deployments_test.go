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
	answers[anthropic.BetaManagedAgentsDeployment](managedagentstest.RouteCreateDeployment, managedagentstest.RouteGetDeployment,
		managedagentstest.RouteUpdateDeployment, managedagentstest.RouteArchiveDeployment, managedagentstest.RoutePauseDeployment,
		managedagentstest.RouteUnpauseDeployment)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsDeployment]](managedagentstest.RouteListDeployments)
	answers[anthropic.BetaManagedAgentsDeploymentRun](managedagentstest.RouteRunDeployment, managedagentstest.RouteGetDeploymentRun)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsDeploymentRun]](managedagentstest.RouteListDeploymentRuns)
	// more-resources.md §2.2, §9.3: schedule and paused_reason are null when
	// there is none, archived_at until archived; §2.8: a run has exactly one of
	// session_id and error.
	allowNull("BetaManagedAgentsDeployment.schedule", "BetaManagedAgentsDeployment.paused_reason", "BetaManagedAgentsDeployment.archived_at",
		"BetaManagedAgentsDeploymentRun.session_id", "BetaManagedAgentsDeploymentRun.error")
}

// deploymentEvents are initial events of every kind a deployment takes.
func deploymentEvents(text string) []anthropic.BetaManagedAgentsDeploymentInitialEventParamsUnion {
	return []anthropic.BetaManagedAgentsDeploymentInitialEventParamsUnion{
		{OfUserDefineOutcome: &anthropic.BetaManagedAgentsUserDefineOutcomeEventParams{Description: "A short report",
			Rubric: anthropic.BetaManagedAgentsUserDefineOutcomeEventParamsRubricUnion{
				OfText: &anthropic.BetaManagedAgentsTextRubricParams{Content: "It has a summary."}}}},
		{OfUserMessage: &anthropic.BetaManagedAgentsUserMessageEventParams{Content: []anthropic.BetaManagedAgentsUserMessageEventParamsContentUnion{
			{OfText: &anthropic.BetaManagedAgentsTextBlockParam{Text: text}}}}},
		{OfSystemMessage: &anthropic.BetaManagedAgentsSystemMessageEventParams{Content: []anthropic.BetaManagedAgentsSystemContentBlockParam{
			{Text: "Nobody is watching."}}}},
	}
}

// Deployments with every field, scheduled and run now, paused by hand and by a
// failed scheduled run, updated, listed with every filter, archived; their
// runs read and listed with every filter.
func TestDeployments(t *testing.T) {
	t.Parallel()
	h := newHarness(t, managedagentstest.WithClock(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)))
	ctx := context.Background()
	f := newFixture(t, h)
	deployments, runs := h.client.Beta.Deployments, h.client.Beta.DeploymentRuns
	vault := must(h.client.Beta.Vaults.New(ctx, anthropic.BetaVaultNewParams{DisplayName: "deploy"}))(t)
	store := must(h.client.Beta.MemoryStores.New(ctx, anthropic.BetaMemoryStoreNewParams{Name: "Audit notes"}))(t)

	full := must(deployments.New(ctx, anthropic.BetaDeploymentNewParams{
		Name:          "Weekday audit",
		Description:   anthropic.String("Audits every weekday."),
		Agent:         anthropic.BetaDeploymentNewParamsAgentUnion{OfBetaManagedAgentsAgents: &anthropic.BetaManagedAgentsAgentParams{ID: f.helper.ID, Version: anthropic.Int(1)}},
		EnvironmentID: f.env.ID,
		InitialEvents: deploymentEvents("Audit the dependencies."),
		Resources: []anthropic.BetaDeploymentNewParamsResourceUnion{
			{OfGitHubRepository: &anthropic.BetaManagedAgentsGitHubRepositoryResourceParams{URL: "https://github.com/o/r",
				AuthorizationToken: "ghp_conformanceToken", MountPath: anthropic.String("/workspace/r"),
				Checkout: anthropic.BetaManagedAgentsGitHubRepositoryResourceParamsCheckoutUnion{
					OfCommit: &anthropic.BetaManagedAgentsCommitCheckoutParam{Sha: "0123456789abcdef0123456789abcdef01234567"}}}},
			{OfGitHubRepository: &anthropic.BetaManagedAgentsGitHubRepositoryResourceParams{URL: "https://github.com/o/plain"}},
			{OfFile: &anthropic.BetaManagedAgentsFileResourceParams{FileID: "file_011CFakeFile", MountPath: anthropic.String("/mnt/in.pdf")}},
			{OfMemoryStore: &anthropic.BetaManagedAgentsMemoryStoreResourceParam{MemoryStoreID: store.ID, Access: "read_only",
				Instructions: anthropic.String("Notes.")}},
		},
		VaultIDs: []string{vault.ID},
		Schedule: anthropic.BetaManagedAgentsScheduleParams{Expression: "0 9 * * 1-5", Timezone: "America/Los_Angeles"},
		Budget:   anthropic.BetaManagedAgentsBudgetLimitParam{MaxListCost: anthropic.BetaMonetaryAmountParam{Amount: "500", Currency: "USD"}},
		Metadata: map[string]string{"team": "platform"},
	}))(t)
	if len(full.Schedule.UpcomingRunsAt) != 5 || len(full.Resources) != 4 || len(full.InitialEvents) != 3 || full.Agent.Version != 1 {
		t.Errorf("created: %s", full.RawJSON())
	}
	manual := must(deployments.New(ctx, anthropic.BetaDeploymentNewParams{
		Name: "On demand", Agent: anthropic.BetaDeploymentNewParamsAgentUnion{OfString: anthropic.String(f.coordinator.ID)},
		EnvironmentID: f.env.ID, InitialEvents: deploymentEvents("Run once.")[1:2],
	}))(t)

	h.srv.AdvanceClock(time.Hour) // 09:00 in Los Angeles: the schedule fires
	run := must(deployments.Run(ctx, manual.ID, anthropic.BetaDeploymentRunParams{}))(t)
	if run.SessionID == "" || run.TriggerContext.Type != "manual" {
		t.Errorf("run now: %s", run.RawJSON())
	}
	if got := must(runs.Get(ctx, run.ID, anthropic.BetaDeploymentRunGetParams{}))(t); got.RawJSON() != run.RawJSON() {
		t.Errorf("get run: %s", got.RawJSON())
	}
	session := must(h.client.Beta.Sessions.Get(ctx, run.SessionID, anthropic.BetaSessionGetParams{}))(t)
	if session.DeploymentID != manual.ID {
		t.Errorf("the run's session: %s", session.RawJSON())
	}

	paused := must(deployments.Pause(ctx, manual.ID, anthropic.BetaDeploymentPauseParams{}))(t)
	if paused.Status != "paused" || paused.PausedReason.Type != "manual" {
		t.Errorf("pause: %s", paused.RawJSON())
	}
	must(deployments.Unpause(ctx, manual.ID, anthropic.BetaDeploymentUnpauseParams{}))(t)

	// A scheduled run that fails pauses the deployment with the error.
	must(h.client.Beta.Vaults.Archive(ctx, vault.ID, anthropic.BetaVaultArchiveParams{}))(t)
	h.srv.AdvanceClock(24 * time.Hour)
	failed := must(deployments.Get(ctx, full.ID, anthropic.BetaDeploymentGetParams{}))(t)
	if failed.Status != "paused" || failed.PausedReason.Error.Type != "vault_archived_error" || failed.Schedule.LastRunAt.IsZero() {
		t.Errorf("after a failed scheduled run: %s", failed.RawJSON())
	}

	updated := must(deployments.Update(ctx, full.ID, anthropic.BetaDeploymentUpdateParams{
		Name: anthropic.String("Renamed"), Description: anthropic.String(""),
		Agent:         anthropic.BetaDeploymentUpdateParamsAgentUnion{OfString: anthropic.String(f.helper.ID)},
		EnvironmentID: anthropic.String(f.env.ID),
		InitialEvents: deploymentEvents("Audit again.")[1:],
		Resources:     []anthropic.BetaDeploymentUpdateParamsResourceUnion{{OfFile: &anthropic.BetaManagedAgentsFileResourceParams{FileID: "file_2"}}},
		VaultIDs:      []string{},
		Schedule:      anthropic.BetaManagedAgentsScheduleParams{Expression: "*/30 * * * *", Timezone: "UTC"},
		Budget:        anthropic.BetaManagedAgentsBudgetLimitParam{MaxListCost: anthropic.BetaMonetaryAmountParam{Amount: "900", Currency: "USD"}},
		Metadata:      map[string]string{"owner": "me"},
	}))(t)
	if updated.Name != "Renamed" || len(updated.VaultIDs) != 0 || updated.Schedule.Expression != "*/30 * * * *" {
		t.Errorf("update: %s", updated.RawJSON())
	}
	must(deployments.Unpause(ctx, full.ID, anthropic.BetaDeploymentUnpauseParams{}))(t)
	h.srv.AdvanceClock(time.Hour) // two half hours fire
	ok := must(runs.List(ctx, anthropic.BetaDeploymentRunListParams{DeploymentID: anthropic.String(full.ID), HasError: anthropic.Bool(false),
		TriggerType: anthropic.BetaManagedAgentsTriggerTypeSchedule}))(t)
	if len(ok.Data) != 3 { // Monday 09:00 in Los Angeles, then two half hours
		t.Errorf("successful scheduled runs: %d, want 3", len(ok.Data))
	}

	nov, jan := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for page := must(runs.List(ctx, anthropic.BetaDeploymentRunListParams{Limit: anthropic.Int(2),
		CreatedAtGt: anthropic.Time(nov), CreatedAtGte: anthropic.Time(nov), CreatedAtLt: anthropic.Time(jan), CreatedAtLte: anthropic.Time(jan)}))(t); page != nil; page = must(page.GetNextPage())(t) {
		n += len(page.Data)
	}
	if n != 5 { // the scheduled run of Monday, the manual one, Tuesday's failure, two half hours
		t.Errorf("listed %d runs, want 5", n)
	}
	if errs := must(runs.List(ctx, anthropic.BetaDeploymentRunListParams{HasError: anthropic.Bool(true)}))(t); len(errs.Data) != 1 || errs.Data[0].Error.Type != "vault_archived_error" {
		t.Errorf("failed runs: %s", errs.RawJSON())
	}

	list := must(deployments.List(ctx, anthropic.BetaDeploymentListParams{AgentID: anthropic.String(f.helper.ID), Status: "active", Limit: anthropic.Int(1),
		CreatedAtGte: anthropic.Time(nov), CreatedAtLte: anthropic.Time(jan)}))(t)
	if len(list.Data) != 1 || list.Data[0].ID != full.ID {
		t.Errorf("list: %s", list.RawJSON())
	}
	archived := must(deployments.Archive(ctx, manual.ID, anthropic.BetaDeploymentArchiveParams{}))(t)
	if archived.ArchivedAt.IsZero() {
		t.Errorf("archive: %s", archived.RawJSON())
	}
	if all := must(deployments.List(ctx, anthropic.BetaDeploymentListParams{IncludeArchived: anthropic.Bool(true)}))(t); len(all.Data) != 2 {
		t.Errorf("listed %d deployments with archived ones, want 2", len(all.Data))
	}

	_, err := deployments.Run(ctx, manual.ID, anthropic.BetaDeploymentRunParams{})
	h.wantError(err, 400, "invalid_request_error")
	_, err = deployments.Get(ctx, "depl_missing", anthropic.BetaDeploymentGetParams{})
	h.wantError(err, 404, "not_found_error")
	_, err = deployments.List(ctx, anthropic.BetaDeploymentListParams{Status: "paused", IncludeArchived: anthropic.Bool(true)})
	h.wantError(err, 400, "invalid_request_error")
}
