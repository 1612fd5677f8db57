package managedagentstest_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A coordinator roster is answered resolved, whatever form each entry was
// sent in (reference §4.5): agent ids and self to {"type":"agent","id",
// "version"}, advisors as {"type":"advisor","model"}; a session's copy has a
// full snapshot of each agent version.
func TestCoordinatorRosterResolved(t *testing.T) {
	t.Parallel()
	srv := start(t)
	helper := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "Helper", "model": "claude-haiku-5-5", "system": "Help."})["id"].(string)
	ok(t, srv, "POST", "/v1/agents/"+helper, map[string]any{"system": "Help more."})
	coord := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "Coord", "model": "claude-opus-5-5",
		"multiagent": map[string]any{"type": "coordinator", "agents": []any{
			helper, map[string]any{"type": "self"}, map[string]any{"type": "advisor", "model": "claude-opus-5-5"}}}})
	id := coord["id"].(string)
	require.Equal(t, map[string]any{"type": "coordinator", "agents": []any{
		map[string]any{"type": "agent", "id": helper, "version": float64(2)},
		map[string]any{"type": "agent", "id": id, "version": float64(1)},
		map[string]any{"type": "advisor", "model": "claude-opus-5-5"},
	}}, coord["multiagent"])

	// An update moves self to the new version; the helper stays pinned.
	up := ok(t, srv, "POST", "/v1/agents/"+id, map[string]any{"description": "v2"})
	agents := up["multiagent"].(map[string]any)["agents"].([]any)
	require.Equal(t, float64(2), agents[0].(map[string]any)["version"])
	require.Equal(t, float64(2), agents[1].(map[string]any)["version"])

	env := ok(t, srv, "POST", "/v1/environments", map[string]any{"name": "e"})["id"].(string)
	sess := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": id, "environment_id": env})
	roster := sess["agent"].(map[string]any)["multiagent"].(map[string]any)["agents"].([]any)
	first := roster[0].(map[string]any)
	require.Equal(t, "Help more.", first["system"], "the roster's agent version, expanded")
	for _, k := range []string{"id", "type", "version", "name", "description", "system", "model", "tools", "mcp_servers", "skills", "execution_identity"} {
		require.Contains(t, first, k)
	}
	require.NotContains(t, first, "multiagent")
	require.Equal(t, "v2", roster[1].(map[string]any)["description"], "self is the agent's own snapshot")
	require.Equal(t, map[string]any{"type": "advisor", "model": "claude-opus-5-5"}, roster[2])

	for name, ma := range map[string]any{
		"empty roster":      map[string]any{"type": "coordinator", "agents": []any{}},
		"unknown agent":     map[string]any{"type": "coordinator", "agents": []any{"agent_nope"}},
		"twice":             map[string]any{"type": "coordinator", "agents": []any{helper, map[string]any{"type": "agent", "id": helper}}},
		"two levels deep":   map[string]any{"type": "coordinator", "agents": []any{id}},
		"advisor w/o model": map[string]any{"type": "coordinator", "agents": []any{map[string]any{"type": "advisor"}}},
	} {
		r := call(t, srv, "POST", "/v1/agents", map[string]any{"name": "X", "model": "m", "multiagent": ma}, nil)
		require.Contains(t, []int{400, 404}, r.Status, "%s: %s", name, r.Body)
	}
}

// A multiagent_20261001 config is answered with all three levels: those
// omitted take their defaults on create, and an update merges level by
// level into the stored config (reference §4.5).
func TestMultiagentLevels(t *testing.T) {
	t.Parallel()
	srv := start(t)
	helper := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "Helper", "model": "m"})["id"].(string)
	a := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "Orch", "model": "m",
		"multiagent": map[string]any{"type": "multiagent_20261001",
			"subagents": map[string]any{"type": "enabled", "predefined_agents": []any{helper, map[string]any{"type": "self"}}}}})
	id := a["id"].(string)
	ref := func(agent string, version float64) map[string]any {
		return map[string]any{"type": "agent", "id": agent, "version": version}
	}
	require.Equal(t, map[string]any{"type": "multiagent_20261001",
		"advisor": map[string]any{"type": "disabled"},
		"subagents": map[string]any{"type": "enabled", "predefined_agents": []any{ref(helper, 1), ref(id, 1)},
			"inline_agents": map[string]any{"type": "enabled"}},
		"workflows": map[string]any{"type": "enabled", "predefined_agents": []any{}, "inline_agents": map[string]any{"type": "enabled"}},
	}, a["multiagent"])

	// Omitted keys keep their stored value; a level of another type is
	// replaced with its defaults; null takes the default.
	u := ok(t, srv, "POST", "/v1/agents/"+id, map[string]any{"multiagent": map[string]any{"type": "multiagent_20261001",
		"advisor":   map[string]any{"type": "enabled", "model": "claude-opus-5-5"},
		"subagents": map[string]any{"type": "enabled", "inline_agents": map[string]any{"type": "disabled"}},
		"workflows": map[string]any{"type": "disabled"}}})
	require.Equal(t, map[string]any{"type": "multiagent_20261001",
		"advisor": map[string]any{"type": "enabled", "model": "claude-opus-5-5"},
		"subagents": map[string]any{"type": "enabled", "predefined_agents": []any{ref(helper, 1), ref(id, 2)},
			"inline_agents": map[string]any{"type": "disabled"}},
		"workflows": map[string]any{"type": "disabled"},
	}, u["multiagent"])
	u = ok(t, srv, "POST", "/v1/agents/"+id, map[string]any{"multiagent": map[string]any{"type": "multiagent_20261001",
		"advisor": nil, "workflows": nil}})
	m := u["multiagent"].(map[string]any)
	require.Equal(t, map[string]any{"type": "disabled"}, m["advisor"])
	require.Equal(t, "enabled", m["workflows"].(map[string]any)["type"])
	require.Len(t, m["subagents"].(map[string]any)["predefined_agents"], 2, "kept")

	// Inline agents off needs a predefined one.
	r := call(t, srv, "POST", "/v1/agents", map[string]any{"name": "X", "model": "m", "multiagent": map[string]any{
		"type": "multiagent_20261001", "workflows": map[string]any{"type": "enabled", "inline_agents": map[string]any{"type": "disabled"}}}}, nil)
	requireError(t, r, 400, "invalid_request_error")

	// A session expands the predefined agents to snapshots.
	env := ok(t, srv, "POST", "/v1/environments", map[string]any{"name": "e"})["id"].(string)
	sess := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": id, "environment_id": env})
	predefined := sess["agent"].(map[string]any)["multiagent"].(map[string]any)["subagents"].(map[string]any)["predefined_agents"].([]any)
	require.Equal(t, "Helper", predefined[0].(map[string]any)["name"])
	require.Equal(t, "Orch", predefined[1].(map[string]any)["name"])
}
