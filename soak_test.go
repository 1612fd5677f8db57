package managedagents_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
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

// cuttingTransport aborts the body of the next stream response it is told to
// with a network error right after a given number of frames (heartbeats
// included): a cut at a frame end, which the fake's faults do not offer (its
// mid-frame cut aborts, its end-of-frame cut is a clean EOF).
type cuttingTransport struct {
	base    http.RoundTripper
	nextCut atomic.Int64 // frames before the cut on the next stream; 0: none
}

var errSoakReset = errors.New("soak: connection reset at a frame end")

func (t *cuttingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasSuffix(req.URL.Path, "/events/stream") {
		return resp, err
	}
	if n := t.nextCut.Swap(0); n > 0 {
		resp.Body = &cutBody{ReadCloser: resp.Body, left: int(n)}
	}
	return resp, nil
}

// cutBody returns errSoakReset once left frames have ended.
type cutBody struct {
	io.ReadCloser
	left int
	prev byte
	cut  bool
}

func (b *cutBody) Read(p []byte) (int, error) {
	if b.cut {
		return 0, errSoakReset
	}
	n, err := b.ReadCloser.Read(p)
	for i := range n {
		if p[i] == '\n' && b.prev == '\n' {
			b.left--
			if b.left == 0 {
				b.cut = true
				return i + 1, nil
			}
		}
		b.prev = p[i]
	}
	return n, err
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
func TestChaosSoak(t *testing.T) {
	t.Parallel()
	// Heartbeats every 5 ms, an idle timeout of 100 ms, stalls of 200 ms: a
	// silent stall is a disconnect, a stall with heartbeats is not.
	const (
		heartbeat   = 5 * time.Millisecond
		idleTimeout = 100 * time.Millisecond
		soakStall   = 200 * time.Millisecond
	)
	srv := managedagentstest.NewServer(managedagentstest.WithHeartbeat(heartbeat, managedagentstest.HeartbeatComment))
	t.Cleanup(srv.Close)
	ct := &cuttingTransport{base: srv.HTTPClient().Transport}
	client := srv.Client(
		option.WithHTTPClient(&http.Client{Transport: ct}),
		option.WithStreamBackoff(time.Millisecond, 4*time.Millisecond),
		option.WithStreamIdleTimeout(idleTimeout),
		option.WithStreamReconnects(50),
		option.WithMaxRetries(0),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The agent: soakEvents messages m00000…, at most soakWindow ahead of the
	// reader.
	var delivered, window, longUntil atomic.Int64
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
	endLater := func() { cutAfter.Store(int64(1 + rng.IntN(25))) }
	// nextConn records the fault of the next connection.
	nextConn := func(fault string) {
		injected.add(fault)
		connFault = fault
	}
	inject := func() {
		switch p := rng.IntN(100); {
		case p < 8:
			wait := 1 + rng.IntN(4)
			if rng.IntN(8) != 0 {
				injected.add("open 503")
			} else {
				// Long enough for the agent to run more than a page ahead.
				wait = 300
				window.Store(soakLongWindow)
				longUntil.Store(delivered.Load() + soakLongWindow)
				injected.add("open 503, long wait")
			}
			srv.FailNext(managedagentstest.RouteStreamEvents, 1, http.StatusServiceUnavailable, http.Header{"Retry-After-Ms": {strconv.Itoa(wait)}})
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
			ct.nextCut.Store(int64(1 + rng.IntN(25)))
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
			srv.StallStream(rng.IntN(20), soakStall, false)
		case p < 82:
			nextConn("heartbeat-only stall")
			srv.StallStream(rng.IntN(20), soakStall, true)
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
		inject()
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
	require.GreaterOrEqual(t, idleBy.get("silent stall"), injected.get("silent stall")-1, "a silent stall is found idle (the last may not have fired)")
	require.Positive(t, causes.get("status 503"))
	require.Positive(t, causes.get("status 429"))
}
