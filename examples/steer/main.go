// Command steer redirects a running agent: it starts a long task, and as soon
// as the agent starts writing (the first event_start preview, or else its first
// message), sends a user.interrupt and a new user.message in one request. The interrupt jumps the queue and ends the first turn (idle with
// stop_reason end_turn); the message then starts the second turn.
//
// With ANTHROPIC_API_KEY set it runs against the real API; without, against
// the in-memory fake, whose scripted agent works slowly enough to be
// interrupted.
//
//	go run ./examples/steer
package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

const (
	task     = "Write a story in ten long chapters about a lighthouse keeper."
	redirect = "Stop. Write a haiku about the lighthouse instead."
)

func main() {
	exampleenv.Main("steer", run, managedagentstest.WithScript(fakeAgent))
}

func run(ctx context.Context, client *managedagents.Client) (err error) {
	var cleanup exampleenv.Cleanup
	defer func() { err = errors.Join(err, cleanup.Run(ctx)) }()

	session, err := exampleenv.NewSession(ctx, client, &cleanup, managedagents.AgentCreateParams{
		Name:   "Storyteller",
		Model:  managedagents.Model("claude-sonnet-5-5"),
		System: "You write fiction.",
	}, "Steering example")
	if err != nil {
		return err
	}

	// Previews of agent.message show the agent starting to write, long before a
	// long message is complete.
	stream, err := client.Sessions.Events.Stream(ctx, session.ID, managedagents.EventStreamParams{
		EventDeltas: []string{managedagents.DeltasAgentMessage},
	})
	if err != nil {
		return fmt.Errorf("opening the event stream: %w", err)
	}
	defer stream.Close()
	if _, err := client.Sessions.Events.Send(ctx, session.ID, managedagents.UserMessage(task)); err != nil {
		return fmt.Errorf("sending the task: %w", err)
	}
	fmt.Printf("> %s\n", task)

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
				if redirectID, err = steer(ctx, client, session.ID); err != nil {
					return err
				}
			}
		case *managedagents.AgentMessageEvent:
			fmt.Printf("agent: %s\n", e.Text())
			if redirectID == "" { // no preview came first
				if redirectID, err = steer(ctx, client, session.ID); err != nil {
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
				fmt.Printf("[turn 1 ended: %s]\n", e.StopReason.Type)
				if redirectID == "" {
					return errors.New("the agent finished before it could be interrupted")
				}
				break
			}
			fmt.Printf("[turn 2 ended: %s]\n", e.StopReason.Type)
			return nil
		}
	}
	return errors.New("the session ended before the agent finished")
}

// steer sends the interrupt and the redirect in one request and returns the id
// of the redirect message.
func steer(ctx context.Context, client *managedagents.Client, sessionID string) (string, error) {
	fmt.Printf("> (interrupt) %s\n", redirect)
	sent, err := client.Sessions.Events.Send(ctx, sessionID,
		managedagents.Interrupt(), managedagents.UserMessage(redirect))
	if err != nil {
		return "", fmt.Errorf("redirecting the agent: %w", err)
	}
	return sent[1].EventID(), nil
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
