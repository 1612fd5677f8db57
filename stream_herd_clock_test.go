package managedagents_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents/internal/clock"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// herdClock is the time of a herd of streams that share one client: their
// stream clock (clock.Clock), the clock of their limiter (ratelimit.Clock)
// and, through moved, the fake server's clock. It moves only when every
// stream of the herd waits, and no request is on the wire: then it jumps to
// its earliest timer and fires it. A stream waits
//   - on the limiter (a timer of NewTimer, made only by an Acquire that must
//     wait),
//   - on its reconnect backoff (a timer of AfterFunc made by clock.Sleep; the
//     other AfterFunc timers, the idle watchdog and the bound of a backfill
//     page, run beside a stream's work and are not waits),
//   - or on the body of its connection (a Read of a stream answer, counted by
//     herdTransport), unless the server has sent it a frame it has not read
//     yet (see herdTransport.expect).
//
// So requests run at frozen instants, the server counts each at the time the
// limiter admitted it, and the fake's budget windows see exactly what the
// limiter let through, however slow the machine.
type herdClock struct {
	mu       sync.Mutex
	now      time.Time
	timers   map[*herdTimer]struct{}
	waiting  int // pending timers that a stream waits on
	reading  int // streams blocked reading a connection's body
	inflight int // requests sent and not answered
	pending  int // frames sent to a stream being read, not read yet
	live     int // streams of the herd not ended
	holds    int
	moves    int
	changed  chan struct{} // closed and replaced on every change
	moved    func(time.Time)
}

func newHerdClock(start time.Time, streams int, moved func(time.Time)) *herdClock {
	return &herdClock{now: start, timers: map[*herdTimer]struct{}{}, live: streams, changed: make(chan struct{}), moved: moved}
}

var (
	_ clock.Clock     = (*herdClock)(nil)
	_ ratelimit.Clock = (*herdClock)(nil)
)

// herdTimer is a timer of a herdClock: an AfterFunc timer (f) or a NewTimer
// timer (ch).
type herdTimer struct {
	c    *herdClock
	at   time.Time
	wait bool // a stream waits on it
	f    func()
	ch   chan time.Time
}

func (c *herdClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *herdClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	t := &herdTimer{c: c, f: f, wait: calledFromSleep()}
	t.Reset(d)
	return t
}

func (c *herdClock) NewTimer(d time.Duration) ratelimit.Timer {
	t := &herdTimer{c: c, ch: make(chan time.Time, 1), wait: true}
	t.Reset(d)
	return t
}

// calledFromSleep reports whether AfterFunc was called by clock.Sleep, the
// reconnect backoff: the only stream-clock timer a stream blocks on.
func calledFromSleep() bool {
	pc := make([]uintptr, 4)
	frames := runtime.CallersFrames(pc[:runtime.Callers(3, pc)])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, "/internal/clock.Sleep") {
			return true
		}
		if !more {
			return false
		}
	}
}

func (t *herdTimer) C() <-chan time.Time { return t.ch }

func (t *herdTimer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remove(t)
}

func (t *herdTimer) Reset(d time.Duration) bool {
	c := t.c
	c.mu.Lock()
	was := c.remove(t)
	t.at = c.now.Add(d)
	now := c.now
	if d > 0 {
		c.timers[t] = struct{}{}
		if t.wait {
			c.waiting++
		}
		c.touch()
	}
	c.mu.Unlock()
	if d <= 0 {
		t.fire(now)
	}
	return was
}

// remove takes t off the pending timers; c.mu is held.
func (c *herdClock) remove(t *herdTimer) bool {
	if _, ok := c.timers[t]; !ok {
		return false
	}
	delete(c.timers, t)
	if t.wait {
		c.waiting--
	}
	c.touch()
	return true
}

func (t *herdTimer) fire(now time.Time) {
	if t.f != nil {
		t.f()
		return
	}
	select {
	case t.ch <- now:
	default:
	}
}

// touch wakes the driver; c.mu is held.
func (c *herdClock) touch() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// add moves one of the counts by n.
func (c *herdClock) add(count *int, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	*count += n
	c.touch()
}

// ended says that a stream of the herd ended.
func (c *herdClock) ended() { c.add(&c.live, -1) }

// hold keeps the clock still until release, whatever the streams do.
func (c *herdClock) hold() { c.add(&c.holds, 1) }

func (c *herdClock) release() { c.add(&c.holds, -1) }

// every runs f every d of the clock's time, in the goroutine that moves the
// clock, until stop is called. Its timer is not a wait of any stream.
func (c *herdClock) every(d time.Duration, f func()) (stop func()) {
	var mu sync.Mutex
	stopped := false
	t := &herdTimer{c: c}
	t.f = func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		f()
		t.Reset(d)
	}
	t.Reset(d)
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		t.Stop()
	}
}

// drive moves the clock whenever every live stream waits and nothing is on
// the wire, until no stream is left or ctx ends. It fails if the herd is
// neither waiting nor ended for stuck of real time (a stream blocked
// somewhere the clock does not see).
func (c *herdClock) drive(ctx context.Context, stuck time.Duration) error {
	for {
		c.mu.Lock()
		if c.live == 0 {
			c.mu.Unlock()
			return nil
		}
		if c.holds > 0 || c.inflight > 0 || c.pending > 0 || c.waiting+c.reading < c.live || len(c.timers) == 0 {
			ch := c.changed
			state := c.stateLocked()
			c.mu.Unlock()
			select {
			case <-ch:
			case <-time.After(stuck):
				if c.holds == 0 {
					return fmt.Errorf("herd clock stuck for %s: %s", stuck, state)
				}
			case <-ctx.Done():
				return fmt.Errorf("%w: %s", ctx.Err(), state)
			}
			continue
		}
		var next *herdTimer
		for t := range c.timers {
			if next == nil || t.at.Before(next.at) {
				next = t
			}
		}
		at := next.at
		c.mu.Unlock()
		c.moved(at) // the server's clock first: what the timers start is stamped at
		c.mu.Lock()
		c.now = at
		var due []*herdTimer
		for t := range c.timers {
			if !t.at.After(at) {
				due = append(due, t)
			}
		}
		for _, t := range due {
			c.remove(t)
		}
		c.moves++
		c.mu.Unlock()
		for _, t := range due {
			t.fire(at)
		}
	}
}

// stateLocked describes the counts; c.mu is held.
func (c *herdClock) stateLocked() string {
	return fmt.Sprintf("at %s: %d live, %d waiting on timers, %d reading, %d on the wire, %d frames unread, %d timers, %d holds",
		c.now.Format(time.RFC3339Nano), c.live, c.waiting, c.reading, c.inflight, c.pending, len(c.timers), c.holds)
}

// herdTransport is the HTTP transport of the herd's client: it counts the
// requests on the wire and the streams blocked reading an answer's body,
// tells onFirstRead of the first Read of each stream answer (the connection
// is live: its backfill, if any, is done), and keeps the live body of each
// stream path for expect.
type herdTransport struct {
	base        http.RoundTripper
	c           *herdClock
	onFirstRead func(path string)

	mu   sync.Mutex
	live map[string]*herdBody // by path: the body being read
}

func (t *herdTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.c.add(&t.c.inflight, 1)
	defer t.c.add(&t.c.inflight, -1)
	resp, err := t.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusOK && strings.HasSuffix(r.URL.Path, "/events/stream") {
		resp.Body = &herdBody{ReadCloser: resp.Body, t: t, path: r.URL.Path}
	}
	return resp, err
}

// expect says that the server has just sent a frame to the stream of path:
// if its connection is being read, the clock stays still until a Read of it
// returns, so that the frame reaches the stream at the time it was sent (a
// connection that got its frames late would time out idle on the herd's
// time, which runs faster than the server writes).
func (t *herdTransport) expect(path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.live[path]
	if b == nil {
		return
	}
	b.expected++
	t.c.add(&t.c.pending, 1)
}

// herdBody is the body of a stream answer, whose reads are waits.
type herdBody struct {
	io.ReadCloser
	t        *herdTransport
	path     string
	started  bool
	expected int // frames expected (guarded by t.mu)
}

func (b *herdBody) Read(p []byte) (int, error) {
	if !b.started {
		b.started = true
		b.t.mu.Lock()
		if b.t.live == nil {
			b.t.live = map[string]*herdBody{}
		}
		b.t.live[b.path] = b
		b.t.mu.Unlock()
		b.t.onFirstRead(b.path)
	}
	b.t.c.add(&b.t.c.reading, 1)
	n, err := b.ReadCloser.Read(p)
	b.t.c.add(&b.t.c.reading, -1)
	b.settle(err != nil)
	return n, err
}

func (b *herdBody) Close() error {
	err := b.ReadCloser.Close()
	b.settle(true)
	return err
}

// settle drops what b expected once a Read returned, and b itself from the
// live bodies once it ended.
func (b *herdBody) settle(ended bool) {
	b.t.mu.Lock()
	defer b.t.mu.Unlock()
	if b.expected > 0 {
		b.t.c.add(&b.t.c.pending, -b.expected)
		b.expected = 0
	}
	if ended && b.t.live[b.path] == b {
		delete(b.t.live, b.path)
	}
}
