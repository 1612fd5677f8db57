package managedagentstest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// memoryRec is a stored memory.
type memoryRec struct {
	id        string
	storeID   string
	created   time.Time
	updated   time.Time
	path      string
	content   string
	versionID string // the version holding the current content
}

// memoryVersionRec is a stored memory version.
type memoryVersionRec struct {
	seq     int64
	created time.Time
	v       obj // the version with its content, as view=full answers it
}

// Memory limits (more-resources.md §4.3).
const (
	maxMemoryContent  = 102_400
	maxMemoryPath     = 1024
	maxMemorySegments = 20
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// memoryJSON returns m as answered in view.
func memoryJSON(m *memoryRec, view string) obj {
	var content any
	if view == "full" {
		content = m.content
	}
	return obj{"id": m.id, "type": "memory", "memory_store_id": m.storeID, "path": m.path, "content": content,
		"content_size_bytes": len(m.content), "content_sha256": sha256Hex(m.content), "memory_version_id": m.versionID,
		"created_at": ts(m.created), "updated_at": ts(m.updated)}
}

// versionJSON returns v as answered in view.
func versionJSON(v *memoryVersionRec, view string) obj {
	out := clone(v.v)
	if view != "full" {
		out["content"] = nil
	}
	return out
}

// viewParam reads view; def when absent.
func viewParam(r *http.Request, def string) (string, error) {
	switch v := r.URL.Query().Get("view"); v {
	case "":
		return def, nil
	case "basic", "full":
		return v, nil
	}
	return "", errBadRequest("view: must be basic or full")
}

// checkMemoryPath checks a memory path by the rules of the reference (but
// for its NFC form).
func checkMemoryPath(where, p string) error {
	bad := func(why string) error { return errBadRequest("%s: %s", where, why) }
	switch {
	case !utf8.ValidString(p):
		return bad("must be valid UTF-8")
	case !strings.HasPrefix(p, "/"):
		return bad("must start with /")
	case len(p) > maxMemoryPath:
		return bad("must be at most 1024 bytes")
	}
	if strings.IndexFunc(p, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
	}) >= 0 {
		return bad("must not contain control or format characters, U+2028 or U+2029")
	}
	segs := strings.Split(p[1:], "/")
	if len(segs) > maxMemorySegments {
		return bad("must have at most 20 segments")
	}
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." {
			return bad("segments must not be empty, . or ..")
		}
	}
	return nil
}

// checkContent checks a memory's content.
func checkContent(v any, present bool) (string, error) {
	if !present {
		return "", errBadRequest("content: field required")
	}
	c, ok := v.(string)
	if !ok {
		return "", errBadRequest("content: must be a string")
	}
	if len(c) > maxMemoryContent {
		return "", &apiError{status: 413, typ: "request_too_large", msg: "content: at most 102400 bytes"}
	}
	return c, nil
}

// checkPrecondition checks want, a content hash (400 if malformed), against
// mem's content: 409 memory_precondition_failed_error when it differs.
func checkPrecondition(where string, mem *memoryRec, want string) error {
	if len(want) != 64 || strings.IndexFunc(want, func(r rune) bool { return !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') }) >= 0 {
		return errBadRequest("%s: must be 64 lowercase hexadecimal characters", where)
	}
	if want != sha256Hex(mem.content) {
		return &apiError{status: 409, typ: "memory_precondition_failed_error",
			msg: "precondition failed: the memory's content_sha256 is not " + want}
	}
	return nil
}

// requestActor is who makes an API request: an api_actor named by an id
// derived from its key (sent as x-api-key or, as the official SDK does, as a
// bearer token), never the key itself.
func requestActor(r *http.Request) obj {
	key := r.Header.Get("X-Api-Key")
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && key == "" {
		key = tok
	}
	return obj{"type": "api_actor", "api_key_id": "apikey_" + sha256Hex(key)[:24]}
}

// pathTaken reports whether another memory than except has path.
func (m *memoryStoreRec) pathTaken(path, except string) bool {
	for _, mem := range m.memories {
		if mem.path == path && mem.id != except {
			return true
		}
	}
	return false
}

// writeVersion records a version of mem by actor; deleted versions carry
// no content, size or hash.
func (s *Server) writeVersion(store *memoryStoreRec, mem *memoryRec, op string, actor obj) *memoryVersionRec {
	now := s.now()
	v := obj{"id": s.newID("memver"), "type": "memory_version", "memory_id": mem.id, "memory_store_id": store.id,
		"operation": op, "path": mem.path, "content": nil, "content_sha256": nil, "content_size_bytes": nil,
		"created_by": actor, "redacted_at": nil, "redacted_by": nil, "created_at": ts(now)}
	if op != "deleted" {
		v["content"], v["content_sha256"], v["content_size_bytes"] = mem.content, sha256Hex(mem.content), len(mem.content)
		mem.versionID = v["id"].(string)
	}
	rec := &memoryVersionRec{seq: s.nextSeq(), created: now, v: v}
	store.versions = append(store.versions, rec)
	return rec
}

// putMemory creates a memory at path or, if update names one, changes it,
// and records the version; s.mu must be held. It answers 409
// memory_path_conflict_error for a path another memory has.
func (s *Server) putMemory(store *memoryStoreRec, update *memoryRec, path string, content *string, actor obj) (*memoryRec, error) {
	except := ""
	if update != nil {
		except = update.id
	}
	if path != "" && store.pathTaken(path, except) {
		return nil, &apiError{status: 409, typ: "memory_path_conflict_error", msg: "a memory already exists at " + path}
	}
	now := s.now()
	if update == nil {
		mem := &memoryRec{id: s.newID("mem"), storeID: store.id, created: now, updated: now, path: path, content: *content}
		store.memories[mem.id] = mem
		s.writeVersion(store, mem, "created", actor)
		return mem, nil
	}
	changed := false
	if path != "" && path != update.path {
		update.path, changed = path, true
	}
	if content != nil && *content != update.content {
		update.content, changed = *content, true
	}
	if changed { // an update that changes nothing writes no version
		update.updated = now
		s.writeVersion(store, update, "modified", actor)
	}
	return update, nil
}

func (s *Server) createMemory(r *http.Request, body obj) (any, error) {
	view, err := viewParam(r, "basic")
	if err != nil {
		return nil, err
	}
	store, err := s.writableStore(r.PathValue("memory_store_id"))
	if err != nil {
		return nil, err
	}
	if err := onlyKeys(body, "body", "path", "content"); err != nil {
		return nil, err
	}
	path, _, err := str(body, "path")
	if err != nil {
		return nil, err
	}
	if err := checkMemoryPath("path", path); err != nil {
		return nil, err
	}
	v, present := body["content"]
	content, err := checkContent(v, present)
	if err != nil {
		return nil, err
	}
	mem, err := s.putMemory(store, nil, path, &content, requestActor(r))
	if err != nil {
		return nil, err
	}
	return memoryJSON(mem, view), nil
}

// memory returns the memory of the request's path.
func (s *Server) memory(r *http.Request) (*memoryStoreRec, *memoryRec, error) {
	store, err := s.memoryStore(r.PathValue("memory_store_id"))
	if err != nil {
		return nil, nil, err
	}
	id := r.PathValue("memory_id")
	mem, ok := store.memories[id]
	if !ok {
		return nil, nil, errNotFound("memory " + id + " not found")
	}
	return store, mem, nil
}

func (s *Server) getMemory(r *http.Request, _ obj) (any, error) {
	view, err := viewParam(r, "full")
	if err != nil {
		return nil, err
	}
	_, mem, err := s.memory(r)
	if err != nil {
		return nil, err
	}
	return memoryJSON(mem, view), nil
}

// updateMemory changes a memory's content and path. The precondition tests
// the current content, even when the update moves the memory.
func (s *Server) updateMemory(r *http.Request, body obj) (any, error) {
	view, err := viewParam(r, "basic")
	if err != nil {
		return nil, err
	}
	store, mem, err := s.memory(r)
	if err != nil {
		return nil, err
	}
	if store.archived() {
		return nil, errBadRequest("memory store %s is archived", store.id)
	}
	if err := onlyKeys(body, "body", "path", "content", "precondition"); err != nil {
		return nil, err
	}
	path, _, err := str(body, "path")
	if err != nil {
		return nil, err
	}
	if path != "" {
		if err := checkMemoryPath("path", path); err != nil {
			return nil, err
		}
	}
	var content *string
	if v, ok := body["content"]; ok && v != nil {
		c, err := checkContent(v, true)
		if err != nil {
			return nil, err
		}
		content = &c
	}
	if p, ok := body["precondition"]; ok && p != nil {
		pm, isObj := isObj(p)
		if !isObj {
			return nil, errBadRequest("precondition: must be an object")
		}
		if err := onlyKeys(pm, "precondition", "type", "content_sha256"); err != nil {
			return nil, err
		}
		if t, ok := pm["type"]; ok && t != "content_sha256" {
			return nil, errBadRequest("precondition.type: must be content_sha256")
		}
		want, _ := pm["content_sha256"].(string)
		if err := checkPrecondition("precondition.content_sha256", mem, want); err != nil {
			return nil, err
		}
	}
	if _, err := s.putMemory(store, mem, path, content, requestActor(r)); err != nil {
		return nil, err
	}
	return memoryJSON(mem, view), nil
}

// deleteMemory deletes a memory, unless expected_content_sha256 does not
// match; its versions stay, with a deleted one. Archived stores allow it.
func (s *Server) deleteMemory(r *http.Request, _ obj) (any, error) {
	store, mem, err := s.memory(r)
	if err != nil {
		return nil, err
	}
	if want := r.URL.Query().Get("expected_content_sha256"); want != "" {
		if err := checkPrecondition("expected_content_sha256", mem, want); err != nil {
			return nil, err
		}
	}
	s.writeVersion(store, mem, "deleted", requestActor(r))
	delete(store.memories, mem.id)
	return obj{"id": mem.id, "type": "memory_deleted"}, nil
}

// pathCursor is the content of a memory list's page token: the list's
// store and the path of the last item given.
type pathCursor struct {
	Store string `json:"m"`
	After string `json:"a"`
}

// listMemories lists the memories below path_prefix sorted by path; with a
// depth, the memories deeper than it are rolled up into memory_prefix items,
// which count toward the limit.
func (s *Server) listMemories(r *http.Request, _ obj) (any, error) {
	view, err := viewParam(r, "basic")
	if err != nil {
		return nil, err
	}
	maxLimit := 100
	if view == "full" {
		maxLimit = 20
	}
	limit, err := intParam(r, "limit", 20, 1, maxLimit)
	if err != nil {
		return nil, err
	}
	depth, err := intParam(r, "depth", 0, 0, maxMemorySegments)
	if err != nil {
		return nil, err
	}
	store, err := s.memoryStore(r.PathValue("memory_store_id"))
	if err != nil {
		return nil, err
	}
	prefix := r.URL.Query().Get("path_prefix")
	if prefix == "" {
		prefix = "/"
	}
	if !strings.HasSuffix(prefix, "/") || (prefix != "/" && checkMemoryPath("path_prefix", strings.TrimSuffix(prefix, "/")) != nil) {
		return nil, errBadRequest("path_prefix: must be a path ending with /")
	}
	after := ""
	if tok := r.URL.Query().Get("page"); tok != "" {
		var c pathCursor
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, "page_"))
		if err != nil || !strings.HasPrefix(tok, "page_") || json.Unmarshal(b, &c) != nil || c.Store != store.id {
			return nil, errBadRequest("page: invalid page cursor")
		}
		after = c.After
	}
	items := map[string]any{} // by path: memories, and the prefixes rolled up
	for _, mem := range store.memories {
		rest, ok := strings.CutPrefix(mem.path, prefix)
		if !ok {
			continue
		}
		if segs := strings.Split(rest, "/"); depth > 0 && len(segs) > depth {
			p := prefix + strings.Join(segs[:depth], "/") + "/"
			items[p] = obj{"type": "memory_prefix", "path": p}
			continue
		}
		items[mem.path] = memoryJSON(mem, view)
	}
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range items {
			if p > after && !yield(p) {
				return
			}
		}
	})
	out := obj{"data": []any{}, "next_page": nil}
	page := paths[:min(limit, len(paths))]
	for _, p := range page {
		out["data"] = append(out["data"].([]any), items[p])
	}
	if len(page) < len(paths) {
		b, _ := json.Marshal(pathCursor{Store: store.id, After: page[len(page)-1]})
		out["next_page"] = "page_" + base64.RawURLEncoding.EncodeToString(b)
	}
	return out, nil
}

func (s *Server) listMemoryVersions(r *http.Request, _ obj) (any, error) {
	view, err := viewParam(r, "basic")
	if err != nil {
		return nil, err
	}
	maxLimit := 100
	if view == "full" {
		maxLimit = 20
	}
	limit, order, c, err := listParams(r, "memory_versions", 20, maxLimit, "desc", false)
	if err != nil {
		return nil, err
	}
	store, err := s.memoryStore(r.PathValue("memory_store_id"))
	if err != nil {
		return nil, err
	}
	b, err := boundsParam(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	switch op := q.Get("operation"); op {
	case "", "created", "modified", "deleted":
	default:
		return nil, errBadRequest("operation: must be created, modified or deleted")
	}
	match := func(v obj, key, field string) bool {
		want := q.Get(key)
		if want == "" {
			return true
		}
		by, _ := isObj(v["created_by"])
		return by[field] == want
	}
	var items []listItem
	for _, ver := range store.versions {
		v := ver.v
		switch {
		case !b.contains(ver.created),
			q.Get("memory_id") != "" && v["memory_id"] != q.Get("memory_id"),
			q.Get("operation") != "" && v["operation"] != q.Get("operation"),
			!match(v, "session_id", "session_id"), !match(v, "api_key_id", "api_key_id"),
			!match(v, "service_account_id", "service_account_id"):
			continue
		}
		items = append(items, listItem{t: ver.created, seq: ver.seq, v: versionJSON(ver, view)})
	}
	return paginate(items, "memory_versions", order, limit, c).json(false), nil
}

// memoryVersion returns the version of the request's path.
func (s *Server) memoryVersion(r *http.Request) (*memoryVersionRec, error) {
	store, err := s.memoryStore(r.PathValue("memory_store_id"))
	if err != nil {
		return nil, err
	}
	id := r.PathValue("memory_version_id")
	for _, v := range store.versions {
		if v.v["id"] == id {
			return v, nil
		}
	}
	return nil, errNotFound("memory version " + id + " not found")
}

func (s *Server) getMemoryVersion(r *http.Request, _ obj) (any, error) {
	view, err := viewParam(r, "full")
	if err != nil {
		return nil, err
	}
	v, err := s.memoryVersion(r)
	if err != nil {
		return nil, err
	}
	return versionJSON(v, view), nil
}

// redactMemoryVersion scrubs a version's content, path, size and hash, and
// records who redacted it and when; archived stores allow it, and redacting
// a redacted version answers it as it is. The live memory is not changed.
func (s *Server) redactMemoryVersion(r *http.Request, _ obj) (any, error) {
	v, err := s.memoryVersion(r)
	if err != nil {
		return nil, err
	}
	if v.v["redacted_at"] == nil {
		for _, k := range []string{"content", "path", "content_sha256", "content_size_bytes"} {
			v.v[k] = nil
		}
		v.v["redacted_at"] = ts(s.now())
		v.v["redacted_by"] = requestActor(r)
	}
	return versionJSON(v, "full"), nil
}
