package managedagentstest_test

import (
	"context"
	"testing"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestCloseLeavesNoGoroutines is not parallel: it compares the goroutines before
// and after a server's life, with a stream open and a script blocked waiting for
// a custom tool result when Close is called.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := managedagentstest.NewServer()
	aid, _, sid := setup(t, srv, map[string]any{"tools": []any{map[string]any{"type": "custom", "name": "lookup",
		"description": "d", "input_schema": map[string]any{"type": "object"}}}})
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("hi"))
	require.Equal(t, "requires_action", stopReason(t, st.untilIdle(t)[5])["type"])
	stop, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, "requires_action", stop)

	// Seeding and inspection without HTTP.
	status, body := srv.Call("GET", "/v1/agents/"+aid, nil)
	require.Equal(t, 200, status)
	require.Contains(t, string(body), aid)
	status, _ = srv.Call("GET", "/v1/agents/agent_nope", nil)
	require.Equal(t, 404, status)
	require.Contains(t, string(srv.Session(sid)), `"status":"idle"`)
	require.Nil(t, srv.Session("sesn_nope"))
	require.Nil(t, srv.Events("sesn_nope"))

	srv.Close()
	st.close()
	srv.Close() // idempotent
}
