package managedagentstest_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A toolset is answered with the resolved config of all eight built-in
// tools, in order, each override applied over default_config, and the web
// tools' own fields in object form with nulls where unset (reference §4.3).
func TestToolsetConfigsResolved(t *testing.T) {
	t.Parallel()
	srv := start(t)
	a := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "A", "model": "m", "tools": []any{
		map[string]any{"type": "agent_toolset_20260401",
			"default_config": map[string]any{"permission_policy": map[string]any{"type": "always_ask"}},
			"configs": []any{
				map[string]any{"name": "web_fetch", "blocked_domains": []any{"ads.example.com"},
					"url_sources": map[string]any{"user_input": "none", "server_tool_results": map[string]any{"type": "only",
						"tools": []any{map[string]any{"name": "web_search"}}}}},
				map[string]any{"name": "read", "type": "read", "enabled": false},
				map[string]any{"name": "web_search", "user_location": map[string]any{"city": "Paris"}},
			}},
		map[string]any{"type": "custom", "name": "lookup", "description": "d", "input_schema": map[string]any{"type": "object", "additionalProperties": false}},
	}})
	toolset := a["tools"].([]any)[0].(map[string]any)
	configs := toolset["configs"].([]any)
	var names []any
	for _, c := range configs {
		names = append(names, c.(map[string]any)["name"])
	}
	require.Equal(t, []any{"bash", "read", "write", "edit", "glob", "grep", "web_fetch", "web_search"}, names)
	ask := map[string]any{"type": "always_ask"}
	require.Equal(t, map[string]any{"name": "bash", "type": "bash", "enabled": true, "permission_policy": ask}, configs[0])
	require.Equal(t, map[string]any{"name": "read", "type": "read", "enabled": false, "permission_policy": ask}, configs[1])
	require.Equal(t, map[string]any{"name": "web_fetch", "type": "web_fetch", "enabled": true, "permission_policy": ask,
		"blocked_domains": []any{"ads.example.com"}, "max_content_tokens": nil,
		"url_sources": map[string]any{"user_input": map[string]any{"type": "none"}, "client_tool_results": nil,
			"server_tool_results": map[string]any{"type": "only", "tools": []any{map[string]any{"type": "tool_reference", "name": "web_search"}}}},
	}, configs[6])
	require.Equal(t, map[string]any{"name": "web_search", "type": "web_search", "enabled": true, "permission_policy": ask,
		"user_location": map[string]any{"type": "approximate", "city": "Paris", "region": nil, "country": nil, "timezone": nil},
	}, configs[7])
	require.Equal(t, map[string]any{"type": "object", "additionalProperties": false},
		a["tools"].([]any)[1].(map[string]any)["input_schema"], "a custom tool's schema keeps its JSON Schema keys")

	// Without overrides the web tools answer their fields as null.
	plain := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "B", "model": "m",
		"tools": []any{map[string]any{"type": "agent_toolset_20260401"}}})
	configs = plain["tools"].([]any)[0].(map[string]any)["configs"].([]any)
	require.Equal(t, map[string]any{"name": "web_fetch", "type": "web_fetch", "enabled": true,
		"permission_policy": map[string]any{"type": "always_allow"}, "url_sources": nil, "max_content_tokens": nil}, configs[6])

	for name, config := range map[string]map[string]any{
		"unknown key":          {"name": "bash", "timeout": 5},
		"type not the name":    {"name": "bash", "type": "read"},
		"both domain lists":    {"name": "web_fetch", "allowed_domains": []any{"a.com"}, "blocked_domains": []any{"b.com"}},
		"empty domain list":    {"name": "web_search", "allowed_domains": []any{}},
		"every source none":    {"name": "web_fetch", "url_sources": map[string]any{"user_input": "none", "client_tool_results": "none", "server_tool_results": "none"}},
		"not a custom tool":    {"name": "web_fetch", "url_sources": map[string]any{"client_tool_results": map[string]any{"type": "only", "tools": []any{map[string]any{"name": "nope"}}}}},
		"user input only list": {"name": "web_fetch", "url_sources": map[string]any{"user_input": map[string]any{"type": "only", "tools": []any{}}}},
		"configured twice":     {"name": "bash"},
	} {
		configs := []any{config}
		if name == "configured twice" {
			configs = append(configs, config)
		}
		r := call(t, srv, "POST", "/v1/agents", map[string]any{"name": "X", "model": "m",
			"tools": []any{map[string]any{"type": "agent_toolset_20260401", "configs": configs}}}, nil)
		requireError(t, r, 400, "invalid_request_error")
	}
}
