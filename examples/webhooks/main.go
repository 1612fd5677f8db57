// Command webhooks receives the webhooks of Claude Managed Agents: each time a
// session goes idle (session.status_idled), it fetches the session and prints
// the last message of its agent. Deliveries are verified before anything else,
// processed once each (a retried delivery is acknowledged, not processed
// again), and a session that has moved on since the event is left alone.
//
// With ANTHROPIC_API_KEY set, it listens on -addr for deliveries to
// /webhooks/anthropic, verified with the endpoint's signing secret
// (ANTHROPIC_WEBHOOK_SIGNING_KEY, "whsec_…"), until Ctrl-C. Put it behind a
// public HTTPS URL and register that URL in the Console (Manage > Webhooks),
// subscribed to session.status_idled.
//
// Without a key it runs on the in-memory fake of managedagentstest: it serves
// on a local port, registers that URL with the fake, runs one turn of a
// session, prints what the handler printed when the session went idle, and
// exits.
//
// Exit status: 0, 1 after an error, 2 on a usage error, 130 after Ctrl-C.
//
//	go run ./examples/webhooks
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/webhooks"
)

// webhookPath is where deliveries are received.
const webhookPath = "/webhooks/anthropic"

func main() { os.Exit(exitCode()) }

// exitCode runs the example and returns its exit status.
func exitCode() int {
	addr := flag.String("addr", ":8080", "the `address` to listen on for deliveries (with ANTHROPIC_API_KEY)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "webhooks: unexpected arguments:", flag.Args())
		return 2
	}

	// Ctrl-C (or SIGTERM) cancels ctx; a second Ctrl-C kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	var err error
	if os.Getenv("ANTHROPIC_API_KEY") == "" {
		fmt.Fprintln(os.Stderr, "ANTHROPIC_API_KEY is not set: running on the in-memory fake")
		err = demo(ctx, os.Stdout)
	} else {
		secret := os.Getenv("ANTHROPIC_WEBHOOK_SIGNING_KEY")
		if secret == "" {
			fmt.Fprintln(os.Stderr, "webhooks: set ANTHROPIC_WEBHOOK_SIGNING_KEY to the endpoint's signing secret (whsec_…)")
			return 2
		}
		err = listen(ctx, *addr, managedagents.NewClient(), secret) // reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL
	}
	switch {
	case err == nil:
		return 0
	case ctx.Err() != nil:
		return 130
	}
	fmt.Fprintln(os.Stderr, "webhooks:", err)
	return 1
}

// listen receives the deliveries of a real endpoint on addr until ctx ends.
func listen(ctx context.Context, addr string, client *managedagents.Client, secret string) error {
	verifier, err := webhooks.NewVerifier(secret)
	if err != nil {
		return fmt.Errorf("ANTHROPIC_WEBHOOK_SIGNING_KEY: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "listening on %s%s\n", ln.Addr(), webhookPath)
	// Refused deliveries are logged: a wrong secret shows there first.
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	return serve(ctx, ln, newHandler(client, verifier, os.Stdout, logger, nil))
}

// newHandler returns the endpoint: it verifies each delivery and, for each
// session that went idle, prints the last message of its agent to out, then
// calls onIdle (if not nil) with the session's id.
func newHandler(client *managedagents.Client, verifier *webhooks.Verifier, out io.Writer, logger *slog.Logger,
	onIdle func(sessionID string)) http.Handler {
	getters := webhooks.NewGetters(client)
	var mu sync.Mutex // deliveries run concurrently; their lines must not mix
	handler := webhooks.NewHandler(verifier, func(ctx context.Context, ev webhooks.Event) error {
		if _, ok := ev.(*webhooks.SessionStatusIdledEvent); !ok {
			return nil // acknowledge the other types: a refusal would only bring them back
		}
		// The payload names the session; its state is fetched, since the
		// event may be late: the session may be running again, or gone.
		obj, err := getters.Fetch(ctx, ev)
		if errors.Is(err, managedagents.ErrNotFound) {
			return nil // deleted since
		}
		if err != nil {
			return err // answered 500: the delivery comes again later
		}
		session := obj.(*managedagents.Session)
		if session.Status != managedagents.SessionStatusIdle {
			return nil // running again: its next idle brings another event
		}
		text, err := lastAgentMessage(ctx, client, session.ID)
		if err != nil {
			return err
		}
		mu.Lock()
		fmt.Fprintf(out, "%s went idle. The agent said: %s\n", session.ID, text)
		mu.Unlock()
		if onIdle != nil {
			onIdle(session.ID)
		}
		return nil
	}, webhooks.WithLogger(logger))
	mux := http.NewServeMux()
	mux.Handle(webhookPath, handler)
	return mux
}

// lastAgentMessage returns the text of the session's last agent.message.
func lastAgentMessage(ctx context.Context, client *managedagents.Client, sessionID string) (string, error) {
	page, err := client.Sessions.Events.List(ctx, sessionID, managedagents.SessionEventListParams{
		Types: []managedagents.EventType{managedagents.EventTypeAgentMessage},
		Order: managedagents.OrderDesc,
		Limit: 1,
	})
	if err != nil {
		return "", fmt.Errorf("listing the messages of %s: %w", sessionID, err)
	}
	if len(page.Data) == 0 {
		return "(nothing)", nil
	}
	if msg, ok := page.Data[0].(*managedagents.AgentMessageEvent); ok {
		return msg.Text(), nil
	}
	return "(nothing)", nil
}

// serve serves handler on ln until ctx ends, lets the deliveries in progress
// finish (for up to 10 s), and returns ctx's error; or returns at once the
// error that stops the server.
func serve(ctx context.Context, ln net.Listener, handler http.Handler) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	<-served
	return ctx.Err()
}

// demo runs the example on the fake: the fake delivers its webhooks to this
// program's endpoint, as the API would.
func demo(ctx context.Context, out io.Writer) (err error) {
	api := managedagentstest.NewServer(managedagentstest.WithScript(func(t *managedagentstest.Turn) {
		t.Message("The capital of France is Paris.")
	}))
	defer api.Close()
	client := api.Client()

	// The endpoint, on a local port.
	secret := webhooks.GenerateSecret() // the real one comes from the Console
	verifier, err := webhooks.NewVerifier(secret)
	if err != nil {
		return err
	}
	idle := make(chan string, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	serveCtx, stopServing := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- serve(serveCtx, ln, newHandler(client, verifier, out, slog.New(slog.DiscardHandler), func(id string) {
			select {
			case idle <- id:
			default:
			}
		}))
	}()
	defer func() {
		stopServing()
		<-served
	}()
	if _, err := api.RegisterWebhook("http://"+ln.Addr().String()+webhookPath, secret, webhooks.TypeSessionStatusIdled); err != nil {
		return err
	}

	// A session, and one turn: the webhook says when it is over.
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:  "Geographer",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID, managedagents.AgentArchiveParams{})
		return err
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "webhooks-example"})
	if err != nil {
		return fmt.Errorf("creating the environment: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Environments.Delete(ctx, env.ID, managedagents.EnvironmentDeleteParams{})
		return err
	})
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent:         managedagents.NewAgentRef(agent.ID),
		EnvironmentID: env.ID,
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		if _, err := api.WaitIdle(ctx, session.ID); err != nil { // a running session cannot be deleted
			return err
		}
		_, err := client.Sessions.Delete(ctx, session.ID, managedagents.SessionDeleteParams{})
		return err
	})
	_, err = client.Sessions.Events.Send(ctx, session.ID, managedagents.SessionEventSendParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("What is the capital of France?")},
	})
	if err != nil {
		return fmt.Errorf("sending the message: %w", err)
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// undo runs a cleanup step with a context that survives the cancellation of
// ctx (Ctrl-C) for up to 30 s, and adds its error to *err.
func undo(ctx context.Context, err *error, step func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if e := step(ctx); e != nil {
		*err = errors.Join(*err, fmt.Errorf("cleaning up: %w", e))
	}
}
