package managedagents

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tmaxmax/go-sse"

	"github.com/go-managedagents/managedagents/option"
)

// fuzzMaxEventSize is the frame limit of FuzzSSEFrames: small, so that the
// fuzzer reaches it.
const fuzzMaxEventSize = 4 << 10

// FuzzSSEFrames parses arbitrary bytes as an event stream the way the stream
// reader does (go-sse's Read with a MaxEventSize, each frame's data through
// DecodeEvent, error frames through the error-body decoder) and checks that
// nothing panics and that every result is consistent: a frame or an error,
// never both, nothing after an error, no frame above the limit, an event that
// keeps its frame's data as its raw JSON. Seeds: testdata/fuzz/FuzzSSEFrames
// and the sample transcript.
func FuzzSSEFrames(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "streams", "transcript.sse")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		var failed bool
		for fr, err := range sse.Read(bytes.NewReader(stream), &sse.ReadConfig{MaxEventSize: fuzzMaxEventSize}) {
			if failed {
				t.Fatal("a frame after an error")
			}
			if err != nil {
				if fr != (sse.Event{}) {
					t.Fatalf("a frame %+v with the error %v", fr, err)
				}
				failed = true
				continue
			}
			if len(fr.Data) > fuzzMaxEventSize {
				t.Fatalf("a frame of %d bytes passed the %d-byte limit", len(fr.Data), fuzzMaxEventSize)
			}
			if fr.Type == "ping" || fr.Data == "" {
				continue
			}
			data := []byte(fr.Data)
			if fr.Type == "error" {
				e := decodeErrorBody(0, data)
				if e.Message == "" && e.Type == "" {
					t.Fatalf("error frame %q says nothing", data)
				}
				if msg := e.Error(); !strings.Contains(msg, "stream error") || !utf8.ValidString(msg) {
					t.Fatalf("error frame gave %q", msg)
				}
				continue
			}
			ev, err := DecodeEvent(data)
			switch {
			case err != nil && ev != nil:
				t.Fatalf("an event and an error for %q", data)
			case err == nil && ev == nil:
				t.Fatalf("neither an event nor an error for %q", data)
			case err == nil && !bytes.Equal(ev.RawJSON(), data):
				t.Fatalf("raw JSON %q, frame %q", ev.RawJSON(), data)
			case err == nil:
				_ = IsTerminal(ev)
				_ = ev.EventProcessedAt()
			}
		}
	})
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fuzzStreamClient returns a client whose server, without any network, answers
// the first stream open with body as the event stream, the second with an
// empty one (the API never replays), later ones with a 404, and every events
// list with an empty page.
func fuzzStreamClient(body []byte) *Client {
	var opens atomic.Int32
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		h := http.Header{"Date": {"Sat, 28 Nov 2026 12:00:00 GMT"}, "Request-Id": {"req_fuzz"}}
		status, data := 200, []byte(`{"data":[],"next_page":""}`)
		switch {
		case strings.HasSuffix(r.URL.Path, "/stream") && opens.Add(1) <= 2:
			h.Set("Content-Type", "text/event-stream")
			data = nil
			if opens.Load() == 1 {
				data = body
			}
		case strings.HasSuffix(r.URL.Path, "/stream"):
			status, data = 404, []byte(`{"type":"error","error":{"type":"not_found_error","message":"gone"}}`)
			h.Set("Content-Type", "application/json")
		default:
			h.Set("Content-Type", "application/json")
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(data)), Request: r}, nil
	})
	return NewClient(
		option.WithAPIKey("sk-ant-fuzz"),
		option.WithBaseURL("https://api.example.com"),
		option.WithHTTPClient(&http.Client{Transport: rt}),
		option.WithoutLimiter(),
		option.WithMaxRetries(0),
		option.WithMaxEventSize(fuzzMaxEventSize),
		option.WithStreamBackoff(time.Nanosecond, time.Nanosecond),
		option.WithStreamIdleTimeout(time.Minute),
		option.WithStreamReconnects(1),
	)
}

// FuzzEventStream runs the SDK's own event stream over arbitrary bytes served
// as the body of its first connection (a second one is empty; the backfill
// lists find nothing): whatever the bytes, the stream ends, yields an event or
// an error and never both, at most one error and nothing after it or after a
// terminal event, and only events whose raw JSON is valid; and when the bytes
// keep the protocol (see keepsProtocol), no persisted event twice. Seeds:
// testdata/fuzz/FuzzEventStream and the sample transcript.
func FuzzEventStream(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "streams", "transcript.sse")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := fuzzStreamClient(body).Sessions.Events.Stream(ctx, "sesn_fuzz", EventStreamParams{})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer st.Close()
		once := keepsProtocol(body)
		seen := map[string]bool{}
		var ended, failed bool
		for ev, err := range st.All() {
			switch {
			case failed:
				t.Fatal("something after the error")
			case ended:
				t.Fatal("something after a terminal event")
			case ev != nil && err != nil:
				t.Fatalf("an event and an error: %v", err)
			case err != nil:
				failed = true
				if !strings.HasPrefix(err.Error(), "managedagents: ") {
					t.Fatalf("error %q", err)
				}
				continue
			case ev == nil:
				t.Fatal("neither an event nor an error")
			}
			if !json.Valid(ev.RawJSON()) {
				t.Fatalf("event with invalid raw JSON %q", ev.RawJSON())
			}
			if id := ev.EventID(); id != "" && once {
				if seen[id] {
					t.Fatalf("event %s delivered twice", id)
				}
				seen[id] = true
			}
			ended = IsTerminal(ev)
		}
		if ctx.Err() != nil {
			t.Fatal("the stream did not end by itself")
		}
	})
}

// keepsProtocol reports whether the events of an event-stream body come as the
// API sends them on one connection (reference §5.1, §6.5): each id at most
// once queued (processed_at null) and then at most once processed, processed
// copies in processed_at order. Only then does the stream promise each id
// once: its dedupe holds what can come back from such a server, not every id
// (a frame repeated later, out of order, is delivered again).
func keepsProtocol(body []byte) bool {
	const queued, processed = 1, 2
	state := map[string]int{}
	var last time.Time
	for fr, err := range sse.Read(bytes.NewReader(body), &sse.ReadConfig{MaxEventSize: fuzzMaxEventSize}) {
		if err != nil {
			return true // the stream reconnects; the rest of the body is never read
		}
		ev, err := DecodeEvent([]byte(fr.Data))
		if err != nil || ev.EventID() == "" {
			continue
		}
		id, at := ev.EventID(), ev.EventProcessedAt()
		switch {
		case at.IsZero() && state[id] != 0, !at.IsZero() && (state[id] == processed || at.Before(last)):
			return false
		case at.IsZero():
			state[id] = queued
		default:
			state[id], last = processed, at
		}
	}
	return true
}
