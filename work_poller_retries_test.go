package managedagents

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Every poll request counts against the poller's budget, the attempts the
// client would retry on its own included: a poll that fails with a 5xx, a
// 429 or a lost connection is made again by the poller, after its backoff
// and a slot of its budget, never by the client underneath it.
func TestWorkPollerRetriesOnlyWithinItsBudget(t *testing.T) {
	t.Parallel()
	for name, reply := range map[string]http.HandlerFunc{
		"503": replyJSON(503, `{"type":"error","error":{"type":"overloaded_error","message":"busy"}}`),
		"429": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0")
			replyJSON(429, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`)(w, r)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, reqs := workClient(t, reply, option.WithMaxRetries(2))
			c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = time.Millisecond, time.Millisecond
			budget := ratelimit.Budget{Limit: 3, Window: time.Hour, Burst: 2}
			p, err := NewWorkPoller(c, "env_1", WorkPollerOptions{BlockMs: -1, Budget: budget, MaxBackoff: time.Millisecond})
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err = p.Next(ctx)
			require.ErrorIs(t, err, ErrRateLimited, "the third poll's slot is half an hour away")
			require.Equal(t, budget.Burst, len(*reqs), "no more polls than the budget: the client retried none")
		})
	}
}
