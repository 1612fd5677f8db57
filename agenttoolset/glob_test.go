package agenttoolset

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// globTree builds a tree whose files are older the later they are listed, so
// that glob's newest-first order is the order given here.
func globTree(t *testing.T, dir string, files ...string) {
	t.Helper()
	now := time.Now()
	for i, f := range files {
		p := writeFile(t, dir, f, f)
		mtime := now.Add(-time.Duration(i) * time.Minute)
		require.NoError(t, os.Chtimes(p, mtime, mtime))
	}
}

func TestGlobMatches(t *testing.T) {
	ts := newToolset(t, Options{})
	dir := ts.Workdir()
	globTree(t, dir, "a.go", ".hidden.go", "b.txt", "src/main.go", "src/sub/util.go", "src/sub/deep/x.go", "docs/readme.md", "src/sub/deep/y.txt")
	// Directories match too, and are listed by their own mtime.
	old := time.Now().Add(-time.Hour)
	for _, d := range []string{"src", "src/sub", "src/sub/deep", "docs"} {
		require.NoError(t, os.Chtimes(filepath.Join(dir, d), old, old))
	}
	require.NoError(t, os.Chtimes(filepath.Join(dir, "src/sub"), old.Add(-time.Hour), old.Add(-time.Hour)))
	abs := func(rels ...string) string {
		for i, r := range rels {
			rels[i] = filepath.Join(dir, r)
		}
		return strings.Join(rels, "\n")
	}
	tests := []struct {
		name, pattern, path, want string
	}{
		{"direct children only", "*.go", "", abs("a.go", ".hidden.go")},
		{"any depth", "**/*.go", "", abs("a.go", ".hidden.go", "src/main.go", "src/sub/util.go", "src/sub/deep/x.go")},
		{"leading ./ and doubled slashes", ".//src/*.go", "", abs("src/main.go")},
		{"a directory by name", "src", "", abs("src")},
		{"a directory at any depth", "**/deep", "", abs("src/sub/deep")},
		{"everything below, the directory too", "src/**", "", abs("src/main.go", "src/sub/util.go", "src/sub/deep/x.go", "src/sub/deep/y.txt", "src", "src/sub/deep", "src/sub")},
		{"middle wildcard", "src/*/*.go", "", abs("src/sub/util.go")},
		{"double star in the middle", "src/**/*.txt", "", abs("src/sub/deep/y.txt")},
		{"character class", "[ab].*", "", abs("a.go", "b.txt")},
		{"question mark", "?.txt", "", abs("b.txt")},
		{"escaped metacharacter", `a\.go`, "", abs("a.go")},
		{"relative to path", "*.go", "src", abs("src/main.go")},
		{"path given absolute", "**/*.txt", filepath.Join(dir, "src"), abs("src/sub/deep/y.txt")},
		{"no match", "*.rs", "", "no matches"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireOK(t, run(t, ts, ToolGlob, GlobInput{Pattern: tc.pattern, Path: tc.path}), tc.want)
		})
	}
}

func TestGlobNeverFollowsLinks(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "secret.go", "x")
	ts := newToolset(t, Options{})
	dir := ts.Workdir()
	writeFile(t, dir, "real/a.go", "x")
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "out")))
	require.NoError(t, os.Symlink("real", filepath.Join(dir, "in")))

	// The links are entries, listed but never walked into.
	requireOK(t, run(t, ts, ToolGlob, GlobInput{Pattern: "**/*.go"}), filepath.Join(dir, "real/a.go"))
	requireOK(t, run(t, ts, ToolGlob, GlobInput{Pattern: "out"}), filepath.Join(dir, "out"))
	// A link as the search path is resolved, and refused when it leads out.
	requireFailure(t, run(t, ts, ToolGlob, GlobInput{Pattern: "*", Path: "out"}), ToolGlob, "outside the working directory")
	requireOK(t, run(t, ts, ToolGlob, GlobInput{Pattern: "*", Path: "in"}), filepath.Join(dir, "real/a.go"))
}

func TestGlobErrors(t *testing.T) {
	ts := newToolset(t, Options{})
	writeFile(t, ts.Workdir(), "file.txt", "x")
	tests := []struct {
		name, input, want string
	}{
		{"missing pattern", `{}`, "pattern is required"},
		{"absolute pattern", `{"pattern":"/etc/*"}`, "pattern must be relative"},
		{"parent segment", `{"pattern":"../*"}`, `must not contain a ".." segment`},
		{"parent segment inside", `{"pattern":"src/../../x"}`, `must not contain a ".." segment`},
		{"malformed", `{"pattern":"[a-"}`, `pattern segment "[a-" is malformed`},
		{"only separators", `{"pattern":"./"}`, "pattern matches nothing"},
		{"path is a file", `{"pattern":"*","path":"file.txt"}`, "file.txt: not a directory"},
		{"path missing", `{"pattern":"*","path":"nope"}`, "nope: no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireFailure(t, run(t, ts, ToolGlob, json.RawMessage(tc.input)), ToolGlob, tc.want)
		})
	}
}

func TestGlobLimits(t *testing.T) {
	ts := newToolset(t, Options{})
	var files []string
	for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
		files = append(files, name+".txt")
	}
	globTree(t, ts.Workdir(), files...)

	ts.lim.globMaxResults = 4
	requireOK(t, run(t, ts, ToolGlob, GlobInput{Pattern: "*.txt"}), strings.Join(absAll(ts.Workdir(), "a.txt", "b.txt", "c.txt", "d.txt"), "\n"))

	// The walk stops after the entry cap: entries past it are never seen.
	ts.lim.globMaxResults = 200
	ts.lim.globMaxEntries = 3
	requireOK(t, run(t, ts, ToolGlob, GlobInput{Pattern: "*.txt"}), strings.Join(absAll(ts.Workdir(), "a.txt", "b.txt", "c.txt"), "\n"))
}

func absAll(dir string, rels ...string) []string {
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = filepath.Join(dir, r)
	}
	return out
}

func TestGlobPatternMatch(t *testing.T) {
	tests := []struct {
		pattern, rel string
		want         bool
	}{
		{"*.go", "a.go", true},
		{"*.go", "src/a.go", false},
		{"**/*.go", "a.go", true},
		{"**/*.go", "x/y/z/a.go", true},
		{"**", "anything/at/all", true},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/c", false},
		{"a/**/**/b", "a/b", true},
		{"**/a/**", "x/a", true},
		{"**/a/**", "x/a/y", true},
		{"**/a/**", "x/b/y", false},
		{"*", ".hidden", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "a/b/c", false},
		{"*_test.go", "x_test.go", true},
		{"*_test.go", "_test.go", true},
		{"*_test.go", "x_test.go.bak", false},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"*ab*ab*", "aab", false},
		{"*ab*ab*", "abab", true},
	}
	for _, tc := range tests {
		g, err := compileGlob(tc.pattern)
		require.NoError(t, err)
		require.Equal(t, tc.want, g.match(tc.rel), "%s ~ %s", tc.pattern, tc.rel)
		require.Equal(t, tc.want, naiveGlobMatch(strings.Split(tc.pattern, "/"), strings.Split(tc.rel, "/")), "reference: %s ~ %s", tc.pattern, tc.rel)
	}
}

// FuzzGlobMatch checks the state-set matcher against the plain recursive
// definition of the pattern language.
func FuzzGlobMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"**/*.go", "a/b/c.go"}, {"a/**/b/**/c", "a/x/b/y/z/c"}, {"*/x", "y/x"}, {"[a-c]?/**", "b1/q"},
		{"**/**/x", "x"}, {"a/*", "a"}, {`\*`, "*"}, {"**/b", "b/b/b"},
		{"**/*_test.go", "a/x_test.go"}, {"a*b*c", "abcbc"}, {"*ab*ab*", "abab"}, {"x*", "x"}, {"*x*y*", "yx"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, rel string) {
		g, err := compileGlob(pattern)
		if err != nil || rel == "" || strings.Contains(rel, "//") || strings.HasPrefix(rel, "/") || strings.HasSuffix(rel, "/") {
			return
		}
		var segs []string
		for _, s := range strings.Split(pattern, "/") {
			if s != "" && s != "." {
				segs = append(segs, s)
			}
		}
		require.Equal(t, naiveGlobMatch(segs, strings.Split(rel, "/")), g.match(rel), "%q ~ %q", pattern, rel)
	})
}

// naiveGlobMatch is the definition: "**" matches any number of segments,
// any other segment one segment by path.Match.
func naiveGlobMatch(pat, name []string) bool {
	if len(pat) == 0 {
		return len(name) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if naiveGlobMatch(pat[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, err := path.Match(pat[0], name[0])
	return err == nil && ok && naiveGlobMatch(pat[1:], name[1:])
}
