package agenttoolset

import (
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// dfaOf returns a lineDFA of pattern, compiled as grep compiles it.
func dfaOf(t *testing.T, pattern string) *lineDFA {
	t.Helper()
	m, err := compileMatcher(pattern)
	require.NoError(t, err)
	return m.dfas.Get().(*lineDFA)
}

func TestLineDFAAgreesWithRegexp(t *testing.T) {
	tests := []struct {
		pattern string
		lines   []string
	}{
		{`\bfoo\b`, []string{"foo", "a foo b", "xfoo", "foox", "_foo", "é foo", "foo\xff"}},
		{`\Bfoo\B`, []string{"foo", "xfoox", "xfoo", " foo "}},
		{`^ab|cd$`, []string{"ab", "xab", "cd", "cdx", "abcd"}},
		{`\Aab\z`, []string{"ab", "abab", ""}},
		{`(?m)^$`, []string{"", "x"}},
		{`x*`, []string{"", "y"}},
		{`\x{FFFD}`, []string{"\xff", "\xef\xbf\xbd", "a", "\xc3"}},
		{`[^a]`, []string{"a", "aa", "\x80", "é"}},
		{`(?i)k`, []string{"K", "\u212a", "x"}},
		{`.`, []string{"", "é", "\xff"}},
		{`é+x`, []string{"ééx", "éx", "ex", "\xc3x"}},
		{`\w+\s+\w+\s+\w+`, []string{"one two three", "one two", "a\tb c", "a  b"}},
	}
	for _, tc := range tests {
		re := regexp.MustCompile(tc.pattern)
		d := dfaOf(t, tc.pattern)
		for _, line := range tc.lines {
			got, ok := d.match([]byte(line))
			require.True(t, ok)
			require.Equal(t, re.MatchString(line), got, "%q on %q", tc.pattern, line)
		}
	}
}

// A pattern whose automaton has more states than a lineDFA keeps (the
// 13th rune from the end is an a: 2^13 states), or states too large (each
// letter of a long run adds one), fills it up; it then says it cannot tell,
// and grep's answers stay right through the regexp.
func TestLineDFAGivesUpWhenFull(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		pattern  string
		alphabet string
		length   int
	}{
		{`a[ab]{12}$`, "ab", 40},
		{`[a-z]{600}`, "abc", 700},
	} {
		var lines []string
		for range 200 {
			var b strings.Builder
			for range tc.length {
				b.WriteByte(tc.alphabet[rng.IntN(len(tc.alphabet))])
			}
			lines = append(lines, b.String())
		}
		d := dfaOf(t, tc.pattern)
		unsure := 0
		for _, line := range lines {
			if _, ok := d.match([]byte(line)); !ok {
				unsure++
			}
		}
		require.Equal(t, maxDFAFills, d.fills, tc.pattern)
		require.Greater(t, unsure, len(lines)/2, "%s: the DFA stops trying once full %d times", tc.pattern, maxDFAFills)

		m, err := compileMatcher(tc.pattern)
		require.NoError(t, err)
		data := []byte(strings.Join(lines, "\n"))
		require.Equal(t, naiveLines(regexp.MustCompile(tc.pattern), data), matcherLines(m, data), tc.pattern)
	}
}

// The program grep's lineDFA runs is that of the rewritten pattern: the
// closure follows every kind of instruction it holds.
func TestLineDFAFollowsEveryInstruction(t *testing.T) {
	re, err := syntax.Parse(`(a|b)*?(?:c|)\b(?s:.)(?-s:.)[x-z]$`, syntax.Perl)
	require.NoError(t, err)
	prog, err := syntax.Compile(forOneLine(re.Simplify()))
	require.NoError(t, err)
	ops := map[syntax.InstOp]bool{}
	for _, inst := range prog.Inst {
		ops[inst.Op] = true
	}
	for _, op := range []syntax.InstOp{syntax.InstAlt, syntax.InstCapture, syntax.InstEmptyWidth, syntax.InstMatch, syntax.InstRune, syntax.InstRune1, syntax.InstRuneAnyNotNL, syntax.InstNop, syntax.InstFail} {
		require.True(t, ops[op], "the program has no %v", op)
	}
	d := newLineDFA(prog)
	plain := regexp.MustCompile(`(a|b)*?(?:c|)\b(?s:.)(?-s:.)[x-z]$`)
	for _, line := range []string{"abc..x", "c  z", "ac.ay", "c!!x", "bc  q"} {
		got, ok := d.match([]byte(line))
		require.True(t, ok)
		require.Equal(t, plain.MatchString(line), got, line)
	}
}
