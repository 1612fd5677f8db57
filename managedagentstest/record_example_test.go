package managedagentstest_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// Record a session once against the API, then replay it in CI with no key
// and no network. In a test, the recorder comes from NewRecorder and the mode
// from MANAGEDAGENTS_RECORD:
//
//	func TestWeather(t *testing.T) {
//		rec := managedagentstest.NewRecorder(t, "testdata/weather")
//		client := managedagents.NewClient(rec.ClientOptions()...)
//		// the code under test, with client
//	}
//
// Record with MANAGEDAGENTS_RECORD=1 go test -run TestWeather (and
// ANTHROPIC_API_KEY set), commit testdata/weather.json and its .sse files, and
// every later go test replays them. This example runs both halves, with a fake
// server standing in for the API.
func ExampleRecorder() {
	dir, err := os.MkdirTemp("", "recording")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fixture := filepath.Join(dir, "testdata", "weather")

	// Record: the variable set, the API reachable.
	api := managedagentstest.NewServer()
	os.Setenv(managedagentstest.RecordEnv, "1")
	fmt.Println(askWeather(fixture, option.WithBaseURL(api.URL), option.WithAPIKey("sk-ant-api03-example-key")))
	api.Close()

	// Replay: the variable unset, no API, no key.
	os.Unsetenv(managedagentstest.RecordEnv)
	fmt.Println(askWeather(fixture))

	// Output:
	// record: You said: Weather in Paris? (get_weather returned: sunny)
	// replay: You said: Weather in Paris? (get_weather returned: sunny)
}

// askWeather is the code under test: a turn whose agent calls a custom tool,
// through a recorder.
func askWeather(fixture string, opts ...option.RequestOption) string {
	rec, err := managedagentstest.OpenRecorder(fixture)
	if err != nil {
		log.Fatal(err)
	}
	client := managedagents.NewClient(append(rec.ClientOptions(), opts...)...)
	ctx := context.Background()

	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:  "Weather",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{managedagents.NewCustomTool("get_weather", "Get the weather in a city.",
			managedagents.InputSchema{Properties: map[string]any{"city": map[string]any{"type": "string"}}, Required: []string{"city"}})},
	})
	if err != nil {
		log.Fatal(err)
	}
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "weather"})
	if err != nil {
		log.Fatal(err)
	}
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	if err != nil {
		log.Fatal(err)
	}
	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Weather in Paris?")},
		Tools: map[string]managedagents.ToolHandler{
			"get_weather": func(context.Context, *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				return []managedagents.ContentBlock{managedagents.NewTextBlock("sunny")}, nil
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := rec.Close(); err != nil { // in record mode, saves the recording
		log.Fatal(err)
	}
	return rec.Mode().String() + ": " + result.Text()
}
