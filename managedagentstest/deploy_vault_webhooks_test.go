package managedagentstest_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/webhooks"
)

// Deployments, their runs, vaults and credentials announce each state change
// once: a run its start and its outcome, a scheduled failure the pause it
// causes, a vault's archive and delete each of its credentials' (with their
// vault_id).
func TestWebhooksOfDeploymentsAndVaults(t *testing.T) {
	t.Parallel()
	rcv := receive(t, nil)
	f := newDeployFixture(t)
	ctx := context.Background()
	register(t, f.srv, rcv, webhooks.NewSecret(),
		webhooks.TypeDeploymentCreated, webhooks.TypeDeploymentUpdated, webhooks.TypeDeploymentPaused, webhooks.TypeDeploymentUnpaused,
		webhooks.TypeDeploymentArchived, webhooks.TypeDeploymentRunStarted, webhooks.TypeDeploymentRunSucceeded,
		webhooks.TypeDeploymentRunFailed, webhooks.TypeVaultCreated, webhooks.TypeVaultArchived, webhooks.TypeVaultDeleted,
		webhooks.TypeVaultCredentialCreated, webhooks.TypeVaultCredentialArchived, webhooks.TypeVaultCredentialDeleted)

	c := f.client
	v, err := c.Vaults.Create(ctx, managedagents.VaultCreateParams{DisplayName: "hooks"})
	require.NoError(t, err)
	cred, err := c.Vaults.Credentials.Create(ctx, v.ID, managedagents.VaultCredentialCreateParams{
		Auth: managedagents.NewStaticBearerAuth("https://mcp.example.com/mcp", "tok")})
	require.NoError(t, err)
	d, err := c.Deployments.Create(ctx, managedagents.DeploymentCreateParams{Name: "d", Agent: managedagents.NewAgentRef(f.agent),
		EnvironmentID: f.env, VaultIDs: []string{v.ID}, InitialEvents: []managedagents.EventParam{managedagents.NewUserMessage("go")},
		Schedule: managedagents.NewScheduleCron("0 * * * *", "UTC")})
	require.NoError(t, err)
	manual, err := c.Deployments.Run(ctx, d.ID, managedagents.DeploymentRunParams{})
	require.NoError(t, err)
	_, err = c.Deployments.Update(ctx, d.ID, managedagents.DeploymentUpdateParams{Description: "hourly"})
	require.NoError(t, err)
	for range 2 { // the second pause changes nothing: no webhook
		_, err = c.Deployments.Pause(ctx, d.ID, managedagents.DeploymentPauseParams{})
		require.NoError(t, err)
	}
	_, err = c.Deployments.Unpause(ctx, d.ID, managedagents.DeploymentUnpauseParams{})
	require.NoError(t, err)
	_, err = c.Vaults.Archive(ctx, v.ID, managedagents.VaultArchiveParams{})
	require.NoError(t, err)
	archived, err := c.Vaults.Credentials.Get(ctx, v.ID, cred.ID, managedagents.VaultCredentialGetParams{})
	require.NoError(t, err)
	require.True(t, archived.IsArchived(), "archiving a vault archives its credentials")
	f.srv.AdvanceClock(time.Hour) // the scheduled run fails on the archived vault and pauses
	scheduled := f.runs(t, managedagents.DeploymentRunListParams{TriggerType: managedagents.TriggerTypeSchedule})
	require.Len(t, scheduled, 1)
	_, err = c.Deployments.Archive(ctx, d.ID, managedagents.DeploymentArchiveParams{})
	require.NoError(t, err)
	_, err = c.Vaults.Delete(ctx, v.ID, managedagents.VaultDeleteParams{})
	require.NoError(t, err)
	waitWebhooks(t, f.srv)

	want := []struct{ typ, id string }{
		{"vault.created", v.ID}, {"vault_credential.created", cred.ID}, {"deployment.created", d.ID},
		{"deployment_run.started", manual.ID}, {"deployment_run.succeeded", manual.ID}, {"deployment.updated", d.ID},
		{"deployment.paused", d.ID}, {"deployment.unpaused", d.ID}, {"vault.archived", v.ID}, {"vault_credential.archived", cred.ID},
		{"deployment_run.started", scheduled[0].ID}, {"deployment_run.failed", scheduled[0].ID}, {"deployment.paused", d.ID},
		{"deployment.archived", d.ID}, {"vault.deleted", v.ID}, {"vault_credential.deleted", cred.ID},
	}
	got := rcv.requests()
	require.Len(t, got, len(want), "received %v", rcv.types(t))
	for i, req := range got {
		var env struct{ Data map[string]string }
		require.NoError(t, json.Unmarshal(req.Body, &env))
		require.Equal(t, want[i].typ, env.Data["type"], "delivery %d", i)
		require.Equal(t, want[i].id, env.Data["id"], "delivery %d", i)
		if want[i].typ == "vault_credential.created" || want[i].typ == "vault_credential.archived" || want[i].typ == "vault_credential.deleted" {
			require.Equal(t, v.ID, env.Data["vault_id"], "delivery %d", i)
		}
	}
}
