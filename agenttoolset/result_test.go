package agenttoolset

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestResultPostsAsTheReferenceSample runs the reference's agent.tool_use
// sample through Run, as a runner would, and checks that the body it posts is
// the reference's user.tool_result sample. The sample's command needs a Go
// module to fail; a command printing the same output and failing the same way
// stands in for it.
func TestResultPostsAsTheReferenceSample(t *testing.T) {
	var toolUse struct {
		Type  string          `json:"type"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	}
	require.NoError(t, json.Unmarshal(readTestdata(t, "agent_tool_use_bash.json"), &toolUse))
	require.Equal(t, "agent.tool_use", toolUse.Type)

	var input map[string]any
	require.NoError(t, json.Unmarshal(toolUse.Input, &input))
	input["command"] = `printf -- '--- FAIL: TestParse (0.00s)\n    parse_test.go:41: got 3 fields, want 4\nFAIL\nFAIL\texample.com/app/parse\t0.012s\nok  \texample.com/app/store\t0.031s\n'; exit_code() { return 1; }; exit_code`
	raw, err := json.Marshal(input)
	require.NoError(t, err)

	ts := newToolset(t, Options{})
	res, err := ts.Run(context.Background(), toolUse.Name, raw)
	require.NoError(t, err)
	body, err := json.Marshal(map[string]any{"events": []any{res.Event(toolUse.ID)}})
	require.NoError(t, err)
	require.JSONEq(t, string(readTestdata(t, "user_tool_result.json")), string(body))
}

func TestResultAlwaysCarriesIsError(t *testing.T) {
	body, err := json.Marshal(success("ok").Event("sevt_1"))
	require.NoError(t, err)
	require.JSONEq(t, `{"type":"user.tool_result","tool_use_id":"sevt_1","is_error":false,"content":[{"type":"text","text":"ok"}]}`, string(body))
	require.Equal(t, noOutput, success("").Text())
}

func TestRunUnknownToolPostsNothing(t *testing.T) {
	ts := newToolset(t, Options{})
	_, err := ts.Run(context.Background(), "web_search", json.RawMessage(`{}`))
	require.ErrorIs(t, err, ErrUnknownTool)
	require.NoError(t, ts.Close())
	for _, name := range []string{ToolBash, ToolRead, ToolWrite, ToolEdit, ToolGlob, ToolGrep} {
		_, err := ts.Run(context.Background(), name, json.RawMessage(`{"command":"x","file_path":"x","content":"","old_string":"x","new_string":"","pattern":"x"}`))
		require.ErrorIs(t, err, ErrClosed, name)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return data
}
