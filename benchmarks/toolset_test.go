package benchmarks

// The agent toolset's grep and glob, side by side with ripgrep and with the
// official SDK's toolset (tools/agenttoolset) on its built-in walker, on one
// generated tree of 20,000 files. BenchmarkToolsetGrep and
// BenchmarkToolsetGlob build the tree once per run (in b.TempDir) and run
// every implementation on it in turn, so a change of load hits them alike.
// .ci/bench-tools.sh installs rg; without it the rg variants are skipped.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	anthropic "github.com/anthropics/anthropic-sdk-go/v2"
	official "github.com/anthropics/anthropic-sdk-go/v2/tools/agenttoolset"

	"github.com/go-managedagents/managedagents/agenttoolset"
)

// Tree shape: 20 packages × 10 directories × 100 files (2 packages with
// -short, as CI runs every benchmark once).
const (
	treePackages = 20
	treeDirs     = 10
	treeFiles    = 100
)

func benchPackages() int {
	if testing.Short() {
		return 2
	}
	return treePackages
}

// searchTree writes the generated tree below dir and returns its file count.
// Files are Go-like source of 1–6 KiB from a fixed seed (about 70 MB in
// all); 1% of them hold the marker XYZZY_MARKER, 0.2% of functions are HTTP
// handlers, and a .git directory (which every grep skips) holds matches too.
func searchTree(tb testing.TB, dir string, packages int) int {
	tb.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	files := 0
	var buf bytes.Buffer
	for p := range packages {
		for d := range treeDirs {
			sub := filepath.Join(dir, fmt.Sprintf("pkg%02d", p), fmt.Sprintf("dir%02d", d))
			if err := os.MkdirAll(sub, 0o755); err != nil {
				tb.Fatal(err)
			}
			for f := range treeFiles {
				buf.Reset()
				writeSource(&buf, rng, p, f)
				name := fmt.Sprintf("file%03d%s", f, []string{".go", "_test.go", ".md", ".txt"}[f%4])
				if err := os.WriteFile(filepath.Join(sub, name), buf.Bytes(), 0o644); err != nil {
					tb.Fatal(err)
				}
				files++
			}
		}
	}
	git := filepath.Join(dir, ".git", "objects")
	if err := os.MkdirAll(git, 0o755); err != nil {
		tb.Fatal(err)
	}
	for i := range 50 {
		if err := os.WriteFile(filepath.Join(git, fmt.Sprintf("obj%02d", i)), []byte("XYZZY_MARKER func xHandler(\n"), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return files
}

func writeSource(buf *bytes.Buffer, rng *rand.Rand, pkg, file int) {
	fmt.Fprintf(buf, "package pkg%02d\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"net/http\"\n)\n\n", pkg)
	size := 1024 + rng.IntN(5*1024)
	for fn := 0; buf.Len() < size; fn++ {
		switch r := rng.IntN(1000); {
		case r < 2:
			fmt.Fprintf(buf, "func item%d%dHandler(w http.ResponseWriter, r *http.Request) {\n\tfmt.Fprintln(w, r.URL.Path)\n}\n\n", file, fn)
		default:
			fmt.Fprintf(buf, "// Method%d loads the record with the given id; it returns an error when the store fails.\n", fn)
			fmt.Fprintf(buf, "func (s *Service) Method%d(ctx context.Context, id string) (*Result, error) {\n", fn)
			fmt.Fprintf(buf, "\tif err := s.store.Get(ctx, id); err != nil {\n\t\treturn nil, fmt.Errorf(\"get %%s: %%w\", id, err)\n\t}\n")
			fmt.Fprintf(buf, "\treturn &Result{ID: id, Count: %d}, nil\n}\n\n", rng.IntN(1000))
		}
	}
	if rng.IntN(100) == 0 {
		buf.WriteString("// XYZZY_MARKER: a rare token.\n")
	}
}

// grepPatterns are the benchmarked patterns. Those with a literal (a rare
// literal, a regular expression with a literal inside, a case-insensitive
// literal, an alternation of literals) match in many files. Those without
// one leave no needle to search for, and match nothing here: every byte must
// be looked at by something. In the first six a rare part rules out almost
// every line (a run of digits, a sequence of classes, trailing white space,
// a line-start anchor before a rare byte, a long run of a common class, long
// lines); in the last three it does not, so that checking lines is what
// costs: ten words in a row (nothing rare: every line is checked), a short
// variable declaration at a line's start (":=" is in one line of seven), a
// camel-case call with one argument (an identifier and "(" are in most
// lines). Each prints well under the 100 KiB output cap, so no
// implementation stops early.
var grepPatterns = slices.Concat(grepLiteralPatterns, grepNoLiteralPatterns)

var grepLiteralPatterns = []struct{ name, pattern string }{
	{"literal", "XYZZY_MARKER"},
	{"regex", `func \w+Handler\(`},
	{"ignorecase", `(?i)xyzzy_marker`},
	{"alternation", `XYZZY_MARKER|item\d+Handler`},
}

var grepNoLiteralPatterns = []struct{ name, pattern string }{
	{"noliteral", `\d{5,}`},
	{"classes", `[A-Z]{3}\d+`},
	{"trailingspace", `\s+$`},
	{"linestart", `^\s*#`},
	{"hexrun", `[0-9a-f]{32,}`},
	{"longline", `.{120,}`},
	{"words", `\w+\s+\w+\s+\w+\s+\w+\s+\w+\s+\w+\s+\w+\s+\w+\s+\w+\s+\w+`},
	{"assign", `^\w+\s*:=`},
	{"camelcall", `[a-z][A-Z][a-z]+\(\w+\)`},
}

// globPatterns: every test file at any depth (5,000 matches, all stat'ed
// and sorted by mtime), and one package's markdown (a walk that can prune).
var globPatterns = []struct{ name, pattern string }{
	{"deep", "**/*_test.go"},
	{"pruned", "pkg01/**/*.md"},
}

// searchImpl runs one search of a tree and returns its output.
type searchImpl struct {
	name string
	run  func(ctx context.Context, root, pattern string) (string, error)
}

// ourToolset returns this library's toolset on root, closed with tb.
func ourToolset(tb testing.TB, root string) *agenttoolset.Toolset {
	ts, err := agenttoolset.New(root, agenttoolset.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ts.Close() })
	return ts
}

func grepImpls(tb testing.TB, root string) []searchImpl {
	ours := ourToolset(tb, root)
	theirs := official.BetaGrepTool(&official.AgentToolContext{Workdir: root})
	return []searchImpl{
		{"agenttoolset", func(ctx context.Context, root, pattern string) (string, error) {
			res, err := ours.Grep(ctx, agenttoolset.GrepInput{Pattern: pattern, Path: root})
			return res.Text(), err
		}},
		// rg as the official toolset runs it (self-hosted.md §5.4).
		{"ripgrep", func(ctx context.Context, root, pattern string) (string, error) {
			out, err := exec.CommandContext(ctx, "rg", "--no-config", "-n", "--no-heading", "--max-filesize", "8388608", "-e", pattern, "--", root).Output()
			if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
				return "no matches", nil // rg's way of saying it
			}
			return string(out), err
		}},
		// The official tool with no rg on PATH: its built-in walker.
		{"official-walker", func(ctx context.Context, root, pattern string) (string, error) {
			return executeOfficial(ctx, theirs, map[string]string{"pattern": pattern, "path": root})
		}},
	}
}

func globImpls(tb testing.TB, root string) []searchImpl {
	ours := ourToolset(tb, root)
	theirs := official.BetaGlobTool(&official.AgentToolContext{Workdir: root})
	return []searchImpl{
		{"agenttoolset", func(ctx context.Context, root, pattern string) (string, error) {
			res, err := ours.Glob(ctx, agenttoolset.GlobInput{Pattern: pattern, Path: root})
			return res.Text(), err
		}},
		// rg lists matching files (gitignore-style globs): no directories,
		// no stat, no sort by mtime, no cap. It runs in root, as it anchors
		// a glob holding a slash to where it runs.
		{"ripgrep", func(ctx context.Context, root, pattern string) (string, error) {
			cmd := exec.CommandContext(ctx, "rg", "--no-config", "--files", "-g", pattern)
			cmd.Dir = root
			out, err := cmd.Output()
			return string(out), err
		}},
		{"official-walker", func(ctx context.Context, root, pattern string) (string, error) {
			return executeOfficial(ctx, theirs, map[string]string{"pattern": pattern, "path": root})
		}},
	}
}

// executeOfficial runs an official tool with its JSON input and returns its
// text.
func executeOfficial(ctx context.Context, tool anthropic.BetaTool, input map[string]string) (string, error) {
	raw, _ := json.Marshal(input)
	blocks, err := tool.Execute(ctx, raw)
	if err != nil {
		return "", err
	}
	var text strings.Builder
	for _, b := range blocks {
		if b.OfText != nil {
			text.WriteString(b.OfText.Text)
		}
	}
	return text.String(), nil
}

func BenchmarkToolsetGrep(b *testing.B) { benchTools(b, grepPatterns, grepImpls) }

func BenchmarkToolsetGlob(b *testing.B) { benchTools(b, globPatterns, globImpls) }

// benchTools builds the tree and runs every implementation on every pattern,
// the official tool with no rg on the PATH it reads (so it uses its own
// walker), rg with it.
func benchTools(b *testing.B, patterns []struct{ name, pattern string }, impls func(testing.TB, string) []searchImpl) {
	root := b.TempDir()
	files := searchTree(b, root, benchPackages())
	rg, rgErr := exec.LookPath("rg")
	b.Setenv("PATH", withoutRg(os.Getenv("PATH")))
	for _, p := range patterns {
		for _, impl := range impls(b, root) {
			b.Run(p.name+"/"+impl.name, func(b *testing.B) {
				if impl.name == "ripgrep" {
					if rgErr != nil {
						b.Skip("rg is not installed: run .ci/bench-tools.sh")
					}
					b.Setenv("PATH", filepath.Dir(rg)+string(os.PathListSeparator)+os.Getenv("PATH"))
				}
				benchSearch(b, impl, root, p.pattern, files)
			})
		}
	}
}

func benchSearch(b *testing.B, impl searchImpl, root, pattern string, files int) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		out, err := impl.run(ctx, root, pattern)
		if err != nil || out == "" {
			b.Fatalf("%s: %q, %v", impl.name, out, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(files), "ns/file")
}

// withoutRg returns path without the directories that hold an rg.
func withoutRg(path string) string {
	var keep []string
	for _, dir := range filepath.SplitList(path) {
		if _, err := os.Stat(filepath.Join(dir, "rg")); err != nil {
			keep = append(keep, dir)
		}
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

// TestToolsetSearchAgreesWithOthers checks, on a smaller tree, that the
// benchmarked implementations find the same things: grep the same lines as
// the official walker in the same order, and as rg in any order; glob the
// same paths as the official tool.
func TestToolsetSearchAgreesWithOthers(t *testing.T) {
	root := t.TempDir()
	searchTree(t, root, 2)
	rg, rgErr := exec.LookPath("rg")
	t.Setenv("PATH", withoutRg(os.Getenv("PATH")))
	ctx := context.Background()
	for i, p := range grepPatterns {
		impls := grepImpls(t, root)
		ours, err := impls[0].run(ctx, root, p.pattern)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := impls[2].run(ctx, root, p.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if ours != theirs {
			t.Errorf("grep %s: ours and the official walker differ:\n%.500s\n---\n%.500s", p.pattern, ours, theirs)
		}
		if i < len(grepLiteralPatterns) && strings.Count(ours, "\n") < 5 {
			t.Errorf("grep %s: too few matches to compare: %q", p.pattern, ours)
		}
		if rgErr == nil {
			out, err := exec.Command(rg, "--no-config", "-n", "--no-heading", "-e", p.pattern, "--", root).Output()
			if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
				out, err = []byte("no matches"), nil
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := sortedLines(ours), sortedLines(string(out)); !slices.Equal(got, want) {
				t.Errorf("grep %s: ours and rg differ: %d vs %d lines", p.pattern, len(got), len(want))
			}
		}
	}
	for _, p := range globPatterns {
		impls := globImpls(t, root)
		ours, err := impls[0].run(ctx, root, p.pattern)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := impls[2].run(ctx, root, p.pattern)
		if err != nil {
			t.Fatal(err)
		}
		// Both keep the 200 newest; ties in mtime may be broken apart.
		if got, want := sortedLines(ours), sortedLines(theirs); len(got) != len(want) || len(got) == 0 {
			t.Errorf("glob %s: %d paths, official %d", p.pattern, len(got), len(want))
		}
	}
}

func sortedLines(s string) []string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(lines)
	return lines
}
