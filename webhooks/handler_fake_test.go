package webhooks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/webhooks"
)

// fakeEpoch is the frozen clock of the fake in the end-to-end tests.
var fakeEpoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// seen counts the events a handler's function was called with, by envelope
// id, and keeps their types in order.
type seen struct {
	mu    sync.Mutex
	count map[string]int
	types []string
}

func (s *seen) add(ev webhooks.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.count == nil {
		s.count = map[string]int{}
	}
	s.count[ev.EventID()]++
	s.types = append(s.types, ev.EventType())
}

func (s *seen) snapshot() (map[string]int, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := make(map[string]int, len(s.count))
	for k, v := range s.count {
		counts[k] = v
	}
	return counts, append([]string(nil), s.types...)
}

// serve starts h on a server closed at the end of the test (after the fake,
// when started before it).
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL + "/webhooks/anthropic"
}

// newSession creates an agent, an environment and a session with client.
func newSession(t *testing.T, client *managedagents.Client) (*managedagents.Agent, *managedagents.Environment, *managedagents.Session) {
	t.Helper()
	ctx := t.Context()
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "A", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
	require.NoError(t, err)
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "e"})
	require.NoError(t, err)
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	require.NoError(t, err)
	return agent, env, session
}

func waitWebhooks(t *testing.T, srv *managedagentstest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitWebhooks(ctx))
}

// The fake's deliveries reach a user's handler, duplicates included, and the
// function runs once per event, fetching the session each one names.
func TestHandlerOnTheFakeRunsOncePerEvent(t *testing.T) {
	t.Parallel()
	var got seen
	srv := managedagentstest.NewServer(managedagentstest.WithClock(fakeEpoch))
	t.Cleanup(srv.Close)
	getters := webhooks.NewGetters(srv.Client())
	secret := webhooks.GenerateSecret()
	verifier, err := webhooks.NewVerifier(secret, webhooks.WithNow(srv.Now)) // the fake signs with its frozen clock
	require.NoError(t, err)
	url := serve(t, webhooks.NewHandler(verifier, func(ctx context.Context, ev webhooks.Event) error {
		obj, err := getters.Fetch(ctx, ev)
		if err != nil {
			return err
		}
		if _, ok := obj.(*managedagents.Session); !ok {
			t.Errorf("%s: fetched %T", ev.EventType(), obj)
		}
		got.add(ev)
		return nil
	}))
	_, err = srv.RegisterWebhook(url, secret, webhooks.TypeSessionCreated, webhooks.TypeSessionStatusRunStarted,
		webhooks.TypeSessionStatusIdled)
	require.NoError(t, err)
	for range 3 {
		srv.AddWebhookFault(managedagentstest.WebhookFault{Kind: managedagentstest.WebhookDuplicate})
	}

	c := srv.Client()
	_, _, session := newSession(t, c)
	_, err = c.Sessions.RunTurn(t.Context(), session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("hi")}})
	require.NoError(t, err)
	waitWebhooks(t, srv)

	counts, types := got.snapshot()
	require.Equal(t, []string{"session.created", "session.status_run_started", "session.status_idled"}, types)
	for id, n := range counts {
		require.Equal(t, 1, n, "event %s processed %d times", id, n)
	}
	log := srv.WebhookDeliveries()
	require.Len(t, log, 3)
	for _, d := range log {
		require.Equal(t, managedagentstest.WebhookDelivered, d.State)
		require.Len(t, d.Attempts, 2, "%s: the duplicate was not sent", d.Type)
		require.True(t, d.Attempts[1].Duplicate)
		require.Equal(t, http.StatusOK, d.Attempts[1].Status, "a processed duplicate is acknowledged")
	}
}

// A handler with the wrong secret answers 401 and processes nothing; the fake
// retries; once the handler has the right secret, the retry gets through.
func TestHandlerRefusesTheWrongSecretAndTheFakeRetries(t *testing.T) {
	t.Parallel()
	var got seen
	var h atomic.Pointer[http.Handler]
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*h.Load()).ServeHTTP(w, r) }))
	srv := managedagentstest.NewServer(managedagentstest.WithClock(fakeEpoch))
	t.Cleanup(srv.Close)
	withSecret := func(secret string) {
		verifier, err := webhooks.NewVerifier(secret, webhooks.WithNow(srv.Now))
		require.NoError(t, err)
		var handler http.Handler = webhooks.NewHandler(verifier, func(_ context.Context, ev webhooks.Event) error {
			got.add(ev)
			return nil
		})
		h.Store(&handler)
	}
	secret := webhooks.GenerateSecret()
	withSecret(webhooks.GenerateSecret()) // not the endpoint's
	_, err := srv.RegisterWebhook(url, secret, webhooks.TypeAgentCreated)
	require.NoError(t, err)
	srv.Call("POST", "/v1/agents", map[string]any{"name": "A", "model": "m"})

	waitWebhooks(t, srv)
	srv.AdvanceClock(5 * time.Second)
	waitWebhooks(t, srv)
	attempts := srv.WebhookDeliveries()[0].Attempts
	require.Len(t, attempts, 2)
	require.Equal(t, http.StatusUnauthorized, attempts[0].Status)
	require.Equal(t, http.StatusUnauthorized, attempts[1].Status)
	counts, _ := got.snapshot()
	require.Empty(t, counts)

	withSecret(secret)
	srv.AdvanceClock(5 * time.Minute)
	waitWebhooks(t, srv)
	d := srv.WebhookDeliveries()[0]
	require.Equal(t, managedagentstest.WebhookDelivered, d.State)
	require.Equal(t, http.StatusOK, d.Attempts[2].Status)
	counts, types := got.snapshot()
	require.Equal(t, map[string]int{d.EventID: 1}, counts)
	require.Equal(t, []string{"agent.created"}, types)
}

// A verifier on the real clock refuses what a fake with a frozen clock long
// ago signs: the reason to give it webhooks.WithNow(srv.Now).
func TestHandlerRefusesTheFakesStaleTimestamps(t *testing.T) {
	t.Parallel()
	secret := webhooks.GenerateSecret()
	verifier, err := webhooks.NewVerifier(secret) // the real clock
	require.NoError(t, err)
	var called atomic.Bool
	url := serve(t, webhooks.NewHandler(verifier, func(context.Context, webhooks.Event) error { called.Store(true); return nil }))
	srv := managedagentstest.NewServer(managedagentstest.WithClock(time.Now().Add(-time.Hour)), managedagentstest.WithWebhookBackoff())
	t.Cleanup(srv.Close)
	_, err = srv.RegisterWebhook(url, secret)
	require.NoError(t, err)
	srv.Call("POST", "/v1/agents", map[string]any{"name": "A", "model": "m"})
	waitWebhooks(t, srv)
	d := srv.WebhookDeliveries()[0]
	require.Equal(t, managedagentstest.WebhookFailed, d.State)
	require.Equal(t, http.StatusUnauthorized, d.Attempts[0].Status)
	require.False(t, called.Load())
}
