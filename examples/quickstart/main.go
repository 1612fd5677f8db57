// Command quickstart runs the flow of the Claude Managed Agents launch article:
// it creates an agent with the built-in tools, an environment and a session,
// asks the agent to write the first 20 Fibonacci numbers to fibonacci.txt,
// prints the agent's text as it arrives and each tool it uses, and cleans up.
//
// With ANTHROPIC_API_KEY set it runs against the real API (honouring
// ANTHROPIC_BASE_URL); without, against the in-memory fake of
// managedagentstest. Ctrl-C interrupts it (exit status 130) after cleaning up.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func main() { os.Exit(exitCode()) }

// exitCode runs the example and returns its exit status: 0, 1 after an error,
// 130 after Ctrl-C.
func exitCode() int {
	// Ctrl-C (or SIGTERM) cancels ctx; a second Ctrl-C kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	client := managedagents.NewClient() // reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL
	if os.Getenv("ANTHROPIC_API_KEY") == "" {
		fmt.Fprintln(os.Stderr, "ANTHROPIC_API_KEY is not set: running on the in-memory fake")
		srv := managedagentstest.NewServer() // its default agent plays this very task
		defer srv.Close()
		client = srv.Client()
	}

	if err := run(ctx, client, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

func run(ctx context.Context, client *managedagents.Client, out io.Writer) (err error) {
	// 1. An agent: a model, a system prompt and the built-in toolset.
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:   "Coding Assistant",
		Model:  managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		System: "You are a helpful coding assistant.",
		Tools:  []managedagents.Tool{managedagents.NewAgentToolset()},
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID, managedagents.AgentArchiveParams{}) // agents have no delete
		return err
	})

	// 2. An environment: the container template, with unrestricted networking.
	// Its name must be unique in the organization.
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name:   "quickstart-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		Config: &managedagents.CloudConfig{Networking: managedagents.NewNetworkingUnrestricted()},
	})
	if err != nil {
		return fmt.Errorf("creating the environment: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Environments.Delete(ctx, env.ID, managedagents.EnvironmentDeleteParams{})
		return err
	})

	// 3. A session: the agent at work in a container of the environment.
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent:         managedagents.NewAgentRef(agent.ID),
		EnvironmentID: env.ID,
		Title:         "Quickstart session",
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		return deleteSession(ctx, client, session.ID)
	})

	// 4. Open the stream before sending: it delivers only the events that come
	// after it opened.
	p := &printer{out: out, text: managedagents.NewAccumulator(0)}
	stream, err := client.Sessions.Events.Stream(ctx, session.ID, managedagents.EventStreamParams{
		EventDeltas: []managedagents.EventType{managedagents.EventTypeAgentMessage}, // text as it is generated
		OnReconnect: p.reconnecting,
	})
	if err != nil {
		return fmt.Errorf("opening the event stream: %w", err)
	}
	defer stream.Close()

	sent, err := client.Sessions.Events.Send(ctx, session.ID, managedagents.SessionEventSendParams{
		Events: []managedagents.EventParam{
			managedagents.NewUserMessage("Generate the first 20 Fibonacci numbers to fibonacci.txt"),
		},
	})
	if err != nil {
		return fmt.Errorf("sending the message: %w", err)
	}
	return p.follow(stream, sent.Data[0].EventID())
}

// printer prints a turn as it happens.
type printer struct {
	out io.Writer
	// text folds the previews of agent.message into the text to print.
	text *managedagents.Accumulator
	// partial is true while a message is printed in part.
	partial bool
}

// reconnecting is called before the stream reconnects: a new connection never
// resumes a preview, so the accumulator is reset, and a message printed in
// part will come whole.
func (p *printer) reconnecting(managedagents.StreamReconnect) {
	if p.partial {
		fmt.Fprintln(p.out, " [connection lost: the whole message follows]")
		p.partial = false
	}
	p.text.Reset()
}

// follow prints the turn started by the user.message messageID as it happens,
// and returns when the agent has finished.
func (p *printer) follow(stream *managedagents.EventStream, messageID string) error {
	started := false // an idle before our message's echo ends an earlier turn
	for ev, err := range stream.All() {
		if err != nil {
			return fmt.Errorf("reading the event stream: %w", err)
		}
		// Previews of agent.message (event_start, event_delta), then the message
		// itself: print the text not shown yet.
		if u, ok := p.text.Add(ev); ok && u.EventType == managedagents.EventTypeAgentMessage {
			fmt.Fprint(p.out, u.Appended)
			p.partial = !u.Done && (p.partial || u.Appended != "")
			if u.Done {
				fmt.Fprintln(p.out)
			}
			continue
		}
		switch e := ev.(type) {
		case *managedagents.UserMessageEvent:
			started = started || e.ID == messageID
		case *managedagents.AgentToolUseEvent:
			fmt.Fprintf(p.out, "[Using tool: %s]\n", e.Name)
		case *managedagents.SessionErrorEvent:
			fmt.Fprintf(p.out, "[Session error: %s (%s)]\n", e.Error.Message, e.Error.RetryStatus.Type)
		case *managedagents.SessionStatusIdleEvent:
			switch {
			case !started:
			case e.StopReason.Type == managedagents.StopReasonEndTurn:
				fmt.Fprintln(p.out, "Agent finished.")
				return nil
			case e.StopReason.RequiresAction():
				// The agent has no custom tools and no tool that asks for
				// confirmation: nothing should wait for an answer.
				return fmt.Errorf("the agent waits for answers to %v, which this program does not give", e.StopReason.EventIDs)
			default:
				return fmt.Errorf("the agent stopped: %s", e.StopReason.Type)
			}
		}
	}
	return errors.New("the session ended before the agent finished")
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

// deleteSession deletes a session. The API refuses to delete a running
// session, so one still running (after an error or Ctrl-C) is interrupted
// first and waited for.
func deleteSession(ctx context.Context, client *managedagents.Client, sessionID string) error {
	for interrupted := false; ; interrupted = true {
		s, err := client.Sessions.Get(ctx, sessionID, managedagents.SessionGetParams{})
		if err != nil {
			return err
		}
		if s.Status != managedagents.SessionStatusRunning && s.Status != managedagents.SessionStatusRescheduling {
			break
		}
		if !interrupted {
			_, err := client.Sessions.Events.Send(ctx, sessionID, managedagents.SessionEventSendParams{
				Events: []managedagents.EventParam{managedagents.NewUserInterrupt()},
			})
			if err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	_, err := client.Sessions.Delete(ctx, sessionID, managedagents.SessionDeleteParams{})
	return err
}
