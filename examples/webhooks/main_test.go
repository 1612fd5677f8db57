package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/webhooks"
)

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := demo(t.Context(), &out); err != nil {
		t.Fatalf("demo: %v\noutput:\n%s", err, out.String())
	}
	want := regexp.MustCompile(`^sesn_\w+ went idle\. The agent said: The capital of France is Paris\.\n$`)
	if !want.MatchString(out.String()) {
		t.Errorf("output:\n%s\nwant %s", out.String(), want)
	}
}

// syncBuffer is a bytes.Buffer safe for the handler's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The server of the real mode, with the fake in the API's place: every
// idle of a session prints its last agent message once, duplicates and
// events of other types are acknowledged, a session running again or deleted
// since its event is left alone, and Ctrl-C ends serve with
// context.Canceled (exit status 130).
func TestServeOnTheFake(t *testing.T) {
	api := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		turn.Message("Reply to: " + turn.Text())
	}))
	defer api.Close()
	client := api.Client()
	secret := webhooks.GenerateSecret()
	verifier, err := webhooks.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, ln, newHandler(client, verifier, &out, slog.New(slog.DiscardHandler), nil))
	}()
	if _, err := api.RegisterWebhook("http://"+ln.Addr().String()+webhookPath, secret); err != nil { // every type
		t.Fatal(err)
	}
	api.AddWebhookFault(managedagentstest.WebhookFault{Kind: managedagentstest.WebhookDuplicate, Type: webhooks.TypeSessionStatusIdled})

	newSession := sessionMaker(t, client)
	session := newSession()
	for _, text := range []string{"one", "two"} {
		if _, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
			Events: []managedagents.EventParam{managedagents.NewUserMessage(text)}}); err != nil {
			t.Fatal(err)
		}
		if err := api.WaitWebhooks(ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := session.ID + " went idle. The agent said: Reply to: one\n" +
		session.ID + " went idle. The agent said: Reply to: two\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	for _, d := range api.WebhookDeliveries() {
		if d.State != managedagentstest.WebhookDelivered {
			t.Errorf("%s: %v, attempts %+v", d.Type, d.State, d.Attempts)
		}
	}

	cancel()
	if err := <-served; !errors.Is(err, context.Canceled) {
		t.Errorf("serve after Ctrl-C: %v, want context.Canceled", err)
	}
}

// An event that arrives once its session has moved on prints nothing: a late
// idle of a running session, an idle of a deleted one.
func TestHandlerActsOnTheCurrentState(t *testing.T) {
	started := make(chan struct{})
	api := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		close(started)
		_ = turn.Wait(time.Minute) // running until interrupted
	}))
	defer api.Close()
	client := api.Client()
	ctx := t.Context()
	newSession := sessionMaker(t, client)
	running, deleted := newSession().ID, newSession().ID
	if _, err := client.Sessions.Events.Send(ctx, running, managedagents.SessionEventSendParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("go")}}); err != nil {
		t.Fatal(err)
	}
	<-started
	if _, err := client.Sessions.Delete(ctx, deleted, managedagents.SessionDeleteParams{}); err != nil {
		t.Fatal(err)
	}

	secret := webhooks.GenerateSecret()
	verifier, err := webhooks.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	h := newHandler(client, verifier, &out, slog.New(slog.DiscardHandler), nil)
	for i, id := range []string{running, deleted} {
		status := deliver(t, h, secret, "msg_"+id, idled(id))
		if status != http.StatusOK {
			t.Errorf("delivery %d: %d", i, status)
		}
	}
	if out.Len() > 0 {
		t.Errorf("printed %q", out.String())
	}
}

// A delivery signed with another secret is refused with 401 and not
// processed.
func TestHandlerRefusesAnotherSecret(t *testing.T) {
	verifier, err := webhooks.NewVerifier(webhooks.GenerateSecret())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	h := newHandler(nil, verifier, &out, slog.New(slog.DiscardHandler), nil) // the client is never reached
	if status := deliver(t, h, webhooks.GenerateSecret(), "msg_1", idled("sesn_1")); status != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", status)
	}
}

// sessionMaker creates an agent and an environment, and returns a function
// that creates a session of them.
func sessionMaker(t *testing.T, client *managedagents.Client) func() *managedagents.Session {
	t.Helper()
	ctx := t.Context()
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "A", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
	if err != nil {
		t.Fatal(err)
	}
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "e"})
	if err != nil {
		t.Fatal(err)
	}
	return func() *managedagents.Session {
		t.Helper()
		s, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// idled is the body of a session.status_idled event for sessionID.
func idled(sessionID string) string {
	return `{"type":"event","id":"whe_` + sessionID + `","created_at":"2026-11-24T12:00:04Z","data":{"type":"session.status_idled",` +
		`"id":"` + sessionID + `","organization_id":"org_1","workspace_id":"wrkspc_1"}}`
}

// deliver posts body to h as a delivery signed with secret, and returns the
// status of the answer.
func deliver(t *testing.T, h http.Handler, secret, msgID, body string) int {
	t.Helper()
	header, err := webhooks.Sign(secret, msgID, time.Now(), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, webhookPath, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}
