// Command memory gives an agent a memory that outlives its session: it
// creates a memory store, writes a first memory into it, mounts the store in
// a session (the agent sees it as a directory under /mnt/memory/), runs a turn
// in which the agent updates its notes, then lists the store's memories and
// the versions every write left, showing who wrote each: this program (an
// API key) or the agent (the session). It deletes everything it created.
//
// With ANTHROPIC_API_KEY set it runs against the real API; without, against
// the in-memory fake of managedagentstest, whose scripted agent keeps its
// notes in the store's notes.md. Ctrl-C interrupts it (exit status 130) after
// cleaning up.
//
//	go run ./examples/memory
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func main() { os.Exit(exitCode()) }

// exitCode runs the example and returns its exit status: 0, 1 after an error,
// 130 after Ctrl-C.
func exitCode() int {
	// Ctrl-C (or SIGTERM) cancels ctx; a second Ctrl-C kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	client := managedagents.NewClient() // reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL
	if os.Getenv("ANTHROPIC_API_KEY") == "" {
		fmt.Fprintln(os.Stderr, "ANTHROPIC_API_KEY is not set: running on the in-memory fake")
		srv := managedagentstest.NewServer(managedagentstest.WithScript(managedagentstest.MemoryScript)) // an agent that keeps notes
		defer srv.Close()
		client = srv.Client()
	}

	if err := run(ctx, client, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "memory:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

func run(ctx context.Context, client *managedagents.Client, out io.Writer) (err error) {
	// 1. A memory store, and a first memory in it. The description goes into
	// the agent's system prompt when the store is mounted.
	store, err := client.MemoryStores.Create(ctx, managedagents.MemoryStoreCreateParams{
		Name:        "User preferences",
		Description: "What the user told you about how they like answers. Read it before answering; add what you learn.",
		Metadata:    map[string]string{"end_user": "u_1832"}, // yours; the agent does not see it
	})
	if err != nil {
		return fmt.Errorf("creating the memory store: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		// Deleting the store deletes its memories and all their versions.
		_, err := client.MemoryStores.Delete(ctx, store.ID, managedagents.MemoryStoreDeleteParams{})
		return err
	})
	if _, err := client.MemoryStores.Memories.Create(ctx, store.ID, managedagents.MemoryCreateParams{
		Path:    "/notes.md",
		Content: "- Prefers answers in British English.\n",
	}); err != nil {
		return fmt.Errorf("writing the first memory: %w", err)
	}

	// 2. An agent with the built-in tools (it reads and writes the store as
	// files), an environment, and a session with the store mounted.
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:   "Assistant with memory",
		Model:  managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		System: "You are a helpful assistant. Keep what you learn about the user in your memory store's notes.md.",
		Tools:  []managedagents.Tool{managedagents.NewAgentToolset()},
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID, managedagents.AgentArchiveParams{}) // agents have no delete
		return err
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name:   "memory-" + strconv.FormatInt(time.Now().UnixNano(), 36), // unique in the organization
		Config: &managedagents.CloudConfig{Networking: managedagents.NewNetworkingUnrestricted()},
	})
	if err != nil {
		return fmt.Errorf("creating the environment: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Environments.Delete(ctx, env.ID, managedagents.EnvironmentDeleteParams{})
		return err
	})
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent:         managedagents.NewAgentRef(agent.ID),
		EnvironmentID: env.ID,
		Title:         "Memory example",
		Resources: []managedagents.SessionResourceParams{&managedagents.MemoryStoreResourceParams{
			MemoryStoreID: store.ID,
			Access:        managedagents.MemoryStoreAccessReadWrite,
			Instructions:  "Update notes.md whenever the user tells you a preference.",
		}},
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		return deleteSession(ctx, client, session.ID)
	})
	for _, r := range session.Resources {
		if m, ok := r.(*managedagents.MemoryStoreResource); ok {
			fmt.Fprintf(out, "Memory store %q mounted at %s (%s)\n", m.Name, m.MountPath, m.Access)
		}
	}

	// 3. A turn: the agent reads its notes and adds to them.
	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Please use metric units from now on.")},
	})
	if err != nil {
		return fmt.Errorf("running the turn: %w", err)
	}
	fmt.Fprintf(out, "Agent: %s\n", result.Text())

	// 4. What the store holds now, and who wrote what.
	fmt.Fprintln(out, "Memories:")
	for item, err := range client.MemoryStores.Memories.ListAll(ctx, store.ID, managedagents.MemoryListParams{}) {
		if err != nil {
			return fmt.Errorf("listing the memories: %w", err)
		}
		if m, ok := item.(*managedagents.Memory); ok {
			fmt.Fprintf(out, "  %s (%d bytes, sha256 %.12s…)\n", m.Path, m.ContentSizeBytes, m.ContentSHA256)
		}
	}
	fmt.Fprintln(out, "Versions, newest first:")
	for v, err := range client.MemoryStores.MemoryVersions.ListAll(ctx, store.ID, managedagents.MemoryVersionListParams{}) {
		if err != nil {
			return fmt.Errorf("listing the memory versions: %w", err)
		}
		fmt.Fprintf(out, "  %s %s by %s\n", v.Operation, v.Path, author(v.CreatedBy, session.ID))
	}
	return nil
}

// author says who wrote a memory version.
func author(a *managedagents.Actor, sessionID string) string {
	switch {
	case a == nil:
		return "someone not recorded"
	case a.Type == managedagents.ActorTypeSession && a.SessionID == sessionID:
		return "the agent, in this session"
	case a.Type == managedagents.ActorTypeSession:
		return "the agent of session " + a.SessionID
	case a.Type == managedagents.ActorTypeAPI:
		return "this program (an API key)"
	}
	return a.Type
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
