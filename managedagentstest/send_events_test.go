package managedagentstest_test

import (
	"context"
	"testing"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

// A system.message accompanies the user.message or tool result right before
// it, as the last event of the request (reference §5.4).
func TestSystemMessagePlacement(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, nil)
	sys := map[string]any{"type": "system.message", "content": []any{map[string]any{"type": "text", "text": "Be brief."}}}
	msg := userMessage("hi")["events"].([]any)[0]
	path := "/v1/sessions/" + sid + "/events"
	requireError(t, call(t, srv, "POST", path, map[string]any{"events": []any{sys}}, nil), 400, "invalid_request_error")
	requireError(t, call(t, srv, "POST", path, map[string]any{"events": []any{sys, msg}}, nil), 400, "invalid_request_error")
	ok(t, srv, "POST", path, map[string]any{"events": []any{msg, sys}})
}

// At a budget pause (idle, budget_reached) only settle events are accepted,
// an interrupt is not persisted, and a budget update lifts the pause
// (reference §5.4, §5.5).
func TestBudgetPause(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, eid, _ := setup(t, srv, nil)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		if turn.Text() == "spend" {
			turn.Idle("budget_reached")
		}
	})
	budget := func(cents string) map[string]any {
		return map[string]any{"type": "limit", "max_list_cost": map[string]any{"amount": cents, "currency": "USD"}}
	}
	sid := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": aid, "environment_id": eid, "budget": budget("100")})["id"].(string)
	path := "/v1/sessions/" + sid + "/events"
	ok(t, srv, "POST", path, userMessage("spend"))
	stop, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, "budget_reached", stop)
	n := len(srv.Events(sid))

	requireError(t, call(t, srv, "POST", path, userMessage("more"), nil), 400, "invalid_request_error")
	echo := ok(t, srv, "POST", path, map[string]any{"events": []any{map[string]any{"type": "user.interrupt"}}})
	require.NotEmpty(t, echo["data"].([]any)[0].(map[string]any)["id"])
	require.Len(t, srv.Events(sid), n, "an interrupt at a budget pause is not persisted")

	ok(t, srv, "POST", "/v1/sessions/"+sid, map[string]any{"budget": budget("500")})
	ok(t, srv, "POST", path, userMessage("more"))
	stop, err = srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, "end_turn", stop)
}

// Sent events are echoed, persisted and streamed in the response form of
// their type (reference §4.15, §5.3): content blocks with their nullable
// fields, defaults filled in, nothing the client made up.
func TestSentEventsAnsweredInResponseForm(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, nil)
	path := "/v1/sessions/" + sid + "/events"
	echo := ok(t, srv, "POST", path, map[string]any{"events": []any{
		map[string]any{"type": "user.define_outcome", "description": "A report",
			"rubric": map[string]any{"type": "text", "content": "Complete."}},
		map[string]any{"type": "user.message", "content": []any{
			map[string]any{"type": "text", "text": "Read this."},
			map[string]any{"type": "document", "source": map[string]any{"type": "text", "data": "notes"}},
			map[string]any{"type": "image", "source": map[string]any{"type": "base64", "media_type": "image/png", "data": "iVBOR"}},
			map[string]any{"type": "redacted"},
		}},
	}})["data"].([]any)
	outcome := echo[0].(map[string]any)
	require.EqualValues(t, 3, outcome["max_iterations"], "the default")
	require.Regexp(t, "^outc_", outcome["outcome_id"])
	require.Equal(t, []any{
		map[string]any{"type": "text", "text": "Read this."},
		map[string]any{"type": "document", "source": map[string]any{"type": "text", "media_type": "text/plain", "data": "notes"},
			"title": nil, "context": nil},
		map[string]any{"type": "image", "source": map[string]any{"type": "base64", "media_type": "image/png", "data": "iVBOR"}},
		map[string]any{"type": "redacted"},
	}, echo[1].(map[string]any)["content"])
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.JSONEq(t, string(mustJSON(t, echo[1])), string(srv.Events(sid)[1]), "persisted as echoed")

	for name, ev := range map[string]map[string]any{
		"unknown block key":        {"type": "user.message", "content": []any{map[string]any{"type": "text", "text": "x", "cache": true}}},
		"search result in message": {"type": "user.message", "content": []any{map[string]any{"type": "search_result", "source": "s", "title": "t", "content": []any{}}}},
		"image media type":         {"type": "user.message", "content": []any{map[string]any{"type": "image", "source": map[string]any{"type": "base64", "media_type": "text/html", "data": "x"}}}},
		"image in system message":  {"type": "system.message", "content": []any{map[string]any{"type": "image", "source": map[string]any{"type": "url", "url": "https://x"}}}},
		"rubric without content":   {"type": "user.define_outcome", "description": "d", "rubric": map[string]any{"type": "text"}},
		"too many iterations":      {"type": "user.define_outcome", "description": "d", "rubric": map[string]any{"type": "file", "file_id": "file_1"}, "max_iterations": 21},
		"unknown thread":           {"type": "user.interrupt", "session_thread_id": "sthr_nope"},
	} {
		r := call(t, srv, "POST", path, map[string]any{"events": []any{ev}}, nil)
		require.Equal(t, 400, r.Status, "%s: %s", name, r.Body)
	}
}
