package managedagents

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// MemoryStoreService manages memory stores: workspace-scoped collections of
// text documents (memories) addressed by path, which sessions mount as
// directories under /mnt/memory/. Get it from [Client.MemoryStores]. Its
// requests send the beta [MemoryBetaHeader] instead of [BetaHeader].
type MemoryStoreService struct {
	client *Client
	// Memories reads and writes the memories of a store.
	Memories *MemoryService
	// MemoryVersions lists, reads and redacts the versions every memory
	// write leaves.
	MemoryVersions *MemoryVersionService
}

// MemoryStore is a memory store ("type":"memory_store").
type MemoryStore struct {
	// ObjectMeta holds the id (memstore_…), the type ("memory_store"), the
	// timestamps (UpdatedAt moves with name, description and metadata changes
	// and with archiving, not with memory writes) and the raw JSON.
	ObjectMeta
	// Name is the store's name (1–255 characters, not unique). Sessions mount
	// the store at /mnt/memory/<name lowercased, each run of characters other
	// than ASCII letters and digits made one "-">; the session resource's
	// MountPath says the exact path.
	Name string `json:"name"`
	// Description tells the agent what the store holds (it is part of the
	// system prompt when the store is mounted); empty when unset.
	Description string `json:"description"`
	// Metadata holds your key-value pairs; the agent does not see them and
	// lists cannot filter on them.
	Metadata map[string]string `json:"metadata"`
}

// UnmarshalJSON decodes a memory store and keeps its raw JSON.
func (m *MemoryStore) UnmarshalJSON(b []byte) error {
	type plain MemoryStore
	return decodeObject(b, (*plain)(m), &m.ObjectMeta)
}

// MemoryStoreCreateParams is the body of POST /v1/memory_stores.
type MemoryStoreCreateParams struct {
	// Name is the store's name: 1 to 255 characters, no control characters.
	// Required.
	Name string `json:"name"`
	// Description tells the agent what the store holds (at most 1,024
	// characters).
	Description string `json:"description,omitzero"`
	// Metadata holds your key-value pairs: at most 16, keys of 1 to 64
	// characters, values of at most 512.
	Metadata map[string]string `json:"metadata,omitzero"`
}

func (p MemoryStoreCreateParams) validate() error {
	if err := checkChars("name", p.Name, 1, MaxMemoryStoreNameChars, true); err != nil {
		return err
	}
	if err := checkChars("description", p.Description, 0, MaxMemoryStoreDescriptionChars, false); err != nil {
		return err
	}
	return validateMetadataLimits("metadata", p.Metadata)
}

// MemoryStoreUpdateParams is the body of POST
// /v1/memory_stores/{memory_store_id}. Zero fields are not sent and keep the
// stored value. An archived store cannot be updated.
type MemoryStoreUpdateParams struct {
	// Name renames the store (1 to 255 characters, no control characters).
	// Sessions created afterwards mount it under the new name.
	Name string `json:"name,omitzero"`
	// Description replaces the description (at most 1,024 characters).
	Description string `json:"description,omitzero"`
	// Metadata patches the metadata: see [MetadataPatch]. After the change a
	// store has at most 16 pairs.
	Metadata MetadataPatch `json:"metadata,omitzero"`
	// Clear names the fields to clear: "description" (sent as "", which is how
	// the API clears it). A field cannot be both set and cleared.
	Clear []string `json:"-"`
}

// memoryStoreClearable are the fields MemoryStoreUpdateParams.Clear accepts.
var memoryStoreClearable = []string{"description"}

// MarshalJSON encodes the fields set, and "" for a cleared description.
func (p MemoryStoreUpdateParams) MarshalJSON() ([]byte, error) {
	type plain MemoryStoreUpdateParams
	body := struct {
		plain
		Description *string `json:"description,omitzero"`
	}{plain: plain(p)}
	if p.Description != "" {
		body.Description = &p.Description
	}
	for _, f := range p.Clear {
		if f == "description" {
			body.Description = new("")
		}
	}
	return json.Marshal(body)
}

func (p MemoryStoreUpdateParams) validate() error {
	if p.Name != "" {
		if err := checkChars("name", p.Name, 1, MaxMemoryStoreNameChars, true); err != nil {
			return err
		}
	}
	if err := checkChars("description", p.Description, 0, MaxMemoryStoreDescriptionChars, false); err != nil {
		return err
	}
	if err := validateMetadataLimits("metadata", p.Metadata); err != nil {
		return err
	}
	type plain MemoryStoreUpdateParams
	return validateClear(p.Clear, memoryStoreClearable, plain(p))
}

// MemoryStoreListParams filters GET /v1/memory_stores.
type MemoryStoreListParams struct {
	// CreatedAtGTE and CreatedAtLTE bound created_at (created_at[gte],
	// created_at[lte], both inclusive).
	CreatedAtGTE, CreatedAtLTE time.Time
	// IncludeArchived lists archived stores too.
	IncludeArchived bool
	// Limit is the page size: 1 to 100; 0 takes the default, 20.
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// MemoryStoreGetParams are the parameters of GET
// /v1/memory_stores/{memory_store_id}; it has none yet.
type MemoryStoreGetParams struct{}

// MemoryStoreDeleteParams are the parameters of DELETE
// /v1/memory_stores/{memory_store_id}; it has none yet.
type MemoryStoreDeleteParams struct{}

// MemoryStoreArchiveParams are the parameters of POST
// /v1/memory_stores/{memory_store_id}/archive; it has none yet.
type MemoryStoreArchiveParams struct{}

// Create creates a memory store.
//
// POST /v1/memory_stores
func (s *MemoryStoreService) Create(ctx context.Context, params MemoryStoreCreateParams, opts ...option.RequestOption) (*MemoryStore, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	return doJSON[MemoryStore](ctx, s.client, memoryStoresCreate.At().WithBody(params), opts)
}

// Get returns a memory store.
//
// GET /v1/memory_stores/{memory_store_id}
func (s *MemoryStoreService) Get(ctx context.Context, memoryStoreID string, params MemoryStoreGetParams, opts ...option.RequestOption) (*MemoryStore, error) {
	return doJSON[MemoryStore](ctx, s.client, memoryStoresRetrieve.At(memoryStoreID), opts)
}

// Update changes a memory store's name, description or metadata; only the
// fields set in params change. See [MemoryStoreUpdateParams].
//
// POST /v1/memory_stores/{memory_store_id}
func (s *MemoryStoreService) Update(ctx context.Context, memoryStoreID string, params MemoryStoreUpdateParams, opts ...option.RequestOption) (*MemoryStore, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	return doJSON[MemoryStore](ctx, s.client, memoryStoresUpdate.At(memoryStoreID).WithBody(params), opts)
}

// List returns one page of memory stores, without the archived ones unless
// params.IncludeArchived.
//
// GET /v1/memory_stores
func (s *MemoryStoreService) List(ctx context.Context, params MemoryStoreListParams, opts ...option.RequestOption) (*Page[*MemoryStore], error) {
	q, err := memoryListQuery(params.Limit, params.Page, "")
	if err != nil {
		return nil, err
	}
	q.time("created_at[gte]", params.CreatedAtGTE)
	q.time("created_at[lte]", params.CreatedAtLTE)
	q.bool("include_archived", params.IncludeArchived)
	return doJSON[Page[*MemoryStore]](ctx, s.client, memoryStoresList.At().WithQuery(url.Values(q)), opts)
}

// ListAll iterates over the memory stores from params.Page on, fetching
// pages lazily, and stops at the first error.
//
// GET /v1/memory_stores
func (s *MemoryStoreService) ListAll(ctx context.Context, params MemoryStoreListParams, opts ...option.RequestOption) iter.Seq2[*MemoryStore, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*MemoryStore], error) {
		p := params
		p.Page = page
		return s.List(ctx, p, opts...)
	})
}

// Delete deletes a memory store with all its memories and all their
// versions, for good. An empty 2xx answer counts as success.
//
// DELETE /v1/memory_stores/{memory_store_id}
func (s *MemoryStoreService) Delete(ctx context.Context, memoryStoreID string, params MemoryStoreDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	return s.client.deleteResource(ctx, memoryStoresDelete.At(memoryStoreID), "memory_store_deleted", opts)
}

// Archive archives a memory store for good: it can no longer be mounted in
// new sessions, its memories can no longer be created or updated and the
// store no longer updated; reading, deleting memories, redacting versions
// and deleting the store still work.
//
// POST /v1/memory_stores/{memory_store_id}/archive
func (s *MemoryStoreService) Archive(ctx context.Context, memoryStoreID string, params MemoryStoreArchiveParams, opts ...option.RequestOption) (*MemoryStore, error) {
	return doJSON[MemoryStore](ctx, s.client, memoryStoresArchive.At(memoryStoreID), opts)
}
