package managedagentstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Interaction is one request of a recording and what answered it. Hooks
// ([WithHook]) receive it and may change it.
type Interaction struct {
	// Seq numbers the interactions in the order their requests started, from 1.
	Seq int
	// Request is the request as the client sent it (secrets redacted).
	Request RecordedRequest
	// Response is what answered it.
	Response RecordedResponse
	// Discard, set by an AfterCapture or BeforeSave hook, leaves the interaction
	// out of the saved recording.
	Discard bool
}

// RecordedRequest is a recorded request.
type RecordedRequest struct {
	// Method is the HTTP method.
	Method string
	// Path is the URL path as sent (percent-encoded), base URL prefix included.
	Path string
	// Query is the raw query string, without "?".
	Query string
	// Header holds the request's headers.
	Header http.Header
	// Body is the request body; nil when there was none.
	Body []byte
}

// RecordedResponse is what answered a recorded request: a status, headers and
// a body, or a body delivered as a [RecordedStream], or an error.
type RecordedResponse struct {
	// Status is the HTTP status code; 0 when the request got no answer (Err).
	Status int
	// Header holds the answer's headers, without Content-Length (a replay sets
	// it from the body).
	Header http.Header
	// Body is the whole body of an answer that is not a stream.
	Body []byte
	// Stream is the body of an event stream (text/event-stream), and of any
	// other answer whose body failed while it was read.
	Stream *RecordedStream
	// Latency is the time the answer's headers took to arrive.
	Latency time.Duration
	// Err is the error of a request that got no answer (a refused or dropped
	// connection): a replay returns an error with this text.
	Err string
	// Canceled reports that the client's context ended the request (Err is its
	// error): a replay waits for the request's context to end.
	Canceled bool
}

// StreamEnd is how a recorded stream ended.
type StreamEnd string

const (
	// StreamEOF means the server ended the body (with or without a terminal
	// event): a replay returns io.EOF after the last chunk.
	StreamEOF StreamEnd = "eof"
	// StreamBroken means reading the body failed (a reset, a dropped
	// connection): a replay returns an error with the recorded text
	// ([RecordedStream].Err) after the last chunk.
	StreamBroken StreamEnd = "error"
	// StreamClosed means the client stopped reading (it closed the body or its
	// context ended) before the server ended it: a replay delivers the chunks,
	// then blocks until the client closes the body or its context ends.
	StreamClosed StreamEnd = "closed"
)

// RecordedStream is a body recorded as the client read it: its bytes, cut into
// the chunks that each read returned, with when they arrived.
type RecordedStream struct {
	// Data is the whole body read, the concatenation of the chunks.
	Data []byte
	// Chunks are the reads, in order; their sizes add up to len(Data).
	Chunks []StreamChunk
	// End is how the stream ended.
	End StreamEnd
	// EndAt is when it ended, since the answer's headers arrived.
	EndAt time.Duration
	// EndAfter is the Seq of the last write (see [StreamChunk].After) made
	// before the end.
	EndAfter int
	// Err is the read error of a [StreamBroken] stream.
	Err string
}

// StreamChunk is one read of a recorded stream.
type StreamChunk struct {
	// At is when the chunk was read, since the answer's headers arrived. A
	// replay waits for it only with [WithRecordedTiming].
	At time.Duration
	// Size is the number of bytes read.
	Size int
	// After is the Seq of the last write (a request other than GET, HEAD or
	// OPTIONS) that had started when the chunk was read, 0 if none. A replay
	// holds the chunk back until that request has been replayed, so that the
	// events a request caused never arrive before it was made.
	After int
}

// Replace replaces every occurrence of old in the stream's data by new,
// keeping the chunks consistent (a chunk that ended inside an occurrence now
// ends after new). Hooks use it to edit streams.
func (s *RecordedStream) Replace(old, new []byte) {
	if len(old) == 0 {
		return
	}
	var ranges [][2]int
	for i := 0; ; {
		j := bytes.Index(s.Data[i:], old)
		if j < 0 {
			break
		}
		ranges = append(ranges, [2]int{i + j, i + j + len(old)})
		i += j + len(old)
	}
	s.replaceRanges(ranges, new)
}

// replaceRanges replaces the sorted, disjoint ranges of the data by repl and
// moves the chunk boundaries accordingly.
func (s *RecordedStream) replaceRanges(ranges [][2]int, repl []byte) {
	if len(ranges) == 0 {
		return
	}
	var out bytes.Buffer
	prev := 0
	for _, r := range ranges {
		out.Write(s.Data[prev:r[0]])
		out.Write(repl)
		prev = r[1]
	}
	out.Write(s.Data[prev:])
	// newPos maps an offset of the old data to the new data; an offset inside
	// a replaced range goes to the end of its replacement.
	newPos := func(p int) int {
		delta := 0
		for _, r := range ranges {
			switch {
			case p >= r[1]:
				delta += len(repl) - (r[1] - r[0])
			case p > r[0]:
				return r[0] + delta + len(repl)
			default:
				return p + delta
			}
		}
		return p + delta
	}
	chunks := s.Chunks[:0:0]
	oldEnd, newStart := 0, 0
	for _, c := range s.Chunks {
		oldEnd += c.Size
		end := newPos(oldEnd)
		if end > newStart {
			c.Size = end - newStart
			chunks = append(chunks, c)
			newStart = end
		}
	}
	if newStart < out.Len() { // the data grew past the last chunk
		if len(chunks) == 0 {
			chunks = append(chunks, StreamChunk{})
		}
		chunks[len(chunks)-1].Size += out.Len() - newStart
	}
	s.Data, s.Chunks = out.Bytes(), chunks
}

// clone returns a deep copy of i.
func (i *Interaction) clone() *Interaction {
	c := *i
	c.Request.Header = i.Request.Header.Clone()
	c.Request.Body = bytes.Clone(i.Request.Body)
	c.Response.Header = i.Response.Header.Clone()
	c.Response.Body = bytes.Clone(i.Response.Body)
	if s := i.Response.Stream; s != nil {
		cs := *s
		cs.Data = bytes.Clone(s.Data)
		cs.Chunks = slices.Clone(s.Chunks)
		c.Response.Stream = &cs
	}
	return &c
}

// The fixture format.
const (
	// fixtureFormat names the format in the file.
	fixtureFormat = "managedagentstest/recording"
	// fixtureVersion is the version this package writes and reads.
	fixtureVersion = 1
	// fixtureWidth is the line width the JSON document is laid out for.
	fixtureWidth = 100
)

// fixtureFile is the JSON document of a recording.
type fixtureFile struct {
	Format       string               `json:"format"`
	Version      int                  `json:"version"`
	Interactions []fixtureInteraction `json:"interactions"`
}

type fixtureInteraction struct {
	Seq      int             `json:"seq"`
	Request  fixtureRequest  `json:"request"`
	Response fixtureResponse `json:"response"`
}

type fixtureRequest struct {
	Method string      `json:"method"`
	Path   string      `json:"path"`
	Query  string      `json:"query,omitempty"`
	Header http.Header `json:"header,omitempty"`
	fixtureBody
}

type fixtureResponse struct {
	Status   int            `json:"status,omitempty"`
	Error    string         `json:"error,omitempty"`
	Canceled bool           `json:"canceled,omitempty"`
	Latency  duration       `json:"latency"`
	Header   http.Header    `json:"header,omitempty"`
	Stream   *fixtureStream `json:"stream,omitempty"`
	fixtureBody
}

// fixtureBody holds a body in the most readable form that keeps it: a JSON
// value, text, or base64.
type fixtureBody struct {
	Body       json.RawMessage `json:"body,omitempty"`
	BodyText   *string         `json:"body_text,omitempty"`
	BodyBase64 []byte          `json:"body_base64,omitempty"`
}

type fixtureStream struct {
	File     string         `json:"file"`
	End      StreamEnd      `json:"end"`
	EndAt    duration       `json:"end_at"`
	EndAfter int            `json:"end_after,omitempty"`
	Error    string         `json:"error,omitempty"`
	Chunks   []fixtureChunk `json:"chunks"`
}

type fixtureChunk struct {
	At    duration `json:"at"`
	Size  int      `json:"size"`
	After int      `json:"after,omitempty"`
}

// duration is a time.Duration written as Go writes it ("1.5ms"), to the
// microsecond.
type duration time.Duration

func (d duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(time.Duration(d).Round(time.Microsecond).String())), nil
}

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = duration(v)
	return nil
}

func newFixtureBody(b []byte) fixtureBody {
	switch {
	case len(b) == 0:
		return fixtureBody{}
	case json.Valid(b):
		var c bytes.Buffer
		_ = json.Compact(&c, b)
		return fixtureBody{Body: c.Bytes()}
	case utf8.Valid(b):
		s := string(b)
		return fixtureBody{BodyText: &s}
	}
	return fixtureBody{BodyBase64: b}
}

func (f fixtureBody) bytes() []byte {
	switch {
	case f.Body != nil:
		var c bytes.Buffer
		_ = json.Compact(&c, f.Body)
		return c.Bytes()
	case f.BodyText != nil:
		return []byte(*f.BodyText)
	}
	return f.BodyBase64
}

// fixturePaths returns the path of a recording's JSON document from the name
// given to the recorder ("testdata/x" or "testdata/x.json").
func fixturePath(name string) string {
	return strings.TrimSuffix(name, ".json") + ".json"
}

// streamFileName returns the name of the file holding the stream of
// interaction seq, next to the JSON document at jsonPath.
func streamFileName(jsonPath string, seq int, eventStream bool) string {
	ext := ".body"
	if eventStream {
		ext = ".sse"
	}
	return strings.TrimSuffix(filepath.Base(jsonPath), ".json") + fmt.Sprintf(".%03d", seq) + ext
}

// isEventStream reports whether an answer's content-type is text/event-stream.
func isEventStream(h http.Header) bool {
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), "text/event-stream")
}

// encodeFixture lays out interactions as the JSON document and the stream
// files (by base name) of a recording saved at jsonPath.
func encodeFixture(jsonPath string, interactions []*Interaction) (doc []byte, streams map[string][]byte, err error) {
	f := fixtureFile{Format: fixtureFormat, Version: fixtureVersion, Interactions: []fixtureInteraction{}}
	streams = map[string][]byte{}
	for _, ix := range interactions {
		resp := ix.Response
		fi := fixtureInteraction{
			Seq: ix.Seq,
			Request: fixtureRequest{Method: ix.Request.Method, Path: ix.Request.Path, Query: ix.Request.Query,
				Header: nonEmpty(ix.Request.Header), fixtureBody: newFixtureBody(ix.Request.Body)},
			Response: fixtureResponse{Status: resp.Status, Error: resp.Err, Canceled: resp.Canceled,
				Latency: duration(resp.Latency), Header: nonEmpty(resp.Header)},
		}
		if s := resp.Stream; s != nil {
			name := streamFileName(jsonPath, ix.Seq, isEventStream(resp.Header))
			fs := &fixtureStream{File: name, End: s.End, EndAt: duration(s.EndAt), EndAfter: s.EndAfter, Error: s.Err,
				Chunks: make([]fixtureChunk, len(s.Chunks))}
			for i, c := range s.Chunks {
				fs.Chunks[i] = fixtureChunk{At: duration(c.At), Size: c.Size, After: c.After}
			}
			fi.Response.Stream = fs
			streams[name] = s.Data
		} else {
			fi.Response.fixtureBody = newFixtureBody(resp.Body)
		}
		f.Interactions = append(f.Interactions, fi)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return nil, nil, err
	}
	doc, err = layoutJSON(bytes.TrimSpace(buf.Bytes()))
	if err != nil {
		return nil, nil, err
	}
	return append(doc, '\n'), streams, nil
}

func nonEmpty(h http.Header) http.Header {
	if len(h) == 0 {
		return nil
	}
	return h
}

// errNoFixture is the cause of a replay without a recording.
var errNoFixture = errors.New("no recording")

// loadFixture reads the recording saved at jsonPath and its stream files.
func loadFixture(jsonPath string) ([]*Interaction, error) {
	doc, err := os.ReadFile(jsonPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoFixture
	}
	if err != nil {
		return nil, err
	}
	var f fixtureFile
	if err := json.Unmarshal(doc, &f); err != nil {
		return nil, fmt.Errorf("%s is not a recording: %w", jsonPath, err)
	}
	if f.Format != fixtureFormat {
		return nil, fmt.Errorf("%s is not a recording (format %q, want %q)", jsonPath, f.Format, fixtureFormat)
	}
	if f.Version != fixtureVersion {
		return nil, fmt.Errorf("%s is a version %d recording; this package reads version %d: record it again", jsonPath, f.Version, fixtureVersion)
	}
	out := make([]*Interaction, 0, len(f.Interactions))
	for _, fi := range f.Interactions {
		ix := &Interaction{
			Seq: fi.Seq,
			Request: RecordedRequest{Method: fi.Request.Method, Path: fi.Request.Path, Query: fi.Request.Query,
				Header: fi.Request.Header, Body: fi.Request.bytes()},
			Response: RecordedResponse{Status: fi.Response.Status, Header: fi.Response.Header, Latency: time.Duration(fi.Response.Latency),
				Err: fi.Response.Error, Canceled: fi.Response.Canceled},
		}
		if fs := fi.Response.Stream; fs != nil {
			s, err := loadStream(jsonPath, fs)
			if err != nil {
				return nil, err
			}
			ix.Response.Stream = s
		} else {
			ix.Response.Body = fi.Response.bytes()
		}
		out = append(out, ix)
	}
	slices.SortStableFunc(out, func(a, b *Interaction) int { return a.Seq - b.Seq })
	return out, nil
}

func loadStream(jsonPath string, fs *fixtureStream) (*RecordedStream, error) {
	if fs.File != filepath.Base(fs.File) || fs.File == "" || fs.File == "." || fs.File == ".." {
		return nil, fmt.Errorf("%s: stream file %q must be a file name next to the recording", jsonPath, fs.File)
	}
	path := filepath.Join(filepath.Dir(jsonPath), fs.File)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: reading its stream: %w", jsonPath, err)
	}
	s := &RecordedStream{Data: data, End: fs.End, EndAt: time.Duration(fs.EndAt), EndAfter: fs.EndAfter, Err: fs.Error}
	total := 0
	for _, c := range fs.Chunks {
		if c.Size < 0 {
			return nil, fmt.Errorf("%s: a chunk of %s has a negative size", jsonPath, fs.File)
		}
		total += c.Size
		s.Chunks = append(s.Chunks, StreamChunk{At: time.Duration(c.At), Size: c.Size, After: c.After})
	}
	if total != len(data) {
		return nil, fmt.Errorf("%s: %s holds %d bytes but its chunks add up to %d: was it changed, for example by git's "+
			"line-ending conversion? (add \"*.sse -text\" and \"*.body -text\" to testdata/.gitattributes)", jsonPath, fs.File, len(data), total)
	}
	switch s.End {
	case StreamEOF, StreamBroken, StreamClosed:
	default:
		return nil, fmt.Errorf("%s: stream %s has an unknown end %q", jsonPath, fs.File, s.End)
	}
	return s, nil
}

// saveFixture writes a recording: its stream files, then its JSON document,
// and removes the stream files of an earlier recording that it no longer uses.
func saveFixture(jsonPath string, interactions []*Interaction) error {
	doc, streams, err := encodeFixture(jsonPath, interactions)
	if err != nil {
		return err
	}
	dir := filepath.Dir(jsonPath)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, data := range streams {
		if err := writeFileAtomic(filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(jsonPath, doc); err != nil {
		return err
	}
	stale := regexp.MustCompile(`^` + regexp.QuoteMeta(strings.TrimSuffix(filepath.Base(jsonPath), ".json")) + `\.[0-9]+\.(sse|body)$`)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if _, used := streams[e.Name()]; !used && stale.MatchString(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeFileAtomic writes data to a temporary file next to path, then renames it.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}
