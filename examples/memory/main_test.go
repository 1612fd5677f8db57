package main

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(managedagentstest.MemoryScript))
	defer srv.Close()
	client := srv.Client()
	var out bytes.Buffer
	if err := run(t.Context(), client, &out); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	const want = "Memory store \"User preferences\" mounted at /mnt/memory/user-preferences (read_write)\n" +
		"Agent: Let me check my notes.\n" +
		"Noted. My notes now read:\n" +
		"- Prefers answers in British English.\n" +
		"- Please use metric units from now on.\n" +
		"Memories:\n" +
		"  /notes.md (77 bytes, sha256 ffdbc83ea0be…)\n" +
		"Versions, newest first:\n" +
		"  modified /notes.md by the agent, in this session\n" +
		"  created /notes.md by this program (an API key)\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	requireCleanedUp(t, client)
}

// Ctrl-C in the middle of the turn: run returns, after interrupting and
// deleting the session, deleting the environment and the memory store and
// archiving the agent.
func TestRunCancelled(t *testing.T) {
	started := make(chan struct{})
	srv := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		turn.Message("Reading my notes.")
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

// A store that cannot be mounted fails the run, which still cleans up.
func TestRunMountRefused(t *testing.T) {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	srv.FailNext(managedagentstest.RouteCreateSession, 1, 400, nil)
	client := srv.Client()
	if err := run(t.Context(), client, &bytes.Buffer{}); !errors.Is(err, managedagents.ErrBadRequest) {
		t.Errorf("run: %v, want a 400", err)
	}
	requireCleanedUp(t, client)
}

// requireCleanedUp fails t if run left a memory store, a session, an
// environment or an unarchived agent behind.
func requireCleanedUp(t *testing.T, client *managedagents.Client) {
	t.Helper()
	ctx := t.Context()
	stores, err := client.MemoryStores.List(ctx, managedagents.MemoryStoreListParams{IncludeArchived: true})
	if err != nil || len(stores.Data) > 0 {
		t.Errorf("memory stores left: %v, %v", stores, err)
	}
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
