package managedagents

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/internal/clock/fakeclock"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
	"github.com/stretchr/testify/require"
)

// TestStreamBackfillWaitsForTheLimiterBeyondTheIdleTimeout: a reconnect whose
// reopen and backfill page wait a minute each for the client's read budget
// (a slot a minute) succeeds at the first attempt, although the idle timeout
// that bounds a page is 10 s: the bound is the server's time to answer, not
// the budget's. Each wait is told through OnReconnect before it begins, with
// the reconnect's attempt and cause. (A bound that counted the limiter's
// wait would give the page up after 10 s and reopen again: a thousand
// streams reconnecting together never recovered that way.)
func TestStreamBackfillWaitsForTheLimiterBeyondTheIdleTimeout(t *testing.T) {
	a, b := msg("sevt_a", 1), msg("sevt_b", 2)
	clk := fakeclock.New(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	lim := ratelimit.New(ratelimit.Budgets{Read: ratelimit.Budget{Limit: 2, Window: time.Minute, Burst: 1}}, ratelimit.WithClock(clk))
	f, c := newFakeStreams(t, []string{a, b}, []http.HandlerFunc{
		sseConn(write(frame(a))),
		sseConn(hang()),
	}, option.WithLimiter(lim), option.WithStreamIdleTimeout(10*time.Second))
	c.cfg.StreamClock = clk
	c.cfg.StreamBackoffMin, c.cfg.StreamBackoffMax = 0, 0
	// On the old bound the page never comes; the stream ends with this context.
	ctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
	defer cancel()
	var n notices
	s, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{OnReconnect: n.add}) // the burst's slot
	require.NoError(t, err)
	defer s.Close()
	require.True(t, s.Next())
	require.Equal(t, "sevt_a", label(s.Current()))

	next := nextAsync(s)
	for range 2 { // the reopen's slot, then the page's
		_, err := clk.WaitPending(ctx, func(p []time.Duration) bool { return slices.Contains(p, time.Minute) })
		require.NoError(t, err)
		clk.Advance(time.Minute)
	}
	require.Equal(t, "sevt_b", <-next)
	require.Equal(t, []string{streamPath, streamPath, listReq("2026-11-24T10:00:00.001Z", "")}, f.requests(), "one reopen, one page")
	require.Equal(t, []StreamReconnect{
		{Attempt: 1, Cause: ErrStreamEnded},
		{Attempt: 1, Cause: ErrStreamEnded, Delay: time.Minute, RateLimited: true},
		{Attempt: 1, Cause: ErrStreamEnded, Delay: time.Minute, RateLimited: true},
	}, n.get())
}

// TestStreamLimiterWaitsOutsideAReconnectAreNotTold: the first open and the
// replay of Since wait for the limiter like any call, but they are no
// reconnect, so OnReconnect hears nothing; the replay's page still gets its
// whole idle timeout after the wait.
func TestStreamLimiterWaitsOutsideAReconnectAreNotTold(t *testing.T) {
	a := msg("sevt_a", 1)
	clk := fakeclock.New(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	lim := ratelimit.New(ratelimit.Budgets{Read: ratelimit.Budget{Limit: 2, Window: time.Minute, Burst: 1}}, ratelimit.WithClock(clk))
	f, c := newFakeStreams(t, []string{a}, []http.HandlerFunc{sseConn(hang())},
		option.WithLimiter(lim), option.WithStreamIdleTimeout(10*time.Second))
	c.cfg.StreamClock = clk
	ctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
	defer cancel()
	var n notices
	s, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{Since: time.Unix(0, 0), OnReconnect: n.add})
	require.NoError(t, err)
	defer s.Close()
	next := nextAsync(s)
	_, err = clk.WaitPending(ctx, func(p []time.Duration) bool { return slices.Contains(p, time.Minute) })
	require.NoError(t, err)
	clk.Advance(time.Minute)
	require.Equal(t, "sevt_a", <-next)
	require.Empty(t, n.get())
}

// nextAsync runs s.Next in a goroutine and sends the label of the event it
// advanced to, or how the stream ended.
func nextAsync(s *EventStream) <-chan string {
	next := make(chan string, 1)
	go func() {
		if s.Next() {
			next <- label(s.Current())
			return
		}
		next <- "ended: " + s.Err().Error()
	}()
	return next
}
