package webhooks

// Organization-level events: they carry no workspace_id and are the only
// types an organization webhook endpoint can subscribe to.

// Event types of this file: the data.type of each.
const (
	TypeUserProfileEnforcementActionOpened   = "user_profile.enforcement_action_opened"
	TypeUserProfileEnforcementActionResolved = "user_profile.enforcement_action_resolved"
	TypeUserProfileProgramStatusUpdated      = "user_profile.program_status_updated"
	TypeExternalKeyFailed                    = "external_key.failed"
	TypeExternalKeyRecovered                 = "external_key.recovered"
	TypeExternalStorageFailed                = "external_storage.failed"
	TypeExternalStorageRecovered             = "external_storage.recovered"
)

// UserProfileEnforcementActionOpenedEvent
// (user_profile.enforcement_action_opened) says an enforcement action was
// opened on a user profile.
type UserProfileEnforcementActionOpenedEvent struct {
	EventMeta
	// Data identifies the enforcement action.
	Data UserProfileEnforcementActionData `json:"data"`
}

func (e *UserProfileEnforcementActionOpenedEvent) object() (Object, bool) {
	return e.Data.object(), true
}

// UserProfileEnforcementActionResolvedEvent
// (user_profile.enforcement_action_resolved) says an enforcement action on a
// user profile was resolved.
type UserProfileEnforcementActionResolvedEvent struct {
	EventMeta
	// Data identifies the enforcement action.
	Data UserProfileEnforcementActionData `json:"data"`
}

func (e *UserProfileEnforcementActionResolvedEvent) object() (Object, bool) {
	return e.Data.object(), true
}

// UserProfileProgramStatusUpdatedEvent (user_profile.program_status_updated)
// says the program status of a user profile changed.
type UserProfileProgramStatusUpdatedEvent struct {
	EventMeta
	// Data identifies the user profile.
	Data UserProfileData `json:"data"`
}

func (e *UserProfileProgramStatusUpdatedEvent) object() (Object, bool) { return e.Data.object(), true }

// ExternalKeyFailedEvent (external_key.failed) says an external key stopped
// working.
type ExternalKeyFailedEvent struct {
	EventMeta
	// Data identifies the external key.
	Data ExternalKeyData `json:"data"`
}

func (e *ExternalKeyFailedEvent) object() (Object, bool) { return e.Data.object(), true }

// ExternalKeyRecoveredEvent (external_key.recovered) says an external key works
// again.
type ExternalKeyRecoveredEvent struct {
	EventMeta
	// Data identifies the external key.
	Data ExternalKeyData `json:"data"`
}

func (e *ExternalKeyRecoveredEvent) object() (Object, bool) { return e.Data.object(), true }

// ExternalStorageFailedEvent (external_storage.failed) says an External Storage
// bucket failed.
type ExternalStorageFailedEvent struct {
	EventMeta
	// Data identifies the External Storage configuration.
	Data ExternalStorageData `json:"data"`
}

func (e *ExternalStorageFailedEvent) object() (Object, bool) { return e.Data.object(), true }

// ExternalStorageRecoveredEvent (external_storage.recovered) says an External
// Storage bucket passes the check again.
type ExternalStorageRecoveredEvent struct {
	EventMeta
	// Data identifies the External Storage configuration.
	Data ExternalStorageData `json:"data"`
}

func (e *ExternalStorageRecoveredEvent) object() (Object, bool) { return e.Data.object(), true }
