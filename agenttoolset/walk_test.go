//go:build linux

package agenttoolset

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWalksReleaseEveryDirectory runs walks that end every way (to the end,
// at a cap, at the output cutoff, on a cancelled context) over a tree wide
// and deep enough for directories to be listed ahead, and checks that no
// descriptor stays open and no worker stays behind (goleak, in TestMain).
func TestWalksReleaseEveryDirectory(t *testing.T) {
	ts := newToolset(t, Options{})
	for a := range 8 {
		for b := range 8 {
			for c := range 4 {
				writeFile(t, ts.Workdir(), fmt.Sprintf("a%d/b%d/c%d/f.txt", a, b, c), "needle\n")
			}
		}
	}
	openFDs := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		require.NoError(t, err)
		return len(entries)
	}
	before := openFDs()

	require.Len(t, strings.Split(run(t, ts, ToolGlob, GlobInput{Pattern: "a1/**/f.txt"}).Text(), "\n"), 32)
	require.Len(t, strings.Split(run(t, ts, ToolGrep, GrepInput{Pattern: "needle"}).Text(), "\n"), 256)

	ts.lim.globMaxEntries = 10
	run(t, ts, ToolGlob, GlobInput{Pattern: "**"})
	ts.lim.grepMaxFiles = 3
	require.Len(t, strings.Split(run(t, ts, ToolGrep, GrepInput{Pattern: "needle"}).Text(), "\n"), 3)
	ts.lim.grepMaxFiles = defaultLimits.grepMaxFiles
	ts.lim.grepOutput = 100
	run(t, ts, ToolGrep, GrepInput{Pattern: "needle"})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ts.Glob(ctx, GlobInput{Pattern: "**"})
	require.ErrorIs(t, err, context.Canceled)
	_, err = ts.Grep(ctx, GrepInput{Pattern: "needle"})
	require.ErrorIs(t, err, context.Canceled)

	require.Equal(t, before, openFDs(), "a walk left a descriptor open")
}
