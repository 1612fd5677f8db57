package agenttoolset

import (
	"cmp"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// choices turns bytes (a fuzzer's input) into a stream of small choices; an
// exhausted stream always chooses 0, which ends every recursion.
type choices struct{ b []byte }

// n returns a choice in [0, k).
func (c *choices) n(k int) int {
	if len(c.b) == 0 || k <= 1 {
		return 0
	}
	v := int(c.b[0]) % k
	c.b = c.b[1:]
	return v
}

// pick returns one of the elements of s.
func pick[T any](c *choices, s []T) T { return s[c.n(len(s))] }

// Runes that stress the byte-level analysis: ASCII letters, digits and
// spaces, runes that (?i) folds outside ASCII (k to the Kelvin sign, s to
// the long s), two-byte and three-byte runes, U+FFFD (which Go's regexp
// matches to any invalid byte), the newline, and a four-byte rune.
var genRunes = []rune{'a', 'b', 'x', 'A', 'K', 'k', 's', 'S', '0', '7', ' ', '\t', '\r', '_', '/', '#', '\n', 'é', 'É', '\u212a', '\u017f', '€', utf8.RuneError, '😀'}

// genRanges are the endpoints of generated character classes.
var genRanges = [][2]rune{
	{'0', '9'}, {'a', 'f'}, {'a', 'z'}, {'A', 'Z'}, {' ', ' '}, {'\t', '\r'}, {0, '\t'}, {'\n', '\n'},
	{'_', '_'}, {'/', '/'}, {'é', 'é'}, {0x80, 0x7ff}, {0x100, 0x17f}, {0x20ac, 0x20ac},
	{utf8.RuneError, utf8.RuneError}, {0x80, unicode.MaxRune}, {0, unicode.MaxRune}, {'k', 'k'}, {'s', 's'},
}

// genRegexp returns a random syntax tree of at most depth levels.
func genRegexp(c *choices, depth int) *syntax.Regexp {
	op := c.n(16)
	if depth == 0 {
		op %= 6
	}
	switch op {
	case 0, 1:
		re := &syntax.Regexp{Op: syntax.OpLiteral}
		for range 1 + c.n(3) {
			re.Rune = append(re.Rune, pick(c, genRunes))
		}
		if c.n(3) == 0 {
			re.Flags |= syntax.FoldCase
		}
		return re
	case 2, 3:
		return genClass(c)
	case 4:
		return &syntax.Regexp{Op: pick(c, []syntax.Op{syntax.OpAnyCharNotNL, syntax.OpAnyChar})}
	case 5:
		return &syntax.Regexp{Op: pick(c, []syntax.Op{
			syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
			syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch, syntax.OpNoMatch,
		})}
	case 6, 7, 8:
		re := &syntax.Regexp{Op: syntax.OpConcat}
		for range 2 + c.n(3) {
			re.Sub = append(re.Sub, genRegexp(c, depth-1))
		}
		return re
	case 9, 10:
		re := &syntax.Regexp{Op: syntax.OpAlternate}
		for range 2 + c.n(3) {
			re.Sub = append(re.Sub, genRegexp(c, depth-1))
		}
		return re
	case 11:
		return &syntax.Regexp{Op: syntax.OpCapture, Cap: 1, Sub: []*syntax.Regexp{genRegexp(c, depth-1)}}
	case 12, 13:
		re := &syntax.Regexp{Op: pick(c, []syntax.Op{syntax.OpStar, syntax.OpPlus, syntax.OpQuest}), Sub: []*syntax.Regexp{genRegexp(c, depth-1)}}
		if c.n(4) == 0 {
			re.Flags |= syntax.NonGreedy
		}
		return re
	default:
		// Minimums past maxSeqLen exercise the cutting of long sequences.
		re := &syntax.Regexp{Op: syntax.OpRepeat, Min: pick(c, []int{0, 1, 2, 3, 5, 17}), Sub: []*syntax.Regexp{genRegexp(c, depth-1)}}
		re.Max = pick(c, []int{-1, re.Min, re.Min + 2})
		return re
	}
}

// genClass returns a character class of one to three ranges, negated or
// not, its ranges sorted and merged as the parser would leave them.
func genClass(c *choices) *syntax.Regexp {
	var ranges [][2]rune
	for range 1 + c.n(3) {
		ranges = append(ranges, pick(c, genRanges))
	}
	slices.SortFunc(ranges, func(a, b [2]rune) int { return cmp.Compare(a[0], b[0]) })
	var in []rune
	for _, r := range ranges {
		if n := len(in); n > 0 && r[0] <= in[n-1]+1 {
			in[n-1] = max(in[n-1], r[1])
			continue
		}
		in = append(in, r[0], r[1])
	}
	if c.n(3) == 0 { // negated
		var out []rune
		next := rune(0)
		for i := 0; i < len(in); i += 2 {
			if in[i] > next {
				out = append(out, next, in[i]-1)
			}
			next = in[i+1] + 1
		}
		if next <= unicode.MaxRune {
			out = append(out, next, unicode.MaxRune)
		}
		in = out
	}
	if len(in) == 0 {
		return &syntax.Regexp{Op: syntax.OpNoMatch}
	}
	return &syntax.Regexp{Op: syntax.OpCharClass, Rune: in}
}

// maxGenText bounds a generated line: nested repetitions would make some
// of them megabytes long.
const maxGenText = 200

// genText writes a string of re's language (one that matches when re has no
// anchors or boundaries in the way, and is no longer than maxGenText),
// making the choices c gives.
func genText(c *choices, re *syntax.Regexp, b *strings.Builder) {
	if b.Len() > maxGenText {
		return
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				for range c.n(4) {
					r = unicode.SimpleFold(r)
				}
			}
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		i := 2 * c.n(len(re.Rune)/2)
		lo, hi := re.Rune[i], re.Rune[i+1]
		r := pick(c, []rune{lo, hi, lo + rune(c.n(int(min(hi-lo+1, 256))))})
		if utf8.ValidRune(r) {
			b.WriteRune(r)
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteRune(pick(c, genRunes))
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			genText(c, sub, b)
		}
	case syntax.OpAlternate:
		genText(c, pick(c, re.Sub), b)
	case syntax.OpCapture:
		genText(c, re.Sub[0], b)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, 3
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Min+3
			if re.Max >= 0 {
				hi = re.Max
			}
		}
		for range lo + c.n(hi-lo+1) {
			genText(c, re.Sub[0], b)
		}
	}
}

// genLines returns lines made from re's language, some of them altered, and
// noise, joined by newlines: lines that match and lines that nearly do.
func genLines(c *choices, re *syntax.Regexp) []byte {
	noise := []string{"", " ", "\t", "a", "K", "0", "\xff", "\xc3", "\x80", "é", "\u212a", "_", "#", "//", "\r"}
	var lines []string
	for range 1 + c.n(6) {
		var b strings.Builder
		b.WriteString(pick(c, noise))
		genText(c, re, &b)
		b.WriteString(pick(c, noise))
		line := []byte(b.String())
		switch c.n(4) {
		case 0: // a byte dropped
			if len(line) > 0 {
				i := c.n(len(line))
				line = append(line[:i:i], line[i+1:]...)
			}
		case 1: // a byte changed
			if len(line) > 0 {
				line[c.n(len(line))] = pick(c, []byte("aZ9 \t\n\xff\x80_/"))
			}
		}
		lines = append(lines, string(line))
	}
	text := strings.Join(lines, "\n")
	if c.n(2) == 0 {
		text += "\n"
	}
	return []byte(text)
}

// checkPrefilter compares grep's matcher with the plain regexp matching
// each line on its own, checks that every match the plain regexp finds in a
// line holds all the facts of the analysis, and that the lineDFA says of
// every line what the regexp says.
func checkPrefilter(t *testing.T, tree, text []byte) {
	re := genRegexp(&choices{tree}, 4)
	pattern := re.String()
	plain, err := regexp.Compile(pattern)
	if err != nil {
		return // too large, say
	}
	m, err := compileMatcher(pattern)
	require.NoError(t, err, pattern)
	data := genLines(&choices{text}, re)
	require.Equal(t, naiveLines(plain, data), matcherLines(m, data), "pattern %q on %q", pattern, data)

	parsed, err := syntax.Parse(pattern, syntax.Perl)
	require.NoError(t, err)
	f := analyze(forOneLine(parsed.Simplify()))
	dfa := m.dfas.Get().(*lineDFA)
	for line := range strings.SplitSeq(string(data), "\n") {
		for _, loc := range m.re.FindAllStringIndex(line, -1) {
			requireFactsHold(t, f, line, loc[0], loc[1], pattern)
		}
		if matched, ok := dfa.match([]byte(line)); ok {
			require.Equal(t, plain.MatchString(line), matched, "the DFA of %q on %q", pattern, line)
		}
	}
}

// requireFactsHold checks the facts of a pattern against its match
// line[start:end].
func requireFactsHold(t *testing.T, f facts, line string, start, end int, pattern string) {
	match := []byte(line[start:end])
	why := func(fact string) string {
		return pattern + ": " + fact + " fails for the match " + string(match) + " in " + line
	}
	require.False(t, f.never, why("never"))
	require.GreaterOrEqual(t, len(match), f.minLen, why("minLen"))
	if f.fixed {
		require.True(t, len(match) == len(f.whole) && seqAt(f.whole, match), why("whole"))
	}
	require.True(t, seqAt(f.prefix, match), why("prefix"))
	require.True(t, len(match) >= len(f.suffix) && seqAt(f.suffix, match[len(match)-len(f.suffix):]), why("suffix"))
	if f.inner != nil {
		found := false
		for i := range match {
			for _, q := range f.inner {
				found = found || seqAt(q, match[i:])
			}
		}
		require.True(t, found, why("inner"))
	}
	require.True(t, !f.lineStart || start == 0, why("lineStart"))
	require.True(t, !f.lineEnd || end == len(line), why("lineEnd"))
	// The buffer of that line alone (an empty one has no line).
	require.GreaterOrEqual(t, newPrefilter(f).next([]byte(line+"\n"), 0), 0, why("the prefilter"))
}

// FuzzPrefilter is the differential fuzz of the prefilter and the lineDFA:
// random syntax trees (from the first input) and lines made from their
// language, altered or not (from the second), through grep's matcher and
// through the plain regexp line by line. It also checks every fact of the
// analysis against every match the regexp finds, and the lineDFA against
// the regexp on every line. Run it with
//
//	go test -run '^$' -fuzz '^FuzzPrefilter$' -fuzztime 5m ./agenttoolset
func FuzzPrefilter(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 5))
	for range 64 {
		tree, text := make([]byte, 48), make([]byte, 96)
		for i := range tree {
			tree[i] = byte(rng.Uint32())
		}
		for i := range text {
			text[i] = byte(rng.Uint32())
		}
		f.Add(tree, text)
	}
	f.Fuzz(checkPrefilter)
}

// TestPrefilterAgreesWithRegexp runs the differential check of
// FuzzPrefilter on a fixed sample of random trees and lines, so every test
// run covers it.
func TestPrefilterAgreesWithRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 19))
	n := 1000
	if testing.Short() {
		n = 200
	}
	tree, text := make([]byte, 64), make([]byte, 128)
	for range n {
		for i := range tree {
			tree[i] = byte(rng.Uint32())
		}
		for i := range text {
			text[i] = byte(rng.Uint32())
		}
		checkPrefilter(t, tree, text)
	}
}
