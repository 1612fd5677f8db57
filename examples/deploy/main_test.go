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
	if err := run(t.Context(), client, &out, srv.SetNow); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		`runs agent agent_011CFake1111111111111112 v1 at "0 9 * * 1-5" (America/New_York); next runs:`,
		"Run drun_011CFake1111111111111112 (manual) started session sesn_",
		"  agent: You said: Write today's standup notes in three bullet points.\n",
		"[fake] moving the clock to ",
		"Run drun_011CFake1111111111111113 (schedule) started session sesn_",
		"Runs of the deployment, newest first:\n  drun_011CFake1111111111111113  schedule ",
		"\n  drun_011CFake1111111111111112  manual   ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "  agent: "); n != 2 {
		t.Errorf("%d replies, want 2:\n%s", n, got)
	}
	requireCleanedUp(t, client)
}

// Without a clock to move (the real API), the schedule is shown, not waited
// for.
func TestRunWithoutMovingTheClock(t *testing.T) {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	var out bytes.Buffer
	if err := run(t.Context(), client, &out, nil); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "(schedule)") || strings.Count(out.String(), "  drun_") != 1 {
		t.Errorf("output:\n%s", out.String())
	}
	requireCleanedUp(t, client)
}

// Ctrl-C while the agent works: run returns, after interrupting and deleting
// the session, archiving the deployment and the agent, and deleting the
// environment.
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
	if err := run(ctx, client, &bytes.Buffer{}, srv.SetNow); !errors.Is(err, context.Canceled) {
		t.Errorf("run after Ctrl-C: %v, want context.Canceled", err)
	}
	requireCleanedUp(t, client)
}

// requireCleanedUp checks that nothing the example made is left running.
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
	deployments, err := client.Deployments.List(ctx, managedagents.DeploymentListParams{})
	if err != nil || len(deployments.Data) > 0 {
		t.Errorf("unarchived deployments left: %v, %v", deployments, err)
	}
}
