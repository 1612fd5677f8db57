package webhooks

import "slices"

// eventTypes maps every webhook event type (51, as the official SDK v2.15.0
// lists them) to a constructor of its struct.
var eventTypes = map[string]func() decodable{
	TypeSessionCreated:                       func() decodable { return new(SessionCreatedEvent) },
	TypeSessionPending:                       func() decodable { return new(SessionPendingEvent) },
	TypeSessionRunning:                       func() decodable { return new(SessionRunningEvent) },
	TypeSessionIdled:                         func() decodable { return new(SessionIdledEvent) },
	TypeSessionRequiresAction:                func() decodable { return new(SessionRequiresActionEvent) },
	TypeSessionUpdated:                       func() decodable { return new(SessionUpdatedEvent) },
	TypeSessionArchived:                      func() decodable { return new(SessionArchivedEvent) },
	TypeSessionDeleted:                       func() decodable { return new(SessionDeletedEvent) },
	TypeSessionStatusRunStarted:              func() decodable { return new(SessionStatusRunStartedEvent) },
	TypeSessionStatusIdled:                   func() decodable { return new(SessionStatusIdledEvent) },
	TypeSessionStatusRescheduled:             func() decodable { return new(SessionStatusRescheduledEvent) },
	TypeSessionStatusTerminated:              func() decodable { return new(SessionStatusTerminatedEvent) },
	TypeSessionBudgetReached:                 func() decodable { return new(SessionBudgetReachedEvent) },
	TypeSessionOutcomeEvaluationEnded:        func() decodable { return new(SessionOutcomeEvaluationEndedEvent) },
	TypeSessionThreadCreated:                 func() decodable { return new(SessionThreadCreatedEvent) },
	TypeSessionThreadIdled:                   func() decodable { return new(SessionThreadIdledEvent) },
	TypeSessionThreadTerminated:              func() decodable { return new(SessionThreadTerminatedEvent) },
	TypeVaultCreated:                         func() decodable { return new(VaultCreatedEvent) },
	TypeVaultArchived:                        func() decodable { return new(VaultArchivedEvent) },
	TypeVaultDeleted:                         func() decodable { return new(VaultDeletedEvent) },
	TypeVaultCredentialCreated:               func() decodable { return new(VaultCredentialCreatedEvent) },
	TypeVaultCredentialArchived:              func() decodable { return new(VaultCredentialArchivedEvent) },
	TypeVaultCredentialDeleted:               func() decodable { return new(VaultCredentialDeletedEvent) },
	TypeVaultCredentialRefreshFailed:         func() decodable { return new(VaultCredentialRefreshFailedEvent) },
	TypeAgentCreated:                         func() decodable { return new(AgentCreatedEvent) },
	TypeAgentUpdated:                         func() decodable { return new(AgentUpdatedEvent) },
	TypeAgentArchived:                        func() decodable { return new(AgentArchivedEvent) },
	TypeAgentDeleted:                         func() decodable { return new(AgentDeletedEvent) },
	TypeEnvironmentCreated:                   func() decodable { return new(EnvironmentCreatedEvent) },
	TypeEnvironmentUpdated:                   func() decodable { return new(EnvironmentUpdatedEvent) },
	TypeEnvironmentArchived:                  func() decodable { return new(EnvironmentArchivedEvent) },
	TypeEnvironmentDeleted:                   func() decodable { return new(EnvironmentDeletedEvent) },
	TypeMemoryStoreCreated:                   func() decodable { return new(MemoryStoreCreatedEvent) },
	TypeMemoryStoreArchived:                  func() decodable { return new(MemoryStoreArchivedEvent) },
	TypeMemoryStoreDeleted:                   func() decodable { return new(MemoryStoreDeletedEvent) },
	TypeDeploymentCreated:                    func() decodable { return new(DeploymentCreatedEvent) },
	TypeDeploymentUpdated:                    func() decodable { return new(DeploymentUpdatedEvent) },
	TypeDeploymentPaused:                     func() decodable { return new(DeploymentPausedEvent) },
	TypeDeploymentUnpaused:                   func() decodable { return new(DeploymentUnpausedEvent) },
	TypeDeploymentArchived:                   func() decodable { return new(DeploymentArchivedEvent) },
	TypeDeploymentDeleted:                    func() decodable { return new(DeploymentDeletedEvent) },
	TypeDeploymentRunStarted:                 func() decodable { return new(DeploymentRunStartedEvent) },
	TypeDeploymentRunSucceeded:               func() decodable { return new(DeploymentRunSucceededEvent) },
	TypeDeploymentRunFailed:                  func() decodable { return new(DeploymentRunFailedEvent) },
	TypeUserProfileEnforcementActionOpened:   func() decodable { return new(UserProfileEnforcementActionOpenedEvent) },
	TypeUserProfileEnforcementActionResolved: func() decodable { return new(UserProfileEnforcementActionResolvedEvent) },
	TypeUserProfileProgramStatusUpdated:      func() decodable { return new(UserProfileProgramStatusUpdatedEvent) },
	TypeExternalKeyFailed:                    func() decodable { return new(ExternalKeyFailedEvent) },
	TypeExternalKeyRecovered:                 func() decodable { return new(ExternalKeyRecoveredEvent) },
	TypeExternalStorageFailed:                func() decodable { return new(ExternalStorageFailedEvent) },
	TypeExternalStorageRecovered:             func() decodable { return new(ExternalStorageRecoveredEvent) },
}

// EventTypes returns every webhook event type this package decodes into a
// struct of its own (the 51 the official SDK v2.15.0 lists), sorted. A
// subscription, or a fake's, can be checked against it.
func EventTypes() []string {
	types := make([]string, 0, len(eventTypes))
	for typ := range eventTypes {
		types = append(types, typ)
	}
	slices.Sort(types)
	return types
}
