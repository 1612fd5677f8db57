package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-managedagents/managedagents/managedagentstest"
)

func TestRun(t *testing.T) {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	if err := seed(t.Context(), client); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(t.Context(), client, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, want := range []string{"  agent_", " Researcher\n", "  page 3: sesn_", "Idle sessions: 6\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "  agent_"); n != 3 {
		t.Errorf("%d agents listed, want 3:\n%s", n, out.String())
	}
	if n := strings.Count(out.String(), ": sesn_"); n != 6 {
		t.Errorf("%d sessions listed, want 6:\n%s", n, out.String())
	}
}
