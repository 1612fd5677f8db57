package managedagents

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tmaxmax/go-sse"

	"github.com/go-managedagents/managedagents/internal/transport"
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
				e := transport.DecodeErrorBody(0, data)
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
