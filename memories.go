package managedagents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"iter"
	"net/url"
	"strconv"

	"github.com/go-managedagents/managedagents/option"
)

// MemoryService reads and writes the memories of a memory store. Get it from
// [MemoryStoreService.Memories]. Memories are addressed by id (mem_…), which
// a rename keeps, never by path.
type MemoryService struct{ client *Client }

// MemoryView says whether a memory or memory version in an answer carries
// its content.
type MemoryView string

// Memory views. Without one, single-object reads answer with full and lists,
// creates and updates with basic.
const (
	// MemoryViewBasic leaves Content nil; the size and hash are still set.
	MemoryViewBasic MemoryView = "basic"
	// MemoryViewFull includes Content; list pages then hold at most 20 items.
	MemoryViewFull MemoryView = "full"
)

func (v MemoryView) check(field string) error {
	switch v {
	case "", MemoryViewBasic, MemoryViewFull:
		return nil
	}
	return invalid(field, `must be "basic" or "full", not `+strconv.Quote(string(v)))
}

// viewQuery returns the query of a call answering in view (none for the
// endpoint's default).
func viewQuery(view MemoryView) (url.Values, error) {
	if err := view.check("view"); err != nil {
		return nil, err
	}
	q := query{}
	q.str("view", string(view))
	return url.Values(q), nil
}

// Memory is a text document at a path in a memory store ("type":"memory").
type Memory struct {
	// ObjectMeta holds the id (mem_…, kept across renames), the type
	// ("memory"), the timestamps and the raw JSON. Who made the last change is
	// on the version MemoryVersionID names.
	ObjectMeta
	// MemoryStoreID is the store holding the memory.
	MemoryStoreID string `json:"memory_store_id"`
	// Path is the memory's path in the store, e.g. "/projects/notes.md".
	Path string `json:"path"`
	// Content is the memory's UTF-8 text; nil when the answer used
	// [MemoryViewBasic] (the default of lists, creates and updates). A
	// memory may be empty: a non-nil pointer to "".
	Content *string `json:"content"`
	// ContentSizeBytes is the content's length in UTF-8 bytes, in every view.
	ContentSizeBytes int64 `json:"content_size_bytes"`
	// ContentSHA256 is the lowercase hex SHA-256 of the content's bytes, in
	// every view; the server does not normalize the content, so
	// [MemoryContentSHA256] of the same text gives the same hash. Pass it as
	// the precondition of an update or delete.
	ContentSHA256 string `json:"content_sha256"`
	// MemoryVersionID is the version holding the current content (memver_…):
	// versions carry no "latest" flag, compare their ids with this one.
	MemoryVersionID string `json:"memory_version_id"`
}

// UnmarshalJSON decodes a memory and keeps its raw JSON.
func (m *Memory) UnmarshalJSON(b []byte) error {
	type plain Memory
	return decodeObject(b, (*plain)(m), &m.ObjectMeta)
}

// MemoryPath returns the memory's path.
func (m *Memory) MemoryPath() string { return m.Path }

func (*Memory) isMemoryListItem() {}

// MemoryPrefix ("type":"memory_prefix") stands, in a list with a Depth, for
// the memories below a directory deeper than the depth asked for. It is not
// a stored object and has no id; it counts toward the page's limit. Pass its
// Path as the PathPrefix of another list to look inside.
type MemoryPrefix struct {
	// ObjectMeta holds the type ("memory_prefix") and the raw JSON.
	ObjectMeta
	// Path is the directory, ending in "/", e.g. "/projects/".
	Path string `json:"path"`
}

// UnmarshalJSON decodes a prefix marker and keeps its raw JSON.
func (m *MemoryPrefix) UnmarshalJSON(b []byte) error {
	type plain MemoryPrefix
	return decodeObject(b, (*plain)(m), &m.ObjectMeta)
}

// MemoryPath returns the directory's path, ending in "/".
func (m *MemoryPrefix) MemoryPath() string { return m.Path }

func (*MemoryPrefix) isMemoryListItem() {}

// UnknownMemoryListItem is an item of a memory list whose type this SDK does
// not know. Its ObjectMeta holds what could be read of the common fields,
// and its raw JSON.
type UnknownMemoryListItem struct {
	ObjectMeta
	// Path is the item's path, if it has one.
	Path string `json:"path"`
}

// MemoryPath returns the item's path, if any.
func (m *UnknownMemoryListItem) MemoryPath() string { return m.Path }

func (*UnknownMemoryListItem) isMemoryListItem() {}

// MemoryListItem is an item of a memory list. It is a sealed interface: the
// concrete types are [*Memory], [*MemoryPrefix] (a directory rolled up by the
// list's Depth), and [*UnknownMemoryListItem] for a type this SDK does not
// know. Use a type switch.
type MemoryListItem interface {
	// MemoryPath returns the item's path: a memory's, or a directory's
	// ending in "/".
	MemoryPath() string
	isMemoryListItem()
}

// Memory list item type strings.
const (
	MemoryListItemTypeMemory = "memory"
	MemoryListItemTypePrefix = "memory_prefix"
)

// DecodeMemoryListItem decodes one item of a memory list by its type; an
// unknown type gives *UnknownMemoryListItem, not an error. The item keeps a
// copy of b as its raw JSON.
func DecodeMemoryListItem(b []byte) (MemoryListItem, error) {
	typ, err := unionType(b)
	if err != nil {
		return nil, err
	}
	var item MemoryListItem
	switch typ {
	case MemoryListItemTypeMemory:
		item = &Memory{}
	case MemoryListItemTypePrefix:
		item = &MemoryPrefix{}
	default:
		u := &UnknownMemoryListItem{}
		type plain UnknownMemoryListItem
		if err := decodeObject(b, (*plain)(u), &u.ObjectMeta); err != nil {
			return nil, err
		}
		return u, nil
	}
	if err := json.Unmarshal(b, item); err != nil {
		return nil, err
	}
	return item, nil
}

// memoryListItems is a list of memory list items as received.
type memoryListItems []MemoryListItem

// UnmarshalJSON decodes each item by its type; null gives nil.
func (l *memoryListItems) UnmarshalJSON(b []byte) error {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil || raws == nil {
		*l = nil
		return err
	}
	out := make([]MemoryListItem, 0, len(raws))
	for _, r := range raws {
		item, err := DecodeMemoryListItem(r)
		if err != nil {
			return err
		}
		out = append(out, item)
	}
	*l = out
	return nil
}

// MemoryContentSHA256 returns the lowercase hex SHA-256 of content's UTF-8
// bytes: the Memory.ContentSHA256 the server computes for that content, to
// detect changes without reading the content, or to build a precondition.
func MemoryContentSHA256(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// MemoryPrecondition is the condition an update needs to apply: the memory's
// current content has ContentSHA256, even when the update also renames it.
// Build it with [NewMemoryPreconditionContentSHA256].
type MemoryPrecondition struct {
	// Type is "content_sha256" (the only kind; the default when empty).
	Type string `json:"type"`
	// ContentSHA256 is the expected hash of the current content: 64
	// lowercase hex characters, from a read or list, or [MemoryContentSHA256].
	ContentSHA256 string `json:"content_sha256"`
}

// NewMemoryPreconditionContentSHA256 returns the precondition that the
// memory's current content has the hash sha256.
func NewMemoryPreconditionContentSHA256(sha256 string) *MemoryPrecondition {
	return &MemoryPrecondition{Type: "content_sha256", ContentSHA256: sha256}
}

// MarshalJSON sends Type "content_sha256" when it is empty.
func (p MemoryPrecondition) MarshalJSON() ([]byte, error) {
	type plain MemoryPrecondition
	if p.Type == "" {
		p.Type = "content_sha256"
	}
	return json.Marshal(plain(p))
}

func (p *MemoryPrecondition) validate(field string) error {
	if p.Type != "" && p.Type != "content_sha256" {
		return invalid(field+".type", `must be "content_sha256", not `+strconv.Quote(p.Type))
	}
	return validateSHA256(field+".content_sha256", p.ContentSHA256)
}

// MemoryCreateParams is the body of POST
// /v1/memory_stores/{memory_store_id}/memories.
type MemoryCreateParams struct {
	// Path is the new memory's path, unique in the store: it starts with "/",
	// has 1 to 20 segments (none empty, "." or ".."), at most 1,024 bytes, no
	// control or format characters, U+2028 or U+2029, in Unicode NFC; case
	// matters. Required.
	Path string `json:"path"`
	// Content is the memory's UTF-8 text, at most 102,400 bytes; "" makes an
	// empty memory.
	Content string `json:"content"`
	// View is the view of the answer; the default is [MemoryViewBasic].
	View MemoryView `json:"-"`
}

// MemoryGetParams are the parameters of GET
// /v1/memory_stores/{memory_store_id}/memories/{memory_id}.
type MemoryGetParams struct {
	// View is the view of the answer; the default is [MemoryViewFull].
	View MemoryView
}

// MemoryUpdateParams is the body of POST
// /v1/memory_stores/{memory_store_id}/memories/{memory_id}: new content, a new
// path (a rename: the memory keeps its id), or both, under an optional
// precondition. An update that changes nothing writes no version. An archived
// store's memories cannot be updated.
type MemoryUpdateParams struct {
	// Path renames the memory (same rules as [MemoryCreateParams].Path);
	// empty keeps the path.
	Path string `json:"path,omitzero"`
	// Content replaces the content (at most 102,400 bytes); nil keeps it, and
	// new("") empties the memory.
	Content *string `json:"content,omitzero"`
	// Precondition makes the update apply only if the memory's current
	// content has the given hash; otherwise it fails with a
	// *MemoryPreconditionError and changes nothing.
	Precondition *MemoryPrecondition `json:"precondition,omitzero"`
	// View is the view of the answer; the default is [MemoryViewBasic].
	View MemoryView `json:"-"`
}

func (p MemoryUpdateParams) validate() error {
	if p.Path == "" && p.Content == nil {
		return invalid("path", "or content is required: an update changes the path, the content or both")
	}
	if p.Path != "" {
		if err := validateMemoryPath("path", p.Path); err != nil {
			return err
		}
	}
	if p.Content != nil {
		if err := validateMemoryContent("content", *p.Content); err != nil {
			return err
		}
	}
	if p.Precondition != nil {
		return p.Precondition.validate("precondition")
	}
	return nil
}

// MemoryListParams filters GET /v1/memory_stores/{memory_store_id}/memories.
type MemoryListParams struct {
	// PathPrefix keeps the memories below a directory: it starts and ends
	// with "/" and matches whole segments ("/notes/" matches
	// "/notes/todo.md", not "/notes-archive/todo.md"). It is sent in the URL:
	// keep secrets out of paths.
	PathPrefix string
	// Depth 0 (the default) lists every memory below the prefix; n lists the
	// memories at most n segments below it and rolls deeper ones up into
	// *MemoryPrefix items.
	Depth int
	// View is the view of the items; the default is [MemoryViewBasic].
	View MemoryView
	// Limit is the page size, prefix markers included: 1 to 100, at most 20
	// with [MemoryViewFull]; 0 takes the default, 20.
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// MemoryDeleteParams are the parameters of DELETE
// /v1/memory_stores/{memory_store_id}/memories/{memory_id}.
type MemoryDeleteParams struct {
	// ExpectedContentSHA256 makes the delete apply only if the memory's
	// content has this hash (64 lowercase hex characters); otherwise it fails
	// with a *MemoryPreconditionError and deletes nothing. Empty deletes
	// unconditionally.
	ExpectedContentSHA256 string
}

// Create writes a new memory at params.Path. A path already taken fails
// with a *MemoryPathConflictError; an archived store refuses new memories.
// The create is sent once: a failure after it may have reached the server
// is a *DeliveryError (read the path back with List to know).
//
// POST /v1/memory_stores/{memory_store_id}/memories
func (s *MemoryService) Create(ctx context.Context, memoryStoreID string, params MemoryCreateParams, opts ...option.RequestOption) (*Memory, error) {
	if err := checkID("memory_store_id", memoryStoreID); err != nil {
		return nil, err
	}
	if err := validateMemoryPath("path", params.Path); err != nil {
		return nil, err
	}
	if err := validateMemoryContent("content", params.Content); err != nil {
		return nil, err
	}
	q, err := viewQuery(params.View)
	if err != nil {
		return nil, err
	}
	m, err := doJSON[Memory](ctx, s.client, memoriesCreate.At(memoryStoreID).WithQuery(q).WithBody(params), opts)
	if err != nil {
		return nil, memoryConflict(err, memoryWrite{storeID: memoryStoreID, path: params.Path})
	}
	return m, nil
}

// Get returns a memory, with its content unless params.View is
// [MemoryViewBasic].
//
// GET /v1/memory_stores/{memory_store_id}/memories/{memory_id}
func (s *MemoryService) Get(ctx context.Context, memoryStoreID, memoryID string, params MemoryGetParams, opts ...option.RequestOption) (*Memory, error) {
	if err := checkMemoryIDs(memoryStoreID, "memory_id", memoryID); err != nil {
		return nil, err
	}
	q, err := viewQuery(params.View)
	if err != nil {
		return nil, err
	}
	return doJSON[Memory](ctx, s.client, memoriesRetrieve.At(memoryStoreID, memoryID).WithQuery(q), opts)
}

// Update changes a memory's content, path, or both; see
// [MemoryUpdateParams]. A failed precondition is a *MemoryPreconditionError,
// a new path already taken a *MemoryPathConflictError; neither is retried.
//
// A retry that follows an attempt which may have been applied (a 5xx answer,
// a connection lost after sending) and meets a failed precondition may be
// meeting its own earlier write: Update then reads the memory back, and
// returns it if it already holds the content and path asked for; otherwise it
// returns a *DeliveryError wrapping the *MemoryPreconditionError.
//
// POST /v1/memory_stores/{memory_store_id}/memories/{memory_id}
func (s *MemoryService) Update(ctx context.Context, memoryStoreID, memoryID string, params MemoryUpdateParams, opts ...option.RequestOption) (*Memory, error) {
	if err := checkMemoryIDs(memoryStoreID, "memory_id", memoryID); err != nil {
		return nil, err
	}
	if err := params.validate(); err != nil {
		return nil, err
	}
	q, err := viewQuery(params.View)
	if err != nil {
		return nil, err
	}
	m, err := doJSON[Memory](ctx, s.client, memoriesUpdate.At(memoryStoreID, memoryID).WithQuery(q).WithBody(params), opts)
	if err == nil {
		return m, nil
	}
	w := memoryWrite{storeID: memoryStoreID, memoryID: memoryID, path: params.Path}
	if params.Precondition != nil {
		w.expected = params.Precondition.ContentSHA256
	}
	err = memoryConflict(err, w)
	if params.Precondition == nil || !errors.Is(err, ErrDeliveryUncertain) || !errors.Is(err, ErrMemoryPreconditionFailed) {
		return nil, err
	}
	return s.reconcile(ctx, memoryStoreID, memoryID, params, err, opts)
}

// reconcile reads back a memory whose conditional update met a failed
// precondition after an attempt that may have been applied: it returns the
// memory if it holds what the update asked for (so the earlier attempt, or
// another writer, applied it), else cause.
func (s *MemoryService) reconcile(ctx context.Context, memoryStoreID, memoryID string, params MemoryUpdateParams, cause error, opts []option.RequestOption) (*Memory, error) {
	view := params.View
	if view == "" {
		view = MemoryViewBasic
	}
	m, err := s.Get(ctx, memoryStoreID, memoryID, MemoryGetParams{View: view}, opts...)
	if err != nil {
		return nil, errors.Join(cause, err)
	}
	wantSHA := params.Precondition.ContentSHA256 // a rename keeps the content
	if params.Content != nil {
		wantSHA = MemoryContentSHA256(*params.Content)
	}
	if m.ContentSHA256 == wantSHA && (params.Path == "" || m.Path == params.Path) {
		return m, nil
	}
	return nil, cause
}

// List returns one page of a store's memories, sorted by path, with
// *MemoryPrefix items for the directories a Depth rolls up.
//
// GET /v1/memory_stores/{memory_store_id}/memories
func (s *MemoryService) List(ctx context.Context, memoryStoreID string, params MemoryListParams, opts ...option.RequestOption) (*Page[MemoryListItem], error) {
	if err := checkID("memory_store_id", memoryStoreID); err != nil {
		return nil, err
	}
	q, err := memoryListQuery(params.Limit, params.Page, params.View)
	if err != nil {
		return nil, err
	}
	if err := validatePathPrefix("path_prefix", params.PathPrefix); err != nil {
		return nil, err
	}
	if params.Depth < 0 {
		return nil, invalid("depth", "must not be negative")
	}
	q.str("path_prefix", params.PathPrefix)
	q.int("depth", params.Depth)
	page, err := doJSON[struct {
		Data     memoryListItems `json:"data"`
		NextPage string          `json:"next_page"`
	}](ctx, s.client, memoriesList.At(memoryStoreID).WithQuery(url.Values(q)), opts)
	if err != nil {
		return nil, err
	}
	return &Page[MemoryListItem]{Data: page.Data, NextPage: page.NextPage}, nil
}

// ListAll iterates over a store's memories (and prefix markers) from
// params.Page on, fetching pages lazily, and stops at the first error.
//
// GET /v1/memory_stores/{memory_store_id}/memories
func (s *MemoryService) ListAll(ctx context.Context, memoryStoreID string, params MemoryListParams, opts ...option.RequestOption) iter.Seq2[MemoryListItem, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[MemoryListItem], error) {
		p := params
		p.Page = page
		return s.List(ctx, memoryStoreID, p, opts...)
	})
}

// Delete deletes a memory; its versions stay (with a new "deleted" one). With
// params.ExpectedContentSHA256 a memory whose content changed is not deleted:
// a *MemoryPreconditionError. It works on archived stores too.
//
// DELETE /v1/memory_stores/{memory_store_id}/memories/{memory_id}
func (s *MemoryService) Delete(ctx context.Context, memoryStoreID, memoryID string, params MemoryDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	if err := checkMemoryIDs(memoryStoreID, "memory_id", memoryID); err != nil {
		return nil, err
	}
	q := query{}
	if params.ExpectedContentSHA256 != "" {
		if err := validateSHA256("expected_content_sha256", params.ExpectedContentSHA256); err != nil {
			return nil, err
		}
		q.str("expected_content_sha256", params.ExpectedContentSHA256)
	}
	d, err := s.client.deleteResource(ctx, memoriesDelete.At(memoryStoreID, memoryID).WithQuery(url.Values(q)), "memory_deleted", opts)
	if err != nil {
		return nil, memoryConflict(err, memoryWrite{storeID: memoryStoreID, memoryID: memoryID, expected: params.ExpectedContentSHA256})
	}
	return d, nil
}

// checkMemoryIDs checks a memory store id and the id of an object in it.
func checkMemoryIDs(memoryStoreID, field, id string) error {
	if err := checkID("memory_store_id", memoryStoreID); err != nil {
		return err
	}
	return checkID(field, id)
}
