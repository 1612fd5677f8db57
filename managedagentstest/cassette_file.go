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
