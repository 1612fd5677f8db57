// Command quickstart runs the flow of the Claude Managed Agents launch article:
// it creates an agent with the built-in tools, an environment and a session,
// asks the agent to write the first 20 Fibonacci numbers to fibonacci.txt,
// prints the agent's text as it arrives and each tool it uses, and cleans up.
//
// With ANTHROPIC_API_KEY set it runs against the real API (honouring
// ANTHROPIC_BASE_URL); without, against the in-memory fake.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/internal/exampleenv"
)

func main() {
	// Main calls run with a context that Ctrl-C cancels and a client: with
	// ANTHROPIC_API_KEY set, managedagents.NewClient() (it reads the key and
	// ANTHROPIC_BASE_URL); without, a client of the in-memory fake. On error
	// it prints it and exits with status 1.
	exampleenv.Main("quickstart", run)
}

func run(ctx context.Context, client *managedagents.Client) (err error) {
	// What is created is undone on return, even after an error or Ctrl-C.
	var cleanup exampleenv.Cleanup
	defer func() { err = errors.Join(err, cleanup.Run(ctx)) }()

	// 1. An agent: a model, a system prompt and the built-in toolset.
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:   "Coding Assistant",
		Model:  managedagents.Model("claude-sonnet-5-5"),
		System: "You are a helpful coding assistant.",
		Tools:  []managedagents.Tool{managedagents.NewAgentToolset()},
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	cleanup.Add("archiving agent "+agent.ID, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID) // agents have no delete
		return err
	})

	// 2. An environment: the container template, with unrestricted networking.
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name:   exampleenv.UniqueName("quickstart-env"),
		Config: &managedagents.CloudConfig{Networking: managedagents.UnrestrictedNetwork()},
	})
	if err != nil {
		return fmt.Errorf("creating the environment: %w", err)
	}
	cleanup.Add("deleting environment "+env.ID, func(ctx context.Context) error {
		_, err := client.Environments.Delete(ctx, env.ID)
		return err
	})

	// 3. A session: the agent at work in a container of the environment.
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent:         managedagents.AgentID(agent.ID),
		EnvironmentID: env.ID,
		Title:         "Quickstart session",
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	cleanup.Add("deleting session "+session.ID, func(ctx context.Context) error {
		// Interrupts the session first if it still runs (after Ctrl-C).
		return exampleenv.DeleteSession(ctx, client, session.ID)
	})

	// 4. Open the stream before sending: it delivers only the events that come
	// after it opened.
	stream, err := client.Sessions.Events.Stream(ctx, session.ID, managedagents.EventStreamParams{
		EventDeltas: []string{managedagents.DeltasAgentMessage}, // text as it is generated
	})
	if err != nil {
		return fmt.Errorf("opening the event stream: %w", err)
	}
	defer stream.Close()

	sent, err := client.Sessions.Events.Send(ctx, session.ID,
		managedagents.UserMessage("Generate the first 20 Fibonacci numbers to fibonacci.txt"))
	if err != nil {
		return fmt.Errorf("sending the message: %w", err)
	}
	return follow(stream, sent[0].EventID())
}

// follow prints the turn started by the user.message messageID as it happens,
// and returns when the agent has finished.
func follow(stream *managedagents.EventStream, messageID string) error {
	text := managedagents.NewAccumulator(0)
	started := false // an idle before our message's echo ends an earlier turn
	for ev, err := range stream.All() {
		if err != nil {
			return fmt.Errorf("reading the event stream: %w", err)
		}
		// Previews of agent.message (event_start, event_delta), then the message
		// itself: print the text not shown yet.
		if u, ok := text.Add(ev); ok && u.EventType == managedagents.TypeAgentMessage {
			fmt.Print(u.Appended)
			if u.Done {
				fmt.Println()
			}
			continue
		}
		switch e := ev.(type) {
		case *managedagents.UserMessageEvent:
			started = started || e.ID == messageID
		case *managedagents.AgentToolUseEvent:
			fmt.Printf("[Using tool: %s]\n", e.Name)
		case *managedagents.SessionErrorEvent:
			fmt.Printf("[Session error: %s (%s)]\n", e.Error.Message, e.Error.RetryStatus.Type)
		case *managedagents.SessionStatusIdleEvent:
			switch {
			case !started:
			case e.StopReason.Type == managedagents.StopReasonEndTurn:
				fmt.Println("Agent finished.")
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
