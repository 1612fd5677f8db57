package managedagents

import (
	"context"
	"io/fs"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// FileService uploads, lists, downloads and deletes files: /v1/files. Get it
// from [Client.Files]. Its requests send no beta header of their own.
type FileService struct{ client *Client }

// FileMetadata describes a file ("type":"file"): an upload of yours, or a
// file a session's tools produced (then Scope names the session).
type FileMetadata struct {
	// ObjectMeta holds the id (file_…), the type ("file"), CreatedAt and the
	// raw JSON. Files have no UpdatedAt or ArchivedAt.
	ObjectMeta
	// Filename is the file's name (the last path component of the name it was
	// uploaded under).
	Filename string `json:"filename"`
	// MimeType is the file's media type.
	MimeType string `json:"mime_type"`
	// SizeBytes is the file's size.
	SizeBytes int64 `json:"size_bytes"`
	// Downloadable reports whether the content can be downloaded: only files
	// made by tools are (a session's outputs), not your own uploads.
	Downloadable bool `json:"downloadable"`
	// ExpiresAt is when the bytes are gone for good; zero when the file does
	// not expire.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Scope is the context the file was made in (a session); nil for an upload.
	Scope *FileScope `json:"scope,omitzero"`
}

// UnmarshalJSON decodes a file's metadata and keeps its raw JSON.
func (f *FileMetadata) UnmarshalJSON(b []byte) error {
	type plain FileMetadata
	return decodeObject(b, (*plain)(f), &f.ObjectMeta)
}

// FileScope is the context a file was made in: {"type":"session","id":"sesn_…"}.
type FileScope struct {
	// Type is "session".
	Type string `json:"type"`
	// ID is the session's id.
	ID string `json:"id"`
}

// Error codes of the Files and Skills endpoints, found in [APIError].Code
// (more-resources.md §7).
const (
	// ErrorCodeStorageQuotaExceeded (400): the organization's file storage is full.
	ErrorCodeStorageQuotaExceeded = "storage_quota_exceeded"
	// ErrorCodeFileNotDownloadable (400): the file is an upload, not a file made by a tool.
	ErrorCodeFileNotDownloadable = "file_not_downloadable"
	// ErrorCodeFileExpired (404): the file's bytes expired.
	ErrorCodeFileExpired = "file_expired"
	// ErrorCodeSkillReadBlockedUndecryptable (409): a custom skill under a key that cannot decrypt it.
	ErrorCodeSkillReadBlockedUndecryptable = "skill_read_blocked_undecryptable"
	// ErrorCodeCMEKKeyDisabled (400): the customer-managed key is disabled.
	ErrorCodeCMEKKeyDisabled = "cmek_key_disabled"
	// ErrorCodeCMEKKeyNetworkBlocked (400): the customer-managed key cannot be reached.
	ErrorCodeCMEKKeyNetworkBlocked = "cmek_key_network_blocked"
	// ErrorCodeCMEKContextUnavailable (503): skill or version create could not use the key.
	ErrorCodeCMEKContextUnavailable = "cmek_context_unavailable"
	// ErrorCodeClaudeCodeKeyCreatorNotMember (400): the key's creator left the organization.
	ErrorCodeClaudeCodeKeyCreatorNotMember = "claude_code_key_creator_not_member"
	// ErrorCodeOrganizationOnHold (400): the organization is on hold.
	ErrorCodeOrganizationOnHold = "organization_on_hold"
)

// FileGetMetadataParams are the parameters of GET /v1/files/{file_id}; it
// has none yet.
type FileGetMetadataParams struct{}

// FileDeleteParams are the parameters of DELETE /v1/files/{file_id}; it has
// none yet.
type FileDeleteParams struct{}

// FileListParams filters GET /v1/files.
type FileListParams struct {
	// ScopeID lists only the files of that scope: with a session's id, the
	// files the session produced (its outputs).
	ScopeID string
	// IDs lists only these files (at most 100 distinct ids), in one page;
	// unknown and deleted ids are skipped. It cannot be combined with Limit
	// or Page.
	IDs []string
	// Limit is the page size, 1 to 1000 (default 20).
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// maxFileListIDs is the most ids a file list takes.
const maxFileListIDs = 100

func (p FileListParams) query() (url.Values, error) {
	if p.Limit > 1000 {
		return nil, invalid("limit", "must be at most 1000")
	}
	q, err := listQuery(p.Limit, p.Page)
	if err != nil {
		return nil, err
	}
	if len(p.IDs) > 0 {
		if p.Limit != 0 || p.Page != "" {
			return nil, invalid("ids", "cannot be combined with limit or page")
		}
		distinct := map[string]bool{}
		for i, id := range p.IDs {
			if id == "" {
				return nil, invalid("ids["+strconv.Itoa(i)+"]", "must not be empty")
			}
			distinct[id] = true
		}
		if len(distinct) > maxFileListIDs {
			return nil, invalid("ids", "must hold at most "+strconv.Itoa(maxFileListIDs)+" distinct ids")
		}
		q.list("ids", p.IDs)
	}
	q.str("scope_id", p.ScopeID)
	return url.Values(q), nil
}

// GetMetadata returns a file's metadata.
//
// GET /v1/files/{file_id}
func (s *FileService) GetMetadata(ctx context.Context, fileID string, params FileGetMetadataParams, opts ...option.RequestOption) (*FileMetadata, error) {
	if err := checkID("file_id", fileID); err != nil {
		return nil, err
	}
	return doJSON[FileMetadata](ctx, s.client, filesRetrieveMetadata.At(fileID), opts)
}

// List returns one page of files. With ScopeID set to a session's id it lists
// the session's outputs; with IDs, the files named.
//
// GET /v1/files
func (s *FileService) List(ctx context.Context, params FileListParams, opts ...option.RequestOption) (*Page[*FileMetadata], error) {
	q, err := params.query()
	if err != nil {
		return nil, err
	}
	return doJSON[Page[*FileMetadata]](ctx, s.client, filesList.At().WithQuery(q), opts)
}

// ListAll iterates over the files from params.Page on, fetching pages
// lazily, and stops at the first error.
//
// GET /v1/files
func (s *FileService) ListAll(ctx context.Context, params FileListParams, opts ...option.RequestOption) iter.Seq2[*FileMetadata, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*FileMetadata], error) {
		p := params
		p.Page = page
		return s.List(ctx, p, opts...)
	})
}

// Delete deletes a file.
//
// DELETE /v1/files/{file_id}
func (s *FileService) Delete(ctx context.Context, fileID string, params FileDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	if err := checkID("file_id", fileID); err != nil {
		return nil, err
	}
	return s.client.deleteResource(ctx, filesDelete.At(fileID), "file_deleted", opts)
}

// FileDownloadParams are the parameters of GET /v1/files/{file_id}/content;
// it has none yet.
type FileDownloadParams struct{}

// Download starts the download of a file's content and returns it as it
// arrives: read the [Download], then close it. Only downloadable files (made
// by tools) can be downloaded: others give an *APIError with Code
// [ErrorCodeFileNotDownloadable], expired ones [ErrorCodeFileExpired]. The
// request is retried by the retry policy until the answer's headers arrive;
// the request timeout bounds that wait, the context the reading. To save the
// content to a file, use [FileService.DownloadToFile].
//
// GET /v1/files/{file_id}/content
func (s *FileService) Download(ctx context.Context, fileID string, params FileDownloadParams, opts ...option.RequestOption) (*Download, error) {
	if err := checkID("file_id", fileID); err != nil {
		return nil, err
	}
	return s.client.download(ctx, filesDownload.At(fileID), opts)
}

// FileDownloadToFileParams are the parameters of
// [FileService.DownloadToFile].
type FileDownloadToFileParams struct {
	// Path is the file to write. Required.
	Path string
	// Perm is the file's permissions; zero means 0644.
	Perm fs.FileMode
	// Progress, if set, is called as the content arrives, with the bytes
	// received so far and the total (-1 when the answer does not say), in
	// the caller's goroutine.
	Progress func(written, total int64)
}

// DownloadToFile downloads a file's content to params.Path and returns the
// number of bytes written. The content goes to a temporary file in the same
// directory, which is synced and then renamed to Path: Path holds either its
// old content or the whole new one, never a part, and on failure nothing is
// left behind.
//
// GET /v1/files/{file_id}/content
func (s *FileService) DownloadToFile(ctx context.Context, fileID string, params FileDownloadToFileParams, opts ...option.RequestOption) (int64, error) {
	if err := checkID("file_id", fileID); err != nil {
		return 0, err
	}
	if params.Path == "" {
		return 0, invalid("path", "is required")
	}
	d, err := s.Download(ctx, fileID, FileDownloadParams{}, opts...)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	return writeFileAtomic(params.Path, params.Perm, d, params.Progress)
}
