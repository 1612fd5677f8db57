package webhooks

// Events about vaults, credentials, agents, environments, memory stores,
// deployments and deployment runs.

// Event types of this file: the data.type of each.
const (
	TypeVaultCreated                 = "vault.created"
	TypeVaultArchived                = "vault.archived"
	TypeVaultDeleted                 = "vault.deleted"
	TypeVaultCredentialCreated       = "vault_credential.created"
	TypeVaultCredentialArchived      = "vault_credential.archived"
	TypeVaultCredentialDeleted       = "vault_credential.deleted"
	TypeVaultCredentialRefreshFailed = "vault_credential.refresh_failed"
	TypeAgentCreated                 = "agent.created"
	TypeAgentUpdated                 = "agent.updated"
	TypeAgentArchived                = "agent.archived"
	TypeAgentDeleted                 = "agent.deleted"
	TypeEnvironmentCreated           = "environment.created"
	TypeEnvironmentUpdated           = "environment.updated"
	TypeEnvironmentArchived          = "environment.archived"
	TypeEnvironmentDeleted           = "environment.deleted"
	TypeMemoryStoreCreated           = "memory_store.created"
	TypeMemoryStoreArchived          = "memory_store.archived"
	TypeMemoryStoreDeleted           = "memory_store.deleted"
	TypeDeploymentCreated            = "deployment.created"
	TypeDeploymentUpdated            = "deployment.updated"
	TypeDeploymentPaused             = "deployment.paused"
	TypeDeploymentUnpaused           = "deployment.unpaused"
	TypeDeploymentArchived           = "deployment.archived"
	TypeDeploymentDeleted            = "deployment.deleted"
	TypeDeploymentRunStarted         = "deployment_run.started"
	TypeDeploymentRunSucceeded       = "deployment_run.succeeded"
	TypeDeploymentRunFailed          = "deployment_run.failed"
)

// VaultCreatedEvent (vault.created) says a vault was created.
type VaultCreatedEvent struct {
	EventMeta
	// Data identifies the vault.
	Data VaultData `json:"data"`
}

func (e *VaultCreatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// VaultArchivedEvent (vault.archived) says a vault was archived; one
// vault_credential.archived follows per credential.
type VaultArchivedEvent struct {
	EventMeta
	// Data identifies the vault.
	Data VaultData `json:"data"`
}

func (e *VaultArchivedEvent) object() (Object, bool) { return e.Data.object(false), true }

// VaultDeletedEvent (vault.deleted) says a vault was deleted; one
// vault_credential.deleted follows per credential.
type VaultDeletedEvent struct {
	EventMeta
	// Data identifies the vault.
	Data VaultData `json:"data"`
}

func (e *VaultDeletedEvent) object() (Object, bool) { return e.Data.object(true), true }

// VaultCredentialCreatedEvent (vault_credential.created) says a credential was
// added to a vault.
type VaultCredentialCreatedEvent struct {
	EventMeta
	// Data identifies the credential and its vault.
	Data VaultCredentialData `json:"data"`
}

func (e *VaultCredentialCreatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// VaultCredentialArchivedEvent (vault_credential.archived) says a credential
// was archived.
type VaultCredentialArchivedEvent struct {
	EventMeta
	// Data identifies the credential and its vault.
	Data VaultCredentialData `json:"data"`
}

func (e *VaultCredentialArchivedEvent) object() (Object, bool) { return e.Data.object(false), true }

// VaultCredentialDeletedEvent (vault_credential.deleted) says a credential was
// deleted: fetching it gives 404.
type VaultCredentialDeletedEvent struct {
	EventMeta
	// Data identifies the credential and its vault.
	Data VaultCredentialData `json:"data"`
}

func (e *VaultCredentialDeletedEvent) object() (Object, bool) { return e.Data.object(true), true }

// VaultCredentialRefreshFailedEvent (vault_credential.refresh_failed) says
// refreshing a credential (an OAuth token) failed.
type VaultCredentialRefreshFailedEvent struct {
	EventMeta
	// Data identifies the credential and its vault.
	Data VaultCredentialData `json:"data"`
}

func (e *VaultCredentialRefreshFailedEvent) object() (Object, bool) {
	return e.Data.object(false), true
}

// AgentCreatedEvent (agent.created) says an agent was created.
type AgentCreatedEvent struct {
	EventMeta
	// Data identifies the agent.
	Data AgentData `json:"data"`
}

func (e *AgentCreatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// AgentUpdatedEvent (agent.updated) says an agent was updated (a new version).
type AgentUpdatedEvent struct {
	EventMeta
	// Data identifies the agent.
	Data AgentData `json:"data"`
}

func (e *AgentUpdatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// AgentArchivedEvent (agent.archived) says an agent was archived.
type AgentArchivedEvent struct {
	EventMeta
	// Data identifies the agent.
	Data AgentData `json:"data"`
}

func (e *AgentArchivedEvent) object() (Object, bool) { return e.Data.object(false), true }

// AgentDeletedEvent (agent.deleted) says an agent was deleted: fetching it
// gives 404.
type AgentDeletedEvent struct {
	EventMeta
	// Data identifies the agent.
	Data AgentData `json:"data"`
}

func (e *AgentDeletedEvent) object() (Object, bool) { return e.Data.object(true), true }

// EnvironmentCreatedEvent (environment.created) says an environment was
// created.
type EnvironmentCreatedEvent struct {
	EventMeta
	// Data identifies the environment.
	Data EnvironmentData `json:"data"`
}

func (e *EnvironmentCreatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// EnvironmentUpdatedEvent (environment.updated) says an environment was
// updated.
type EnvironmentUpdatedEvent struct {
	EventMeta
	// Data identifies the environment.
	Data EnvironmentData `json:"data"`
}

func (e *EnvironmentUpdatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// EnvironmentArchivedEvent (environment.archived) says an environment was
// archived.
type EnvironmentArchivedEvent struct {
	EventMeta
	// Data identifies the environment.
	Data EnvironmentData `json:"data"`
}

func (e *EnvironmentArchivedEvent) object() (Object, bool) { return e.Data.object(false), true }

// EnvironmentDeletedEvent (environment.deleted) says an environment was
// deleted: fetching it gives 404.
type EnvironmentDeletedEvent struct {
	EventMeta
	// Data identifies the environment.
	Data EnvironmentData `json:"data"`
}

func (e *EnvironmentDeletedEvent) object() (Object, bool) { return e.Data.object(true), true }

// MemoryStoreCreatedEvent (memory_store.created) says a memory store was
// created.
type MemoryStoreCreatedEvent struct {
	EventMeta
	// Data identifies the memory store.
	Data MemoryStoreData `json:"data"`
}

func (e *MemoryStoreCreatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// MemoryStoreArchivedEvent (memory_store.archived) says a memory store was
// archived.
type MemoryStoreArchivedEvent struct {
	EventMeta
	// Data identifies the memory store.
	Data MemoryStoreData `json:"data"`
}

func (e *MemoryStoreArchivedEvent) object() (Object, bool) { return e.Data.object(false), true }

// MemoryStoreDeletedEvent (memory_store.deleted) says a memory store was
// deleted: fetching it gives 404.
type MemoryStoreDeletedEvent struct {
	EventMeta
	// Data identifies the memory store.
	Data MemoryStoreData `json:"data"`
}

func (e *MemoryStoreDeletedEvent) object() (Object, bool) { return e.Data.object(true), true }

// DeploymentCreatedEvent (deployment.created) says a deployment was created.
type DeploymentCreatedEvent struct {
	EventMeta
	// Data identifies the deployment.
	Data DeploymentData `json:"data"`
}

func (e *DeploymentCreatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// DeploymentUpdatedEvent (deployment.updated) says a deployment was updated.
type DeploymentUpdatedEvent struct {
	EventMeta
	// Data identifies the deployment.
	Data DeploymentData `json:"data"`
}

func (e *DeploymentUpdatedEvent) object() (Object, bool) { return e.Data.object(false), true }

// DeploymentPausedEvent (deployment.paused) says a deployment was paused.
type DeploymentPausedEvent struct {
	EventMeta
	// Data identifies the deployment.
	Data DeploymentData `json:"data"`
}

func (e *DeploymentPausedEvent) object() (Object, bool) { return e.Data.object(false), true }

// DeploymentUnpausedEvent (deployment.unpaused) says a paused deployment was
// resumed.
type DeploymentUnpausedEvent struct {
	EventMeta
	// Data identifies the deployment.
	Data DeploymentData `json:"data"`
}

func (e *DeploymentUnpausedEvent) object() (Object, bool) { return e.Data.object(false), true }

// DeploymentArchivedEvent (deployment.archived) says a deployment was archived.
type DeploymentArchivedEvent struct {
	EventMeta
	// Data identifies the deployment.
	Data DeploymentData `json:"data"`
}

func (e *DeploymentArchivedEvent) object() (Object, bool) { return e.Data.object(false), true }

// DeploymentDeletedEvent (deployment.deleted) says a deployment was deleted:
// fetching it gives 404.
type DeploymentDeletedEvent struct {
	EventMeta
	// Data identifies the deployment.
	Data DeploymentData `json:"data"`
}

func (e *DeploymentDeletedEvent) object() (Object, bool) { return e.Data.object(true), true }

// DeploymentRunStartedEvent (deployment_run.started) says a deployment run
// started.
type DeploymentRunStartedEvent struct {
	EventMeta
	// Data identifies the deployment run.
	Data DeploymentRunData `json:"data"`
}

func (e *DeploymentRunStartedEvent) object() (Object, bool) { return e.Data.object(), true }

// DeploymentRunSucceededEvent (deployment_run.succeeded) says a deployment run
// succeeded.
type DeploymentRunSucceededEvent struct {
	EventMeta
	// Data identifies the deployment run.
	Data DeploymentRunData `json:"data"`
}

func (e *DeploymentRunSucceededEvent) object() (Object, bool) { return e.Data.object(), true }

// DeploymentRunFailedEvent (deployment_run.failed) says a deployment run
// failed, for example a scheduled run that could not start its session.
type DeploymentRunFailedEvent struct {
	EventMeta
	// Data identifies the deployment run.
	Data DeploymentRunData `json:"data"`
}

func (e *DeploymentRunFailedEvent) object() (Object, bool) { return e.Data.object(), true }
