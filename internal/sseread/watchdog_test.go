package sseread

import (
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// slowReader returns one byte per read, waiting gap before each, and records
// the longest time between two reads.
type slowReader struct {
	r      io.Reader
	gap    time.Duration
	last   time.Time
	maxGap time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(s.gap)
	if !s.last.IsZero() {
		s.maxGap = max(s.maxGap, time.Since(s.last))
	}
	s.last = time.Now()
	return s.r.Read(p[:1])
}

func TestWatchdogBytesKeepItQuiet(t *testing.T) {
	t.Parallel()
	const d = 200 * time.Millisecond
	var fired atomic.Bool
	w := New(d, func() { fired.Store(true) })
	defer w.Stop()
	w.Arm()
	// One byte every 10 ms for longer than d.
	start := time.Now()
	sr := &slowReader{r: strings.NewReader(strings.Repeat("x", 40)), gap: 10 * time.Millisecond}
	if _, err := io.ReadAll(w.Reader(sr)); err != nil {
		t.Fatal(err)
	}
	if sr.maxGap > d/2 {
		t.Skipf("machine too loaded to judge: %s between reads", sr.maxGap)
	}
	if time.Since(start) < d {
		t.Fatal("the reads did not outlast the timeout")
	}
	if fired.Load() {
		t.Fatal("fired while bytes were arriving")
	}
}

func TestWatchdogFiresAfterSilence(t *testing.T) {
	t.Parallel()
	done := make(chan struct{})
	w := New(20*time.Millisecond, func() { close(done) })
	defer w.Stop()
	w.Arm()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("did not fire")
	}
}

func TestWatchdogDisarmedStoppedOrZeroNeverFires(t *testing.T) {
	t.Parallel()
	var fired atomic.Int32
	disarmed := New(10*time.Millisecond, func() { fired.Add(1) })
	disarmed.Arm()
	disarmed.Disarm()
	stopped := New(10*time.Millisecond, func() { fired.Add(1) })
	stopped.Stop()
	stopped.Arm()
	zero := New(0, func() { fired.Add(1) })
	zero.Arm()
	_, _ = io.ReadAll(zero.Reader(strings.NewReader("abc")))
	time.Sleep(50 * time.Millisecond)
	if n := fired.Load(); n != 0 {
		t.Fatalf("fired %d times", n)
	}
	// Reads do not arm a disarmed watchdog.
	_, _ = io.ReadAll(disarmed.Reader(strings.NewReader("abc")))
	time.Sleep(30 * time.Millisecond)
	if n := fired.Load(); n != 0 {
		t.Fatalf("a read armed a disarmed watchdog (%d)", n)
	}
}
