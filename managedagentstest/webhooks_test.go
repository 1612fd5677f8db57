package managedagentstest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/webhooks"
)

// webhookEpoch is the frozen clock of the webhook tests.
var webhookEpoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// hookRequest is a webhook delivery as an endpoint received it.
type hookRequest struct {
	Header http.Header
	Body   []byte
}

// hookReceiver is a webhook endpoint that records every request and answers
// with the status its answer function gives for the request's index (200
// when nil).
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []hookRequest
	answer func(n int, w http.ResponseWriter, r *http.Request) int
}

// receive starts an endpoint closed at the end of the test. Start it before
// the fake, so that the fake closes first.
func receive(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request) int) *hookReceiver {
	t.Helper()
	rcv := &hookReceiver{answer: answer}
	rcv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rcv.mu.Lock()
		n := len(rcv.got)
		rcv.got = append(rcv.got, hookRequest{Header: r.Header.Clone(), Body: body})
		rcv.mu.Unlock()
		status := http.StatusOK
		if rcv.answer != nil {
			status = rcv.answer(n, w, r)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rcv.Close)
	return rcv
}

// requests returns what the endpoint received so far.
func (r *hookReceiver) requests() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookRequest(nil), r.got...)
}

// types returns the data.type of every request received, in order.
func (r *hookReceiver) types(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, req := range r.requests() {
		out = append(out, hookType(t, req.Body))
	}
	return out
}

func hookType(t *testing.T, body []byte) string {
	t.Helper()
	var env struct {
		Data struct {
			Type string `json:"type"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &env), "%s", body)
	return env.Data.Type
}

// register registers rcv on srv, failing the test on error.
func register(t *testing.T, srv *managedagentstest.Server, rcv *hookReceiver, secret string, types ...string) string {
	t.Helper()
	id, err := srv.RegisterWebhook(rcv.URL+"/webhooks", secret, types...)
	require.NoError(t, err)
	return id
}

func waitWebhooks(t *testing.T, srv *managedagentstest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitWebhooks(ctx))
}

// The whole life of an agent, an environment and a session, announced once
// each, signed, in order, with the envelope and data of the reference.
func TestWebhooksAnnounceEveryStateChange(t *testing.T) {
	t.Parallel()
	rcv := receive(t, nil)
	srv := start(t, managedagentstest.WithClock(webhookEpoch))
	secret := webhooks.GenerateSecret()
	endpoint := register(t, srv, rcv, secret)

	aid, eid, sid := setup(t, srv, nil)
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("hi"))
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	ok(t, srv, "POST", "/v1/sessions/"+sid, map[string]any{"title": "renamed"})
	ok(t, srv, "POST", "/v1/sessions/"+sid, map[string]any{"title": "renamed"}) // no change: no event
	ok(t, srv, "POST", "/v1/agents/"+aid, map[string]any{"system": "Be brief."})
	ok(t, srv, "POST", "/v1/agents/"+aid, map[string]any{"system": "Be brief."}) // no new version: no event
	ok(t, srv, "POST", "/v1/environments/"+eid, map[string]any{"description": "d"})
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/archive", nil)
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/archive", nil) // archived already: no event
	ok(t, srv, "DELETE", "/v1/sessions/"+sid, nil)
	ok(t, srv, "POST", "/v1/agents/"+aid+"/archive", nil)
	ok(t, srv, "POST", "/v1/environments/"+eid+"/archive", nil)
	ok(t, srv, "DELETE", "/v1/environments/"+eid, nil)
	waitWebhooks(t, srv)

	want := []struct{ typ, id string }{
		{"agent.created", aid}, {"environment.created", eid}, {"session.created", sid},
		{"session.status_run_started", sid}, {"session.running", sid},
		{"session.status_idled", sid}, {"session.idled", sid},
		{"session.updated", sid}, {"agent.updated", aid}, {"environment.updated", eid},
		{"session.status_terminated", sid}, {"session.archived", sid}, {"session.deleted", sid},
		{"agent.archived", aid}, {"environment.archived", eid}, {"environment.deleted", eid},
	}
	got := rcv.requests()
	require.Equal(t, len(want), len(got), "received %v", rcv.types(t))
	verifier, err := webhooks.NewVerifier(secret, webhooks.WithNow(srv.Now))
	require.NoError(t, err)
	seen := map[string]bool{}
	for i, req := range got {
		ev, err := verifier.VerifyEvent(req.Body, req.Header)
		require.NoError(t, err, "delivery %d", i)
		require.Equal(t, want[i].typ, ev.EventType(), "delivery %d", i)
		obj, found := webhooks.ObjectOf(ev)
		require.True(t, found)
		require.Equal(t, want[i].id, obj.ID)
		require.Equal(t, "application/json", req.Header.Get("Content-Type"))
		msgID := req.Header.Get(webhooks.HeaderID)
		require.True(t, strings.HasPrefix(msgID, "msg_"), msgID)
		require.True(t, strings.HasPrefix(ev.EventID(), "whe_"), ev.EventID())
		require.False(t, seen[msgID], "webhook-id %s sent for two events", msgID)
		seen[msgID] = true
		require.Equal(t, webhookEpoch, ev.EventCreatedAt())

		var body map[string]any
		require.NoError(t, json.Unmarshal(req.Body, &body))
		require.Equal(t, []string{"created_at", "data", "id", "type"}, keys(body))
		require.Equal(t, "event", body["type"])
		require.Equal(t, map[string]any{"type": want[i].typ, "id": want[i].id,
			"organization_id": managedagentstest.OrganizationID, "workspace_id": managedagentstest.WorkspaceID}, body["data"])
	}

	log := srv.WebhookDeliveries()
	require.Len(t, log, len(want))
	for i, d := range log {
		require.Equal(t, endpoint, d.EndpointID)
		require.Equal(t, want[i].typ, d.Type)
		require.Equal(t, managedagentstest.WebhookDelivered, d.State)
		require.Equal(t, got[i].Header.Get(webhooks.HeaderID), d.MessageID)
		require.JSONEq(t, string(got[i].Body), string(d.Body))
		require.Equal(t, []managedagentstest.WebhookAttempt{{Time: webhookEpoch, Status: 200}}, d.Attempts)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// An endpoint gets the types it subscribed to; an event that two endpoints
// get has one webhook-id and one body.
func TestWebhooksGoToSubscribedEndpointsOnly(t *testing.T) {
	t.Parallel()
	documented, official := receive(t, nil), receive(t, nil)
	srv := start(t, managedagentstest.WithClock(webhookEpoch))
	register(t, srv, documented, webhooks.GenerateSecret(), webhooks.TypeSessionStatusRunStarted, webhooks.TypeSessionStatusIdled)
	register(t, srv, official, webhooks.GenerateSecret(), webhooks.TypeSessionRunning, webhooks.TypeSessionIdled, webhooks.TypeSessionStatusIdled)

	_, _, sid := setup(t, srv, nil)
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("hi"))
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	waitWebhooks(t, srv)

	require.Equal(t, []string{"session.status_run_started", "session.status_idled"}, documented.types(t))
	require.Equal(t, []string{"session.running", "session.status_idled", "session.idled"}, official.types(t))
	a, b := documented.requests()[1], official.requests()[1]
	require.Equal(t, a.Header.Get(webhooks.HeaderID), b.Header.Get(webhooks.HeaderID))
	require.Equal(t, a.Body, b.Body)
	require.NotEqual(t, a.Header.Get(webhooks.HeaderSignature), b.Header.Get(webhooks.HeaderSignature), "each endpoint has its secret")
}

// What scripts do becomes webhooks too: a wait for a custom tool, the budget
// (once per budget value), a reschedule, an outcome evaluation, a termination.
func TestWebhooksOfScriptedStatuses(t *testing.T) {
	t.Parallel()
	rcv := receive(t, nil)
	srv := start(t, managedagentstest.WithClock(webhookEpoch))
	register(t, srv, rcv, webhooks.GenerateSecret(),
		webhooks.TypeSessionRequiresAction, webhooks.TypeSessionBudgetReached, webhooks.TypeSessionStatusRescheduled,
		webhooks.TypeSessionOutcomeEvaluationEnded, webhooks.TypeSessionStatusTerminated)

	turns := make(chan func(*managedagentstest.Turn), 1)
	agent := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "A", "model": "m",
		"tools": []any{map[string]any{"type": "custom", "name": "lookup", "description": "d", "input_schema": map[string]any{"type": "object"}}}})
	aid := agent["id"].(string)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) { (<-turns)(turn) })
	eid := ok(t, srv, "POST", "/v1/environments", map[string]any{"name": "e"})["id"].(string)
	budget := func(cents string) map[string]any {
		return map[string]any{"type": "limit", "max_list_cost": map[string]any{"amount": cents, "currency": "USD"}}
	}
	sid := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": aid, "environment_id": eid, "budget": budget("100")})["id"].(string)
	settle := func() {
		t.Helper()
		_, err := srv.WaitIdle(context.Background(), sid)
		require.NoError(t, err)
	}
	play := func(script func(*managedagentstest.Turn)) {
		t.Helper()
		turns <- script
		ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
		settle()
	}

	play(func(turn *managedagentstest.Turn) {
		turn.Emit(map[string]any{"type": "session.status_rescheduled"})
		turn.Emit(map[string]any{"type": "session.status_running"})
		if _, err := turn.CallCustomTool("lookup", map[string]any{}); err != nil { // idle requires_action
			return
		}
		turn.Emit(map[string]any{"type": "span.outcome_evaluation_end"})
		turn.Emit(map[string]any{"type": "session.status_idle", "stop_reason": map[string]any{"type": "budget_reached"}})
		turn.Emit(map[string]any{"type": "session.status_idle", "stop_reason": map[string]any{"type": "budget_reached"}})
	})
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{map[string]any{
		"type": "user.custom_tool_result", "custom_tool_use_id": lastEventID(t, srv, sid, "agent.custom_tool_use")}}})
	settle()
	ok(t, srv, "POST", "/v1/sessions/"+sid, map[string]any{"budget": budget("200")}) // re-arms budget_reached
	play(func(turn *managedagentstest.Turn) { turn.Idle("budget_reached") })
	ok(t, srv, "POST", "/v1/sessions/"+sid, map[string]any{"budget": budget("300")})
	play(func(turn *managedagentstest.Turn) { turn.Terminate() })
	waitWebhooks(t, srv)

	require.Equal(t, []string{"session.status_rescheduled", "session.requires_action", "session.outcome_evaluation_ended",
		"session.budget_reached", "session.budget_reached", "session.status_terminated"}, rcv.types(t))
}

// lastEventID returns the id of the session's last event of type typ.
func lastEventID(t *testing.T, srv *managedagentstest.Server, sessionID, typ string) string {
	t.Helper()
	id := ""
	for _, raw := range srv.Events(sessionID) {
		var ev struct{ ID, Type string }
		require.NoError(t, json.Unmarshal(raw, &ev))
		if ev.Type == typ {
			id = ev.ID
		}
	}
	require.NotEmpty(t, id, "no %s event", typ)
	return id
}

// A multiagent session announces its child threads: data.id is the session,
// session_thread_id the thread; archiving a thread that did not terminate
// announces its end too.
func TestWebhooksOfThreads(t *testing.T) {
	t.Parallel()
	rcv := receive(t, nil)
	srv := start(t, managedagentstest.WithClock(webhookEpoch))
	register(t, srv, rcv, webhooks.GenerateSecret(), webhooks.TypeSessionThreadCreated, webhooks.TypeSessionThreadIdled,
		webhooks.TypeSessionThreadTerminated)
	helper := ok(t, srv, "POST", "/v1/agents", map[string]any{"name": "Helper", "model": "m"})["id"].(string)
	aid, _, sid := setup(t, srv, map[string]any{"multiagent": map[string]any{"type": "coordinator", "agents": []any{helper}}})
	threads := make(chan string, 2)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		ended, idle := turn.StartThread(helper), turn.StartThread(helper)
		threads <- ended.ID()
		threads <- idle.ID()
		ended.Terminate()
		idle.Idle()
	})
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	ended, idle := <-threads, <-threads
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/threads/"+ended+"/archive", nil) // terminated already: no event
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/threads/"+idle+"/archive", nil)
	waitWebhooks(t, srv)

	var got []string
	for _, req := range rcv.requests() {
		ev, err := webhooks.DecodeEvent(req.Body)
		require.NoError(t, err)
		obj, _ := webhooks.ObjectOf(ev)
		require.Equal(t, sid, obj.ParentID)
		got = append(got, ev.EventType()+" "+obj.ID)
	}
	require.Equal(t, []string{
		"session.thread_created " + ended, "session.thread_created " + idle,
		"session.thread_terminated " + ended, "session.thread_idled " + idle,
		"session.thread_terminated " + idle,
	}, got)
}

// A failed attempt (any answer but a 2xx, 409 and 3xx included) is retried
// after the backoff, on the server's clock, with the same webhook-id, envelope
// and body, signed anew at the time of the attempt; the delivery is given up
// after the last retry.
func TestWebhooksRetryOnTheServersClock(t *testing.T) {
	t.Parallel()
	statuses := []int{500, 409, 302, 200}
	rcv := receive(t, func(n int, w http.ResponseWriter, _ *http.Request) int {
		w.Header().Set("Location", "/elsewhere") // a 3xx is an answer, never followed
		return statuses[n]
	})
	srv := start(t, managedagentstest.WithClock(webhookEpoch))
	secret := webhooks.GenerateSecret()
	register(t, srv, rcv, secret, webhooks.TypeAgentCreated)
	srv.Call("POST", "/v1/agents", map[string]any{"name": "A", "model": "m"})

	attempts := func() []managedagentstest.WebhookAttempt {
		t.Helper()
		waitWebhooks(t, srv)
		log := srv.WebhookDeliveries()
		require.Len(t, log, 1)
		return log[0].Attempts
	}
	require.Len(t, attempts(), 1)
	srv.AdvanceClock(5*time.Second - time.Millisecond)
	require.Len(t, attempts(), 1, "retried before the backoff")
	srv.AdvanceClock(time.Millisecond)
	require.Len(t, attempts(), 2)
	srv.AdvanceClock(5 * time.Minute)
	require.Len(t, attempts(), 3)
	srv.AdvanceClock(30 * time.Minute)
	got := attempts()
	require.Equal(t, []managedagentstest.WebhookAttempt{
		{Time: webhookEpoch, Status: 500},
		{Time: webhookEpoch.Add(5 * time.Second), Status: 409},
		{Time: webhookEpoch.Add(5*time.Second + 5*time.Minute), Status: 302},
		{Time: webhookEpoch.Add(5*time.Second + 35*time.Minute), Status: 200},
	}, got)
	require.Equal(t, managedagentstest.WebhookDelivered, srv.WebhookDeliveries()[0].State)

	reqs := rcv.requests()
	require.Len(t, reqs, 4, "a redirect was followed")
	for i, req := range reqs {
		require.Equal(t, reqs[0].Header.Get(webhooks.HeaderID), req.Header.Get(webhooks.HeaderID))
		require.Equal(t, reqs[0].Body, req.Body)
		verifier, err := webhooks.NewVerifier(secret, webhooks.WithNow(func() time.Time { return got[i].Time }))
		require.NoError(t, err)
		require.NoError(t, verifier.Verify(req.Body, req.Header), "attempt %d", i)
		require.Equal(t, strconv.FormatInt(got[i].Time.Unix(), 10), req.Header.Get(webhooks.HeaderTimestamp))
	}
}

func TestWebhooksGiveUpAfterTheLastRetry(t *testing.T) {
	t.Parallel()
	rcv := receive(t, func(int, http.ResponseWriter, *http.Request) int { return http.StatusServiceUnavailable })
	srv := start(t, managedagentstest.WithClock(webhookEpoch), managedagentstest.WithWebhookBackoff(time.Second, time.Minute))
	register(t, srv, rcv, webhooks.GenerateSecret())
	srv.Call("POST", "/v1/agents", map[string]any{"name": "A", "model": "m"})
	waitWebhooks(t, srv)
	srv.AdvanceClock(time.Second)
	waitWebhooks(t, srv)
	require.Equal(t, managedagentstest.WebhookPending, srv.WebhookDeliveries()[0].State)
	srv.AdvanceClock(time.Hour)
	waitWebhooks(t, srv)
	srv.AdvanceClock(time.Hour)
	waitWebhooks(t, srv)
	d := srv.WebhookDeliveries()[0]
	require.Equal(t, managedagentstest.WebhookFailed, d.State)
	require.Len(t, d.Attempts, 3)
	require.Len(t, rcv.requests(), 3)
}

// An endpoint that does not answer in time fails the attempt, as one that
// cannot be reached does.
func TestWebhooksTimeOutAndUnreachableEndpointsFail(t *testing.T) {
	t.Parallel()
	slow := receive(t, func(_ int, _ http.ResponseWriter, r *http.Request) int {
		<-r.Context().Done() // the sender hung up
		return http.StatusOK
	})
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	srv := start(t, managedagentstest.WithWebhookTimeout(20*time.Millisecond), managedagentstest.WithWebhookBackoff())
	register(t, srv, slow, webhooks.GenerateSecret())
	_, err := srv.RegisterWebhook(gone.URL, webhooks.GenerateSecret())
	require.NoError(t, err)
	srv.Call("POST", "/v1/agents", map[string]any{"name": "A", "model": "m"})
	waitWebhooks(t, srv)
	for _, d := range srv.WebhookDeliveries() {
		require.Equal(t, managedagentstest.WebhookFailed, d.State)
		require.Len(t, d.Attempts, 1)
		require.Zero(t, d.Attempts[0].Status)
		require.Error(t, d.Attempts[0].Err)
	}
}

// Faults: a duplicate after the first 2xx, a delay on the server's clock, a
// swap with the next delivery.
func TestWebhookFaults(t *testing.T) {
	t.Parallel()
	rcv := receive(t, nil)
	srv := start(t, managedagentstest.WithClock(webhookEpoch))
	register(t, srv, rcv, webhooks.GenerateSecret(), webhooks.TypeAgentCreated)
	create := func(name string) {
		t.Helper()
		status, body := srv.Call("POST", "/v1/agents", map[string]any{"name": name, "model": "m"})
		require.Equal(t, 200, status, "%s", body)
	}
	names := func() []string {
		t.Helper()
		waitWebhooks(t, srv)
		var out []string
		for _, req := range rcv.requests() {
			out = append(out, req.Header.Get(webhooks.HeaderID))
		}
		return out
	}
	messageIDs := func() []string {
		var out []string
		for _, d := range srv.WebhookDeliveries() {
			out = append(out, d.MessageID)
		}
		return out
	}

	srv.AddWebhookFault(managedagentstest.WebhookFault{Kind: managedagentstest.WebhookDuplicate})
	create("dup")
	ids := messageIDs()
	require.Equal(t, []string{ids[0], ids[0]}, names())
	d := srv.WebhookDeliveries()[0]
	require.Equal(t, managedagentstest.WebhookDelivered, d.State)
	require.Equal(t, []managedagentstest.WebhookAttempt{{Time: webhookEpoch, Status: 200},
		{Time: webhookEpoch, Status: 200, Duplicate: true}}, d.Attempts)

	srv.AddWebhookFault(managedagentstest.WebhookFault{Kind: managedagentstest.WebhookDelay, Delay: time.Minute})
	create("late")
	create("on time")
	ids = messageIDs()
	require.Equal(t, []string{ids[0], ids[0], ids[2]}, names(), "the delayed delivery went first")
	srv.AdvanceClock(time.Minute)
	require.Equal(t, []string{ids[0], ids[0], ids[2], ids[1]}, names())

	srv.AddWebhookFault(managedagentstest.WebhookFault{Kind: managedagentstest.WebhookReorder})
	create("second")
	require.Len(t, names(), 4, "the held delivery went out alone")
	create("first")
	ids = messageIDs()
	require.Equal(t, []string{ids[0], ids[0], ids[2], ids[1], ids[4], ids[3]}, names())
}

// A fault of a type waits for a delivery of that type.
func TestWebhookFaultOfAType(t *testing.T) {
	t.Parallel()
	rcv := receive(t, nil)
	srv := start(t, managedagentstest.WithClock(webhookEpoch))
	register(t, srv, rcv, webhooks.GenerateSecret())
	srv.AddWebhookFault(managedagentstest.WebhookFault{Kind: managedagentstest.WebhookDuplicate, Type: webhooks.TypeEnvironmentCreated})
	srv.Call("POST", "/v1/agents", map[string]any{"name": "A", "model": "m"})
	srv.Call("POST", "/v1/environments", map[string]any{"name": "e"})
	waitWebhooks(t, srv)
	require.Equal(t, []string{"agent.created", "environment.created", "environment.created"}, rcv.types(t))
}

func TestRegisterWebhookRefusesBadInput(t *testing.T) {
	t.Parallel()
	srv := managedagentstest.NewServer()
	secret := webhooks.GenerateSecret()
	for _, u := range []string{"", "example.com/hook", "ftp://example.com/hook", "http://", "http://[::1"} {
		_, err := srv.RegisterWebhook(u, secret)
		require.ErrorContains(t, err, "not an http or https URL", u)
	}
	bad := "whsec_not*base64-but-long-enough-to-be-a-secret"
	_, err := srv.RegisterWebhook("http://127.0.0.1:1/hook", bad)
	require.ErrorIs(t, err, webhooks.ErrInvalidSecret)
	require.NotContains(t, err.Error(), "long-enough", "the error shows the secret")
	_, err = srv.RegisterWebhook("http://127.0.0.1:1/hook", secret, webhooks.TypeSessionIdled, "session.status_idle")
	require.ErrorContains(t, err, `unknown webhook event type "session.status_idle"`)
	require.Empty(t, srv.WebhookDeliveries())
	srv.Close()
	_, err = srv.RegisterWebhook("http://127.0.0.1:1/hook", secret)
	require.ErrorContains(t, err, "closed")
}

// Close stops the deliveries, the one in flight included, and WaitWebhooks
// with them; the package's TestMain checks that no goroutine is left.
func TestCloseStopsWebhookDeliveries(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 1)
	rcv := receive(t, func(_ int, _ http.ResponseWriter, r *http.Request) int {
		arrived <- struct{}{}
		<-r.Context().Done()
		return http.StatusOK
	})
	srv := managedagentstest.NewServer()
	register(t, srv, rcv, webhooks.GenerateSecret())
	srv.Call("POST", "/v1/agents", map[string]any{"name": "A", "model": "m"})
	<-arrived
	waited := make(chan error, 1)
	go func() { waited <- srv.WaitWebhooks(context.Background()) }()
	srv.Close()
	require.ErrorIs(t, <-waited, managedagentstest.ErrClosed)
	require.Equal(t, managedagentstest.WebhookPending, srv.WebhookDeliveries()[0].State)
}
