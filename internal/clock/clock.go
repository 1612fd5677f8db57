// Package clock is the time source of an event stream: its idle watchdog, the
// bound of its backfill pages, its reconnect backoff and its health check.
// Streams use the system clock; tests inject a fake one (package fakeclock)
// so that no test of the stream's timing depends on the machine's speed.
package clock

import "time"

// Clock tells the time and runs functions after a duration.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f once d has passed, in its own goroutine (the system
	// clock) or in the goroutine that moves a fake clock; see time.AfterFunc.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a timer made by [Clock.AfterFunc].
type Timer interface {
	// Stop prevents the timer from firing; it reports whether it stopped it.
	Stop() bool
	// Reset makes the timer fire d from now, whether or not it had fired or
	// been stopped; it reports whether it was pending.
	Reset(d time.Duration) bool
}

// Or returns c, or the system clock when c is nil.
func Or(c Clock) Clock {
	if c == nil {
		return System
	}
	return c
}

// System is the system clock.
var System Clock = system{}

type system struct{}

func (system) Now() time.Time { return time.Now() }

func (system) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Sleep waits d on c, or until done is closed; it reports whether the whole
// wait passed. A d of zero or less returns true at once.
func Sleep(c Clock, d time.Duration, done <-chan struct{}) bool {
	if d <= 0 {
		return true
	}
	elapsed := make(chan struct{})
	t := c.AfterFunc(d, func() { close(elapsed) })
	defer t.Stop()
	select {
	case <-elapsed:
		return true
	case <-done:
		return false
	}
}
