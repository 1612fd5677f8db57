// Command outputs runs a session whose agent writes files, then downloads
// the files the session produced: it lists them by the session's id
// (FileListParams.ScopeID), saves each one with DownloadToFile (whole or not
// at all), and cleans up: the files, the session, the environment, the agent.
//
// With ANTHROPIC_API_KEY set it runs against the real API (honouring
// ANTHROPIC_BASE_URL); without, against the in-memory fake of
// managedagentstest, whose agent writes a report and a table. The files go to
// a new temporary directory unless -dir names one. Ctrl-C interrupts it (exit
// status 130) after cleaning up.
//
//	go run ./examples/outputs [-dir outputs]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// task is what the agent is asked to do.
const task = "Summarize the quarterly sales of three made-up regions: write the table to " +
	"/mnt/session/outputs/sales.csv and a one-paragraph report to /mnt/session/outputs/report.md."

func main() { os.Exit(exitCode()) }

// exitCode runs the example and returns its exit status: 0, 1 after an error,
// 2 for bad flags, 130 after Ctrl-C.
func exitCode() int {
	dir := flag.String("dir", "", "directory to save the outputs in (default: a new temporary directory)")
	flag.Parse()
	// Ctrl-C (or SIGTERM) cancels ctx; a second Ctrl-C kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	client := managedagents.NewClient() // reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL
	if os.Getenv("ANTHROPIC_API_KEY") == "" {
		fmt.Fprintln(os.Stderr, "ANTHROPIC_API_KEY is not set: running on the in-memory fake")
		srv := managedagentstest.NewServer(managedagentstest.WithScript(writeOutputs))
		defer srv.Close()
		client = srv.Client()
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "outputs-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "outputs:", err)
			return 1
		}
		*dir = tmp
	}

	if err := run(ctx, client, *dir, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "outputs:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

func run(ctx context.Context, client *managedagents.Client, dir string, out io.Writer) (err error) {
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:  "Analyst",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{managedagents.NewAgentToolset()}, // bash, write, ...
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID, managedagents.AgentArchiveParams{})
		return err
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name: "outputs-" + strconv.FormatInt(time.Now().UnixNano(), 36),
	})
	if err != nil {
		return fmt.Errorf("creating the environment: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Environments.Delete(ctx, env.ID, managedagents.EnvironmentDeleteParams{})
		return err
	})
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID, Title: "Outputs example",
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		return deleteSession(ctx, client, session.ID)
	})

	// One turn, to its end (RunTurn interrupts the session if ctx ends).
	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage(task)},
	})
	if err != nil {
		return fmt.Errorf("running the turn: %w", err)
	}
	fmt.Fprintf(out, "Agent: %s\n", result.Text())

	// The session's outputs are the files whose scope is the session.
	var saved []string
	defer undo(ctx, &err, func(ctx context.Context) error {
		var errs []error
		for _, id := range saved {
			_, err := client.Files.Delete(ctx, id, managedagents.FileDeleteParams{})
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
	for f, listErr := range client.Files.ListAll(ctx, managedagents.FileListParams{ScopeID: session.ID}) {
		if listErr != nil {
			return fmt.Errorf("listing the outputs: %w", listErr)
		}
		saved = append(saved, f.ID)
		path := filepath.Join(dir, filepath.Base(f.Filename))
		size, dlErr := client.Files.DownloadToFile(ctx, f.ID, managedagents.FileDownloadToFileParams{Path: path})
		if dlErr != nil {
			return fmt.Errorf("downloading %s: %w", f.Filename, dlErr)
		}
		fmt.Fprintf(out, "Saved %s (%s, %d bytes) to %s\n", f.Filename, f.MimeType, size, path)
	}
	if len(saved) == 0 {
		return errors.New("the session produced no file")
	}
	return nil
}

// writeOutputs plays the agent on the fake: it writes the two files with the
// write tool, where the session's outputs are collected, and says so.
func writeOutputs(turn *managedagentstest.Turn) {
	files := []struct{ path, mime, content string }{
		{"/mnt/session/outputs/sales.csv", "text/csv", "region,q1,q2,q3\nnorth,12,15,19\nsouth,9,11,10\nwest,14,13,18\n"},
		{"/mnt/session/outputs/report.md", "text/markdown", "# Sales\n\nThe north grew fastest; the south stayed flat.\n"},
	}
	for _, f := range files {
		if _, err := turn.RunTool("write", map[string]string{"file_path": f.path, "content": f.content}, "ok"); err != nil {
			return
		}
		turn.WriteOutput(f.path, f.mime, []byte(f.content))
	}
	turn.Message("I wrote sales.csv and report.md.")
}

// undo runs a cleanup step with a context that survives the cancellation of
// ctx (Ctrl-C) for up to 30 s, and adds its error to *err.
func undo(ctx context.Context, err *error, step func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if e := step(ctx); e != nil {
		*err = errors.Join(*err, fmt.Errorf("cleaning up: %w", e))
	}
}

// deleteSession deletes a session. The API refuses to delete a running
// session, so one still running (after an error or Ctrl-C) is interrupted
// first and waited for.
func deleteSession(ctx context.Context, client *managedagents.Client, sessionID string) error {
	for interrupted := false; ; interrupted = true {
		s, err := client.Sessions.Get(ctx, sessionID, managedagents.SessionGetParams{})
		if err != nil {
			return err
		}
		if s.Status != managedagents.SessionStatusRunning && s.Status != managedagents.SessionStatusRescheduling {
			break
		}
		if !interrupted {
			_, err := client.Sessions.Events.Send(ctx, sessionID, managedagents.SessionEventSendParams{
				Events: []managedagents.EventParam{managedagents.NewUserInterrupt()},
			})
			if err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	_, err := client.Sessions.Delete(ctx, sessionID, managedagents.SessionDeleteParams{})
	return err
}
