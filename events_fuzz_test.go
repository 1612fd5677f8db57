package managedagents

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzDecodeEvent checks that DecodeEvent never panics and that what it returns
// is consistent. Its seeds in testdata/fuzz/FuzzDecodeEvent run with go test.
func FuzzDecodeEvent(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		ev, err := DecodeEvent(data)
		if !bytes.Equal(orig, data) {
			t.Fatal("DecodeEvent changed its input")
		}
		if err != nil {
			if ev != nil {
				t.Fatal("an event and an error")
			}
			return
		}
		if ev == nil {
			t.Fatal("no event and no error")
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		if !bytes.Equal(ev.RawJSON(), data) {
			t.Fatal("raw JSON differs from the input")
		}
		// The concrete type is the one of the event's type string.
		if want := reflect.TypeOf(newEvent(ev.EventType())); reflect.TypeOf(ev) != want {
			t.Fatalf("type %q decoded as %T, want %v", ev.EventType(), ev, want)
		}
		// Everything a user does with an event must not panic either.
		_, _ = json.Marshal(ev)
		_ = ev.EventID()
		_ = ev.EventProcessedAt()
		_ = IsTerminal(ev)
		var acc Accumulator
		acc.Add(ev)
		switch e := ev.(type) {
		case *AgentMessageEvent:
			_ = e.Text()
		case *UserMessageEvent:
			_ = e.Text()
		case *EventDeltaEvent:
			_ = e.Text()
		}
	})
}

// benchFrames is a realistic mix of stream frames: the sample transcript (deltas,
// messages, tool calls, spans, idles) plus the fixture of every event type.
func benchFrames(b *testing.B) [][]byte {
	b.Helper()
	var frames [][]byte
	data, err := os.ReadFile(filepath.Join("testdata", "streams", "transcript.sse"))
	if err != nil {
		b.Fatal(err)
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			frames = append(frames, bytes.TrimSpace(rest))
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			b.Fatal(err)
		}
		frames = append(frames, buf.Bytes())
	}
	return frames
}

func frameBytes(frames [][]byte) int64 {
	var n int64
	for _, f := range frames {
		n += int64(len(f))
	}
	return n
}

// BenchmarkDecodeEvent decodes each frame of the mix with DecodeEvent.
func BenchmarkDecodeEvent(b *testing.B) {
	frames := benchFrames(b)
	b.SetBytes(frameBytes(frames))
	b.ReportAllocs()
	for b.Loop() {
		for _, fr := range frames {
			if _, err := DecodeEvent(fr); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkUnmarshalConcrete is the baseline of BenchmarkDecodeEvent: one
// json.Unmarshal of each frame into its concrete struct, the type known in
// advance.
func BenchmarkUnmarshalConcrete(b *testing.B) {
	frames := benchFrames(b)
	types := make([]reflect.Type, len(frames))
	for i, fr := range frames {
		ev, err := DecodeEvent(fr)
		if err != nil {
			b.Fatal(err)
		}
		types[i] = reflect.TypeOf(ev).Elem()
	}
	b.SetBytes(frameBytes(frames))
	b.ReportAllocs()
	for b.Loop() {
		for i, fr := range frames {
			v := reflect.New(types[i]).Interface()
			if err := json.Unmarshal(fr, v); err != nil {
				b.Fatal(err)
			}
		}
	}
}
