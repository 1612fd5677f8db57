package agenttoolset

import (
	"bytes"
	"math"
)

// prefilter finds the candidate lines of a buffer for a pattern that has no
// literal needle: every line the pattern matches is a candidate, and the
// fewer others the better. It is built from the facts of the pattern's
// syntax tree (grepfactor.go) and runs no regexp: a table-driven scan over
// the whole buffer passes over the lines that cannot match. Where the facts
// say little, every line is a candidate, and every line is checked.
type prefilter struct {
	kind prefilterKind
	// scanSeqs, scanAnchor: a string of one of seqs, all of length n, is in
	// every match.
	seqs []classSeq
	n    int
	// scanSeqs: a Horspool scan. shift[b] is how far a window ending in b
	// can move on without skipping a string of seqs (n when b is in none of
	// their classes); a window is checked only when last[b].
	shift [256]uint8
	last  [256]bool
	// scanAnchor: seqs[0] has the single byte anchor at anchorAt, found
	// with bytes.IndexByte.
	anchor   byte
	anchorAt int
	// scanLines: every match starts the line with a string of start (when
	// not empty), ends it with one of end, and has at least minLen bytes.
	start, end classSeq
	minLen     int
}

type prefilterKind uint8

const (
	scanLines   prefilterKind = iota // line by line
	scanSeqs                         // a Horspool scan for seqs
	scanAnchor                       // an IndexByte scan for anchor
	scanNothing                      // no line can match
)

// Figures of the cost model that picks a prefilter. avgLine is the length
// of a typical line of source code. An IndexByte scan for an anchor byte
// costs about anchorCost steps of a Horspool scan per occurrence, and a
// Horspool scan about one step per window shift.
const (
	avgLine    = 40
	anchorCost = 8.0
)

// newPrefilter returns the prefilter of the facts expected to pass the
// fewest lines. Every candidate line costs a check (by a lineDFA, or the
// regexp), and all scans cost little beside it.
func newPrefilter(f facts) *prefilter {
	if f.never {
		return &prefilter{kind: scanNothing}
	}
	lines := &prefilter{kind: scanLines, minLen: f.minLen}
	share := math.Exp(-float64(f.minLen) / avgLine)
	if f.lineStart {
		lines.start = f.prefix
		share *= f.prefix.prob()
	}
	if f.lineEnd {
		lines.end = f.suffix
		share *= f.suffix.prob()
	}
	if f.inner != nil {
		p := seqPrefilter(f.inner)
		if avgLine*seqSetProb(p.seqs) < share {
			return p
		}
	}
	return lines
}

// seqPrefilter returns the scan for a set of sequences one of which every
// match contains: each cut to its rarest window of the shortest length, and
// found by a Horspool scan, or by the IndexByte scan of a rare single byte
// when there is one sequence holding one.
func seqPrefilter(set []classSeq) *prefilter {
	n := len(set[0])
	for _, q := range set {
		n = min(n, len(q))
	}
	p := &prefilter{kind: scanSeqs, n: n}
	for _, q := range set {
		p.seqs = append(p.seqs, rarestWindow(q, n))
	}
	for b := range 256 {
		p.shift[b] = uint8(n)
	}
	for _, q := range p.seqs {
		for i, s := range q[:n-1] {
			for _, b := range s.bytes() {
				p.shift[b] = min(p.shift[b], uint8(n-1-i))
			}
		}
		for _, b := range q[n-1].bytes() {
			p.last[b] = true
		}
	}
	if len(p.seqs) > 1 {
		return p
	}
	// The expected shift of the Horspool scan, against the cost of stopping
	// at every occurrence of the anchor.
	var shift float64
	for b := range 256 {
		shift += float64(byteFreq[b]) / 1e6 * float64(p.shift[b])
	}
	bestCost := 1 / shift
	for i, s := range p.seqs[0] {
		if s.len() != 1 {
			continue
		}
		if cost := anchorCost * s.prob(); cost < bestCost {
			p.kind, p.anchor, p.anchorAt, bestCost = scanAnchor, s.bytes()[0], i, cost
		}
	}
	return p
}

// next returns a position at or after from, in a line that is a candidate,
// or -1 when no line from there on is one. from must be the start of a
// line.
func (p *prefilter) next(data []byte, from int) int {
	switch p.kind {
	case scanSeqs:
		return p.nextSeqs(data, from)
	case scanAnchor:
		return p.nextAnchor(data, from)
	case scanLines:
		return p.nextLine(data, from)
	}
	return -1
}

// nextSeqs is a Horspool scan for the strings of p.seqs.
func (p *prefilter) nextSeqs(data []byte, from int) int {
	n := p.n
	end := len(data) - n // the last window start
	for i := from; i <= end; {
		b := data[i+n-1]
		if !p.last[b] {
			// The common case, a byte in no class, moves on by n: written
			// so, the next load does not wait for this one's shift.
			if p.shift[b] == uint8(n) {
				i += n
				continue
			}
			i += int(p.shift[b])
			continue
		}
		for _, q := range p.seqs {
			if seqAt(q, data[i:]) {
				return i
			}
		}
		i += int(p.shift[b])
	}
	return -1
}

// nextAnchor finds the occurrences of the anchor byte, and checks the
// sequence around each.
func (p *prefilter) nextAnchor(data []byte, from int) int {
	q := p.seqs[0]
	for pos := from + p.anchorAt; pos < len(data); pos++ {
		i := bytes.IndexByte(data[pos:], p.anchor)
		if i < 0 {
			return -1
		}
		pos += i
		if start := pos - p.anchorAt; start+len(q) <= len(data) && seqAt(q, data[start:]) {
			return start
		}
	}
	return -1
}

// nextLine checks every line from from on against the line facts.
func (p *prefilter) nextLine(data []byte, from int) int {
	for start := from; start < len(data); {
		end := lineEnd(data, start)
		line := data[start:end]
		if len(line) >= max(p.minLen, len(p.end)) && seqAt(p.start, line) && seqAt(p.end, line[len(line)-len(p.end):]) {
			return start
		}
		start = end + 1
	}
	return -1
}

// seqAt reports whether data starts with a string of q.
func seqAt(q classSeq, data []byte) bool {
	if len(data) < len(q) {
		return false
	}
	for i, s := range q {
		if !s.has(data[i]) {
			return false
		}
	}
	return true
}
