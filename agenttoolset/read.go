package agenttoolset

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"syscall"
)

var errNotRegular = errors.New("not a regular file")

// Read returns a file's text verbatim, without line numbers
// (self-hosted.md §5.2). Without ViewRange the file must not exceed the
// MaxFileBytes cap (262144 bytes by default); with it the file is streamed
// and only the selected lines count against the cap. Directories, FIFOs and
// devices are refused before anything opens them.
func (t *Toolset) Read(_ context.Context, in ReadInput) (Result, error) {
	if t.isClosed() {
		return Result{}, ErrClosed
	}
	if in.FilePath == "" {
		return failure(ToolRead, "file_path is required"), nil
	}
	if len(in.ViewRange) != 0 && len(in.ViewRange) != 2 {
		return failure(ToolRead, "view_range must be [start_line, end_line]"), nil
	}
	tg, err := t.fs.resolve(in.FilePath)
	if err != nil {
		return failure(ToolRead, "%v", err), nil
	}
	f, info, err := openRegular(tg)
	if err != nil {
		return failure(ToolRead, "%s: %s", in.FilePath, fsErrorMessage(err)), nil
	}
	defer f.Close()

	limit := t.maxFileBytes
	if limit < 0 {
		limit = math.MaxInt64 - 1
	}
	if len(in.ViewRange) == 0 {
		if info.Size() > limit {
			return failure(ToolRead, "%s is %d bytes, more than the %d-byte limit; read it in parts with view_range, e.g. [1, 500]",
				in.FilePath, info.Size(), limit), nil
		}
		data, over, err := readAtMost(f, info.Size(), limit)
		if err != nil {
			return failure(ToolRead, "%s: %s", in.FilePath, fsErrorMessage(err)), nil
		}
		if over {
			return failure(ToolRead, "%s holds more than the %d-byte limit; read it in parts with view_range, e.g. [1, 500]",
				in.FilePath, limit), nil
		}
		return success(string(data)), nil
	}
	lines := newLineRange(in.ViewRange[0], in.ViewRange[1], limit)
	text, err := lines.read(f)
	switch {
	case errors.Is(err, errRangeTooBig):
		return failure(ToolRead, "view_range [%d, %d] of %s holds more than the %d-byte limit; narrow it",
			in.ViewRange[0], in.ViewRange[1], in.FilePath, limit), nil
	case err != nil:
		return failure(ToolRead, "%s: %s", in.FilePath, fsErrorMessage(err)), nil
	}
	return success(text), nil
}

// openRegular opens a resolved target for reading through its root, after
// checking it is a regular file (so a FIFO or a device is never opened), and
// checks again on the open file.
func openRegular(tg target) (*os.File, os.FileInfo, error) {
	info, err := tg.root.dir.Stat(tg.rel)
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		if info.IsDir() {
			return nil, nil, syscall.EISDIR
		}
		return nil, nil, errNotRegular
	}
	f, err := tg.root.dir.OpenFile(tg.rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err = f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = errNotRegular
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// readAtMost reads r to its end, or reports over once it has given more than
// limit bytes (a file can grow, and some report a size of 0); size only
// sizes the buffer.
func readAtMost(r io.Reader, size, limit int64) (data []byte, over bool, err error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(size, limit)+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(r, limit+1))
	return buf.Bytes(), int64(buf.Len()) > limit, err
}

var errRangeTooBig = errors.New("the range exceeds the limit")

// lineRange collects lines [start, end] of a stream, 1-based and inclusive,
// with the semantics of splitting the text on "\n" and joining the selected
// pieces with "\n": a range that reaches the end of the file keeps its final
// newline. A start below 1 means 1; an end of 0 or less means the end of the
// file.
type lineRange struct {
	first, last int64 // 0-based line indexes, last inclusive
	limit       int64
	line        int64 // index of the line being read
	out         []byte
}

func newLineRange(start, end, limit int64) *lineRange {
	last := int64(math.MaxInt64)
	if end > 0 {
		last = end - 1
	}
	return &lineRange{first: max(start, 1) - 1, last: last, limit: limit}
}

// read returns the selected text, streaming r in chunks so that memory stays
// at the limit plus one chunk, whatever the file's size.
func (l *lineRange) read(r io.Reader) (string, error) {
	if l.last < l.first {
		return "", nil
	}
	chunk := make([]byte, 64<<10)
	for l.line <= l.last {
		n, err := r.Read(chunk)
		if ferr := l.feed(chunk[:n]); ferr != nil {
			return "", ferr
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return string(l.out), nil
}

func (l *lineRange) feed(p []byte) error {
	for len(p) > 0 && l.line <= l.last {
		nl := bytes.IndexByte(p, '\n')
		piece := p
		if nl >= 0 {
			piece = p[:nl]
		}
		if l.line >= l.first {
			l.out = append(l.out, piece...)
			if nl >= 0 && l.line < l.last {
				l.out = append(l.out, '\n')
			}
			if int64(len(l.out)) > l.limit {
				return errRangeTooBig
			}
		}
		if nl < 0 {
			return nil
		}
		l.line++
		p = p[nl+1:]
	}
	return nil
}
