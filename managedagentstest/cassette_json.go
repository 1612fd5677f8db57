package managedagentstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// jsonNode is a parsed JSON value that keeps the order of object members and
// the exact bytes of every scalar, so that a body can be edited (redacted) or
// laid out again without changing anything else.
type jsonNode struct {
	// open is '{' or '[' for a container, 0 for a scalar.
	open byte
	// raw is a scalar's token as written (a string keeps its quotes and escapes).
	raw []byte
	// keys are an object's member names, as raw string tokens.
	keys [][]byte
	// kids are an object's member values or an array's elements.
	kids []*jsonNode
	// flat is the length of the one-line layout, computed by flatLen.
	flat int
}

// parseJSON parses one JSON value (with optional surrounding whitespace). It
// accepts exactly what json.Valid accepts, and checks with it first, so that
// its own scanner only splits valid JSON into tokens.
func parseJSON(b []byte) (*jsonNode, error) {
	if !json.Valid(b) {
		return nil, errors.New("json: not a valid JSON value")
	}
	p := jsonParser{b: b}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.b) {
		return nil, fmt.Errorf("json: unexpected %q after the value", p.b[p.i])
	}
	return n, nil
}

type jsonParser struct {
	b []byte
	i int
}

// maxJSONDepth bounds the nesting a parse accepts, as encoding/json does.
const maxJSONDepth = 10000

var errJSONEnd = errors.New("json: unexpected end of input")

func (p *jsonParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*jsonNode, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("json: nested too deeply")
	}
	p.space()
	if p.i >= len(p.b) {
		return nil, errJSONEnd
	}
	switch c := p.b[p.i]; c {
	case '{', '[':
		return p.container(c, depth)
	case '"':
		s, err := p.str()
		return &jsonNode{raw: s}, err
	}
	start := p.i
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ',', ']', '}', ':', ' ', '\t', '\n', '\r', '"', '{', '[':
			goto done
		}
		p.i++
	}
done:
	if p.i == start {
		return nil, fmt.Errorf("json: unexpected %q", p.b[p.i])
	}
	return &jsonNode{raw: p.b[start:p.i]}, nil
}

func (p *jsonParser) container(open byte, depth int) (*jsonNode, error) {
	closing := byte('}')
	if open == '[' {
		closing = ']'
	}
	n := &jsonNode{open: open}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == closing {
		p.i++
		return n, nil
	}
	for {
		if open == '{' {
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return nil, errors.New("json: object key expected")
			}
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return nil, errors.New("json: ':' expected")
			}
			p.i++
			n.keys = append(n.keys, k)
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, v)
		p.space()
		if p.i >= len(p.b) {
			return nil, errJSONEnd
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case closing:
			p.i++
			return n, nil
		default:
			return nil, fmt.Errorf("json: unexpected %q", p.b[p.i])
		}
	}
}

// str scans a string token, quotes included.
func (p *jsonParser) str() ([]byte, error) {
	start := p.i
	p.i++
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '\\':
			p.i += 2
		case '"':
			p.i++
			return p.b[start:p.i], nil
		default:
			p.i++
		}
	}
	return nil, errJSONEnd
}

// compact writes n without insignificant whitespace.
func (n *jsonNode) compact(buf *bytes.Buffer) {
	n.write(buf, false)
}

// write writes n on one line, with a space after ':' and ',' when spaced.
func (n *jsonNode) write(buf *bytes.Buffer, spaced bool) {
	if n.open == 0 {
		buf.Write(n.raw)
		return
	}
	buf.WriteByte(n.open)
	for i, k := range n.kids {
		if i > 0 {
			buf.WriteByte(',')
			if spaced {
				buf.WriteByte(' ')
			}
		}
		if n.open == '{' {
			buf.Write(n.keys[i])
			buf.WriteByte(':')
			if spaced {
				buf.WriteByte(' ')
			}
		}
		k.write(buf, spaced)
	}
	buf.WriteByte(closer(n.open))
}

func closer(open byte) byte {
	if open == '{' {
		return '}'
	}
	return ']'
}

// flatLen returns the length of n's one-line, spaced layout.
func (n *jsonNode) flatLen() int {
	if n.open == 0 {
		return len(n.raw)
	}
	if n.flat > 0 {
		return n.flat
	}
	l := 2
	for i, k := range n.kids {
		if i > 0 {
			l += 2
		}
		if n.open == '{' {
			l += len(n.keys[i]) + 2
		}
		l += k.flatLen()
	}
	n.flat = l
	return l
}

// layout writes n for reading: a container that fits in avail columns on one
// line stays on one line, others get one member per line, indented by two.
func (n *jsonNode) layout(buf *bytes.Buffer, indent string, avail int) {
	if n.open == 0 || len(n.kids) == 0 || n.flatLen() <= avail {
		n.write(buf, true)
		return
	}
	inner := indent + "  "
	buf.WriteByte(n.open)
	buf.WriteByte('\n')
	for i, k := range n.kids {
		buf.WriteString(inner)
		used := len(inner) + 1 // the comma
		if n.open == '{' {
			buf.Write(n.keys[i])
			buf.WriteString(": ")
			used += len(n.keys[i]) + 2
		}
		k.layout(buf, inner, fixtureWidth-used)
		if i < len(n.kids)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString(indent)
	buf.WriteByte(closer(n.open))
}

// layoutJSON lays out the JSON b for reading in fixtureWidth columns;
// scalars keep their exact bytes.
func layoutJSON(b []byte) ([]byte, error) {
	n, err := parseJSON(b)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	n.layout(&buf, "", fixtureWidth)
	return buf.Bytes(), nil
}
