package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(writeOutputs))
	defer srv.Close()
	client := srv.Client()
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(t.Context(), client, dir, &out); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	for _, want := range []string{"Agent: I wrote sales.csv and report.md.\n", "Saved report.md (text/markdown, 56 bytes) to ", "Saved sales.csv (text/csv, 59 bytes) to "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	csv, err := os.ReadFile(filepath.Join(dir, "sales.csv"))
	if err != nil || !strings.HasPrefix(string(csv), "region,q1,q2,q3\n") {
		t.Errorf("sales.csv: %q, %v", csv, err)
	}
	if files, err := client.Files.List(t.Context(), managedagents.FileListParams{}); err != nil || len(files.Data) > 0 {
		t.Errorf("output files left: %v, %v", files, err)
	}
	requireCleanedUp(t, client)
}

// Ctrl-C during the turn: run returns after interrupting and deleting the
// session, and leaves nothing behind.
func TestRunCancelled(t *testing.T) {
	started := make(chan struct{})
	srv := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		turn.WriteOutput("partial.txt", "text/plain", []byte("half"))
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
	dir := t.TempDir()
	if err := run(ctx, client, dir, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("run after Ctrl-C: %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("files saved after Ctrl-C: %v", entries)
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
