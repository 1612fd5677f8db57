package managedagents_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// TestMain fails the package when any test leaves a goroutine behind: every
// call, retry wait, limiter wait and stream must have ended.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitsEndOnCancel calls call with a context cancelled after a short while and
// checks that it returns context.Canceled at once, although what it waits for
// is far away.
func waitsEndOnCancel(t *testing.T, call func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- call(ctx) }()
	time.Sleep(20 * time.Millisecond) // let the call reach its wait
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, time.Since(start), time.Second)
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not end on cancellation")
	}
}

// TestRetryWaitEndsOnCancel: a call waiting 30 s to retry a 503 returns as
// soon as its context is cancelled, and nothing is left running once the
// server is closed. Not parallel: it checks the goroutines.
func TestRetryWaitEndsOnCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := managedagentstest.NewServer()
	defer srv.Close()
	srv.FailNext(managedagentstest.RouteGetAgent, 1, http.StatusServiceUnavailable, http.Header{"Retry-After": {"30"}})
	client := srv.Client()
	waitsEndOnCancel(t, func(ctx context.Context) error {
		_, err := client.Agents.Get(ctx, "agent_nope", managedagents.AgentGetParams{})
		return err
	})
	require.Len(t, srv.Requests(), 1, "no second attempt")
}

// TestLimiterWaitEndsOnCancel: a call waiting for the client-side limiter
// (budget spent; a 429 closed the gate for 30 s) returns as soon as its
// context is cancelled, and sends nothing.
func TestLimiterWaitEndsOnCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := managedagentstest.NewServer()
	defer srv.Close()
	lim := ratelimit.New(ratelimit.DefaultBudgets)
	lim.Pause(context.Background(), ratelimit.Read, 30*time.Second)
	client := srv.Client(option.WithLimiter(lim))
	waitsEndOnCancel(t, func(ctx context.Context) error {
		_, err := client.Agents.Get(ctx, "agent_nope", managedagents.AgentGetParams{})
		return err
	})
	require.Empty(t, srv.Requests(), "nothing sent")
}
