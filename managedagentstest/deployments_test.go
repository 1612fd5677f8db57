package managedagentstest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// monday is a Monday 08:00 in Los Angeles (16:00 UTC), an hour before the
// weekday schedule of these tests.
var monday = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

// deployFixture is an agent, an environment and a vault on a fake whose clock
// stands at monday.
type deployFixture struct {
	srv                   *managedagentstest.Server
	client                *managedagents.Client
	agent, env, vault, cr string
}

func newDeployFixture(t *testing.T) *deployFixture {
	t.Helper()
	srv := start(t, managedagentstest.WithClock(monday))
	f := &deployFixture{srv: srv, client: srv.Client()}
	f.agent, f.env, _ = setup(t, srv, nil)
	f.vault = ok(t, srv, "POST", "/v1/vaults", map[string]any{"display_name": "v"})["id"].(string)
	f.cr = ok(t, srv, "POST", "/v1/vaults/"+f.vault+"/credentials", map[string]any{"auth": map[string]any{
		"type": "static_bearer", "token": "tok-in-vault", "mcp_server_url": "https://mcp.example.com/mcp"}})["id"].(string)
	return f
}

// weekday creates the deployment of the reference's sample: weekdays at 09:00
// in Los Angeles, with a private repository, a vault and two initial events.
func (f *deployFixture) weekday(t *testing.T) *managedagents.Deployment {
	t.Helper()
	d, err := f.client.Deployments.Create(context.Background(), managedagents.DeploymentCreateParams{
		Name: "Weekday audit", Agent: managedagents.NewAgentRef(f.agent), EnvironmentID: f.env,
		InitialEvents: []managedagents.EventParam{managedagents.NewUserMessage("Audit the dependencies."),
			managedagents.NewSystemMessage("Started by a schedule.")},
		Resources: []managedagents.SessionResourceParams{&managedagents.GitHubRepositoryResourceParams{
			URL: "https://github.com/example-org/shop-api", AuthorizationToken: "ghp_deploySecretToken0123456789", Checkout: managedagents.NewCheckoutBranch("main")}},
		VaultIDs: []string{f.vault},
		Schedule: managedagents.NewScheduleCron("0 9 * * 1-5", "America/Los_Angeles"),
		Budget:   managedagents.NewBudgetLimit("500", "USD"),
		Metadata: map[string]string{"team": "platform"},
	})
	require.NoError(t, err)
	return d
}

func (f *deployFixture) runs(t *testing.T, p managedagents.DeploymentRunListParams) []*managedagents.DeploymentRun {
	t.Helper()
	var out []*managedagents.DeploymentRun
	for r, err := range f.client.DeploymentRuns.ListAll(context.Background(), p) {
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A scheduled deployment fires at each instant of its cron expression that the
// fake's clock passes: one run and one session per instant, the session made
// as the deployment says, with the clock at the instant.
func TestDeploymentScheduleFiresOnTheClock(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	ctx := context.Background()
	d := f.weekday(t)
	require.Equal(t, managedagents.AgentRef{ID: f.agent, Version: 1}, d.Agent, "the bare id is pinned to the latest version")
	require.Equal(t, []time.Time{utc("2026-11-23T17:00:00Z"), utc("2026-11-24T17:00:00Z"), utc("2026-11-25T17:00:00Z"),
		utc("2026-11-26T17:00:00Z"), utc("2026-11-27T17:00:00Z")}, d.Schedule.UpcomingRunsAt)
	require.True(t, d.Schedule.LastRunAt.IsZero())
	require.NotContains(t, string(d.RawJSON()), "ghp_deploySecretToken", "the token is write-only")
	require.Empty(t, f.runs(t, managedagents.DeploymentRunListParams{}), "nothing before the first instant")

	f.srv.AdvanceClock(59 * time.Minute)
	require.Empty(t, f.runs(t, managedagents.DeploymentRunListParams{}))
	f.srv.AdvanceClock(time.Minute) // 17:00 UTC: 09:00 in Los Angeles
	runs := f.runs(t, managedagents.DeploymentRunListParams{DeploymentID: d.ID})
	require.Len(t, runs, 1)
	run := runs[0]
	require.True(t, run.Succeeded())
	require.Equal(t, managedagents.TriggerContext{Type: managedagents.TriggerTypeSchedule, ScheduledAt: utc("2026-11-23T17:00:00Z")}, run.TriggerContext)
	require.Equal(t, utc("2026-11-23T17:00:00Z"), run.CreatedAt)
	require.Equal(t, d.Agent, run.Agent)

	sess, err := f.client.Sessions.Get(ctx, run.SessionID, managedagents.SessionGetParams{})
	require.NoError(t, err)
	require.Equal(t, d.ID, sess.DeploymentID)
	require.Equal(t, utc("2026-11-23T17:00:00Z"), sess.CreatedAt)
	require.Equal(t, []string{f.vault}, sess.VaultIDs)
	require.Equal(t, managedagents.NewBudgetLimit("500", "USD"), sess.Budget)
	require.Len(t, sess.Resources, 1)
	require.Equal(t, "https://github.com/example-org/shop-api", sess.Resources[0].(*managedagents.GitHubRepositoryResource).URL)
	_, err = f.srv.WaitIdle(ctx, sess.ID)
	require.NoError(t, err)
	var types []string
	for _, raw := range f.srv.Events(sess.ID) {
		var ev struct{ Type string }
		require.NoError(t, json.Unmarshal(raw, &ev))
		types = append(types, ev.Type)
	}
	require.Equal(t, []string{"user.message", "system.message"}, types[:2], "the initial events open the session")
	require.Contains(t, types, "agent.message", "the agent ran")

	got, err := f.client.Deployments.Get(ctx, d.ID, managedagents.DeploymentGetParams{})
	require.NoError(t, err)
	require.Equal(t, utc("2026-11-23T17:00:00Z"), got.Schedule.LastRunAt)
	require.Equal(t, utc("2026-11-24T17:00:00Z"), got.Schedule.UpcomingRunsAt[0])

	// Five days later (Saturday 17:00 UTC): Tuesday to Friday fired, the weekend
	// did not.
	f.srv.AdvanceClock(5 * 24 * time.Hour)
	runs = f.runs(t, managedagents.DeploymentRunListParams{DeploymentID: d.ID, TriggerType: managedagents.TriggerTypeSchedule})
	require.Len(t, runs, 5)
	var at []time.Time
	for _, r := range runs {
		at = append(at, r.TriggerContext.ScheduledAt)
	}
	require.Equal(t, []time.Time{utc("2026-11-27T17:00:00Z"), utc("2026-11-26T17:00:00Z"), utc("2026-11-25T17:00:00Z"),
		utc("2026-11-24T17:00:00Z"), utc("2026-11-23T17:00:00Z")}, at, "newest first, one per instant")
	n := 0
	for s, err := range f.client.Sessions.ListAll(ctx, managedagents.SessionListParams{DeploymentID: d.ID}) {
		require.NoError(t, err)
		require.Equal(t, d.ID, s.DeploymentID)
		n++
	}
	require.Equal(t, 5, n, "one session per run")
}

// Pause stops the schedule (Run still works, as a manual run); unpause does
// not run the instants missed meanwhile.
func TestDeploymentPauseStopsTheSchedule(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	ctx := context.Background()
	d := f.weekday(t)
	paused, err := f.client.Deployments.Pause(ctx, d.ID, managedagents.DeploymentPauseParams{})
	require.NoError(t, err)
	require.Equal(t, managedagents.DeploymentStatusPaused, paused.Status)
	require.Equal(t, &managedagents.DeploymentPausedReason{Type: "manual"}, paused.PausedReason)
	require.Len(t, paused.Schedule.UpcomingRunsAt, 5, "a paused schedule still shows what would fire")

	f.srv.AdvanceClock(2 * 24 * time.Hour)
	require.Empty(t, f.runs(t, managedagents.DeploymentRunListParams{}))
	run, err := f.client.Deployments.Run(ctx, d.ID, managedagents.DeploymentRunParams{})
	require.NoError(t, err)
	require.True(t, run.Succeeded())
	require.Equal(t, managedagents.TriggerContext{Type: managedagents.TriggerTypeManual}, run.TriggerContext)

	active, err := f.client.Deployments.Unpause(ctx, d.ID, managedagents.DeploymentUnpauseParams{})
	require.NoError(t, err)
	require.Equal(t, managedagents.DeploymentStatusActive, active.Status)
	require.Nil(t, active.PausedReason)
	require.Len(t, f.runs(t, managedagents.DeploymentRunListParams{}), 1, "missed instants are not run")
	f.srv.AdvanceClock(24 * time.Hour) // Wednesday 17:00 UTC fires
	require.Len(t, f.runs(t, managedagents.DeploymentRunListParams{TriggerType: managedagents.TriggerTypeSchedule}), 1)
	got, err := f.client.Deployments.Get(ctx, d.ID, managedagents.DeploymentGetParams{})
	require.NoError(t, err)
	require.Equal(t, utc("2026-11-25T17:00:00Z"), got.Schedule.LastRunAt, "manual runs do not move last_run_at")
}

// A scheduled run that cannot create its session records why and pauses the
// deployment with that reason; a manual run that fails records it too but
// pauses nothing; the run endpoint answers 200 either way.
func TestDeploymentFailedRuns(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	ctx := context.Background()
	d := f.weekday(t)
	_, err := f.client.Vaults.Archive(ctx, f.vault, managedagents.VaultArchiveParams{})
	require.NoError(t, err)

	run, err := f.client.Deployments.Run(ctx, d.ID, managedagents.DeploymentRunParams{})
	require.NoError(t, err)
	require.False(t, run.Succeeded())
	require.Equal(t, &managedagents.DeploymentRunError{Type: managedagents.DeploymentErrorVaultArchived, Message: "Vault " + f.vault + " is archived."}, run.Error)
	got, err := f.client.Deployments.Get(ctx, d.ID, managedagents.DeploymentGetParams{})
	require.NoError(t, err)
	require.Equal(t, managedagents.DeploymentStatusActive, got.Status, "a manual run does not pause")

	f.srv.AdvanceClock(3 * 24 * time.Hour) // three instants pass; the first fails and pauses
	failed := f.runs(t, managedagents.DeploymentRunListParams{HasError: new(true), TriggerType: managedagents.TriggerTypeSchedule})
	require.Len(t, failed, 1)
	require.Equal(t, utc("2026-11-23T17:00:00Z"), failed[0].TriggerContext.ScheduledAt)
	got, err = f.client.Deployments.Get(ctx, d.ID, managedagents.DeploymentGetParams{})
	require.NoError(t, err)
	require.Equal(t, managedagents.DeploymentStatusPaused, got.Status)
	require.Equal(t, &managedagents.DeploymentPausedReason{Type: "error",
		Error: &managedagents.DeploymentPausedError{Type: managedagents.DeploymentErrorVaultArchived}}, got.PausedReason)
	require.Empty(t, f.runs(t, managedagents.DeploymentRunListParams{HasError: new(false)}))
	require.Len(t, f.runs(t, managedagents.DeploymentRunListParams{}), 2)

	// Each missing or archived part has its error type.
	for _, tc := range []struct {
		want    managedagents.DeploymentErrorType
		breakIt func(t *testing.T, f *deployFixture)
	}{
		{managedagents.DeploymentErrorVaultNotFound, func(t *testing.T, f *deployFixture) { ok(t, f.srv, "DELETE", "/v1/vaults/"+f.vault, nil) }},
		{managedagents.DeploymentErrorEnvironmentArchived, func(t *testing.T, f *deployFixture) {
			ok(t, f.srv, "POST", "/v1/environments/"+f.env+"/archive", nil)
		}},
		{managedagents.DeploymentErrorEnvironmentNotFound, func(t *testing.T, f *deployFixture) { ok(t, f.srv, "DELETE", "/v1/environments/"+f.env, nil) }},
		{managedagents.DeploymentErrorAgentArchived, func(t *testing.T, f *deployFixture) { ok(t, f.srv, "POST", "/v1/agents/"+f.agent+"/archive", nil) }},
	} {
		f := newDeployFixture(t)
		d := f.weekday(t)
		tc.breakIt(t, f)
		run, err := f.client.Deployments.Run(ctx, d.ID, managedagents.DeploymentRunParams{})
		require.NoError(t, err)
		require.Equal(t, tc.want, run.Error.Type, run.Error.Message)
		require.Empty(t, run.SessionID)
	}

	// A memory store archived since the deployment was made.
	store, err := f.client.MemoryStores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "notes"})
	require.NoError(t, err)
	withStore, err := f.client.Deployments.Create(ctx, managedagents.DeploymentCreateParams{Name: "store", Agent: managedagents.NewAgentRef(f.agent),
		EnvironmentID: f.env, InitialEvents: []managedagents.EventParam{managedagents.NewUserMessage("go")},
		Resources: []managedagents.SessionResourceParams{&managedagents.MemoryStoreResourceParams{MemoryStoreID: store.ID}}})
	require.NoError(t, err)
	_, err = f.client.MemoryStores.Archive(ctx, store.ID, managedagents.MemoryStoreArchiveParams{})
	require.NoError(t, err)
	run, err = f.client.Deployments.Run(ctx, withStore.ID, managedagents.DeploymentRunParams{})
	require.NoError(t, err)
	require.Equal(t, managedagents.DeploymentErrorMemoryStoreArchived, run.Error.Type)
	_, err = f.client.MemoryStores.Delete(ctx, store.ID, managedagents.MemoryStoreDeleteParams{})
	require.NoError(t, err)
	run, err = f.client.Deployments.Run(ctx, withStore.ID, managedagents.DeploymentRunParams{})
	require.NoError(t, err)
	require.Equal(t, managedagents.DeploymentErrorSessionResourceNotFound, run.Error.Type)

	// A self-hosted environment takes only memory stores.
	self := ok(t, f.srv, "POST", "/v1/environments", map[string]any{"name": "self", "config": map[string]any{"type": "self_hosted"}})["id"].(string)
	d2, err := f.client.Deployments.Create(ctx, managedagents.DeploymentCreateParams{Name: "self", Agent: managedagents.NewAgentRef(f.agent),
		EnvironmentID: self, InitialEvents: []managedagents.EventParam{managedagents.NewUserMessage("go")},
		Resources: []managedagents.SessionResourceParams{&managedagents.FileResourceParams{FileID: "file_1"}}})
	require.NoError(t, err)
	run, err = f.client.Deployments.Run(ctx, d2.ID, managedagents.DeploymentRunParams{})
	require.NoError(t, err)
	require.Equal(t, managedagents.DeploymentErrorSelfHostedResourcesUnsupported, run.Error.Type)
}

// Archive is for good: the schedule stops and shows nothing upcoming, the
// status stays active, lists need include_archived, and run and update are
// refused.
func TestDeploymentArchive(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	ctx := context.Background()
	d := f.weekday(t)
	_, err := f.client.Deployments.Pause(ctx, d.ID, managedagents.DeploymentPauseParams{})
	require.NoError(t, err)
	a, err := f.client.Deployments.Archive(ctx, d.ID, managedagents.DeploymentArchiveParams{})
	require.NoError(t, err)
	require.True(t, a.IsArchived())
	require.Equal(t, managedagents.DeploymentStatusActive, a.Status)
	require.Nil(t, a.PausedReason)
	require.Empty(t, a.Schedule.UpcomingRunsAt)
	f.srv.AdvanceClock(7 * 24 * time.Hour)
	require.Empty(t, f.runs(t, managedagents.DeploymentRunListParams{}))

	page, err := f.client.Deployments.List(ctx, managedagents.DeploymentListParams{})
	require.NoError(t, err)
	require.Empty(t, page.Data)
	page, err = f.client.Deployments.List(ctx, managedagents.DeploymentListParams{IncludeArchived: true})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)

	c := f.srv.Client()
	_, err = c.Deployments.Run(ctx, d.ID, managedagents.DeploymentRunParams{})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	_, err = c.Deployments.Update(ctx, d.ID, managedagents.DeploymentUpdateParams{Name: "x"})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	_, err = c.Deployments.Pause(ctx, d.ID, managedagents.DeploymentPauseParams{})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
}

// Update follows the reference's table: lists replace, null clears what may
// be cleared, a bare agent id re-pins to the latest version, and the changes
// apply to the sessions created afterwards.
func TestDeploymentUpdate(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	ctx := context.Background()
	d := f.weekday(t)
	ok(t, f.srv, "POST", "/v1/agents/"+f.agent, map[string]any{"version": 1, "system": "v2"})

	u, err := f.client.Deployments.Update(ctx, d.ID, managedagents.DeploymentUpdateParams{
		Agent:    managedagents.NewAgentRef(f.agent),
		Metadata: managedagents.MetadataPatch{}.Delete("team").Set("owner", "me"),
		Clear:    []string{"resources", "vault_ids", "budget", "description", "schedule"},
	})
	require.NoError(t, err)
	require.Equal(t, int64(2), u.Agent.Version, "re-pinned to the latest version")
	require.Empty(t, u.Resources)
	require.Empty(t, u.VaultIDs)
	require.Nil(t, u.Budget)
	require.Nil(t, u.Schedule)
	require.Equal(t, map[string]string{"owner": "me"}, u.Metadata)
	f.srv.AdvanceClock(7 * 24 * time.Hour)
	require.Empty(t, f.runs(t, managedagents.DeploymentRunListParams{}), "without a schedule nothing fires")

	run, err := f.client.Deployments.Run(ctx, d.ID, managedagents.DeploymentRunParams{})
	require.NoError(t, err)
	require.Equal(t, int64(2), run.Agent.Version)
	sess, err := f.client.Sessions.Get(ctx, run.SessionID, managedagents.SessionGetParams{})
	require.NoError(t, err)
	require.Empty(t, sess.Resources)
	require.Nil(t, sess.Budget)
	require.Equal(t, int64(2), sess.Agent.Version)

	u, err = f.client.Deployments.Update(ctx, d.ID, managedagents.DeploymentUpdateParams{
		Agent: &managedagents.AgentRef{ID: f.agent, Version: 1}, Schedule: managedagents.NewScheduleCron("*/30 * * * *", "UTC")})
	require.NoError(t, err)
	require.Equal(t, int64(1), u.Agent.Version)
	require.Equal(t, utc("2026-11-30T16:30:00Z"), u.Schedule.UpcomingRunsAt[0], "a new schedule fires from now on")

	for field, body := range map[string]any{
		"name": map[string]any{"name": nil}, "agent": map[string]any{"agent": nil},
		"environment_id": map[string]any{"environment_id": nil}, "initial_events": map[string]any{"initial_events": nil},
		"initial_events[0]": map[string]any{"initial_events": []any{map[string]any{"type": "system.message",
			"content": []any{map[string]any{"type": "text", "text": "alone"}}}}},
		"unknown field": map[string]any{"owner_team": "x"},
	} {
		e := requireError(t, call(t, f.srv, "POST", "/v1/deployments/"+d.ID, body, nil), 400, "invalid_request_error")
		require.NotEmpty(t, e["message"], field)
	}
}

// Creates are checked as the reference says, and refused with the API's
// errors.
func TestDeploymentCreateRefusals(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	event := []any{map[string]any{"type": "user.message", "content": []any{map[string]any{"type": "text", "text": "go"}}}}
	base := func(extra map[string]any) map[string]any {
		b := map[string]any{"name": "d", "agent": f.agent, "environment_id": f.env, "initial_events": event}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	archivedEnv := ok(t, f.srv, "POST", "/v1/environments", map[string]any{"name": "old"})["id"].(string)
	ok(t, f.srv, "POST", "/v1/environments/"+archivedEnv+"/archive", nil)
	for _, tc := range []struct {
		status int
		body   map[string]any
	}{
		{404, base(map[string]any{"agent": "agent_missing"})},
		{404, base(map[string]any{"agent": map[string]any{"type": "agent", "id": f.agent, "version": 9}})},
		{404, base(map[string]any{"environment_id": "env_missing"})},
		{400, base(map[string]any{"environment_id": archivedEnv})},
		{404, base(map[string]any{"vault_ids": []any{"vlt_missing"}})},
		{400, base(map[string]any{"initial_events": []any{}})},
		{400, base(map[string]any{"initial_events": []any{map[string]any{"type": "user.interrupt"}}})},
		{400, base(map[string]any{"schedule": map[string]any{"expression": "0 9 * * 1-5 2026", "timezone": "UTC"}})},
		{400, base(map[string]any{"schedule": map[string]any{"expression": "@daily", "timezone": "UTC"}})},
		{400, base(map[string]any{"schedule": map[string]any{"expression": "0 9 * * *", "timezone": "Mars/Olympus"}})},
		{400, base(map[string]any{"schedule": map[string]any{"expression": "0 9 * * *"}})},
		{400, base(map[string]any{"resources": []any{map[string]any{"type": "file"}}})},
		{400, base(map[string]any{"budget": map[string]any{"type": "limit", "max_list_cost": map[string]any{"amount": "5.00", "currency": "USD"}}})},
		{400, map[string]any{"agent": f.agent, "environment_id": f.env, "initial_events": event}},
	} {
		r := call(t, f.srv, "POST", "/v1/deployments", tc.body, nil)
		require.Equal(t, tc.status, r.Status, "%v: %s", tc.body, r.Body)
	}
}

// The runs list filters by deployment, error, trigger and creation time, and
// pages with its cursor; an unknown deployment lists nothing.
func TestDeploymentRunsList(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	ctx := context.Background()
	d := f.weekday(t)
	f.srv.AdvanceClock(3 * 24 * time.Hour) // Mon, Tue, Wed fire
	for range 2 {
		_, err := f.client.Deployments.Run(ctx, d.ID, managedagents.DeploymentRunParams{})
		require.NoError(t, err)
	}
	require.Len(t, f.runs(t, managedagents.DeploymentRunListParams{Limit: 2}), 5)
	require.Len(t, f.runs(t, managedagents.DeploymentRunListParams{TriggerType: managedagents.TriggerTypeManual}), 2)
	require.Empty(t, f.runs(t, managedagents.DeploymentRunListParams{DeploymentID: "depl_unknown"}))
	require.Len(t, f.runs(t, managedagents.DeploymentRunListParams{CreatedAtLT: utc("2026-11-25T17:00:00Z")}), 2)
	require.Len(t, f.runs(t, managedagents.DeploymentRunListParams{CreatedAtGTE: utc("2026-11-25T17:00:00Z")}), 3)
	first, err := f.client.DeploymentRuns.List(ctx, managedagents.DeploymentRunListParams{Limit: 1})
	require.NoError(t, err)
	got, err := f.client.DeploymentRuns.Get(ctx, first.Data[0].ID, managedagents.DeploymentRunGetParams{})
	require.NoError(t, err)
	require.Equal(t, first.Data[0].RawJSON(), got.RawJSON())
	for _, q := range []string{"has_error=maybe", "trigger_type=webhook", "limit=1001", "page=page_bogus"} {
		requireError(t, call(t, f.srv, "GET", "/v1/deployment_runs?"+q, nil, nil), 400, "invalid_request_error")
	}
	requireError(t, call(t, f.srv, "GET", "/v1/deployment_runs/drun_missing", nil, nil), 404, "not_found_error")
	for _, q := range []string{"status=running", "status=active&include_archived=true", "limit=101"} {
		requireError(t, call(t, f.srv, "GET", "/v1/deployments?"+q, nil, nil), 400, "invalid_request_error")
	}
	list, err := f.client.Deployments.List(ctx, managedagents.DeploymentListParams{AgentID: f.agent, Status: managedagents.DeploymentStatusActive,
		CreatedAtGTE: monday, CreatedAtLTE: monday})
	require.NoError(t, err)
	require.Len(t, list.Data, 1)
	list, err = f.client.Deployments.List(ctx, managedagents.DeploymentListParams{AgentID: "agent_other"})
	require.NoError(t, err)
	require.Empty(t, list.Data)
}

// Injected failures act on the new routes like on any other; a run that
// fails in transit is never sent twice by the SDK.
func TestDeploymentRouteFaults(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	ctx := context.Background()
	d := f.weekday(t)
	fast := http.Header{"Retry-After-Ms": {"1"}}
	f.srv.FailNext(managedagentstest.RouteRunDeployment, 1, 503, fast)
	_, err := f.client.Deployments.Run(ctx, d.ID, managedagents.DeploymentRunParams{})
	require.ErrorIs(t, err, managedagents.ErrDeliveryUncertain)
	sent := 0
	for _, r := range f.srv.Requests() {
		if r.Route == managedagentstest.RouteRunDeployment {
			sent++
		}
	}
	require.Equal(t, 1, sent)
	f.srv.FailNext(managedagentstest.RouteListDeploymentRuns, 1, 503, fast)
	runs := f.runs(t, managedagents.DeploymentRunListParams{})
	require.Empty(t, runs, "the list was retried and answered")
}

// A deployment created while the fake follows the real clock lists its next
// instants from the real time, and fires once the clock is set to the first,
// not before.
func TestDeploymentCreatedOnTheRealClock(t *testing.T) {
	t.Parallel()
	srv := start(t)
	agent, env, _ := setup(t, srv, nil)
	d := ok(t, srv, "POST", "/v1/deployments", map[string]any{"name": "d", "agent": agent, "environment_id": env,
		"initial_events": []any{map[string]any{"type": "user.message", "content": []any{map[string]any{"type": "text", "text": "go"}}}},
		"schedule":       map[string]any{"expression": "* * * * *", "timezone": "UTC"}})
	next := utc(d["schedule"].(map[string]any)["upcoming_runs_at"].([]any)[0].(string))
	require.WithinDuration(t, time.Now().Truncate(time.Minute).Add(time.Minute), next, time.Minute)
	srv.SetNow(next.Add(-time.Second))
	require.Empty(t, ok(t, srv, "GET", "/v1/deployment_runs", nil)["data"])
	srv.SetNow(next)
	runs := ok(t, srv, "GET", "/v1/deployment_runs", nil)["data"].([]any)
	require.Len(t, runs, 1)
	require.Equal(t, next.Format("2006-01-02T15:04:05.000Z"), runs[0].(map[string]any)["trigger_context"].(map[string]any)["scheduled_at"])
	require.True(t, strings.HasPrefix(runs[0].(map[string]any)["session_id"].(string), "sesn_"))
}
