package webhooks

import (
	"context"

	"github.com/go-managedagents/managedagents"
)

// ClientGetters returns the [Getters] that fetch with client the objects it
// covers: sessions (*managedagents.Session), session threads
// (*managedagents.SessionThread), agents (*managedagents.Agent, the latest
// version), environments (*managedagents.Environment) and memory stores
// (*managedagents.MemoryStore). The other kinds
// (vaults and their credentials, deployments, deployment runs,
// and the organization-level user profiles, external keys and External
// Storage) have no getter yet, so Fetch reports [ErrNoGetter] for them; set
// those fields yourself to fetch them another way.
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
		// Not in the client yet: Fetch answers ErrNoGetter for these kinds.
		Vault:           nil,
		VaultCredential: nil,
		Deployment:      nil,
		DeploymentRun:   nil,
		UserProfile:     nil,
		ExternalKey:     nil,
		ExternalStorage: nil,
	}
}
