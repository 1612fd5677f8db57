package managedagentstest

import (
	"regexp"
	"strconv"
)

// builtinTools are the tools of agent_toolset_20260401, in the order a
// resolved toolset lists their configs (reference §4.3).
var builtinTools = []string{"bash", "read", "write", "edit", "glob", "grep", "web_fetch", "web_search"}

var policies = map[string]bool{"always_allow": true, "always_ask": true, "auto": true}

var toolNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// normConfig resolves {enabled?, permission_policy?} with defaults def.
func normConfig(v any, where string, def obj) (obj, error) {
	out := obj{"enabled": true, "permission_policy": obj{"type": "always_allow"}}
	if def != nil {
		out = obj{"enabled": def["enabled"], "permission_policy": def["permission_policy"]}
	}
	if v == nil {
		return out, nil
	}
	m, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("%s: must be an object", where)
	}
	if e, ok := m["enabled"]; ok && e != nil {
		b, isBool := e.(bool)
		if !isBool {
			return nil, errBadRequest("%s.enabled: must be a boolean", where)
		}
		out["enabled"] = b
	}
	if p, ok := m["permission_policy"]; ok && p != nil {
		if !policies[typeOf(p)] {
			return nil, errBadRequest("%s.permission_policy: type must be always_allow, always_ask or auto", where)
		}
		out["permission_policy"] = obj{"type": typeOf(p)}
	}
	return out, nil
}

// onlyKeys refuses the keys of m not in keys.
func onlyKeys(m obj, where string, keys ...string) error {
	for k := range m {
		known := false
		for _, want := range keys {
			known = known || k == want
		}
		if !known {
			return errBadRequest("%s.%s: unknown field", where, k)
		}
	}
	return nil
}

// normTools resolves a tools list into the response form: every built-in
// tool of a toolset listed with its resolved config, MCP tool configs
// resolved against their default, custom tools as declared.
func normTools(v any) ([]any, error) {
	if v == nil {
		return []any{}, nil
	}
	list, ok := isList(v)
	if !ok {
		return nil, errBadRequest("tools: must be an array")
	}
	if len(list) > 256 {
		return nil, errBadRequest("tools: at most 256 tools")
	}
	custom := map[string]bool{}
	for _, t := range list {
		if typeOf(t) == "custom" {
			name, _ := t.(obj)["name"].(string)
			custom[name] = true
		}
	}
	out := []any{}
	names := map[string]bool{}
	for i, t := range list {
		where := "tools[" + strconv.Itoa(i) + "]"
		m, _ := isObj(t)
		var tool obj
		var err error
		switch typeOf(t) {
		case "agent_toolset_20260401":
			tool, err = normToolset(m, where, custom)
		case "mcp_toolset":
			tool, err = normMCPToolset(m, where)
		case "custom":
			tool, err = normCustomTool(m, where)
			if err == nil && names[tool["name"].(string)] {
				err = errBadRequest("%s.name: duplicate tool name %q", where, tool["name"])
			}
			if err == nil {
				names[tool["name"].(string)] = true
			}
		default:
			err = errBadRequest("%s.type: unknown tool type %q", where, typeOf(t))
		}
		if err != nil {
			return nil, err
		}
		out = append(out, tool)
	}
	return out, nil
}

// normToolset resolves an agent_toolset_20260401: configs lists all eight
// built-in tools, each override applied over default_config.
func normToolset(m obj, where string, custom map[string]bool) (obj, error) {
	if err := onlyKeys(m, where, "type", "default_config", "configs"); err != nil {
		return nil, err
	}
	def, err := normConfig(m["default_config"], where+".default_config", nil)
	if err != nil {
		return nil, err
	}
	overrides, wheres := map[string]obj{}, map[string]string{}
	list, paths, err := configList(m, where)
	if err != nil {
		return nil, err
	}
	for j, cm := range list {
		cw := paths[j]
		name, _ := cm["name"].(string)
		if !isBuiltin(name) {
			return nil, errBadRequest("%s.name: unknown built-in tool %q", cw, name)
		}
		if typ, ok := cm["type"]; ok && typ != nil && typ != name {
			return nil, errBadRequest("%s.type: must be %q, the tool's name", cw, name)
		}
		if overrides[name] != nil {
			return nil, errBadRequest("%s.name: %q is configured twice", cw, name)
		}
		overrides[name], wheres[name] = cm, cw
	}
	configs := []any{}
	for _, name := range builtinTools {
		c, err := normBuiltinConfig(name, overrides[name], wheres[name], def, custom)
		if err != nil {
			return nil, err
		}
		configs = append(configs, c)
	}
	return obj{"type": "agent_toolset_20260401", "default_config": def, "configs": configs}, nil
}

func isBuiltin(name string) bool {
	for _, b := range builtinTools {
		if b == name {
			return true
		}
	}
	return false
}

// normBuiltinConfig resolves the config of built-in tool name from its
// override cm (nil when none) over def, with the tool's own fields.
func normBuiltinConfig(name string, cm obj, where string, def obj, custom map[string]bool) (obj, error) {
	keys := []string{"name", "type", "enabled", "permission_policy"}
	switch name {
	case "web_fetch":
		keys = append(keys, "allowed_domains", "blocked_domains", "max_content_tokens", "url_sources")
	case "web_search":
		keys = append(keys, "allowed_domains", "blocked_domains", "user_location")
	}
	if err := onlyKeys(cm, where, keys...); err != nil {
		return nil, err
	}
	var src any
	if cm != nil {
		src = cm
	}
	c, err := normConfig(src, where, def)
	if err != nil {
		return nil, err
	}
	c["name"], c["type"] = name, name
	switch name {
	case "web_fetch":
		if err := normDomains(c, cm, where); err != nil {
			return nil, err
		}
		c["max_content_tokens"] = nil
		if v, ok := cm["max_content_tokens"]; ok && v != nil {
			n, ok := intValue(v)
			if !ok || n < 1 {
				return nil, errBadRequest("%s.max_content_tokens: must be a positive integer", where)
			}
			c["max_content_tokens"] = n
		}
		c["url_sources"] = nil
		if v, ok := cm["url_sources"]; ok && v != nil {
			us, err := normURLSources(v, where+".url_sources", custom)
			if err != nil {
				return nil, err
			}
			c["url_sources"] = us
		}
	case "web_search":
		if err := normDomains(c, cm, where); err != nil {
			return nil, err
		}
		c["user_location"] = nil
		if v, ok := cm["user_location"]; ok && v != nil {
			loc, err := normUserLocation(v, where+".user_location")
			if err != nil {
				return nil, err
			}
			c["user_location"] = loc
		}
	}
	return c, nil
}

// normDomains copies allowed_domains or blocked_domains (1 to 64 hosts, not
// both) from cm into c; neither key is answered when not set.
func normDomains(c, cm obj, where string) error {
	set := 0
	for _, k := range []string{"allowed_domains", "blocked_domains"} {
		v, ok := cm[k]
		if !ok || v == nil {
			continue
		}
		list, ok := isList(v)
		if !ok || len(list) == 0 || len(list) > 64 {
			return errBadRequest("%s.%s: must be an array of 1 to 64 hosts", where, k)
		}
		hosts := []any{}
		for _, h := range list {
			s, ok := h.(string)
			if !ok || s == "" {
				return errBadRequest("%s.%s: must be an array of host names", where, k)
			}
			hosts = append(hosts, s)
		}
		c[k] = hosts
		set++
	}
	if set > 1 {
		return errBadRequest("%s: allowed_domains and blocked_domains cannot be combined", where)
	}
	return nil
}

// normURLSources resolves a web_fetch url_sources into the object form, each
// of its three keys null when not set (reference §4.3).
func normURLSources(v any, where string, custom map[string]bool) (obj, error) {
	m, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("%s: must be an object", where)
	}
	if err := onlyKeys(m, where, "user_input", "client_tool_results", "server_tool_results"); err != nil {
		return nil, err
	}
	out := obj{"user_input": nil, "client_tool_results": nil, "server_tool_results": nil}
	none := 0
	for k := range out {
		src, ok := m[k]
		if !ok || src == nil {
			continue
		}
		if s, isStr := src.(string); isStr {
			src = obj{"type": s}
		}
		f, _ := isObj(src)
		switch typ := typeOf(src); typ {
		case "all", "none":
			if err := onlyKeys(f, where+"."+k, "type"); err != nil {
				return nil, err
			}
			out[k] = obj{"type": typ}
			if typ == "none" {
				none++
			}
		case "only", "except":
			if k == "user_input" {
				return nil, errBadRequest("%s.user_input: must be all or none", where)
			}
			if err := onlyKeys(f, where+"."+k, "type", "tools"); err != nil {
				return nil, err
			}
			tools, err := normToolRefs(f["tools"], where+"."+k+".tools", k, custom)
			if err != nil {
				return nil, err
			}
			out[k] = obj{"type": typ, "tools": tools}
		default:
			return nil, errBadRequest("%s.%s: must be all, none, or an only or except list", where, k)
		}
	}
	if none == 3 {
		return nil, errBadRequest("%s: setting every source to none is rejected", where)
	}
	return out, nil
}

// normToolRefs resolves the tools of an only/except filter: 1 to 128 distinct
// names, custom tools of the agent for client_tool_results, web_search or
// web_fetch for server_tool_results.
func normToolRefs(v any, where, source string, custom map[string]bool) ([]any, error) {
	list, ok := isList(v)
	if !ok || len(list) == 0 || len(list) > 128 {
		return nil, errBadRequest("%s: must be an array of 1 to 128 tool references", where)
	}
	out := []any{}
	seen := map[string]bool{}
	for i, r := range list {
		rm, _ := isObj(r)
		name, _ := rm["name"].(string)
		if typ, ok := rm["type"]; ok && typ != "tool_reference" {
			return nil, errBadRequest("%s[%d].type: must be tool_reference", where, i)
		}
		valid := custom[name]
		if source == "server_tool_results" {
			valid = name == "web_search" || name == "web_fetch"
		}
		if !valid || seen[name] {
			return nil, errBadRequest("%s[%d].name: %q is not a tool this source can name, or is named twice", where, i, name)
		}
		seen[name] = true
		out = append(out, obj{"type": "tool_reference", "name": name})
	}
	return out, nil
}

// normUserLocation resolves a web_search user_location: type approximate and
// each of its four keys, null when not set.
func normUserLocation(v any, where string) (obj, error) {
	m, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("%s: must be an object", where)
	}
	if err := onlyKeys(m, where, "type", "city", "region", "country", "timezone"); err != nil {
		return nil, err
	}
	if t, ok := m["type"]; ok && t != "approximate" {
		return nil, errBadRequest("%s.type: must be approximate", where)
	}
	out := obj{"type": "approximate"}
	for _, k := range []string{"city", "region", "country", "timezone"} {
		out[k] = nil
		if s, ok := m[k].(string); ok && s != "" {
			out[k] = s
		} else if m[k] != nil {
			return nil, errBadRequest("%s.%s: must be a string", where, k)
		}
	}
	return out, nil
}

// configList returns the configs of a toolset m, each an object, with its
// path for errors.
func configList(m obj, where string) ([]obj, []string, error) {
	cs, ok := m["configs"]
	if !ok || cs == nil {
		return nil, nil, nil
	}
	cl, ok := isList(cs)
	if !ok {
		return nil, nil, errBadRequest("%s.configs: must be an array", where)
	}
	var list []obj
	var paths []string
	for j, c := range cl {
		path := where + ".configs[" + strconv.Itoa(j) + "]"
		cm, ok := isObj(c)
		if !ok {
			return nil, nil, errBadRequest("%s: must be an object", path)
		}
		list, paths = append(list, cm), append(paths, path)
	}
	return list, paths, nil
}

// normMCPToolset resolves an mcp_toolset: its configs over default_config.
func normMCPToolset(m obj, where string) (obj, error) {
	if err := onlyKeys(m, where, "type", "mcp_server_name", "default_config", "configs"); err != nil {
		return nil, err
	}
	name, _ := m["mcp_server_name"].(string)
	if name == "" || len(name) > 255 {
		return nil, errBadRequest("%s.mcp_server_name: field required", where)
	}
	def, err := normConfig(m["default_config"], where+".default_config", nil)
	if err != nil {
		return nil, err
	}
	configs := []any{}
	seen := map[string]bool{}
	list, paths, err := configList(m, where)
	if err != nil {
		return nil, err
	}
	for j, cm := range list {
		cw := paths[j]
		if err := onlyKeys(cm, cw, "name", "enabled", "permission_policy"); err != nil {
			return nil, err
		}
		cn, _ := cm["name"].(string)
		if cn == "" || len(cn) > 128 || seen[cn] {
			return nil, errBadRequest("%s.name: 1 to 128 characters, once per toolset", cw)
		}
		seen[cn] = true
		rc, err := normConfig(cm, cw, def)
		if err != nil {
			return nil, err
		}
		rc["name"] = cn
		configs = append(configs, rc)
	}
	return obj{"type": "mcp_toolset", "mcp_server_name": name, "default_config": def, "configs": configs}, nil
}

// normCustomTool checks a custom tool; its input_schema is answered as given,
// extra JSON Schema keys included.
func normCustomTool(m obj, where string) (obj, error) {
	if err := onlyKeys(m, where, "type", "name", "description", "input_schema"); err != nil {
		return nil, err
	}
	name, _ := m["name"].(string)
	if !toolNameRE.MatchString(name) {
		return nil, errBadRequest("%s.name: 1 to 128 characters of [A-Za-z0-9_-]", where)
	}
	desc, _ := m["description"].(string)
	if desc == "" {
		return nil, errBadRequest("%s.description: field required", where)
	}
	schema, ok := isObj(m["input_schema"])
	if !ok || typeOf(schema) != "object" {
		return nil, errBadRequest("%s.input_schema: must be a JSON schema with type object", where)
	}
	return obj{"type": "custom", "name": name, "description": desc, "input_schema": clone(schema)}, nil
}

// intValue reads a JSON integer.
func intValue(v any) (int64, bool) {
	switch n := v.(type) {
	case interface{ Int64() (int64, error) }:
		i, err := n.Int64()
		return i, err == nil
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}
