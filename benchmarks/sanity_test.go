package benchmarks

import (
	"testing"
)

// TestTranscript checks the generated transcript: its size, its mix, and that
// every decoder reads every event of it.
func TestTranscript(t *testing.T) {
	tr := loadTranscript()
	if len(tr.Frames) != transcriptEvents {
		t.Fatalf("%d frames, want %d", len(tr.Frames), transcriptEvents)
	}
	t.Logf("%d bytes, %d events: %v", len(tr.SSE), len(tr.Frames), tr.Types)
	for _, d := range decoders {
		if d.decode == nil {
			continue
		}
		n, err := d.decode(tr.SSE)
		if err != nil || n != transcriptEvents {
			t.Errorf("%s: %d events, %v; want %d", d.name, n, err, transcriptEvents)
		}
	}
}
