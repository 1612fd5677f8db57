package managedagentstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"time"
)

// capture is an interaction being recorded. Its fields are guarded by the
// recorder's mutex until done.
type capture struct {
	ix *Interaction
	// answered: the answer's headers (or the transport's error) arrived.
	answered bool
	// finished: nothing will change ix any more (the answer is whole, the
	// stream ended, or the recorder closed it); complete runs once after it.
	finished bool
	// done: complete ran (redaction and AfterCapture hooks).
	done bool
	// start is when the answer's headers arrived; stream times count from it.
	start time.Time
}

// record sends req with the real transport and records it.
func (r *Recorder) record(req *http.Request) (*http.Response, error) {
	body, err := readRequestBody(req)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	if body != nil {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
	}
	c := &capture{ix: &Interaction{Request: RecordedRequest{
		Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: body,
	}}}
	r.mu.Lock()
	r.seq++
	c.ix.Seq = r.seq
	if isWrite(req.Method) {
		r.lastWrite = r.seq
	}
	r.captures = append(r.captures, c)
	r.mu.Unlock()

	sent := time.Now()
	resp, err := r.cfg.transport.RoundTrip(out)
	latency := time.Since(sent)
	if err != nil {
		r.mu.Lock()
		c.ix.Response = RecordedResponse{Err: err.Error(), Canceled: req.Context().Err() != nil, Latency: latency}
		c.answered, c.finished = true, true
		r.mu.Unlock()
		r.complete(c)
		return nil, err
	}
	header := resp.Header.Clone()
	header.Del("Content-Length")
	r.mu.Lock()
	c.ix.Response = RecordedResponse{Status: resp.StatusCode, Header: header, Latency: latency}
	c.answered, c.start = true, time.Now()
	if isEventStream(resp.Header) {
		c.ix.Response.Stream = &RecordedStream{}
		r.mu.Unlock()
		resp.Body = &recordingBody{r: r, c: c, body: resp.Body, ctx: req.Context()}
		return resp, nil
	}
	r.mu.Unlock()

	// Any other answer is read whole before the client sees it.
	data, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	r.mu.Lock()
	if rerr != nil {
		s := &RecordedStream{Data: data}
		if len(data) > 0 {
			s.Chunks = []StreamChunk{{Size: len(data)}}
		}
		r.endStream(c, s, rerr, req.Context())
		c.ix.Response.Stream = s
	} else {
		c.ix.Response.Body = data
	}
	c.finished = true
	r.mu.Unlock()
	r.complete(c)
	resp.Body = &replayedBody{data: data, err: rerr}
	if rerr == nil {
		resp.ContentLength = int64(len(data))
	}
	return resp, nil
}

// readRequestBody reads and closes req's body; nil when there is none.
func readRequestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("managedagentstest: reading the body of %s %s: %w", req.Method, req.URL.Path, err)
	}
	return b, nil
}

// endStream records how stream s of c ended: err is the read's error (nil:
// the client closed it). r.mu is held.
func (r *Recorder) endStream(c *capture, s *RecordedStream, err error, ctx context.Context) {
	s.EndAt = time.Since(c.start)
	s.EndAfter = r.writeAfter(c)
	switch {
	case errors.Is(err, io.EOF):
		s.End = StreamEOF
	case err == nil || ctx.Err() != nil:
		s.End = StreamClosed
	default:
		s.End, s.Err = StreamBroken, err.Error()
	}
}

// writeAfter returns the Seq of the last write started after c's request, or
// 0. r.mu is held.
func (r *Recorder) writeAfter(c *capture) int {
	if r.lastWrite > c.ix.Seq {
		return r.lastWrite
	}
	return 0
}

// complete runs the built-in redaction and the AfterCapture hooks on a
// finished capture.
func (r *Recorder) complete(c *capture) {
	var found []string
	r.redact.redact(c.ix, func(s string) { found = append(found, s) })
	err := r.runHooks(AfterCapture, c.ix)
	r.mu.Lock()
	for _, s := range found {
		if len(s) >= minSecretLen {
			r.found[s] = true
		}
	}
	c.done = true
	r.mu.Unlock()
	if err != nil {
		r.fail(err)
	}
}

// recordingBody passes a stream's body through to the client, read by read,
// and records each read with its time.
type recordingBody struct {
	r    *Recorder
	c    *capture
	body io.ReadCloser
	ctx  context.Context
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	r, c := b.r, b.c
	r.mu.Lock()
	finish := false
	if !c.finished {
		s := c.ix.Response.Stream
		if n > 0 {
			s.Data = append(s.Data, p[:n]...)
			s.Chunks = append(s.Chunks, StreamChunk{At: time.Since(c.start), Size: n, After: r.writeAfter(c)})
		}
		if err != nil {
			r.endStream(c, s, err, b.ctx)
			c.finished, finish = true, true
		}
	}
	r.mu.Unlock()
	if finish {
		r.complete(c)
	}
	return n, err
}

func (b *recordingBody) Close() error {
	b.r.finishOpen(b.c)
	return b.body.Close()
}

// finishOpen records a stream that is still open as closed by the client.
func (r *Recorder) finishOpen(c *capture) {
	r.mu.Lock()
	finish := c.answered && !c.finished && c.ix.Response.Stream != nil
	if finish {
		r.endStream(c, c.ix.Response.Stream, nil, context.Background())
		c.finished = true
	}
	r.mu.Unlock()
	if finish {
		r.complete(c)
	}
}

// save writes the recording; see Close.
func (r *Recorder) save() error {
	r.mu.Lock()
	captures := slices.Clone(r.captures)
	r.mu.Unlock()
	for _, c := range captures {
		r.finishOpen(c) // streams the client has not closed
	}
	r.mu.Lock()
	if len(r.errs) > 0 {
		err := fmt.Errorf("managedagentstest: %s not saved: %w", r.name, errors.Join(r.errs...))
		r.mu.Unlock()
		return err
	}
	var ixs []*Interaction
	for _, c := range captures {
		if c.done && !c.ix.Discard {
			ixs = append(ixs, c.ix)
		}
	}
	secrets := append(slices.Sorted(maps.Keys(r.found)), r.cfg.secrets...)
	r.mu.Unlock()

	kept := ixs[:0]
	for _, ix := range ixs {
		if err := r.runHooks(BeforeSave, ix); err != nil {
			return fmt.Errorf("managedagentstest: %s not saved: %w", r.name, err)
		}
		if !ix.Discard {
			kept = append(kept, ix)
		}
	}
	sc := newScrubber(secrets)
	for _, ix := range kept {
		sc.scrub(ix)
	}
	if err := saveFixture(r.name, kept); err != nil {
		return fmt.Errorf("managedagentstest: saving %s: %w", r.name, err)
	}
	return nil
}

// replayedBody is a body read whole: data, then err (io.EOF when nil).
type replayedBody struct {
	data []byte
	err  error
}

func (b *replayedBody) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		return 0, io.EOF
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

func (b *replayedBody) Close() error { return nil }
