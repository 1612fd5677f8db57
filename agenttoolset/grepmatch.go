package agenttoolset

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"sync"
	"unicode"
	"unicode/utf8"
)

// lineMatcher finds the lines of a buffer that a regular expression matches,
// with the semantics of matching each line (split on "\n", the newline
// excluded) on its own, but without running the expression on every line:
// the buffer is searched for candidate lines, and only those are matched,
// each by a lazily built DFA (grepdfa.go), or by the regexp where that gives
// up. A candidate holds a needle every match contains (a literal, found with
// bytes.IndexByte and bytes.Index), or else passes the prefilter derived
// from the expression's syntax tree (grepprefilter.go). A buffer ending in
// "\n" has no empty line after it. FuzzLineMatcher and FuzzPrefilter prove
// it equal to the line-by-line match.
type lineMatcher struct {
	// re is the pattern rewritten by forOneLine (which changes nothing on a
	// line, and keeps the analysis of the syntax tree within a line); it
	// checks a candidate line when a lineDFA cannot tell.
	re *regexp.Regexp
	// dfas holds lineDFAs of re's program, which check candidate lines:
	// one per goroutine at a time, kept warm from file to file.
	dfas sync.Pool
	// needles: every match contains one of them; nil when there is no
	// usable set.
	needles []needle
	// litOnly: the pattern is needles[0] itself, so a candidate is a match.
	litOnly bool
	// pre finds the candidate lines when there are no needles.
	pre *prefilter
	// minLen: no line shorter matches.
	minLen int
}

// needle is a literal without a newline, matched exactly or, when fold is
// set, ignoring ASCII case (text is then lower-case, and holds only runes
// whose case variants are all ASCII: never k or s, which (?i) also matches
// to the Kelvin sign and the long s).
type needle struct {
	text []byte
	fold bool
}

// Bounds of a useful needle set: needles shorter than minNeedle are in too
// many lines to save anything, and each needle costs one scan of the buffer.
const (
	minNeedle  = 3
	maxNeedles = 8
)

func compileMatcher(pattern string) (*lineMatcher, error) {
	if _, err := regexp.Compile(pattern); err != nil {
		return nil, err
	}
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	// The rewrite is printed before it is simplified: a simplified tree
	// repeats x{n} n times, and printing a wide class costs milliseconds.
	m := &lineMatcher{}
	if m.re, err = regexp.Compile(forOneLine(parsed).String()); err != nil {
		return nil, err
	}
	parsed = parsed.Simplify()
	prog, err := syntax.Compile(parsed)
	if err != nil {
		return nil, err
	}
	m.dfas.New = func() any { return newLineDFA(prog) }
	set := requiredNeedles(parsed)
	if parsed.Op == syntax.OpLiteral && len(set) == 1 && !set[0].fold && len(set[0].text) == len(string(parsed.Rune)) {
		m.needles, m.litOnly = set, true // the pattern is a plain literal
	} else if shortest(set) >= minNeedle {
		m.needles = set
	}
	f := analyze(parsed)
	m.minLen = f.minLen
	if m.needles == nil {
		m.pre = newPrefilter(f)
	}
	return m, nil
}

// forOneLine rewrites re in place for matching one line, which holds no
// newline, so that the result matches a line exactly where re does:
//   - nothing in it matches "\n": "\n" leaves every character class, "."
//     under (?s) becomes "." without it, and a literal holding "\n"
//     matches nothing;
//   - ^ and $ under (?m) become \A and \z, which is where they match in a
//     line, so that Go's regexp knows that a pattern starting with (?m)^ is
//     anchored, and tries the line's start only.
func forOneLine(re *syntax.Regexp) *syntax.Regexp {
	switch re.Op {
	case syntax.OpBeginLine:
		re.Op = syntax.OpBeginText
	case syntax.OpEndLine:
		re.Op = syntax.OpEndText
	case syntax.OpAnyChar:
		re.Op = syntax.OpAnyCharNotNL
	case syntax.OpCharClass:
		var ranges []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if lo <= '\n' && '\n' <= hi {
				if lo < '\n' {
					ranges = append(ranges, lo, '\n'-1)
				}
				if hi > '\n' {
					ranges = append(ranges, '\n'+1, hi)
				}
				continue
			}
			ranges = append(ranges, lo, hi)
		}
		if len(ranges) == 0 {
			*re = syntax.Regexp{Op: syntax.OpNoMatch, Flags: re.Flags}
		} else {
			re.Rune = ranges
		}
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r == '\n' {
				*re = syntax.Regexp{Op: syntax.OpNoMatch, Flags: re.Flags}
				break
			}
		}
	}
	for _, sub := range re.Sub {
		forOneLine(sub)
	}
	return re
}

// requiredNeedles returns a set of needles one of which every match of re
// contains, or nil. It looks through concatenations (keeping the best set of
// a part), alternations (joining the sets of every branch), captures and
// repetitions of at least one.
func requiredNeedles(re *syntax.Regexp) []needle {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			if text := foldRun(re.Rune); len(text) > 0 {
				return []needle{{text: text, fold: true}}
			}
			return nil
		}
		if text := longestLine(re.Rune); len(text) > 0 {
			return []needle{{text: text}}
		}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredNeedles(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredNeedles(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []needle
		for _, sub := range re.Sub {
			if set := requiredNeedles(sub); better(set, best) {
				best = set
			}
		}
		return best
	case syntax.OpAlternate:
		var all []needle
		for _, sub := range re.Sub {
			set := requiredNeedles(sub)
			if set == nil || len(all)+len(set) > maxNeedles {
				return nil
			}
			all = append(all, set...)
		}
		return all
	}
	return nil
}

// better prefers the set whose shortest needle is longer, then the smaller
// set, then exact needles.
func better(a, b []needle) bool {
	switch {
	case a == nil:
		return false
	case b == nil:
		return true
	case shortest(a) != shortest(b):
		return shortest(a) > shortest(b)
	case len(a) != len(b):
		return len(a) < len(b)
	}
	return !a[0].fold && b[0].fold
}

func shortest(set []needle) int {
	if set == nil {
		return 0
	}
	n := int(^uint(0) >> 1)
	for _, nd := range set {
		n = min(n, len(nd.text))
	}
	return n
}

// longestLine returns the longest run of runes without a newline or
// U+FFFD, UTF-8 encoded. (A literal U+FFFD matches any byte of invalid
// UTF-8 as well as its own encoding, so it is no needle.)
func longestLine(runes []rune) []byte {
	var best, cur []rune
	for _, r := range append(runes, '\n') {
		if r == '\n' || r == utf8.RuneError {
			if len(cur) > len(best) {
				best = cur
			}
			cur = nil
			continue
		}
		cur = append(cur, r)
	}
	return []byte(string(best))
}

// foldRun returns, lower-cased, the longest run of runes whose case variants
// are all ASCII (and are not a newline): a run a case-insensitive literal
// match must contain, in one of its ASCII spellings.
func foldRun(runes []rune) []byte {
	var best, cur []byte
	for _, r := range append(runes, '\n') {
		if r == '\n' || !asciiFoldOnly(r) {
			if len(cur) > len(best) {
				best = cur
			}
			cur = nil
			continue
		}
		cur = append(cur, byte(unicode.ToLower(r)))
	}
	return best
}

// asciiFoldOnly reports whether r and every rune (?i) matches it to are
// ASCII.
func asciiFoldOnly(r rune) bool {
	if r >= utf8.RuneSelf {
		return false
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// eachLine calls fn with the 1-based number and the text of every line of
// data the pattern matches, in order, until fn returns false.
func (m *lineMatcher) eachLine(data []byte, fn func(n int, line []byte) bool) {
	dfa := m.dfas.Get().(*lineDFA)
	defer m.dfas.Put(dfa)
	scan := newNeedleScan(m.needles, data)
	pos := 0
	counted, newlines := 0, 0 // newlines = number of '\n' in data[:counted]
	for pos < len(data) {
		var at int // a candidate line holds at
		if m.needles != nil {
			at = scan.next(pos)
		} else {
			at = m.pre.next(data, pos)
		}
		if at < 0 {
			return
		}
		start := pos + bytes.LastIndexByte(data[pos:at], '\n') + 1
		stop := lineEnd(data, at)
		line := data[start:stop]
		// A candidate line needs checking, unless the needle is the pattern.
		if m.litOnly || (len(line) >= m.minLen && m.matchLine(dfa, line)) {
			newlines += bytes.Count(data[counted:start], []byte{'\n'})
			counted = start
			if !fn(newlines+1, line) {
				return
			}
		}
		pos = stop + 1
	}
}

// matchLine reports whether the pattern matches line, through dfa or, when
// it cannot tell, the regexp.
func (m *lineMatcher) matchLine(dfa *lineDFA, line []byte) bool {
	if matched, ok := dfa.match(line); ok {
		return matched
	}
	return m.re.Match(line)
}

// lineEnd returns the index of the first newline of data at or after at,
// or len(data): the end of the line that holds at.
func lineEnd(data []byte, at int) int {
	if i := bytes.IndexByte(data[at:], '\n'); i >= 0 {
		return at + i
	}
	return len(data)
}

// needleScan finds, for positions that only grow, the next place where one
// of the needles occurs: each needle's scan resumes where it stopped, so the
// buffer is read once per needle (twice for a case-folded one: once per
// case of its first byte).
type needleScan struct {
	needles []needle
	data    []byte
	at      [maxNeedles]int // per needle: its next occurrence, -1 for none left
	lower   [maxNeedles]int // per folded needle: next occurrences of its first
	upper   [maxNeedles]int // byte in lower and in upper case; -1 for none left
}

// newNeedleScan returns a scan of data, a value so that it stays on the
// stack.
func newNeedleScan(needles []needle, data []byte) needleScan {
	s := needleScan{needles: needles, data: data}
	for i := range needles {
		s.at[i], s.lower[i], s.upper[i] = -2, -2, -2 // not searched yet
	}
	return s
}

// next returns the first occurrence of a needle at or after pos, or -1.
func (s *needleScan) next(pos int) int {
	best := -1
	for i := range s.needles {
		if s.at[i] != -1 && s.at[i] < pos {
			s.at[i] = s.find(i, pos)
		}
		if at := s.at[i]; at >= 0 && (best < 0 || at < best) {
			best = at
		}
	}
	return best
}

func (s *needleScan) find(i, from int) int {
	n := s.needles[i]
	if !n.fold {
		return indexFrom(s.data, from, func(b []byte) int { return bytes.Index(b, n.text) })
	}
	first, other := n.text[0], n.text[0]
	if 'a' <= first && first <= 'z' {
		other = first - 'a' + 'A'
	}
	for {
		if s.lower[i] != -1 && s.lower[i] < from {
			s.lower[i] = indexFrom(s.data, from, func(b []byte) int { return bytes.IndexByte(b, first) })
		}
		if other == first {
			s.upper[i] = -1
		} else if s.upper[i] != -1 && s.upper[i] < from {
			s.upper[i] = indexFrom(s.data, from, func(b []byte) int { return bytes.IndexByte(b, other) })
		}
		c := s.lower[i]
		if u := s.upper[i]; u >= 0 && (c < 0 || u < c) {
			c = u
		}
		if c < 0 {
			return -1
		}
		if foldEqual(s.data[c:], n.text) {
			return c
		}
		from = c + 1
	}
}

// indexFrom applies index to data[from:] and returns an absolute position.
func indexFrom(data []byte, from int, index func([]byte) int) int {
	if from > len(data) {
		return -1
	}
	if i := index(data[from:]); i >= 0 {
		return from + i
	}
	return -1
}

// foldEqual reports whether data starts with lower, ignoring ASCII case.
func foldEqual(data, lower []byte) bool {
	if len(data) < len(lower) {
		return false
	}
	for i, want := range lower {
		b := data[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != want {
			return false
		}
	}
	return true
}
