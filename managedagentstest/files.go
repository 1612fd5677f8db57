package managedagentstest

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxFileSize is the largest file upload the server keeps, unless
// [WithMaxFileSize] says otherwise: the fake holds files in memory.
const DefaultMaxFileSize = 64 << 20

// WithMaxFileSize sets the largest file (and the largest skill upload) the
// server accepts; larger ones are answered 413 request_too_large once that
// many bytes were read.
func WithMaxFileSize(n int64) ServerOption {
	return func(s *Server) { s.maxFileSize = n }
}

// fileRec is a stored file.
type fileRec struct {
	seq     int64
	created time.Time
	expires time.Time // zero: never
	v       obj       // the metadata as answered
	content []byte
}

// storageRoutes are the routes of the Files and Skills endpoints: they take
// no anthropic-beta (more-resources.md §1.1).
var storageRoutes = map[string]bool{
	RouteUploadFile: true, RouteListFiles: true, RouteGetFileMetadata: true, RouteDownloadFile: true, RouteDeleteFile: true,
	RouteCreateSkill: true, RouteGetSkill: true, RouteListSkills: true, RouteDeleteSkill: true,
	RouteCreateSkillVersion: true, RouteGetSkillVersion: true, RouteListSkillVersions: true,
	RouteDeleteSkillVersion: true, RouteDownloadSkillVersion: true,
}

// legacyStorageBetas select the old response shapes of Files and Skills,
// which the server does not serve.
var legacyStorageBetas = []string{"files-api-2025-04-14", "skills-2025-10-02"}

// checkStorageBetas refuses the deprecated Files and Skills betas: the real
// API would answer with their legacy shapes, which a client of the current
// API cannot read.
func checkStorageBetas(r *http.Request) *apiError {
	for _, v := range r.Header.Values("Anthropic-Beta") {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			for _, legacy := range legacyStorageBetas {
				if name == legacy {
					return errBadRequest("anthropic-beta: %s selects the legacy response shapes, which this fake does not serve; send no beta header", name)
				}
			}
		}
	}
	return nil
}

// isMultipart reports whether r has a multipart/form-data body.
func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// headCapture keeps the first max bytes read through it, for the request log.
type headCapture struct {
	io.ReadCloser
	max  int
	head []byte
}

func (c *headCapture) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if room := c.max - len(c.head); room > 0 {
		c.head = append(c.head, p[:min(n, room)]...)
	}
	return n, err
}

// errTooLarge is the answer to an upload over the size limit.
func (s *Server) errTooLarge() *apiError {
	return &apiError{status: 413, typ: "request_too_large", msg: "upload larger than " + strconv.FormatInt(s.maxFileSize, 10) + " bytes"}
}

// readPart reads a part, at most max bytes of it.
func readPart(p *multipart.Part, max int64, tooLarge *apiError) ([]byte, *apiError) {
	data, err := io.ReadAll(io.LimitReader(p, max+1))
	if err != nil {
		return nil, errBadRequest("reading the multipart body: %v", err)
	}
	if int64(len(data)) > max {
		return nil, tooLarge
	}
	return data, nil
}

// uploadFile is POST /v1/files: a multipart body with a "file" part and an
// optional "expires_in_seconds" field, streamed with a cap.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, errBadRequest("the body must be multipart/form-data: %v", err))
		return
	}
	var (
		content  []byte
		filename string
		ctype    string
		gotFile  bool
		expires  int64
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeError(w, errBadRequest("reading the multipart body: %v", err))
			return
		}
		switch part.FormName() {
		case "file":
			if gotFile {
				writeError(w, errBadRequest("file: only one file per upload"))
				return
			}
			data, e := readPart(part, s.maxFileSize, s.errTooLarge())
			if e != nil {
				writeError(w, e)
				return
			}
			content, filename, ctype, gotFile = data, part.FileName(), part.Header.Get("Content-Type"), true
		case "expires_in_seconds":
			data, e := readPart(part, 32, errBadRequest("expires_in_seconds: too long"))
			if e != nil {
				writeError(w, e)
				return
			}
			n, err := strconv.ParseInt(string(data), 10, 64)
			if err != nil || n < 3600 || n > 7776000 {
				writeError(w, errBadRequest("expires_in_seconds: must be an integer from 3600 to 7776000"))
				return
			}
			expires = n
		default:
			writeError(w, errBadRequest("%s: unexpected form field", part.FormName()))
			return
		}
	}
	if !gotFile {
		writeError(w, errBadRequest("file: field required"))
		return
	}
	s.writeJSON(w, func() (any, error) {
		f := s.storeFile(storedName(filename, ctype), mediaType(ctype), content, "", expires)
		return f.v, nil
	})
}

// storedName is the name the server keeps: the last path component of the
// part's filename, or "unnamed" and an extension of its type.
func storedName(filename, ctype string) string {
	if i := strings.LastIndexAny(filename, `/\`); i >= 0 {
		filename = filename[i+1:]
	}
	if filename != "" {
		return filename
	}
	return "unnamed" + extensions[mediaType(ctype)]
}

// extensions are the extensions the server gives unnamed files of the
// common types (none for others).
var extensions = map[string]string{
	"text/plain": ".txt", "text/markdown": ".md", "text/csv": ".csv", "text/html": ".html",
	"application/json": ".json", "application/pdf": ".pdf", "application/zip": ".zip",
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
}

// mediaType is the media type of a part's Content-Type, octet-stream when it
// has none.
func mediaType(ctype string) string {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil || mt == "" {
		return "application/octet-stream"
	}
	return mt
}

// storeFile stores a file; scope is a session id ("" for an upload): a
// session's files are its outputs, and downloadable. s.mu must be held.
func (s *Server) storeFile(name, mimeType string, content []byte, scope string, expiresIn int64) *fileRec {
	now := s.now()
	f := &fileRec{seq: s.nextSeq(), created: now, content: content}
	f.v = obj{
		"id": s.newID("file"), "type": "file", "filename": name, "mime_type": mimeType,
		"size_bytes": len(content), "created_at": ts(now), "downloadable": scope != "",
		"expires_at": nil, "scope": nil,
	}
	if expiresIn > 0 {
		f.expires = now.Add(time.Duration(expiresIn) * time.Second)
		f.v["expires_at"] = ts(f.expires)
	}
	if scope != "" {
		f.v["scope"] = obj{"type": "session", "id": scope}
	}
	s.files[f.v["id"].(string)] = f
	return f
}

func (s *Server) file(id string) (*fileRec, error) {
	f, ok := s.files[id]
	if !ok {
		return nil, errNotFound("file " + id + " not found")
	}
	return f, nil
}

func (s *Server) getFileMetadata(r *http.Request, _ obj) (any, error) {
	f, err := s.file(r.PathValue("file_id"))
	if err != nil {
		return nil, err
	}
	return f.v, nil
}

func (s *Server) deleteFile(r *http.Request, _ obj) (any, error) {
	id := r.PathValue("file_id")
	if _, err := s.file(id); err != nil {
		return nil, err
	}
	delete(s.files, id)
	return obj{"id": id, "type": "file_deleted"}, nil
}

// listFiles is GET /v1/files: newest first, by scope_id, or the files of
// ids[] in one page.
func (s *Server) listFiles(r *http.Request, _ obj) (any, error) {
	q := r.URL.Query()
	scope := q.Get("scope_id")
	if ids, ok := q["ids[]"]; ok {
		if q.Has("page") || q.Has("limit") {
			return nil, errBadRequest("ids[]: cannot be combined with page or limit")
		}
		distinct := map[string]bool{}
		data := []any{}
		for _, id := range ids {
			if distinct[id] {
				continue
			}
			distinct[id] = true
			if f, ok := s.files[id]; ok && (scope == "" || scopeOf(f) == scope) {
				data = append(data, f.v)
			}
		}
		if len(distinct) > 100 {
			return nil, errBadRequest("ids[]: at most 100 distinct ids")
		}
		return obj{"data": data, "next_page": nil}, nil
	}
	limit, order, c, err := listParams(r, "files", 20, 1000, "desc", false)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, f := range s.files {
		if scope == "" || scopeOf(f) == scope {
			items = append(items, listItem{t: f.created, seq: f.seq, v: f.v})
		}
	}
	return paginate(items, "files", order, limit, c).json(false), nil
}

func scopeOf(f *fileRec) string {
	if sc, ok := f.v["scope"].(obj); ok {
		id, _ := sc["id"].(string)
		return id
	}
	return ""
}

// downloadFile is GET /v1/files/{file_id}/content: the bytes of a
// downloadable file. An expired file answers 404 file_expired (its bytes are
// gone, whoever made it), another upload 400 file_not_downloadable.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, err := s.file(r.PathValue("file_id"))
	var content []byte
	var ctype string
	switch {
	case err != nil:
	case !f.expires.IsZero() && !s.now().Before(f.expires):
		err = &apiError{status: 404, typ: "not_found_error", msg: "the file has expired", code: "file_expired"}
	case f.v["downloadable"] != true:
		err = &apiError{status: 400, typ: "invalid_request_error", msg: "this file cannot be downloaded: only files created by tools can", code: "file_not_downloadable"}
	default:
		content, ctype = f.content, f.v["mime_type"].(string)
	}
	s.mu.Unlock()
	writeAnswer(w, ctype, content, err)
}

// WriteOutput stores content as a file the session produced, under
// filename and media type mimeType, as the session's tools would write it to
// its outputs: it is downloadable and lists under the session's scope_id
// (GET /v1/files?scope_id=…). It returns the file's id, or "" when the
// session does not exist.
func (s *Server) WriteOutput(sessionID, filename, mimeType string, content []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.session(sessionID); err != nil {
		return ""
	}
	return s.storeFile(storedName(filename, mimeType), mediaType(mimeType), append([]byte(nil), content...), sessionID, 0).v["id"].(string)
}

// WriteOutput stores content as an output file of the turn's session; see
// [Server.WriteOutput]. It returns the file's id.
func (t *Turn) WriteOutput(filename, mimeType string, content []byte) string {
	return t.s.WriteOutput(t.sess.id, filename, mimeType, content)
}

// FileContent returns the content of a stored file (an upload or an
// output), and whether it exists.
func (s *Server) FileContent(fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[fileID]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), f.content...), true
}

// fileRoutes registers the Files endpoints.
func (s *Server) fileRoutes() {
	s.files = map[string]*fileRec{}
	if s.maxFileSize <= 0 {
		s.maxFileSize = DefaultMaxFileSize
	}
	s.handleRaw(RouteUploadFile, s.uploadFile)
	s.handle(RouteListFiles, s.listFiles, "limit", "page", "scope_id", "ids[]")
	s.handle(RouteGetFileMetadata, s.getFileMetadata)
	s.handleRaw(RouteDownloadFile, s.downloadFile)
	s.handle(RouteDeleteFile, s.deleteFile)
}
