package main

import (
	"testing"

	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	out := exampleenv.RunOnFake(t, run, managedagentstest.WithScript(fakeAgent))
	const want = "> Write a story in ten long chapters about a lighthouse keeper.\n" +
		"> (interrupt) Stop. Write a haiku about the lighthouse instead.\n" +
		"agent: Chapter 1 of 10: the keeper climbs the stairs for the last time...\n" +
		"[turn 1 ended: end_turn]\n" +
		"agent: Beam sweeps the black sea /\nthe keeper counts the long waves /\ndawn takes back the light\n" +
		"[turn 2 ended: end_turn]\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}
