package webhooks_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/webhooks"
)

// event decodes a thin payload of typ naming id (and thread, for the thread
// events).
func event(t *testing.T, typ, id, thread string) webhooks.Event {
	t.Helper()
	ev, err := webhooks.DecodeEvent(fmt.Appendf(nil, `{"type":"event","id":"whe_1","created_at":"2026-11-24T12:00:04Z",`+
		`"data":{"type":%q,"id":%q,"session_thread_id":%q,"vault_id":"vlt_1","organization_id":"org_1","workspace_id":"wrkspc_1"}}`,
		typ, id, thread))
	require.NoError(t, err)
	return ev
}

// ClientGetters fetches, through the client, the object of each kind the
// client covers, and refuses the others without a call.
func TestClientGettersFetchWithTheClient(t *testing.T) {
	t.Parallel()
	srv := managedagentstest.NewServer()
	t.Cleanup(srv.Close)
	client := srv.Client()
	ctx := context.Background()
	agent, env, session := newSession(t, client)
	threads, err := client.Sessions.Threads.List(ctx, session.ID, managedagents.SessionThreadListParams{})
	require.NoError(t, err)
	thread := threads.Data[0]

	getters := webhooks.ClientGetters(client)
	obj, err := getters.Fetch(ctx, event(t, webhooks.TypeSessionStatusIdled, session.ID, ""))
	require.NoError(t, err)
	require.Equal(t, session.ID, obj.(*managedagents.Session).ID)
	obj, err = getters.Fetch(ctx, event(t, webhooks.TypeSessionThreadIdled, session.ID, thread.ID))
	require.NoError(t, err)
	require.Equal(t, thread.ID, obj.(*managedagents.SessionThread).ID)
	require.Equal(t, session.ID, obj.(*managedagents.SessionThread).SessionID)
	obj, err = getters.Fetch(ctx, event(t, webhooks.TypeAgentUpdated, agent.ID, ""))
	require.NoError(t, err)
	require.Equal(t, agent.ID, obj.(*managedagents.Agent).ID)
	obj, err = getters.Fetch(ctx, event(t, webhooks.TypeEnvironmentCreated, env.ID, ""))
	require.NoError(t, err)
	require.Equal(t, env.ID, obj.(*managedagents.Environment).ID)
	store, err := client.MemoryStores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "notes"})
	require.NoError(t, err)
	obj, err = getters.Fetch(ctx, event(t, webhooks.TypeMemoryStoreArchived, store.ID, ""))
	require.NoError(t, err)
	require.Equal(t, store.ID, obj.(*managedagents.MemoryStore).ID)

	// Gone since the event: the client's not-found error, and no typed nil.
	_, err = client.Environments.Delete(ctx, env.ID, managedagents.EnvironmentDeleteParams{})
	require.NoError(t, err)
	obj, err = getters.Fetch(ctx, event(t, webhooks.TypeEnvironmentUpdated, env.ID, ""))
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	require.True(t, obj == nil, "a typed nil came back: %#v", obj)

	vault, err := client.Vaults.Create(ctx, managedagents.VaultCreateParams{DisplayName: "v"})
	require.NoError(t, err)
	cred, err := client.Vaults.Credentials.Create(ctx, vault.ID, managedagents.VaultCredentialCreateParams{
		Auth: managedagents.NewStaticBearerAuth("https://mcp.example.com/mcp", "tok")})
	require.NoError(t, err)
	env2, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "deploy"})
	require.NoError(t, err)
	deployment, err := client.Deployments.Create(ctx, managedagents.DeploymentCreateParams{Name: "d", Agent: managedagents.NewAgentRef(agent.ID),
		EnvironmentID: env2.ID, InitialEvents: []managedagents.EventParam{managedagents.NewUserMessage("go")}})
	require.NoError(t, err)
	run, err := client.Deployments.Run(ctx, deployment.ID, managedagents.DeploymentRunParams{})
	require.NoError(t, err)
	obj, err = getters.Fetch(ctx, event(t, webhooks.TypeVaultArchived, vault.ID, ""))
	require.NoError(t, err)
	require.Equal(t, vault.ID, obj.(*managedagents.Vault).ID)
	credEvent, err := webhooks.DecodeEvent(fmt.Appendf(nil, `{"type":"event","id":"whe_2","created_at":"2026-11-24T12:00:04Z",`+
		`"data":{"type":"vault_credential.created","id":%q,"vault_id":%q,"organization_id":"org_1","workspace_id":"wrkspc_1"}}`, cred.ID, vault.ID))
	require.NoError(t, err)
	obj, err = getters.Fetch(ctx, credEvent)
	require.NoError(t, err)
	require.Equal(t, cred.ID, obj.(*managedagents.VaultCredential).ID)
	obj, err = getters.Fetch(ctx, event(t, webhooks.TypeDeploymentPaused, deployment.ID, ""))
	require.NoError(t, err)
	require.Equal(t, deployment.ID, obj.(*managedagents.Deployment).ID)
	obj, err = getters.Fetch(ctx, event(t, webhooks.TypeDeploymentRunSucceeded, run.ID, ""))
	require.NoError(t, err)
	require.Equal(t, run.SessionID, obj.(*managedagents.DeploymentRun).SessionID)

	requests := len(srv.Requests())
	for _, typ := range []string{webhooks.TypeUserProfileProgramStatusUpdated,
		webhooks.TypeExternalKeyFailed, webhooks.TypeExternalStorageFailed} {
		_, err := getters.Fetch(ctx, event(t, typ, "obj_1", ""))
		require.ErrorIs(t, err, webhooks.ErrNoGetter, typ)
	}
	require.Len(t, srv.Requests(), requests, "a getter the client does not cover made a request")
}
