package managedagentstest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// bearer returns the headers of a well-formed request carrying credential
// as Authorization: Bearer.
func bearer(credential string) http.Header {
	h := headers()
	h.Del("X-Api-Key")
	h.Set("Authorization", "Bearer "+credential)
	return h
}

// envKey are the headers of a request with the environment key.
func envKey() http.Header { return bearer(managedagentstest.TestEnvironmentKey) }

// selfHosted creates an agent, a self-hosted environment and a session in
// it, and returns the environment's and the session's ids.
func selfHosted(t *testing.T, srv *managedagentstest.Server) (envID, sessionID string) {
	t.Helper()
	envID = ok(t, srv, "POST", "/v1/environments", map[string]any{"name": "workers-" + strconv.Itoa(int(envSeq.Add(1))), "config": map[string]any{"type": "self_hosted"}})["id"].(string)
	return envID, newSession(t, srv, envID)
}

// newSession creates an agent and a session of it in environment envID.
func newSession(t *testing.T, srv *managedagentstest.Server, envID string) string {
	t.Helper()
	agent := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "Coder", "model": "claude-sonnet-5-5",
		"tools": []any{map[string]any{"type": "agent_toolset_20260401"}}})["id"].(string)
	return ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": agent, "environment_id": envID})["id"].(string)
}

// list lists the work of envID with the environment key.
func list(t *testing.T, srv *managedagentstest.Server, envID string) []any {
	t.Helper()
	r := call(t, srv, "GET", "/v1/environments/"+envID+"/work", nil, envKey())
	require.Equal(t, 200, r.Status, "%s", r.Body)
	return r.JSON(t)["data"].([]any)
}

// sessionsToken decodes the sessions token of a polled item's secret.
func sessionsToken(t *testing.T, item map[string]any) string {
	t.Helper()
	secret, _ := item["secret"].(string)
	require.NotEmpty(t, secret, "a polled item carries a secret")
	require.NotContains(t, secret, "=", "sent unpadded")
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	require.NoError(t, err)
	var payload struct {
		SessionsToken string `json:"sessions_token"`
	}
	require.NoError(t, json.Unmarshal(raw, &payload))
	require.NotEmpty(t, payload.SessionsToken)
	return payload.SessionsToken
}

// poll polls env with the environment key and query, and returns the item
// (nil for no work).
func poll(t *testing.T, srv *managedagentstest.Server, envID, query string) map[string]any {
	t.Helper()
	h := envKey()
	h.Set("Anthropic-Worker-ID", "worker-1")
	r := call(t, srv, "GET", "/v1/environments/"+envID+"/work/poll?"+query, nil, h)
	require.Equal(t, 200, r.Status, "%s", r.Body)
	if strings.TrimSpace(string(r.Body)) == "null" {
		return nil
	}
	return r.JSON(t)
}

// workPath returns the path of item id of env, with suffix.
func workPath(envID, id, suffix string) string {
	return "/v1/environments/" + envID + "/work/" + id + suffix
}

// beat sends a heartbeat with credential and expected, and returns the answer.
func beat(t *testing.T, srv *managedagentstest.Server, envID, id, credential, expected string) reply {
	t.Helper()
	return call(t, srv, "POST", workPath(envID, id, "/heartbeat?expected_last_heartbeat="+expected), nil, bearer(credential))
}

// envSeq numbers the environments of the tests: their names are unique.
var envSeq atomic.Int32

var frozen = time.Date(2026, 11, 24, 10, 5, 0, 0, time.UTC)

// A session in a self-hosted environment becomes work: poll, ack, heartbeat
// with the exact-echo rule, stop, and a new item when a dormant session gets
// new input.
func TestWorkLifecycle(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(frozen))
	envID, sessionID := selfHosted(t, srv)
	stats := ok(t, srv, "GET", "/v1/environments/"+envID+"/work/stats", nil)
	require.Equal(t, map[string]any{"type": "work_queue_stats", "depth": 1.0, "pending": 0.0,
		"oldest_queued_at": "2026-11-24T10:05:00.000Z", "workers_polling": 0.0}, stats)

	srv.AdvanceClock(time.Second)
	item := poll(t, srv, envID, "block_ms=999")
	require.Equal(t, "work", item["type"])
	require.Equal(t, envID, item["environment_id"])
	require.Equal(t, map[string]any{"type": "session", "id": sessionID}, item["data"])
	require.Equal(t, "queued", item["state"])
	for _, k := range []string{"acknowledged_at", "started_at", "latest_heartbeat_at", "stop_requested_at", "stopped_at"} {
		require.Nil(t, item[k], k)
	}
	id, token := item["id"].(string), sessionsToken(t, item)
	stats = ok(t, srv, "GET", "/v1/environments/"+envID+"/work/stats", nil)
	require.Equal(t, 0.0, stats["depth"])
	require.Equal(t, 1.0, stats["pending"])
	require.Equal(t, 1.0, stats["workers_polling"])
	require.Nil(t, poll(t, srv, envID, ""), "the only item is pending")

	acked := call(t, srv, "POST", workPath(envID, id, "/ack"), nil, envKey()).JSON(t)
	require.Equal(t, "starting", acked["state"])
	require.Nil(t, acked["secret"], "only a poll hands out the secret")
	require.Equal(t, "2026-11-24T10:05:01.000Z", acked["acknowledged_at"])
	requireError(t, call(t, srv, "POST", workPath(envID, id, "/ack"), nil, envKey()), 409, "invalid_request_error")

	first := beat(t, srv, envID, id, token, "NO_HEARTBEAT")
	require.Equal(t, 200, first.Status, "%s", first.Body)
	require.Equal(t, map[string]any{"type": "work_heartbeat", "last_heartbeat": "2026-11-24T10:05:01.000Z",
		"lease_extended": true, "state": "active", "ttl_seconds": 30.0}, first.JSON(t))
	// Two beats in the same millisecond still store different heartbeats.
	second := beat(t, srv, envID, id, token, "2026-11-24T10:05:01.000Z").JSON(t)
	require.Equal(t, "2026-11-24T10:05:01.001Z", second["last_heartbeat"])
	stale := beat(t, srv, envID, id, token, "2026-11-24T10:05:01.000Z")
	e := requireError(t, stale, 412, "invalid_request_error")
	require.Equal(t, map[string]any{"error_code": "heartbeat_precondition_failed", "current_state": map[string]any{
		"state": "active", "last_heartbeat": "2026-11-24T10:05:01.001Z", "lease_extended": false, "ttl_seconds": 30.0}}, e["details"])
	requireError(t, beat(t, srv, envID, id, token, "NO_HEARTBEAT"), 412, "invalid_request_error")

	got := ok(t, srv, "GET", workPath(envID, id, ""), nil)
	require.Equal(t, "active", got["state"])
	require.Equal(t, "2026-11-24T10:05:01.000Z", got["started_at"])
	require.Equal(t, "2026-11-24T10:05:01.001Z", got["latest_heartbeat_at"])
	require.Nil(t, got["secret"])
	upd := ok(t, srv, "POST", workPath(envID, id, ""), map[string]any{"metadata": map[string]any{"team": "core", "gone": nil}})
	require.Equal(t, map[string]any{"team": "core"}, upd["metadata"])
	requireError(t, call(t, srv, "POST", workPath(envID, id, ""), map[string]any{}, nil), 400, "invalid_request_error")
	bad := requireError(t, call(t, srv, "POST", workPath(envID, id, ""), map[string]any{"metadata": map[string]any{"k": 1}}, nil), 400, "invalid_request_error")
	require.Equal(t, "invalid_metadata", bad["details"].(map[string]any)["error_code"])

	// A message while the item is live queues nothing more.
	ok(t, srv, "POST", "/v1/sessions/"+sessionID+"/events", userMessage("hi"))
	require.Len(t, list(t, srv, envID), 1)

	srv.AdvanceClock(time.Second)
	stop := call(t, srv, "POST", workPath(envID, id, "/stop"), map[string]any{"force": true}, bearer(token))
	require.Equal(t, 204, stop.Status, "%s", stop.Body)
	require.Empty(t, stop.Body)
	require.Empty(t, stop.Header.Get("Content-Type"))
	requireError(t, call(t, srv, "POST", workPath(envID, id, "/stop"), map[string]any{}, bearer(token)), 409, "invalid_request_error")
	got = ok(t, srv, "GET", workPath(envID, id, ""), nil)
	require.Equal(t, "stopped", got["state"])
	require.Equal(t, "2026-11-24T10:05:02.000Z", got["stopped_at"])
	require.Equal(t, "2026-11-24T10:05:02.000Z", got["stop_requested_at"])
	// A stopped item's heartbeat is not compared.
	require.Equal(t, map[string]any{"type": "work_heartbeat", "last_heartbeat": "2026-11-24T10:05:01.001Z",
		"lease_extended": false, "state": "stopped", "ttl_seconds": 30.0}, beat(t, srv, envID, id, token, "anything").JSON(t))

	// New input for the dormant session queues new work.
	ok(t, srv, "POST", "/v1/sessions/"+sessionID+"/events", userMessage("again"))
	items := list(t, srv, envID)
	require.Len(t, items, 2)
	require.Equal(t, "queued", items[0].(map[string]any)["state"], "newest first")
	next := poll(t, srv, envID, "")
	require.NotEqual(t, id, next["id"])
	require.NotEqual(t, token, sessionsToken(t, next), "each claim has its own token")
}

// A poll blocks up to block_ms of the server's clock, and answers as soon as
// work is queued.
func TestWorkPollBlocks(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(frozen))
	envID, _ := selfHosted(t, srv)
	require.NotNil(t, poll(t, srv, envID, ""))

	got := make(chan map[string]any)
	go func() { got <- poll(t, srv, envID, "block_ms=999") }()
	waitBlocked(t, srv, managedagentstest.RoutePollWork)
	id, err := srv.EnqueueHealthcheck(envID)
	require.NoError(t, err)
	item := <-got
	require.Equal(t, id, item["id"])
	require.Equal(t, "healthcheck", item["data"].(map[string]any)["type"])

	go func() { got <- poll(t, srv, envID, "block_ms=500") }()
	waitBlocked(t, srv, managedagentstest.RoutePollWork)
	srv.AdvanceClock(499 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("the poll answered before block_ms passed on the server's clock")
	case <-time.After(20 * time.Millisecond):
	}
	srv.AdvanceClock(time.Millisecond)
	require.Nil(t, <-got)

	// On the real clock, an empty poll answers after block_ms.
	live := start(t)
	liveEnv, _ := selfHosted(t, live)
	require.NotNil(t, poll(t, live, liveEnv, ""))
	began := time.Now()
	require.Nil(t, poll(t, live, liveEnv, "block_ms=50"))
	require.GreaterOrEqual(t, time.Since(began), 50*time.Millisecond)
}

// waitBlocked waits until the server logged a request on route that it has
// not answered.
func waitBlocked(t *testing.T, srv *managedagentstest.Server, route string) {
	t.Helper()
	require.Eventually(t, func() bool {
		reqs := srv.Requests()
		return len(reqs) > 0 && reqs[len(reqs)-1].Route == route && reqs[len(reqs)-1].Status == 0
	}, 5*time.Second, time.Millisecond)
}

// An item polled and not acked is handed to another poll after
// reclaim_older_than_ms (5 s by default), with a new token.
func TestWorkReclaim(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(frozen))
	envID, _ := selfHosted(t, srv)
	first := poll(t, srv, envID, "")
	srv.AdvanceClock(4999 * time.Millisecond)
	require.Nil(t, poll(t, srv, envID, ""))
	srv.AdvanceClock(time.Millisecond)
	again := poll(t, srv, envID, "")
	require.Equal(t, first["id"], again["id"])
	require.NotEqual(t, sessionsToken(t, first), sessionsToken(t, again))
	srv.AdvanceClock(time.Second)
	require.Nil(t, poll(t, srv, envID, ""))
	require.NotNil(t, poll(t, srv, envID, "reclaim_older_than_ms=1000"))
	requireError(t, call(t, srv, "GET", "/v1/environments/"+envID+"/work/poll?block_ms=0", nil, envKey()), 400, "invalid_request_error")
	requireError(t, call(t, srv, "GET", "/v1/environments/"+envID+"/work/poll?block_ms=1000", nil, envKey()), 400, "invalid_request_error")
}

// A lease without a heartbeat for its TTL lapses: the item goes back to the
// queue; the old holder's heartbeat says stopped until another poll takes
// it, and 412 after.
func TestWorkLeaseLapse(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(frozen), managedagentstest.WithWorkLeaseTTL(10*time.Second))
	envID, _ := selfHosted(t, srv)
	item := poll(t, srv, envID, "")
	id, token := item["id"].(string), sessionsToken(t, item)
	call(t, srv, "POST", workPath(envID, id, "/ack"), nil, envKey())
	srv.AdvanceClock(9 * time.Second)
	hb := call(t, srv, "POST", workPath(envID, id, "/heartbeat?expected_last_heartbeat=NO_HEARTBEAT&desired_ttl_seconds=20"), nil, bearer(token)).JSON(t)
	require.Equal(t, 20.0, hb["ttl_seconds"])
	srv.AdvanceClock(19 * time.Second)
	last := beat(t, srv, envID, id, token, hb["last_heartbeat"].(string)).JSON(t)
	require.Equal(t, true, last["lease_extended"])

	srv.AdvanceClock(20 * time.Second)
	got := ok(t, srv, "GET", workPath(envID, id, ""), nil)
	require.Equal(t, "queued", got["state"])
	require.Nil(t, got["acknowledged_at"])
	lapsed := beat(t, srv, envID, id, token, last["last_heartbeat"].(string)).JSON(t)
	require.Equal(t, false, lapsed["lease_extended"])
	require.Equal(t, "stopped", lapsed["state"])

	again := poll(t, srv, envID, "")
	require.Equal(t, id, again["id"])
	requireError(t, beat(t, srv, envID, id, token, last["last_heartbeat"].(string)), 412, "invalid_request_error")
	newToken := sessionsToken(t, again)
	call(t, srv, "POST", workPath(envID, id, "/ack"), nil, envKey())
	fresh := beat(t, srv, envID, id, newToken, "NO_HEARTBEAT")
	require.Equal(t, 200, fresh.Status, "%s", fresh.Body)
	require.Greater(t, fresh.JSON(t)["last_heartbeat"], last["last_heartbeat"], "a new holder's heartbeat is never an old one")
	requireError(t, beat(t, srv, envID, id, token, last["last_heartbeat"].(string)), 412, "invalid_request_error")
	// An ack that no heartbeat follows lapses too.
	srv.AdvanceClock(31 * time.Second)
	require.Equal(t, "queued", ok(t, srv, "GET", workPath(envID, id, ""), nil)["state"])
}

// A graceful stop leaves the item stopping until its lease lapses or a
// forced stop; a queued item stops at once.
func TestWorkGracefulStop(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(frozen))
	envID, _ := selfHosted(t, srv)
	item := poll(t, srv, envID, "")
	id, token := item["id"].(string), sessionsToken(t, item)
	call(t, srv, "POST", workPath(envID, id, "/ack"), nil, envKey())
	hb := beat(t, srv, envID, id, token, "NO_HEARTBEAT").JSON(t)
	require.Equal(t, 204, call(t, srv, "POST", workPath(envID, id, "/stop"), map[string]any{}, bearer(token)).Status)
	require.Equal(t, "stopping", ok(t, srv, "GET", workPath(envID, id, ""), nil)["state"])
	answer := beat(t, srv, envID, id, token, "not-compared").JSON(t)
	require.Equal(t, false, answer["lease_extended"])
	require.Equal(t, "stopping", answer["state"])
	require.Equal(t, hb["last_heartbeat"], answer["last_heartbeat"])
	srv.AdvanceClock(30 * time.Second)
	require.Equal(t, "stopped", ok(t, srv, "GET", workPath(envID, id, ""), nil)["state"])

	hc, err := srv.EnqueueHealthcheck(envID)
	require.NoError(t, err)
	require.Equal(t, 204, call(t, srv, "POST", workPath(envID, hc, "/stop"), nil, envKey()).Status)
	require.Equal(t, "stopped", ok(t, srv, "GET", workPath(envID, hc, ""), nil)["state"])
	requireError(t, call(t, srv, "POST", workPath(envID, hc, "/stop"), map[string]any{"force": "yes"}, envKey()), 400, "invalid_request_error")
}

// Each work endpoint takes the credentials the reference gives it, and a
// work token is good for its own item and session only.
func TestWorkCredentials(t *testing.T) {
	t.Parallel()
	srv := start(t)
	envID, sessionID := selfHosted(t, srv)
	otherSession := newSession(t, srv, envID)
	item := poll(t, srv, envID, "")
	id, token := item["id"].(string), sessionsToken(t, item)
	other := poll(t, srv, envID, "")
	require.NotNil(t, other)
	otherToken := sessionsToken(t, other)
	require.Equal(t, otherSession, other["data"].(map[string]any)["id"])
	apiKey := headers()
	envAsKey := headers()
	envAsKey.Set("X-Api-Key", managedagentstest.TestEnvironmentKey)

	for _, tc := range []struct {
		name   string
		method string
		path   string
		h      http.Header
		status int
	}{
		{"poll with the API key", "GET", "/v1/environments/" + envID + "/work/poll", apiKey, 401},
		{"poll with the environment key as x-api-key", "GET", "/v1/environments/" + envID + "/work/poll", envAsKey, 401},
		{"poll with a work token", "GET", "/v1/environments/" + envID + "/work/poll", bearer(token), 401},
		{"list with the API key", "GET", "/v1/environments/" + envID + "/work", apiKey, 401},
		{"list with the environment key", "GET", "/v1/environments/" + envID + "/work", envKey(), 200},
		{"ack with a work token", "POST", workPath(envID, id, "/ack"), bearer(token), 401},
		{"ack with the environment key", "POST", workPath(envID, id, "/ack"), envKey(), 200},
		{"heartbeat with the API key", "POST", workPath(envID, id, "/heartbeat?expected_last_heartbeat=NO_HEARTBEAT"), apiKey, 401},
		{"heartbeat with another item's token", "POST", workPath(envID, id, "/heartbeat?expected_last_heartbeat=NO_HEARTBEAT"), bearer(otherToken), 403},
		{"heartbeat with the environment key", "POST", workPath(envID, id, "/heartbeat?expected_last_heartbeat=NO_HEARTBEAT"), envKey(), 200},
		{"get with the environment key", "GET", workPath(envID, id, ""), envKey(), 401},
		{"get with a work token", "GET", workPath(envID, id, ""), bearer(token), 401},
		{"get with the API key", "GET", workPath(envID, id, ""), apiKey, 200},
		{"update with a work token", "POST", workPath(envID, id, ""), bearer(token), 401},
		{"stats with a work token", "GET", "/v1/environments/" + envID + "/work/stats", bearer(token), 401},
		{"stats with the environment key", "GET", "/v1/environments/" + envID + "/work/stats", envKey(), 200},
		{"the session with its token", "GET", "/v1/sessions/" + sessionID, bearer(token), 200},
		{"its events with its token", "GET", "/v1/sessions/" + sessionID + "/events", bearer(token), 200},
		{"another session with the token", "GET", "/v1/sessions/" + otherSession, bearer(token), 403},
		{"the session with the environment key", "GET", "/v1/sessions/" + sessionID, envKey(), 200},
		{"an agent with a work token", "GET", "/v1/agents", bearer(token), 401},
		{"an agent with the environment key", "GET", "/v1/agents", envKey(), 401},
		{"stop with another item's token", "POST", workPath(envID, id, "/stop"), bearer(otherToken), 403},
		{"stop with its token", "POST", workPath(envID, id, "/stop"), bearer(token), 204},
	} {
		r := call(t, srv, tc.method, tc.path, nil, tc.h)
		require.Equal(t, tc.status, r.Status, "%s: %s", tc.name, r.Body)
	}
	kinds := map[managedagentstest.Credential]int{}
	for _, r := range srv.Requests() {
		kinds[r.Credential]++
		require.Empty(t, r.Header.Values("Authorization"))
	}
	require.Positive(t, kinds[managedagentstest.CredentialAPIKey])
	require.Positive(t, kinds[managedagentstest.CredentialEnvironmentKey])
	require.Positive(t, kinds[managedagentstest.CredentialWorkToken])

	// A memory store takes the token of an item whose session uses it, never
	// the environment key.
	store := ok(t, srv, "POST", "/v1/memory_stores", map[string]any{"name": "notes"})["id"].(string)
	otherStore := ok(t, srv, "POST", "/v1/memory_stores", map[string]any{"name": "other"})["id"].(string)
	agent := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "Coder", "model": "claude-sonnet-5-5"})["id"].(string)
	withStore := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": agent, "environment_id": envID,
		"resources": []any{map[string]any{"type": "memory_store", "memory_store_id": store}}})["id"].(string)
	var storeItem map[string]any
	for storeItem == nil || storeItem["data"].(map[string]any)["id"] != withStore {
		storeItem = poll(t, srv, envID, "")
		require.NotNil(t, storeItem)
	}
	storeToken := sessionsToken(t, storeItem)
	require.Equal(t, 200, call(t, srv, "GET", "/v1/memory_stores/"+store+"/memories", nil, bearer(storeToken)).Status)
	require.Equal(t, 403, call(t, srv, "GET", "/v1/memory_stores/"+otherStore, nil, bearer(storeToken)).Status)
	require.Equal(t, 401, call(t, srv, "GET", "/v1/memory_stores/"+store, nil, envKey()).Status)
	require.Equal(t, 401, call(t, srv, "GET", "/v1/memory_stores", nil, bearer(storeToken)).Status)

	// A cloud environment has no queue.
	cloud := ok(t, srv, "POST", "/v1/environments", map[string]any{"name": "cloud"})["id"].(string)
	requireError(t, call(t, srv, "GET", "/v1/environments/"+cloud+"/work/poll", nil, envKey()), 400, "invalid_request_error")
	_, err := srv.EnqueueHealthcheck(cloud)
	require.Error(t, err)
	requireError(t, call(t, srv, "GET", "/v1/environments/env_none/work/stats", nil, nil), 404, "not_found_error")
}

// The SDK drives the fake's queue: a client with the environment key polls,
// acks and, acting for the item, beats, reads its session and stops it;
// every form of an empty poll is no work.
func TestWorkWithTheSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, form := range []managedagentstest.EmptyPoll{managedagentstest.EmptyPollNull, managedagentstest.EmptyPollNoContent,
		managedagentstest.EmptyPollEmptyObject, managedagentstest.EmptyPollEmptyBody} {
		srv := start(t, managedagentstest.WithEmptyPoll(form))
		envID, sessionID := selfHosted(t, srv)
		c := srv.Client()
		work := c.Environments.Work
		item, err := work.Poll(ctx, envID, managedagents.EnvironmentWorkPollParams{BlockMs: 10, WorkerID: "w-1"})
		require.NoError(t, err)
		require.Equal(t, sessionID, item.Data.ID)
		require.True(t, item.Secret.HasSessionsToken())
		none, err := work.Poll(ctx, envID, managedagents.EnvironmentWorkPollParams{})
		require.NoError(t, err)
		require.Nil(t, none, "form %d", form)

		_, err = work.Ack(ctx, envID, item.ID, managedagents.EnvironmentWorkAckParams{})
		require.NoError(t, err)
		ic := c.ForWorkItem(item)
		hb, err := ic.Environments.Work.Heartbeat(ctx, envID, item.ID, managedagents.EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: managedagents.NoHeartbeat})
		require.NoError(t, err)
		require.True(t, hb.Held())
		_, err = ic.Environments.Work.Heartbeat(ctx, envID, item.ID, managedagents.EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: managedagents.NoHeartbeat})
		var lost *managedagents.LeaseLostError
		require.ErrorAs(t, err, &lost)
		require.Equal(t, hb.LastHeartbeat, lost.State.LastHeartbeat)
		sess, err := ic.Sessions.Get(ctx, sessionID, managedagents.SessionGetParams{})
		require.NoError(t, err)
		require.Equal(t, sessionID, sess.ID)
		res, err := ic.Environments.Work.Stop(ctx, envID, item.ID, managedagents.EnvironmentWorkStopParams{Force: true})
		require.NoError(t, err)
		require.False(t, res.AlreadyStopped)
		res, err = ic.Environments.Work.Stop(ctx, envID, item.ID, managedagents.EnvironmentWorkStopParams{Force: true})
		require.NoError(t, err)
		require.True(t, res.AlreadyStopped)
		got, err := work.Get(ctx, envID, item.ID, managedagents.EnvironmentWorkGetParams{})
		require.NoError(t, err)
		require.Equal(t, managedagents.WorkStateStopped, got.State)
		stats, err := work.Stats(ctx, envID, managedagents.EnvironmentWorkStatsParams{})
		require.NoError(t, err)
		require.Equal(t, 1, stats.WorkersPolling)

		var creds []managedagentstest.Credential
		for _, r := range srv.Requests() {
			if strings.Contains(r.Route, "/work") || r.Route == managedagentstest.RouteGetSession {
				creds = append(creds, r.Credential)
			}
		}
		env, tok, key := managedagentstest.CredentialEnvironmentKey, managedagentstest.CredentialWorkToken, managedagentstest.CredentialAPIKey
		require.Equal(t, []managedagentstest.Credential{env, env, env, tok, tok, tok, tok, tok, key, key}, creds)
	}
}

// Faults injected on the work routes reach the SDK: a 503 on a poll is
// retried; a dropped heartbeat is reported as uncertain and not sent again;
// a delayed poll outlasts a short deadline.
func TestWorkFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := start(t)
	envID, _ := selfHosted(t, srv)
	c := srv.Client(option.WithMaxRetries(2))
	srv.FailNext(managedagentstest.RoutePollWork, 1, 503, nil)
	item, err := c.Environments.Work.Poll(ctx, envID, managedagents.EnvironmentWorkPollParams{})
	require.NoError(t, err)
	require.NotNil(t, item)
	_, err = c.Environments.Work.Ack(ctx, envID, item.ID, managedagents.EnvironmentWorkAckParams{})
	require.NoError(t, err)

	srv.DropNext(managedagentstest.RouteHeartbeatWork, 1)
	ic := c.ForWorkItem(item)
	_, err = ic.Environments.Work.Heartbeat(ctx, envID, item.ID, managedagents.EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: managedagents.NoHeartbeat})
	require.ErrorIs(t, err, managedagents.ErrDeliveryUncertain)
	n := 0
	for _, r := range srv.Requests() {
		if r.Route == managedagentstest.RouteHeartbeatWork {
			n++
		}
	}
	require.Equal(t, 1, n, "a heartbeat is never sent twice")

	srv.FailNext(managedagentstest.RouteStopWork, 1, 500, nil)
	_, err = ic.Environments.Work.Stop(ctx, envID, item.ID, managedagents.EnvironmentWorkStopParams{Force: true})
	require.NoError(t, err, "a stop is retried")

	srv.Delay(managedagentstest.RouteListWork, 200*time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = c.Environments.Work.List(short, envID, managedagents.EnvironmentWorkListParams{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
