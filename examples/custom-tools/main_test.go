package main

import (
	"testing"

	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	out := exampleenv.RunOnFake(t, run, managedagentstest.WithScript(fakeAgent))
	const want = "[get_weather {\"city\":\"Paris\"}] 18°C and partly cloudy in Paris\n" +
		"Agent: Right now it is 18°C and partly cloudy in Paris.\n" +
		"Turn ended: end_turn, 1 tool call(s)\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}
