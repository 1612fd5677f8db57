package agenttoolset

import (
	"regexp/syntax"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// set returns the byte set of spec: bytes, and ranges written "a-z".
func set(spec string) byteSet {
	var s byteSet
	for i := 0; i < len(spec); i++ {
		if i+2 < len(spec) && spec[i+1] == '-' {
			s.addRange(spec[i], spec[i+2])
			i += 2
			continue
		}
		s.add(spec[i])
	}
	return s
}

// seq returns the sequence of the byte sets of specs (see set).
func seq(specs ...string) classSeq {
	q := classSeq{}
	for _, spec := range specs {
		q = append(q, set(spec))
	}
	return q
}

// lit returns the sequence of the bytes of s, one set each.
func lit(s string) classSeq {
	q := classSeq{}
	for i := range len(s) {
		q = append(q, set(s[i:i+1]))
	}
	return q
}

func repeatSeq(spec string, n int) classSeq {
	var specs []string
	for range n {
		specs = append(specs, spec)
	}
	return seq(specs...)
}

// lineFacts returns the facts of pattern as grep analyses it: simplified and
// rewritten for one line.
func lineFacts(t *testing.T, pattern string) facts {
	t.Helper()
	re, err := syntax.Parse(pattern, syntax.Perl)
	require.NoError(t, err)
	return analyze(forOneLine(re.Simplify()))
}

// nonASCII is the set of the first or last byte of a non-ASCII rune or of
// an invalid byte.
const nonASCII = "\x80-\xff"

func TestAnalyzeFindsWhatEveryMatchHolds(t *testing.T) {
	var lower []classSeq
	for _, c := range "abcdefghij" {
		lower = append(lower, lit(string(c)+string(c)))
	}
	tests := []struct {
		pattern string
		want    facts
	}{
		{`\d{5,}`, facts{prefix: repeatSeq("0-9", 5), suffix: seq("0-9"), inner: []classSeq{repeatSeq("0-9", 5)}, minLen: 5}},
		{`[A-Z]{3}\d+`, facts{prefix: seq("A-Z", "A-Z", "A-Z", "0-9"), suffix: seq("0-9"), inner: []classSeq{seq("A-Z", "A-Z", "A-Z", "0-9")}, minLen: 4}},
		{`\s+$`, facts{prefix: seq("\t\f\r "), suffix: seq("\t\f\r "), inner: []classSeq{seq("\t\f\r ")}, minLen: 1, lineEnd: true}},
		{`^\s*//`, facts{prefix: classSeq{}, suffix: lit("//"), inner: []classSeq{lit("//")}, minLen: 2, lineStart: true}},
		{`\Aab`, facts{fixed: true, whole: lit("ab"), prefix: lit("ab"), suffix: lit("ab"), inner: []classSeq{lit("ab")}, minLen: 2, lineStart: true}},
		{`ab\b\z`, facts{fixed: true, whole: lit("ab"), prefix: lit("ab"), suffix: lit("ab"), inner: []classSeq{lit("ab")}, minLen: 2, lineEnd: true}},
		{`^$`, facts{fixed: true, whole: classSeq{}, prefix: classSeq{}, suffix: classSeq{}, lineStart: true, lineEnd: true}},
		// Equal lengths join position by position; others stay a set.
		{`abc|abd`, facts{fixed: true, whole: seq("a", "b", "cd"), prefix: seq("a", "b", "cd"), suffix: seq("a", "b", "cd"), inner: []classSeq{seq("a", "b", "cd")}, minLen: 3}},
		{`xy|uvw`, facts{prefix: seq("ux", "vy"), suffix: seq("vx", "wy"), inner: []classSeq{lit("xy"), lit("uvw")}, minLen: 2}},
		// More than maxSeqs alternatives merge into one sequence.
		{`aa|bb|cc|dd|ee|ff|gg|hh|ii`, facts{fixed: true, whole: seq("a-i", "a-i"), prefix: seq("a-i", "a-i"), suffix: seq("a-i", "a-i"), inner: []classSeq{seq("a-i", "a-i")}, minLen: 2}},
		{`aa|bb|cc|dd|ee|ff|gg|hh|iii`, facts{prefix: seq("a-i", "a-i"), suffix: seq("a-i", "a-i"), inner: []classSeq{seq("a-i", "a-i")}, minLen: 2}},
		{`aa|bb|cc|dd|ee|ff|gg|hhh`, facts{prefix: seq("a-h", "a-h"), suffix: seq("a-h", "a-h"), inner: append(lower[:7:7], lit("hhh")), minLen: 2}},
		// The rarest part of a concatenation, across its boundaries.
		{`\w+\(\)`, facts{prefix: seq("0-9A-Z_a-z"), suffix: seq("0-9A-Z_a-z", "(", ")"), inner: []classSeq{seq("0-9A-Z_a-z", "(", ")")}, minLen: 3}},
		{`x+\d`, facts{prefix: lit("x"), suffix: seq("x", "0-9"), inner: []classSeq{seq("x", "0-9")}, minLen: 2}},
		// Too long: cut to maxSeqLen.
		{`[a-f]{20}`, facts{prefix: repeatSeq("a-f", maxSeqLen), suffix: repeatSeq("a-f", maxSeqLen), inner: []classSeq{repeatSeq("a-f", maxSeqLen)}, minLen: 20}},
		// Nothing required.
		{`x*`, facts{fixed: false}},
		{`a|x*`, facts{prefix: classSeq{}, suffix: classSeq{}}},
		{`(ab)?c`, facts{prefix: classSeq{}, suffix: lit("c"), inner: []classSeq{lit("c")}, minLen: 1}},
		// Newlines: a line holds none.
		{`a\nb`, facts{never: true}},
		{`a|\n`, facts{fixed: true, whole: lit("a"), prefix: lit("a"), suffix: lit("a"), inner: []classSeq{lit("a")}, minLen: 1}},
		{`[\n]+x`, facts{never: true}},
		// Non-ASCII runes: fixed encodings when few and of one length, else
		// their first and last bytes.
		{`é`, facts{fixed: true, whole: seq("\xc3", "\xa9"), prefix: seq("\xc3", "\xa9"), suffix: seq("\xc3", "\xa9"), inner: []classSeq{seq("\xc3", "\xa9")}, minLen: 2}},
		{`(?i)é`, facts{fixed: true, whole: seq("\xc3", "\x89\xa9"), prefix: seq("\xc3", "\x89\xa9"), suffix: seq("\xc3", "\x89\xa9"), inner: []classSeq{seq("\xc3", "\x89\xa9")}, minLen: 2}},
		{`(?i)k`, facts{prefix: seq("Kk" + nonASCII), suffix: seq("Kk" + nonASCII), inner: []classSeq{seq("Kk" + nonASCII)}, minLen: 1}},
		{`[aé]`, facts{prefix: seq("a" + nonASCII), suffix: seq("a" + nonASCII), inner: []classSeq{seq("a" + nonASCII)}, minLen: 1}},
		{`\x{FFFD}`, facts{prefix: seq(nonASCII), suffix: seq(nonASCII), inner: []classSeq{seq(nonASCII)}, minLen: 1}},
		{`.`, facts{prefix: seq("\x00-\t\x0b-\xff"), suffix: seq("\x00-\t\x0b-\xff"), inner: []classSeq{seq("\x00-\t\x0b-\xff")}, minLen: 1}},
		// The last byte of one rune and the first of the next.
		{`(?s).{3}`, facts{prefix: seq("\x00-\t\x0b-\xff"), suffix: seq("\x00-\t\x0b-\xff"), inner: []classSeq{seq("\x00-\t\x0b-\xff", "\x00-\t\x0b-\xff")}, minLen: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			got := lineFacts(t, tc.pattern)
			require.Equal(t, describeFacts(tc.want), describeFacts(got))
		})
	}
}

// describeFacts prints facts for a readable comparison.
func describeFacts(f facts) string {
	var b strings.Builder
	q := func(name string, q classSeq) {
		b.WriteString(name + ":")
		for _, s := range q {
			b.WriteString(describeSet(s) + " ")
		}
		b.WriteString("\n")
	}
	if f.never {
		return "never"
	}
	if f.fixed {
		q("whole", f.whole)
	}
	q("prefix", f.prefix)
	q("suffix", f.suffix)
	for _, s := range f.inner {
		q("inner", s)
	}
	b.WriteString(strings.Join([]string{
		"minLen=" + strconv.Itoa(f.minLen),
		"lineStart=" + strconv.FormatBool(f.lineStart),
		"lineEnd=" + strconv.FormatBool(f.lineEnd),
	}, " "))
	return b.String()
}

// describeSet writes s as a bracketed list of its bytes and ranges.
func describeSet(s byteSet) string {
	var b strings.Builder
	b.WriteByte('[')
	for lo := 0; lo < 256; lo++ {
		if !s.has(byte(lo)) {
			continue
		}
		hi := lo
		for hi+1 < 256 && s.has(byte(hi+1)) {
			hi++
		}
		b.WriteString(byteString(byte(lo)))
		if hi > lo {
			b.WriteString("-" + byteString(byte(hi)))
		}
		lo = hi
	}
	b.WriteByte(']')
	return b.String()
}

func byteString(c byte) string {
	if c > ' ' && c < 0x7f {
		return string(rune(c))
	}
	const hex = "0123456789abcdef"
	return `\x` + string(hex[c>>4]) + string(hex[c&15])
}

func TestPrefilterPicksTheCheapestScan(t *testing.T) {
	tests := []struct {
		pattern string
		want    string
	}{
		// A run of a class, a sequence of classes: a Horspool scan.
		{`\d{5,}`, "seqs [0-9][0-9][0-9][0-9][0-9]"},
		{`[A-Z]{3}\d+`, "seqs [A-Z][A-Z][A-Z][0-9]"},
		{`\d{5,}|[A-Z]{3}\d+`, "seqs [0-9][0-9][0-9][0-9] | [A-Z][A-Z][A-Z][0-9]"},
		// A rare single byte: bytes.IndexByte, then the sequence around it.
		{`^\s*#`, "anchor # at 0 of [#]"},
		{`[a-z]+_[a-z]+`, "anchor _ at 1 of [a-z][_][a-z]"},
		// Line ends and lengths.
		{`\s+$`, "lines min 1 start [] end [\\x09\\x0c-\\x0d\\x20]"},
		{`.{120,}`, "lines min 120 start [] end []"},
		// No line can match.
		{`a\nb`, "nothing"},
		// Nothing rare enough: every line goes to the regexp.
		{`x*`, "lines min 0 start [] end []"},
		{`\w`, "lines min 1 start [] end []"},
		{`\w+\s*\w+`, "lines min 2 start [] end []"},
		{`^\s*$`, "lines min 0 start [] end []"},
		// A line's ends, even when common bytes.
		{`^[a-z]+$`, "lines min 1 start [a-z] end [a-z]"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			m, err := compileMatcher(tc.pattern)
			require.NoError(t, err)
			require.Nil(t, m.needles)
			require.Equal(t, tc.want, describePrefilter(m.pre))
		})
	}
	// A needle wins over any prefilter.
	m, err := compileMatcher(`\d+XYZ`)
	require.NoError(t, err)
	require.Nil(t, m.pre)
}

func describePrefilter(p *prefilter) string {
	seqs := func(qs ...classSeq) string {
		var parts []string
		for _, q := range qs {
			var b strings.Builder
			for _, s := range q {
				b.WriteString(describeSet(s))
			}
			if len(q) == 0 {
				b.WriteString("[]")
			}
			parts = append(parts, b.String())
		}
		return strings.Join(parts, " | ")
	}
	switch {
	case p.kind == scanNothing:
		return "nothing"
	case p.kind == scanSeqs:
		return "seqs " + seqs(p.seqs...)
	case p.kind == scanAnchor:
		return "anchor " + string(p.anchor) + " at " + strconv.Itoa(p.anchorAt) + " of " + seqs(p.seqs[0])
	}
	return "lines min " + strconv.Itoa(p.minLen) + " start " + seqs(p.start) + " end " + seqs(p.end)
}
