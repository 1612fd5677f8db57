package toolrunner_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/agenttoolset"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// The agent toolset, through ToolsetExecutor, answers a self-hosted agent's
// calls in a working directory: it writes a file, runs it with bash, and a
// read outside the directory is an error result that touches nothing.
func TestToolsetExecutorRunsTheAgentToolset(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ts, err := agenttoolset.New(dir, agenttoolset.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ts.Close() })

	f := newFixture(t, nil)
	got := make(chan []managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		var answers []managedagentstest.Answer
		for _, c := range []struct {
			name  string
			input map[string]any
		}{
			{"write", map[string]any{"file_path": "hello.sh", "content": "echo hello from $0\n"}},
			{"bash", map[string]any{"command": "bash hello.sh"}},
			{"read", map[string]any{"file_path": "/etc/passwd"}},
		} {
			a, err := turn.CallTool(c.name, c.input)
			if err != nil {
				return
			}
			answers = append(answers, a)
		}
		got <- answers
	})
	f.run(t, toolrunner.Options{Executor: toolrunner.ToolsetExecutor{Toolset: ts}})
	f.start(t)
	answers := recv(t, got)
	require.False(t, answers[0].IsError, answers[0].Text())
	require.Equal(t, "wrote 19 bytes to hello.sh", answers[0].Text())
	require.False(t, answers[1].IsError, answers[1].Text())
	require.Equal(t, "hello from hello.sh\n\n", answers[1].Text())
	require.True(t, answers[2].IsError)
	require.Contains(t, answers[2].Text(), "outside the working directory")
	data, err := os.ReadFile(filepath.Join(dir, "hello.sh"))
	require.NoError(t, err)
	require.Equal(t, "echo hello from $0\n", string(data))
}
