package managedagentstest

import (
	"bytes"
	"net/http"
	"slices"
	"time"
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
