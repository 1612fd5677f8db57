// Command custom-tools gives an agent a custom tool, get_weather, that runs in
// this program: when the agent calls it, the session waits (idle,
// requires_action) for the result, which SessionService.RunTurn sends back as a
// user.custom_tool_result.
//
// With ANTHROPIC_API_KEY set it runs against the real API; without, against
// the in-memory fake, whose scripted agent calls the tool once.
//
//	go run ./examples/custom-tools
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func main() {
	exampleenv.Main("custom-tools", run, managedagentstest.WithScript(fakeAgent))
}

func run(ctx context.Context, client *managedagents.Client) (err error) {
	var cleanup exampleenv.Cleanup
	defer func() { err = errors.Join(err, cleanup.Run(ctx)) }()

	weather := managedagents.NewCustomTool("get_weather", "Get the current weather in a city.",
		managedagents.InputSchema{
			Properties: map[string]any{
				"city": map[string]any{"type": "string", "description": "The city, e.g. Paris"},
			},
			Required: []string{"city"},
		})
	session, err := exampleenv.NewSession(ctx, client, &cleanup, managedagents.AgentCreateParams{
		Name:   "Weather Assistant",
		Model:  managedagents.Model("claude-sonnet-5-5"),
		System: "You answer questions about the weather. Use the get_weather tool.",
		Tools:  []managedagents.Tool{weather},
	}, "Custom tools example")
	if err != nil {
		return err
	}

	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.TurnParams{
		Events: []managedagents.EventParam{managedagents.UserMessage("What's the weather in Paris?")},
		Tools:  map[string]managedagents.ToolHandler{"get_weather": getWeather},
	})
	if err != nil {
		return fmt.Errorf("running the turn: %w", err)
	}
	fmt.Printf("Agent: %s\n", result.Text())
	fmt.Printf("Turn ended: %s, %d tool call(s)\n", result.StopReason.Type, len(result.ToolUses))
	return nil
}

// getWeather runs the get_weather tool. An error it returns goes back to the
// agent as an error result (is_error), and the turn goes on.
func getWeather(ctx context.Context, call *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
	var input struct {
		City string `json:"city"`
	}
	if err := json.Unmarshal(call.Input, &input); err != nil || input.City == "" {
		return nil, fmt.Errorf("get_weather needs a city, got %s", call.Input)
	}
	// A real tool would ask a weather service; this one always sees mild weather.
	report := fmt.Sprintf("18°C and partly cloudy in %s", input.City)
	fmt.Printf("[get_weather %s] %s\n", call.Input, report)
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
