package managedagentstest

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents/webhooks"
)

// agentRec is a stored agent: one JSON object per version, oldest first.
type agentRec struct {
	id       string
	seq      int64
	created  time.Time
	versions []obj
}

func (a *agentRec) latest() obj { return a.versions[len(a.versions)-1] }

func (a *agentRec) archived() bool { return a.latest()["archived_at"] != nil }

func (s *Server) agent(id string) (*agentRec, error) {
	a, ok := s.agents[id]
	if !ok {
		return nil, errNotFound("agent " + id + " not found")
	}
	return a, nil
}

func (s *Server) createAgent(r *http.Request, body obj) (any, error) {
	if body == nil {
		return nil, errBadRequest("a request body is required")
	}
	for k := range body {
		switch k {
		case "name", "model", "description", "system", "tools", "mcp_servers", "skills", "execution_identity", "multiagent", "metadata":
		default:
			return nil, errBadRequest("%s: unknown field", k)
		}
	}
	now := s.now()
	a := obj{
		"type": "agent", "description": "", "system": "", "tools": []any{}, "mcp_servers": []any{},
		"skills": []any{}, "execution_identity": obj{"type": "service_account"}, "multiagent": nil,
		"metadata": obj{}, "version": int64(1), "created_at": ts(now), "updated_at": ts(now), "archived_at": nil,
	}
	if _, ok := body["name"]; !ok {
		return nil, errBadRequest("name: field required")
	}
	if _, ok := body["model"]; !ok {
		return nil, errBadRequest("model: field required")
	}
	id := s.peekID("agent")
	a["id"] = id
	if err := s.applyAgentFields(a, body, true); err != nil {
		return nil, err
	}
	rec := &agentRec{id: s.newID("agent"), seq: s.nextSeq(), created: now}
	rec.versions = []obj{a}
	s.agents[rec.id] = rec
	s.emitWebhook(webhooks.TypeAgentCreated, rec.id, nil)
	return a, nil
}

// applyAgentFields validates and applies the agent fields of body onto a, with
// the update rules (create is an update of the defaults). a has the id and
// the version being written, for the self references of multiagent. s.mu
// must be held.
func (s *Server) applyAgentFields(a, body obj, create bool) error {
	if v, ok := body["name"]; ok {
		name, isStr := v.(string)
		if !isStr || name == "" || len(name) > 256 {
			return errBadRequest("name: must be a string of 1 to 256 characters")
		}
		a["name"] = name
	}
	for _, k := range []string{"description", "system"} {
		if v, ok := body[k]; ok {
			s, isStr := v.(string)
			if v != nil && !isStr {
				return errBadRequest("%s: must be a string", k)
			}
			if k == "description" && len(s) > 2048 {
				return errBadRequest("description: at most 2048 characters")
			}
			a[k] = s
		}
	}
	if v, ok := body["model"]; ok {
		var prev obj
		if !create {
			prev, _ = isObj(a["model"])
		}
		m, err := normModel(v, prev)
		if err != nil {
			return err
		}
		a["model"] = m
	}
	if v, ok := body["tools"]; ok {
		t, err := normTools(v)
		if err != nil {
			return err
		}
		a["tools"] = t
	}
	if v, ok := body["mcp_servers"]; ok {
		m, err := normMCPServers(v)
		if err != nil {
			return err
		}
		a["mcp_servers"] = m
	}
	if v, ok := body["skills"]; ok {
		sk, err := normSkills(v)
		if err != nil {
			return err
		}
		a["skills"] = sk
	}
	if v, ok := body["execution_identity"]; ok {
		m, _ := isObj(v)
		switch typeOf(v) {
		case "":
			if v != nil {
				return errBadRequest("execution_identity: must be an object with a type")
			}
			a["execution_identity"] = obj{"type": "service_account"}
		case "service_account":
			if err := onlyKeys(m, "execution_identity", "type"); err != nil {
				return err
			}
			a["execution_identity"] = obj{"type": "service_account"}
		case "aws_role":
			arn, _ := m["role_arn"].(string)
			if err := onlyKeys(m, "execution_identity", "type", "role_arn"); err != nil {
				return err
			}
			if arn == "" || len(arn) > 2048 {
				return errBadRequest("execution_identity.role_arn: required, at most 2048 characters")
			}
			a["execution_identity"] = obj{"type": "aws_role", "role_arn": arn}
		default:
			return errBadRequest("execution_identity.type: unknown type %q", typeOf(v))
		}
	}
	if v, ok := body["multiagent"]; ok {
		version, _ := intValue(a["version"])
		m, err := s.normMultiagent(v, a["multiagent"], a["id"].(string), version)
		if err != nil {
			return err
		}
		a["multiagent"] = m
	}
	if v, ok := body["metadata"]; ok {
		md, _ := isObj(a["metadata"])
		m, err := patchMetadata(md, v, false)
		if err != nil {
			return err
		}
		a["metadata"] = m
	}
	// every mcp server must be referenced by an mcp_toolset, and vice versa
	servers := map[string]bool{}
	for _, srv := range a["mcp_servers"].([]any) {
		servers[srv.(obj)["name"].(string)] = false
	}
	for _, t := range a["tools"].([]any) {
		if typeOf(t) == "mcp_toolset" {
			name, _ := t.(obj)["mcp_server_name"].(string)
			if _, ok := servers[name]; !ok {
				return errBadRequest("tools: mcp_toolset refers to unknown MCP server %q", name)
			}
			servers[name] = true
		}
	}
	for name, used := range servers {
		if !used {
			return errBadRequest("mcp_servers: server %q is not used by any mcp_toolset", name)
		}
	}
	return nil
}

// patchMetadata applies a metadata patch (key→string upserts, key→null deletes;
// with emptyDeletes, "" deletes too).
func patchMetadata(cur obj, v any, emptyDeletes bool) (obj, error) {
	out := obj{}
	for k, val := range cur {
		out[k] = val
	}
	if v == nil {
		return out, nil
	}
	m, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("metadata: must be an object of strings")
	}
	for k, val := range m {
		if len(k) > 64 {
			return nil, errBadRequest("metadata: key %q longer than 64 characters", k)
		}
		switch val := val.(type) {
		case nil:
			delete(out, k)
		case string:
			if len(val) > 512 {
				return nil, errBadRequest("metadata.%s: value longer than 512 characters", k)
			}
			if val == "" && emptyDeletes {
				delete(out, k)
			} else {
				out[k] = val
			}
		default:
			return nil, errBadRequest("metadata.%s: must be a string or null", k)
		}
	}
	if len(out) > 16 {
		return nil, errBadRequest("metadata: at most 16 keys")
	}
	return out, nil
}

var efforts = map[string]bool{"low": true, "medium": true, "high": true, "xhigh": true, "max": true}

// normModel resolves a model (string or object) to the response form. prev, when
// set, gives the effort kept when the new value has none.
func normModel(v any, prev obj) (obj, error) {
	switch m := v.(type) {
	case string:
		v = obj{"id": m}
	case nil:
		return nil, errBadRequest("model: must not be null")
	}
	in, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("model: must be a string or an object")
	}
	id, _ := in["id"].(string)
	if id == "" {
		return nil, errBadRequest("model.id: field required")
	}
	out := obj{"id": id, "effort": obj{"type": "high"}, "speed": "standard"}
	if prev != nil && prev["effort"] != nil {
		out["effort"] = prev["effort"]
	}
	if e, ok := in["effort"]; ok && e != nil {
		level, isStr := e.(string)
		if !isStr {
			level = typeOf(e)
		}
		if !efforts[level] {
			return nil, errBadRequest("model.effort: unknown effort %q", level)
		}
		out["effort"] = obj{"type": level}
	}
	if sp, ok := in["speed"]; ok && sp != nil {
		if sp != "standard" && sp != "fast" {
			return nil, errBadRequest("model.speed: must be standard or fast")
		}
		out["speed"] = sp
	}
	if g, ok := in["inference_geo"].(string); ok && g != "" {
		out["inference_geo"] = g
	}
	return out, nil
}

func normMCPServers(v any) ([]any, error) {
	if v == nil {
		return []any{}, nil
	}
	list, ok := isList(v)
	if !ok || len(list) > 20 {
		return nil, errBadRequest("mcp_servers: must be an array of at most 20 servers")
	}
	seen := map[string]bool{}
	out := []any{}
	for i, srv := range list {
		m, _ := isObj(srv)
		name, _ := m["name"].(string)
		u, _ := m["url"].(string)
		if typeOf(srv) != "url" || name == "" || u == "" {
			return nil, errBadRequest("mcp_servers[%d]: needs type \"url\", name and url", i)
		}
		if seen[name] {
			return nil, errBadRequest("mcp_servers[%d].name: duplicate name %q", i, name)
		}
		seen[name] = true
		out = append(out, obj{"type": "url", "name": name, "url": u})
	}
	return out, nil
}

func normSkills(v any) ([]any, error) {
	if v == nil {
		return []any{}, nil
	}
	list, ok := isList(v)
	if !ok || len(list) > 20 {
		return nil, errBadRequest("skills: must be an array of at most 20 skills")
	}
	out := []any{}
	for i, sk := range list {
		m, _ := isObj(sk)
		id, _ := m["skill_id"].(string)
		if (typeOf(sk) != "anthropic" && typeOf(sk) != "custom") || id == "" {
			return nil, errBadRequest("skills[%d]: needs type anthropic or custom and a skill_id", i)
		}
		version := "latest"
		switch ver := m["version"].(type) {
		case string:
			version = ver
		case json.Number:
			version = ver.String()
		}
		out = append(out, obj{"type": typeOf(sk), "skill_id": id, "version": version})
	}
	return out, nil
}

func (s *Server) getAgent(r *http.Request, _ obj) (any, error) {
	a, err := s.agent(r.PathValue("agent_id"))
	if err != nil {
		return nil, err
	}
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, errBadRequest("version: must be an integer >= 1")
		}
		if n > len(a.versions) {
			return nil, errNotFound("agent " + a.id + " has no version " + v)
		}
		return a.versions[n-1], nil
	}
	return a.latest(), nil
}

func (s *Server) updateAgent(r *http.Request, body obj) (any, error) {
	a, err := s.agent(r.PathValue("agent_id"))
	if err != nil {
		return nil, err
	}
	if a.archived() {
		return nil, errBadRequest("agent %s is archived and cannot be updated", a.id)
	}
	cur := a.latest()
	if v, ok := body["version"]; ok && v != nil {
		n, isNum := v.(json.Number)
		want, err := n.Int64()
		if !isNum || err != nil || want < 1 {
			return nil, errBadRequest("version: must be an integer >= 1")
		}
		if want != cur["version"].(int64) {
			return nil, errConflict("version: agent %s is at version %d, not %d", a.id, cur["version"], want)
		}
	}
	for k := range body {
		switch k {
		case "version", "name", "model", "description", "system", "tools", "mcp_servers", "skills", "execution_identity", "multiagent", "metadata":
		default:
			return nil, errBadRequest("%s: unknown field", k)
		}
	}
	if v, ok := body["name"]; ok && v == nil {
		return nil, errBadRequest("name: cannot be cleared")
	}
	next := clone(cur)
	version := cur["version"].(int64) + 1
	next["version"] = version
	if err := s.applyAgentFields(next, body, false); err != nil {
		return nil, err
	}
	next["version"] = cur["version"]
	bumpSelf(next["multiagent"], a.id, cur["version"].(int64))
	if reflect.DeepEqual(clone(next), clone(cur)) {
		return cur, nil
	}
	next["version"] = version
	bumpSelf(next["multiagent"], a.id, version)
	next["updated_at"] = ts(s.now())
	a.versions = append(a.versions, next)
	s.emitWebhook(webhooks.TypeAgentUpdated, a.id, nil)
	return next, nil
}

func (s *Server) listAgents(r *http.Request, _ obj) (any, error) {
	lq, err := listParams(r, "agents", 20, 100, "desc", false)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, a := range s.agents {
		if !lq.keeps(a.archived(), a.created) {
			continue
		}
		items = append(items, listItem{t: a.created, seq: a.seq, v: a.latest()})
	}
	return lq.page(items).json(false), nil
}

func (s *Server) archiveAgent(r *http.Request, _ obj) (any, error) {
	a, err := s.agent(r.PathValue("agent_id"))
	if err != nil {
		return nil, err
	}
	if !a.archived() {
		now := ts(s.now())
		for _, v := range a.versions {
			v["archived_at"] = now
		}
		a.latest()["updated_at"] = now
		s.emitWebhook(webhooks.TypeAgentArchived, a.id, nil)
	}
	return a.latest(), nil
}

func (s *Server) listAgentVersions(r *http.Request, _ obj) (any, error) {
	a, err := s.agent(r.PathValue("agent_id"))
	if err != nil {
		return nil, err
	}
	lq, err := listParams(r, "versions:"+a.id, 20, 100, "desc", false)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for i, v := range a.versions {
		items = append(items, listItem{t: a.created, seq: int64(i + 1), v: v})
	}
	return lq.page(items).json(false), nil
}
