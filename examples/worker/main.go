// Command worker runs the tools of a self-hosted environment's sessions on
// this machine: it polls the environment's work queue, and for each work
// item runs the session's bash, read, write, edit, glob and grep calls in a
// directory of its own under -workdir, until SIGINT or SIGTERM; then it
// stops polling, lets the running tool calls finish for up to -grace,
// cancels the rest, stops its items and exits: 0 after SIGTERM (a service
// manager's stop), 130 after Ctrl-C (SIGINT), as every example does.
//
//	ANTHROPIC_ENVIRONMENT_KEY=… worker -environment env_… -workdir /var/lib/agent-worker [-concurrency 8] [-grace 30s]
//
// The environment key comes from ANTHROPIC_ENVIRONMENT_KEY (and the API's
// address from ANTHROPIC_BASE_URL, when set). Without a key it runs an
// offline demo on the in-memory fake of managedagentstest: a self-hosted
// environment, a session whose agent writes a script and runs it through
// the worker in a temporary directory, and the output printed; it ends
// when the session is done.
//
//	go run ./examples/worker
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/worker"
)

func main() { os.Exit(exitCode(os.Args[1:], os.Stdout, os.Stderr)) }

// config is what the command line says.
type config struct {
	environment string
	workdir     string
	concurrency int
	grace       time.Duration
}

// exitCode runs the command and returns its exit status: 0 after a drain on
// SIGTERM (or the demo), 130 after Ctrl-C, 1 after an error, 2 for a bad
// command line.
func exitCode(args []string, stdout, stderr io.Writer) int {
	var cfg config
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.environment, "environment", "", "the self-hosted environment to serve (env_…)")
	fs.StringVar(&cfg.workdir, "workdir", "", "the directory under which each work item gets its own")
	fs.IntVar(&cfg.concurrency, "concurrency", 8, "work items served at once")
	fs.DurationVar(&cfg.grace, "grace", 30*time.Second, "how long running tool calls may finish after SIGINT or SIGTERM")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.concurrency < 1 || cfg.grace < 0 {
		fmt.Fprintln(stderr, "worker: -concurrency must be at least 1 and -grace not negative")
		return 2
	}
	// SIGINT or SIGTERM ends ctx: the worker drains.
	interrupted, stopInterrupt := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stopInterrupt()
	ctx, stop := signal.NotifyContext(interrupted, syscall.SIGTERM)
	defer stop()
	// A second signal kills: the default behaviour again, interrupted left
	// as the signal set it.
	context.AfterFunc(ctx, func() { signal.Reset(os.Interrupt, syscall.SIGTERM) })
	status := func(err error) int {
		if err != nil {
			fmt.Fprintln(stderr, "worker:", err)
		}
		switch {
		case interrupted.Err() != nil:
			return 130
		case err != nil:
			return 1
		}
		return 0
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	if os.Getenv("ANTHROPIC_ENVIRONMENT_KEY") == "" {
		fmt.Fprintln(stderr, "ANTHROPIC_ENVIRONMENT_KEY is not set: running the offline demo on the in-memory fake")
		return status(demo(ctx, cfg, stdout, logger))
	}
	if cfg.environment == "" || cfg.workdir == "" {
		fmt.Fprintln(stderr, "worker: -environment and -workdir are required")
		fs.Usage()
		return 2
	}
	client := managedagents.NewClient() // ANTHROPIC_ENVIRONMENT_KEY, ANTHROPIC_BASE_URL
	return status(serve(ctx, client, cfg, stdout, logger))
}

// serve runs a worker of cfg.environment until ctx ends, then drains it
// for cfg.grace, and prints what it did.
func serve(ctx context.Context, client *managedagents.Client, cfg config, out io.Writer, logger *slog.Logger) error {
	w, err := worker.New(client, cfg.environment, worker.Options{
		Workdir:            cfg.workdir,
		MaxConcurrentItems: cfg.concurrency,
		DrainTimeout:       cfg.grace,
		Logger:             logger,
	})
	if err != nil {
		return err
	}
	if err := w.Start(ctx); err != nil {
		return err
	}
	<-w.Stopped()
	s := w.Stats()
	fmt.Fprintf(out, "served %d items (%d interrupted, %d failed), %d tool calls\n",
		s.ItemsServed, s.ItemsInterrupted, s.ItemsFailed, s.ToolCalls)
	return w.Err()
}

// demo serves a session on the in-memory fake: a self-hosted environment,
// an agent that writes a script and runs it, and this program's worker
// running those tools in a temporary directory (or cfg.workdir).
func demo(ctx context.Context, cfg config, out io.Writer, logger *slog.Logger) error {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(demoAgent))
	defer srv.Close()
	client := srv.Client()
	if cfg.workdir == "" {
		dir, err := os.MkdirTemp("", "worker-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.workdir = dir
	}

	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:  "Script runner",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{managedagents.NewAgentToolset()},
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name:   "my-machines",
		Config: &managedagents.SelfHostedConfig{}, // its tools run on our worker
	})
	if err != nil {
		return fmt.Errorf("creating the environment: %w", err)
	}
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}

	w, err := worker.New(client, env.ID, worker.Options{Workdir: cfg.workdir, MaxConcurrentItems: cfg.concurrency,
		DrainTimeout: cfg.grace, Logger: logger.With("demo", true)})
	if err != nil {
		return err
	}
	if err := w.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "The worker serves self-hosted environment %s.\n", env.ID)
	turn, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Write a script that prints the first ten Fibonacci numbers, and run it.")},
		OnEvent: func(ev managedagents.Event) {
			switch e := ev.(type) {
			case *managedagents.AgentToolUseEvent:
				fmt.Fprintf(out, "[%s] %s\n", e.Name, describe(e))
			case *managedagents.UserToolResultEvent:
				fmt.Fprintf(out, "  -> %s\n", strings.TrimSpace(e.Content.Text()))
			}
		},
	})
	// The session is done (or ctx ended): the worker drains and stops its
	// item.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.grace)
	defer cancel()
	stopErr := w.Stop(sctx)
	if err != nil {
		return errors.Join(fmt.Errorf("running the turn: %w", err), stopErr)
	}
	fmt.Fprintf(out, "Agent: %s\n", turn.Text())
	s := w.Stats()
	fmt.Fprintf(out, "worker: %d item, %d tool calls, %d results posted\n", s.ItemsClaimed, s.ToolCalls, s.ToolResultsPosted)
	return stopErr
}

// describe returns what a tool call does, in a few words.
func describe(e *managedagents.AgentToolUseEvent) string {
	var in struct {
		Command  string `json:"command"`
		FilePath string `json:"file_path"`
	}
	_ = json.Unmarshal(e.Input, &in)
	if in.Command != "" {
		return in.Command
	}
	return in.FilePath
}

// fibScript is the script the demo agent writes.
const fibScript = `a=0 b=1
for i in $(seq 10); do printf '%d ' "$a"; c=$((a + b)); a=$b b=$c; done
echo
`

// demoAgent plays the agent on the fake: it writes fib.sh with the write
// tool and runs it with bash, both through the worker, then reports.
func demoAgent(t *managedagentstest.Turn) {
	t.Message("I'll write the script, then run it.")
	if _, err := t.CallTool("write", map[string]any{"file_path": "fib.sh", "content": fibScript}); err != nil {
		return
	}
	ran, err := t.CallTool("bash", map[string]any{"command": "bash fib.sh"})
	if err != nil {
		return
	}
	t.Message("The script printed: " + strings.TrimSpace(ran.Text()))
}
