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
	const want = "[get_weather {\"city\":\"Paris\"}] 18°C and partly cloudy in Paris\n" +
		"Agent: Right now it is 18°C and partly cloudy in Paris.\n" +
		"Turn ended: end_turn, 1 tool call(s)\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if err := exampleenv.CheckCleanedUp(t.Context(), client); err != nil {
		t.Error(err)
	}
}
