// Command steer redirects a running agent: it starts a long task, and as soon
// as the agent starts writing (the first event_start preview, or else its first
// message), sends a user.interrupt and a new user.message in one request. The
// interrupt jumps the queue and ends the first turn (idle with stop_reason
// end_turn); the message then starts the second turn.
//
// With ANTHROPIC_API_KEY set it runs against the real API; without, against
// the in-memory fake of managedagentstest, whose scripted agent works slowly
// enough to be interrupted. Ctrl-C interrupts it (exit status 130) after
// cleaning up.
//
//	go run ./examples/steer
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

const (
	task     = "Write a story in ten long chapters about a lighthouse keeper."
	redirect = "Stop. Write a haiku about the lighthouse instead."
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
		srv := managedagentstest.NewServer(managedagentstest.WithScript(fakeAgent)) // fakeAgent plays the agent
		defer srv.Close()
		client = srv.Client()
	}

	if err := run(ctx, client, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "steer:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

func run(ctx context.Context, client *managedagents.Client, out io.Writer) (err error) {
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:   "Storyteller",
		Model:  managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		System: "You write fiction.",
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID, managedagents.AgentArchiveParams{}) // agents have no delete
		return err
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name:   "steer-" + strconv.FormatInt(time.Now().UnixNano(), 36), // unique in the organization
		Config: &managedagents.CloudConfig{Networking: managedagents.NewNetworkingUnrestricted()},
	})
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
		Title:         "Steering example",
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		return deleteSession(ctx, client, session.ID)
	})

	// Previews of agent.message show the agent starting to write, long before a
	// long message is complete.
	stream, err := client.Sessions.Events.Stream(ctx, session.ID, managedagents.EventStreamParams{
		EventDeltas: []managedagents.EventType{managedagents.EventTypeAgentMessage},
	})
	if err != nil {
		return fmt.Errorf("opening the event stream: %w", err)
	}
	defer stream.Close()
	_, err = client.Sessions.Events.Send(ctx, session.ID, managedagents.SessionEventSendParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage(task)},
	})
	if err != nil {
		return fmt.Errorf("sending the task: %w", err)
	}
	fmt.Fprintf(out, "> %s\n", task)

	var (
		redirectID string // the id of the redirect message, once sent
		echoed     bool   // the redirect message came back on the stream
		turn2      bool   // the session started running after the redirect
	)
	for ev, err := range stream.All() {
		if err != nil {
			return fmt.Errorf("reading the event stream: %w", err)
		}
		switch e := ev.(type) {
		case *managedagents.EventStartEvent:
			// The first sign of work: interrupt and redirect, in one request.
			if redirectID == "" {
				if redirectID, err = steer(ctx, client, session.ID, out); err != nil {
					return err
				}
			}
		case *managedagents.AgentMessageEvent:
			fmt.Fprintf(out, "agent: %s\n", e.Text())
			if redirectID == "" { // no preview came first
				if redirectID, err = steer(ctx, client, session.ID, out); err != nil {
					return err
				}
			}
		case *managedagents.UserMessageEvent:
			echoed = echoed || (redirectID != "" && e.ID == redirectID)
		case *managedagents.SessionStatusRunningEvent:
			turn2 = turn2 || echoed
		case *managedagents.SessionStatusIdleEvent:
			if e.StopReason.RequiresAction() {
				return fmt.Errorf("the agent waits for answers to %v, which this program does not give", e.StopReason.EventIDs)
			}
			if !turn2 {
				// The interrupted turn ends with end_turn: there is no reason of its own.
				fmt.Fprintf(out, "[turn 1 ended: %s]\n", e.StopReason.Type)
				if redirectID == "" {
					return errors.New("the agent finished before it could be interrupted")
				}
				break
			}
			fmt.Fprintf(out, "[turn 2 ended: %s]\n", e.StopReason.Type)
			return nil
		}
	}
	return errors.New("the session ended before the agent finished")
}

// steer sends the interrupt and the redirect in one request and returns the id
// of the redirect message.
func steer(ctx context.Context, client *managedagents.Client, sessionID string, out io.Writer) (string, error) {
	fmt.Fprintf(out, "> (interrupt) %s\n", redirect)
	sent, err := client.Sessions.Events.Send(ctx, sessionID, managedagents.SessionEventSendParams{
		Events: []managedagents.EventParam{managedagents.NewUserInterrupt(), managedagents.NewUserMessage(redirect)},
	})
	if err != nil {
		return "", fmt.Errorf("redirecting the agent: %w", err)
	}
	return sent.Data[1].EventID(), nil
}

// fakeAgent plays the agent on the fake (offline only): the long task announces
// itself, then writes a chapter every 2 seconds until interrupted; any other
// message gets a haiku.
func fakeAgent(t *managedagentstest.Turn) {
	if !strings.Contains(t.Text(), "ten long chapters") {
		t.BeginModelRequest()
		t.Message("Beam sweeps the black sea /\nthe keeper counts the long waves /\ndawn takes back the light")
		t.EndModelRequest(managedagentstest.ModelUsage{InputTokens: 300, OutputTokens: 24})
		return
	}
	t.BeginModelRequest()
	t.Message("Chapter 1 of 10: the keeper climbs the stairs for the last time...")
	t.EndModelRequest(managedagentstest.ModelUsage{InputTokens: 280, OutputTokens: 900})
	for ch := 2; ch <= 10; ch++ {
		if t.Wait(2*time.Second) != nil {
			return // interrupted: the turn ends with end_turn
		}
		t.BeginModelRequest()
		t.Message(fmt.Sprintf("Chapter %d of 10...", ch))
		t.EndModelRequest(managedagentstest.ModelUsage{InputTokens: 280, OutputTokens: 900})
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
