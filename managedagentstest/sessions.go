package managedagentstest

import (
	"encoding/json"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents/webhooks"
)

// sessionRec is a stored session with its events, streams and agent state.
type sessionRec struct {
	id      string
	seq     int64
	created time.Time
	v       obj          // the session as answered; status, ... kept up to date
	threads []*threadRec // the primary thread first, then the children
	env     obj          // the environment at creation

	resources []*resRec
	events    []*eventRec
	lastTS    time.Time
	subs      map[*subscriber]struct{}

	inbox    []obj // user.message events waiting for a turn
	runner   bool  // a runner goroutine exists
	turn     *Turn
	pending  map[string]*waiter // tool-use id -> waiting Await
	answers  map[string]Answer  // answers not yet consumed by Await
	toolUses map[string]string  // tool-use event id -> its type
	usage    ModelUsage
	requests int       // model requests ended: usage is tracked from the first
	running  time.Time // when the current running period began
	active   time.Duration
	lastStop string
	// budgetPaused: idle with stop_reason budget_reached; only settle events are
	// accepted until the budget is updated or the session runs again.
	budgetPaused bool
	deleted      bool
	changed      chan struct{} // closed and replaced on every change
}

// resRec is a session resource.
type resRec struct {
	seq     int64
	created time.Time
	v       obj
}

func (sess *sessionRec) status() string { return sess.v["status"].(string) }

func (sess *sessionRec) signal() {
	close(sess.changed)
	sess.changed = make(chan struct{})
}

func (s *Server) session(id string) (*sessionRec, error) {
	sess, ok := s.sessions[id]
	if !ok || sess.deleted {
		return nil, errNotFound("session " + id + " not found")
	}
	return sess, nil
}

var budgetAmountRE = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

func normBudget(v any) (obj, error) {
	m, ok := isObj(v)
	if !ok || typeOf(m) != "limit" {
		return nil, errBadRequest("budget: must be {\"type\":\"limit\",\"max_list_cost\":{...}}")
	}
	cost, _ := isObj(m["max_list_cost"])
	amount, _ := cost["amount"].(string)
	if !budgetAmountRE.MatchString(amount) || cost["currency"] != "USD" {
		return nil, errBadRequest("budget.max_list_cost: amount must be a string of cents and currency USD")
	}
	return obj{"type": "limit", "max_list_cost": obj{"amount": amount, "currency": "USD"}}, nil
}

// resolveAgent resolves the agent param of a session create into its snapshot.
func (s *Server) resolveAgent(v any) (obj, error) {
	var id string
	var version int64
	var overrides obj
	switch a := v.(type) {
	case string:
		id = a
	case map[string]any:
		id, _ = a["id"].(string)
		if n, ok := a["version"].(json.Number); ok {
			version, _ = n.Int64()
			if version < 1 {
				return nil, errBadRequest("agent.version: must be an integer >= 1")
			}
		}
		switch typeOf(a) {
		case "agent":
			if err := onlyKeys(a, "agent", "type", "id", "version"); err != nil {
				return nil, err
			}
		case "agent_with_overrides":
			if err := onlyKeys(a, "agent", "type", "id", "version", "model", "system", "tools", "mcp_servers", "skills"); err != nil {
				return nil, err
			}
			overrides = a
		default:
			return nil, errBadRequest("agent.type: must be agent or agent_with_overrides")
		}
	default:
		return nil, errBadRequest("agent: field required (an agent id or an object)")
	}
	if id == "" {
		return nil, errBadRequest("agent.id: field required")
	}
	rec, err := s.agent(id)
	if err != nil {
		return nil, err
	}
	if rec.archived() {
		return nil, errBadRequest("agent %s is archived", id)
	}
	src := rec.latest()
	if version > 0 {
		if version > int64(len(rec.versions)) {
			return nil, errNotFound("agent " + id + " has no such version")
		}
		src = rec.versions[version-1]
	}
	snap := threadAgent(src)
	snap["multiagent"] = s.expandMultiagent(src["multiagent"])
	if overrides != nil {
		if m, ok := overrides["model"]; ok {
			if m == nil {
				return nil, &apiError{status: 400, typ: "invalid_request_error", msg: "agent.model: cannot be null (agent_model_required)"}
			}
			model, err := normModel(m, snap["model"].(obj))
			if err != nil {
				return nil, err
			}
			snap["model"] = model
		}
		if sys, ok := overrides["system"]; ok {
			str, _ := sys.(string)
			snap["system"] = str
		}
		patch := obj{}
		for _, k := range []string{"tools", "mcp_servers", "skills"} {
			if val, ok := overrides[k]; ok {
				patch[k] = val
			}
		}
		if len(patch) > 0 {
			if err := s.applyAgentFields(snap, patch, false); err != nil {
				return nil, err
			}
		}
	}
	return snap, nil
}

// newResource validates a resource param and returns the resource object.
func (s *Server) newResource(v any, where string, selfHosted bool) (obj, error) {
	m, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("%s: must be an object", where)
	}
	now := ts(s.now())
	typ := typeOf(m)
	if selfHosted && typ != "memory_store" {
		return nil, errBadRequest("%s: self-hosted environments accept only memory_store resources", where)
	}
	mount, _ := m["mount_path"].(string)
	if mount != "" && !strings.HasPrefix(mount, "/") {
		return nil, errBadRequest("%s.mount_path: must be an absolute path", where)
	}
	keys := map[string][]string{
		"github_repository": {"type", "url", "authorization_token", "mount_path", "checkout"},
		"file":              {"type", "file_id", "mount_path"},
		"memory_store":      {"type", "memory_store_id", "access", "instructions"},
	}
	if err := onlyKeys(m, where, keys[typ]...); err != nil && keys[typ] != nil {
		return nil, err
	}
	switch typ {
	case "github_repository":
		u, _ := m["url"].(string)
		if u == "" {
			return nil, errBadRequest("%s.url: field required", where)
		}
		if mount == "" {
			mount = "/workspace/" + strings.TrimSuffix(path.Base(u), ".git")
		}
		checkout, err := normCheckout(m["checkout"], where+".checkout")
		if err != nil {
			return nil, err
		}
		return obj{"id": s.newID("sesrsc"), "type": typ, "url": u, "mount_path": mount, "checkout": checkout,
			"created_at": now, "updated_at": now}, nil
	case "file":
		f, _ := m["file_id"].(string)
		if f == "" {
			return nil, errBadRequest("%s.file_id: field required", where)
		}
		if mount == "" {
			mount = "/mnt/session/uploads/" + f
		}
		return obj{"id": s.newID("sesrsc"), "type": typ, "file_id": f, "mount_path": mount,
			"created_at": now, "updated_at": now}, nil
	case "memory_store":
		return s.memoryStoreResource(m, where)
	}
	return nil, errBadRequest("%s.type: must be github_repository, file or memory_store", where)
}

// normCheckout resolves a repository's checkout: null, {"type":"branch",
// "name"} or {"type":"commit","sha"}.
func normCheckout(v any, where string) (any, error) {
	if v == nil {
		return nil, nil
	}
	m, _ := isObj(v)
	key := map[string]string{"branch": "name", "commit": "sha"}[typeOf(v)]
	if key == "" {
		return nil, errBadRequest("%s.type: must be branch or commit", where)
	}
	if err := onlyKeys(m, where, "type", key); err != nil {
		return nil, err
	}
	val, _ := m[key].(string)
	if val == "" {
		return nil, errBadRequest("%s.%s: field required", where, key)
	}
	return obj{"type": typeOf(v), key: val}, nil
}

func (s *Server) createSession(r *http.Request, body obj) (any, error) {
	sess, err := s.openSession(body, "")
	if err != nil {
		return nil, err
	}
	return s.sessionJSON(sess), nil
}

// openSession creates a session from the body of a session create. A
// deployment's sessions (deploymentID set) carry its id and may have a
// system.message among their initial events.
func (s *Server) openSession(body obj, deploymentID string) (*sessionRec, error) {
	if body == nil {
		return nil, errBadRequest("a request body is required")
	}
	for k := range body {
		switch k {
		case "agent", "environment_id", "title", "resources", "vault_ids", "metadata", "budget", "initial_events":
		default:
			return nil, errBadRequest("%s: unknown field", k)
		}
	}
	snap, err := s.resolveAgent(body["agent"])
	if err != nil {
		return nil, err
	}
	envID, _, err := str(body, "environment_id")
	if err != nil {
		return nil, err
	}
	if envID == "" {
		return nil, errBadRequest("environment_id: field required")
	}
	env, err := s.env(envID)
	if err != nil {
		return nil, err
	}
	if env.archived() {
		return nil, errBadRequest("environment %s is archived", envID)
	}
	selfHosted := typeOf(env.v["config"]) == "self_hosted"
	now := s.now()
	sess := &sessionRec{
		id: s.newID("sesn"), seq: s.nextSeq(), created: now, env: env.v,
		subs: map[*subscriber]struct{}{}, pending: map[string]*waiter{}, answers: map[string]Answer{},
		toolUses: map[string]string{}, changed: make(chan struct{}),
	}
	v := obj{
		"id": sess.id, "type": "session", "title": nil, "status": "idle", "agent": snap, "environment_id": envID,
		"resources": []any{}, "vault_ids": []any{}, "metadata": obj{}, "budget": nil, "usage": obj{},
		"stats": obj{"active_seconds": 0.0, "duration_seconds": 0.0}, "outcome_evaluations": []any{},
		"deployment_id": nil, "created_at": ts(now), "updated_at": ts(now), "archived_at": nil,
	}
	if t, ok := body["title"]; ok {
		if _, isStr := t.(string); t != nil && !isStr {
			return nil, errBadRequest("title: must be a string")
		}
		v["title"] = t
	}
	if rs, ok := body["resources"]; ok && rs != nil {
		list, ok := isList(rs)
		if !ok {
			return nil, errBadRequest("resources: must be an array")
		}
		for i, rv := range list {
			res, err := s.newResource(rv, "resources["+itoa(i)+"]", selfHosted)
			if err != nil {
				return nil, err
			}
			sess.resources = append(sess.resources, &resRec{seq: s.nextSeq(), created: now, v: res})
		}
		if err := checkMemoryStoreCount(sess.resources); err != nil {
			return nil, err
		}
	}
	if vs, ok := body["vault_ids"]; ok && vs != nil {
		list, ok := isList(vs)
		if !ok {
			return nil, errBadRequest("vault_ids: must be an array of strings")
		}
		for _, id := range list {
			if _, isStr := id.(string); !isStr {
				return nil, errBadRequest("vault_ids: must be an array of strings")
			}
		}
		if err := s.checkVaults(list); err != nil {
			return nil, err
		}
		v["vault_ids"] = clone(list)
	}
	if md, ok := body["metadata"]; ok {
		m, err := patchMetadata(obj{}, md, false)
		if err != nil {
			return nil, err
		}
		v["metadata"] = m
	}
	if b, ok := body["budget"]; ok && b != nil {
		budget, err := normBudget(b)
		if err != nil {
			return nil, err
		}
		v["budget"] = budget
	}
	var initial []obj
	if ie, ok := body["initial_events"]; ok && ie != nil {
		list, ok := isList(ie)
		if !ok || len(list) > 50 {
			return nil, errBadRequest("initial_events: must be an array of at most 50 events")
		}
		for i, e := range list {
			if t := typeOf(e); t != "user.message" && t != "user.define_outcome" && (deploymentID == "" || t != "system.message") {
				return nil, errBadRequest("initial_events[%d].type: only user.message and user.define_outcome are allowed", i)
			}
			ev, err := s.checkSendable(sess, e, "initial_events["+itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			initial = append(initial, ev)
		}
	}
	if deploymentID != "" {
		v["deployment_id"] = deploymentID
	}
	sess.v = v
	sess.threads = []*threadRec{{id: s.newID("sthr"), seq: s.nextSeq(), status: "idle", created: now, updated: now}}
	s.sessions[sess.id] = sess
	s.enqueueSession(sess) // self-hosted sessions become work (work.go)
	s.emitWebhook(webhooks.TypeSessionCreated, sess.id, nil)
	for _, ev := range initial {
		s.acceptEvent(sess, ev)
	}
	return sess, nil
}

func itoa(i int) string { return jsonInt(int64(i)) }

func jsonInt(i int64) string { b, _ := json.Marshal(i); return string(b) }

// sessionJSON returns the session as answered, with stats and resources updated.
func (s *Server) sessionJSON(sess *sessionRec) obj {
	v := sess.v
	res := []any{}
	for _, r := range sess.resources {
		res = append(res, r.v)
	}
	v["resources"] = res
	end := s.now()
	if sess.status() == "terminated" {
		end = sess.lastTS
	}
	active := sess.active
	if sess.status() == "running" {
		active += end.Sub(sess.running)
	}
	v["stats"] = obj{"active_seconds": active.Seconds(), "duration_seconds": max(0, end.Sub(sess.created).Seconds())}
	v["usage"] = obj{}
	if sess.requests > 0 {
		u := usageJSON(sess.usage)
		u["active_seconds"] = active.Seconds()
		v["usage"] = u
	}
	return v
}

func (s *Server) getSession(r *http.Request, _ obj) (any, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, err
	}
	return s.sessionJSON(sess), nil
}

func (s *Server) updateSession(r *http.Request, body obj) (any, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, err
	}
	if sess.v["archived_at"] != nil {
		return nil, errBadRequest("session %s is archived", sess.id)
	}
	next := clone(sess.v)
	for k, val := range body {
		switch k {
		case "title":
			if _, isStr := val.(string); val != nil && !isStr {
				return nil, errBadRequest("title: must be a string or null")
			}
			next["title"] = val
		case "metadata":
			md, _ := isObj(next["metadata"])
			m, err := patchMetadata(md, val, false)
			if err != nil {
				return nil, err
			}
			next["metadata"] = m
		case "agent":
			a, ok := isObj(val)
			if !ok {
				return nil, errBadRequest("agent: must be an object with tools and/or mcp_servers")
			}
			patch := obj{}
			for ak, av := range a {
				if ak != "tools" && ak != "mcp_servers" {
					return nil, errBadRequest("agent.%s: only tools and mcp_servers can be updated", ak)
				}
				patch[ak] = av
			}
			if sess.status() == "running" {
				return nil, errBadRequest("agent: cannot be updated while the session is running")
			}
			if err := s.applyAgentFields(next["agent"].(obj), patch, false); err != nil {
				return nil, err
			}
		case "budget":
			if val == nil {
				next["budget"] = nil
			} else {
				if sess.v["budget"] == nil {
					return nil, &apiError{status: 400, typ: "invalid_request_error", msg: "budget: can only be set at creation (budget_create_only)"}
				}
				b, err := normBudget(val)
				if err != nil {
					return nil, err
				}
				next["budget"] = b
			}
		case "vault_ids":
			return nil, errBadRequest("vault_ids: cannot be updated")
		default:
			return nil, errBadRequest("%s: unknown field", k)
		}
	}
	// session.updated carries the fields that changed (metadata only when not
	// empty), and only comes when one did (reference §5.3).
	updated, changed := obj{"type": "session.updated"}, false
	for _, k := range []string{"title", "metadata", "agent", "budget"} {
		if jsonString(next[k]) == jsonString(sess.v[k]) {
			continue
		}
		changed = true
		if md, isMap := isObj(next[k]); k != "metadata" || (isMap && len(md) > 0) {
			updated[k] = clone(next[k])
		}
	}
	next["updated_at"] = ts(s.now())
	if _, ok := body["budget"]; ok {
		sess.budgetPaused = false // raising or removing the budget lifts the pause
	}
	sess.v = next
	if changed {
		s.emitLocked(sess, updated)
	}
	return s.sessionJSON(sess), nil
}

func (s *Server) listSessions(r *http.Request, _ obj) (any, error) {
	limit, order, c, err := listParams(r, "sessions", 20, 100, "desc", true)
	if err != nil {
		return nil, err
	}
	b, err := boundsParam(r)
	if err != nil {
		return nil, err
	}
	archived, err := boolParam(r, "include_archived")
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	agentID, agentVersion := q.Get("agent_id"), q.Get("agent_version")
	if agentVersion != "" && agentID == "" {
		return nil, errBadRequest("agent_version: only allowed with agent_id")
	}
	statuses, err := statusesParam(r)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, sess := range s.sessions {
		if sess.deleted || (!archived && sess.v["archived_at"] != nil) || !b.contains(sess.created) {
			continue
		}
		if len(statuses) > 0 && !statuses[sess.status()] {
			continue
		}
		snap := sess.v["agent"].(obj)
		if agentID != "" && snap["id"] != agentID {
			continue
		}
		if agentVersion != "" && jsonString(snap["version"]) != agentVersion {
			continue
		}
		if d := q.Get("deployment_id"); d != "" && sess.v["deployment_id"] != d {
			continue
		}
		if m := q.Get("memory_store_id"); m != "" && !hasMemoryStore(sess, m) {
			continue
		}
		items = append(items, listItem{t: sess.created, seq: sess.seq, v: s.sessionJSON(sess)})
	}
	return paginate(items, "sessions", order, limit, c).json(true), nil
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

func hasMemoryStore(sess *sessionRec, id string) bool {
	for _, r := range sess.resources {
		if r.v["memory_store_id"] == id {
			return true
		}
	}
	return false
}

func (s *Server) deleteSession(r *http.Request, _ obj) (any, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, err
	}
	if sess.status() == "running" {
		return nil, errBadRequest("session %s is running; interrupt it before deleting it", sess.id)
	}
	s.endSession(sess)
	return obj{"id": sess.id, "type": "session_deleted"}, nil
}

// endSession deletes sess: its turn stops, its streams get session.deleted and end.
func (s *Server) endSession(sess *sessionRec) {
	sess.deleted = true
	sess.inbox = nil
	if sess.turn != nil {
		sess.turn.stop()
	}
	at := s.now()
	if !at.After(sess.lastTS) {
		at = sess.lastTS.Add(time.Millisecond)
	}
	data, _ := json.Marshal(obj{"type": "session.deleted", "id": s.newID("sevt"), "processed_at": ts(at)})
	s.broadcast(sess, frame{name: "session.deleted", data: data, all: true, last: true})
	delete(s.sessions, sess.id)
	s.sessionDeletedWebhook(sess)
	sess.signal()
}

func (s *Server) archiveSession(r *http.Request, _ obj) (any, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, err
	}
	if sess.status() == "running" {
		return nil, errBadRequest("session %s is running; interrupt it before archiving it", sess.id)
	}
	if sess.v["archived_at"] == nil {
		now := ts(s.now())
		sess.v["archived_at"] = now
		sess.v["updated_at"] = now
		s.sessionArchivedWebhooks(sess)
	}
	return s.sessionJSON(sess), nil
}

// Resources.

func (s *Server) listResources(r *http.Request, _ obj) (any, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, err
	}
	limit, order, c, err := listParams(r, "resources:"+sess.id, 1000, 1000, "asc", false)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, res := range sess.resources {
		items = append(items, listItem{t: res.created, seq: res.seq, v: res.v})
	}
	return paginate(items, "resources:"+sess.id, order, limit, c).json(false), nil
}

func (s *Server) addResource(r *http.Request, body obj) (any, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, err
	}
	if t := typeOf(body); t != "file" && t != "github_repository" {
		return nil, errBadRequest("type: only file and github_repository resources can be added")
	}
	res, err := s.newResource(body, "resource", typeOf(sess.env["config"]) == "self_hosted")
	if err != nil {
		return nil, err
	}
	sess.resources = append(sess.resources, &resRec{seq: s.nextSeq(), created: s.now(), v: res})
	return res, nil
}

func (s *Server) resource(r *http.Request) (*sessionRec, int, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, 0, err
	}
	id := r.PathValue("resource_id")
	for i, res := range sess.resources {
		if res.v["id"] == id {
			return sess, i, nil
		}
	}
	return nil, 0, errNotFound("resource " + id + " not found")
}

func (s *Server) getResource(r *http.Request, _ obj) (any, error) {
	sess, i, err := s.resource(r)
	if err != nil {
		return nil, err
	}
	return sess.resources[i].v, nil
}

func (s *Server) updateResource(r *http.Request, body obj) (any, error) {
	sess, i, err := s.resource(r)
	if err != nil {
		return nil, err
	}
	tok, _, err := str(body, "authorization_token")
	if err != nil {
		return nil, err
	}
	if tok == "" {
		return nil, errBadRequest("authorization_token: field required")
	}
	res := sess.resources[i].v
	if res["type"] != "github_repository" {
		return nil, errBadRequest("only github_repository resources support token rotation")
	}
	res["updated_at"] = ts(s.now())
	return res, nil
}

func (s *Server) deleteResource(r *http.Request, _ obj) (any, error) {
	sess, i, err := s.resource(r)
	if err != nil {
		return nil, err
	}
	id := sess.resources[i].v["id"]
	sess.resources = append(sess.resources[:i], sess.resources[i+1:]...)
	return obj{"id": id, "type": "session_resource_deleted"}, nil
}
