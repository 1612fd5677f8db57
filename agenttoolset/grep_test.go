package agenttoolset

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func grepTree(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, dir, "a.txt", "alpha\nbeta TODO\ngamma\n")
	writeFile(t, dir, "b/c.txt", "TODO one\nnone\nTODO two")
	writeFile(t, dir, "b-x.txt", "x TODO\n")
	writeFile(t, dir, ".hidden/h.txt", "TODO hidden dir\n")
	writeFile(t, dir, "crlf.txt", "TODO\r\nx\r\n")
	writeFile(t, dir, ".git/config", "TODO in git\n")
	writeFile(t, dir, "node_modules/m.js", "TODO in modules\n")
	writeFile(t, dir, "sub/node_modules/m.js", "TODO in nested modules\n")
	writeFile(t, dir, "bin.dat", "TODO\x00binary\n")
	writeFile(t, dir, "late-nul.txt", strings.Repeat("x", 600)+"\x00\nTODO after\n")
	writeFile(t, dir, "big.txt", "TODO "+strings.Repeat("y", 800)+"\n")
	require.NoError(t, os.Symlink("a.txt", filepath.Join(dir, "link.txt")))
}

func TestGrepFindsLinesInWalkOrder(t *testing.T) {
	ts := newToolset(t, Options{})
	ts.lim.grepMaxFileBytes = 700
	dir := ts.Workdir()
	grepTree(t, dir)
	line := func(rel string, n int, text string) string {
		return fmt.Sprintf("%s:%d:%s", filepath.Join(dir, rel), n, text)
	}
	lines := func(ls ...string) string { return strings.Join(ls, "\n") }
	tests := []struct {
		name, pattern, path, want string
	}{
		{"literal: hidden entries searched, .git, node_modules, links, binaries and big files not", "TODO", "", lines(
			line(".hidden/h.txt", 1, "TODO hidden dir"),
			line("a.txt", 2, "beta TODO"),
			line("b/c.txt", 1, "TODO one"),
			line("b/c.txt", 3, "TODO two"),
			line("b-x.txt", 1, "x TODO"),
			line("crlf.txt", 1, "TODO\r"),
			line("late-nul.txt", 2, "TODO after"),
		)},
		{"anchors match per line", "^TODO", "", lines(
			line(".hidden/h.txt", 1, "TODO hidden dir"),
			line("b/c.txt", 1, "TODO one"),
			line("b/c.txt", 3, "TODO two"),
			line("crlf.txt", 1, "TODO\r"),
			line("late-nul.txt", 2, "TODO after"),
		)},
		{"end anchor", "two$", "", line("b/c.txt", 3, "TODO two")},
		{"case-insensitive flag", "(?i)todo (o|t)", "", lines(line("b/c.txt", 1, "TODO one"), line("b/c.txt", 3, "TODO two"))},
		{"inner literal", `\w+ TODO`, "", lines(line("a.txt", 2, "beta TODO"), line("b-x.txt", 1, "x TODO"))},
		{"no line spans a newline", `gamma\s+beta|alpha\s+beta`, "", "no matches"},
		{"a directory as path", "o", "b", lines(line("b/c.txt", 1, "TODO one"), line("b/c.txt", 2, "none"), line("b/c.txt", 3, "TODO two"))},
		{"a file as path", "TODO", "b/c.txt", lines(line("b/c.txt", 1, "TODO one"), line("b/c.txt", 3, "TODO two"))},
		{"an absolute file path", "beta", filepath.Join(dir, "a.txt"), line("a.txt", 2, "beta TODO")},
		{"no matches", "zzz", "", "no matches"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireOK(t, run(t, ts, ToolGrep, GrepInput{Pattern: tc.pattern, Path: tc.path}), tc.want)
		})
	}
}

func TestGrepErrors(t *testing.T) {
	ts := newToolset(t, Options{})
	tests := []struct {
		name, input, want string
	}{
		{"missing pattern", `{}`, "pattern is required"},
		{"bad regex", `{"pattern":"(unclosed"}`, "invalid regex: error parsing regexp: missing closing )"},
		{"missing path", `{"pattern":"x","path":"nope"}`, "nope: no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireFailure(t, run(t, ts, ToolGrep, json.RawMessage(tc.input)), ToolGrep, tc.want)
		})
	}
}

func TestGrepOutputCapIsDeterministic(t *testing.T) {
	ts := newToolset(t, Options{})
	dir := ts.Workdir()
	var all []string
	for d := range 10 {
		for f := range 30 {
			rel := fmt.Sprintf("d%02d/f%02d.txt", d, f)
			writeFile(t, dir, rel, "match one\nskip\nmatch two\n")
			all = append(all, filepath.Join(dir, rel)+":1:match one", filepath.Join(dir, rel)+":3:match two")
		}
	}
	// Cut in the middle of the tree: the first lines in walk order are kept,
	// whatever the order in which the workers finished.
	ts.lim.grepOutput = 5000
	var want strings.Builder
	budget := ts.lim.grepOutput
	for _, l := range all {
		if budget -= len(l) + 1; budget < 0 {
			break
		}
		want.WriteString(l + "\n")
	}
	want.WriteString(truncatedNotice)
	for range 20 {
		requireOK(t, run(t, ts, ToolGrep, GrepInput{Pattern: "match"}), want.String())
	}

	// Without the cap everything comes, in order.
	ts.lim.grepOutput = defaultLimits.grepOutput
	requireOK(t, run(t, ts, ToolGrep, GrepInput{Pattern: "match"}), strings.Join(all, "\n"))

	// The file cap: only the first files of the walk are searched.
	ts.lim.grepMaxFiles = 2
	requireOK(t, run(t, ts, ToolGrep, GrepInput{Pattern: "match"}), strings.Join(all[:4], "\n"))
}

func TestGrepOneHugeLineIsCut(t *testing.T) {
	ts := newToolset(t, Options{})
	writeFile(t, ts.Workdir(), "min.js", strings.Repeat("var a=1;", 20000)+"\n")
	requireOK(t, run(t, ts, ToolGrep, GrepInput{Pattern: "var"}), truncatedNotice)
}

func TestGrepStopsOnCancel(t *testing.T) {
	ts := newToolset(t, Options{})
	for i := range 50 {
		writeFile(t, ts.Workdir(), fmt.Sprintf("d/f%d.txt", i), "x\n")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ts.Grep(ctx, GrepInput{Pattern: "x"})
	require.ErrorIs(t, err, context.Canceled)
}

// naiveLines is the definition eachLine must meet: split on "\n" (no empty
// line after a final newline) and match each line on its own.
func naiveLines(re *regexp.Regexp, data []byte) []string {
	var out []string
	text := string(data)
	if text == "" {
		return nil
	}
	text = strings.TrimSuffix(text, "\n")
	for i, line := range strings.Split(text, "\n") {
		if re.MatchString(line) {
			out = append(out, fmt.Sprintf("%d:%s", i+1, line))
		}
	}
	return out
}

func matcherLines(m *lineMatcher, data []byte) []string {
	var out []string
	m.eachLine(data, func(n int, line []byte) bool {
		out = append(out, fmt.Sprintf("%d:%s", n, line))
		return true
	})
	return out
}

// FuzzLineMatcher proves the whole-buffer search (with its literal
// prefilter) equal to matching every line on its own.
func FuzzLineMatcher(f *testing.F) {
	seeds := [][2]string{
		{"TODO", "a\nb TODO\nTODO\n"},
		{"^a", "a\nba\na"},
		{"a$", "a\nab\nba"},
		{`\Aa`, "a\na\n"},
		{`a\z`, "a\na"},
		{"(?-m)^a", "b\na\n"},
		{`\s+x`, "a\nx\n x"},
		{`[^y]x`, "y\nx\nzx"},
		{"", "\n\n"},
		{"^$", "a\n\nb\n"},
		{`\bfoo\b`, "foo\nxfoo\n foo "},
		{`\Bfoo`, "foo\nxfoo"},
		{`\w+Handler`, "func fooHandler()\nHandler\n xHandler"},
		{"(?i)abc", "ABC\nabc\naBc"},
		{`x*`, "\n\nq"},
		{"a|b\n", "a\nb\n"},
		{"é+", "é\néé\ne"},
		{"(?i)xyzzy_marker", "XYZZY_MARKER\nxyzzy_mar\u212aer\nXyZzY_mArKeR"},
		{"(?i)sks", "SKS\n\u017fks\nsk"},
		{"TODO|FIXME|(?i)hack", "a TODO\nFIXME\nHaCk\nnone"},
		{"foo(bar|baz)+qux", "foobarqux\nfoobazbarqux\nfooqux"},
		{`func \w+Handler\(`, "func xHandler(\nfunc Handler(\n"},
		{"(?i)ab(c|d)ef", "ABCEF\nabdef\nabxef"},
		// U+FFFD in a literal matches any byte of invalid UTF-8 too.
		{"ab\uFFFDcd", "ab\xffcd\nab\xef\xbf\xbdcd\nab\xef\xbfcd\nabcd"},
		// No literal: prefilters from the syntax tree.
		{`\d{5,}`, "12345\n1234\na123456b\n"},
		{`[A-Z]{3}\d+`, "ABC1\nAB1\nxABCD12\n"},
		{`\s+$`, "a \nb\n\t\nc\r\n"},
		{`^\s*#`, "#a\n  # b\nx #\n"},
		{`.{5,}`, "abcd\nabcde\néééé\n"},
	}
	for _, s := range seeds {
		f.Add(s[0], []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, pattern string, data []byte) {
		m, err := compileMatcher(pattern)
		if err != nil {
			return
		}
		re := regexp.MustCompile(pattern)
		require.Equal(t, naiveLines(re, data), matcherLines(m, data), "pattern %q", pattern)
	})
}

func TestMatcherPicksNeedles(t *testing.T) {
	tests := []struct {
		pattern string
		want    []needle
		litOnly bool
	}{
		{"TODO", []needle{{text: []byte("TODO")}}, true},
		{"ab", []needle{{text: []byte("ab")}}, true},
		{`func \w+Handler\(`, []needle{{text: []byte("Handler(")}}, false},
		{"(?i)XYZZY_MARKER", []needle{{text: []byte("xyzzy_mar"), fold: true}}, false},
		{"TODO|FIXME", []needle{{text: []byte("TODO")}, {text: []byte("FIXME")}}, false},
		{"(TODO|FIXME): .*", []needle{{text: []byte("TODO")}, {text: []byte("FIXME")}}, false},
		{`\d+`, nil, false},
		{"a.b", nil, false},
		{"TODO|x", nil, false},
	}
	for _, tc := range tests {
		m, err := compileMatcher(tc.pattern)
		require.NoError(t, err)
		require.Equal(t, tc.want, m.needles, tc.pattern)
		require.Equal(t, tc.litOnly, m.litOnly, tc.pattern)
	}
}
