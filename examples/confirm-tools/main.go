// Command confirm-tools makes the agent ask before each bash command (the
// always_ask permission policy) and answers each request with a
// user.tool_confirmation: commands that list files are allowed, anything that
// removes files is denied, with a message telling the agent why.
//
// With ANTHROPIC_API_KEY set it runs against the real API; without, against
// the in-memory fake of managedagentstest, whose scripted agent runs "ls" and
// then tries "rm". Ctrl-C interrupts it (exit status 130) after cleaning up.
//
//	go run ./examples/confirm-tools
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
	"strings"
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
		fmt.Fprintln(os.Stderr, "confirm-tools:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

func run(ctx context.Context, client *managedagents.Client, out io.Writer) (err error) {
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:   "Careful Assistant",
		Model:  managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		System: "You are a helpful assistant working in a sandbox.",
		Tools: []managedagents.Tool{managedagents.NewAgentToolset(
			// Every bash command waits for this program's answer.
			managedagents.NewToolConfigEnabled(managedagents.ToolBash, managedagents.PolicyAlwaysAsk),
		)},
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID, managedagents.AgentArchiveParams{}) // agents have no delete
		return err
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name:   "confirm-tools-" + strconv.FormatInt(time.Now().UnixNano(), 36), // unique in the organization
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
		Title:         "Tool confirmation example",
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		return deleteSession(ctx, client, session.ID)
	})

	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage(
			"Use bash to list the files in the working directory, then delete the temporary ones.")},
		Confirm: func(ctx context.Context, call managedagents.ToolCall) (bool, string) {
			return confirm(ctx, call, out)
		},
		OnEvent: func(ev managedagents.Event) {
			if r, ok := ev.(*managedagents.AgentToolResultEvent); ok {
				fmt.Fprintf(out, "  result: %s\n", oneLine(r.Content.Text()))
			}
		},
	})
	if err != nil {
		return fmt.Errorf("running the turn: %w", err)
	}
	fmt.Fprintf(out, "Agent: %s\n", result.Text())
	return nil
}

// confirm decides a tool call waiting for confirmation: bash commands that
// remove files are denied, everything else is allowed.
func confirm(_ context.Context, call managedagents.ToolCall, out io.Writer) (allow bool, denyMessage string) {
	var input struct {
		Command string `json:"command"`
	}
	_ = json.Unmarshal(call.Input, &input)
	if call.Name == managedagents.ToolBash && removes(input.Command) {
		fmt.Fprintf(out, "[deny]  %s: %s\n", call.Name, input.Command)
		return false, "Removing files is not allowed; list them for me to delete instead."
	}
	fmt.Fprintf(out, "[allow] %s: %s\n", call.Name, input.Command)
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
