package toolrunner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// A runner answers the built-in tool calls of a self-hosted session, here on
// the fake server, whose scripted agent runs a command and reports what it
// got back.
func ExampleRunner_Run() {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	agent, _ := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:  "Builder",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{managedagents.NewAgentToolset()},
	})
	env, _ := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name: "my machines", Config: &managedagents.SelfHostedConfig{},
	})
	session, _ := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID,
	})
	srv.SetScript(agent.ID, func(turn *managedagentstest.Turn) {
		answer, err := turn.CallTool("bash", map[string]any{"command": "echo hello"})
		if err == nil {
			turn.Message("The command said: " + strings.TrimSpace(answer.Text()))
		}
	})

	// A stand-in for the agent toolset: it only knows echo.
	bash := toolrunner.ExecutorFunc(func(_ context.Context, name string, input json.RawMessage) (toolrunner.ToolResult, error) {
		var in struct{ Command string }
		if err := json.Unmarshal(input, &in); err != nil {
			return toolrunner.NewToolResultError(name + ": " + err.Error()), nil
		}
		text, ok := strings.CutPrefix(in.Command, "echo ")
		if !ok {
			return toolrunner.NewToolResultError(name + ": command not found"), nil
		}
		return toolrunner.NewToolResultText(text + "\n"), nil
	})
	runner, err := toolrunner.New(client, session.ID, toolrunner.Options{
		Executor:     bash,
		BuiltinTools: []string{"bash"},
		MaxIdle:      10 * time.Millisecond, // return soon after the turn ends
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()

	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Say hello with bash")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(result.Text())
	fmt.Println("runner:", <-done, runner.Stats().Posted, "result posted")
	// Output:
	// The command said: hello
	// runner: <nil> 1 result posted
}
