package transport

import (
	"context"
	"errors"
	"io"
)

// Upload is a request body written while it is sent, never held whole in
// memory: the multipart body of a file or skill upload. Each attempt runs
// Write in a goroutine of its own that feeds the request through a pipe, so
// memory stays at the size of the pipe's writes whatever the body's length.
type Upload struct {
	// ContentType is the body's content-type, with its parameters
	// ("multipart/form-data; boundary=…").
	ContentType string
	// Length is the number of bytes Write writes, sent as Content-Length; -1
	// when it is not known (the body is then sent chunked).
	Length int64
	// Write writes the whole body to w and returns once a write to w fails.
	// It must write something before it reads its source: an attempt that
	// never sent a byte then leaves the source untouched, and the next attempt
	// can call Write again even when Replayable is false.
	Write func(w io.Writer) error
	// Replayable reports that each call of Write writes the whole body again
	// (its source can be read again: a directory, a file that can seek back),
	// so that an attempt may follow one that sent part of the body.
	Replayable bool
}

// BodyError reports that the body of an upload could not be produced: its
// source failed to read, or gave another number of bytes than announced. The
// request was cut short, so the server did not act on it; it is not retried.
type BodyError struct {
	Method, URL string
	Err         error
}

func (e *BodyError) Error() string {
	return e.Method + " " + e.URL + ": request body: " + e.Err.Error()
}

func (e *BodyError) Unwrap() error { return e.Err }

// errAttemptOver closes the pipe of an attempt that ended.
var errAttemptOver = errors.New("the attempt ended before the request body was sent")

// uploadBody runs the attempts of one call's Upload, one at a time.
type uploadBody struct {
	up   *Upload
	sent bool // an attempt sent at least one byte
	cur  *pipeBody
}

// pipeBody is the body of one attempt.
type pipeBody struct {
	*io.PipeReader
	done    chan struct{}
	written int64 // bytes the HTTP client took; read once done is closed
	err     error // Write's own error (not one of writing to the pipe); set before done closes
}

// writeFailed marks an error of writing to the pipe: the HTTP client stopped
// reading (the attempt ended), which says nothing of the source.
type writeFailed struct{ err error }

func (e *writeFailed) Error() string { return e.err.Error() }
func (e *writeFailed) Unwrap() error { return e.err }

// pipeWriter counts the bytes the reader took: a pipe's Write returns once
// the reader has them.
type pipeWriter struct {
	pw *io.PipeWriter
	p  *pipeBody
}

func (w pipeWriter) Write(b []byte) (int, error) {
	n, err := w.pw.Write(b)
	w.p.written += int64(n)
	if err != nil {
		err = &writeFailed{err}
	}
	return n, err
}

// open starts the body of an attempt. The previous one must have ended.
func (u *uploadBody) open() io.ReadCloser {
	pr, pw := io.Pipe()
	p := &pipeBody{PipeReader: pr, done: make(chan struct{})}
	u.cur = p
	go func() {
		defer close(p.done)
		err := u.up.Write(pipeWriter{pw: pw, p: p})
		var wf *writeFailed
		if err != nil && !errors.As(err, &wf) {
			p.err = err
		}
		_ = pw.CloseWithError(err) // nil: the reader sees io.EOF
	}()
	return p
}

// end ends the current attempt's body: the pipe is closed, so that Write
// returns, and end waits for it unless ctx is done (a Write blocked in its
// source's Read could not be stopped; it ends with that Read, and no attempt
// follows). It returns Write's own error, if any.
func (u *uploadBody) end(ctx context.Context) error {
	p := u.cur
	if p == nil {
		return nil
	}
	u.cur = nil
	_ = p.CloseWithError(errAttemptOver)
	if ctx.Err() != nil {
		select {
		case <-p.done:
		default:
			u.sent = true
			return nil
		}
	}
	<-p.done
	if p.written > 0 {
		u.sent = true
	}
	return p.err
}

// replayable reports whether another attempt can send the whole body.
func (u *uploadBody) replayable() bool { return u.up.Replayable || !u.sent }
