package webhooks

import (
	"context"

	"github.com/go-managedagents/managedagents"
)

// ClientGetters returns the [Getters] that fetch with client the objects it
// covers: sessions (*managedagents.Session), session threads
// (*managedagents.SessionThread), agents (*managedagents.Agent, the latest
// version), environments (*managedagents.Environment), memory stores
// (*managedagents.MemoryStore), vaults (*managedagents.Vault) and their
// credentials (*managedagents.VaultCredential), deployments
// (*managedagents.Deployment) and deployment runs
// (*managedagents.DeploymentRun). The organization-level user profiles,
// external keys and External Storage have no getter, so Fetch reports
// [ErrNoGetter] for them; set those fields yourself to fetch them another way.
//
//	getters := webhooks.ClientGetters(client)
//	obj, err := getters.Fetch(ctx, ev)
//	if session, ok := obj.(*managedagents.Session); ok { … }
//
// An object archived or deleted since the event gives the client's error
// (one matching managedagents.ErrNotFound for a deleted one).
func ClientGetters(client *managedagents.Client) Getters {
	return Getters{
		Session: func(ctx context.Context, sessionID string) (any, error) {
			return client.Sessions.Get(ctx, sessionID, managedagents.SessionGetParams{})
		},
		SessionThread: func(ctx context.Context, sessionID, threadID string) (any, error) {
			return client.Sessions.Threads.Get(ctx, sessionID, threadID, managedagents.SessionThreadGetParams{})
		},
		Agent: func(ctx context.Context, agentID string) (any, error) {
			return client.Agents.Get(ctx, agentID, managedagents.AgentGetParams{})
		},
		Environment: func(ctx context.Context, environmentID string) (any, error) {
			return client.Environments.Get(ctx, environmentID, managedagents.EnvironmentGetParams{})
		},
		MemoryStore: func(ctx context.Context, memoryStoreID string) (any, error) {
			return client.MemoryStores.Get(ctx, memoryStoreID, managedagents.MemoryStoreGetParams{})
		},
		Vault: func(ctx context.Context, vaultID string) (any, error) {
			return client.Vaults.Get(ctx, vaultID, managedagents.VaultGetParams{})
		},
		VaultCredential: func(ctx context.Context, vaultID, credentialID string) (any, error) {
			return client.Vaults.Credentials.Get(ctx, vaultID, credentialID, managedagents.VaultCredentialGetParams{})
		},
		Deployment: func(ctx context.Context, deploymentID string) (any, error) {
			return client.Deployments.Get(ctx, deploymentID, managedagents.DeploymentGetParams{})
		},
		DeploymentRun: func(ctx context.Context, deploymentRunID string) (any, error) {
			return client.DeploymentRuns.Get(ctx, deploymentRunID, managedagents.DeploymentRunGetParams{})
		},
		// Not in the client: Fetch answers ErrNoGetter for these kinds.
		UserProfile:     nil,
		ExternalKey:     nil,
		ExternalStorage: nil,
	}
}
