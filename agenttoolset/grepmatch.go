package agenttoolset

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"strings"
)

// lineMatcher finds the lines of a buffer that a regular expression matches,
// with the semantics of matching each line (split on "\n", the newline
// excluded) on its own, but without running the expression line by line:
// the whole buffer is searched for a candidate, and only the candidate's line
// is checked. A buffer ending in "\n" has no empty line after it.
type lineMatcher struct {
	// re is the pattern with (?m), so that ^ and $ match at line breaks:
	// a match within a line is then a match within the buffer.
	re *regexp.Regexp
	// lit is a literal every match contains, searched for with bytes.Index
	// instead of the expression; nil when there is no usable one.
	lit []byte
	// litOnly: the pattern is lit itself, so a candidate is a match.
	litOnly bool
	// perLine: the pattern uses \A, \z or (?-m) anchors, for which a line
	// match is not a buffer match: lines are matched one by one.
	perLine bool
}

// minLiteral is the shortest literal worth searching for instead of the
// expression: a shorter one is in too many lines.
const minLiteral = 3

func compileMatcher(pattern string) (*lineMatcher, error) {
	plain, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile("(?m)" + pattern)
	if err != nil {
		return nil, err
	}
	m := &lineMatcher{re: re}
	parsed, err := syntax.Parse("(?m)"+pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	parsed = parsed.Simplify()
	m.perLine = hasTextAnchor(parsed)
	if prefix, complete := plain.LiteralPrefix(); complete && prefix != "" && !strings.Contains(prefix, "\n") {
		m.lit, m.litOnly = []byte(prefix), true
	} else if lit := requiredLiteral(parsed); len(lit) >= minLiteral {
		m.lit = lit
	}
	return m, nil
}

// hasTextAnchor reports whether re holds \A or \z (or ^ and $ under (?-m)).
func hasTextAnchor(re *syntax.Regexp) bool {
	if re.Op == syntax.OpBeginText || re.Op == syntax.OpEndText {
		return true
	}
	for _, sub := range re.Sub {
		if hasTextAnchor(sub) {
			return true
		}
	}
	return false
}

// requiredLiteral returns the longest case-sensitive literal that every
// match of re contains, or nil. It looks only through concatenations,
// captures and repetitions of at least one.
func requiredLiteral(re *syntax.Regexp) []byte {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		lit := []byte(string(re.Rune))
		if bytes.IndexByte(lit, '\n') >= 0 {
			return nil
		}
		return lit
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiteral(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiteral(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []byte
		for _, sub := range re.Sub {
			if lit := requiredLiteral(sub); len(lit) > len(best) {
				best = lit
			}
		}
		return best
	}
	return nil
}

// eachLine calls fn with the 1-based number and the text of every line of
// data the pattern matches, in order, until fn returns false.
func (m *lineMatcher) eachLine(data []byte, fn func(n int, line []byte) bool) {
	if m.perLine {
		m.eachLineSlow(data, fn)
		return
	}
	pos := 0
	counted, newlines := 0, 0 // newlines = number of '\n' in data[:counted]
	for pos < len(data) {
		var at, end int // a candidate starts at at; end is its end, or -1
		if m.lit != nil {
			i := bytes.Index(data[pos:], m.lit)
			if i < 0 {
				return
			}
			at, end = pos+i, -1
		} else {
			loc := m.re.FindIndex(data[pos:])
			if loc == nil {
				return
			}
			at, end = pos+loc[0], pos+loc[1]
		}
		start := pos + bytes.LastIndexByte(data[pos:at], '\n') + 1
		if start == len(data) {
			return // an empty match after the final newline: no line there
		}
		stop := bytes.IndexByte(data[at:], '\n')
		if stop < 0 {
			stop = len(data)
		} else {
			stop += at
		}
		line := data[start:stop]
		if m.litOnly || (end >= 0 && end <= stop) || m.re.Match(line) {
			newlines += bytes.Count(data[counted:start], []byte{'\n'})
			counted = start
			if !fn(newlines+1, line) {
				return
			}
		}
		pos = stop + 1
	}
}

// eachLineSlow is eachLine matching every line on its own.
func (m *lineMatcher) eachLineSlow(data []byte, fn func(n int, line []byte) bool) {
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if m.re.Match(line) && !fn(n, line) {
			return
		}
	}
}
