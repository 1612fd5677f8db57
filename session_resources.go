package managedagents

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"

	"github.com/go-managedagents/managedagents/option"
)

// Session resource type strings.
const (
	ResourceTypeGitHubRepository = "github_repository"
	ResourceTypeFile             = "file"
	ResourceTypeMemoryStore      = "memory_store"
)

// SessionResource is a resource mounted in a session. It is a sealed interface:
// the concrete types are [*GitHubRepositoryResource], [*FileResource],
// [*MemoryStoreResource], and [*UnknownResource] for a type this SDK does not
// know. Use a type switch.
type SessionResource interface {
	// ResourceID returns the resource's id (sesrsc_…); it may be empty for a
	// memory store.
	ResourceID() string
	// ResourceType returns the resource's type string, e.g. "file".
	ResourceType() string
	isSessionResource()
}

// Checkout is the git ref of a repository resource: {"type":"branch","name"} or
// {"type":"commit","sha"}.
type Checkout struct {
	// Type is "branch" or "commit".
	Type string `json:"type"`
	// Name is the branch ("branch").
	Name string `json:"name,omitzero"`
	// SHA is the commit ("commit").
	SHA string `json:"sha,omitzero"`
}

// NewCheckoutBranch returns a Checkout of the branch name.
func NewCheckoutBranch(name string) *Checkout { return &Checkout{Type: "branch", Name: name} }

// NewCheckoutCommit returns a Checkout of the commit sha.
func NewCheckoutCommit(sha string) *Checkout { return &Checkout{Type: "commit", SHA: sha} }

// GitHubRepositoryResource (github_repository) is a repository cloned into the
// container. Its authorization token is never returned.
type GitHubRepositoryResource struct {
	// ObjectMeta holds the id (sesrsc_…), the type ("github_repository"), the
	// timestamps and the raw JSON.
	ObjectMeta
	// URL is the repository's URL.
	URL string `json:"url"`
	// MountPath is where the repository is cloned.
	MountPath string `json:"mount_path"`
	// Checkout is the checked-out ref; nil for the default branch.
	Checkout *Checkout `json:"checkout"`
}

// UnmarshalJSON decodes the resource and keeps its raw JSON.
func (r *GitHubRepositoryResource) UnmarshalJSON(b []byte) error {
	type plain GitHubRepositoryResource
	return decodeObject(b, (*plain)(r), &r.ObjectMeta)
}

// ResourceID returns the resource's id.
func (r *GitHubRepositoryResource) ResourceID() string { return r.ID }

// ResourceType returns "github_repository".
func (r *GitHubRepositoryResource) ResourceType() string { return ResourceTypeGitHubRepository }

func (*GitHubRepositoryResource) isSessionResource() {}

// FileResource (file) is a file mounted in the container.
type FileResource struct {
	// ObjectMeta holds the id (sesrsc_…), the type ("file"), the timestamps and
	// the raw JSON.
	ObjectMeta
	// FileID is the session-scoped copy of the file, which differs from the
	// uploaded file's id.
	FileID string `json:"file_id"`
	// MountPath is the file's absolute path in the container.
	MountPath string `json:"mount_path"`
}

// UnmarshalJSON decodes the resource and keeps its raw JSON.
func (r *FileResource) UnmarshalJSON(b []byte) error {
	type plain FileResource
	return decodeObject(b, (*plain)(r), &r.ObjectMeta)
}

// ResourceID returns the resource's id.
func (r *FileResource) ResourceID() string { return r.ID }

// ResourceType returns "file".
func (r *FileResource) ResourceType() string { return ResourceTypeFile }

func (*FileResource) isSessionResource() {}

// MemoryStoreResource (memory_store) is a memory store mounted in the
// container. Its id and timestamps are set when the server reports them.
type MemoryStoreResource struct {
	// ObjectMeta holds the id (when reported), the type ("memory_store"), the
	// timestamps (when reported) and the raw JSON.
	ObjectMeta
	// MemoryStoreID is the memory store (memstore_…).
	MemoryStoreID string `json:"memory_store_id"`
	// Access is MemoryStoreAccessReadWrite or MemoryStoreAccessReadOnly;
	// empty when not reported (read_write is the default).
	Access MemoryStoreAccess `json:"access"`
	// Instructions is the per-session guidance given to the agent; empty
	// when none.
	Instructions string `json:"instructions"`
	// Description is the memory store's description when it was mounted.
	Description string `json:"description"`
	// Name is the memory store's name when it was mounted.
	Name string `json:"name"`
	// MountPath is where the store is mounted, e.g.
	// /mnt/memory/user-preferences: trust it rather than deriving it from the
	// store's name, which may have changed since.
	MountPath string `json:"mount_path"`
}

// UnmarshalJSON decodes the resource and keeps its raw JSON.
func (r *MemoryStoreResource) UnmarshalJSON(b []byte) error {
	type plain MemoryStoreResource
	return decodeObject(b, (*plain)(r), &r.ObjectMeta)
}

// ResourceID returns the resource's id, if any.
func (r *MemoryStoreResource) ResourceID() string { return r.ID }

// ResourceType returns "memory_store".
func (r *MemoryStoreResource) ResourceType() string { return ResourceTypeMemoryStore }

func (*MemoryStoreResource) isSessionResource() {}

// UnknownResource is a resource whose type this SDK does not know. Its
// ObjectMeta holds what could be read of the common fields, and its raw JSON.
type UnknownResource struct{ ObjectMeta }

// ResourceID returns the resource's id, if any.
func (r *UnknownResource) ResourceID() string { return r.ID }

// ResourceType returns the resource's type string.
func (r *UnknownResource) ResourceType() string { return r.Type }

// MarshalJSON returns the raw JSON, or the common fields of a resource built
// in code.
func (r UnknownResource) MarshalJSON() ([]byte, error) {
	if len(r.raw) == 0 {
		return json.Marshal(r.ObjectMeta)
	}
	return r.raw, nil
}

func (*UnknownResource) isSessionResource() {}

// DecodeSessionResource decodes one session resource by its type; an unknown
// type gives *UnknownResource, not an error. The resource keeps a copy of b as
// its raw JSON.
func DecodeSessionResource(b []byte) (SessionResource, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, err
	}
	var r SessionResource
	switch head.Type {
	case ResourceTypeGitHubRepository:
		r = &GitHubRepositoryResource{}
	case ResourceTypeFile:
		r = &FileResource{}
	case ResourceTypeMemoryStore:
		r = &MemoryStoreResource{}
	default:
		u := &UnknownResource{}
		if err := decodeObject(b, &u.ObjectMeta, &u.ObjectMeta); err != nil {
			return nil, err
		}
		return u, nil
	}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, err
	}
	return r, nil
}

// SessionResources is the resources of a session as received: a list whose
// JSON decodes each resource into its concrete type.
type SessionResources []SessionResource

// UnmarshalJSON decodes each resource by its type; null gives nil.
func (l *SessionResources) UnmarshalJSON(b []byte) error {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil || raws == nil {
		*l = nil
		return err
	}
	out := make([]SessionResource, 0, len(raws))
	for _, r := range raws {
		res, err := DecodeSessionResource(r)
		if err != nil {
			return err
		}
		out = append(out, res)
	}
	*l = out
	return nil
}

// SessionResourceParams is a resource to mount when creating a session. It is a
// sealed interface: the concrete types are [*GitHubRepositoryResourceParams],
// [*FileResourceParams] and [*MemoryStoreResourceParams].
type SessionResourceParams interface {
	validate(field string) error
	isSessionResourceParams()
}

// GitHubRepositoryResourceParams clones a GitHub repository into the container.
type GitHubRepositoryResourceParams struct {
	// URL is the repository's URL. Required.
	URL string `json:"url"`
	// AuthorizationToken is a token with read access; required for private
	// repositories. It is never returned.
	AuthorizationToken string `json:"authorization_token,omitzero"`
	// MountPath is where to clone; the default is /workspace/<repo-name>.
	MountPath string `json:"mount_path,omitzero"`
	// Checkout is the ref to check out; nil means the default branch.
	Checkout *Checkout `json:"checkout,omitzero"`
}

func (*GitHubRepositoryResourceParams) isSessionResourceParams() {}

// MarshalJSON adds the type.
func (p GitHubRepositoryResourceParams) MarshalJSON() ([]byte, error) {
	type plain GitHubRepositoryResourceParams
	return marshalWithType(ResourceTypeGitHubRepository, plain(p))
}

func (p *GitHubRepositoryResourceParams) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if p.URL == "" {
		return invalid(field+".url", "is required")
	}
	if c := p.Checkout; c != nil {
		switch {
		case c.Type == "":
			return invalid(field+".checkout.type", "is required")
		case c.Type == "branch" && c.Name == "":
			return invalid(field+".checkout.name", `is required for type "branch"`)
		case c.Type == "commit" && c.SHA == "":
			return invalid(field+".checkout.sha", `is required for type "commit"`)
		}
	}
	return nil
}

// FileResourceParams mounts an uploaded file (Files API) in the container.
type FileResourceParams struct {
	// FileID is the uploaded file (file_…). Required.
	FileID string `json:"file_id"`
	// MountPath is the absolute path; the default is
	// /mnt/session/uploads/<file_id>.
	MountPath string `json:"mount_path,omitzero"`
}

func (*FileResourceParams) isSessionResourceParams() {}

// MarshalJSON adds the type.
func (p FileResourceParams) MarshalJSON() ([]byte, error) {
	type plain FileResourceParams
	return marshalWithType(ResourceTypeFile, plain(p))
}

func (p *FileResourceParams) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if p.FileID == "" {
		return invalid(field+".file_id", "is required")
	}
	return nil
}

// MemoryStoreAccess is how a session mounts a memory store.
type MemoryStoreAccess string

// Memory store access modes.
const (
	// MemoryStoreAccessReadWrite lets the agent read and write the store (the
	// default); its writes show as memory versions by a session_actor.
	MemoryStoreAccessReadWrite MemoryStoreAccess = "read_write"
	// MemoryStoreAccessReadOnly mounts the store as a read-only filesystem.
	MemoryStoreAccessReadOnly MemoryStoreAccess = "read_only"
)

// MemoryStoreResourceParams mounts a memory store (at session creation only; at
// most 8 per session). The store must exist and not be archived.
type MemoryStoreResourceParams struct {
	// MemoryStoreID is the memory store (memstore_…). Required.
	MemoryStoreID string `json:"memory_store_id"`
	// Access is MemoryStoreAccessReadWrite (the default when empty) or
	// MemoryStoreAccessReadOnly.
	Access MemoryStoreAccess `json:"access,omitzero"`
	// Instructions tell the agent how to use the store (at most 4096
	// characters); they go into the memory section of its system prompt.
	Instructions string `json:"instructions,omitzero"`
}

func (*MemoryStoreResourceParams) isSessionResourceParams() {}

// MarshalJSON adds the type.
func (p MemoryStoreResourceParams) MarshalJSON() ([]byte, error) {
	type plain MemoryStoreResourceParams
	return marshalWithType(ResourceTypeMemoryStore, plain(p))
}

func (p *MemoryStoreResourceParams) validate(field string) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if err := checkID(field+".memory_store_id", p.MemoryStoreID); err != nil {
		return err
	}
	switch p.Access {
	case "", MemoryStoreAccessReadWrite, MemoryStoreAccessReadOnly:
	default:
		return invalid(field+".access", `must be "read_write" or "read_only", not `+strconv.Quote(string(p.Access)))
	}
	return checkChars(field+".instructions", p.Instructions, 0, MaxMemoryStoreInstructionsChars, false)
}

func validateResourceParams(field string, rs []SessionResourceParams) error {
	stores := 0
	for i, r := range rs {
		f := field + "[" + strconv.Itoa(i) + "]"
		if r == nil {
			return invalid(f, "must not be nil")
		}
		if err := r.validate(f); err != nil {
			return err
		}
		if _, ok := r.(*MemoryStoreResourceParams); ok {
			if stores++; stores > MaxMemoryStoresPerSession {
				return invalid(f, "is memory store number "+strconv.Itoa(stores)+"; a session mounts at most "+strconv.Itoa(MaxMemoryStoresPerSession))
			}
		}
	}
	return nil
}

// SessionResourceAddParams is the body of POST
// /v1/sessions/{session_id}/resources: a file to mount.
type SessionResourceAddParams struct {
	// FileID is the uploaded file (file_…). Required.
	FileID string
	// MountPath is the absolute path; the default is
	// /mnt/session/uploads/<file_id>.
	MountPath string
}

// SessionResourceUpdateParams is the body of POST
// /v1/sessions/{session_id}/resources/{resource_id}.
type SessionResourceUpdateParams struct {
	// AuthorizationToken is the new token (rotation is supported for
	// github_repository resources). Required.
	AuthorizationToken string `json:"authorization_token"`
}

// SessionResourceGetParams are the parameters of GET
// /v1/sessions/{session_id}/resources/{resource_id}; it has none yet.
type SessionResourceGetParams struct{}

// SessionResourceDeleteParams are the parameters of DELETE
// /v1/sessions/{session_id}/resources/{resource_id}; it has none yet.
type SessionResourceDeleteParams struct{}

// SessionResourceListParams pages GET /v1/sessions/{session_id}/resources.
type SessionResourceListParams struct {
	// Limit is the page size (max 1000); 0 lists all resources in one page.
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// Add mounts an uploaded file in a running or idle session.
//
// POST /v1/sessions/{session_id}/resources
func (s *SessionResourceService) Add(ctx context.Context, sessionID string, params SessionResourceAddParams, opts ...option.RequestOption) (*FileResource, error) {
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	if params.FileID == "" {
		return nil, invalid("file_id", "is required")
	}
	if params.MountPath != "" && params.MountPath[0] != '/' {
		return nil, invalid("mount_path", "must be an absolute path")
	}
	body := &FileResourceParams{FileID: params.FileID, MountPath: params.MountPath}
	return doJSON[FileResource](ctx, s.client, sessionsResourcesAdd.At(sessionID).WithBody(body), opts)
}

// Get returns one resource of a session.
//
// GET /v1/sessions/{session_id}/resources/{resource_id}
func (s *SessionResourceService) Get(ctx context.Context, sessionID, resourceID string, params SessionResourceGetParams, opts ...option.RequestOption) (SessionResource, error) {
	if err := checkIDs(sessionID, resourceID); err != nil {
		return nil, err
	}
	return doWith(ctx, s.client, sessionsResourcesRetrieve.At(sessionID, resourceID), opts, DecodeSessionResource)
}

// Update rotates the authorization token of a resource.
//
// POST /v1/sessions/{session_id}/resources/{resource_id}
func (s *SessionResourceService) Update(ctx context.Context, sessionID, resourceID string, params SessionResourceUpdateParams, opts ...option.RequestOption) (SessionResource, error) {
	if err := checkIDs(sessionID, resourceID); err != nil {
		return nil, err
	}
	if params.AuthorizationToken == "" {
		return nil, invalid("authorization_token", "is required")
	}
	return doWith(ctx, s.client, sessionsResourcesUpdate.At(sessionID, resourceID).WithBody(params), opts, DecodeSessionResource)
}

// List returns one page of a session's resources.
//
// GET /v1/sessions/{session_id}/resources
func (s *SessionResourceService) List(ctx context.Context, sessionID string, params SessionResourceListParams, opts ...option.RequestOption) (*Page[SessionResource], error) {
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	q, err := listQuery(params.Limit, params.Page)
	if err != nil {
		return nil, err
	}
	page, err := doJSON[struct {
		Data     SessionResources `json:"data"`
		NextPage string           `json:"next_page"`
	}](ctx, s.client, sessionsResourcesList.At(sessionID).WithQuery(url.Values(q)), opts)
	if err != nil {
		return nil, err
	}
	return &Page[SessionResource]{Data: page.Data, NextPage: page.NextPage}, nil
}

// ListAll iterates over a session's resources from params.Page on, fetching
// pages lazily, and stops at the first error.
//
// GET /v1/sessions/{session_id}/resources
func (s *SessionResourceService) ListAll(ctx context.Context, sessionID string, params SessionResourceListParams, opts ...option.RequestOption) iter.Seq2[SessionResource, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[SessionResource], error) {
		p := params
		p.Page = page
		return s.List(ctx, sessionID, p, opts...)
	})
}

// Delete removes a resource from a session.
//
// DELETE /v1/sessions/{session_id}/resources/{resource_id}
func (s *SessionResourceService) Delete(ctx context.Context, sessionID, resourceID string, params SessionResourceDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	if err := checkIDs(sessionID, resourceID); err != nil {
		return nil, err
	}
	return s.client.deleteResource(ctx, sessionsResourcesDelete.At(sessionID, resourceID), "session_resource_deleted", opts)
}

// checkIDs checks a session id and a resource id.
func checkIDs(sessionID, resourceID string) error {
	if err := checkID("session_id", sessionID); err != nil {
		return err
	}
	return checkID("resource_id", resourceID)
}
