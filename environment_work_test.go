package managedagents

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
)

// testEnvironmentKey is the environment key of the work tests.
const testEnvironmentKey = "sk-ant-env-test-key-0123456789"

// sampleSessionsToken is the token the secret of testdata/work/work_item.json
// decodes to (self-hosted.md §1.2).
const sampleSessionsToken = "EXAMPLE-per-item-sessions-token-not-a-real-credential"

// sentCredential returns the one credential header of h, as "x-api-key <v>"
// or "bearer <v>", and fails if there is none or more than one.
func sentCredential(t *testing.T, h http.Header) string {
	t.Helper()
	key, auth := h.Values("X-Api-Key"), h.Values("Authorization")
	require.Equal(t, 1, len(key)+len(auth), "exactly one credential header: %v", h)
	if len(key) == 1 {
		return "x-api-key " + key[0]
	}
	require.Regexp(t, "^Bearer ", auth[0])
	return "bearer " + auth[0][len("Bearer "):]
}

// requireWorkRequest asserts the one request recorded and the credential it
// sent.
func requireWorkRequest(t *testing.T, reqs []recorded, method, path, rawQuery, credential string) recorded {
	t.Helper()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, method, r.Method)
	require.Equal(t, path, r.Path)
	require.Equal(t, rawQuery, r.RawQuery)
	require.Equal(t, credential, sentCredential(t, r.Header))
	require.Equal(t, "managed-agents-2026-04-01", r.Header.Get("Anthropic-Beta"))
	require.Equal(t, "2023-06-01", r.Header.Get("Anthropic-Version"))
	return r
}

// workClient is newTestClient with the environment key as well as the API key.
func workClient(t *testing.T, handler http.HandlerFunc, opts ...option.RequestOption) (*Client, *[]recorded) {
	return newTestClient(t, handler, append([]option.RequestOption{option.WithEnvironmentKey(testEnvironmentKey)}, opts...)...)
}

func TestWorkPoll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := workClient(t, replyJSON(200, string(fixture(t, "work/work_item.json"))))
	item, err := c.Environments.Work.Poll(ctx, "env_011CnRz5XhM3aLwq8uP2Gd9K", EnvironmentWorkPollParams{BlockMs: 999, ReclaimOlderThanMs: 5000, WorkerID: "host-1-0123456789abcdef"})
	require.NoError(t, err)
	r := requireWorkRequest(t, *reqs, "GET", "/v1/environments/env_011CnRz5XhM3aLwq8uP2Gd9K/work/poll",
		"block_ms=999&reclaim_older_than_ms=5000", "bearer "+testEnvironmentKey)
	require.Equal(t, "host-1-0123456789abcdef", r.Header.Get("Anthropic-Worker-ID"))
	require.Empty(t, r.Body)

	require.Equal(t, "work_011CnS2qJ8wYpZkD4vHfTb7M", item.ID)
	require.Equal(t, "work", item.Type)
	require.Equal(t, "env_011CnRz5XhM3aLwq8uP2Gd9K", item.EnvironmentID)
	require.Equal(t, WorkDataTypeSession, item.Data.Type)
	require.Equal(t, "sesn_011CnS2pR4vT6yBq1zWcLk8N", item.Data.ID)
	require.True(t, item.Data.IsSession())
	require.Equal(t, WorkStateQueued, item.State)
	require.Equal(t, map[string]string{"team": "support"}, item.Metadata)
	require.Equal(t, parseTS(t, "2026-11-24T10:05:00.912Z"), item.CreatedAt)
	for _, ts := range []time.Time{item.AcknowledgedAt, item.StartedAt, item.LatestHeartbeatAt, item.StopRequestedAt, item.StoppedAt} {
		require.True(t, ts.IsZero())
	}
	require.True(t, item.Secret.IsSet())
	require.True(t, item.Secret.HasSessionsToken())
	var sample struct{ Secret string }
	require.NoError(t, json.Unmarshal(fixture(t, "work/work_item.json"), &sample))
	require.Equal(t, sample.Secret, item.Secret.Reveal())
	require.NotContains(t, string(item.RawJSON()), sample.Secret, "the raw JSON does not carry the secret")
	require.Contains(t, string(item.RawJSON()), `"secret": "[redacted]"`)

	// Zero block and reclaim send nothing, and no worker id no header.
	c, reqs = workClient(t, replyJSON(200, "null"))
	_, err = c.Environments.Work.Poll(ctx, "env_1", EnvironmentWorkPollParams{})
	require.NoError(t, err)
	r = requireWorkRequest(t, *reqs, "GET", "/v1/environments/env_1/work/poll", "", "bearer "+testEnvironmentKey)
	require.Empty(t, r.Header.Values("Anthropic-Worker-ID"))
}

// Every shape of "no work" is a nil item and a nil error (self-hosted.md §2.4).
func TestWorkPollNoWork(t *testing.T) {
	t.Parallel()
	for name, reply := range map[string]http.HandlerFunc{
		"200 null":          replyJSON(200, "null"),
		"200 empty":         replyJSON(200, ""),
		"200 blank":         replyJSON(200, " \n"),
		"200 {}":            replyJSON(200, "{}"),
		"204":               func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
		"item without id":   replyJSON(200, `{"type":"work","id":"","state":"queued","secret":null}`),
		"item with null id": replyJSON(200, `{"type":"work","id":null}`),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, reqs := workClient(t, reply)
			item, err := c.Environments.Work.Poll(context.Background(), "env_1", EnvironmentWorkPollParams{BlockMs: 1})
			require.NoError(t, err)
			require.Nil(t, item)
			require.Len(t, *reqs, 1)
		})
	}
	// A body that is neither an item nor empty is a malformed answer.
	c, _ := workClient(t, replyJSON(200, `["work_1"]`))
	_, err := c.Environments.Work.Poll(context.Background(), "env_1", EnvironmentWorkPollParams{})
	require.ErrorIs(t, err, ErrMalformedResponse)
}

func TestWorkPollValidation(t *testing.T) {
	t.Parallel()
	c, reqs := workClient(t, replyJSON(200, "null"))
	ctx := context.Background()
	for _, tc := range []struct {
		field  string
		params EnvironmentWorkPollParams
	}{
		{"block_ms", EnvironmentWorkPollParams{BlockMs: -1}},
		{"block_ms", EnvironmentWorkPollParams{BlockMs: 1000}},
		{"reclaim_older_than_ms", EnvironmentWorkPollParams{ReclaimOlderThanMs: -5}},
		{"worker_id", EnvironmentWorkPollParams{WorkerID: "w\r\nX-Evil: 1"}},
	} {
		_, err := c.Environments.Work.Poll(ctx, "env_1", tc.params)
		requireInvalid(t, err, tc.field)
	}
	_, err := c.Environments.Work.Poll(ctx, "", EnvironmentWorkPollParams{})
	requireInvalid(t, err, "environment_id")
	_, err = c.Environments.Work.Ack(ctx, "env_1", "work/1", EnvironmentWorkAckParams{})
	requireInvalid(t, err, "work_id")
	_, err = c.Environments.Work.Heartbeat(ctx, "env_1", "work_1", EnvironmentWorkHeartbeatParams{})
	requireInvalid(t, err, "expected_last_heartbeat")
	_, err = c.Environments.Work.Heartbeat(ctx, "env_1", "work_1", EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: NoHeartbeat, DesiredTTLSeconds: -1})
	requireInvalid(t, err, "desired_ttl_seconds")
	_, err = c.Environments.Work.Stop(ctx, "..", "work_1", EnvironmentWorkStopParams{})
	requireInvalid(t, err, "environment_id")
	_, err = c.Environments.Work.List(ctx, "env_1", EnvironmentWorkListParams{Limit: -1})
	requireInvalid(t, err, "limit")
	_, err = c.Environments.Work.Update(ctx, "env_1", "work_1", EnvironmentWorkUpdateParams{Metadata: MetadataPatch{}.Set("", "v")})
	requireInvalid(t, err, "metadata")
	_, err = c.Environments.Work.Get(ctx, "env_1", "", EnvironmentWorkGetParams{})
	requireInvalid(t, err, "work_id")
	_, err = c.Environments.Work.Stats(ctx, "env 1", EnvironmentWorkStatsParams{})
	requireInvalid(t, err, "environment_id")
	require.Empty(t, *reqs)
}

func TestWorkAck(t *testing.T) {
	t.Parallel()
	acked := `{"type":"work","id":"work_1","environment_id":"env_1","data":{"type":"session","id":"sesn_1"},"state":"starting","metadata":{},"secret":null,` +
		`"created_at":"2026-11-24T10:05:00.912Z","acknowledged_at":"2026-11-24T10:05:01.2Z","started_at":"","latest_heartbeat_at":"","stop_requested_at":null,"stopped_at":null}`
	c, reqs := workClient(t, replyJSON(200, acked))
	item, err := c.Environments.Work.Ack(context.Background(), "env_1", "work_1", EnvironmentWorkAckParams{})
	require.NoError(t, err)
	r := requireWorkRequest(t, *reqs, "POST", "/v1/environments/env_1/work/work_1/ack", "", "bearer "+testEnvironmentKey)
	require.Empty(t, r.Body)
	require.Empty(t, r.Header.Get("Content-Type"))
	require.Equal(t, WorkStateStarting, item.State)
	require.False(t, item.Secret.IsSet())
	require.Equal(t, parseTS(t, "2026-11-24T10:05:01.2Z"), item.AcknowledgedAt)
	require.True(t, item.StartedAt.IsZero(), `"" is no time`)
	require.True(t, item.LatestHeartbeatAt.IsZero())
}

func TestWorkHeartbeat(t *testing.T) {
	t.Parallel()
	c, reqs := workClient(t, replyJSON(200, string(fixture(t, "work/work_heartbeat.json"))))
	hb, err := c.Environments.Work.Heartbeat(context.Background(), "env_1", "work_1",
		EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: NoHeartbeat, DesiredTTLSeconds: 120})
	require.NoError(t, err)
	r := requireWorkRequest(t, *reqs, "POST", "/v1/environments/env_1/work/work_1/heartbeat",
		"desired_ttl_seconds=120&expected_last_heartbeat=NO_HEARTBEAT", "bearer "+testEnvironmentKey)
	require.Empty(t, r.Body)
	require.Equal(t, "work_heartbeat", hb.Type)
	require.Equal(t, "2026-11-24T10:05:31.447Z", hb.LastHeartbeat)
	require.True(t, hb.LeaseExtended)
	require.Equal(t, WorkStateActive, hb.State)
	require.Equal(t, 2*time.Minute, hb.TTL())
	require.True(t, hb.Held())
	require.JSONEq(t, string(fixture(t, "work/work_heartbeat.json")), string(hb.RawJSON()))

	// The token is echoed byte for byte, escaped as a query value.
	c, reqs = workClient(t, replyJSON(200, string(fixture(t, "work/work_heartbeat.json"))))
	_, err = c.Environments.Work.Heartbeat(context.Background(), "env_1", "work_1",
		EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: "2026-11-24T10:05:31.447+01:00"})
	require.NoError(t, err)
	require.Equal(t, "expected_last_heartbeat=2026-11-24T10%3A05%3A31.447%2B01%3A00", (*reqs)[0].RawQuery)

	for _, tc := range []struct {
		body string
		held bool
	}{
		{`{"type":"work_heartbeat","last_heartbeat":"x","lease_extended":true,"state":"stopping","ttl_seconds":30}`, false},
		{`{"type":"work_heartbeat","last_heartbeat":"","lease_extended":false,"state":"stopped","ttl_seconds":30}`, false},
		{`{"type":"work_heartbeat","last_heartbeat":"x","lease_extended":false,"state":"active","ttl_seconds":30}`, false},
		{`{"type":"work_heartbeat","last_heartbeat":"x","lease_extended":true,"state":"starting","ttl_seconds":30}`, true},
	} {
		var hb WorkHeartbeat
		require.NoError(t, json.Unmarshal([]byte(tc.body), &hb))
		require.Equal(t, tc.held, hb.Held(), tc.body)
	}
}

// A 412 is a *LeaseLostError with the server's view of the lease, answered
// once and never retried.
func TestWorkHeartbeatLeaseLost(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"sample": string(fixture(t, "work/work_heartbeat_412.json")),
		"null heartbeat and fixture fields": `{"type":"error","error":{"type":"invalid_request_error","message":"precondition failed","error_visibility":"user",` +
			`"details":{"error_code":"heartbeat_precondition_failed","current_state":{"state":"queued","last_heartbeat":null,"lease_extended":false,"ttl_seconds":30,"lease_updated_at":""}}}}`,
		"no error code": `{"type":"error","error":{"type":"invalid_request_error","message":"precondition failed"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, reqs := workClient(t, replyJSON(412, body), option.WithMaxRetries(2))
			_, err := c.Environments.Work.Heartbeat(context.Background(), "env_1", "work_1",
				EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: "2026-11-24T10:05:31.447Z"})
			require.ErrorIs(t, err, ErrLeaseLost)
			var lost *LeaseLostError
			require.ErrorAs(t, err, &lost)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, 412, apiErr.StatusCode)
			require.Len(t, *reqs, 1, "a 412 is an answer: never retried")
			require.NotErrorIs(t, err, ErrDeliveryUncertain)
			switch name {
			case "sample":
				require.Equal(t, WorkLeaseState{State: WorkStateActive, LastHeartbeat: "2026-11-24T10:06:01.902Z", TTLSeconds: 120}, lost.State)
				require.Equal(t, "req_011CnS3bX7kQ2vRt9mYpWd4L", apiErr.RequestID)
				require.Equal(t, "heartbeat_precondition_failed", apiErr.Code)
				require.Contains(t, err.Error(), "work lease lost (item active, last heartbeat 2026-11-24T10:06:01.902Z)")
			case "no error code":
				require.Equal(t, WorkLeaseState{}, lost.State)
			default:
				require.Equal(t, WorkLeaseState{State: WorkStateQueued, TTLSeconds: 30}, lost.State)
			}
		})
	}
}

func TestWorkStop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		params EnvironmentWorkStopParams
		golden string
	}{
		{"force", EnvironmentWorkStopParams{Force: true}, "work/stop_force.json"},
		{"graceful", EnvironmentWorkStopParams{}, "work/stop_graceful.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, reqs := workClient(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
			res, err := c.Environments.Work.Stop(ctx, "env_1", "work_1", tc.params)
			require.NoError(t, err)
			require.Equal(t, &WorkStopResult{}, res)
			r := requireWorkRequest(t, *reqs, "POST", "/v1/environments/env_1/work/work_1/stop", "", "bearer "+testEnvironmentKey)
			assertGolden(t, tc.golden, r.Body)
		})
	}

	// 409: stopped already, a success, never retried.
	var calls atomic.Int32
	c, _ := workClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		replyJSON(409, `{"type":"error","error":{"type":"invalid_request_error","message":"work is already stopped"}}`)(w, r)
	}, option.WithMaxRetries(2))
	res, err := c.Environments.Work.Stop(ctx, "env_1", "work_1", EnvironmentWorkStopParams{Force: true})
	require.NoError(t, err)
	require.Equal(t, &WorkStopResult{AlreadyStopped: true}, res)
	require.Equal(t, int32(1), calls.Load())

	// A body the API documents but does not send is read when it comes.
	c, _ = workClient(t, replyJSON(200, `{"type":"work","id":"work_1","state":"stopped","stopped_at":"2026-11-24T10:07:00Z"}`))
	res, err = c.Environments.Work.Stop(ctx, "env_1", "work_1", EnvironmentWorkStopParams{})
	require.NoError(t, err)
	require.Equal(t, WorkStateStopped, res.Item.State)
	require.False(t, res.AlreadyStopped)

	c, _ = workClient(t, replyJSON(404, `{"type":"error","error":{"type":"not_found_error","message":"no such work"}}`))
	_, err = c.Environments.Work.Stop(ctx, "env_1", "work_1", EnvironmentWorkStopParams{})
	require.ErrorIs(t, err, ErrNotFound)
}

func TestWorkListGetUpdateStats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	item := string(fixture(t, "work/work_item.json"))

	c, reqs := workClient(t, replyJSON(200, `{"data":[`+item+`],"next_page":"p2"}`))
	page, err := c.Environments.Work.List(ctx, "env_1", EnvironmentWorkListParams{Limit: 5, Page: "p1"})
	require.NoError(t, err)
	requireWorkRequest(t, *reqs, "GET", "/v1/environments/env_1/work", "limit=5&page=p1", "bearer "+testEnvironmentKey)
	require.Len(t, page.Data, 1)
	require.Equal(t, "work_011CnS2qJ8wYpZkD4vHfTb7M", page.Data[0].ID)
	require.Equal(t, "p2", page.NextPage)

	c, reqs = workClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[` + item + `],"next_page":"p2"}`,
		"p2": `{"data":[],"next_page":null}`,
	}))
	var ids []string
	for w, err := range c.Environments.Work.ListAll(ctx, "env_1", EnvironmentWorkListParams{Limit: 1}) {
		require.NoError(t, err)
		ids = append(ids, w.ID)
	}
	require.Equal(t, []string{"work_011CnS2qJ8wYpZkD4vHfTb7M"}, ids)
	require.Len(t, *reqs, 2)

	c, reqs = workClient(t, replyJSON(200, item))
	got, err := c.Environments.Work.Get(ctx, "env_1", "work_1", EnvironmentWorkGetParams{})
	require.NoError(t, err)
	requireWorkRequest(t, *reqs, "GET", "/v1/environments/env_1/work/work_1", "", "x-api-key "+testAPIKey)
	require.Equal(t, "work_011CnS2qJ8wYpZkD4vHfTb7M", got.ID)

	c, reqs = workClient(t, replyJSON(200, item))
	_, err = c.Environments.Work.Update(ctx, "env_1", "work_1", EnvironmentWorkUpdateParams{Metadata: MetadataPatch{}.Set("team", "core").Delete("old")})
	require.NoError(t, err)
	r := requireWorkRequest(t, *reqs, "POST", "/v1/environments/env_1/work/work_1", "", "x-api-key "+testAPIKey)
	assertGolden(t, "work/update.json", r.Body)
	c, reqs = workClient(t, replyJSON(200, item))
	_, err = c.Environments.Work.Update(ctx, "env_1", "work_1", EnvironmentWorkUpdateParams{})
	require.NoError(t, err)
	require.JSONEq(t, `{"metadata":{}}`, string((*reqs)[0].Body), "metadata is required: sent empty")

	c, reqs = workClient(t, replyJSON(200, string(fixture(t, "work/work_stats.json"))))
	stats, err := c.Environments.Work.Stats(ctx, "env_1", EnvironmentWorkStatsParams{})
	require.NoError(t, err)
	requireWorkRequest(t, *reqs, "GET", "/v1/environments/env_1/work/stats", "", "x-api-key "+testAPIKey)
	require.Equal(t, "work_queue_stats", stats.Type)
	require.Equal(t, 3, stats.Depth)
	require.Equal(t, 1, stats.Pending)
	require.Equal(t, 2, stats.WorkersPolling)
	require.Equal(t, parseTS(t, "2026-11-24T10:04:12.530Z"), stats.OldestQueuedAt)
	for _, empty := range []string{`null`, `""`} {
		var s WorkQueueStats
		require.NoError(t, json.Unmarshal([]byte(`{"type":"work_queue_stats","depth":0,"pending":0,"oldest_queued_at":`+empty+`,"workers_polling":0}`), &s))
		require.True(t, s.OldestQueuedAt.IsZero())
	}
}

func TestWorkItemDecode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, json string
		check      func(t *testing.T, w *WorkItem)
	}{
		{"timestamps as RFC 3339", `{"id":"work_1","type":"work","created_at":"2026-11-24T10:05:00Z","acknowledged_at":"2026-11-24T10:05:01Z",` +
			`"started_at":"2026-11-24T10:05:02Z","latest_heartbeat_at":"2026-11-24T10:05:03Z","stop_requested_at":"2026-11-24T10:05:04Z","stopped_at":"2026-11-24T10:05:05Z"}`,
			func(t *testing.T, w *WorkItem) {
				require.Equal(t, parseTS(t, "2026-11-24T10:05:05Z"), w.StoppedAt)
				require.Equal(t, parseTS(t, "2026-11-24T10:05:02Z"), w.StartedAt)
			}},
		{"timestamps as empty strings", `{"id":"work_1","created_at":"","acknowledged_at":"","started_at":"","latest_heartbeat_at":"","stop_requested_at":"","stopped_at":""}`,
			func(t *testing.T, w *WorkItem) { require.True(t, w.CreatedAt.IsZero() && w.StoppedAt.IsZero()) }},
		{"unknown data type kept", `{"id":"work_1","data":{"type":"batch","id":"b_1","mode":"private"},"actor":{"type":"api_key","api_key_id":"k"}}`,
			func(t *testing.T, w *WorkItem) {
				require.Equal(t, WorkDataType("batch"), w.Data.Type)
				require.False(t, w.Data.IsSession() || w.Data.IsHealthcheck())
				require.JSONEq(t, `{"type":"batch","id":"b_1","mode":"private"}`, string(w.Data.RawJSON()))
				require.Contains(t, string(w.RawJSON()), `"actor"`)
			}},
		{"healthcheck", `{"id":"work_1","data":{"type":"healthcheck","id":"hc_1"}}`,
			func(t *testing.T, w *WorkItem) { require.True(t, w.Data.IsHealthcheck()) }},
		{"health_check", `{"id":"work_1","data":{"type":"health_check","id":"hc_1"}}`,
			func(t *testing.T, w *WorkItem) { require.True(t, w.Data.IsHealthcheck()) }},
		{"unknown state kept", `{"id":"work_1","state":"paused"}`,
			func(t *testing.T, w *WorkItem) { require.Equal(t, WorkState("paused"), w.State) }},
		{"secret without token", `{"id":"work_1","secret":"bm90IGpzb24"}`,
			func(t *testing.T, w *WorkItem) {
				require.True(t, w.Secret.IsSet())
				require.False(t, w.Secret.HasSessionsToken())
			}},
		{"escaped secret kept out of the raw JSON", `{"id":"work_1","secret":"eyJ\u007a"}`,
			func(t *testing.T, w *WorkItem) {
				require.Equal(t, "eyJz", w.Secret.Reveal())
				require.NotContains(t, string(w.RawJSON()), `eyJ`)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var w WorkItem
			require.NoError(t, json.Unmarshal([]byte(tc.json), &w))
			tc.check(t, &w)
		})
	}
	var w WorkItem
	err := json.Unmarshal([]byte(`{"id":"work_1","secret":12345678901234}`), &w)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "12345678901234", "a secret of the wrong type is never quoted")
	require.False(t, errors.Is(err, ErrLeaseLost))
}

// Each endpoint sends the credential the reference gives it (self-hosted.md
// §1.1), whatever else the client holds; none but the API key is sent as
// x-api-key; a call with no credential its endpoint takes is refused before
// sending.
func TestWorkCredentials(t *testing.T) {
	t.Parallel()
	item := &WorkItem{Secret: NewWorkSecret("eyJzZXNzaW9uc190b2tlbiI6IkVYQU1QTEUtcGVyLWl0ZW0tc2Vzc2lvbnMtdG9rZW4tbm90LWEtcmVhbC1jcmVkZW50aWFsIn0")}
	noToken := &WorkItem{Secret: NewWorkSecret("bm90IGpzb24")}
	const authToken = "sk-ant-oat-test-token-0123456789"
	apiKey, envKey := "x-api-key "+testAPIKey, "bearer "+testEnvironmentKey
	token, oauth := "bearer "+sampleSessionsToken, "bearer "+authToken
	calls := map[string]func(ctx context.Context, c *Client) error{
		"poll": func(ctx context.Context, c *Client) error {
			_, err := c.Environments.Work.Poll(ctx, "env_1", EnvironmentWorkPollParams{})
			return err
		},
		"ack": func(ctx context.Context, c *Client) error {
			_, err := c.Environments.Work.Ack(ctx, "env_1", "work_1", EnvironmentWorkAckParams{})
			return err
		},
		"list": func(ctx context.Context, c *Client) error {
			_, err := c.Environments.Work.List(ctx, "env_1", EnvironmentWorkListParams{})
			return err
		},
		"heartbeat": func(ctx context.Context, c *Client) error {
			_, err := c.Environments.Work.Heartbeat(ctx, "env_1", "work_1", EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: NoHeartbeat})
			return err
		},
		"stop": func(ctx context.Context, c *Client) error {
			_, err := c.Environments.Work.Stop(ctx, "env_1", "work_1", EnvironmentWorkStopParams{})
			return err
		},
		"get": func(ctx context.Context, c *Client) error {
			_, err := c.Environments.Work.Get(ctx, "env_1", "work_1", EnvironmentWorkGetParams{})
			return err
		},
		"update": func(ctx context.Context, c *Client) error {
			_, err := c.Environments.Work.Update(ctx, "env_1", "work_1", EnvironmentWorkUpdateParams{})
			return err
		},
		"stats": func(ctx context.Context, c *Client) error {
			_, err := c.Environments.Work.Stats(ctx, "env_1", EnvironmentWorkStatsParams{})
			return err
		},
		"session": func(ctx context.Context, c *Client) error {
			_, err := c.Sessions.Get(ctx, "sesn_1", SessionGetParams{})
			return err
		},
		"stream": func(ctx context.Context, c *Client) error {
			s, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{})
			if err != nil {
				return err
			}
			return s.Close()
		},
	}
	const refused = "refused"
	for _, tc := range []struct {
		name  string
		creds []option.RequestOption
		scope *WorkItem
		want  map[string]string
	}{
		{"API key and environment key", []option.RequestOption{option.WithEnvironmentKey(testEnvironmentKey)}, nil, map[string]string{
			"poll": envKey, "ack": envKey, "list": envKey, "heartbeat": envKey, "stop": envKey,
			"get": apiKey, "update": apiKey, "stats": apiKey, "session": apiKey, "stream": apiKey}},
		{"a client for a work item", []option.RequestOption{option.WithEnvironmentKey(testEnvironmentKey)}, item, map[string]string{
			"poll": envKey, "ack": envKey, "list": envKey, "heartbeat": token, "stop": token,
			"get": apiKey, "update": apiKey, "stats": token, "session": token, "stream": token}},
		{"a work item whose secret holds no token", []option.RequestOption{option.WithEnvironmentKey(testEnvironmentKey)}, noToken, map[string]string{
			"poll": envKey, "ack": envKey, "list": envKey, "heartbeat": envKey, "stop": envKey,
			"get": apiKey, "update": apiKey, "stats": envKey, "session": envKey, "stream": envKey}},
		{"API key only", []option.RequestOption{option.WithEnvironmentKey("")}, nil, map[string]string{
			"poll": refused, "ack": refused, "list": refused, "heartbeat": apiKey, "stop": apiKey,
			"get": apiKey, "update": apiKey, "stats": apiKey, "session": apiKey, "stream": apiKey}},
		{"environment key only", []option.RequestOption{option.WithAPIKey(""), option.WithEnvironmentKey(testEnvironmentKey)}, nil, map[string]string{
			"poll": envKey, "ack": envKey, "list": envKey, "heartbeat": envKey, "stop": envKey,
			"get": refused, "update": refused, "stats": envKey, "session": envKey, "stream": envKey}},
		{"a work item, with the item's token only", []option.RequestOption{option.WithAPIKey(""), option.WithEnvironmentKey("")}, item, map[string]string{
			"poll": refused, "ack": refused, "list": refused, "heartbeat": token, "stop": token,
			"get": refused, "update": refused, "stats": token, "session": token, "stream": token}},
		{"auth token", []option.RequestOption{option.WithAuthToken(authToken), option.WithEnvironmentKey("")}, nil, map[string]string{
			"poll": oauth, "ack": oauth, "list": oauth, "heartbeat": oauth, "stop": oauth,
			"get": oauth, "update": oauth, "stats": oauth, "session": oauth, "stream": oauth}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for name, call := range calls {
				c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
					switch name {
					case "session":
						replyJSON(200, string(fixture(t, "sessions/session.json")))(w, r)
					case "stream":
						w.Header().Set("Content-Type", "text/event-stream")
					case "list":
						replyJSON(200, `{"data":[],"next_page":null}`)(w, r)
					case "heartbeat":
						replyJSON(200, string(fixture(t, "work/work_heartbeat.json")))(w, r)
					case "stats":
						replyJSON(200, string(fixture(t, "work/work_stats.json")))(w, r)
					default:
						replyJSON(200, string(fixture(t, "work/work_item.json")))(w, r)
					}
				}, tc.creds...)
				if tc.scope != nil {
					c = c.ForWorkItem(tc.scope)
				}
				err := call(context.Background(), c)
				if tc.want[name] == refused {
					require.ErrorIs(t, err, ErrMissingCredentials, name)
					require.Empty(t, *reqs, "%s: nothing is sent without a credential the endpoint takes", name)
					continue
				}
				require.NoError(t, err, name)
				require.NotEmpty(t, *reqs, name)
				require.Equal(t, tc.want[name], sentCredential(t, (*reqs)[0].Header), name)
			}
		})
	}

	// A refusal names what the endpoint needs.
	c, _ := newTestClient(t, replyJSON(200, "null"), option.WithEnvironmentKey(""))
	_, err := c.Environments.Work.Poll(context.Background(), "env_1", EnvironmentWorkPollParams{})
	require.EqualError(t, err, "managedagents: environments.work.poll needs the environment key (option.WithEnvironmentKey, ANTHROPIC_ENVIRONMENT_KEY) or an auth token; none is set")
	// One call acts for an item with the option.
	c, reqs := workClient(t, replyJSON(200, string(fixture(t, "work/work_heartbeat.json"))))
	_, err = c.Environments.Work.Heartbeat(context.Background(), "env_1", "work_1", EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: NoHeartbeat},
		option.WithWorkItemSecret(item.Secret.Reveal()))
	require.NoError(t, err)
	require.Equal(t, token, sentCredential(t, (*reqs)[0].Header))
}

// NewClient reads the environment key from ANTHROPIC_ENVIRONMENT_KEY.
func TestWorkEnvironmentKeyFromEnvironment(t *testing.T) {
	t.Setenv("ANTHROPIC_ENVIRONMENT_KEY", testEnvironmentKey)
	t.Setenv("ANTHROPIC_API_KEY", "")
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		replyJSON(200, "null")(w, r)
	}))
	t.Cleanup(srv.Close)
	c := NewClient(option.WithBaseURL(srv.URL), option.WithHTTPClient(srv.Client()), option.WithoutLimiter())
	_, err := c.Environments.Work.Poll(context.Background(), "env_1", EnvironmentWorkPollParams{})
	require.NoError(t, err)
	require.Equal(t, "bearer "+testEnvironmentKey, sentCredential(t, got))
}
