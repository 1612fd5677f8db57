// Package sseframe reads the frames of a text/event-stream (the SSE wire
// format) as bytes: the event name and the data of each frame, with one copy of
// the data, which the caller may keep. It implements the parsing rules of the
// HTML standard's event-stream interpretation that a client of this API needs:
// lines end with LF, CRLF or CR; a leading byte-order mark is skipped; lines
// starting with ':' are comments; "event" sets the name, "data" lines are
// joined with LF, "id" and "retry" and unknown fields are ignored; a blank line
// dispatches a frame that has data and drops one that has none; a frame cut off
// by the end of the stream is dropped.
package sseframe

import (
	"bufio"
	"bytes"
	"io"
)

// bufferSize is the size of the read buffer: most frames of the API fit in it,
// longer lines take a slower path.
const bufferSize = 8 << 10

// Reader reads frames. It is not safe for concurrent use.
type Reader struct {
	src        io.Reader
	buf        []byte // the buffered bytes are buf[start:end]
	start, end int
	err        error // the error of the last read from src, sticky
	max        int
	name       []byte // the event name of the frame being read
	data       []byte // the data of the frame being read; nil while it has none
	long       []byte // a line longer than buf, being assembled
	skipLF     bool   // the last line ended with CR: a LF right after it belongs to it
	started    bool   // past the optional byte-order mark
	empty      int    // reads in a row that returned nothing
}

// NewReader returns a reader of r whose frames may hold at most maxEventSize
// bytes of data (no limit when maxEventSize <= 0).
func NewReader(r io.Reader, maxEventSize int) *Reader {
	return &Reader{src: r, buf: make([]byte, bufferSize), max: maxEventSize}
}

// Next returns the next frame that has data: its event name ("" when the frame
// named none), valid until the next call, and its data, a new slice that the
// caller may keep. At the end of the stream it returns io.EOF; a frame larger
// than the limit gives an error wrapping bufio.ErrTooLong.
func (r *Reader) Next() (name, data []byte, err error) {
	for {
		line, err := r.line()
		if err != nil {
			return nil, nil, err
		}
		if len(line) == 0 { // dispatch
			if r.data == nil {
				r.name = r.name[:0]
				continue
			}
			data = r.data
			r.data = nil
			name = r.name
			r.name = r.name[:0] // the caller's view stays valid until the next call
			return name, data, nil
		}
		if err := r.field(line); err != nil {
			return nil, nil, err
		}
	}
}

// field applies one non-blank line to the frame being read.
func (r *Reader) field(line []byte) error {
	key, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		if i == 0 { // comment
			return nil
		}
		key, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(key) {
	case "data":
		if r.data == nil {
			if r.max > 0 && len(value) > r.max {
				return errTooLong
			}
			r.data = append(make([]byte, 0, len(value)), value...)
			return nil
		}
		if r.max > 0 && len(r.data)+1+len(value) > r.max {
			return errTooLong
		}
		r.data = append(append(r.data, '\n'), value...)
	case "event":
		r.name = append(r.name[:0], value...)
	}
	return nil
}

var errTooLong = &tooLongError{}

type tooLongError struct{}

func (*tooLongError) Error() string        { return "sseframe: event too large" }
func (*tooLongError) Unwrap() error        { return bufio.ErrTooLong }
func (*tooLongError) Is(target error) bool { return target == bufio.ErrTooLong }

// line returns the next line without its end of line (LF, CRLF or CR), valid
// until the next call. A line cut off by the end of the stream is dropped.
func (r *Reader) line() ([]byte, error) {
	r.long = r.long[:0]
	for {
		if r.skipLF && r.start < r.end {
			if r.buf[r.start] == '\n' {
				r.start++
			}
			r.skipLF = false
		}
		b := r.buf[r.start:r.end]
		if i := lineEnd(b); i >= 0 {
			r.start += i + 1
			r.skipLF = b[i] == '\r'
			line := b[:i]
			if len(r.long) > 0 {
				r.long = append(r.long, line...)
				line = r.long
			}
			if !r.started {
				r.started = true
				line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
			}
			return line, nil
		}
		if r.err != nil {
			return nil, r.err
		}
		// No whole line is buffered: make room and read more.
		if r.start > 0 {
			r.end = copy(r.buf, b)
			r.start = 0
		}
		if r.end == len(r.buf) {
			r.long = append(r.long, r.buf...)
			r.end = 0
			if r.max > 0 && len(r.long) > r.max+len("data: ") {
				return nil, errTooLong
			}
		}
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		r.err = err
		if n == 0 && err == nil {
			if r.empty++; r.empty >= 100 {
				r.err = io.ErrNoProgress
			}
		} else {
			r.empty = 0
		}
	}
}

// lineEnd returns the index of the first CR or LF in b, or -1.
func lineEnd(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	head := b
	if i >= 0 {
		head = b[:i]
	}
	if j := bytes.IndexByte(head, '\r'); j >= 0 {
		return j
	}
	return i
}
