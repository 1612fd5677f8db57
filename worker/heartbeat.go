package worker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents"
)

// Heartbeat pacing: every half TTL, at most every 30 s (self-hosted.md
// §3.1), and not more often than every 100 ms. (The official worker beats at
// least a second apart, so that a TTL of a second lapses between two beats.)
const (
	minBeatInterval = 100 * time.Millisecond
	maxBeatInterval = 30 * time.Second
)

// errStopRequested is the cause that ends an item whose heartbeat found it
// stopping or stopped, or its lease not extended: the server takes it back;
// the worker stops it.
var errStopRequested = errors.New("worker: the server is stopping the item")

// LeaseLapsedError reports a lease given up because no heartbeat succeeded
// for its whole time to live: another worker may hold the item by now. It
// matches managedagents.ErrLeaseLost.
type LeaseLapsedError struct {
	// TTL is the lease's time to live.
	TTL time.Duration
	// Err is the error of the last heartbeat.
	Err error
}

// Error says that no heartbeat succeeded for the TTL, and why the last one
// failed.
func (e *LeaseLapsedError) Error() string {
	return fmt.Sprintf("worker: no heartbeat succeeded for the lease's time to live (%v); lease lost: %v", e.TTL, e.Err)
}

// Unwrap returns the last heartbeat's error.
func (e *LeaseLapsedError) Unwrap() error { return e.Err }

// Is reports whether target is managedagents.ErrLeaseLost.
func (e *LeaseLapsedError) Is(target error) bool { return target == managedagents.ErrLeaseLost }

// heartbeats holds an item's lease: the first beat at once, then one every
// half TTL, until stopped or until the lease ends. How it ends
// (self-hosted.md §3.4): a 412, or no good beat for a TTL, loses the lease
// (the item's context is cancelled with that cause; no stop is sent); an
// answer that the item is stopping, or a beat refused for good, ends it (the
// item's context is cancelled; the item is stopped). A beat that fails
// otherwise is tried again at the next interval.
type heartbeats struct {
	it     *item
	lease  *managedagents.WorkLease
	cancel context.CancelFunc
	done   chan struct{} // closed when the loop returned
	first  chan struct{} // closed after the first beat's answer
	once   sync.Once

	mu   sync.Mutex
	lost error // why the lease was lost; nil while held
}

// startHeartbeats starts the heartbeats of the item's lease. They go on
// after the item's context ends (its cleanup runs under the lease) until
// stop.
func (it *item) startHeartbeats(ctx context.Context, lease *managedagents.WorkLease) *heartbeats {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h := &heartbeats{it: it, lease: lease, cancel: cancel, done: make(chan struct{}), first: make(chan struct{})}
	go h.loop(hctx)
	return h
}

// stop ends the heartbeats and waits for the loop, and returns why the
// lease was lost (nil when it was held to the end).
func (h *heartbeats) stop() error {
	h.cancel()
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lost
}

func (h *heartbeats) firstDone() { h.once.Do(func() { close(h.first) }) }

// lose records that the lease is lost and cancels the item with err.
func (h *heartbeats) lose(err error) {
	h.mu.Lock()
	h.lost = err
	h.mu.Unlock()
	h.it.w.counters.leasesLost.Add(1)
	h.it.log.Warn("worker: lease lost; stopping the item's tools, not stopping the item", "error", err.Error())
	h.it.cancel(err)
}

func (h *heartbeats) loop(ctx context.Context) {
	defer close(h.done)
	defer h.firstDone()
	w := h.it.w
	ttl := h.lease.TTL()
	lastGood := w.clock.Now() // the lease's clock starts with the heartbeats
	var wait time.Duration    // the first beat goes at once
	for {
		if wait > 0 {
			t := w.clock.NewTimer(wait)
			select {
			case <-t.C():
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		sent := w.clock.Now()
		remain := lastGood.Add(ttl).Sub(sent)
		if remain <= 0 {
			h.lose(&LeaseLapsedError{TTL: ttl, Err: errors.New("no heartbeat could be sent in time")})
			return
		}
		timeout := remain
		if wait > 0 && wait < timeout {
			timeout = wait // each beat times out after an interval
		}
		bctx, cancel := context.WithTimeout(ctx, timeout)
		hb, err := h.lease.Beat(bctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		switch {
		case err == nil && hb.Held():
			w.counters.heartbeats.Add(1)
			lastGood = sent
			if hb.TTLSeconds > 0 {
				ttl = hb.TTL()
			}
			wait = beatInterval(ttl)
		case err == nil:
			w.counters.heartbeats.Add(1)
			h.it.log.Info("worker: the server is stopping the item", "state", string(hb.State), "lease_extended", hb.LeaseExtended)
			h.it.cancel(errStopRequested)
			return
		case errors.Is(err, managedagents.ErrLeaseLost):
			w.counters.heartbeatErrors.Add(1)
			h.lose(err)
			return
		case permanent(err):
			w.counters.heartbeatErrors.Add(1)
			h.it.log.Error("worker: heartbeat refused; ending the item", "error", err.Error())
			h.it.cancel(fmt.Errorf("worker: heartbeat refused: %w", err))
			return
		default:
			w.counters.heartbeatErrors.Add(1)
			if w.clock.Now().Sub(lastGood) >= ttl {
				h.lose(&LeaseLapsedError{TTL: ttl, Err: err})
				return
			}
			h.it.log.Warn("worker: heartbeat failed; trying again", "error", err.Error())
			if wait == 0 {
				wait = beatInterval(ttl)
			}
		}
		h.firstDone()
	}
}

// beatInterval is the time between two heartbeats of a lease of ttl.
func beatInterval(ttl time.Duration) time.Duration {
	return min(max(ttl/2, minBeatInterval), maxBeatInterval)
}

// permanent reports whether err is an answer of the API that trying again
// will not change: a 4xx other than 408, 409 and 429 (self-hosted.md §3.1).
func permanent(err error) bool {
	var apiErr *managedagents.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	s := apiErr.StatusCode
	return s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusConflict && s != http.StatusTooManyRequests
}
