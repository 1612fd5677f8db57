package main

import (
	"testing"

	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(fakeAgent))
	defer srv.Close()
	client := srv.Client()
	var err error
	out, cerr := exampleenv.CaptureStdout(func() { err = run(t.Context(), client) })
	if err != nil || cerr != nil {
		t.Fatalf("run: %v, %v", err, cerr)
	}
	const want = "[allow] bash: ls\n" +
		"  result: fibonacci.txt notes.tmp scratch.tmp\n" +
		"[deny]  bash: rm notes.tmp scratch.tmp\n" +
		"  result: The user denied this tool call. Removing files is not allowed; list them for me to delete instead.\n" +
		"Agent: Let me look at the files first.\n" +
		"I was not allowed to delete files. The temporary ones are notes.tmp and scratch.tmp; you can remove them with: rm notes.tmp scratch.tmp\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if err := exampleenv.CheckCleanedUp(t.Context(), client); err != nil {
		t.Error(err)
	}
}
