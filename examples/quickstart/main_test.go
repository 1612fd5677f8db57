package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	var out bytes.Buffer
	if err := run(t.Context(), client, &out); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	const want = "I'll generate the first 20 Fibonacci numbers and write them to fibonacci.txt.\n" +
		"[Using tool: write]\n" +
		"[Using tool: bash]\n" +
		"Here are the first 20 Fibonacci numbers: 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181. They are saved in fibonacci.txt.\n" +
		"Agent finished.\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	requireCleanedUp(t, client)
}

// A stream cut in the middle of a previewed message: the accumulator is reset
// and the message is printed whole once it arrives from the history.
func TestRunReconnects(t *testing.T) {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	srv.CutStreamAfter(6) // user.message, running, span, thinking, event_start, one event_delta
	client := srv.Client()
	var out bytes.Buffer
	if err := run(t.Context(), client, &out); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	const first = "I'll generate the first 20 Fibonacci numbers and write them to fibonacci.txt.\n"
	if !strings.HasPrefix(out.String(), "I'll generate") ||
		!strings.Contains(out.String(), " [connection lost: the whole message follows]\n"+first) ||
		!strings.HasSuffix(out.String(), "Agent finished.\n") {
		t.Errorf("output:\n%s", out.String())
	}
	requireCleanedUp(t, client)
}

// Ctrl-C in the middle of the turn: run returns, after interrupting and
// deleting the session, deleting the environment and archiving the agent.
func TestRunCancelled(t *testing.T) {
	started := make(chan struct{})
	srv := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		turn.Message("Working on it.")
		close(started)
		_ = turn.Wait(time.Minute) // until interrupted
	}))
	defer srv.Close()
	client := srv.Client()
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	if err := run(ctx, client, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("run after Ctrl-C: %v, want context.Canceled", err)
	}
	requireCleanedUp(t, client)
}

// A turn that stops for another reason than end_turn is an error.
func TestRunRefusal(t *testing.T) {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		turn.Idle(string(managedagents.StopReasonRefusal))
	}))
	defer srv.Close()
	client := srv.Client()
	if err := run(t.Context(), client, &bytes.Buffer{}); err == nil || err.Error() != "the agent stopped: refusal" {
		t.Errorf("run: %v, want \"the agent stopped: refusal\"", err)
	}
	requireCleanedUp(t, client)
}

// requireCleanedUp fails t if run left a session, an environment or an
// unarchived agent behind.
func requireCleanedUp(t *testing.T, client *managedagents.Client) {
	t.Helper()
	ctx := t.Context()
	sessions, err := client.Sessions.List(ctx, managedagents.SessionListParams{IncludeArchived: true})
	if err != nil || len(sessions.Data) > 0 {
		t.Errorf("sessions left: %v, %v", sessions, err)
	}
	envs, err := client.Environments.List(ctx, managedagents.EnvironmentListParams{IncludeArchived: true})
	if err != nil || len(envs.Data) > 0 {
		t.Errorf("environments left: %v, %v", envs, err)
	}
	agents, err := client.Agents.List(ctx, managedagents.AgentListParams{})
	if err != nil || len(agents.Data) > 0 {
		t.Errorf("unarchived agents left: %v, %v", agents, err)
	}
}
