package managedagents

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/internal/clock/fakeclock"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
	"github.com/stretchr/testify/require"
)

// A 429 asking for more than option.WithMaxRetryAfter fails its call at once,
// and pauses the calls of its class for the cap only, not for what the server
// asked: the next call goes out once the cap has passed on the limiter's
// clock.
func TestRetryAfterBeyondTheCapPausesForTheCapOnly(t *testing.T) {
	t.Parallel()
	const maxWait = 2 * time.Second
	clk := fakeclock.New(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	lim := ratelimit.New(ratelimit.DefaultBudgets, ratelimit.WithClock(clk))
	var n atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "86400")
			replyJSON(http.StatusTooManyRequests, `{"type":"error","error":{"type":"rate_limit_error","message":"come back tomorrow"}}`)(w, r)
			return
		}
		replyJSON(http.StatusOK, string(fixture(t, "sessions/session.json")))(w, r)
	}, option.WithLimiter(lim), option.WithMaxRetries(2), option.WithMaxRetryAfter(maxWait))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	_, err := c.Sessions.Get(ctx, "sesn_1", SessionGetParams{})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 24*time.Hour, apiErr.RetryAfter)
	require.EqualValues(t, 1, n.Load(), "beyond the cap: not retried")

	next := make(chan error, 1)
	go func() {
		_, err := c.Sessions.Get(ctx, "sesn_1", SessionGetParams{})
		next <- err
	}()
	waits, err := clk.WaitPending(ctx, func(p []time.Duration) bool { return len(p) > 0 })
	require.NoError(t, err)
	require.Equal(t, []time.Duration{maxWait}, waits, "the next call waits for the capped pause")
	clk.Advance(maxWait - time.Nanosecond)
	require.EqualValues(t, 1, n.Load(), "not before the cap")
	clk.Advance(time.Nanosecond)
	require.NoError(t, <-next)
	require.EqualValues(t, 2, n.Load())
}
