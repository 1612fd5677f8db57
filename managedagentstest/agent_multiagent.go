package managedagentstest

import "strconv"

// snapshotFields are the fields of an agent version that make up the agent
// snapshot of a session thread (reference §4.13), besides id, type, version.
var snapshotFields = []string{"name", "description", "system", "model", "tools", "mcp_servers", "skills", "execution_identity"}

// normMultiagent resolves an agent's multiagent param into the response form
// of reference §4.5: coordinator roster entries become {"type":"agent","id",
// "version"} or {"type":"advisor","model"}; a multiagent_20261001 config has
// all three levels, each resolved, its omitted keys taken from prev (the
// stored config, on an update of the same type) or from their defaults.
// selfID and version name the agent version being written, which {"type":
// "self"} stands for. s.mu must be held.
func (s *Server) normMultiagent(v, prev any, selfID string, version int64) (any, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("multiagent: must be an object with a type, or null")
	}
	switch typeOf(m) {
	case "coordinator":
		if err := onlyKeys(m, "multiagent", "type", "agents"); err != nil {
			return nil, err
		}
		list, ok := isList(m["agents"])
		if !ok || len(list) == 0 || len(list) > 20 {
			return nil, errBadRequest("multiagent.agents: must be an array of 1 to 20 entries")
		}
		seen := map[string]bool{}
		agents := []any{}
		for i, e := range list {
			where := "multiagent.agents[" + strconv.Itoa(i) + "]"
			if typeOf(e) == "advisor" {
				em, _ := isObj(e)
				model, _ := em["model"].(string)
				if err := onlyKeys(em, where, "type", "model"); err != nil || model == "" {
					return nil, errBadRequest("%s: an advisor needs a model and nothing else", where)
				}
				agents = append(agents, obj{"type": "advisor", "model": model})
				continue
			}
			ref, err := s.agentRef(e, where, selfID, version, true)
			if err != nil {
				return nil, err
			}
			if seen[ref["id"].(string)] {
				return nil, errBadRequest("%s: agent %s is in the roster twice", where, ref["id"])
			}
			seen[ref["id"].(string)] = true
			agents = append(agents, ref)
		}
		return obj{"type": "coordinator", "agents": agents}, nil
	case "multiagent_20261001":
		if err := onlyKeys(m, "multiagent", "type", "advisor", "subagents", "workflows"); err != nil {
			return nil, err
		}
		out := obj{"type": "multiagent_20261001", "advisor": obj{"type": "disabled"},
			"subagents": defaultLevel(), "workflows": defaultLevel()}
		if p, _ := isObj(prev); typeOf(p) == "multiagent_20261001" {
			out = clone(p)
		}
		if a, ok := m["advisor"]; ok {
			advisor, err := normAdvisor(a)
			if err != nil {
				return nil, err
			}
			out["advisor"] = advisor
		}
		for _, k := range []string{"subagents", "workflows"} {
			if lv, ok := m[k]; ok {
				level, err := s.normLevel(lv, out[k], "multiagent."+k, selfID, version)
				if err != nil {
					return nil, err
				}
				out[k] = level
			}
		}
		return out, nil
	}
	return nil, errBadRequest("multiagent.type: must be coordinator or multiagent_20261001")
}

// defaultLevel is the default of the subagents and workflows levels.
func defaultLevel() obj {
	return obj{"type": "enabled", "predefined_agents": []any{}, "inline_agents": obj{"type": "enabled"}}
}

func normAdvisor(v any) (obj, error) {
	if v == nil {
		return obj{"type": "disabled"}, nil
	}
	m, _ := isObj(v)
	switch typeOf(v) {
	case "disabled":
		if err := onlyKeys(m, "multiagent.advisor", "type"); err != nil {
			return nil, err
		}
		return obj{"type": "disabled"}, nil
	case "enabled":
		model, _ := m["model"].(string)
		if err := onlyKeys(m, "multiagent.advisor", "type", "model"); err != nil || model == "" {
			return nil, errBadRequest("multiagent.advisor: an enabled advisor needs a model and nothing else")
		}
		return obj{"type": "enabled", "model": model}, nil
	}
	return nil, errBadRequest("multiagent.advisor.type: must be enabled or disabled")
}

// normLevel resolves a subagents or workflows level over stored, the level
// it updates: an object of the stored type keeps the keys it omits, any
// other takes their defaults; null is the default.
func (s *Server) normLevel(v any, stored any, where, selfID string, version int64) (obj, error) {
	if v == nil {
		return defaultLevel(), nil
	}
	m, _ := isObj(v)
	switch typeOf(v) {
	case "disabled":
		if err := onlyKeys(m, where, "type"); err != nil {
			return nil, err
		}
		return obj{"type": "disabled"}, nil
	case "enabled":
	default:
		return nil, errBadRequest("%s.type: must be enabled or disabled", where)
	}
	if err := onlyKeys(m, where, "type", "predefined_agents", "inline_agents"); err != nil {
		return nil, err
	}
	out := defaultLevel()
	if st, _ := isObj(stored); typeOf(st) == "enabled" {
		out = clone(st)
	}
	if p, ok := m["predefined_agents"]; ok {
		list, isL := isList(p)
		if p != nil && (!isL || len(list) > 20) {
			return nil, errBadRequest("%s.predefined_agents: must be an array of at most 20 agents, or null", where)
		}
		seen := map[string]bool{}
		agents := []any{}
		for i, e := range list {
			ref, err := s.agentRef(e, where+".predefined_agents["+strconv.Itoa(i)+"]", selfID, version, false)
			if err != nil {
				return nil, err
			}
			if seen[ref["id"].(string)] {
				return nil, errBadRequest("%s.predefined_agents[%d]: agent %s is listed twice", where, i, ref["id"])
			}
			seen[ref["id"].(string)] = true
			agents = append(agents, ref)
		}
		out["predefined_agents"] = agents
	}
	if ia, ok := m["inline_agents"]; ok {
		switch typeOf(ia) {
		case "enabled", "disabled":
			im, _ := isObj(ia)
			if err := onlyKeys(im, where+".inline_agents", "type"); err != nil {
				return nil, err
			}
			out["inline_agents"] = obj{"type": typeOf(ia)}
		default:
			if ia != nil {
				return nil, errBadRequest("%s.inline_agents.type: must be enabled or disabled", where)
			}
			out["inline_agents"] = obj{"type": "enabled"}
		}
	}
	if typeOf(out["inline_agents"]) == "disabled" && len(out["predefined_agents"].([]any)) == 0 {
		return nil, errBadRequest("%s: with inline_agents disabled, predefined_agents must name at least one agent", where)
	}
	return out, nil
}

// agentRef resolves a roster or predefined-agent entry (an agent id, {"type":
// "agent","id","version"?} or {"type":"self"}) to {"type":"agent","id",
// "version"}: the latest version unless one is given. The agent must exist
// and not be archived; with leaf, it must not have a multiagent config of its
// own (a coordinator's depth limit of 1). s.mu must be held.
func (s *Server) agentRef(v any, where, selfID string, selfVersion int64, leaf bool) (obj, error) {
	var id string
	var version int64
	switch e := v.(type) {
	case string:
		id = e
	case map[string]any:
		switch typeOf(e) {
		case "self":
			if err := onlyKeys(e, where, "type"); err != nil {
				return nil, err
			}
			return obj{"type": "agent", "id": selfID, "version": selfVersion}, nil
		case "agent":
			if err := onlyKeys(e, where, "type", "id", "version"); err != nil {
				return nil, err
			}
			id, _ = e["id"].(string)
			if ver, ok := e["version"]; ok && ver != nil {
				n, ok := intValue(ver)
				if !ok || n < 1 {
					return nil, errBadRequest("%s.version: must be an integer >= 1", where)
				}
				version = n
			}
		default:
			return nil, errBadRequest("%s.type: must be agent or self", where)
		}
	default:
		return nil, errBadRequest("%s: must be an agent id or an object", where)
	}
	if id == selfID {
		return obj{"type": "agent", "id": selfID, "version": selfVersion}, nil
	}
	rec, ok := s.agents[id]
	if !ok || id == "" {
		return nil, errNotFound(where + ": agent " + id + " not found")
	}
	if rec.archived() {
		return nil, errBadRequest("%s: agent %s is archived", where, id)
	}
	src := rec.latest()
	if version > 0 {
		if version > int64(len(rec.versions)) {
			return nil, errNotFound(where + ": agent " + id + " has no version " + strconv.FormatInt(version, 10))
		}
		src = rec.versions[version-1]
	}
	if leaf && src["multiagent"] != nil {
		return nil, errBadRequest("%s: agent %s has a multiagent config of its own; a roster is one level deep", where, id)
	}
	return obj{"type": "agent", "id": id, "version": src["version"]}, nil
}

// bumpSelf moves the references of an agent's multiagent config to the agent
// itself (from {"type":"self"}) to its new version.
func bumpSelf(m any, selfID string, version int64) {
	cfg, ok := isObj(m)
	if !ok {
		return
	}
	var refs []any
	if list, ok := isList(cfg["agents"]); ok {
		refs = append(refs, list...)
	}
	for _, k := range []string{"subagents", "workflows"} {
		if level, ok := isObj(cfg[k]); ok {
			list, _ := isList(level["predefined_agents"])
			refs = append(refs, list...)
		}
	}
	for _, r := range refs {
		if ref, ok := isObj(r); ok && ref["id"] == selfID {
			ref["version"] = version
		}
	}
}

// threadAgent is the agent of a session thread: the snapshot of an agent
// version, or of a session's agent, without its multiagent config (reference
// §4.13).
func threadAgent(a obj) obj {
	out := obj{"type": "agent", "id": a["id"], "version": a["version"]}
	for _, k := range snapshotFields {
		out[k] = clone(a[k])
	}
	return out
}

// agentVersion returns version of agent id; s.mu must be held.
func (s *Server) agentVersion(id string, version any) obj {
	rec := s.agents[id]
	n, _ := intValue(version)
	if rec == nil || n < 1 || n > int64(len(rec.versions)) {
		return nil
	}
	return rec.versions[n-1]
}

// expandMultiagent returns the multiagent config of a session's agent: each
// agent reference replaced by the thread snapshot of that agent version
// (reference §4.5). s.mu must be held.
func (s *Server) expandMultiagent(m any) any {
	out, ok := isObj(clone(m))
	if !ok {
		return nil
	}
	expand := func(list []any) {
		for i, e := range list {
			if ref, ok := isObj(e); ok && typeOf(ref) == "agent" {
				if v := s.agentVersion(ref["id"].(string), ref["version"]); v != nil {
					list[i] = threadAgent(v)
				}
			}
		}
	}
	if list, ok := isList(out["agents"]); ok {
		expand(list)
	}
	for _, k := range []string{"subagents", "workflows"} {
		if level, ok := isObj(out[k]); ok {
			list, _ := isList(level["predefined_agents"])
			expand(list)
		}
	}
	return out
}
