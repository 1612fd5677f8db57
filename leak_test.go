package managedagents_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/internal/clock/fakeclock"
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
		require.Less(t, time.Since(start), 15*time.Second, "the cancel ended it, not the 30 s wait (a loose bound: the machine may be loaded)")
	case <-time.After(20 * time.Second):
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

// streamSetup makes an agent, an environment and a session on srv and opens a
// stream on it.
func streamSetup(t *testing.T, srv *managedagentstest.Server, client *managedagents.Client) (string, *managedagents.EventStream) {
	t.Helper()
	ctx := context.Background()
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "a", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
	require.NoError(t, err)
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "e"})
	require.NoError(t, err)
	sess, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	require.NoError(t, err)
	st, err := client.Sessions.Events.Stream(ctx, sess.ID, managedagents.EventStreamParams{})
	require.NoError(t, err)
	return sess.ID, st
}

// nextEndsOn runs st.Next in a goroutine until ready reports that the stream
// waits where the test wants it, then calls end and checks that Next returns
// false at once.
func nextEndsOn(t *testing.T, st *managedagents.EventStream, ready func() bool, end func()) {
	t.Helper()
	done := make(chan bool, 1)
	go func() {
		for st.Next() {
		}
		done <- true
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !ready() {
		require.True(t, time.Now().Before(deadline), "the stream never reached its wait")
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // into the wait itself
	start := time.Now()
	end()
	select {
	case <-done:
		require.Less(t, time.Since(start), 15*time.Second, "end ended it, not the 30 s wait (a loose bound: the machine may be loaded)")
	case <-time.After(20 * time.Second):
		t.Fatal("Next did not return")
	}
}

// streamOpens counts the stream opens in srv's log.
func streamOpens(srv *managedagentstest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Route == managedagentstest.RouteStreamEvents {
			n++
		}
	}
	return n
}

// TestStreamLimiterWaitEndsOnClose: a stream reconnecting behind a closed 429
// gate (30 s) ends at once on Close, without sending the open.
func TestStreamLimiterWaitEndsOnClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := managedagentstest.NewServer()
	defer srv.Close()
	lim := ratelimit.New(ratelimit.DefaultBudgets)
	client := srv.Client(option.WithLimiter(lim), option.WithStreamBackoff(time.Millisecond, time.Millisecond))
	_, st := streamSetup(t, srv, client)
	lim.Pause(context.Background(), ratelimit.Read, 30*time.Second)
	var reconnecting atomic.Bool
	nextEndsOn(t, st, func() bool {
		if !reconnecting.Load() {
			reconnecting.Store(true)
			srv.CutStreams()
		}
		return srv.OpenStreams() == 0
	}, func() { require.NoError(t, st.Close()) })
	require.NoError(t, st.Err())
	require.Equal(t, 1, streamOpens(srv), "the reconnect never got past the limiter")
}

// TestStreamBackfillRetryWaitEndsOnCancel: a stream whose backfill list waits
// 30 s to retry a 503 ends at once when its context is cancelled, with the
// context's error.
func TestStreamBackfillRetryWaitEndsOnCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := managedagentstest.NewServer()
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := srv.Client(option.WithStreamBackoff(time.Millisecond, time.Millisecond))
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "a", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
	require.NoError(t, err)
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "e"})
	require.NoError(t, err)
	sess, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	require.NoError(t, err)
	st, err := client.Sessions.Events.Stream(ctx, sess.ID, managedagents.EventStreamParams{})
	require.NoError(t, err)
	defer st.Close()
	srv.FailNext(managedagentstest.RouteListEvents, 1, http.StatusServiceUnavailable, http.Header{"Retry-After": {"30"}})
	var cut atomic.Bool
	nextEndsOn(t, st, func() bool {
		if !cut.Load() {
			cut.Store(true)
			srv.CutStreams()
		}
		for _, r := range srv.Requests() {
			if r.Route == managedagentstest.RouteListEvents && r.Status == http.StatusServiceUnavailable {
				return true
			}
		}
		return false
	}, cancel)
	require.ErrorIs(t, st.Err(), context.Canceled)
}

// TestStreamHeartbeatStallEndsOnClose: a connection that sends only heartbeats
// ends at once on Close, and its server handler with it. The stream's clock
// is a fake that never moves, so its idle timeout cannot fire however late a
// loaded machine delivers the heartbeats: only Close ends the connection.
func TestStreamHeartbeatStallEndsOnClose(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := managedagentstest.NewServer(managedagentstest.WithHeartbeat(5*time.Millisecond, managedagentstest.HeartbeatEvent))
	defer srv.Close()
	srv.StallStream(0, 30*time.Second, true)
	client := srv.Client(option.WithStreamIdleTimeout(50 * time.Millisecond))
	managedagents.SetStreamClock(client, fakeclock.New(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)))
	_, st := streamSetup(t, srv, client)
	start := time.Now()
	nextEndsOn(t, st, func() bool { return time.Since(start) > 150*time.Millisecond }, func() { require.NoError(t, st.Close()) })
	require.NoError(t, st.Err())
	require.Equal(t, 1, streamOpens(srv), "heartbeats kept the connection: no reconnect")
	deadline := time.Now().Add(5 * time.Second)
	for srv.OpenStreams() != 0 {
		require.True(t, time.Now().Before(deadline), "the server still serves the closed stream")
		time.Sleep(5 * time.Millisecond)
	}
}
