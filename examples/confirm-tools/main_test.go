package main

import (
	"testing"

	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	out := exampleenv.RunOnFake(t, run, managedagentstest.WithScript(fakeAgent))
	const want = "[allow] bash: ls\n" +
		"  result: fibonacci.txt notes.tmp scratch.tmp\n" +
		"[deny]  bash: rm notes.tmp scratch.tmp\n" +
		"  result: The user denied this tool call. Removing files is not allowed; list them for me to delete instead.\n" +
		"Agent: Let me look at the files first.\n" +
		"I was not allowed to delete files. The temporary ones are notes.tmp and scratch.tmp; you can remove them with: rm notes.tmp scratch.tmp\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}
