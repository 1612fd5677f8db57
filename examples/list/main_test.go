package main

import (
	"strings"
	"testing"

	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	if err := seed(t.Context(), client); err != nil {
		t.Fatal(err)
	}
	var err error
	out, cerr := exampleenv.CaptureStdout(func() { err = run(t.Context(), client) })
	if err != nil || cerr != nil {
		t.Fatalf("run: %v, %v", err, cerr)
	}
	for _, want := range []string{"  agent_", " Researcher\n", "  page 3: sesn_", "Idle sessions: 6\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "  agent_"); n != 3 {
		t.Errorf("%d agents listed, want 3:\n%s", n, out)
	}
	if n := strings.Count(out, ": sesn_"); n != 6 {
		t.Errorf("%d sessions listed, want 6:\n%s", n, out)
	}
}
