// Package exampleenv is the setup shared by the programs under examples/: a
// client of the real API when ANTHROPIC_API_KEY is set, otherwise of the
// in-memory fake (managedagentstest), a context ended by Ctrl-C, and clean
// exit codes. It is internal: copy what you need from it.
package exampleenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// OfflineNotice is printed on stderr when an example runs against the fake.
const OfflineNotice = "ANTHROPIC_API_KEY is not set: running against the in-memory fake (managedagentstest)"

// Offline reports whether the examples run against the fake: ANTHROPIC_API_KEY
// is unset or empty.
func Offline() bool { return os.Getenv("ANTHROPIC_API_KEY") == "" }

// Client returns a client of the real API (managedagents.NewClient, which reads
// ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL) when ANTHROPIC_API_KEY is set.
// Otherwise it prints [OfflineNotice] on stderr, starts the fake with opts and
// returns a client of it. Call closeFn when done: it stops the fake (and does
// nothing online).
func Client(opts ...managedagentstest.ServerOption) (client *managedagents.Client, closeFn func()) {
	if !Offline() {
		return managedagents.NewClient(), func() {}
	}
	fmt.Fprintln(os.Stderr, OfflineNotice)
	srv := managedagentstest.NewServer(opts...)
	return srv.Client(), srv.Close
}

// Main runs an example and exits. It gives run a context that Ctrl-C (SIGINT)
// or SIGTERM cancels and a client from [Client] (opts configure the fake), then
// stops the fake and exits with status 0 when run returns nil, 130 when it
// returns after Ctrl-C, and 1 otherwise, printing "name: error" on stderr. A
// second Ctrl-C, while run cleans up after the first, kills the program.
func Main(name string, run func(ctx context.Context, client *managedagents.Client) error, opts ...managedagentstest.ServerOption) {
	os.Exit(main(name, run, opts))
}

func main(name string, run func(context.Context, *managedagents.Client) error, opts []managedagentstest.ServerOption) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first Ctrl-C the example cleans up (up to 30 s); a second one
	// must kill it, as usual, rather than be swallowed.
	stopped := context.AfterFunc(ctx, stop)
	defer stopped()
	client, closeFn := Client(opts...)
	defer closeFn()
	err := run(ctx, client)
	switch {
	case err == nil:
		return 0
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintf(os.Stderr, "%s: interrupted (%v)\n", name, err)
		return 130
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	return 1
}
