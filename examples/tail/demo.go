package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	ma "github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

const (
	demoTask = "Generate the first 20 Fibonacci numbers to fibonacci.txt"
	demoBye  = "Thanks, that's all. Please end the session."
	// demoPause is how long the demo waits before its second message, so that
	// the second turn's events come live, after the history.
	demoPause = 300 * time.Millisecond
)

// demo follows a session made for the occasion on the fake: its first turn
// (the quickstart task) is history by the time tail lists it; a second message,
// sent while tail follows, plays a turn that ends the session.
func demo(ctx context.Context, client *ma.Client, out io.Writer, opts options) error {
	// The fake is thrown away at exit: nothing to clean up.
	agent, err := client.Agents.Create(ctx, ma.AgentCreateParams{
		Name:  "Demo Assistant",
		Model: ma.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []ma.Tool{ma.NewAgentToolset()},
	})
	if err != nil {
		return fmt.Errorf("demo: creating the agent: %w", err)
	}
	env, err := client.Environments.Create(ctx, ma.EnvironmentCreateParams{Name: "tail-demo"})
	if err != nil {
		return fmt.Errorf("demo: creating the environment: %w", err)
	}
	session, err := client.Sessions.Create(ctx, ma.SessionCreateParams{
		Agent:         ma.NewAgentRef(agent.ID),
		EnvironmentID: env.ID,
		Title:         "tail demo",
		InitialEvents: []ma.EventParam{ma.NewUserMessage(demoTask)},
	})
	if err != nil {
		return fmt.Errorf("demo: creating the session: %w", err)
	}
	fmt.Fprintf(stderr, "tail: ANTHROPIC_API_KEY is not set: following demo session %s on the in-memory fake\n", session.ID)

	ctx, cancel := context.WithCancelCause(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel(nil)
	wg.Go(func() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(demoPause):
		}
		_, err := client.Sessions.Events.Send(ctx, session.ID, ma.SessionEventSendParams{
			Events: []ma.EventParam{ma.NewUserMessage(demoBye)},
		})
		if err != nil {
			cancel(fmt.Errorf("demo: sending the second message: %w", err))
		}
	})
	err = tail(ctx, client, session.ID, out, opts)
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// demoAgent plays the demo session's agent: the quickstart turn for the task,
// and for any other message a short answer, after which it ends the session.
func demoAgent(t *managedagentstest.Turn) {
	if strings.Contains(strings.ToLower(t.Text()), "fibonacci") {
		managedagentstest.DefaultScript(t)
		return
	}
	t.BeginModelRequest()
	t.Thinking()
	if t.Wait(100*time.Millisecond) != nil {
		return
	}
	t.Message("You're welcome. fibonacci.txt stays in the container until the session is deleted.")
	t.EndModelRequest(managedagentstest.ModelUsage{InputTokens: 2300, OutputTokens: 25, CacheReadInputTokens: 1024})
	t.Usage()
	t.Terminate()
}
