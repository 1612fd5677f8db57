package agenttoolset

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// shell's reader and watcher, every grep worker must have ended.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newToolset returns a toolset on a new temporary working directory, closed
// when the test ends.
func newToolset(t *testing.T, opts Options) *Toolset {
	t.Helper()
	ts, err := New(t.TempDir(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ts.Close()) })
	return ts
}

// run calls the tool name with input encoded as JSON, as a runner would, and
// fails the test when there is nothing to post.
func run(t *testing.T, ts *Toolset, name string, input any) Result {
	t.Helper()
	raw, err := json.Marshal(input)
	require.NoError(t, err)
	res, err := ts.Run(context.Background(), name, raw)
	require.NoError(t, err)
	require.Len(t, res.Content, 1)
	require.Equal(t, "text", res.Content[0].Type)
	require.NotEmpty(t, res.Content[0].Text)
	return res
}

// requireOK checks a successful result with the given text.
func requireOK(t *testing.T, res Result, text string) {
	t.Helper()
	require.False(t, res.IsError, "error result: %s", res.Text())
	require.Equal(t, text, res.Text())
}

// requireFailure checks an error result of tool whose text contains want.
func requireFailure(t *testing.T, res Result, tool, want string) {
	t.Helper()
	require.True(t, res.IsError, "success: %s", res.Text())
	require.True(t, strings.HasPrefix(res.Text(), tool+": "), "text %q lacks the tool prefix", res.Text())
	require.Contains(t, res.Text(), want)
}

// writeFile creates a file (and its parents) below dir.
func writeFile(t *testing.T, dir, rel, content string) string {
	t.Helper()
	p := filepath.Join(dir, rel)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// processGone reports whether process pid has ended: gone, or a zombie
// waiting for a parent (in a container, init may never reap it).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return os.IsNotExist(err)
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && len(stat) > i+2 && (stat[i+2] == 'Z' || stat[i+2] == 'X')
}

// eventually waits until cond holds, for at most 5 s.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
