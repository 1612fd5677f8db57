package managedagentstest_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A session update emits session.updated with the fields it changed, and
// only those (reference §5.3): metadata only when not left empty, the agent
// as its full snapshot, a removed budget as null, nothing for an update that
// changed nothing.
func TestSessionUpdatedCarriesChanges(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, eid, _ := setup(t, srv, nil)
	budget := map[string]any{"type": "limit", "max_list_cost": map[string]any{"amount": "100", "currency": "USD"}}
	sid := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": aid, "environment_id": eid, "title": "T",
		"metadata": map[string]any{"k": "v"}, "budget": budget})["id"].(string)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	update := func(body map[string]any) map[string]any {
		t.Helper()
		ok(t, srv, "POST", "/v1/sessions/"+sid, body)
		f := st.next(t)
		require.Equal(t, "session.updated", f.Name)
		ev := f.JSON(t)
		delete(ev, "id")
		delete(ev, "processed_at")
		delete(ev, "type")
		return ev
	}
	// The same title, and the metadata cleared: metadata changed, to empty.
	require.Empty(t, update(map[string]any{"title": "T", "metadata": map[string]any{"k": nil}}))
	require.Equal(t, map[string]any{"title": nil, "metadata": map[string]any{"a": "b"}},
		update(map[string]any{"title": nil, "metadata": map[string]any{"a": "b"}}))
	got := update(map[string]any{"budget": nil, "agent": map[string]any{"tools": []any{}}})
	require.Nil(t, got["budget"])
	require.Contains(t, got, "budget")
	agent := got["agent"].(map[string]any)
	require.Equal(t, aid, agent["id"])
	require.Empty(t, agent["tools"])

	// An update that changes nothing emits nothing: the next event is the
	// one after it.
	ok(t, srv, "POST", "/v1/sessions/"+sid, map[string]any{"title": nil})
	require.Equal(t, map[string]any{"title": "U"}, update(map[string]any{"title": "U"}))
}
