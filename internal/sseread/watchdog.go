// Package sseread holds what the event-stream reader needs below the SSE
// parser: an idle watchdog that counts bytes, not events, so that heartbeats
// (comment lines, ping frames) keep a connection alive while a dead one is
// found even when the parser has nothing to yield.
package sseread

import (
	"io"
	"time"

	"github.com/go-managedagents/managedagents/internal/clock"
)

// Watchdog calls a function once when no byte has been read for a given time
// while it is armed. Arm, Disarm, Stop and reads through Reader must come from
// one goroutine at a time; the function runs in its own goroutine (a timer's
// of the system clock, or the one that moves a fake clock).
type Watchdog struct {
	d       time.Duration
	t       clock.Timer
	armed   bool
	stopped bool
}

// New returns a disarmed watchdog that calls onIdle after d of silence on c
// once armed. onIdle must not block for long; cancelling a context is typical.
func New(c clock.Clock, d time.Duration, onIdle func()) *Watchdog {
	w := &Watchdog{d: d, t: c.AfterFunc(time.Hour, onIdle)}
	w.t.Stop()
	return w
}

// Arm starts (or restarts) the countdown. A watchdog made with d <= 0 never
// fires.
func (w *Watchdog) Arm() {
	if w.stopped || w.d <= 0 {
		return
	}
	w.armed = true
	w.t.Reset(w.d)
}

// Disarm stops the countdown until the next Arm, for example while the
// consumer handles an event and nothing is read.
func (w *Watchdog) Disarm() {
	w.armed = false
	w.t.Stop()
}

// Stop disarms the watchdog for good.
func (w *Watchdog) Stop() {
	w.stopped = true
	w.Disarm()
}

// Reader returns r wrapped so that every read that returns bytes restarts the
// countdown of an armed watchdog.
func (w *Watchdog) Reader(r io.Reader) io.Reader { return &reader{r: r, w: w} }

type reader struct {
	r io.Reader
	w *Watchdog
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 && r.w.armed && !r.w.stopped && r.w.d > 0 {
		r.w.t.Reset(r.w.d)
	}
	return n, err
}
