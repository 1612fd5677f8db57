package managedagentstest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

func TestHeadersRequired(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, nil)
	thread := ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads", nil)["data"].([]any)[0].(map[string]any)["id"].(string)
	without := func(k string) http.Header {
		h := headers()
		h.Del(k)
		return h
	}
	both := headers()
	both.Set("Authorization", "Bearer x")
	bearer := without("X-Api-Key")
	bearer.Set("Authorization", "Bearer "+managedagentstest.TestAPIKey)
	tests := []struct {
		name   string
		path   string
		h      http.Header
		status int
		typ    string
	}{
		{"no key", "/v1/agents", without("X-Api-Key"), 401, "authentication_error"},
		{"both keys", "/v1/agents", both, 401, "authentication_error"},
		{"no version", "/v1/agents", without("Anthropic-Version"), 400, "invalid_request_error"},
		{"no beta", "/v1/agents", without("Anthropic-Beta"), 400, "invalid_request_error"},
		{"no beta on a thread", "/v1/sessions/" + sid + "/threads/" + thread, without("Anthropic-Beta"), 404, "not_found_error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, call(t, srv, "GET", tc.path, nil, tc.h), tc.status, tc.typ)
		})
	}
	require.Equal(t, 200, call(t, srv, "GET", "/v1/agents", nil, bearer).Status)
	multi := headers()
	multi.Set("Anthropic-Beta", "files-api-2025-04-14, managed-agents-2026-04-01")
	require.Equal(t, 200, call(t, srv, "GET", "/v1/agents", nil, multi).Status)

	// The log keeps headers without credentials.
	for _, r := range srv.Requests() {
		require.Empty(t, r.Header.Get("X-Api-Key"))
		require.Empty(t, r.Header.Get("Authorization"))
	}
}

// A server made WithAPIKey refuses every other key, in either header, with
// 401 and the error envelope, and its Client sends the right one.
func TestWithAPIKey(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithAPIKey("sk-right"))
	for _, tc := range []struct {
		header, value string
		status        int
	}{
		{"X-Api-Key", "sk-wrong", 401},
		{"Authorization", "Bearer sk-wrong", 401},
		{"Authorization", "Bearer sk-right-but-longer", 401},
		{"X-Api-Key", "sk-right", 200},
		{"Authorization", "Bearer sk-right", 200},
	} {
		h := headers()
		h.Del("X-Api-Key")
		h.Set(tc.header, tc.value)
		r := call(t, srv, "GET", "/v1/agents", nil, h)
		if tc.status == 401 {
			e := requireError(t, r, 401, "authentication_error")
			require.NotContains(t, e["message"], "sk-", "the error does not echo the key")
		} else {
			require.Equal(t, tc.status, r.Status, "%s: %s", tc.value, r.Body)
		}
	}
	_, err := srv.Client().Agents.List(context.Background(), managedagents.AgentListParams{})
	require.NoError(t, err)
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, nil)
	for _, p := range []string{
		"/v1/agents/agent_nope", "/v1/agents/agent_nope/versions", "/v1/environments/env_nope",
		"/v1/sessions/sesn_nope", "/v1/sessions/sesn_nope/events", "/v1/sessions/sesn_nope/events/stream",
		"/v1/sessions/" + sid + "/resources/sesrsc_nope", "/v1/sessions/" + sid + "/threads/sthr_nope",
		"/v1/sessions/" + sid + "/threads/sthr_nope/stream", "/v1/sessions/" + sid + "/stream",
		"/v1/nothing", "/v1/agents/%2E%2E",
	} {
		t.Run(p, func(t *testing.T) {
			requireError(t, call(t, srv, "GET", p, nil, nil), 404, "not_found_error")
		})
	}
	requireError(t, call(t, srv, "DELETE", "/v1/sessions/sesn_nope", nil, nil), 404, "not_found_error")
	requireError(t, call(t, srv, "POST", "/v1/sessions/sesn_nope/events", userMessage("hi"), nil), 404, "not_found_error")
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, eid, sid := setup(t, srv, nil)
	tests := []struct {
		name, method, path string
		body               any
		want               string // part of the message
	}{
		{"agent without name", "POST", "/v1/agents", map[string]any{"model": "m"}, "name"},
		{"agent without model", "POST", "/v1/agents", map[string]any{"name": "a"}, "model"},
		{"unknown tool", "POST", "/v1/agents", map[string]any{"name": "a", "model": "m", "tools": []any{map[string]any{"type": "hammer"}}}, "tools[0].type"},
		{"not JSON", "POST", "/v1/agents", "{", "JSON"},
		{"unknown field", "POST", "/v1/agents", map[string]any{"name": "a", "model": "m", "colour": "red"}, "colour"},
		{"bad limit", "GET", "/v1/agents?limit=101", nil, "limit"},
		{"unknown query", "GET", "/v1/sessions/" + sid + "/events?after_id=x", nil, "after_id"},
		{"bad order", "GET", "/v1/sessions?order=up", nil, "order"},
		{"bad status", "GET", "/v1/sessions?statuses%5B%5D=sleeping", nil, "statuses"},
		{"agent_version alone", "GET", "/v1/sessions?agent_version=1", nil, "agent_version"},
		{"bad type filter", "GET", "/v1/sessions/" + sid + "/events?types%5B%5D=event_delta", nil, "types"},
		{"bad time", "GET", "/v1/sessions/" + sid + "/events?created_at%5Bgte%5D=yesterday", nil, "created_at[gte]"},
		{"bad cursor", "GET", "/v1/agents?page=nonsense", nil, "page"},
		{"session without env", "POST", "/v1/sessions", map[string]any{"agent": aid}, "environment_id"},
		{"no events", "POST", "/v1/sessions/" + sid + "/events", map[string]any{"events": []any{}}, "events"},
		{"unsendable", "POST", "/v1/sessions/" + sid + "/events", map[string]any{"events": []any{map[string]any{"type": "agent.message"}}}, "cannot be sent"},
		{"empty message", "POST", "/v1/sessions/" + sid + "/events", map[string]any{"events": []any{map[string]any{"type": "user.message", "content": []any{}}}}, "content"},
		{"unknown tool use", "POST", "/v1/sessions/" + sid + "/events", map[string]any{"events": []any{map[string]any{"type": "user.custom_tool_result", "custom_tool_use_id": "sevt_x"}}}, "custom_tool_use_id"},
		{"tool result on cloud", "POST", "/v1/sessions/" + sid + "/events", map[string]any{"events": []any{map[string]any{"type": "user.tool_result", "tool_use_id": "sevt_x"}}}, "self_hosted"},
		{"bad delta", "GET", "/v1/sessions/" + sid + "/events/stream?event_deltas%5B%5D=agent.tool_use", nil, "event_deltas"},
		{"bad initial event", "POST", "/v1/sessions", map[string]any{"agent": aid, "environment_id": eid, "initial_events": []any{map[string]any{"type": "user.interrupt"}}}, "initial_events[0]"},
		{"vault update", "POST", "/v1/sessions/" + sid, map[string]any{"vault_ids": []any{"vlt_1"}}, "vault_ids"},
		{"budget added later", "POST", "/v1/sessions/" + sid, map[string]any{"budget": map[string]any{"type": "limit", "max_list_cost": map[string]any{"amount": "100", "currency": "USD"}}}, "budget"},
		{"archive primary thread", "POST", "/v1/sessions/" + sid + "/threads/" + ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads", nil)["data"].([]any)[0].(map[string]any)["id"].(string) + "/archive", nil, "primary"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := requireError(t, call(t, srv, tc.method, tc.path, tc.body, nil), 400, "invalid_request_error")
			require.Contains(t, e["message"], tc.want)
		})
	}
	// Validation is all or nothing: nothing was persisted.
	require.Empty(t, srv.Events(sid))
}

func TestAgents(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)))
	a := ok(t, srv, "POST", "/v1/agents", map[string]any{
		"name": "Coder", "model": map[string]any{"id": "claude-opus-5-5", "effort": "medium", "inference_geo": "us"},
		"description": "d", "metadata": map[string]any{"team": "x"},
		"tools": []any{
			map[string]any{"type": "agent_toolset_20260401", "configs": []any{map[string]any{"name": "bash", "permission_policy": map[string]any{"type": "always_ask"}}}},
			map[string]any{"type": "custom", "name": "lookup", "description": "Look up", "input_schema": map[string]any{"type": "object"}},
		},
		"skills": []any{map[string]any{"type": "anthropic", "skill_id": "xlsx"}},
	})
	id := a["id"].(string)
	require.True(t, strings.HasPrefix(id, "agent_"))
	require.Equal(t, "agent", a["type"])
	require.EqualValues(t, 1, a["version"])
	require.Equal(t, map[string]any{"id": "claude-opus-5-5", "effort": map[string]any{"type": "medium"}, "speed": "standard", "inference_geo": "us"}, a["model"])
	require.Equal(t, "2026-11-02T09:00:00.000Z", a["created_at"])
	require.Nil(t, a["archived_at"])
	require.Nil(t, a["multiagent"])
	require.Equal(t, map[string]any{"type": "service_account"}, a["execution_identity"])
	require.Equal(t, "latest", a["skills"].([]any)[0].(map[string]any)["version"])
	toolset := a["tools"].([]any)[0].(map[string]any)
	require.Equal(t, map[string]any{"enabled": true, "permission_policy": map[string]any{"type": "always_allow"}}, toolset["default_config"])
	require.Equal(t, map[string]any{"name": "bash", "type": "bash", "enabled": true, "permission_policy": map[string]any{"type": "always_ask"}}, toolset["configs"].([]any)[0])

	srv.AdvanceClock(time.Second)
	// Update: tri-state fields, metadata patch, model replacement keeps effort.
	u := ok(t, srv, "POST", "/v1/agents/"+id, map[string]any{"version": 1, "description": nil,
		"metadata": map[string]any{"team": nil, "env": "dev"}, "model": map[string]any{"id": "claude-haiku-5-5"}})
	require.EqualValues(t, 2, u["version"])
	require.Equal(t, "", u["description"])
	require.Equal(t, map[string]any{"env": "dev"}, u["metadata"])
	require.Equal(t, map[string]any{"id": "claude-haiku-5-5", "effort": map[string]any{"type": "medium"}, "speed": "standard"}, u["model"])
	require.Equal(t, "2026-11-02T09:00:01.000Z", u["updated_at"])
	require.Len(t, u["tools"], 2, "omitted tools are kept")

	// A stale version is a conflict; a no-op update keeps the version.
	requireError(t, call(t, srv, "POST", "/v1/agents/"+id, map[string]any{"version": 1, "name": "X"}, nil), 409, "invalid_request_error")
	require.EqualValues(t, 2, ok(t, srv, "POST", "/v1/agents/"+id, map[string]any{"description": ""})["version"])
	require.EqualValues(t, 3, ok(t, srv, "POST", "/v1/agents/"+id, map[string]any{"tools": nil})["version"])
	requireError(t, call(t, srv, "POST", "/v1/agents/"+id, map[string]any{"name": nil}, nil), 400, "invalid_request_error")

	// Versions.
	require.Equal(t, "d", ok(t, srv, "GET", "/v1/agents/"+id+"?version=1", nil)["description"])
	requireError(t, call(t, srv, "GET", "/v1/agents/"+id+"?version=9", nil, nil), 404, "not_found_error")
	vs := ok(t, srv, "GET", "/v1/agents/"+id+"/versions?limit=2", nil)
	require.Len(t, vs["data"], 2)
	require.EqualValues(t, 3, vs["data"].([]any)[0].(map[string]any)["version"])
	require.NotNil(t, vs["next_page"])
	vs2 := ok(t, srv, "GET", "/v1/agents/"+id+"/versions?limit=2&page="+vs["next_page"].(string), nil)
	require.Len(t, vs2["data"], 1)
	require.Nil(t, vs2["next_page"])

	// Archive: hidden from the list, read-only.
	ar := ok(t, srv, "POST", "/v1/agents/"+id+"/archive", nil)
	require.NotNil(t, ar["archived_at"])
	requireError(t, call(t, srv, "POST", "/v1/agents/"+id, map[string]any{"name": "Y"}, nil), 400, "invalid_request_error")
	require.Empty(t, ok(t, srv, "GET", "/v1/agents", nil)["data"])
	require.Len(t, ok(t, srv, "GET", "/v1/agents?include_archived=true", nil)["data"], 1)
}

func TestPagination(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	env := ok(t, srv, "POST", "/v1/environments", map[string]any{"name": "e"})["id"].(string)
	var agents, sessions []string
	for i := range 5 {
		agents = append(agents, ok(t, srv, "POST", "/v1/agents", map[string]any{"name": fmt.Sprint("a", i), "model": "m"})["id"].(string))
		sessions = append(sessions, ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": agents[i], "environment_id": env})["id"].(string))
		srv.AdvanceClock(time.Second)
	}
	collect := func(path string) (ids []string, pages int) {
		next := ""
		for {
			p := path
			if next != "" {
				p += "&page=" + url.QueryEscape(next)
			}
			page := ok(t, srv, "GET", p, nil)
			pages++
			for _, d := range page["data"].([]any) {
				ids = append(ids, d.(map[string]any)["id"].(string))
			}
			n, _ := page["next_page"].(string)
			if n == "" {
				return ids, pages
			}
			next = n
		}
	}
	ids, pages := collect("/v1/agents?limit=2")
	require.Equal(t, []string{agents[4], agents[3], agents[2], agents[1], agents[0]}, ids, "newest first")
	require.Equal(t, 3, pages)
	ids, _ = collect("/v1/sessions?limit=2&order=asc")
	require.Equal(t, sessions, ids)

	// Sessions have prev_page: null on the first page.
	first := ok(t, srv, "GET", "/v1/sessions?limit=2", nil)
	require.Contains(t, first, "prev_page")
	require.Nil(t, first["prev_page"])
	second := ok(t, srv, "GET", "/v1/sessions?limit=2&page="+first["next_page"].(string), nil)
	require.Equal(t, sessions[2], second["data"].([]any)[0].(map[string]any)["id"])
	back := ok(t, srv, "GET", "/v1/sessions?limit=2&page="+second["prev_page"].(string), nil)
	require.Equal(t, first["data"], back["data"])
	// Other lists have no prev_page.
	require.NotContains(t, ok(t, srv, "GET", "/v1/agents", nil), "prev_page")

	// A cursor is tied to its order and its list.
	requireError(t, call(t, srv, "GET", "/v1/sessions?limit=2&order=asc&page="+first["next_page"].(string), nil, nil), 400, "invalid_request_error")
	requireError(t, call(t, srv, "GET", "/v1/agents?page="+first["next_page"].(string), nil, nil), 400, "invalid_request_error")

	// created_at bounds on the session list.
	mid := time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC).Format(time.RFC3339)
	ids, _ = collect("/v1/sessions?order=asc&created_at%5Bgte%5D=" + mid)
	require.Equal(t, sessions[2:], ids)
	ids, _ = collect("/v1/sessions?order=asc&created_at%5Blt%5D=" + mid)
	require.Equal(t, sessions[:2], ids)
	ids, _ = collect("/v1/sessions?agent_id=" + agents[3] + "&agent_version=1")
	require.Equal(t, []string{sessions[3]}, ids)
}

func TestEnvironments(t *testing.T) {
	t.Parallel()
	srv := start(t)
	e := ok(t, srv, "POST", "/v1/environments", map[string]any{"name": "py", "config": map[string]any{"type": "cloud",
		"networking": map[string]any{"type": "limited", "allowed_hosts": []any{"example.com"}},
		"packages":   map[string]any{"pip": []any{"pandas==2.2.3"}}}})
	id := e["id"].(string)
	require.True(t, strings.HasPrefix(id, "env_"))
	require.Nil(t, e["description"])
	cfg := e["config"].(map[string]any)
	require.Equal(t, map[string]any{"type": "limited", "allowed_hosts": []any{"example.com"}, "allow_mcp_servers": false, "allow_package_managers": false}, cfg["networking"])
	require.Equal(t, map[string]any{"type": "packages", "apt": []any{}, "cargo": []any{}, "gem": []any{}, "go": []any{}, "npm": []any{}, "pip": []any{"pandas==2.2.3"}}, cfg["packages"])

	requireError(t, call(t, srv, "POST", "/v1/environments", map[string]any{"name": "py"}, nil), 409, "invalid_request_error")
	bad := requireError(t, call(t, srv, "POST", "/v1/environments/"+id, map[string]any{"config": map[string]any{"type": "self_hosted"}}, nil), 400, "invalid_request_error")
	require.Equal(t, map[string]any{"error_code": "invalid_config_type_change"}, bad["details"])

	u := ok(t, srv, "POST", "/v1/environments/"+id, map[string]any{"description": "x", "metadata": map[string]any{"a": "1"},
		"config": map[string]any{"type": "cloud", "networking": map[string]any{"type": "limited", "allow_package_managers": true}}})
	require.Equal(t, "x", u["description"])
	net := u["config"].(map[string]any)["networking"].(map[string]any)
	require.Equal(t, []any{"example.com"}, net["allowed_hosts"], "omitted sub-fields are kept")
	require.Equal(t, true, net["allow_package_managers"])
	require.Equal(t, map[string]any{}, ok(t, srv, "POST", "/v1/environments/"+id, map[string]any{"metadata": map[string]any{"a": ""}})["metadata"])

	require.Len(t, ok(t, srv, "GET", "/v1/environments", nil)["data"], 1)
	require.NotNil(t, ok(t, srv, "POST", "/v1/environments/"+id+"/archive", nil)["archived_at"])
	requireError(t, call(t, srv, "POST", "/v1/environments/"+id, map[string]any{"name": "z"}, nil), 400, "invalid_request_error")
	require.Empty(t, ok(t, srv, "GET", "/v1/environments", nil)["data"])
	require.Equal(t, map[string]any{"id": id, "type": "environment_deleted"}, ok(t, srv, "DELETE", "/v1/environments/"+id, nil))
	requireError(t, call(t, srv, "GET", "/v1/environments/"+id, nil, nil), 404, "not_found_error")
}

func TestSessions(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, eid, sid := setup(t, srv, nil)
	s := ok(t, srv, "GET", "/v1/sessions/"+sid, nil)
	require.Equal(t, "session", s["type"])
	require.Equal(t, "idle", s["status"])
	require.Equal(t, eid, s["environment_id"])
	snap := s["agent"].(map[string]any)
	require.Equal(t, aid, snap["id"])
	require.Equal(t, "agent", snap["type"])
	require.EqualValues(t, 1, snap["version"])
	for _, k := range []string{"title", "budget", "deployment_id", "archived_at"} {
		require.Contains(t, s, k)
		require.Nil(t, s[k], k)
	}
	require.Equal(t, []any{}, s["vault_ids"])
	require.Equal(t, []any{}, s["outcome_evaluations"])

	// Agent as a reference with a version, and with overrides.
	ok(t, srv, "POST", "/v1/agents/"+aid, map[string]any{"system": "v2"})
	ref := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": map[string]any{"type": "agent", "id": aid, "version": 1}, "environment_id": eid})
	require.EqualValues(t, 1, ref["agent"].(map[string]any)["version"])
	ov := ok(t, srv, "POST", "/v1/sessions", map[string]any{"environment_id": eid, "title": "t",
		"agent":     map[string]any{"type": "agent_with_overrides", "id": aid, "system": "override", "model": "claude-haiku-5-5"},
		"resources": []any{map[string]any{"type": "github_repository", "url": "https://github.com/o/r.git", "authorization_token": "ghp_x"}},
		"metadata":  map[string]any{"k": "v"}})
	require.Equal(t, "override", ov["agent"].(map[string]any)["system"])
	require.EqualValues(t, 2, ov["agent"].(map[string]any)["version"])
	res := ov["resources"].([]any)[0].(map[string]any)
	require.Equal(t, "/workspace/r", res["mount_path"])
	require.NotContains(t, res, "authorization_token")
	requireError(t, call(t, srv, "POST", "/v1/sessions", map[string]any{"environment_id": eid,
		"agent": map[string]any{"type": "agent_with_overrides", "id": aid, "model": nil}}, nil), 400, "invalid_request_error")
	requireError(t, call(t, srv, "POST", "/v1/sessions", map[string]any{"environment_id": eid, "agent": "agent_nope"}, nil), 404, "not_found_error")

	// Update emits session.updated with the changed fields.
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	up := ok(t, srv, "POST", "/v1/sessions/"+sid, map[string]any{"title": "New", "metadata": map[string]any{"a": "b"}})
	require.Equal(t, "New", up["title"])
	f := st.next(t)
	require.Equal(t, "session.updated", f.Name)
	ev := f.JSON(t)
	require.Equal(t, "New", ev["title"])
	require.Equal(t, map[string]any{"a": "b"}, ev["metadata"])
	require.NotContains(t, ev, "agent")

	// Resources.
	r := ok(t, srv, "POST", "/v1/sessions/"+sid+"/resources", map[string]any{"type": "file", "file_id": "file_1"})
	rid := r["id"].(string)
	require.True(t, strings.HasPrefix(rid, "sesrsc_"))
	require.Equal(t, "/mnt/session/uploads/file_1", r["mount_path"])
	require.Equal(t, rid, ok(t, srv, "GET", "/v1/sessions/"+sid+"/resources/"+rid, nil)["id"])
	require.Len(t, ok(t, srv, "GET", "/v1/sessions/"+sid+"/resources", nil)["data"], 1)
	requireError(t, call(t, srv, "POST", "/v1/sessions/"+sid+"/resources/"+rid, map[string]any{"authorization_token": "x"}, nil), 400, "invalid_request_error")
	require.Equal(t, map[string]any{"id": rid, "type": "session_resource_deleted"}, ok(t, srv, "DELETE", "/v1/sessions/"+sid+"/resources/"+rid, nil))

	// Threads: the primary one.
	th := ok(t, srv, "GET", "/v1/sessions/"+sid+"/threads", nil)["data"].([]any)
	require.Len(t, th, 1)
	thread := th[0].(map[string]any)
	require.True(t, strings.HasPrefix(thread["id"].(string), "sthr_"))
	require.Nil(t, thread["parent_thread_id"])
	require.Equal(t, sid, thread["session_id"])

	// Filters on the list.
	ids := func(q string) []any {
		var out []any
		for _, d := range ok(t, srv, "GET", "/v1/sessions?"+q, nil)["data"].([]any) {
			out = append(out, d.(map[string]any)["id"])
		}
		return out
	}
	require.Len(t, ids("statuses%5B%5D=idle"), 3)
	require.Empty(t, ids("statuses%5B%5D=running"))
	require.Len(t, ids("agent_id="+aid+"&agent_version=2"), 1)

	// Archive hides; delete ends the stream with session.deleted.
	require.NotNil(t, ok(t, srv, "POST", "/v1/sessions/"+ref["id"].(string)+"/archive", nil)["archived_at"])
	require.Len(t, ids(""), 2)
	require.Len(t, ids("include_archived=true"), 3)
	require.Equal(t, map[string]any{"id": sid, "type": "session_deleted"}, ok(t, srv, "DELETE", "/v1/sessions/"+sid, nil))
	f = st.next(t)
	require.Equal(t, "session.deleted", f.Name)
	end := st.next(t)
	require.ErrorIs(t, end.Err, io.EOF)
	requireError(t, call(t, srv, "GET", "/v1/sessions/"+sid, nil, nil), 404, "not_found_error")
}

// Routes lists each route the server serves, once, and a request to each is
// handled by that route.
func TestRoutesListsEveryEndpoint(t *testing.T) {
	t.Parallel()
	srv := start(t)
	routes := srv.Routes()
	require.Len(t, routes, 31+14+10+13+8+14) // the core, memory stores, deployments and runs, vaults and credentials, self-hosted work, files and skills
	seen := map[string]bool{}
	for _, r := range routes {
		require.False(t, seen[r], "%s listed twice", r)
		seen[r] = true
		method, pattern, _ := strings.Cut(r, " ")
		path := strings.NewReplacer("{agent_id}", "agent_x", "{environment_id}", "env_x", "{session_id}", "sesn_x",
			"{resource_id}", "sesrsc_x", "{thread_id}", "sthr_x", "{work_id}", "work_x",
			"{memory_store_id}", "memstore_x", "{memory_id}", "mem_x", "{memory_version_id}", "memver_x",
			"{deployment_id}", "depl_x", "{deployment_run_id}", "drun_x", "{vault_id}", "vlt_x", "{credential_id}", "vcrd_x",
			"{file_id}", "file_x", "{skill_id}", "skill_x", "{version}", "skver_x").Replace(pattern)
		call(t, srv, method, path, nil, nil)
		log := srv.Requests()
		require.Equal(t, r, log[len(log)-1].Route)
	}
	require.True(t, seen[managedagentstest.RouteStreamEvents] && seen[managedagentstest.RouteStreamThread])
}
