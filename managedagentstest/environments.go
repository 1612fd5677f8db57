package managedagentstest

import (
	"net/http"
	"time"

	"github.com/go-managedagents/managedagents/webhooks"
)

// envRec is a stored environment.
type envRec struct {
	seq     int64
	created time.Time
	v       obj
}

func (e *envRec) archived() bool { return e.v["archived_at"] != nil }

func (s *Server) env(id string) (*envRec, error) {
	e, ok := s.envs[id]
	if !ok {
		return nil, errNotFound("environment " + id + " not found")
	}
	return e, nil
}

var packageManagers = []string{"apt", "cargo", "gem", "go", "npm", "pip"}

// normConfigEnv resolves an environment config; prev (may be nil) supplies the
// values of omitted sub-fields.
func normEnvConfig(v any, prev obj) (obj, error) {
	if v == nil {
		if prev != nil {
			return prev, nil
		}
		v = obj{"type": "cloud"}
	}
	m, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("config: must be an object")
	}
	typ := typeOf(m)
	if prev != nil && typ != prev["type"] {
		return nil, &apiError{status: 400, typ: "invalid_request_error", code: "invalid_config_type_change",
			msg: "config.type: cannot change from " + prev["type"].(string) + " to " + typ}
	}
	switch typ {
	case "self_hosted":
		if err := onlyKeys(m, "config", "type"); err != nil {
			return nil, err
		}
		return obj{"type": "self_hosted"}, nil
	case "cloud":
		if err := onlyKeys(m, "config", "type", "networking", "packages"); err != nil {
			return nil, err
		}
	default:
		return nil, errBadRequest("config.type: must be cloud or self_hosted")
	}
	out := obj{"type": "cloud", "networking": obj{"type": "unrestricted"}, "packages": obj{"type": "packages"}}
	for _, pm := range packageManagers {
		out["packages"].(obj)[pm] = []any{}
	}
	if prev != nil {
		out = clone(prev)
	}
	if n, ok := m["networking"]; ok && n != nil {
		nm, _ := isObj(n)
		switch typeOf(n) {
		case "unrestricted":
			if err := onlyKeys(nm, "config.networking", "type"); err != nil {
				return nil, err
			}
			out["networking"] = obj{"type": "unrestricted"}
		case "limited":
			if err := onlyKeys(nm, "config.networking", "type", "allowed_hosts", "allow_mcp_servers", "allow_package_managers"); err != nil {
				return nil, err
			}
			net := obj{"type": "limited", "allowed_hosts": []any{}, "allow_mcp_servers": false, "allow_package_managers": false}
			if old, _ := isObj(out["networking"]); typeOf(old) == "limited" {
				net = old
			}
			if h, ok := nm["allowed_hosts"]; ok && h != nil {
				hosts, err := stringList(h, "config.networking.allowed_hosts")
				if err != nil {
					return nil, err
				}
				net["allowed_hosts"] = hosts
			}
			for _, k := range []string{"allow_mcp_servers", "allow_package_managers"} {
				if b, ok := nm[k]; ok && b != nil {
					if _, isB := b.(bool); !isB {
						return nil, errBadRequest("config.networking.%s: must be a boolean", k)
					}
					net[k] = b
				}
			}
			out["networking"] = net
		default:
			return nil, errBadRequest("config.networking.type: must be unrestricted or limited")
		}
	}
	if p, ok := m["packages"]; ok && p != nil {
		pm, ok := isObj(p)
		if !ok {
			return nil, errBadRequest("config.packages: must be an object")
		}
		if err := onlyKeys(pm, "config.packages", append([]string{"type"}, packageManagers...)...); err != nil {
			return nil, err
		}
		if t, ok := pm["type"]; ok && t != "packages" {
			return nil, errBadRequest("config.packages.type: must be packages")
		}
		pk := out["packages"].(obj)
		for _, k := range packageManagers {
			if l, ok := pm[k]; ok && l != nil {
				list, err := stringList(l, "config.packages."+k)
				if err != nil {
					return nil, err
				}
				pk[k] = list
			}
		}
	}
	return out, nil
}

func (s *Server) nameTaken(name, except string) bool {
	for id, e := range s.envs {
		if id != except && e.v["name"] == name {
			return true
		}
	}
	return false
}

func (s *Server) createEnvironment(r *http.Request, body obj) (any, error) {
	if body == nil {
		return nil, errBadRequest("a request body is required")
	}
	name, _, err := str(body, "name")
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errBadRequest("name: field required")
	}
	if s.nameTaken(name, "") {
		return nil, errConflict("an environment named %q already exists", name)
	}
	now := s.now()
	v := obj{"type": "environment", "name": name, "description": nil, "metadata": obj{}, "scope": "organization",
		"created_at": ts(now), "updated_at": ts(now), "archived_at": nil}
	if err := applyEnvFields(v, body, true); err != nil {
		return nil, err
	}
	id := s.newID("env")
	v["id"] = id
	s.envs[id] = &envRec{seq: s.nextSeq(), created: now, v: v}
	s.emitWebhook(webhooks.TypeEnvironmentCreated, id, nil)
	return v, nil
}

func applyEnvFields(v, body obj, create bool) error {
	for k := range body {
		switch k {
		case "name", "description", "config", "metadata", "scope":
		default:
			return errBadRequest("%s: unknown field", k)
		}
	}
	if d, ok := body["description"]; ok {
		if _, isStr := d.(string); d != nil && !isStr {
			return errBadRequest("description: must be a string or null")
		}
		v["description"] = d
	}
	var prev obj
	if !create {
		prev, _ = isObj(v["config"])
	}
	if c, ok := body["config"]; ok || create {
		cfg, err := normEnvConfig(c, prev)
		if err != nil {
			return err
		}
		v["config"] = cfg
	}
	if m, ok := body["metadata"]; ok {
		md, _ := isObj(v["metadata"])
		out, err := patchMetadata(md, m, true)
		if err != nil {
			return err
		}
		v["metadata"] = out
	}
	if sc, ok := body["scope"]; ok && sc != nil {
		if sc != "organization" && sc != "account" {
			return errBadRequest("scope: must be organization or account")
		}
		v["scope"] = sc
	}
	return nil
}

func (s *Server) getEnvironment(r *http.Request, _ obj) (any, error) {
	e, err := s.env(r.PathValue("environment_id"))
	if err != nil {
		return nil, err
	}
	return e.v, nil
}

func (s *Server) updateEnvironment(r *http.Request, body obj) (any, error) {
	e, err := s.env(r.PathValue("environment_id"))
	if err != nil {
		return nil, err
	}
	if e.archived() {
		return nil, &apiError{status: 400, typ: "invalid_request_error", code: "environment_archived", msg: "environment is archived"}
	}
	next := clone(e.v)
	if n, ok := body["name"]; ok {
		name, isStr := n.(string)
		if !isStr || name == "" {
			return nil, errBadRequest("name: must be a non-empty string")
		}
		if s.nameTaken(name, e.v["id"].(string)) {
			return nil, errConflict("an environment named %q already exists", name)
		}
		next["name"] = name
	}
	if err := applyEnvFields(next, body, false); err != nil {
		return nil, err
	}
	next["updated_at"] = ts(s.now())
	e.v = next
	s.emitWebhook(webhooks.TypeEnvironmentUpdated, next["id"].(string), nil)
	return next, nil
}

func (s *Server) listEnvironments(r *http.Request, _ obj) (any, error) {
	lq, err := listParams(r, "environments", 20, 100, "desc", false)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, e := range s.envs {
		if !lq.keeps(e.archived(), e.created) {
			continue
		}
		items = append(items, listItem{t: e.created, seq: e.seq, v: e.v})
	}
	return lq.page(items).json(false), nil
}

func (s *Server) deleteEnvironment(r *http.Request, _ obj) (any, error) {
	id := r.PathValue("environment_id")
	if _, err := s.env(id); err != nil {
		return nil, err
	}
	delete(s.envs, id)
	s.emitWebhook(webhooks.TypeEnvironmentDeleted, id, nil)
	return obj{"id": id, "type": "environment_deleted"}, nil
}

func (s *Server) archiveEnvironment(r *http.Request, _ obj) (any, error) {
	e, err := s.env(r.PathValue("environment_id"))
	if err != nil {
		return nil, err
	}
	if !e.archived() {
		now := ts(s.now())
		e.v["archived_at"] = now
		e.v["updated_at"] = now
		s.emitWebhook(webhooks.TypeEnvironmentArchived, e.v["id"].(string), nil)
	}
	return e.v, nil
}

// stringList checks a list of strings and copies it.
func stringList(v any, where string) ([]any, error) {
	list, ok := isList(v)
	if !ok {
		return nil, errBadRequest("%s: must be an array of strings", where)
	}
	out := []any{}
	for _, e := range list {
		str, ok := e.(string)
		if !ok || str == "" {
			return nil, errBadRequest("%s: must be an array of strings", where)
		}
		out = append(out, str)
	}
	return out, nil
}
