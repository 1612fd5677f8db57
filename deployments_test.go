package managedagents

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
)

func TestDeploymentCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params DeploymentCreateParams
	}{
		{"deployments/create_minimal.json", DeploymentCreateParams{
			Name: "On demand", Agent: NewAgentRef("agent_011CMASi45ub7Qe4ZE36UT5G"), EnvironmentID: "env_011CZkZ9X2dpNyB7HsEFoRfW",
			InitialEvents: []EventParam{NewUserMessage("Summarize yesterday's tickets.")},
		}},
		{"deployments/create_full.json", DeploymentCreateParams{
			Name:          "Weekday dependency audit",
			Description:   "Audits shop-api for outdated dependencies every weekday morning.",
			Agent:         &AgentRef{ID: "agent_011CMASi45ub7Qe4ZE36UT5G", Version: 3},
			EnvironmentID: "env_011CZkZ9X2dpNyB7HsEFoRfW",
			InitialEvents: []EventParam{
				NewUserMessage("Audit the dependencies in /workspace/shop-api."),
				NewSystemMessage("This run was started by a schedule. Nobody is watching; do not ask questions."),
			},
			Resources: []SessionResourceParams{
				&GitHubRepositoryResourceParams{URL: "https://github.com/example-org/shop-api", AuthorizationToken: NewSecret("ghp_deploytoken"), MountPath: "/workspace/shop-api", Checkout: NewCheckoutBranch("main")},
				&FileResourceParams{FileID: "file_011CNha8iCJcU1wXNR6q4V8w", MountPath: "/mnt/session/uploads/policy.md"},
				&MemoryStoreResourceParams{MemoryStoreID: "memstore_011CaC2mVx8RtP5nQw3LyHbJ", Access: "read_only", Instructions: "Past audit findings."},
			},
			VaultIDs: []string{"vlt_011CZkZDLs7fYzm1hXNPeRjv"},
			Schedule: NewScheduleCron("0 9 * * 1-5", "America/Los_Angeles"),
			Budget:   NewBudgetLimit("500", "USD"),
			Metadata: map[string]string{"team": "platform"},
		}},
		{"deployments/create_outcome.json", DeploymentCreateParams{
			Name: "Outcome", Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1",
			InitialEvents: []EventParam{&UserDefineOutcomeParam{Description: "Labels on every issue", Rubric: NewRubricFile("file_1"), MaxIterations: 5}},
		}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "deployments/deployment.json"))))
			d, err := c.Deployments.Create(context.Background(), tc.params)
			require.NoError(t, err)
			require.Equal(t, "depl_011CaB7qLw3YxN2pVt8sKmRd", d.ID)
			r := requireOneRequest(t, *reqs, "POST", "/v1/deployments", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestDeploymentUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params DeploymentUpdateParams
	}{
		// The reference's example: re-pin the agent, drop the schedule, patch metadata.
		{"deployments/update_repin_manual.json", DeploymentUpdateParams{
			Agent:    &AgentRef{ID: "agent_011CMASi45ub7Qe4ZE36UT5G", Version: 4},
			Metadata: MetadataPatch{}.Set("team", "infra").Delete("owner"),
			Clear:    []string{"schedule"},
		}},
		{"deployments/update_latest_agent.json", DeploymentUpdateParams{Agent: NewAgentRef("agent_1"), Name: "Renamed"}},
		{"deployments/update_replace_lists.json", DeploymentUpdateParams{
			InitialEvents: []EventParam{NewUserMessage("New task.")},
			Resources:     []SessionResourceParams{&FileResourceParams{FileID: "file_2"}},
			VaultIDs:      []string{"vlt_2"},
			Schedule:      NewScheduleCron("*/30 8-18 * * MON-FRI", "Europe/Paris"),
			Budget:        NewBudgetLimit("1000", "USD"),
			EnvironmentID: "env_2",
		}},
		{"deployments/update_clear_all.json", DeploymentUpdateParams{Clear: []string{"description", "resources", "vault_ids", "schedule", "budget"}}},
		{"deployments/update_empty_lists.json", DeploymentUpdateParams{Resources: []SessionResourceParams{}, VaultIDs: []string{}}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "deployments/deployment.json"))))
			_, err := c.Deployments.Update(context.Background(), "depl_011CaB7qLw3YxN2pVt8sKmRd", tc.params)
			require.NoError(t, err)
			r := requireOneRequest(t, *reqs, "POST", "/v1/deployments/depl_011CaB7qLw3YxN2pVt8sKmRd", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

// Every field of the reference's sample decodes, with its initial events and
// resources by type.
func TestDeploymentDecodesSample(t *testing.T) {
	t.Parallel()
	raw := fixture(t, "deployments/deployment.json")
	var d Deployment
	require.NoError(t, json.Unmarshal(raw, &d))
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	require.Equal(t, "depl_011CaB7qLw3YxN2pVt8sKmRd", d.ID)
	require.Equal(t, "deployment", d.Type)
	require.Equal(t, "Weekday dependency audit", d.Name)
	require.Equal(t, AgentRef{ID: "agent_011CMASi45ub7Qe4ZE36UT5G", Version: 3}, d.Agent)
	require.Equal(t, "env_011CZkZ9X2dpNyB7HsEFoRfW", d.EnvironmentID)
	require.Len(t, d.InitialEvents, 2)
	msg, ok := d.InitialEvents[0].(*UserMessageEvent)
	require.True(t, ok, "%T", d.InitialEvents[0])
	require.Contains(t, msg.Text(), "Audit the dependencies")
	sys, ok := d.InitialEvents[1].(*SystemMessageEvent)
	require.True(t, ok, "%T", d.InitialEvents[1])
	require.Contains(t, sys.Text(), "started by a schedule")
	require.Len(t, d.Resources, 3)
	repo := d.Resources[0].(*GitHubRepositoryResource)
	require.Equal(t, "https://github.com/example-org/shop-api", repo.URL)
	require.Equal(t, &Checkout{Type: "branch", Name: "main"}, repo.Checkout)
	require.Empty(t, repo.ID, "a deployment's resources have no id")
	require.Equal(t, "file_011CNha8iCJcU1wXNR6q4V8w", d.Resources[1].(*FileResource).FileID)
	store := d.Resources[2].(*MemoryStoreResource)
	require.Equal(t, MemoryStoreAccessReadOnly, store.Access)
	require.Equal(t, []string{"vlt_011CZkZDLs7fYzm1hXNPeRjv"}, d.VaultIDs)
	require.Equal(t, map[string]string{"team": "platform"}, d.Metadata)
	require.Equal(t, "cron", d.Schedule.Type)
	require.Equal(t, "0 9 * * 1-5", d.Schedule.Expression)
	require.Equal(t, "America/Los_Angeles", d.Schedule.Timezone)
	require.Equal(t, ts("2026-11-23T17:00:04.512Z"), d.Schedule.LastRunAt)
	require.Len(t, d.Schedule.UpcomingRunsAt, 5)
	require.Equal(t, ts("2026-11-30T17:00:00Z"), d.Schedule.UpcomingRunsAt[4])
	require.Equal(t, DeploymentStatusActive, d.Status)
	require.Nil(t, d.PausedReason)
	require.Equal(t, NewBudgetLimit("500", "USD"), d.Budget)
	require.Equal(t, ts("2026-11-02T15:12:40.118Z"), d.CreatedAt)
	require.False(t, d.IsArchived())
	require.JSONEq(t, string(raw), string(d.RawJSON()))
}

// A paused deployment: the error reason, a file rubric, an initial event of a
// kind this SDK does not know, and a field it does not know, kept in the raw
// JSON.
func TestDeploymentDecodesPausedAndUnknown(t *testing.T) {
	t.Parallel()
	var d Deployment
	require.NoError(t, json.Unmarshal(fixture(t, "deployments/deployment_paused.json"), &d))
	require.Equal(t, DeploymentStatusPaused, d.Status)
	require.Equal(t, &DeploymentPausedReason{Type: "error", Error: &DeploymentPausedError{Type: DeploymentErrorVaultArchived}}, d.PausedReason)
	require.True(t, d.PausedReason.Error.Type.PausesSchedule())
	outcome := d.InitialEvents[0].(*UserDefineOutcomeEvent)
	require.Equal(t, NewRubricFile("file_011CNha8iCJcU1wXNR6q4V8w"), outcome.Rubric)
	unknown := d.InitialEvents[1].(*UnknownEvent)
	require.Equal(t, EventType("user.story"), unknown.EventType())
	require.Empty(t, d.Resources)
	require.Nil(t, d.Budget)
	require.True(t, d.Schedule.LastRunAt.IsZero())
	require.Contains(t, string(d.RawJSON()), `"owner_team"`)
}

func TestDeploymentRunDecodes(t *testing.T) {
	t.Parallel()
	var ok DeploymentRun
	require.NoError(t, json.Unmarshal(fixture(t, "deployments/run_scheduled.json"), &ok))
	require.True(t, ok.Succeeded())
	require.Equal(t, "sesn_011CaD4kUa1PfX7cWn5TqGhY", ok.SessionID)
	require.Equal(t, TriggerContext{Type: TriggerTypeSchedule, ScheduledAt: time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)}, ok.TriggerContext)
	require.Equal(t, AgentRef{ID: "agent_011CMASi45ub7Qe4ZE36UT5G", Version: 3}, ok.Agent)
	require.Nil(t, ok.Error)

	var failed DeploymentRun
	require.NoError(t, json.Unmarshal(fixture(t, "deployments/run_failed.json"), &failed))
	require.False(t, failed.Succeeded())
	require.Empty(t, failed.SessionID)
	require.Equal(t, TriggerTypeManual, failed.TriggerContext.Type)
	require.True(t, failed.TriggerContext.ScheduledAt.IsZero())
	require.Equal(t, &DeploymentRunError{Type: DeploymentErrorVaultArchived, Message: "Vault vlt_011CZkZDLs7fYzm1hXNPeRjv is archived."}, failed.Error)
	require.False(t, DeploymentErrorSessionRateLimited.PausesSchedule())
	require.False(t, DeploymentErrorSessionCreationRejected.PausesSchedule())
}

// Archive, pause, unpause and run are bodiless POSTs; run answers with the run.
func TestDeploymentActions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		path string
		call func(c *Client) error
	}{
		{"/archive", func(c *Client) error {
			_, err := c.Deployments.Archive(ctx, "depl_1", DeploymentArchiveParams{})
			return err
		}},
		{"/pause", func(c *Client) error {
			_, err := c.Deployments.Pause(ctx, "depl_1", DeploymentPauseParams{})
			return err
		}},
		{"/unpause", func(c *Client) error {
			_, err := c.Deployments.Unpause(ctx, "depl_1", DeploymentUnpauseParams{})
			return err
		}},
	} {
		c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "deployments/deployment.json"))))
		require.NoError(t, tc.call(c))
		r := requireOneRequest(t, *reqs, "POST", "/v1/deployments/depl_1"+tc.path, "")
		require.Empty(t, r.Body)
		require.Empty(t, r.Header.Get("Content-Type"), "no body, no content type")
	}
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "deployments/run_failed.json"))))
	run, err := c.Deployments.Run(ctx, "depl_011CaB7qLw3YxN2pVt8sKmRd", DeploymentRunParams{})
	require.NoError(t, err, "a failed run is an answer, not an error")
	require.Equal(t, DeploymentErrorVaultArchived, run.Error.Type)
	r := requireOneRequest(t, *reqs, "POST", "/v1/deployments/depl_011CaB7qLw3YxN2pVt8sKmRd/run", "")
	require.Empty(t, r.Body)

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "deployments/run_scheduled.json"))))
	got, err := c.DeploymentRuns.Get(ctx, "drun_011CaD4kTz6WqM9sRb2NxVfE", DeploymentRunGetParams{})
	require.NoError(t, err)
	require.Equal(t, "drun_011CaD4kTz6WqM9sRb2NxVfE", got.ID)
	requireOneRequest(t, *reqs, "GET", "/v1/deployment_runs/drun_011CaD4kTz6WqM9sRb2NxVfE", "")
}

// A run that fails after it was sent is not sent again: it may have started a
// session.
func TestDeploymentRunIsNeverResent(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(503, `{"type":"error","error":{"type":"api_error","message":"try later"}}`), option.WithMaxRetries(3))
	_, err := c.Deployments.Run(context.Background(), "depl_1", DeploymentRunParams{})
	require.ErrorIs(t, err, ErrDeliveryUncertain)
	require.Len(t, *reqs, 1)
}

func TestDeploymentListQueries(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		call  func(c *Client) error
		path  string
		query string
	}{
		{func(c *Client) error {
			_, err := c.Deployments.List(context.Background(), DeploymentListParams{})
			return err
		}, "/v1/deployments", ""},
		{func(c *Client) error {
			_, err := c.Deployments.List(context.Background(), DeploymentListParams{AgentID: "agent_1", CreatedAtGTE: at, CreatedAtLTE: at.Add(time.Hour),
				Limit: 100, Page: "page_2", Status: DeploymentStatusPaused})
			return err
		}, "/v1/deployments", "agent_id=agent_1&created_at%5Bgte%5D=2026-11-01T00%3A00%3A00Z&created_at%5Blte%5D=2026-11-01T01%3A00%3A00Z&limit=100&page=page_2&status=paused"},
		{func(c *Client) error {
			_, err := c.Deployments.List(context.Background(), DeploymentListParams{IncludeArchived: true})
			return err
		}, "/v1/deployments", "include_archived=true"},
		{func(c *Client) error {
			_, err := c.DeploymentRuns.List(context.Background(), DeploymentRunListParams{})
			return err
		}, "/v1/deployment_runs", ""},
		{func(c *Client) error {
			_, err := c.DeploymentRuns.List(context.Background(), DeploymentRunListParams{CreatedAtGT: at, CreatedAtGTE: at, CreatedAtLT: at, CreatedAtLTE: at,
				DeploymentID: "depl_1", HasError: new(false), Limit: 1000, Page: "p", TriggerType: TriggerTypeSchedule})
			return err
		}, "/v1/deployment_runs", "created_at%5Bgt%5D=2026-11-01T00%3A00%3A00Z&created_at%5Bgte%5D=2026-11-01T00%3A00%3A00Z&created_at%5Blt%5D=2026-11-01T00%3A00%3A00Z&created_at%5Blte%5D=2026-11-01T00%3A00%3A00Z&deployment_id=depl_1&has_error=false&limit=1000&page=p&trigger_type=schedule"},
		{func(c *Client) error {
			_, err := c.DeploymentRuns.List(context.Background(), DeploymentRunListParams{HasError: new(true)})
			return err
		}, "/v1/deployment_runs", "has_error=true"},
	} {
		c, reqs := newTestClient(t, replyJSON(200, `{"data":[],"next_page":null}`))
		require.NoError(t, tc.call(c))
		requireOneRequest(t, *reqs, "GET", tc.path, tc.query)
	}
}

// ListAll follows next_page across deployments and runs.
func TestDeploymentListAll(t *testing.T) {
	t.Parallel()
	d := string(fixture(t, "deployments/deployment.json"))
	run := string(fixture(t, "deployments/run_failed.json"))
	c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		item := d
		if strings.HasPrefix(r.URL.Path, "/v1/deployment_runs") {
			item = run
		}
		if page == "" {
			replyJSON(200, `{"data":[`+item+`,`+item+`],"next_page":"page_2"}`)(w, r)
			return
		}
		replyJSON(200, `{"data":[`+item+`],"next_page":null}`)(w, r)
	})
	n := 0
	for dep, err := range c.Deployments.ListAll(context.Background(), DeploymentListParams{Status: DeploymentStatusActive}) {
		require.NoError(t, err)
		require.Equal(t, "Weekday dependency audit", dep.Name)
		n++
	}
	require.Equal(t, 3, n)
	n = 0
	for r, err := range c.DeploymentRuns.ListAll(context.Background(), DeploymentRunListParams{DeploymentID: "depl_1"}) {
		require.NoError(t, err)
		require.Equal(t, DeploymentErrorVaultArchived, r.Error.Type)
		n++
	}
	require.Equal(t, 3, n)
	require.Len(t, *reqs, 4)
	q, _ := url.ParseQuery((*reqs)[1].RawQuery)
	require.Equal(t, "page_2", q.Get("page"))
	require.Equal(t, "active", q.Get("status"), "the other params are kept")
}

// Bad arguments are refused before anything is sent, naming the field.
func TestDeploymentValidation(t *testing.T) {
	t.Parallel()
	valid := func() DeploymentCreateParams {
		return DeploymentCreateParams{Name: "d", Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1",
			InitialEvents: []EventParam{NewUserMessage("go")}}
	}
	with := func(f func(*DeploymentCreateParams)) DeploymentCreateParams { p := valid(); f(&p); return p }
	many := func(n int) []EventParam {
		out := make([]EventParam, n)
		for i := range out {
			out[i] = NewUserMessage("x")
		}
		return out
	}
	for _, tc := range []struct {
		field  string
		params DeploymentCreateParams
	}{
		{"name", with(func(p *DeploymentCreateParams) { p.Name = "" })},
		{"agent", with(func(p *DeploymentCreateParams) { p.Agent = nil })},
		{"agent.id", with(func(p *DeploymentCreateParams) { p.Agent = &AgentRef{} })},
		{"agent.version", with(func(p *DeploymentCreateParams) { p.Agent = &AgentRef{ID: "a", Version: -1} })},
		{"environment_id", with(func(p *DeploymentCreateParams) { p.EnvironmentID = "" })},
		{"initial_events", with(func(p *DeploymentCreateParams) { p.InitialEvents = nil })},
		{"initial_events", with(func(p *DeploymentCreateParams) { p.InitialEvents = many(51) })},
		{"initial_events[0]", with(func(p *DeploymentCreateParams) { p.InitialEvents = []EventParam{NewUserInterrupt()} })},
		{"initial_events[0]", with(func(p *DeploymentCreateParams) { p.InitialEvents = []EventParam{NewSystemMessage("alone")} })},
		{"initial_events[0].content", with(func(p *DeploymentCreateParams) { p.InitialEvents = []EventParam{&UserMessageParam{}} })},
		{"resources", with(func(p *DeploymentCreateParams) {
			p.Resources = make([]SessionResourceParams, 501)
		})},
		{"resources[0].url", with(func(p *DeploymentCreateParams) {
			p.Resources = []SessionResourceParams{&GitHubRepositoryResourceParams{}}
		})},
		{"vault_ids", with(func(p *DeploymentCreateParams) { p.VaultIDs = make([]string, 51) })},
		{"vault_ids[1]", with(func(p *DeploymentCreateParams) { p.VaultIDs = []string{"vlt_1", "a/b"} })},
		{"schedule.expression", with(func(p *DeploymentCreateParams) { p.Schedule = NewScheduleCron("", "UTC") })},
		{"schedule.expression", with(func(p *DeploymentCreateParams) { p.Schedule = NewScheduleCron("@daily", "UTC") })},
		{"schedule.expression", with(func(p *DeploymentCreateParams) { p.Schedule = NewScheduleCron("0 0 L * *", "UTC") })},
		{"schedule.expression", with(func(p *DeploymentCreateParams) { p.Schedule = NewScheduleCron("0 0 0 * * *", "UTC") })},
		{"schedule.timezone", with(func(p *DeploymentCreateParams) { p.Schedule = NewScheduleCron("0 9 * * *", "") })},
		{"schedule.timezone", with(func(p *DeploymentCreateParams) { p.Schedule = NewScheduleCron("0 9 * * *", "Pacific Time") })},
		{"budget.max_list_cost.amount", with(func(p *DeploymentCreateParams) { p.Budget = NewBudgetLimit("5.00", "USD") })},
		{`metadata[""]`, with(func(p *DeploymentCreateParams) { p.Metadata = map[string]string{"": "x"} })},
	} {
		c, reqs := newTestClient(t, replyJSON(200, "{}"))
		_, err := c.Deployments.Create(context.Background(), tc.params)
		requireField(t, tc.field, err)
		require.Empty(t, *reqs)
	}

	for _, tc := range []struct {
		field  string
		params DeploymentUpdateParams
	}{
		{"clear[0]", DeploymentUpdateParams{Clear: []string{"name"}}},
		{"clear[0]", DeploymentUpdateParams{Clear: []string{"initial_events"}}},
		{"clear[0]", DeploymentUpdateParams{Clear: []string{"agent"}}},
		{"clear[1]", DeploymentUpdateParams{Clear: []string{"budget", "budget"}}},
		{"schedule", DeploymentUpdateParams{Schedule: NewScheduleCron("0 9 * * *", "UTC"), Clear: []string{"schedule"}}},
		{"initial_events", DeploymentUpdateParams{InitialEvents: []EventParam{}}},
		{"agent.id", DeploymentUpdateParams{Agent: &AgentRef{}}},
		{"schedule.expression", DeploymentUpdateParams{Schedule: NewScheduleCron("* * * *", "UTC")}},
		{`metadata[""]`, DeploymentUpdateParams{Metadata: MetadataPatch{}.Set("", "x")}},
	} {
		c, reqs := newTestClient(t, replyJSON(200, "{}"))
		_, err := c.Deployments.Update(context.Background(), "depl_1", tc.params)
		requireField(t, tc.field, err)
		require.Empty(t, *reqs)
	}

	for _, tc := range []struct {
		field string
		call  func(c *Client) error
	}{
		{"status", func(c *Client) error {
			_, err := c.Deployments.List(context.Background(), DeploymentListParams{Status: "running"})
			return err
		}},
		{"status", func(c *Client) error {
			_, err := c.Deployments.List(context.Background(), DeploymentListParams{Status: DeploymentStatusActive, IncludeArchived: true})
			return err
		}},
		{"limit", func(c *Client) error {
			_, err := c.Deployments.List(context.Background(), DeploymentListParams{Limit: 101})
			return err
		}},
		{"limit", func(c *Client) error {
			_, err := c.DeploymentRuns.List(context.Background(), DeploymentRunListParams{Limit: 1001})
			return err
		}},
		{"trigger_type", func(c *Client) error {
			_, err := c.DeploymentRuns.List(context.Background(), DeploymentRunListParams{TriggerType: "webhook"})
			return err
		}},
		{"deployment_id", func(c *Client) error {
			_, err := c.Deployments.Run(context.Background(), "", DeploymentRunParams{})
			return err
		}},
		{"deployment_id", func(c *Client) error {
			_, err := c.Deployments.Get(context.Background(), "../x", DeploymentGetParams{})
			return err
		}},
		{"deployment_run_id", func(c *Client) error {
			_, err := c.DeploymentRuns.Get(context.Background(), "", DeploymentRunGetParams{})
			return err
		}},
	} {
		c, reqs := newTestClient(t, replyJSON(200, "{}"))
		err := tc.call(c)
		requireField(t, tc.field, err)
		require.Empty(t, *reqs)
	}
}

// The cron expression's error says which field is wrong.
func TestScheduleExpressionErrorNamesTheField(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, replyJSON(200, "{}"))
	_, err := c.Deployments.Create(context.Background(), DeploymentCreateParams{Name: "d", Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1",
		InitialEvents: []EventParam{NewUserMessage("go")}, Schedule: NewScheduleCron("0 25 * * *", "UTC")})
	require.ErrorContains(t, err, `hour field "25": 25 is out of range 0-23`)
}
