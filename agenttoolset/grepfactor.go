package agenttoolset

import (
	"math/bits"
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// This file derives, from a regular expression's syntax tree, what every
// match must hold at the byte level: byte-class sequences that every match
// starts with, ends with or contains, whether it sits at a line's start or
// end, and its least length. grepprefilter.go turns these facts into a scan
// that finds the candidate lines of a buffer before any regexp work.
//
// Every fact is an over-approximation: it may admit strings that do not
// match, never the reverse. Where the analysis cannot prove anything it
// says nothing, and every line is checked. FuzzPrefilter checks
// every fact against the matches of random expressions.

// byteSet is a set of byte values.
type byteSet [4]uint64

func (s *byteSet) add(b byte) { s[b>>6] |= 1 << (b & 63) }

func (s *byteSet) addRange(lo, hi byte) {
	for b := int(lo); b <= int(hi); b++ {
		s.add(byte(b))
	}
}

func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }

func (s byteSet) union(t byteSet) byteSet {
	return byteSet{s[0] | t[0], s[1] | t[1], s[2] | t[2], s[3] | t[3]}
}

func (s byteSet) len() int {
	return bits.OnesCount64(s[0]) + bits.OnesCount64(s[1]) + bits.OnesCount64(s[2]) + bits.OnesCount64(s[3])
}

// members yields the members of s in increasing order.
func (s byteSet) members(yield func(byte) bool) {
	for i, w := range s {
		for ; w != 0; w &= w - 1 {
			if !yield(byte(i*64 + bits.TrailingZeros64(w))) {
				return
			}
		}
	}
}

// bytes returns the members of s in increasing order.
func (s byteSet) bytes() []byte { return slices.Collect(s.members) }

// prob estimates the share of the bytes of a text that fall in s.
func (s byteSet) prob() float64 {
	var ppm uint32
	for b := range s.members {
		ppm += byteFreq[b]
	}
	return min(1, float64(ppm)/1e6)
}

// classSeq stands for the strings of len(q) bytes whose i-th byte is in q[i].
type classSeq []byteSet

// prob estimates the chance that a string of q starts at a given byte.
func (q classSeq) prob() float64 {
	p := 1.0
	for _, s := range q {
		p *= s.prob()
	}
	return p
}

// maxSeqLen bounds the sequences the analysis keeps: longer ones are cut to
// their rarest window, which any scan can use as well.
const maxSeqLen = 16

// maxSeqs bounds a set of alternative sequences; a larger set is merged
// into one sequence.
const maxSeqs = 8

// seqSetProb estimates the chance that a string of one of set starts at a
// given byte.
func seqSetProb(set []classSeq) float64 {
	p := 0.0
	for _, q := range set {
		p += q.prob()
	}
	return min(1, p)
}

// rarestWindow returns the window of n sets of q (q itself when shorter)
// with the lowest estimated probability.
func rarestWindow(q classSeq, n int) classSeq {
	if len(q) <= n {
		return q
	}
	best, bestP := 0, 2.0
	for i := 0; i+n <= len(q); i++ {
		if p := q[i : i+n].prob(); p < bestP {
			best, bestP = i, p
		}
	}
	return slices.Clone(q[best : best+n])
}

// facts is what every match of a regular expression holds, in bytes. A
// match here is a match within one line: the expression is rewritten by
// forOneLine, so nothing in it matches a newline.
type facts struct {
	never bool // no string matches
	// fixed: every match is a string of whole (so all have its length).
	fixed bool
	whole classSeq
	// prefix, suffix: every match starts (ends) with a string of them; they
	// may be empty.
	prefix, suffix classSeq
	// inner: every match contains a string of one of them; nil when nothing
	// is known. It never holds an empty sequence.
	inner []classSeq
	// minLen: no match is shorter, in bytes.
	minLen int
	// lineStart, lineEnd: every match starts (ends) at the start (end) of
	// the line.
	lineStart, lineEnd bool
}

// emptyFacts are those of the empty string.
func emptyFacts() facts { return facts{fixed: true, whole: classSeq{}} }

// seqFacts are those of the strings of q.
func seqFacts(q classSeq) facts {
	f := facts{fixed: true, whole: q, prefix: q, suffix: q, minLen: len(q)}
	if len(q) > maxSeqLen {
		f.fixed, f.whole = false, nil
		f.prefix, f.suffix = slices.Clone(q[:maxSeqLen]), slices.Clone(q[len(q)-maxSeqLen:])
		q = rarestWindow(q, maxSeqLen)
	}
	if len(q) > 0 {
		f.inner = []classSeq{q}
	}
	return f
}

// analyze returns the facts of re, a simplified expression.
func analyze(re *syntax.Regexp) facts {
	switch re.Op {
	case syntax.OpNoMatch:
		return facts{never: true}
	case syntax.OpEmptyMatch, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return emptyFacts()
	case syntax.OpBeginLine, syntax.OpBeginText:
		// A line is matched on its own: \A is its start too.
		f := emptyFacts()
		f.lineStart = true
		return f
	case syntax.OpEndLine, syntax.OpEndText:
		f := emptyFacts()
		f.lineEnd = true
		return f
	case syntax.OpLiteral:
		f := emptyFacts()
		for _, r := range re.Rune {
			var runes []rune
			if re.Flags&syntax.FoldCase != 0 {
				runes = foldOrbit(r)
			} else {
				runes = []rune{r, r}
			}
			f = concatFacts(f, runeClassFacts(runes))
		}
		return f
	case syntax.OpCharClass:
		return runeClassFacts(re.Rune)
	case syntax.OpAnyCharNotNL:
		return runeClassFacts([]rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune})
	case syntax.OpAnyChar:
		return runeClassFacts([]rune{0, unicode.MaxRune})
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		return optionalFacts(analyze(re.Sub[0]))
	case syntax.OpPlus:
		return plusFacts(analyze(re.Sub[0]))
	case syntax.OpRepeat:
		sub := analyze(re.Sub[0])
		if re.Min == 0 {
			return optionalFacts(sub)
		}
		f := plusFacts(sub)
		f.minLen = min(re.Min*sub.minLen, 1<<20)
		return f
	case syntax.OpConcat:
		f := emptyFacts()
		for _, sub := range re.Sub {
			f = concatFacts(f, analyze(sub))
		}
		return f
	case syntax.OpAlternate:
		f := facts{never: true}
		for _, sub := range re.Sub {
			f = alternateFacts(f, analyze(sub))
		}
		return f
	}
	return facts{} // an unknown operator: nothing is known
}

// foldOrbit returns, as a class of single-rune ranges, r and every rune
// that (?i) matches to it.
func foldOrbit(r rune) []rune {
	runes := []rune{r, r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		runes = append(runes, f, f)
	}
	return runes
}

// maxEnumerated bounds the non-ASCII runes of a class that are encoded one
// by one; a larger class is taken as any non-ASCII byte.
const maxEnumerated = 64

// runeClassFacts returns the facts of a character class given as rune
// ranges (lo, hi pairs). ASCII runes are one byte each. Non-ASCII runes are
// UTF-8 sequences; a few runes of one encoded length make a fixed sequence.
// Otherwise, or when the class holds U+FFFD (which Go's regexp also matches
// to any single byte of invalid UTF-8), the class's first and last bytes
// are its ASCII runes or any byte from 0x80 up: every non-ASCII encoding
// starts and ends with one, and so does every invalid byte.
func runeClassFacts(ranges []rune) facts {
	var ascii byteSet
	var wide []rune
	enumerable := true
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
			ascii.add(byte(r))
		}
		if hi < utf8.RuneSelf {
			continue
		}
		lo = max(lo, utf8.RuneSelf)
		if !enumerable || int(hi-lo)+1+len(wide) > maxEnumerated || (lo <= utf8.RuneError && utf8.RuneError <= hi) {
			enumerable = false
			continue
		}
		for r := lo; r <= hi; r++ {
			wide = append(wide, r)
		}
	}
	if enumerable && len(wide) > 0 && ascii.len() == 0 {
		if q, ok := sameLengthEncodings(wide); ok {
			return seqFacts(q)
		}
	}
	if enumerable && len(wide) == 0 {
		if ascii.len() == 0 {
			return facts{never: true}
		}
		return seqFacts(classSeq{ascii})
	}
	edge := ascii
	edge.addRange(0x80, 0xff)
	return facts{prefix: classSeq{edge}, suffix: classSeq{edge}, inner: []classSeq{{edge}}, minLen: 1}
}

// sameLengthEncodings returns the byte classes of the UTF-8 encodings of
// runes, when those all have one length (and are valid).
func sameLengthEncodings(runes []rune) (classSeq, bool) {
	n := utf8.RuneLen(runes[0])
	q := make(classSeq, n)
	var buf [utf8.UTFMax]byte
	for _, r := range runes {
		if !utf8.ValidRune(r) || utf8.RuneLen(r) != n {
			return nil, false
		}
		utf8.EncodeRune(buf[:], r)
		for i := range n {
			q[i].add(buf[i])
		}
	}
	return q, true
}

// optionalFacts are those of x* or x?: nothing is required, unless x only
// ever matches the empty string.
func optionalFacts(x facts) facts {
	if x.never || (x.fixed && len(x.whole) == 0) {
		return emptyFacts()
	}
	return facts{}
}

// plusFacts are those of x+: one x at least, so it starts as x starts and
// ends as x ends.
func plusFacts(x facts) facts {
	if x.never || (x.fixed && len(x.whole) == 0) {
		return x
	}
	x.fixed, x.whole = false, nil
	return x
}

// concatFacts returns the facts of x followed by y.
func concatFacts(x, y facts) facts {
	if x.never || y.never {
		return facts{never: true}
	}
	f := facts{minLen: min(x.minLen+y.minLen, 1<<20)}
	f.lineStart = x.lineStart || (x.fixed && len(x.whole) == 0 && y.lineStart)
	f.lineEnd = y.lineEnd || (y.fixed && len(y.whole) == 0 && x.lineEnd)
	if x.fixed && y.fixed {
		g := seqFacts(join(x.whole, y.whole))
		f.fixed, f.whole, f.prefix, f.suffix, f.inner = g.fixed, g.whole, g.prefix, g.suffix, g.inner
		if f.fixed {
			return f
		}
	} else {
		f.prefix = x.prefix
		if x.fixed {
			f.prefix = join(x.whole, y.prefix)
		}
		f.suffix = y.suffix
		if y.fixed {
			f.suffix = join(x.suffix, y.whole)
		}
		f.prefix = firstN(f.prefix, maxSeqLen)
		f.suffix = lastN(f.suffix, maxSeqLen)
	}
	// Any of these is in every match: keep the rarest.
	for _, set := range [][]classSeq{
		x.inner, y.inner,
		single(rarestWindow(join(x.suffix, y.prefix), maxSeqLen)),
		single(f.prefix), single(f.suffix),
	} {
		f.inner = rarer(f.inner, set)
	}
	return f
}

// alternateFacts returns the facts of x|y.
func alternateFacts(x, y facts) facts {
	switch {
	case x.never:
		return y
	case y.never:
		return x
	}
	f := facts{
		minLen:    min(x.minLen, y.minLen),
		lineStart: x.lineStart && y.lineStart,
		lineEnd:   x.lineEnd && y.lineEnd,
	}
	if x.fixed && y.fixed && len(x.whole) == len(y.whole) {
		f.fixed = true
		f.whole = unionAt(x.whole, y.whole)
	}
	f.prefix = unionAt(firstN(x.prefix, len(y.prefix)), firstN(y.prefix, len(x.prefix)))
	f.suffix = unionAt(lastN(x.suffix, len(y.suffix)), lastN(y.suffix, len(x.suffix)))
	if x.inner != nil && y.inner != nil {
		f.inner = slices.Concat(x.inner, y.inner)
		if len(f.inner) > maxSeqs {
			f.inner = single(mergeSeqs(f.inner))
		}
	}
	f.inner = rarer(f.inner, single(f.prefix))
	f.inner = rarer(f.inner, single(f.suffix))
	return f
}

// mergeSeqs returns one sequence holding a string of each of set: their
// rarest windows of the shortest length, joined position by position.
func mergeSeqs(set []classSeq) classSeq {
	n := len(set[0])
	for _, q := range set {
		n = min(n, len(q))
	}
	merged := make(classSeq, n)
	for _, q := range set {
		merged = unionAt(merged, rarestWindow(q, n))
	}
	return merged
}

// rarer returns the set with the lower estimated probability, a when
// equal; nil stands for nothing known.
func rarer(a, b []classSeq) []classSeq {
	switch {
	case b == nil:
		return a
	case a == nil:
		return b
	case seqSetProb(b) < seqSetProb(a):
		return b
	}
	return a
}

// single returns the set of q alone, or nil for an empty q.
func single(q classSeq) []classSeq {
	if len(q) == 0 {
		return nil
	}
	return []classSeq{q}
}

func join(a, b classSeq) classSeq { return slices.Concat(a, b) }

func firstN(q classSeq, n int) classSeq { return slices.Clone(q[:min(n, len(q))]) }

func lastN(q classSeq, n int) classSeq { return slices.Clone(q[len(q)-min(n, len(q)):]) }

// unionAt returns the position-wise union of a and b, of equal length.
func unionAt(a, b classSeq) classSeq {
	out := make(classSeq, len(a))
	for i := range a {
		out[i] = a[i].union(b[i])
	}
	return out
}
