package exampleenv

import (
	"context"
	"testing"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// RunOnFake is the body of an example's test: it starts the fake with opts, runs
// the example's run function against it with os.Stdout captured, fails t if run
// fails or leaves agents, environments or sessions behind, and returns what run
// printed.
func RunOnFake(t testing.TB, run func(context.Context, *managedagents.Client) error, opts ...managedagentstest.ServerOption) string {
	t.Helper()
	srv := managedagentstest.NewServer(opts...)
	defer srv.Close()
	client := srv.Client()
	var err error
	out, cerr := CaptureStdout(func() { err = run(t.Context(), client) })
	if err != nil || cerr != nil {
		t.Fatalf("run: %v, %v\noutput:\n%s", err, cerr, out)
	}
	if err := CheckCleanedUp(t.Context(), client); err != nil {
		t.Error(err)
	}
	return out
}
