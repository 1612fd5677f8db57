package agenttoolset

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// escapeSetup is a working directory next to a directory it must never
// reach, and links from the first to the second.
type escapeSetup struct {
	ts      *Toolset
	work    string
	outside string
}

func newEscapeSetup(t *testing.T) escapeSetup {
	t.Helper()
	base := t.TempDir()
	work, outside := filepath.Join(base, "work"), filepath.Join(base, "outside")
	writeFile(t, outside, "secret.txt", "outside secret TODO\n")
	writeFile(t, outside, "sub/deep.txt", "deep TODO\n")
	writeFile(t, work, "sub/inside.txt", "inside\n")
	for name, target := range map[string]string{
		"link_file":     filepath.Join(outside, "secret.txt"),
		"link_dir":      outside,
		"rel_link":      "../outside",
		"dangling":      filepath.Join(outside, "new.txt"),
		"dangling_dir":  filepath.Join(outside, "newdir"),
		"chain":         "link_dir",
		"sub/up_and_in": "../../outside/secret.txt",
	} {
		require.NoError(t, os.Symlink(target, filepath.Join(work, name)))
	}
	ts, err := New(work, Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ts.Close()) })
	return escapeSetup{ts: ts, work: work, outside: outside}
}

// snapshot records every path, mode, size, mtime and content below dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		entry := info.Mode().String() + " " + info.ModTime().Format(time.RFC3339Nano)
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			entry += " " + string(data)
		}
		out[p] = entry
		return nil
	}))
	return out
}

// escapingPaths are the ways out of the working directory a model might try.
func escapingPaths(s escapeSetup) []string {
	return []string{
		"/etc/passwd",
		"../outside/secret.txt",
		"sub/../../outside/secret.txt",
		"./../outside/sub",
		"..",
		filepath.Join(s.outside, "secret.txt"),
		s.outside,
		"link_file",
		"link_dir",
		"link_dir/secret.txt",
		"link_dir/sub/deep.txt",
		"rel_link/secret.txt",
		"chain/secret.txt",
		"sub/up_and_in",
		"dangling",
		"dangling_dir/x.txt",
		"link_dir/../outside/secret.txt",
		filepath.Join(s.work, "..", "outside", "secret.txt"),
		filepath.Join(s.work, "link_dir", "new.txt"),
	}
}

func TestEveryPathFieldRefusesToLeaveTheWorkingDirectory(t *testing.T) {
	s := newEscapeSetup(t)
	before := snapshot(t, s.outside)
	workBefore := snapshot(t, s.work)
	for _, p := range escapingPaths(s) {
		calls := []struct {
			tool  string
			input any
		}{
			{ToolRead, ReadInput{FilePath: p}},
			{ToolRead, ReadInput{FilePath: p, ViewRange: []int64{1, 1}}},
			{ToolWrite, WriteInput{FilePath: p, Content: "pwned"}},
			{ToolEdit, EditInput{FilePath: p, OldString: "secret", NewString: "pwned"}},
			{ToolEdit, EditInput{FilePath: p, OldString: "TODO", NewString: "pwned", ReplaceAll: true}},
			{ToolGlob, GlobInput{Pattern: "**", Path: p}},
			{ToolGrep, GrepInput{Pattern: "TODO", Path: p}},
			{ToolGrep, GrepInput{Pattern: "root", Path: p}},
		}
		for _, c := range calls {
			t.Run(c.tool+" "+p, func(t *testing.T) {
				res := run(t, s.ts, c.tool, c.input)
				requireFailure(t, res, c.tool, "outside the working directory")
				require.NotContains(t, res.Text(), "secret TODO")
				require.NotContains(t, res.Text(), "root:")
			})
		}
	}
	require.Equal(t, before, snapshot(t, s.outside), "something outside the working directory changed")
	require.Equal(t, workBefore, snapshot(t, s.work), "a refused call changed the working directory")
}

func TestGlobPatternCannotClimb(t *testing.T) {
	s := newEscapeSetup(t)
	for _, pattern := range []string{"../*", "../outside/*", "sub/../../outside/*", "**/../**", "/etc/*", s.outside + "/*"} {
		requireFailure(t, run(t, s.ts, ToolGlob, GlobInput{Pattern: pattern}), ToolGlob, "pattern must")
	}
}

func TestSearchesNeverFollowLinksOut(t *testing.T) {
	s := newEscapeSetup(t)
	// From the working directory the links are entries, never walked.
	requireOK(t, run(t, s.ts, ToolGrep, GrepInput{Pattern: "TODO"}), "no matches")
	res := run(t, s.ts, ToolGlob, GlobInput{Pattern: "**/*.txt"})
	requireOK(t, res, filepath.Join(s.work, "sub/inside.txt"))
}

func TestAllowedRootsAreReachableAndConfinedToo(t *testing.T) {
	s := newEscapeSetup(t)
	memory := t.TempDir()
	writeFile(t, memory, "notes.md", "remember\n")
	require.NoError(t, os.Symlink(filepath.Join(s.outside, "secret.txt"), filepath.Join(memory, "leak")))
	ts, err := New(s.work, Options{AllowedRoots: []string{memory}})
	require.NoError(t, err)
	defer ts.Close()

	requireOK(t, run(t, ts, ToolRead, ReadInput{FilePath: filepath.Join(memory, "notes.md")}), "remember\n")
	requireOK(t, run(t, ts, ToolWrite, WriteInput{FilePath: filepath.Join(memory, "new.md"), Content: "x"}), "wrote 1 bytes to "+filepath.Join(memory, "new.md"))
	requireFailure(t, run(t, ts, ToolRead, ReadInput{FilePath: filepath.Join(memory, "leak")}), ToolRead, "outside the working directory")
	requireFailure(t, run(t, ts, ToolRead, ReadInput{FilePath: filepath.Join(memory, "../outside/secret.txt")}), ToolRead, "outside the working directory")
}

// TestRootHandleRefusesARacedLink checks the second guard: should a directory
// become a link to the outside between the path check and the access, the
// access through the root's handle fails instead of following it.
func TestRootHandleRefusesARacedLink(t *testing.T) {
	s := newEscapeSetup(t)
	before := snapshot(t, s.outside)
	// What resolve would have returned had link_dir still been a directory.
	raced := target{path: filepath.Join(s.work, "link_dir", "secret.txt"), root: s.ts.fs.roots[0], rel: "link_dir/secret.txt"}

	_, _, err := openRegular(raced)
	require.Error(t, err)
	require.Contains(t, fsErrorMessage(err), "escapes")
	require.Error(t, writeAtomic(raced, []byte("pwned")))
	require.Error(t, writeAtomic(target{root: raced.root, rel: "link_dir/new/x.txt"}, []byte("pwned")))
	require.Equal(t, before, snapshot(t, s.outside))

	// A walk opened on a directory that turned into a link does not enter it.
	_, err = s.ts.fs.roots[0].dir.OpenRoot("link_dir")
	require.Error(t, err)
}

func TestResolveFollowsTheKernelsRules(t *testing.T) {
	s := newEscapeSetup(t)
	tests := []struct {
		path, want string
	}{
		{"sub/inside.txt", filepath.Join(s.work, "sub/inside.txt")},
		{"sub/../sub/./inside.txt", filepath.Join(s.work, "sub/inside.txt")},
		{"new/dir/file.txt", filepath.Join(s.work, "new/dir/file.txt")},
		{"missing/../sub", filepath.Join(s.work, "sub")},
		// ".." after a link steps back from the link's target, as open(2) does.
		{"link_dir/../work/sub", filepath.Join(s.work, "sub")},
	}
	for _, tc := range tests {
		tg, err := s.ts.fs.resolve(tc.path)
		require.NoError(t, err, tc.path)
		require.Equal(t, tc.want, tg.path, tc.path)
		require.Equal(t, strings.TrimPrefix(tc.want, s.work+"/"), tg.rel)
	}
	loop := filepath.Join(s.work, "loop")
	require.NoError(t, os.Symlink("loop", loop))
	_, err := s.ts.fs.resolve("loop/x")
	require.ErrorContains(t, err, "too many levels of symbolic links")
}
