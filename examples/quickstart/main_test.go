package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	out := exampleenv.RunOnFake(t, run)
	const want = "I'll generate the first 20 Fibonacci numbers and write them to fibonacci.txt.\n" +
		"[Using tool: write]\n" +
		"[Using tool: bash]\n" +
		"Here are the first 20 Fibonacci numbers: 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181. They are saved in fibonacci.txt.\n" +
		"Agent finished.\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
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
	var err error
	if _, cerr := exampleenv.CaptureStdout(func() { err = run(ctx, client) }); cerr != nil {
		t.Fatal(cerr)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("run after Ctrl-C: %v, want context.Canceled", err)
	}
	if err := exampleenv.CheckCleanedUp(t.Context(), client); err != nil {
		t.Error(err)
	}
}

// A turn that stops for another reason than end_turn is an error.
func TestRunRefusal(t *testing.T) {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		turn.Idle(string(managedagents.StopReasonRefusal))
	}))
	defer srv.Close()
	client := srv.Client()
	var err error
	if _, cerr := exampleenv.CaptureStdout(func() { err = run(t.Context(), client) }); cerr != nil {
		t.Fatal(cerr)
	}
	if err == nil || err.Error() != "the agent stopped: refusal" {
		t.Errorf("run: %v, want \"the agent stopped: refusal\"", err)
	}
	if err := exampleenv.CheckCleanedUp(t.Context(), client); err != nil {
		t.Error(err)
	}
}
