package managedagents

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// MemoryVersionService lists, reads and redacts memory versions: every
// change of a memory (create, update, delete, an agent's write through the
// mount) writes one, immutable but for redaction. Get it from
// [MemoryStoreService.MemoryVersions].
type MemoryVersionService struct{ client *Client }

// MemoryVersionOperation is the change a memory version records.
type MemoryVersionOperation string

// Memory version operations.
const (
	// MemoryVersionCreated: the memory was created (the first version).
	MemoryVersionCreated MemoryVersionOperation = "created"
	// MemoryVersionModified: its content, path or both changed, by an update
	// or by an agent writing through the mount.
	MemoryVersionModified MemoryVersionOperation = "modified"
	// MemoryVersionDeleted: the memory was deleted; the version has no
	// content, size or hash.
	MemoryVersionDeleted MemoryVersionOperation = "deleted"
)

func (o MemoryVersionOperation) check(field string) error {
	switch o {
	case "", MemoryVersionCreated, MemoryVersionModified, MemoryVersionDeleted:
		return nil
	}
	return invalid(field, `must be "created", "modified" or "deleted", not `+strconv.Quote(string(o)))
}

// Actor types.
const (
	// ActorTypeSession is an agent writing through a session's mount.
	ActorTypeSession = "session_actor"
	// ActorTypeAPI is a caller of the API, named by its API key's id.
	ActorTypeAPI = "api_actor"
	// ActorTypeUser is a person, e.g. in the Console.
	ActorTypeUser = "user_actor"
	// ActorTypeServiceAccount is a workload authenticated as a service account.
	ActorTypeServiceAccount = "service_account_actor"
)

// Actor is who made a change: Type says which of the ids is set. A type this
// SDK does not know keeps its Type, and the raw JSON of the object that holds
// the actor has the rest.
type Actor struct {
	// Type is one of the ActorType constants.
	Type string `json:"type"`
	// SessionID is the session whose agent wrote (session_actor): the
	// session, not the key that created it.
	SessionID string `json:"session_id,omitzero"`
	// APIKeyID is the id (apikey_…) of the API key used (api_actor); never
	// the key itself.
	APIKeyID string `json:"api_key_id,omitzero"`
	// UserID is the user (user_actor).
	UserID string `json:"user_id,omitzero"`
	// ServiceAccountID is the service account (service_account_actor).
	ServiceAccountID string `json:"service_account_id,omitzero"`
}

// MemoryVersion is one change of a memory ("type":"memory_version").
type MemoryVersion struct {
	// ObjectMeta holds the id (memver_…), the type ("memory_version"), when
	// the version was written (CreatedAt) and the raw JSON.
	ObjectMeta
	// MemoryID is the memory changed; valid after the memory is deleted.
	MemoryID string `json:"memory_id"`
	// MemoryStoreID is the store.
	MemoryStoreID string `json:"memory_store_id"`
	// Operation is the change recorded.
	Operation MemoryVersionOperation `json:"operation"`
	// Path is the memory's path after the change; empty once redacted.
	Path string `json:"path"`
	// Content is the memory's content after the change; nil with
	// [MemoryViewBasic] (the default of lists), for a deleted version, and
	// once redacted.
	Content *string `json:"content"`
	// ContentSHA256 is the hash of that content, in every view; empty for a
	// deleted version and once redacted.
	ContentSHA256 string `json:"content_sha256"`
	// ContentSizeBytes is the size of that content, in every view; nil for a
	// deleted version and once redacted.
	ContentSizeBytes *int64 `json:"content_size_bytes"`
	// CreatedBy is who made the change; nil when not recorded. Redaction
	// keeps it.
	CreatedBy *Actor `json:"created_by"`
	// RedactedAt is when the version was redacted; zero when it is not.
	RedactedAt time.Time `json:"redacted_at,omitzero"`
	// RedactedBy is who redacted it; nil when it is not redacted.
	RedactedBy *Actor `json:"redacted_by"`
}

// UnmarshalJSON decodes a memory version and keeps its raw JSON.
func (v *MemoryVersion) UnmarshalJSON(b []byte) error {
	type plain MemoryVersion
	return decodeObject(b, (*plain)(v), &v.ObjectMeta)
}

// IsRedacted reports whether the version was redacted: its content, path,
// size and hash are gone.
func (v *MemoryVersion) IsRedacted() bool { return !v.RedactedAt.IsZero() }

// MemoryVersionListParams filters GET
// /v1/memory_stores/{memory_store_id}/memory_versions.
type MemoryVersionListParams struct {
	// MemoryID keeps the versions of one memory, its deleted version
	// included; it works after the memory is deleted.
	MemoryID string
	// Operation keeps the versions recording one kind of change.
	Operation MemoryVersionOperation
	// SessionID keeps the versions written by the agent of a session.
	SessionID string
	// APIKeyID keeps the versions written with an API key (apikey_…).
	APIKeyID string
	// ServiceAccountID keeps the versions written by a service account (svac_…).
	ServiceAccountID string
	// CreatedAtGTE and CreatedAtLTE bound created_at, when the versions were
	// written (created_at[gte], created_at[lte], both inclusive).
	CreatedAtGTE, CreatedAtLTE time.Time
	// View is the view of the versions; the default is [MemoryViewBasic].
	View MemoryView
	// Limit is the page size: 1 to 100, at most 20 with [MemoryViewFull]; 0
	// takes the default, 20.
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// MemoryVersionGetParams are the parameters of GET
// /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}.
type MemoryVersionGetParams struct {
	// View is the view of the answer; the default is [MemoryViewFull].
	View MemoryView
}

// MemoryVersionRedactParams are the parameters of POST
// /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact;
// it has none yet.
type MemoryVersionRedactParams struct{}

// List returns one page of a store's memory versions.
//
// GET /v1/memory_stores/{memory_store_id}/memory_versions
func (s *MemoryVersionService) List(ctx context.Context, memoryStoreID string, params MemoryVersionListParams, opts ...option.RequestOption) (*Page[*MemoryVersion], error) {
	q, err := memoryListQuery(params.Limit, params.Page, params.View)
	if err != nil {
		return nil, err
	}
	if err := params.Operation.check("operation"); err != nil {
		return nil, err
	}
	q.str("memory_id", params.MemoryID)
	q.str("operation", string(params.Operation))
	q.str("session_id", params.SessionID)
	q.str("api_key_id", params.APIKeyID)
	q.str("service_account_id", params.ServiceAccountID)
	q.time("created_at[gte]", params.CreatedAtGTE)
	q.time("created_at[lte]", params.CreatedAtLTE)
	return doJSON[Page[*MemoryVersion]](ctx, s.client, memoryVersionsList.At(memoryStoreID).WithQuery(url.Values(q)), opts)
}

// ListAll iterates over a store's memory versions from params.Page on,
// fetching pages lazily, and stops at the first error.
//
// GET /v1/memory_stores/{memory_store_id}/memory_versions
func (s *MemoryVersionService) ListAll(ctx context.Context, memoryStoreID string, params MemoryVersionListParams, opts ...option.RequestOption) iter.Seq2[*MemoryVersion, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*MemoryVersion], error) {
		p := params
		p.Page = page
		return s.List(ctx, memoryStoreID, p, opts...)
	})
}

// Get returns a memory version, with its content unless params.View is
// [MemoryViewBasic]. A redacted version is returned too, without content.
//
// GET /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}
func (s *MemoryVersionService) Get(ctx context.Context, memoryStoreID, memoryVersionID string, params MemoryVersionGetParams, opts ...option.RequestOption) (*MemoryVersion, error) {
	q, err := viewQuery(params.View)
	if err != nil {
		return nil, err
	}
	return doJSON[MemoryVersion](ctx, s.client, memoryVersionsRetrieve.At(memoryStoreID, memoryVersionID).WithQuery(q), opts)
}

// Redact scrubs a memory version for good: its content, path, size and hash
// are erased; who wrote it stays. It works on archived stores. Redacting a
// redacted version leaves it as it is.
//
// POST /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact
func (s *MemoryVersionService) Redact(ctx context.Context, memoryStoreID, memoryVersionID string, params MemoryVersionRedactParams, opts ...option.RequestOption) (*MemoryVersion, error) {
	return doJSON[MemoryVersion](ctx, s.client, memoryVersionsRedact.At(memoryStoreID, memoryVersionID), opts)
}
