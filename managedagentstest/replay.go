package managedagentstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// replay answers req from the recording.
func (r *Recorder) replay(req *http.Request) (*http.Response, error) {
	body, err := readRequestBody(req)
	if err != nil {
		return nil, err
	}
	live, err := r.comparable(req, body)
	if err != nil {
		r.fail(err)
		return nil, err
	}

	r.mu.Lock()
	idx := r.match(live)
	if idx >= 0 {
		r.played[idx] = true
		r.playedBy[r.recorded[idx].Seq] = true
	} else {
		r.diverged = true
	}
	close(r.changed) // wake the streams waiting for a write
	r.changed = make(chan struct{})
	var msg string
	if idx < 0 {
		msg = r.mismatch(live)
	}
	r.mu.Unlock()
	if idx < 0 {
		r.fail(errors.New(msg))
		return mismatchResponse(req, msg), nil
	}

	ix := r.recorded[idx].clone()
	if err := r.runHooks(BeforeReplay, ix); err != nil {
		r.fail(err)
		return nil, err
	}
	ctx := req.Context()
	if r.cfg.timing && ix.Response.Latency > 0 {
		if err := r.waitFor(ctx, nil, 0, time.Now().Add(ix.Response.Latency), false); err != nil {
			return nil, err
		}
	}
	if ix.Response.Err != "" {
		if ix.Response.Canceled {
			// The client ended it while recording: it waits for the same.
			return nil, r.waitFor(ctx, nil, 0, time.Time{}, true)
		}
		return nil, &ReplayedError{Method: req.Method, Path: req.URL.Path, Err: ix.Response.Err}
	}
	resp := &http.Response{
		Status:     strconv.Itoa(ix.Response.Status) + " " + http.StatusText(ix.Response.Status),
		StatusCode: ix.Response.Status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  ix.Response.Header,
		Request: req,
	}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	if s := ix.Response.Stream; s != nil {
		resp.ContentLength = -1
		resp.Body = &streamBody{r: r, s: s, ctx: ctx, path: req.URL.Path, start: time.Now(), closed: make(chan struct{})}
		return resp, nil
	}
	resp.ContentLength = int64(len(ix.Response.Body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(ix.Response.Body)))
	resp.Body = &replayedBody{data: ix.Response.Body}
	return resp, nil
}

// ReplayedError is the error a replay returns where the recording had one: a
// request that got no answer (a refused or dropped connection), or a stream
// whose connection broke while it was read.
type ReplayedError struct {
	// Method and Path are the request's.
	Method, Path string
	// Err is the text of the error recorded.
	Err string
}

// Error names the request and the recorded error.
func (e *ReplayedError) Error() string {
	return "managedagentstest: replayed error of " + e.Method + " " + e.Path + ": " + e.Err
}

// comparable returns the request as the recording would hold it: redacted
// and passed through the AfterCapture and BeforeSave hooks.
func (r *Recorder) comparable(req *http.Request, body []byte) (*RecordedRequest, error) {
	ix := &Interaction{Request: RecordedRequest{
		Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: body,
	}}
	secrets := slices.Clone(r.cfg.secrets)
	r.redact.redact(ix, func(s string) {
		if len(s) >= minSecretLen {
			secrets = append(secrets, s)
		}
	})
	for _, stage := range []HookStage{AfterCapture, BeforeSave} {
		if err := r.runHooks(stage, ix); err != nil {
			return nil, err
		}
	}
	newScrubber(secrets).scrub(ix)
	return &ix.Request, nil
}

// match returns the index of the first recorded interaction not yet replayed
// that every matcher accepts, or -1. r.mu is held.
func (r *Recorder) match(live *RecordedRequest) int {
	for i, ix := range r.recorded {
		if !r.played[i] && len(r.differences(live, &ix.Request)) == 0 {
			return i
		}
	}
	return -1
}

// differences returns what the matchers find different.
func (r *Recorder) differences(live, recorded *RecordedRequest) []string {
	var out []string
	for _, m := range r.cfg.matchers {
		out = append(out, m(live, recorded)...)
	}
	return out
}

// maxDiffLines bounds the differences a mismatch report lists.
const maxDiffLines = 20

// mismatch explains why live is not in the recording. r.mu is held.
func (r *Recorder) mismatch(live *RecordedRequest) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "managedagentstest: the recording %s holds no answer for %s", r.name, describe(live))
	var replayed []string
	best, bestDiffs := -1, []string(nil)
	for i, ix := range r.recorded {
		diffs := r.differences(live, &ix.Request)
		if len(diffs) == 0 { // matched, but already replayed
			replayed = append(replayed, "#"+strconv.Itoa(ix.Seq))
			continue
		}
		if r.played[i] {
			continue
		}
		if best < 0 || nearer(live, &ix.Request, diffs, &r.recorded[best].Request, bestDiffs) {
			best, bestDiffs = i, diffs
		}
	}
	switch {
	case len(replayed) > 0:
		fmt.Fprintf(&b, "\n  it matches %d recorded request(s) (%s), all replayed already: the code makes this request more often than when it was recorded",
			len(replayed), joinShort(replayed))
	case best >= 0:
		ix := r.recorded[best]
		fmt.Fprintf(&b, "\n  closest recorded request not replayed yet: #%d %s", ix.Seq, describe(&ix.Request))
		for i, d := range bestDiffs {
			if i == maxDiffLines {
				fmt.Fprintf(&b, "\n    ... and %d more differences", len(bestDiffs)-i)
				break
			}
			b.WriteString("\n    " + d)
		}
	default:
		b.WriteString("\n  every recorded request has been replayed already")
	}
	fmt.Fprintf(&b, "\n  if the code's requests changed on purpose, record again with %s=1", RecordEnv)
	return b.String()
}

// nearer reports whether recorded request a (with differences da) is closer to
// live than b (with db): the same method and path first, then fewer
// differences.
func nearer(live, a *RecordedRequest, da []string, b *RecordedRequest, db []string) bool {
	sameA := a.Method == live.Method && a.Path == live.Path
	sameB := b.Method == live.Method && b.Path == live.Path
	if sameA != sameB {
		return sameA
	}
	return len(da) < len(db)
}

func describe(r *RecordedRequest) string {
	s := r.Method + " " + r.Path
	if r.Query != "" {
		s += "?" + r.Query
	}
	return s
}

func joinShort(items []string) string {
	if len(items) > 8 {
		return fmt.Sprintf("%s ... %s", joinComma(items[:4]), joinComma(items[len(items)-2:]))
	}
	return joinComma(items)
}

func joinComma(items []string) string {
	var b bytes.Buffer
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// mismatchResponse is the answer to a request the recording does not hold: a
// 400 with the API's error envelope, of type recording_mismatch_error, that the
// client must not retry.
func mismatchResponse(req *http.Request, msg string) *http.Response {
	body, _ := json.Marshal(map[string]any{
		"type":       "error",
		"error":      map[string]any{"type": "recording_mismatch_error", "message": msg},
		"request_id": "",
	})
	return &http.Response{
		Status:     "400 Bad Request",
		StatusCode: http.StatusBadRequest,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":   {"application/json"},
			"X-Should-Retry": {"false"},
			"Content-Length": {strconv.Itoa(len(body))},
		},
		ContentLength: int64(len(body)),
		Body:          &replayedBody{data: body},
		Request:       req,
	}
}

// errRecorderClosed ends the waits of a replay once the recorder is closed.
var errRecorderClosed = errors.New("managedagentstest: the recorder was closed")

// waitFor blocks until the write seq (0: none) has been replayed (or a request
// missed the recording, after which nothing waits for writes) and the time
// until has come (zero: no wait). With forever it blocks until ctx ends,
// closed is closed or the recorder closes. It returns why it was cut short.
func (r *Recorder) waitFor(ctx context.Context, closed <-chan struct{}, seq int, until time.Time, forever bool) error {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		r.mu.Lock()
		ready := seq == 0 || r.playedBy[seq] || r.diverged || !r.holds(seq)
		changed, shut := r.changed, r.closed
		r.mu.Unlock()
		if shut {
			return errRecorderClosed
		}
		if ready && !forever {
			d := time.Until(until)
			if until.IsZero() || d <= 0 {
				return nil
			}
			if timer == nil {
				timer = time.NewTimer(d)
			}
		}
		var due <-chan time.Time
		if timer != nil {
			due = timer.C
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-closed:
			return errBodyClosed
		case <-changed:
		case <-due:
			return nil
		}
	}
}

// holds reports whether the recording has an interaction seq. r.mu is held.
func (r *Recorder) holds(seq int) bool {
	_, ok := slices.BinarySearchFunc(r.recorded, seq, func(ix *Interaction, s int) int { return ix.Seq - s })
	return ok
}

var errBodyClosed = errors.New("http: read on closed response body")

// streamBody replays a recorded stream, chunk by chunk.
type streamBody struct {
	r     *Recorder
	s     *RecordedStream
	ctx   context.Context
	path  string // the request's, for errors
	start time.Time

	next    int    // the next chunk
	off     int    // its offset in s.Data
	pending []byte // the rest of the chunk being read
	closed  chan struct{}
	once    sync.Once
}

func (b *streamBody) Read(p []byte) (int, error) {
	if len(b.pending) == 0 {
		if err := b.advance(); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	return n, nil
}

// advance waits for the next chunk and makes it pending, or returns the end.
func (b *streamBody) advance() error {
	s := b.s
	for b.next < len(s.Chunks) {
		c := s.Chunks[b.next]
		if err := b.r.waitFor(b.ctx, b.closed, c.After, b.at(c.At), false); err != nil {
			return err
		}
		b.pending = s.Data[b.off : b.off+c.Size]
		b.off += c.Size
		b.next++
		if len(b.pending) > 0 {
			return nil
		}
	}
	if err := b.r.waitFor(b.ctx, b.closed, s.EndAfter, b.at(s.EndAt), false); err != nil {
		return err
	}
	switch s.End {
	case StreamEOF:
		return io.EOF
	case StreamBroken:
		return &ReplayedError{Method: http.MethodGet, Path: b.path, Err: s.Err}
	}
	// The client stopped reading here while recording: wait for it to do so.
	return b.r.waitFor(b.ctx, b.closed, 0, time.Time{}, true)
}

// at returns when a chunk recorded at d is due: with recorded timing, d after
// the start; otherwise now.
func (b *streamBody) at(d time.Duration) time.Time {
	if !b.r.cfg.timing {
		return time.Time{}
	}
	return b.start.Add(d)
}

func (b *streamBody) Close() error {
	b.once.Do(func() { close(b.closed) })
	return nil
}
