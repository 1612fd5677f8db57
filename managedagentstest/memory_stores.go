package managedagentstest

import (
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/webhooks"
)

// MemoryBetaHeader is the beta name of the memory store endpoints. They
// accept it or [BetaHeader] (more-resources.md §1.1).
const MemoryBetaHeader = "agent-memory-2026-07-22"

// memoryStoreRec is a stored memory store, with its memories and the
// versions of their writes.
type memoryStoreRec struct {
	id       string
	seq      int64
	created  time.Time
	v        obj                   // the store as answered
	memories map[string]*memoryRec // by id
	versions []*memoryVersionRec   // in the order written
}

func (m *memoryStoreRec) archived() bool { return m.v["archived_at"] != nil }

// memoryRoutes registers the memory store routes.
func (s *Server) memoryRoutes() {
	h := s.handle
	h(RouteCreateMemoryStore, s.createMemoryStore)
	h(RouteGetMemoryStore, s.getMemoryStore)
	h(RouteUpdateMemoryStore, s.updateMemoryStore)
	h(RouteListMemoryStores, s.listMemoryStores, "created_at[gte]", "created_at[lte]", "include_archived", "limit", "page")
	h(RouteDeleteMemoryStore, s.deleteMemoryStore)
	h(RouteArchiveMemoryStore, s.archiveMemoryStore)

	h(RouteCreateMemory, s.createMemory, "view")
	h(RouteGetMemory, s.getMemory, "view")
	h(RouteUpdateMemory, s.updateMemory, "view")
	h(RouteListMemories, s.listMemories, "depth", "limit", "page", "path_prefix", "view")
	h(RouteDeleteMemory, s.deleteMemory, "expected_content_sha256")

	h(RouteListMemoryVersions, s.listMemoryVersions, "api_key_id", "created_at[gte]", "created_at[lte]", "limit",
		"memory_id", "operation", "page", "service_account_id", "session_id", "view")
	h(RouteGetMemoryVersion, s.getMemoryVersion, "view")
	h(RouteRedactMemoryVersion, s.redactMemoryVersion)
}

// isMemoryRoute reports whether route is one of the memory store routes.
func isMemoryRoute(route string) bool {
	_, path, _ := strings.Cut(route, " ")
	return path == "/v1/memory_stores" || strings.HasPrefix(path, "/v1/memory_stores/")
}

// memoryStore returns the store id; s.mu must be held.
func (s *Server) memoryStore(id string) (*memoryStoreRec, error) {
	m, ok := s.memStores[id]
	if !ok {
		return nil, errNotFound("memory store " + id + " not found")
	}
	return m, nil
}

// writableStore returns the store id unless it is archived.
func (s *Server) writableStore(id string) (*memoryStoreRec, error) {
	m, err := s.memoryStore(id)
	if err == nil && m.archived() {
		err = errBadRequest("memory store %s is archived", id)
	}
	return m, err
}

// checkText checks that a body string field has from lo to hi characters and,
// if noControl, no control character.
func checkText(where, v string, lo, hi int, noControl bool) error {
	if n := utf8.RuneCountInString(v); n < lo || n > hi {
		return errBadRequest("%s: must have %d to %d characters", where, lo, hi)
	}
	if noControl && strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return errBadRequest("%s: must not contain control characters", where)
	}
	return nil
}

// storeMetadata checks the metadata of a store after a patch.
func storeMetadata(cur obj, patch any) (obj, error) {
	if m, ok := isObj(patch); ok {
		for k := range m {
			if k == "" {
				return nil, errBadRequest("metadata: keys must have 1 to 64 characters")
			}
		}
	}
	return patchMetadata(cur, patch, false)
}

func (s *Server) createMemoryStore(r *http.Request, body obj) (any, error) {
	if body == nil {
		return nil, errBadRequest("a request body is required")
	}
	if err := onlyKeys(body, "body", "name", "description", "metadata"); err != nil {
		return nil, err
	}
	name, _, err := str(body, "name")
	if err != nil {
		return nil, err
	}
	if err := checkText("name", name, 1, 255, true); err != nil {
		return nil, err
	}
	desc, _, err := str(body, "description")
	if err != nil {
		return nil, err
	}
	if err := checkText("description", desc, 0, 1024, false); err != nil {
		return nil, err
	}
	md, err := storeMetadata(obj{}, body["metadata"])
	if err != nil {
		return nil, err
	}
	now := s.now()
	rec := &memoryStoreRec{id: s.newID("memstore"), seq: s.nextSeq(), created: now, memories: map[string]*memoryRec{}}
	rec.v = obj{"id": rec.id, "type": "memory_store", "name": name, "description": desc, "metadata": md,
		"created_at": ts(now), "updated_at": ts(now), "archived_at": nil}
	s.memStores[rec.id] = rec
	s.emitWebhook(webhooks.TypeMemoryStoreCreated, rec.id, nil)
	return rec.v, nil
}

func (s *Server) getMemoryStore(r *http.Request, _ obj) (any, error) {
	m, err := s.memoryStore(r.PathValue("memory_store_id"))
	if err != nil {
		return nil, err
	}
	return m.v, nil
}

func (s *Server) updateMemoryStore(r *http.Request, body obj) (any, error) {
	m, err := s.writableStore(r.PathValue("memory_store_id"))
	if err != nil {
		return nil, err
	}
	if err := onlyKeys(body, "body", "name", "description", "metadata"); err != nil {
		return nil, err
	}
	next := clone(m.v)
	if v, ok := body["name"]; ok {
		name, isStr := v.(string)
		if !isStr {
			return nil, errBadRequest("name: must be a string")
		}
		if err := checkText("name", name, 1, 255, true); err != nil {
			return nil, err
		}
		next["name"] = name
	}
	if v, ok := body["description"]; ok {
		desc, isStr := v.(string) // "" (or null) clears it
		if v != nil && !isStr {
			return nil, errBadRequest("description: must be a string")
		}
		if err := checkText("description", desc, 0, 1024, false); err != nil {
			return nil, err
		}
		next["description"] = desc
	}
	if v, ok := body["metadata"]; ok {
		md, err := storeMetadata(next["metadata"].(obj), v)
		if err != nil {
			return nil, err
		}
		next["metadata"] = md
	}
	if jsonString(next) != jsonString(m.v) {
		next["updated_at"] = ts(s.now())
	}
	m.v = next
	return next, nil
}

func (s *Server) listMemoryStores(r *http.Request, _ obj) (any, error) {
	limit, order, c, err := listParams(r, "memory_stores", 20, 100, "desc", false)
	if err != nil {
		return nil, err
	}
	archived, err := boolParam(r, "include_archived")
	if err != nil {
		return nil, err
	}
	b, err := boundsParam(r)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, m := range s.memStores {
		if (!archived && m.archived()) || !b.contains(m.created) {
			continue
		}
		items = append(items, listItem{t: m.created, seq: m.seq, v: m.v})
	}
	return paginate(items, "memory_stores", order, limit, c).json(false), nil
}

// deleteMemoryStore deletes the store with its memories and their versions.
// Sessions that mounted it keep their resource.
func (s *Server) deleteMemoryStore(r *http.Request, _ obj) (any, error) {
	id := r.PathValue("memory_store_id")
	if _, err := s.memoryStore(id); err != nil {
		return nil, err
	}
	delete(s.memStores, id)
	s.emitWebhook(webhooks.TypeMemoryStoreDeleted, id, nil)
	return obj{"id": id, "type": "memory_store_deleted"}, nil
}

// archiveMemoryStore archives the store for good; archiving it again
// answers it as it is.
func (s *Server) archiveMemoryStore(r *http.Request, _ obj) (any, error) {
	m, err := s.memoryStore(r.PathValue("memory_store_id"))
	if err != nil {
		return nil, err
	}
	if !m.archived() {
		now := ts(s.now())
		m.v["archived_at"] = now
		m.v["updated_at"] = now
		s.emitWebhook(webhooks.TypeMemoryStoreArchived, m.id, nil)
	}
	return m.v, nil
}

// memoryStoreResource resolves the memory_store resource m of a new session:
// the store must exist and not be archived; the answer snapshots its name
// and description and mounts it at /mnt/memory/<slug of the name>.
func (s *Server) memoryStoreResource(m obj, where string) (obj, error) {
	id, _ := m["memory_store_id"].(string)
	if id == "" {
		return nil, errBadRequest("%s.memory_store_id: field required", where)
	}
	store, err := s.memoryStore(id)
	if err != nil {
		return nil, err
	}
	if store.archived() {
		return nil, errBadRequest("%s: memory store %s is archived and cannot be attached", where, id)
	}
	access := "read_write"
	if a, ok := m["access"]; ok && a != nil {
		if a != "read_write" && a != "read_only" {
			return nil, errBadRequest("%s.access: must be read_write or read_only", where)
		}
		access = a.(string)
	}
	var instructions any
	if in, ok := m["instructions"].(string); ok && in != "" {
		if err := checkText(where+".instructions", in, 0, 4096, false); err != nil {
			return nil, err
		}
		instructions = in
	}
	return obj{"type": "memory_store", "memory_store_id": id, "access": access, "instructions": instructions,
		"name": store.v["name"], "description": store.v["description"],
		"mount_path": "/mnt/memory/" + memorySlug(store.v["name"].(string))}, nil
}

// memorySlug is the directory of a store under /mnt/memory/: its name
// lowercased, each run of characters other than ASCII letters and digits
// made one "-".
func memorySlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return b.String()
}

// checkMemoryBeta checks the beta header of a memory store request: it must
// name MemoryBetaHeader or BetaHeader.
func checkMemoryBeta(r *http.Request) *apiError {
	for _, v := range r.Header.Values("Anthropic-Beta") {
		for name := range strings.SplitSeq(v, ",") {
			if n := strings.TrimSpace(name); n == MemoryBetaHeader || n == BetaHeader {
				return nil
			}
		}
	}
	return errBadRequest("anthropic-beta: this endpoint requires the beta header %s or %s", MemoryBetaHeader, BetaHeader)
}

// checkMemoryStoreCount refuses more than 8 memory stores in one session.
func checkMemoryStoreCount(resources []*resRec) error {
	n := 0
	for _, r := range resources {
		if typeOf(r.v) == "memory_store" {
			n++
		}
	}
	if n > 8 {
		return errBadRequest("resources: at most 8 memory stores per session, not %d", n)
	}
	return nil
}
