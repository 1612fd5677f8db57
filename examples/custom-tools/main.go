// Command custom-tools gives an agent a custom tool, get_weather, that runs in
// this program: when the agent calls it, the session waits (idle,
// requires_action) for the result, which SessionService.RunTurn sends back as a
// user.custom_tool_result.
//
// With ANTHROPIC_API_KEY set it runs against the real API; without, against
// the in-memory fake of managedagentstest, whose scripted agent calls the tool
// once. Ctrl-C interrupts it (exit status 130) after cleaning up.
//
//	go run ./examples/custom-tools
package main

import (
	"context"
	"encoding/json"
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
		srv := managedagentstest.NewServer(managedagentstest.WithScript(fakeAgent)) // fakeAgent plays the agent
		defer srv.Close()
		client = srv.Client()
	}

	if err := run(ctx, client, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "custom-tools:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

func run(ctx context.Context, client *managedagents.Client, out io.Writer) (err error) {
	weather := managedagents.NewCustomTool("get_weather", "Get the current weather in a city.",
		managedagents.InputSchema{
			Properties: map[string]any{
				"city": map[string]any{"type": "string", "description": "The city, e.g. Paris"},
			},
			Required: []string{"city"},
		})
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:   "Weather Assistant",
		Model:  managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		System: "You answer questions about the weather. Use the get_weather tool.",
		Tools:  []managedagents.Tool{weather},
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID, managedagents.AgentArchiveParams{}) // agents have no delete
		return err
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name:   "custom-tools-" + strconv.FormatInt(time.Now().UnixNano(), 36), // unique in the organization
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
		Title:         "Custom tools example",
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		return deleteSession(ctx, client, session.ID)
	})

	// RunTurn sends the message and answers each get_weather call with
	// getWeather's result, until the turn ends.
	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("What's the weather in Paris?")},
		Tools: map[string]managedagents.ToolHandler{
			"get_weather": func(ctx context.Context, call *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				return getWeather(ctx, call, out)
			},
		},
	})
	if err != nil {
		return fmt.Errorf("running the turn: %w", err)
	}
	fmt.Fprintf(out, "Agent: %s\n", result.Text())
	fmt.Fprintf(out, "Turn ended: %s, %d tool call(s)\n", result.StopReason.Type, len(result.ToolUses))
	return nil
}

// getWeather runs the get_weather tool. An error it returns goes back to the
// agent as an error result (is_error), and the turn goes on.
func getWeather(_ context.Context, call *managedagents.AgentCustomToolUseEvent, out io.Writer) ([]managedagents.ContentBlock, error) {
	var input struct {
		City string `json:"city"`
	}
	if err := json.Unmarshal(call.Input, &input); err != nil || input.City == "" {
		return nil, fmt.Errorf("get_weather needs a city, got %s", call.Input)
	}
	// A real tool would ask a weather service; this one always sees mild weather.
	report := fmt.Sprintf("18°C and partly cloudy in %s", input.City)
	fmt.Fprintf(out, "[get_weather %s] %s\n", call.Input, report)
	return []managedagents.ContentBlock{managedagents.NewTextBlock(report)}, nil
}

// fakeAgent plays the agent on the fake (offline only): it calls get_weather
// and answers with the result.
func fakeAgent(t *managedagentstest.Turn) {
	t.BeginModelRequest()
	call := t.CustomToolUse("get_weather", map[string]any{"city": "Paris"})
	t.EndModelRequest(managedagentstest.ModelUsage{InputTokens: 410, OutputTokens: 22})
	answers, err := t.Await(call) // idle requires_action until the result comes
	if err != nil {
		return // interrupted
	}
	answer := answers[0]
	t.BeginModelRequest()
	if answer.IsError {
		t.Message("Sorry, I could not get the weather: ", answer.Text())
	} else {
		t.Message("Right now it is ", answer.Text(), ".")
	}
	t.EndModelRequest(managedagentstest.ModelUsage{InputTokens: 460, OutputTokens: 18})
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
