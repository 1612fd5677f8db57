package main

import (
	"bytes"
	"testing"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(fakeAgent))
	defer srv.Close()
	client := srv.Client()
	var out bytes.Buffer
	if err := run(t.Context(), client, &out); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	const want = "[allow] bash: ls\n" +
		"  result: fibonacci.txt notes.tmp scratch.tmp\n" +
		"[deny]  bash: rm notes.tmp scratch.tmp\n" +
		"  result: The user denied this tool call. Removing files is not allowed; list them for me to delete instead.\n" +
		"Agent: Let me look at the files first.\n" +
		"I was not allowed to delete files. The temporary ones are notes.tmp and scratch.tmp; you can remove them with: rm notes.tmp scratch.tmp\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
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
