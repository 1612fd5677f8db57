package benchmarks

// BenchmarkDecodeStream decodes the 10,000-event transcript (transcript_test.go)
// from memory into typed events, once per iteration, with three decoders:
//
//   - sdk: this library's real stream path (see decodeSDK).
//   - official: the official SDK's ssestream decoder into its event union,
//     BetaManagedAgentsStreamSessionEventsUnion, exactly what
//     Beta.Sessions.Events.StreamEvents hands its caller. We stop at the union:
//     getting a concrete type from it (AsAny) decodes the JSON a second time, so
//     this is the official SDK at its cheapest.
//   - floor: a line scan and one json.Unmarshal per frame into a concrete struct
//     (floor_test.go), the bound the other two are compared to.
//
// Besides ns/op and allocs/op (per transcript), each reports ns/event,
// allocs/event and B/event.

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/ssestream"
)

// sink and sinkType keep decoded events alive so the compiler cannot drop the
// work.
var (
	sink     any
	sinkType string
)

func BenchmarkDecodeStream(b *testing.B) {
	t := loadTranscript()
	for _, d := range decoders {
		b.Run(d.name, func(b *testing.B) {
			if d.decode == nil {
				b.Skip("not available yet")
			}
			b.SetBytes(int64(len(t.SSE)))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				n, err := d.decode(t.SSE)
				if err != nil {
					b.Fatal(err)
				}
				if n != transcriptEvents {
					b.Fatalf("decoded %d events, want %d", n, transcriptEvents)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			events := float64(b.N) * transcriptEvents
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/events, "allocs/event")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/events, "B/event")
		})
	}
}

// decoder is one way to decode a whole SSE body; it returns the number of
// events decoded.
type decoder struct {
	name   string
	decode func(sse []byte) (int, error)
}

var decoders = []decoder{
	{"sdk", decodeSDK},
	{"sdk-next", decodeSDKNext},
	{"official", decodeOfficial},
	{"floor", decodeFloor},
}

func decodeOfficial(sse []byte) (int, error) {
	resp := &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"text/event-stream"}},
		Body:       io.NopCloser(bytes.NewReader(sse)),
	}
	stream := ssestream.NewStream[anthropic.BetaManagedAgentsStreamSessionEventsUnion](ssestream.NewDecoder(resp), nil)
	defer stream.Close()
	n := 0
	for stream.Next() {
		sinkType = stream.Current().Type // Current returns a copy: no allocation
		n++
	}
	return n, stream.Err()
}

func decodeFloor(sse []byte) (int, error) {
	n := 0
	err := floorDecode(bytes.NewReader(sse), func(ev any) {
		sink = ev
		n++
	})
	return n, err
}
