package toolrunner_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// A call of a tool the runner does not own is left to its owner: nothing is
// posted, and it is reported with ErrNotOwned. Here a custom tool without a
// handler, a built-in tool outside BuiltinTools, and a call the executor
// itself disowns; the owner (the test) then answers them.
func TestCallsNotOwnedAreReportedAndLeft(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]any{"tools": []any{agentToolset(""),
		map[string]any{"type": "custom", "name": "mine", "description": "Not the runner's.", "input_schema": map[string]any{"type": "object"}}}})
	ids := make(chan []string, 1)
	got := make(chan []managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		a := turn.CustomToolUse("mine", map[string]any{})
		b := turn.ToolUse("grep", map[string]any{"pattern": "x"})
		c := turn.ToolUse("read", map[string]any{"file_path": "x"})
		ids <- []string{a, b, c}
		if answers, err := turn.AwaitResults(a, b, c); err == nil {
			got <- answers
		}
	})
	un := newUnanswered()
	exec := &executor{fn: func(context.Context, string, json.RawMessage) (toolrunner.ToolResult, error) {
		return toolrunner.ToolResult{}, toolrunner.ErrNotOwned
	}}
	rr := f.run(t, toolrunner.Options{Executor: exec, BuiltinTools: []string{"read"}, OnUnanswered: un.report})
	f.start(t)
	want := recv(t, ids)
	for range 3 {
		recv(t, un.ch)
	}
	calls, errs := un.get()
	var reported []string
	for i, c := range calls {
		require.ErrorIs(t, errs[i], toolrunner.ErrNotOwned)
		reported = append(reported, c.ID)
	}
	require.ElementsMatch(t, want, reported)
	require.Empty(t, f.results(t), "nothing posted")
	require.Equal(t, []string{"read"}, exec.ran(), "only the owned name reached the executor")

	f.send(t, managedagents.NewUserCustomToolResult(want[0], managedagents.NewTextBlock("a")),
		managedagents.NewUserToolResult(want[1], managedagents.NewTextBlock("b")),
		managedagents.NewUserToolResult(want[2], managedagents.NewTextBlock("c")))
	require.Len(t, recv(t, got), 3)
	require.Equal(t, int64(3), rr.stop(t).Unanswered)
}

// A post the API refuses for good (a 400) is checked against the history
// once, then reported; it is not retried.
func TestRefusedPostIsReported(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	oneToolCall(f)
	f.start(t)
	f.srv.FailNext(managedagentstest.RouteSendEvents, 1, http.StatusBadRequest, nil)
	un := newUnanswered()
	rr := f.run(t, toolrunner.Options{Executor: &executor{}, OnUnanswered: un.report})
	recv(t, un.ch)
	_, errs := un.get()
	var apiErr *managedagents.APIError
	require.ErrorAs(t, errs[0], &apiErr)
	require.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	st := rr.stop(t)
	require.Equal(t, int64(0), st.Posted)
	require.Equal(t, int64(0), st.Retried)
	require.Empty(t, f.results(t))
}

// Past the send window, a result that could not be delivered is reported.
func TestSendWindowSpentIsReported(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	oneToolCall(f)
	f.start(t)
	f.srv.FailNext(managedagentstest.RouteSendEvents, 100, http.StatusServiceUnavailable, nil)
	un := newUnanswered()
	rr := f.run(t, toolrunner.Options{Executor: &executor{}, OnUnanswered: un.report,
		SendWindow: 50 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
	recv(t, un.ch)
	_, errs := un.get()
	require.ErrorIs(t, errs[0], managedagents.ErrDeliveryUncertain)
	require.Contains(t, errs[0].Error(), "send window")
	rr.stop(t)
	require.Empty(t, f.results(t))
}

// A call that outlives ToolTimeout is answered with an error result saying
// so; a handler's error is posted as an error result holding its message; a
// handler that panics gets an error result, and the runner goes on.
func TestToolFailuresBecomeErrorResults(t *testing.T) {
	t.Parallel()
	tools := []any{agentToolset("")}
	for _, name := range []string{"slow", "failing", "panicking"} {
		tools = append(tools, map[string]any{"type": "custom", "name": name, "description": name, "input_schema": map[string]any{"type": "object"}})
	}
	f := newFixture(t, map[string]any{"tools": tools})
	got := make(chan []managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		var answers []managedagentstest.Answer
		for _, name := range []string{"slow", "failing", "panicking"} {
			a, err := turn.CallCustomTool(name, map[string]any{})
			if err != nil {
				return
			}
			answers = append(answers, a)
		}
		got <- answers
	})
	f.run(t, toolrunner.Options{ToolTimeout: 20 * time.Millisecond, CustomTools: map[string]toolrunner.ToolFunc{
		"slow": func(ctx context.Context, _ toolrunner.ToolCall) (toolrunner.ToolResult, error) {
			<-ctx.Done()
			return toolrunner.ToolResult{}, ctx.Err()
		},
		"failing": func(context.Context, toolrunner.ToolCall) (toolrunner.ToolResult, error) {
			return toolrunner.ToolResult{}, errors.New("no such ticket")
		},
		"panicking": func(context.Context, toolrunner.ToolCall) (toolrunner.ToolResult, error) {
			panic("boom")
		},
	}})
	f.start(t)
	answers := recv(t, got)
	for i, want := range []string{"slow: timed out after 20ms", "failing: no such ticket", "panicking: the tool failed (it panicked)"} {
		require.True(t, answers[i].IsError)
		require.Equal(t, want, answers[i].Text())
	}
}

// A result the SDK refuses to send (an image without data) is posted with
// its blocks as text, once.
func TestUnsendableBlocksArePostedAsText(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	got := oneToolCall(f)
	exec := &executor{fn: func(context.Context, string, json.RawMessage) (toolrunner.ToolResult, error) {
		return toolrunner.NewToolResult(managedagents.NewTextBlock("see:"),
			&managedagents.ImageBlock{Source: &managedagents.Base64Source{MediaType: "image/png"}}), nil
	}}
	f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	a := recv(t, got)
	require.False(t, a.IsError)
	var blocks []map[string]any
	require.NoError(t, json.Unmarshal(a.Content, &blocks))
	require.Len(t, blocks, 2)
	require.Equal(t, "see:", blocks[0]["text"])
	require.Contains(t, blocks[1]["text"], `"type":"image"`)
	require.Len(t, f.posts(), 1)
}
