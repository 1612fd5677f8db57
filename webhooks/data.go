package webhooks

// The data of webhook events, one type per family. Payloads are thin: they name
// objects by id and never carry them; fetch the object for its current state
// ([Getters.Fetch]). Every id the API sends is a string; OrganizationID is on
// every event, WorkspaceID on all but the organization-level families
// (user_profile.*, external_key.*, external_storage.*).

// SessionData is the data of the session.* events but the thread ones.
type SessionData struct {
	// ID is the session's id (sesn_…).
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
	// WorkspaceID is the workspace's id (wrkspc_…).
	WorkspaceID string `json:"workspace_id"`
}

func (d SessionData) object(deleted bool) Object {
	return Object{Kind: KindSession, ID: d.ID, Deleted: deleted}
}

// SessionThreadData is the data of session.thread_created, session.thread_idled
// and session.thread_terminated.
type SessionThreadData struct {
	// ID is the session's id (sesn_…), not the thread's.
	ID string `json:"id"`
	// SessionThreadID is the thread's id (sthr_…).
	SessionThreadID string `json:"session_thread_id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
	// WorkspaceID is the workspace's id (wrkspc_…).
	WorkspaceID string `json:"workspace_id"`
}

func (d SessionThreadData) object() Object {
	return Object{Kind: KindSessionThread, ID: d.SessionThreadID, ParentID: d.ID}
}

// VaultData is the data of the vault.* events.
type VaultData struct {
	// ID is the vault's id (vlt_…).
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
	// WorkspaceID is the workspace's id (wrkspc_…).
	WorkspaceID string `json:"workspace_id"`
}

func (d VaultData) object(deleted bool) Object {
	return Object{Kind: KindVault, ID: d.ID, Deleted: deleted}
}

// VaultCredentialData is the data of the vault_credential.* events.
type VaultCredentialData struct {
	// ID is the credential's id.
	ID string `json:"id"`
	// VaultID is the id of the vault that holds the credential (vlt_…).
	VaultID string `json:"vault_id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
	// WorkspaceID is the workspace's id (wrkspc_…).
	WorkspaceID string `json:"workspace_id"`
}

func (d VaultCredentialData) object(deleted bool) Object {
	return Object{Kind: KindVaultCredential, ID: d.ID, ParentID: d.VaultID, Deleted: deleted}
}

// AgentData is the data of the agent.* events.
type AgentData struct {
	// ID is the agent's id (agent_…).
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
	// WorkspaceID is the workspace's id (wrkspc_…).
	WorkspaceID string `json:"workspace_id"`
}

func (d AgentData) object(deleted bool) Object {
	return Object{Kind: KindAgent, ID: d.ID, Deleted: deleted}
}

// EnvironmentData is the data of the environment.* events.
type EnvironmentData struct {
	// ID is the environment's id (env_…).
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
	// WorkspaceID is the workspace's id (wrkspc_…).
	WorkspaceID string `json:"workspace_id"`
}

func (d EnvironmentData) object(deleted bool) Object {
	return Object{Kind: KindEnvironment, ID: d.ID, Deleted: deleted}
}

// MemoryStoreData is the data of the memory_store.* events.
type MemoryStoreData struct {
	// ID is the memory store's id (memstore_…).
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
	// WorkspaceID is the workspace's id (wrkspc_…).
	WorkspaceID string `json:"workspace_id"`
}

func (d MemoryStoreData) object(deleted bool) Object {
	return Object{Kind: KindMemoryStore, ID: d.ID, Deleted: deleted}
}

// DeploymentData is the data of the deployment.* events.
type DeploymentData struct {
	// ID is the deployment's id (depl_…).
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
	// WorkspaceID is the workspace's id (wrkspc_…).
	WorkspaceID string `json:"workspace_id"`
}

func (d DeploymentData) object(deleted bool) Object {
	return Object{Kind: KindDeployment, ID: d.ID, Deleted: deleted}
}

// DeploymentRunData is the data of the deployment_run.* events.
type DeploymentRunData struct {
	// ID is the deployment run's id (drun_…).
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
	// WorkspaceID is the workspace's id (wrkspc_…).
	WorkspaceID string `json:"workspace_id"`
}

func (d DeploymentRunData) object() Object {
	return Object{Kind: KindDeploymentRun, ID: d.ID}
}

// UserProfileData is the data of user_profile.program_status_updated, an
// organization-level event (no workspace).
type UserProfileData struct {
	// ID is the user profile's id.
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
}

func (d UserProfileData) object() Object { return Object{Kind: KindUserProfile, ID: d.ID} }

// UserProfileEnforcementActionData is the data of
// user_profile.enforcement_action_opened and _resolved, organization-level
// events (no workspace).
type UserProfileEnforcementActionData struct {
	// ID is the id of the user profile the enforcement action is on.
	ID string `json:"id"`
	// EnforcementActionID is the enforcement action's id (enac_…).
	EnforcementActionID string `json:"enforcement_action_id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
}

func (d UserProfileEnforcementActionData) object() Object {
	return Object{Kind: KindUserProfile, ID: d.ID}
}

// ExternalKeyData is the data of the external_key.* events,
// organization-level (no workspace).
type ExternalKeyData struct {
	// ID is the external key's id (ekey_…).
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
}

func (d ExternalKeyData) object() Object { return Object{Kind: KindExternalKey, ID: d.ID} }

// ExternalStorageData is the data of the external_storage.* events,
// organization-level (no workspace).
type ExternalStorageData struct {
	// ID is the External Storage's id (estrg_…).
	ID string `json:"id"`
	// OrganizationID is the organization's id (org_…).
	OrganizationID string `json:"organization_id"`
}

func (d ExternalStorageData) object() Object { return Object{Kind: KindExternalStorage, ID: d.ID} }
