package toolrunner_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// The result of a built-in call is posted as the reference's sample body:
// one user.tool_result with the tool_use_id, is_error and the content
// (self-hosted.md §4.5, samples/user_tool_result.json, copied to testdata).
func TestBuiltinResultHasTheReferenceShape(t *testing.T) {
	t.Parallel()
	sample, err := os.ReadFile("testdata/user_tool_result.json")
	require.NoError(t, err)
	var want struct {
		Events []struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"events"`
	}
	require.NoError(t, json.Unmarshal(sample, &want))
	text := want.Events[0].Content[0].Text

	f := newFixture(t, nil)
	got := make(chan managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		a, err := turn.CallTool("bash", map[string]any{"command": "cd app && go test ./... 2>&1 | tail -n 20", "timeout_ms": 90000})
		if err == nil {
			got <- a
		}
	})
	exec := &executor{fn: func(context.Context, string, json.RawMessage) (toolrunner.ToolResult, error) {
		return toolrunner.NewToolResultError(text), nil
	}}
	f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	a := recv(t, got)
	require.True(t, a.IsError)
	require.Equal(t, text, a.Text())

	posts := f.posts()
	require.Len(t, posts, 1)
	id := f.toolUseIDs(t)[0]
	require.JSONEq(t, strings.ReplaceAll(string(sample), "sevt_011CnS4hT2uWq8zKx5vNb3Rj", id), string(posts[0]))
	require.Equal(t, []string{"bash"}, exec.ran())
	require.JSONEq(t, `{"command":"cd app && go test ./... 2>&1 | tail -n 20","timeout_ms":90000}`, string(exec.inputs[0]))
}

// A custom tool's result is a user.custom_tool_result naming the call, with
// is_error present also when false; an empty result is posted as "(no
// output)".
func TestCustomResultShape(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]any{"tools": []any{agentToolset(""),
		map[string]any{"type": "custom", "name": "lookup", "description": "Looks up.", "input_schema": map[string]any{"type": "object"}},
		map[string]any{"type": "custom", "name": "quiet", "description": "Says nothing.", "input_schema": map[string]any{"type": "object"}},
	}})
	got := make(chan []string, 1)
	f.script(func(turn *managedagentstest.Turn) {
		a, err := turn.CallCustomTool("lookup", map[string]any{"q": "x"})
		if err != nil {
			return
		}
		b, err := turn.CallCustomTool("quiet", map[string]any{})
		if err == nil {
			got <- []string{a.Text(), b.Text()}
		}
	})
	f.run(t, toolrunner.Options{CustomTools: map[string]toolrunner.ToolFunc{
		"lookup": func(_ context.Context, c toolrunner.ToolCall) (toolrunner.ToolResult, error) {
			return toolrunner.NewToolResultText("found " + string(c.Input)), nil
		},
		"quiet": func(context.Context, toolrunner.ToolCall) (toolrunner.ToolResult, error) {
			return toolrunner.ToolResult{}, nil
		},
	}})
	f.start(t)
	require.Equal(t, []string{`found {"q":"x"}`, "(no output)"}, recv(t, got))
	ids := f.toolUseIDs(t)
	posts := f.posts()
	require.Len(t, posts, 2)
	require.JSONEq(t, `{"events":[{"type":"user.custom_tool_result","custom_tool_use_id":"`+ids[0]+`","is_error":false,
		"content":[{"type":"text","text":"found {\"q\":\"x\"}"}]}]}`, string(posts[0]))
	require.JSONEq(t, `{"events":[{"type":"user.custom_tool_result","custom_tool_use_id":"`+ids[1]+`","is_error":false,
		"content":[{"type":"text","text":"(no output)"}]}]}`, string(posts[1]))
}
