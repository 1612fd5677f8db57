package managedagents_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// pollerOnFake returns a fake frozen at start with a self-hosted environment
// and a client of it without retries, and the environment's id.
func pollerOnFake(t *testing.T, start time.Time) (*managedagentstest.Server, *managedagents.Client, string) {
	t.Helper()
	srv := managedagentstest.NewServer(managedagentstest.WithClock(start))
	t.Cleanup(srv.Close)
	c := srv.Client(option.WithMaxRetries(0))
	env, err := c.Environments.Create(context.Background(), managedagents.EnvironmentCreateParams{Name: "workers", Config: &managedagents.SelfHostedConfig{}})
	require.NoError(t, err)
	return srv, c, env.ID
}

// nextOnClock runs p.Next while clock moves the fake's time from timer to
// timer, and returns its results.
func nextOnClock(t *testing.T, clock *loadClock, p *managedagents.WorkPoller) (*managedagents.WorkItem, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var item *managedagents.WorkItem
	var err error
	go func() {
		defer clock.done()
		item, err = p.Next(ctx)
	}()
	clock.drive(ctx)
	require.NoError(t, ctx.Err(), "Next did not return")
	return item, err
}

// pollTimes returns the times, on the fake's clock, of the polls it served.
func pollTimes(srv *managedagentstest.Server) []time.Time {
	var out []time.Time
	for _, r := range srv.Requests() {
		if r.Route == managedagentstest.RoutePollWork {
			out = append(out, r.Time)
		}
	}
	return out
}

// A poller never polls more than its budget allows in any window, however
// long the queue stays empty, and returns the item that comes.
func TestWorkPollerPacing(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	srv, c, envID := pollerOnFake(t, start)
	clock := newLoadClock(start, 1, func(now time.Time) {
		srv.SetNow(now)
		if now.Sub(start) >= 5*time.Minute && len(pollTimes(srv)) > 0 {
			if _, err := srv.EnqueueHealthcheck(envID); err != nil {
				panic(err)
			}
		}
	})
	budget := ratelimit.Budget{Limit: 4, Window: time.Minute, Burst: 2}
	p, err := managedagents.NewWorkPoller(c, envID, managedagents.WorkPollerOptions{WorkerID: "w-1", BlockMs: -1, Budget: budget, Clock: clock})
	require.NoError(t, err)
	item, err := nextOnClock(t, clock, p)
	require.NoError(t, err)
	require.True(t, item.Data.IsHealthcheck())

	polls := pollTimes(srv)
	require.GreaterOrEqual(t, len(polls), 11, "five minutes of empty polls")
	for i, at := range polls {
		in := 0
		for _, other := range polls[i:] {
			if other.Sub(at) < budget.Window {
				in++
			}
		}
		require.LessOrEqual(t, in, budget.Limit, "polls in the minute from poll %d", i)
	}
	require.Equal(t, polls[0], polls[1], "the burst goes back to back")
	require.Equal(t, 30*time.Second, polls[2].Sub(polls[1]), "then one every Window/(Limit-Burst)")
	for _, r := range srv.Requests() {
		if r.Route == managedagentstest.RoutePollWork {
			require.Equal(t, "w-1", r.Header.Get("Anthropic-Worker-ID"))
			require.Equal(t, managedagentstest.CredentialEnvironmentKey, r.Credential)
			require.Empty(t, r.RawQuery, "a negative BlockMs polls without blocking")
		}
	}
}

// Failed polls back off: 1 s doubling with jitter up to the cap, or the
// server's retry-after when longer; a success resets the backoff; an error a
// retry cannot fix is returned at once.
func TestWorkPollerBackoff(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	srv, c, envID := pollerOnFake(t, start)
	srv.FailNext(managedagentstest.RoutePollWork, 1, 503, nil)
	srv.FailNext(managedagentstest.RoutePollWork, 1, 429, http.Header{"Retry-After": {"9"}})
	srv.FailNext(managedagentstest.RoutePollWork, 5, 503, nil)
	for range 2 {
		_, err := srv.EnqueueHealthcheck(envID)
		require.NoError(t, err)
	}
	clock := newLoadClock(start, 1, srv.SetNow)
	big := ratelimit.Budget{Limit: 1000, Window: time.Minute, Burst: 999}
	p, err := managedagents.NewWorkPoller(c, envID, managedagents.WorkPollerOptions{BlockMs: -1, Budget: big, MaxBackoff: 20 * time.Second, Clock: clock})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs [2]error
	go func() {
		defer clock.done()
		_, errs[0] = p.Next(ctx)
		srv.FailNext(managedagentstest.RoutePollWork, 1, 500, nil)
		_, errs[1] = p.Next(ctx)
	}()
	clock.drive(ctx)
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	polls := pollTimes(srv)
	require.Len(t, polls, 10)
	require.Equal(t, 9*time.Second, polls[2].Sub(polls[1]), "the server's retry-after when longer")
	for i, base := range map[int]time.Duration{0: time.Second, 2: 4 * time.Second, 3: 8 * time.Second, 4: 16 * time.Second,
		5: 20 * time.Second, 6: 20 * time.Second, 8: time.Second} {
		wait := polls[i+1].Sub(polls[i])
		require.GreaterOrEqual(t, wait, base/2, "wait %d", i)
		require.LessOrEqual(t, wait, base, "wait %d (after a success, a new run of failures starts at 1 s)", i)
	}

	srv.FailNext(managedagentstest.RoutePollWork, 1, 401, nil)
	_, err = p.Next(context.Background())
	require.ErrorIs(t, err, managedagents.ErrUnauthorized, "a 401 is final")
	require.Len(t, pollTimes(srv), 11)

	cancelled, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	_, err = p.Next(cancelled)
	require.ErrorIs(t, err, context.Canceled)
}
