package managedagents

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// A poller made from a client without the environment key fails at once;
// the options are checked; the defaults are the documented ones.
func TestWorkPollerOptions(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, "null"), option.WithEnvironmentKey(""))
	p, err := NewWorkPoller(c, "env_1", WorkPollerOptions{})
	require.NoError(t, err)
	require.Regexp(t, `-[0-9a-f]{16}$`, p.WorkerID())
	_, err = p.Next(context.Background())
	require.ErrorIs(t, err, ErrMissingCredentials)
	require.Empty(t, *reqs)

	for field, opts := range map[string]WorkPollerOptions{
		"block_ms":              {BlockMs: 1000},
		"reclaim_older_than_ms": {ReclaimOlderThanMs: -1},
		"budget":                {Budget: ratelimit.Budget{Limit: 1, Window: time.Minute}},
		"max_backoff":           {MaxBackoff: -time.Second},
		"worker_id":             {WorkerID: "a\nb"},
	} {
		_, err := NewWorkPoller(c, "env_1", opts)
		requireInvalid(t, err, field)
	}
	_, err = NewWorkPoller(c, "", WorkPollerOptions{})
	requireInvalid(t, err, "environment_id")
	_, err = NewWorkPoller(nil, "env_1", WorkPollerOptions{})
	requireInvalid(t, err, "client")

	// A negative BlockMs polls without blocking; the deadline of the context
	// bounds the wait for a slot.
	c, reqs = workClient(t, replyJSON(200, "null"))
	p, err = NewWorkPoller(c, "env_1", WorkPollerOptions{BlockMs: -1, ReclaimOlderThanMs: 2000, Budget: ratelimit.Budget{Limit: 2, Window: time.Hour, Burst: 1}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = p.Next(ctx)
	require.ErrorIs(t, err, ErrRateLimited, "the next slot is an hour away")
	require.Len(t, *reqs, 1)
	require.Equal(t, "reclaim_older_than_ms=2000", (*reqs)[0].RawQuery)
}
