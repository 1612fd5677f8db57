package sseread

import (
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/internal/clock"
	"github.com/go-managedagents/managedagents/internal/clock/fakeclock"
)

// tickingReader returns one byte per read, moving the clock step before each
// (not before the end): bytes that arrive step apart.
type tickingReader struct {
	r    *strings.Reader
	c    *fakeclock.Clock
	step time.Duration
}

func (t *tickingReader) Read(p []byte) (int, error) {
	if t.r.Len() > 0 {
		t.c.Advance(t.step)
	}
	return t.r.Read(p[:1])
}

func newClock() *fakeclock.Clock { return fakeclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) }

func TestWatchdogBytesKeepItQuiet(t *testing.T) {
	t.Parallel()
	const d = 200 * time.Millisecond
	c := newClock()
	var fired atomic.Bool
	w := New(c, d, func() { fired.Store(true) })
	defer w.Stop()
	w.Arm()
	// 40 bytes, one every 3/4 of the timeout: 30 timeouts in all.
	if _, err := io.ReadAll(w.Reader(&tickingReader{r: strings.NewReader(strings.Repeat("x", 40)), c: c, step: d * 3 / 4})); err != nil {
		t.Fatal(err)
	}
	if fired.Load() {
		t.Fatal("fired while bytes were arriving")
	}
	c.Advance(d - 1)
	if fired.Load() {
		t.Fatal("fired before the timeout after the last byte")
	}
	c.Advance(1)
	if !fired.Load() {
		t.Fatal("did not fire a timeout after the last byte")
	}
}

func TestWatchdogFiresAfterSilence(t *testing.T) {
	t.Parallel()
	done := make(chan struct{})
	w := New(clock.System, 20*time.Millisecond, func() { close(done) })
	defer w.Stop()
	w.Arm()
	<-done // on the system clock too
}

func TestWatchdogDisarmedStoppedOrZeroNeverFires(t *testing.T) {
	t.Parallel()
	c := newClock()
	var fired atomic.Int32
	disarmed := New(c, 10*time.Millisecond, func() { fired.Add(1) })
	disarmed.Arm()
	disarmed.Disarm()
	stopped := New(c, 10*time.Millisecond, func() { fired.Add(1) })
	stopped.Stop()
	stopped.Arm()
	zero := New(c, 0, func() { fired.Add(1) })
	zero.Arm()
	_, _ = io.ReadAll(zero.Reader(strings.NewReader("abc")))
	c.Advance(2 * time.Hour) // past the hour the timer is made with, too
	if n := fired.Load(); n != 0 {
		t.Fatalf("fired %d times", n)
	}
	// Reads do not arm a disarmed watchdog.
	_, _ = io.ReadAll(disarmed.Reader(strings.NewReader("abc")))
	c.Advance(time.Hour)
	if n := fired.Load(); n != 0 {
		t.Fatalf("a read armed a disarmed watchdog (%d)", n)
	}
	if p := c.Pending(); len(p) != 0 {
		t.Fatalf("timers left pending: %v", p)
	}
}
