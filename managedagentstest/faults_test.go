package managedagentstest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

func TestFailNext(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.FailNext(managedagentstest.RouteListAgents, 2, 429, http.Header{"Retry-After": {"3"}})
	srv.FailNext(managedagentstest.AnyRoute, 1, 503, nil)
	for range 2 {
		r := call(t, srv, "GET", "/v1/agents", nil, nil)
		requireError(t, r, 429, "rate_limit_error")
		require.Equal(t, "3", r.Header.Get("Retry-After"))
		require.Equal(t, "true", r.Header.Get("X-Should-Retry"))
	}
	// The AnyRoute failure comes next, on any route.
	requireError(t, call(t, srv, "GET", "/v1/environments", nil, nil), 503, "api_error")
	require.Equal(t, 200, call(t, srv, "GET", "/v1/agents", nil, nil).Status)
	srv.FailNext(managedagentstest.RouteCreateAgent, 1, 529, nil)
	requireError(t, call(t, srv, "POST", "/v1/agents", map[string]any{"name": "a", "model": "m"}, nil), 529, "overloaded_error")

	reqs := srv.Requests()
	require.Len(t, reqs, 5)
	require.Equal(t, managedagentstest.RouteListAgents, reqs[0].Route)
	require.Equal(t, 429, reqs[0].Status)
	require.Equal(t, 200, reqs[3].Status)
	require.Equal(t, "POST", reqs[4].Method)
	require.JSONEq(t, `{"name":"a","model":"m"}`, string(reqs[4].Body))
	require.True(t, strings.HasPrefix(reqs[4].RequestID, "req_"))
	srv.ClearRequests()
	require.Empty(t, srv.Requests())
}

func TestDropNextAndDelay(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.DropNext(managedagentstest.RouteListAgents, 1)
	req, _ := http.NewRequest("GET", srv.URL+"/v1/agents", nil)
	req.Header = headers()
	_, err := srv.HTTPClient().Do(req)
	require.Error(t, err)
	require.Equal(t, 200, call(t, srv, "GET", "/v1/agents", nil, nil).Status)

	srv.Delay(managedagentstest.RouteListAgents, 80*time.Millisecond)
	t0 := time.Now()
	require.Equal(t, 200, call(t, srv, "GET", "/v1/agents", nil, nil).Status)
	require.GreaterOrEqual(t, time.Since(t0), 80*time.Millisecond)
	srv.Delay(managedagentstest.RouteListAgents, 0)
	t0 = time.Now()
	call(t, srv, "GET", "/v1/agents", nil, nil)
	require.Less(t, time.Since(t0), 80*time.Millisecond)
}

// streamSession starts a session whose agent emits the given number of messages
// per turn, and returns a send function.
func streamSession(t *testing.T, srv *managedagentstest.Server) (sid string, send func()) {
	t.Helper()
	aid, _, sid := setup(t, srv, nil)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		turn.Message("one")
		turn.Message("two")
	})
	return sid, func() { ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go")) }
}

// Each turn of streamSession is: user.message, running, agent.message x2, idle.

func TestCutStreamAfter(t *testing.T) {
	t.Parallel()
	srv := start(t)
	sid, send := streamSession(t, srv)
	srv.CutStreamAfter(3)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	send()
	require.Equal(t, "user.message", st.next(t).Name)
	require.Equal(t, "session.status_running", st.next(t).Name)
	require.Equal(t, "agent.message", st.next(t).Name)
	end := st.next(t)
	require.ErrorIs(t, end.Err, io.EOF, "a clean end")
	// The next connection is healthy.
	st2 := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	send()
	require.Len(t, st2.untilIdle(t), 5)
}

func TestCutStreamMidFrame(t *testing.T) {
	t.Parallel()
	srv := start(t)
	sid, send := streamSession(t, srv)
	srv.CutStreamMidFrame(2)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	send()
	require.Equal(t, "user.message", st.next(t).Name)
	require.Equal(t, "session.status_running", st.next(t).Name)
	end := st.next(t)
	require.Error(t, end.Err)
	require.NotErrorIs(t, end.Err, io.EOF, "the body is cut, not ended")
	require.True(t, strings.HasPrefix(end.Data, "data: {"), "half a frame: %q", end.Data)
	// The event that was cut is in the history.
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Len(t, srv.Events(sid), 5)
}

func TestStallStream(t *testing.T) {
	t.Parallel()
	for _, beats := range []bool{false, true} {
		t.Run(map[bool]string{false: "silent", true: "heartbeats"}[beats], func(t *testing.T) {
			t.Parallel()
			srv := start(t, managedagentstest.WithHeartbeat(10*time.Millisecond, managedagentstest.HeartbeatComment))
			sid, send := streamSession(t, srv)
			srv.StallStream(1, 150*time.Millisecond, beats)
			st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
			send()
			t0 := time.Now()
			var got []string
			pings := 0
			for len(got) < 5 {
				select {
				case f := <-st.frames:
					require.NoError(t, f.Err)
					if f.Comment == "ping" {
						if len(got) == 1 {
							pings++
						}
						continue
					}
					got = append(got, f.Name)
					if len(got) == 2 {
						require.GreaterOrEqual(t, time.Since(t0), 100*time.Millisecond, "held back during the stall")
					}
				case <-time.After(5 * time.Second):
					t.Fatal("timeout")
				}
			}
			require.Equal(t, []string{"user.message", "session.status_running", "agent.message", "agent.message", "session.status_idle"}, got)
			if beats {
				// At least one: a loaded machine may drop ticks of the 10 ms ticker.
				require.NotZero(t, pings)
			} else {
				require.Zero(t, pings)
			}
		})
	}
}

func TestMalformedOversizedDuplicateReplay(t *testing.T) {
	t.Parallel()
	srv := start(t)
	sid, send := streamSession(t, srv)

	srv.InjectMalformedFrame(1)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	send()
	require.Equal(t, "user.message", st.next(t).Name)
	bad := st.next(t)
	require.Equal(t, "agent.message", bad.Name)
	require.False(t, strings.HasSuffix(bad.Data, "}"), "not JSON: %q", bad.Data)
	require.Len(t, st.untilIdle(t), 4, "the stream goes on")
	st.close()
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)

	srv.InjectOversizedFrame(2, 100_000)
	st = openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	send()
	frames := st.untilIdle(t)
	require.Len(t, frames, 5)
	big := frames[2]
	require.Equal(t, "agent.message", big.Name)
	require.InDelta(t, 100_000, len(big.Data)+len("event: agent.message\ndata: \n\n"), 2)
	m := big.JSON(t)
	require.Contains(t, m, "padding")
	events := srv.Events(sid)
	require.Less(t, len(events[len(events)-3]), 1000, "the listed event keeps its size")
	st.close()
	_, err = srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)

	srv.DuplicateEvent(1)
	st = openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	send()
	frames = st.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "session.status_running", "agent.message", "agent.message", "session.status_idle"}, names(frames))
	require.Equal(t, frames[1].Data, frames[2].Data)
	st.close()
	_, err = srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)

	srv.ReplayOnConnect(2)
	st = openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	events = srv.Events(sid)
	require.Equal(t, string(events[len(events)-2]), st.next(t).Data)
	require.Equal(t, string(events[len(events)-1]), st.next(t).Data)
}

func TestErrorFrame(t *testing.T) {
	t.Parallel()
	srv := start(t)
	sid, send := streamSession(t, srv)
	srv.InjectErrorFrame(1, "")
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	send()
	require.Equal(t, "user.message", st.next(t).Name)
	f := st.next(t)
	require.Equal(t, "error", f.Name)
	m := f.JSON(t)
	require.Equal(t, "error", m["type"])
	require.Equal(t, "overloaded_error", m["error"].(map[string]any)["type"])
	require.ErrorIs(t, st.next(t).Err, io.EOF)
}

func TestCutStreamsAndClose(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, nil)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	require.Equal(t, 1, srv.OpenStreams())
	srv.CutStreams()
	require.ErrorIs(t, st.next(t).Err, io.EOF)
	require.Eventually(t, func() bool { return srv.OpenStreams() == 0 }, time.Second, time.Millisecond)

	// Close ends open streams and waiting scripts.
	srv2 := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		_, _ = turn.CallCustomTool("x", map[string]any{})
	}))
	_, _, sid2 := setup(t, srv2, nil)
	st2 := openStream(t, srv2, "/v1/sessions/"+sid2+"/events/stream")
	ok(t, srv2, "POST", "/v1/sessions/"+sid2+"/events", userMessage("go"))
	st2.untilIdle(t)
	srv2.Close()
	require.Error(t, st2.next(t).Err)
	_, err := srv2.WaitIdle(context.Background(), sid2)
	require.ErrorIs(t, err, managedagentstest.ErrClosed)
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		managedagentstest.WithRateLimits(2, 3))
	create := func() reply {
		return call(t, srv, "POST", "/v1/agents", map[string]any{"name": "a", "model": "m"}, nil)
	}
	require.Equal(t, 200, create().Status)
	srv.AdvanceClock(20 * time.Second)
	require.Equal(t, 200, create().Status)
	r := create()
	e := requireError(t, r, 429, "rate_limit_error")
	require.Contains(t, e["message"], "create")
	require.Equal(t, "40", r.Header.Get("Retry-After"), "the oldest request leaves the window in 40 s")
	require.Equal(t, 2, srv.RateCount(managedagentstest.RateCreate))

	// Reads have their own budget.
	for range 3 {
		require.Equal(t, 200, call(t, srv, "GET", "/v1/agents", nil, nil).Status)
	}
	requireError(t, call(t, srv, "GET", "/v1/agents", nil, nil), 429, "rate_limit_error")

	srv.AdvanceClock(40 * time.Second)
	require.Equal(t, 200, create().Status)
	require.Equal(t, 2, srv.RateCount(managedagentstest.RateCreate))
	require.Equal(t, 2, srv.MaxRateCount(managedagentstest.RateCreate))
	require.Equal(t, 3, srv.MaxRateCount(managedagentstest.RateRead))

	srv.SetRateLimits(0, 0)
	for range 5 {
		require.Equal(t, 200, create().Status)
	}
	require.Equal(t, 7, srv.MaxRateCount(managedagentstest.RateCreate))
}

// TestRateWindow: WithRateWindow scales the budgets' window (here to 2 s);
// the retry-after stays in whole seconds.
func TestRateWindow(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		managedagentstest.WithRateLimits(0, 3), managedagentstest.WithRateWindow(2*time.Second))
	list := func() reply { return call(t, srv, "GET", "/v1/agents", nil, nil) }
	require.Equal(t, 200, list().Status)
	srv.AdvanceClock(1500 * time.Millisecond)
	require.Equal(t, 200, list().Status)
	require.Equal(t, 200, list().Status)
	r := list()
	requireError(t, r, 429, "rate_limit_error")
	require.Equal(t, "1", r.Header.Get("Retry-After"), "0.5 s, in whole seconds")
	srv.AdvanceClock(500 * time.Millisecond) // the first read leaves the window
	require.Equal(t, 2, srv.RateCount(managedagentstest.RateRead))
	require.Equal(t, 200, list().Status)
	require.Equal(t, 3, srv.MaxRateCount(managedagentstest.RateRead))
}

// A stream fault with a SessionID waits for a connection to that session;
// connections to other sessions are left alone.
func TestStreamFaultAimedAtSession(t *testing.T) {
	t.Parallel()
	srv := start(t)
	sidA, sendA := streamSession(t, srv)
	sidB, sendB := streamSession(t, srv)
	srv.AddStreamFault(managedagentstest.StreamFault{Kind: managedagentstest.FaultCut, After: 1, SessionID: sidB})

	stA := openStream(t, srv, "/v1/sessions/"+sidA+"/events/stream")
	sendA()
	require.Len(t, stA.untilIdle(t), 5, "session A's stream is healthy")

	stB := openStream(t, srv, "/v1/sessions/"+sidB+"/events/stream")
	sendB()
	require.Equal(t, "user.message", stB.next(t).Name)
	require.ErrorIs(t, stB.next(t).Err, io.EOF, "session B's stream is cut")
	_, err := srv.WaitIdle(context.Background(), sidB)
	require.NoError(t, err)
}
