package managedagents_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/internal/clock/fakeclock"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// Soak settings. The soak runs with every go test (it takes a few seconds);
// the seed is fixed so that a failure can be replayed.
const (
	soakEvents = 20000
	soakSeed   = 20261128
	// soakWindow is how far the agent may run ahead of the reader, so that most
	// connections end by a fault after a few dozen events: the backfill after a
	// reconnect catches up at most this many.
	soakWindow = 25
	// soakLongWindow replaces soakWindow during a long 503 wait: larger than a
	// list page (1000), so that the backfill after it pages.
	soakLongWindow = 1500
)

// faultCounts counts by name, safely from any goroutine.
type faultCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *faultCounts) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name]++
}

func (c *faultCounts) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, v := range c.n {
		t += v
	}
	return t
}

func (c *faultCounts) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

func (c *faultCounts) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.n))
	for k := range c.n {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "%s=%d ", k, c.n[k])
	}
	return strings.TrimSpace(b.String())
}

// wireFaultKind is a fault that the client's transport plays on a stream
// connection, where the fake's faults are not enough: cuts at a frame end
// (the fake's mid-frame cut aborts, its end-of-frame cut is a clean EOF), and
// stalls timed on the stream's fake clock rather than on the machine's.
type wireFaultKind int

const (
	// wireReset fails the body with errSoakReset at a frame end.
	wireReset wireFaultKind = iota + 1
	// wireSilence stops the bytes: the stream's clock moves one idle timeout
	// on, and the body blocks until the client gives up on it.
	wireSilence
	// wireHeartbeats inserts heartbeats, each 3/4 of an idle timeout after the
	// previous byte on the stream's clock, then lets the frames go on.
	wireHeartbeats
)

// wireFault is a fault of the next stream connection: kind, after that many
// frame ends (heartbeats included).
type wireFault struct {
	kind  wireFaultKind
	after int
	beats int // heartbeats of a wireHeartbeats
}

// faultTransport plays one queued wireFault on the next stream answer.
type faultTransport struct {
	base http.RoundTripper
	clk  *fakeclock.Clock
	idle time.Duration
	mu   sync.Mutex
	next *wireFault
}

var errSoakReset = errors.New("soak: connection reset at a frame end")

// queue makes f the fault of the next stream connection.
func (t *faultTransport) queue(f wireFault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next = &f
}

func (t *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasSuffix(req.URL.Path, "/events/stream") {
		return resp, err
	}
	t.mu.Lock()
	f := t.next
	t.next = nil
	t.mu.Unlock()
	if f != nil {
		resp.Body = &faultBody{ReadCloser: resp.Body, t: t, req: req, fault: *f, left: f.after}
	}
	return resp, nil
}

// faultBody plays its fault once left frames have ended. Like a real
// connection, it fails once the request's context has ended.
type faultBody struct {
	io.ReadCloser
	t       *faultTransport
	req     *http.Request
	fault   wireFault
	left    int
	prev    byte
	rest    []byte // read past the fault's frame end, held back until it is played
	tripped bool   // the fault is on
	silent  bool   // the clock moved past the idle timeout
}

func (b *faultBody) Read(p []byte) (int, error) {
	if err := b.req.Context().Err(); err != nil {
		return 0, err
	}
	if b.left == 0 {
		b.tripped = true
	}
	if b.tripped {
		switch b.fault.kind {
		case wireReset:
			return 0, errSoakReset
		case wireSilence:
			if !b.silent {
				b.silent = true
				b.t.clk.Advance(b.t.idle)
			}
			<-b.req.Context().Done()
			return 0, b.req.Context().Err()
		case wireHeartbeats:
			if b.fault.beats > 0 {
				b.fault.beats--
				b.t.clk.Advance(b.t.idle * 3 / 4)
				return copy(p, ": soak heartbeat\n\n"), nil
			}
			if len(b.rest) > 0 {
				n := copy(p, b.rest)
				b.rest = b.rest[n:]
				return n, nil
			}
			return b.ReadCloser.Read(p)
		}
	}
	n, err := b.ReadCloser.Read(p)
	for i := range n {
		if p[i] == '\n' && b.prev == '\n' {
			b.left--
			if b.left == 0 {
				b.rest = append(b.rest, p[i+1:n]...)
				return i + 1, nil
			}
		}
		b.prev = p[i]
	}
	return n, err
}

// backoffDriver lets each reconnect's backoff pass on the stream's fake
// clock as soon as the stream waits for it: OnReconnect hands it the delay.
type backoffDriver struct {
	clk    *fakeclock.Clock
	delays chan time.Duration
	done   chan struct{}
}

func startBackoffDriver(ctx context.Context, clk *fakeclock.Clock) *backoffDriver {
	d := &backoffDriver{clk: clk, delays: make(chan time.Duration), done: make(chan struct{})}
	go func() {
		defer close(d.done)
		for {
			select {
			case delay := <-d.delays:
				if _, err := clk.WaitPending(ctx, func(p []time.Duration) bool { return slices.Contains(p, delay) }); err != nil {
					return
				}
				clk.Advance(delay)
			case <-ctx.Done():
				return
			}
		}
	}()
	return d
}

// pass lets the backoff of delay pass once the stream waits for it.
func (d *backoffDriver) pass(delay time.Duration) {
	if delay > 0 {
		d.delays <- delay
	}
}

// aheadSignal tells when the agent has emitted a target number of messages.
type aheadSignal struct {
	mu      sync.Mutex
	emitted int64
	target  int64
	reached chan struct{}
}

// waitFor returns a channel closed once n messages were emitted.
func (a *aheadSignal) waitFor(n int64) <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.target, a.reached = n, make(chan struct{})
	if a.emitted >= n {
		close(a.reached)
		a.target = 0
	}
	return a.reached
}

// emit counts one message emitted.
func (a *aheadSignal) emit() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.emitted++
	if a.target > 0 && a.emitted >= a.target {
		close(a.reached)
		a.target = 0
	}
}

// TestChaosSoak streams 20,000 agent events through the fake while every
// connection suffers a random fault, and checks that the reader gets every
// persisted event exactly once, in the server's order. Faults (seeded
// math/rand/v2): clean EOFs at a frame end, aborts mid-frame, resets at a frame
// end, 503 and 429 answers with retry-after-ms on reconnect, silent stalls
// (the idle timeout fires) and heartbeat-only stalls (it must not), duplicated
// frames, replays of delivered events on connect (duplicates across backfill and
// live), malformed frames and temporary error frames. Long 503 waits let the
// agent run ahead by more than a list page, so backfills page.
//
// Nothing in it depends on the machine's speed: the stream's idle watchdog,
// backfill bound and backoff run on a fake clock, which moves only when a
// stall says so (by an idle timeout for a silent one, by 3/4 of it per
// heartbeat for the other) and when a backoff begins; a long wait ends when
// the agent has run ahead, not after a time.
func TestChaosSoak(t *testing.T) {
	t.Parallel()
	const idleTimeout = time.Minute // on the stream's fake clock
	srv := managedagentstest.NewServer(managedagentstest.WithHeartbeat(5*time.Millisecond, managedagentstest.HeartbeatComment))
	t.Cleanup(srv.Close)
	clk := fakeclock.New(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
	ft := &faultTransport{base: srv.HTTPClient().Transport, clk: clk, idle: idleTimeout}
	client := srv.Client(
		option.WithHTTPClient(&http.Client{Transport: ft}),
		option.WithStreamBackoff(time.Millisecond, 4*time.Millisecond),
		option.WithStreamIdleTimeout(idleTimeout),
		option.WithStreamReconnects(50),
		option.WithMaxRetries(0),
	)
	managedagents.SetStreamClock(client, clk)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	driverCtx, stopDriver := context.WithCancel(ctx)
	backoffs := startBackoffDriver(driverCtx, clk)
	defer func() {
		stopDriver()
		<-backoffs.done
	}()

	// The agent: soakEvents messages m00000…, at most soakWindow ahead of the
	// reader.
	var delivered, window, longUntil atomic.Int64
	var ahead aheadSignal
	window.Store(soakWindow)
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "soak", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
	require.NoError(t, err)
	srv.SetScript(agent.ID, func(turn *managedagentstest.Turn) {
		for i := range soakEvents {
			for int64(i)-delivered.Load() >= window.Load() {
				if turn.Wait(200*time.Microsecond) != nil {
					return
				}
			}
			turn.Emit(map[string]any{"type": "agent.message", "content": []any{map[string]any{"type": "text", "text": fmt.Sprintf("m%05d", i)}}})
			ahead.emit()
		}
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "soak"})
	require.NoError(t, err)
	sess, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	require.NoError(t, err)

	// The chaos: before each reconnect, either the open fails (503 or 429 with
	// retry-after-ms) or the next connection gets one fault, or none. A
	// connection whose fault does not end it is cut (a clean EOF, by
	// Server.CutStreams) by the reader after a random number of messages.
	rng := rand.New(rand.NewPCG(soakSeed, soakSeed>>1))
	var injected, causes, idleBy faultCounts // idleBy: idle disconnects by the connection's fault
	var cutAfter atomic.Int64                // messages after which the reader cuts; 0: none
	connFault := ""                          // the fault of the connection being read
	longWait := false                        // the open that failed was a long 503
	endLater := func() { cutAfter.Store(int64(1 + rng.IntN(25))) }
	// nextConn records the fault of the next connection.
	nextConn := func(fault string) {
		injected.add(fault)
		connFault = fault
	}
	inject := func() {
		switch p := rng.IntN(100); {
		case p < 8:
			if rng.IntN(8) != 0 {
				injected.add("open 503")
			} else {
				// The agent runs more than a page ahead before the reopen.
				window.Store(soakLongWindow)
				longUntil.Store(delivered.Load() + soakLongWindow)
				longWait = true
				injected.add("open 503, long wait")
			}
			srv.FailNext(managedagentstest.RouteStreamEvents, 1, http.StatusServiceUnavailable, http.Header{"Retry-After-Ms": {strconv.Itoa(1 + rng.IntN(4))}})
		case p < 14:
			injected.add("open 429")
			srv.FailNext(managedagentstest.RouteStreamEvents, 1, http.StatusTooManyRequests, http.Header{"Retry-After-Ms": {strconv.Itoa(1 + rng.IntN(4))}})
		case p < 30:
			nextConn("clean EOF at a frame end")
			srv.CutStreamAfter(rng.IntN(25))
		case p < 44:
			nextConn("abort mid-frame")
			srv.CutStreamMidFrame(rng.IntN(25))
		case p < 56:
			nextConn("reset at a frame end")
			ft.queue(wireFault{kind: wireReset, after: 1 + rng.IntN(25)})
		case p < 66:
			nextConn("duplicate frame")
			srv.DuplicateEvent(rng.IntN(20))
			endLater()
		case p < 76:
			nextConn("replay on connect")
			srv.ReplayOnConnect(1 + rng.IntN(50))
			endLater()
		case p < 79:
			nextConn("silent stall")
			ft.queue(wireFault{kind: wireSilence, after: rng.IntN(20)})
		case p < 82:
			nextConn("heartbeat-only stall")
			ft.queue(wireFault{kind: wireHeartbeats, after: rng.IntN(20), beats: 2 + rng.IntN(6)})
			endLater()
		case p < 88:
			nextConn("malformed frame")
			srv.InjectMalformedFrame(rng.IntN(25))
		case p < 94:
			nextConn("error frame")
			srv.InjectErrorFrame(rng.IntN(25), "overloaded_error")
		default:
			nextConn("none")
			endLater()
		}
	}
	onReconnect := func(r managedagents.StreamReconnect) {
		var apiErr *managedagents.APIError
		var de *managedagents.EventDecodeError
		switch {
		case errors.Is(r.Cause, managedagents.ErrStreamEnded):
			causes.add("ended")
		case errors.Is(r.Cause, managedagents.ErrStreamIdle):
			causes.add("idle")
			idleBy.add(connFault)
		case errors.As(r.Cause, &de):
			causes.add("decode error")
		case errors.As(r.Cause, &apiErr) && apiErr.StatusCode == 0:
			causes.add("error frame")
		case errors.As(r.Cause, &apiErr):
			causes.add("status " + strconv.Itoa(apiErr.StatusCode))
		default:
			causes.add("network")
		}
		if longWait && errors.As(r.Cause, &apiErr) && apiErr.StatusCode == http.StatusServiceUnavailable {
			longWait = false
			<-ahead.waitFor(min(longUntil.Load(), soakEvents)) // the agent ran ahead meanwhile
		}
		inject()
		backoffs.pass(r.Delay)
	}
	// The first open is a call like any other (an open fault would only be
	// retried by the retry policy): the first connection's own fault starts
	// the chain of reconnects, each of which injects the next fault.
	nextConn("clean EOF at a frame end")
	srv.CutStreamAfter(rng.IntN(25))
	stream, err := client.Sessions.Events.Stream(ctx, sess.ID, managedagents.EventStreamParams{OnReconnect: onReconnect})
	require.NoError(t, err)
	defer stream.Close()
	_, err = client.Sessions.Events.Send(ctx, sess.ID, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("go")}})
	require.NoError(t, err)

	start := time.Now()
	var ids []string
	seen := map[string]bool{}
	next := 0
	for ev, err := range stream.All() {
		require.NoError(t, err, "after %d messages; injected: %s; causes: %s", next, &injected, &causes)
		if ev.EventID() == "" {
			continue // previews (none asked for)
		}
		require.False(t, seen[ev.EventID()], "event %s delivered twice", ev.EventID())
		seen[ev.EventID()] = true
		ids = append(ids, ev.EventID())
		if m, ok := ev.(*managedagents.AgentMessageEvent); ok {
			require.Equal(t, fmt.Sprintf("m%05d", next), m.Text(), "messages out of order")
			next++
			delivered.Store(int64(next))
			if l := longUntil.Load(); l > 0 && int64(next) >= l {
				longUntil.Store(0)
				window.Store(soakWindow)
			}
			if c := cutAfter.Load(); c > 0 && cutAfter.CompareAndSwap(c, c-1) && c == 1 {
				srv.CutStreams()
			}
		}
		if _, ok := ev.(*managedagents.SessionStatusIdleEvent); ok && next == soakEvents {
			break
		}
	}
	took := time.Since(start)
	require.Equal(t, soakEvents, next)

	// Exactly the server's persisted events, in the server's order.
	var want []string
	for _, raw := range srv.Events(sess.ID) {
		var head struct {
			ID string `json:"id"`
		}
		require.NoError(t, json.Unmarshal(raw, &head))
		want = append(want, head.ID)
	}
	require.Equal(t, want, ids)

	// The backfills: each lists from a cursor, and some needed a second page.
	var lists, pages int
	for _, r := range srv.Requests() {
		if r.Route != managedagentstest.RouteListEvents {
			continue
		}
		lists++
		require.NotEmpty(t, r.Query.Get("created_at[gte]"), "a backfill lists from the cursor")
		if r.Query.Get("page") != "" {
			pages++
		}
	}

	t.Logf("chaos soak: %d events delivered (%d messages) in %s; %d faults injected: %s", len(ids), next, took.Round(time.Millisecond), injected.total()-injected.get("none"), &injected)
	t.Logf("chaos soak: %d reconnects by cause: %s; idle ones by the connection's fault: %s", causes.total(), &causes, &idleBy)
	t.Logf("chaos soak: %d backfill lists, %d of them for a further page", lists, pages)
	require.Positive(t, pages, "a backfill paged")
	require.GreaterOrEqual(t, injected.total()-injected.get("none"), 200, "enough faults to mean something")
	require.Zero(t, idleBy.get("heartbeat-only stall"), "a heartbeat-only stall must not look idle")
	require.GreaterOrEqual(t, idleBy.get("silent stall"), injected.get("silent stall")-1, "a silent stall is found idle (the last may not have come)")
	require.Equal(t, causes.get("idle"), idleBy.get("silent stall"), "nothing but a silent stall is idle")
	require.Positive(t, causes.get("status 503"))
	require.Positive(t, causes.get("status 429"))
}
