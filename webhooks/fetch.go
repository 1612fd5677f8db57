package webhooks

import (
	"context"
	"errors"
	"fmt"
)

// ObjectKind names a kind of object a webhook event is about.
type ObjectKind string

// The kinds of objects webhook events name, with the route that fetches each.
const (
	KindSession         ObjectKind = "session"          // GET /v1/sessions/{ID}
	KindSessionThread   ObjectKind = "session_thread"   // GET /v1/sessions/{ParentID}/threads/{ID}
	KindVault           ObjectKind = "vault"            // GET /v1/vaults/{ID}
	KindVaultCredential ObjectKind = "vault_credential" // GET /v1/vaults/{ParentID}/credentials/{ID}
	KindAgent           ObjectKind = "agent"            // GET /v1/agents/{ID}
	KindEnvironment     ObjectKind = "environment"      // GET /v1/environments/{ID}
	KindMemoryStore     ObjectKind = "memory_store"     // GET /v1/memory_stores/{ID}
	KindDeployment      ObjectKind = "deployment"       // GET /v1/deployments/{ID}
	KindDeploymentRun   ObjectKind = "deployment_run"   // GET /v1/deployment_runs/{ID}
	KindUserProfile     ObjectKind = "user_profile"     // GET /v1/user_profiles/{ID}
	KindExternalKey     ObjectKind = "external_key"     // GET /v1/organizations/external_keys/{ID}
	KindExternalStorage ObjectKind = "external_storage" // GET /v1/organizations/external_storage/{ID}
)

// Object names the object a webhook event is about: what to fetch for its
// current state, since payloads are thin.
type Object struct {
	// Kind is the object's kind.
	Kind ObjectKind
	// ID is the object's id: the thread's for a session thread (not the
	// session's, unlike the event's data.id), the credential's for a vault
	// credential.
	ID string
	// ParentID is the id of the object that holds this one: the session of a
	// thread, the vault of a credential; empty for the other kinds.
	ParentID string
	// Deleted is set by the *.deleted events: the object is gone and fetching
	// it gives 404.
	Deleted bool
}

// ObjectOf returns the object ev is about. It reports false for an
// [*UnknownEvent].
func ObjectOf(ev Event) (Object, bool) {
	if ev == nil {
		return Object{}, false
	}
	return ev.object()
}

// Errors of [Getters.Fetch], matched with errors.Is.
var (
	// ErrDeleted reports an event that says its object was deleted: there is
	// nothing to fetch.
	ErrDeleted = errors.New("webhooks: the object was deleted")
	// ErrUnknownObject reports an event of an unknown type, whose object is
	// unknown too.
	ErrUnknownObject = errors.New("webhooks: unknown event type, no object to fetch")
	// ErrNoGetter reports that the [Getters] have no function for the
	// object's kind.
	ErrNoGetter = errors.New("webhooks: no getter for this kind of object")
)

// Getters fetch the current state of the objects webhook events name, one
// function per kind; a nil function leaves that kind out. [NewGetters]
// fills in those the client covers; fill in others, or your own, for example:
//
//	getters := webhooks.Getters{
//		Session: func(ctx context.Context, id string) (any, error) {
//			return client.Sessions.Get(ctx, id, managedagents.SessionGetParams{})
//		},
//	}
//
// Each function returns the object, or an error (such as the client's not
// found error for an object archived meanwhile) that Fetch passes on.
type Getters struct {
	// Session gets a session: GET /v1/sessions/{session_id}.
	Session func(ctx context.Context, sessionID string) (any, error)
	// SessionThread gets a thread of a multiagent session:
	// GET /v1/sessions/{session_id}/threads/{thread_id}.
	SessionThread func(ctx context.Context, sessionID, threadID string) (any, error)
	// Vault gets a vault: GET /v1/vaults/{vault_id}.
	Vault func(ctx context.Context, vaultID string) (any, error)
	// VaultCredential gets a credential of a vault:
	// GET /v1/vaults/{vault_id}/credentials/{credential_id}.
	VaultCredential func(ctx context.Context, vaultID, credentialID string) (any, error)
	// Agent gets an agent: GET /v1/agents/{agent_id}.
	Agent func(ctx context.Context, agentID string) (any, error)
	// Environment gets an environment: GET /v1/environments/{environment_id}.
	Environment func(ctx context.Context, environmentID string) (any, error)
	// MemoryStore gets a memory store: GET /v1/memory_stores/{memory_store_id}.
	MemoryStore func(ctx context.Context, memoryStoreID string) (any, error)
	// Deployment gets a deployment: GET /v1/deployments/{deployment_id}.
	Deployment func(ctx context.Context, deploymentID string) (any, error)
	// DeploymentRun gets a deployment run:
	// GET /v1/deployment_runs/{deployment_run_id}.
	DeploymentRun func(ctx context.Context, deploymentRunID string) (any, error)
	// UserProfile gets a user profile: GET /v1/user_profiles/{id}.
	UserProfile func(ctx context.Context, userProfileID string) (any, error)
	// ExternalKey gets an external key:
	// GET /v1/organizations/external_keys/{id}.
	ExternalKey func(ctx context.Context, externalKeyID string) (any, error)
	// ExternalStorage gets an External Storage:
	// GET /v1/organizations/external_storage/{id}.
	ExternalStorage func(ctx context.Context, externalStorageID string) (any, error)
}

// Fetch returns the current state of the object ev names ([ObjectOf]), from
// the getter of its kind. It calls nothing and returns an error matching
// [ErrDeleted] for a *.deleted event, [ErrUnknownObject] for an
// [*UnknownEvent], and [ErrNoGetter] when the kind's getter is nil. Events may
// arrive late and out of order: act on what Fetch returns, not on the event's
// type alone.
func (g Getters) Fetch(ctx context.Context, ev Event) (any, error) {
	obj, ok := ObjectOf(ev)
	if !ok {
		typ := ""
		if ev != nil {
			typ = ev.EventType()
		}
		return nil, fmt.Errorf("%w (%q)", ErrUnknownObject, typ)
	}
	if obj.Deleted {
		return nil, fmt.Errorf("%w: %s %s (%s)", ErrDeleted, obj.Kind, obj.ID, ev.EventType())
	}
	one := func(get func(context.Context, string) (any, error)) (any, error) {
		if get == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoGetter, obj.Kind)
		}
		return dropTypedNil(get(ctx, obj.ID))
	}
	two := func(get func(context.Context, string, string) (any, error)) (any, error) {
		if get == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoGetter, obj.Kind)
		}
		return dropTypedNil(get(ctx, obj.ParentID, obj.ID))
	}
	switch obj.Kind {
	case KindSession:
		return one(g.Session)
	case KindSessionThread:
		return two(g.SessionThread)
	case KindVault:
		return one(g.Vault)
	case KindVaultCredential:
		return two(g.VaultCredential)
	case KindAgent:
		return one(g.Agent)
	case KindEnvironment:
		return one(g.Environment)
	case KindMemoryStore:
		return one(g.MemoryStore)
	case KindDeployment:
		return one(g.Deployment)
	case KindDeploymentRun:
		return one(g.DeploymentRun)
	case KindUserProfile:
		return one(g.UserProfile)
	case KindExternalKey:
		return one(g.ExternalKey)
	case KindExternalStorage:
		return one(g.ExternalStorage)
	}
	return nil, fmt.Errorf("%w: %s", ErrNoGetter, obj.Kind)
}

// dropTypedNil returns a nil object with an error, so that a getter returning
// (*T)(nil), err does not hand back a non-nil any.
func dropTypedNil(obj any, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return obj, nil
}
