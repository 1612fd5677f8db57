package managedagents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// These examples run against managedagentstest, the in-memory fake, so that
// their output is checked by go test. Against the real API, build the client
// with managedagents.NewClient() and ANTHROPIC_API_KEY set.

// newFake starts a fake whose clock is frozen, so that runs are identical.
func newFake(opts ...managedagentstest.ServerOption) *managedagentstest.Server {
	return managedagentstest.NewServer(append(opts, managedagentstest.WithClock(time.Date(2026, 4, 8, 9, 0, 0, 0, time.UTC)))...)
}

// newSession creates an agent with tools, an environment and a session, and
// returns the session's id.
func newSession(ctx context.Context, client *managedagents.Client, tools ...managedagents.Tool) string {
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:  "Coding Assistant",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: tools,
	})
	if err != nil {
		log.Fatal(err)
	}
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "example-env"})
	if err != nil {
		log.Fatal(err)
	}
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent:         managedagents.NewAgentRef(agent.ID),
		EnvironmentID: env.ID,
	})
	if err != nil {
		log.Fatal(err)
	}
	return session.ID
}

func ExampleNewClient() {
	srv := newFake()
	defer srv.Close()

	// NewClient reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL; options win.
	client := managedagents.NewClient(
		option.WithBaseURL(srv.URL),
		option.WithAPIKey(managedagentstest.TestAPIKey),
		option.WithMaxRetries(3),
	)
	agent, err := client.Agents.Create(context.Background(), managedagents.AgentCreateParams{
		Name:   "Coding Assistant",
		Model:  managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		System: "You are a helpful coding assistant.",
		Tools:  []managedagents.Tool{managedagents.NewAgentToolset()},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(agent.Name, "version", agent.Version, "on", agent.Model.ID)
	// Output:
	// Coding Assistant version 1 on claude-sonnet-5-5
}

// Open the stream, then send a message, and print the turn as it happens: the
// agent's text as it is generated, and the tools it uses.
func ExampleSessionEventService_Stream_quickstart() {
	srv := newFake()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	sessionID := newSession(ctx, client, managedagents.NewAgentToolset())

	// The stream delivers only what comes after it opened: open it first.
	stream, err := client.Sessions.Events.Stream(ctx, sessionID, managedagents.EventStreamParams{
		EventDeltas: []managedagents.EventType{managedagents.EventTypeAgentMessage},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()
	if _, err := client.Sessions.Events.Send(ctx, sessionID, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("Generate the first 20 Fibonacci numbers to fibonacci.txt")}}); err != nil {
		log.Fatal(err)
	}

	text := managedagents.NewAccumulator(0)
	for ev, err := range stream.All() {
		if err != nil {
			log.Fatal(err)
		}
		if u, ok := text.Add(ev); ok && u.EventType == managedagents.EventTypeAgentMessage {
			fmt.Print(u.Appended) // text as it arrives, each part once
			if u.Done {
				fmt.Println()
			}
			continue
		}
		switch e := ev.(type) {
		case *managedagents.AgentToolUseEvent:
			fmt.Printf("[Using tool: %s]\n", e.Name)
		case *managedagents.SessionStatusIdleEvent:
			if !e.StopReason.RequiresAction() {
				fmt.Println("Agent finished:", e.StopReason.Type)
				return
			}
		}
	}
	// Output:
	// I'll generate the first 20 Fibonacci numbers and write them to fibonacci.txt.
	// [Using tool: write]
	// [Using tool: bash]
	// Here are the first 20 Fibonacci numbers: 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181. They are saved in fibonacci.txt.
	// Agent finished: end_turn
}

// RunTurn runs a turn to its end, answering the agent's calls of custom tools
// with the handlers given.
func ExampleSessionService_RunTurn() {
	srv := newFake()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	sessionID := newSession(ctx, client, managedagents.NewCustomTool("get_weather", "Get the weather in a city.",
		managedagents.InputSchema{
			Properties: map[string]any{"city": map[string]any{"type": "string"}},
			Required:   []string{"city"},
		}))

	result, err := client.Sessions.RunTurn(ctx, sessionID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Weather?")},
		Tools: map[string]managedagents.ToolHandler{
			"get_weather": func(ctx context.Context, call *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				var input struct{ City string }
				if err := json.Unmarshal(call.Input, &input); err != nil {
					return nil, err // sent to the agent as an error result
				}
				return []managedagents.ContentBlock{managedagents.NewTextBlock("sunny in " + input.City)}, nil
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(result.StopReason.Type)
	fmt.Println(result.Text())
	fmt.Println(len(result.ToolUses), "tool call")
	// Output:
	// end_turn
	// You said: Weather? (get_weather returned: sunny in example)
	// 1 tool call
}

// Answer tool confirmations by hand: the agent's bash calls wait (always_ask)
// until a user.tool_confirmation allows or denies them.
func ExampleSessionEventService_Send_confirm() {
	srv := newFake()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	sessionID := newSession(ctx, client, managedagents.NewAgentToolset(
		managedagents.NewToolConfigEnabled(managedagents.ToolBash, managedagents.PolicyAlwaysAsk),
	))

	stream, err := client.Sessions.Events.Stream(ctx, sessionID, managedagents.EventStreamParams{})
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()
	if _, err := client.Sessions.Events.Send(ctx, sessionID, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("Generate the first 20 Fibonacci numbers to fibonacci.txt")}}); err != nil {
		log.Fatal(err)
	}

	calls := map[string]*managedagents.AgentToolUseEvent{}
	for ev, err := range stream.All() {
		if err != nil {
			log.Fatal(err)
		}
		switch e := ev.(type) {
		case *managedagents.AgentToolUseEvent:
			calls[e.ID] = e
			fmt.Println("tool use:", e.Name, e.EvaluatedPermission)
		case *managedagents.AgentToolResultEvent:
			fmt.Println("tool result, error:", e.IsError)
		case *managedagents.SessionStatusIdleEvent:
			if !e.StopReason.RequiresAction() {
				fmt.Println("idle:", e.StopReason.Type)
				return
			}
			var answers []managedagents.EventParam
			for _, id := range e.StopReason.EventIDs {
				if strings.Contains(string(calls[id].Input), "rm ") {
					answers = append(answers, managedagents.NewUserToolConfirmationDeny(id, "No deleting."))
				} else {
					answers = append(answers, managedagents.NewUserToolConfirmationAllow(id))
				}
			}
			sent, err := client.Sessions.Events.Send(ctx, sessionID, managedagents.SessionEventSendParams{Events: answers})
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println("sent", len(sent.Data), sent.Data[0].EventType())
		}
	}
	// Output:
	// tool use: write allow
	// tool result, error: false
	// tool use: bash ask
	// sent 1 user.tool_confirmation
	// tool result, error: false
	// idle: end_turn
}

// ListAll iterates over every agent, fetching pages as the loop goes.
func ExampleAgentService_ListAll() {
	srv := newFake()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	for _, name := range []string{"Researcher", "Reviewer", "Writer"} {
		if _, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
			Name: name, Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		}); err != nil {
			log.Fatal(err)
		}
	}

	for agent, err := range client.Agents.ListAll(ctx, managedagents.AgentListParams{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(agent.Name)
	}
	// Output:
	// Writer
	// Reviewer
	// Researcher
}
