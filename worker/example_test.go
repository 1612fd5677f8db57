package worker_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/worker"
)

// A worker's main: serve the environment until SIGINT or SIGTERM, then
// drain for a minute and exit.
func ExampleWorker() {
	client := managedagents.NewClient() // ANTHROPIC_ENVIRONMENT_KEY from the environment
	w, err := worker.New(client, "env_011CZkZVnBjDpbyX5nYk2X3Q", worker.Options{
		Workdir:            "/var/lib/agent-worker",
		MaxConcurrentItems: 16,
		DrainTimeout:       time.Minute,
		Logger:             slog.Default(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := w.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	<-w.Stopped()
	s := w.Stats()
	fmt.Printf("served %d items, %d tool calls, %d leases lost\n", s.ItemsServed, s.ToolCalls, s.LeasesLost)
	if err := w.Err(); err != nil { // the environment key was refused, say
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
