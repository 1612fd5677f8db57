// Command confirm-tools makes the agent ask before each bash command (the
// always_ask permission policy) and answers each request with a
// user.tool_confirmation: commands that list files are allowed, anything that
// removes files is denied, with a message telling the agent why.
//
// With ANTHROPIC_API_KEY set it runs against the real API; without, against
// the in-memory fake, whose scripted agent runs "ls" and then tries "rm".
//
//	go run ./examples/confirm-tools
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func main() {
	exampleenv.Main("confirm-tools", run, managedagentstest.WithScript(fakeAgent))
}

func run(ctx context.Context, client *managedagents.Client) (err error) {
	var cleanup exampleenv.Cleanup
	defer func() { err = errors.Join(err, cleanup.Run(ctx)) }()

	session, err := exampleenv.NewSession(ctx, client, &cleanup, managedagents.AgentCreateParams{
		Name:   "Careful Assistant",
		Model:  managedagents.Model("claude-sonnet-5-5"),
		System: "You are a helpful assistant working in a sandbox.",
		Tools: []managedagents.Tool{managedagents.NewAgentToolset(
			// Every bash command waits for this program's answer.
			managedagents.EnableTool(managedagents.ToolBash, managedagents.AlwaysAsk()),
		)},
	}, "Tool confirmation example")
	if err != nil {
		return err
	}

	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.TurnParams{
		Events: []managedagents.EventParam{managedagents.UserMessage(
			"Use bash to list the files in the working directory, then delete the temporary ones.")},
		Confirm: confirm,
		OnEvent: func(ev managedagents.Event) {
			if r, ok := ev.(*managedagents.AgentToolResultEvent); ok {
				fmt.Printf("  result: %s\n", oneLine(r.Content.Text()))
			}
		},
	})
	if err != nil {
		return fmt.Errorf("running the turn: %w", err)
	}
	fmt.Printf("Agent: %s\n", result.Text())
	return nil
}

// confirm decides a tool call waiting for confirmation: bash commands that
// remove files are denied, everything else is allowed.
func confirm(ctx context.Context, call managedagents.ToolCall) (allow bool, denyMessage string) {
	var input struct {
		Command string `json:"command"`
	}
	_ = json.Unmarshal(call.Input, &input)
	if call.Name == managedagents.ToolBash && removes(input.Command) {
		fmt.Printf("[deny]  %s: %s\n", call.Name, input.Command)
		return false, "Removing files is not allowed; list them for me to delete instead."
	}
	fmt.Printf("[allow] %s: %s\n", call.Name, input.Command)
	return true, ""
}

// removes reports whether a shell command looks like it deletes files.
func removes(command string) bool {
	for _, word := range strings.FieldsFunc(command, func(r rune) bool { return strings.ContainsRune(" \t\n;&|()", r) }) {
		switch word {
		case "rm", "rmdir", "shred", "unlink":
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}

// fakeAgent plays the agent on the fake (offline only): it lists the files,
// tries to remove one, and reports.
func fakeAgent(t *managedagentstest.Turn) {
	t.BeginModelRequest()
	t.Message("Let me look at the files first.")
	t.EndModelRequest(managedagentstest.ModelUsage{InputTokens: 380, OutputTokens: 30})
	if _, err := t.RunTool("bash", map[string]any{"command": "ls"}, "fibonacci.txt\nnotes.tmp\nscratch.tmp\n"); err != nil {
		return
	}
	ran, err := t.RunTool("bash", map[string]any{"command": "rm notes.tmp scratch.tmp"}, "")
	if err != nil {
		return
	}
	t.BeginModelRequest()
	if ran {
		t.Message("I removed notes.tmp and scratch.tmp.")
	} else {
		t.Message("I was not allowed to delete files. The temporary ones are notes.tmp and scratch.tmp; you can remove them with: rm notes.tmp scratch.tmp")
	}
	t.EndModelRequest(managedagentstest.ModelUsage{InputTokens: 610, OutputTokens: 40})
}
