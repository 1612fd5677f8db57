package toolrunner_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// The overhead the runner adds to a tool call, event received → result
// posted, is the difference between two round trips on the fake, one call
// after the other: the agent emits agent.tool_use and waits for the
// user.tool_result, answered by
//   - BenchmarkRunnerRoundTrip: the runner, with a no-op executor;
//   - BenchmarkBareRoundTrip: the least a client can do, the SDK's stream
//     read and Send, with nothing recorded, checked or reconciled.
//
// See RUNNER_BENCHMARKS.md.

// noop answers every call at once.
var noop = toolrunner.ExecutorFunc(func(context.Context, string, json.RawMessage) (toolrunner.ToolResult, error) {
	return toolrunner.NewToolResultText("ok"), nil
})

// benchSession makes a self-hosted session whose agent calls bash n times in
// a row, and returns the fixture and a channel closed when the last answer
// came.
func benchSession(b *testing.B, n int) (*fixture, <-chan struct{}) {
	f := newFixture(b, nil)
	done := make(chan struct{})
	f.script(func(turn *managedagentstest.Turn) {
		defer close(done)
		for range n {
			if _, err := turn.CallTool("bash", map[string]any{"command": "true"}); err != nil {
				return
			}
		}
	})
	return f, done
}

func BenchmarkRunnerRoundTrip(b *testing.B) {
	f, done := benchSession(b, b.N)
	r, err := toolrunner.New(f.client, f.sessionID, toolrunner.Options{Executor: noop, MaxIdle: -1})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.Run(ctx) }()
	f.start(b)
	b.ResetTimer()
	<-done
	b.StopTimer()
	cancel()
	<-ran
}

func BenchmarkBareRoundTrip(b *testing.B) {
	f, done := benchSession(b, b.N)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := f.client.Sessions.Events.Stream(ctx, f.sessionID, managedagents.EventStreamParams{})
	if err != nil {
		b.Fatal(err)
	}
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		for ev, err := range stream.All() {
			if err != nil {
				return
			}
			if use, ok := ev.(*managedagents.AgentToolUseEvent); ok {
				_, err := f.client.Sessions.Events.Send(ctx, f.sessionID, managedagents.SessionEventSendParams{
					Events: []managedagents.EventParam{managedagents.NewUserToolResult(use.ID, managedagents.NewTextBlock("ok"))}})
				if err != nil {
					return
				}
			}
		}
	}()
	f.start(b)
	b.ResetTimer()
	<-done
	b.StopTimer()
	cancel()
	stream.Close()
	<-ran
}
