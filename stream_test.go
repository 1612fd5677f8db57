package managedagents

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
	"github.com/stretchr/testify/require"
)

// Stream tests are not parallel: each checks that no goroutine is left behind.

func TestStreamTranscriptToTerminal(t *testing.T) {
	fr, _ := transcript(t, "terminated.sse")
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{sseConn(write(fr...), hang())})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	defer s.Close()

	var types []string
	for ev, err := range s.All() {
		require.NoError(t, err)
		types = append(types, ev.EventID()+" "+string(ev.EventType()))
		if ev.EventType() == "brand.new_event" {
			u, ok := ev.(*UnknownEvent)
			require.True(t, ok, "an unknown type decodes as *UnknownEvent, got %T", ev)
			require.JSONEq(t, `{"type":"brand.new_event","id":"sevt_t02","processed_at":"2026-11-24T11:00:00.200Z","novel":{"x":1}}`, string(u.RawJSON()))
		}
	}
	// Comments and the ping are skipped, two data lines are joined, the
	// stream ends at the terminal event although the connection stays open.
	require.Equal(t, []string{
		"sevt_t01 session.status_running",
		"sevt_t02 brand.new_event",
		"sevt_t03 agent.message",
		"sevt_t04 session.status_terminated",
	}, types)
	require.NoError(t, s.Err())
	require.Equal(t, []string{streamPath}, f.requests())
	h := f.reqs[0].Header
	require.Equal(t, "text/event-stream", h.Get("Accept"))
	require.Equal(t, testAPIKey, h.Get("X-Api-Key"))
	require.Equal(t, "managed-agents-2026-04-01", h.Get("Anthropic-Beta"))
	require.False(t, s.Next(), "Next after the end")
}

func TestStreamCRLFAndSessionDeleted(t *testing.T) {
	raw := string(fixture(t, "streams/deleted_crlf.sse"))
	require.Contains(t, raw, "\r\n")
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{sseConn(write(raw), hang())})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_c01", "sevt_c02"}, got)
	require.Len(t, f.requests(), 1)
}

func TestStreamCutMidFrameReopensThenBackfills(t *testing.T) {
	fr, persisted := transcript(t, "turn.sse")
	require.Len(t, fr, 25)
	// The first connection delivers frames 0-8 and half of frame 9, then ends.
	// While the client was away frames 9-14 happened; the second connection
	// repeats 12-14 (also in the backfill), then brings 15 and a terminal event.
	cut := fr[9][:len(fr[9])/2]
	done := term("sevt_end", 320_000) // after the transcript's last event (10:05:11)
	f, c := newFakeStreams(t, persisted[:13], []http.HandlerFunc{
		sseConn(write(fr[:9]...), write(cut)),
		sseConn(write(fr[12:16]...), write(frame(done)), hang()),
	})
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)

	want := []string{
		"sevt_011CnRyjP2WPBg8Y4ErK9pGS", "sevt_011CSxY6BVScJy9uUxcJnTPk", "sevt_011CyRFA6CAFjF1YveCHK1AT",
		"sevt_011CbQgdM9mwZgikp4Wzxrxk", "event_start", "event_delta", "event_delta",
		"sevt_011CtcSSSS7XhS4D5EVB8Nf4", "sevt_011C71dAb7Qg25xEgRAhHPfQ",
		// backfill: 9-14 (8 is repeated by created_at[gte] and dropped)
		"sevt_011CX88wYWXXL6A7pNpHXvmB", "sevt_011Ca2EaQAmb2qaLix6mwHaQ", "sevt_011CBPrFbbrZNhFgtsqwDtGu",
		"sevt_011CSptFDaYPo22sJXHDmfPV", "sevt_011CtoPQ6F7FXDNEXgzgv1Xi", "sevt_011CPti6vj8RsnqDXyCUshN6",
		// live again: 12-14 are duplicates
		"sevt_011CtoSWSp6oBB92AezWtiAg", "sevt_end",
	}
	require.Equal(t, want, got)
	gte := "2026-11-24T10:05:04.002Z" // processed_at of frame 8
	require.Equal(t, []string{
		streamPath,
		streamPath, // reopened before the list
		listReq(gte, ""), listReq(gte, "p3"), listReq(gte, "p6"),
	}, f.requests())
	ns := n.get()
	require.Len(t, ns, 1)
	require.Equal(t, 1, ns[0].Attempt)
	require.ErrorIs(t, ns[0].Cause, ErrStreamEnded)
	require.LessOrEqual(t, ns[0].Delay, time.Millisecond)
}

func TestStreamCleanEOFIsADisconnect(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), msg("sevt_3", 3)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frames(hist[0], hist[1]))),
		sseConn(write(frames(hist[2], term("sevt_4", 4))), hang()),
	})
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3", "sevt_4"}, got)
	require.Equal(t, []string{streamPath, streamPath, listReq("2026-11-24T10:00:00.002Z", "")}, f.requests())
	require.Len(t, n.get(), 1)
	require.ErrorIs(t, n.get()[0].Cause, ErrStreamEnded)
}

func TestStreamBoundaryAndDuplicatesAcrossBackfillAndLive(t *testing.T) {
	// Three events share the cursor's timestamp; only the first was delivered
	// before the cut. The backfill repeats it (created_at[gte]); the new
	// connection repeats some of the backfill.
	hist := []string{msg("sevt_a", 5), msg("sevt_b", 7), msg("sevt_c", 7), msg("sevt_d", 7), msg("sevt_e", 9)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frames(hist[0], hist[1]))),
		sseConn(write(frames(hist[3], hist[4], hist[2], msg("sevt_f", 10), hist[4], term("sevt_z", 11))), hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_a", "sevt_b", "sevt_c", "sevt_d", "sevt_e", "sevt_f", "sevt_z"}, got)
	gte := "2026-11-24T10:00:00.007Z"
	require.Equal(t, []string{streamPath, streamPath, listReq(gte, ""), listReq(gte, "p3")}, f.requests())
}

func TestStreamNothingDeliveredBackfillsFromServerDate(t *testing.T) {
	hist := []string{msg("sevt_old", -5_000), msg("sevt_1", 500)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(": hello\n\n")),
		sseConn(write(frame(term("sevt_2", 600))), hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2"}, got)
	require.Equal(t, []string{streamPath, streamPath, listReq("2026-11-24T10:00:00Z", "")}, f.requests())
}

func TestStreamFirstOpenRetriedByPolicy(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		reply(503, nil, `{"type":"error","error":{"type":"overloaded_error","message":"busy"}}`),
		sseConn(write(frame(term("sevt_1", 1))), hang()),
	}, option.WithMaxRetries(1))
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.NoError(t, err, "a temporary failure of the first open is retried inside Stream, as for any call")
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1"}, got)
	require.Equal(t, []string{streamPath, streamPath}, f.requests(), "no backfill before anything was delivered on the first connection")
	require.Empty(t, n.get(), "a retry of the first open is not a reconnect")
}

func TestStream429HonoursRetryAfter(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2)}
	var reopenedAt time.Time
	f, c := newFakeStreams(t, hist, nil)
	clk := fakeClock(c)
	start := clk.Now()
	f.conns = []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		reply(429, map[string]string{"Retry-After-Ms": "60"}, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`),
		func(w http.ResponseWriter, r *http.Request) {
			reopenedAt = clk.Now()
			sseConn(write(frame(term("sevt_3", 3))), hang())(w, r)
		},
	}
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: passBackoffs(t, &n, clk)})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3"}, got)
	require.Equal(t, []string{streamPath, streamPath, streamPath, listReq("2026-11-24T10:00:00.001Z", "")}, f.requests())
	ns := n.get()
	require.Len(t, ns, 2)
	require.Equal(t, 1, ns[0].Attempt)
	require.ErrorIs(t, ns[0].Cause, ErrStreamEnded)
	require.Equal(t, 2, ns[1].Attempt)
	require.ErrorIs(t, ns[1].Cause, ErrRateLimited)
	require.Equal(t, 60*time.Millisecond, ns[1].Delay)
	require.Equal(t, start.Add(60*time.Millisecond), reopenedAt, "the reopen waited the retry-after on the stream's clock")
}

func TestStreamRetryAfterBeyondCapEnds(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		reply(429, map[string]string{"Retry-After": "120"}, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`),
	}, option.WithMaxRetryAfter(time.Second))
	_, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 120*time.Second, apiErr.RetryAfter)
	require.Len(t, f.requests(), 1)
}

// Heartbeats (comment lines, ping frames) keep a connection alive however long
// they go on; once nothing comes for the idle timeout, the stream reconnects
// with ErrStreamIdle. Time is a fake clock's: each heartbeat comes 3/4 of the
// idle timeout after the previous one, then the connection goes silent.
func TestStreamHeartbeatsKeepAliveThenIdleTimeout(t *testing.T) {
	const idle = time.Minute
	const beats = 20 // 15 idle timeouts of heartbeats
	hist := []string{msg("sevt_1", 1)}
	f, _ := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0])), hang()),
		sseConn(write(frame(term("sevt_2", 2))), hang()),
	})
	var body *heartbeatBody
	c := f.client(option.WithStreamIdleTimeout(idle), f.wrapFirstStream(func(rc io.ReadCloser, req *http.Request) io.ReadCloser {
		body.ReadCloser, body.req = rc, req
		return body
	}))
	clk := fakeClock(c)
	body = &heartbeatBody{clk: clk, step: idle * 3 / 4, silence: idle, beats: beats}
	start := clk.Now()
	var at time.Time
	var quietAtNotice bool
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: func(r StreamReconnect) {
		at, quietAtNotice = clk.Now(), body.quiet.Load()
		n.add(r)
	}})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2"}, got)
	ns := n.get()
	require.Len(t, ns, 1)
	require.ErrorIs(t, ns[0].Cause, ErrStreamIdle)
	require.True(t, quietAtNotice, "the idle timeout fired while heartbeats were still coming")
	require.Equal(t, beats, body.sent)
	require.Equal(t, start.Add(beats*idle*3/4+idle), at, "found idle exactly one timeout after the last heartbeat")
}

func TestStreamIdleTimeoutWhileOpening(t *testing.T) {
	// The idle timeout bounds each open attempt's wait for the headers; the
	// attempt that got none is retried by the retry policy.
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, // no headers ever
		sseConn(write(frame(term("sevt_1", 1))), hang()),
		sseConn(write(frame(term("sevt_1", 1))), hang()), // spare, should a loaded machine be slow
	}, option.WithStreamIdleTimeout(200*time.Millisecond), option.WithMaxRetries(2))
	// The transport times the wait for headers on the system clock; the live
	// read's watchdog runs on a still fake clock, so that a loaded machine
	// cannot make the connection look idle.
	fakeClock(c)
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1"}, got)
	require.Empty(t, n.get())

	f, c = newFakeStreams(t, nil, []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	}, option.WithStreamIdleTimeout(50*time.Millisecond))
	_, err = c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.ErrorContains(t, err, "no response headers within the stream idle timeout (50ms)")
}

// The time the reader spends between two events is not idle time: the
// watchdog counts only while the stream waits for bytes.
func TestStreamSlowConsumerIsNotIdle(t *testing.T) {
	const idle = time.Minute
	busyDone := make(chan struct{})
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		sseConn(write(frame(msg("sevt_1", 1))), waitFor(busyDone), write(frame(msg("sevt_2", 2))), hang()),
	}, option.WithStreamIdleTimeout(idle), option.WithStreamReconnects(0))
	clk := fakeClock(c)
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	defer s.Close()
	require.True(t, s.Next())
	clk.Advance(10 * idle) // the consumer is busy; nothing is read meanwhile
	close(busyDone)        // the next event comes once the consumer is back
	require.True(t, s.Next())
	require.Equal(t, "sevt_2", s.Current().EventID())
}

func TestStreamMalformedFrameRecoveredFromList(t *testing.T) {
	bad := `{"type":"agent.message","id":"sevt_2","processed_at":12345}`
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), msg("sevt_3", 3)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frames(hist[0], bad, hist[2])), hang()),
		sseConn(write(frames(hist[2], term("sevt_4", 4))), hang()),
	})
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3", "sevt_4"}, got)
	require.Equal(t, []string{streamPath, streamPath, listReq("2026-11-24T10:00:00.001Z", "")}, f.requests())
	var de *EventDecodeError
	require.ErrorAs(t, n.get()[0].Cause, &de)
	require.Equal(t, "sevt_2", de.ID)
	require.Equal(t, -1, de.Index)
}

func TestStreamMalformedFrameAndListCopy(t *testing.T) {
	bad := `{"type":"agent.message","id":"sevt_2","processed_at":12345}`
	for _, tc := range []struct {
		name    string
		hist    []string
		index   int
		reqs    int
		wantIDs []string
	}{
		{"list copy bad too", []string{msg("sevt_1", 1), bad, msg("sevt_3", 3)}, 1, 3, []string{"sevt_1"}},
		{"missing from the list", []string{msg("sevt_1", 1), msg("sevt_3", 3)}, -1, 3, []string{"sevt_1", "sevt_3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFakeStreams(t, tc.hist, []http.HandlerFunc{
				sseConn(write(frames(msg("sevt_1", 1), bad)), hang()),
				sseConn(hang()),
			})
			s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
			require.NoError(t, err)
			got, err := drain(s)
			require.Equal(t, tc.wantIDs, got)
			var de *EventDecodeError
			require.ErrorAs(t, err, &de)
			require.Equal(t, "sevt_2", de.ID)
			require.Equal(t, EventTypeAgentMessage, de.Type)
			require.Equal(t, tc.index, de.Index)
			require.Contains(t, err.Error(), "sevt_2")
			require.Len(t, f.requests(), tc.reqs)
		})
	}
}

func TestStreamOversizedFrameRecoveredFromList(t *testing.T) {
	big := `{"type":"agent.message","id":"sevt_2","content":[{"type":"text","text":"` + strings.Repeat("x", 3000) + `"}],"processed_at":"2026-11-24T10:00:00.002Z"}`
	hist := []string{msg("sevt_1", 1), big, msg("sevt_3", 3)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frames(hist...)), hang()),
		sseConn(write(frame(term("sevt_4", 4))), hang()),
	}, option.WithMaxEventSize(1024))
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.NoError(t, err)
	var got []string
	for s.Next() {
		got = append(got, label(s.Current()))
		if s.Current().EventID() == "sevt_2" {
			require.JSONEq(t, big, string(s.Current().RawJSON()))
		}
	}
	require.NoError(t, s.Err())
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3", "sevt_4"}, got)
	require.ErrorIs(t, n.get()[0].Cause, ErrEventTooLarge)
}

func TestStreamTerminalFoundInBackfill(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), term("sevt_3", 3), msg("sevt_4", 4)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3"}, got)
	require.Equal(t, []string{streamPath, streamPath, listReq("2026-11-24T10:00:00.001Z", "")}, f.requests())
}

func TestStreamFatal404OnReconnect(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		sseConn(write(frame(msg("sevt_1", 1)))),
		reply(404, map[string]string{"Request-Id": "req_1"}, `{"type":"error","error":{"type":"not_found_error","message":"no such session"}}`),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	got, err := drain(s)
	require.Equal(t, []string{"sevt_1"}, got)
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "req_1", apiErr.RequestID)
	require.Equal(t, []string{streamPath, streamPath}, f.requests())
}

func TestStreamFatalOnFirstOpen(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		reply(401, nil, `{"type":"error","error":{"type":"authentication_error","message":"bad key"}}`),
	})
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.Nil(t, s)
	require.ErrorIs(t, err, ErrUnauthorized)
	require.NotContains(t, err.Error(), testAPIKey)
	require.Len(t, f.requests(), 1)
	require.Empty(t, n.get())
}

func TestStreamBudgetExhausted(t *testing.T) {
	t.Run("failed opens", func(t *testing.T) {
		unavailable := reply(503, nil, `{"type":"error","error":{"type":"api_error","message":"down"}}`)
		f, c := newFakeStreams(t, nil, []http.HandlerFunc{
			sseConn(write(frame(msg("sevt_1", 1)))), unavailable, unavailable,
		}, option.WithStreamReconnects(2))
		var n notices
		s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
		require.NoError(t, err)
		require.ErrorIs(t, drainGaveUp(t, s, []string{"sevt_1"}, 2), ErrServer)
		require.Equal(t, []string{streamPath, streamPath, streamPath}, f.requests())
		ns := n.get()
		require.Len(t, ns, 2)
		require.Equal(t, []int{1, 2}, []int{ns[0].Attempt, ns[1].Attempt})
		require.ErrorIs(t, ns[0].Cause, ErrStreamEnded)
		require.ErrorIs(t, ns[1].Cause, ErrServer)
	})
	t.Run("accept and close", func(t *testing.T) {
		// Connections that open and end at once are not healthy: the budget
		// still runs out, with no reconnect storm.
		empty := sseConn()
		f, c := newFakeStreams(t, nil, []http.HandlerFunc{empty, empty, empty}, option.WithStreamReconnects(2))
		s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
		require.NoError(t, err)
		require.ErrorIs(t, drainGaveUp(t, s, nil, 2), ErrStreamEnded)
		gte := "2026-11-24T10:00:00Z"
		require.Equal(t, []string{streamPath, streamPath, listReq(gte, ""), streamPath, listReq(gte, "")}, f.requests())
	})
	t.Run("first open is not a reconnect", func(t *testing.T) {
		f, c := newFakeStreams(t, nil, []http.HandlerFunc{
			reply(502, nil, `bad gateway`),
		}, option.WithStreamReconnects(0))
		_, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "the first open fails like any call")
		require.NotErrorAs(t, err, new(*StreamError))
		require.Equal(t, 502, apiErr.StatusCode)
		require.Len(t, f.requests(), 1)
	})
}

func TestStreamHealthyConnectionResetsBudget(t *testing.T) {
	// Each connection delivers a new event and ends. With a budget of one
	// reconnect in a row the stream carries on, since every connection was
	// healthy, and the backoff restarts from the minimum each time.
	var conns []http.HandlerFunc
	var want []string
	for i := range 4 {
		id := "sevt_" + string(rune('a'+i))
		conns = append(conns, sseConn(write(frame(msg(id, i+1)))))
		want = append(want, id)
	}
	conns = append(conns, sseConn(write(frame(term("sevt_z", 9))), hang()))
	want = append(want, "sevt_z")
	f, c := newFakeStreams(t, nil, conns, option.WithStreamReconnects(1), option.WithStreamBackoff(time.Millisecond, time.Second))
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, want, got)
	for _, r := range n.get() {
		require.Equal(t, 1, r.Attempt)
		require.LessOrEqual(t, r.Delay, time.Millisecond)
	}
	require.Len(t, n.get(), 4)
}

func TestStreamBackoffGrowsAndIsJittered(t *testing.T) {
	s := &EventStream{cfg: NewClient(option.WithStreamBackoff(100*time.Millisecond, 400*time.Millisecond)).cfg}
	for fails, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 9: 400 * time.Millisecond} {
		s.fails = fails
		for range 50 {
			d, ok := s.delay(ErrStreamEnded)
			require.True(t, ok)
			require.GreaterOrEqual(t, d, want*3/4, "the jitter of request retries: at most a quarter off")
			require.LessOrEqual(t, d, want)
		}
	}
}

func TestStreamErrorFrames(t *testing.T) {
	t.Run("temporary", func(t *testing.T) {
		f, c := newFakeStreams(t, nil, []http.HandlerFunc{
			sseConn(write(frame(msg("sevt_1", 1)), "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n"), hang()),
			sseConn(write(frame(term("sevt_2", 2))), hang()),
		})
		var n notices
		s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
		require.NoError(t, err)
		got, err := drain(s)
		require.NoError(t, err)
		require.Equal(t, []string{"sevt_1", "sevt_2"}, got)
		var apiErr *APIError
		require.ErrorAs(t, n.get()[0].Cause, &apiErr)
		require.Equal(t, 0, apiErr.StatusCode)
		require.ErrorIs(t, apiErr, ErrOverloaded)
		require.Len(t, f.requests(), 3)
	})
	t.Run("final", func(t *testing.T) {
		f, c := newFakeStreams(t, nil, []http.HandlerFunc{
			sseConn(write(frame(msg("sevt_1", 1)), "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"no\"}}\n\n"), hang()),
		})
		s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
		require.NoError(t, err)
		got, err := drain(s)
		require.Equal(t, []string{"sevt_1"}, got)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "permission_error", apiErr.Type)
		require.ErrorIs(t, err, ErrPermissionDenied)
		require.Len(t, f.requests(), 1)
	})
}

func TestStreamPreviewsPassThroughAndAreNotReplayed(t *testing.T) {
	fr, persisted := transcript(t, "turn.sse")
	// Frames 0-5: the first connection ends inside a preview (after a delta).
	// The backfill brings the buffered agent.message, never the previews; the
	// list has a stray preview that must be dropped.
	hist := append([]string{}, persisted[:6]...)
	hist = append(hist[:5], append([]string{`{"type":"event_delta","event_id":"sevt_x","delta":{}}`}, hist[5:]...)...)
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(fr[:6]...)),
		sseConn(write(frame(term("sevt_end", 320_000))), hang()),
	}, option.WithBetas("x"))
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{EventDeltas: []EventType{EventTypeAgentMessage}, OnReconnect: n.add})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{
		"sevt_011CnRyjP2WPBg8Y4ErK9pGS", "sevt_011CSxY6BVScJy9uUxcJnTPk", "sevt_011CyRFA6CAFjF1YveCHK1AT",
		"sevt_011CbQgdM9mwZgikp4Wzxrxk", "event_start", "event_delta",
		"sevt_011CtcSSSS7XhS4D5EVB8Nf4", "sevt_011C71dAb7Qg25xEgRAhHPfQ", "sevt_end",
	}, got)
}

func TestStreamEventDeltasParam(t *testing.T) {
	t.Run("sent on every open", func(t *testing.T) {
		f, c := newFakeStreams(t, nil, []http.HandlerFunc{
			sseConn(write(frame(msg("sevt_1", 1)))),
			sseConn(write(frame(term("sevt_2", 2))), hang()),
		})
		s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{EventDeltas: []EventType{"agent.message", "agent.thinking"}})
		require.NoError(t, err)
		_, err = drain(s)
		require.NoError(t, err)
		q := "?event_deltas%5B%5D=agent.message&event_deltas%5B%5D=agent.thinking"
		require.Equal(t, []string{streamPath + q, streamPath + q, listReq("2026-11-24T10:00:00.001Z", "")}, f.requests())
	})
	t.Run("validated", func(t *testing.T) {
		f, c := newFakeStreams(t, nil, nil)
		for _, deltas := range [][]EventType{{"agent.tool_use"}, {""}, make([]EventType, 101)} {
			if len(deltas) == 101 {
				for i := range deltas {
					deltas[i] = "agent.message"
				}
			}
			_, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{EventDeltas: deltas})
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			require.Equal(t, "event_deltas", verr.Field)
		}
		_, err := c.Sessions.Events.Stream(f.ctx, "", EventStreamParams{})
		require.ErrorIs(t, err, ErrInvalidParams)
		_, err = c.Sessions.Threads.Events.Stream(f.ctx, "sesn_1", "a/b", EventStreamParams{})
		require.ErrorIs(t, err, ErrInvalidParams)
		require.Empty(t, f.requests())
	})
}

func TestStreamCloseWhileNextBlocks(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		sseConn(write(frame(msg("sevt_1", 1))), hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	require.True(t, s.Next())
	go func() {
		for { // until Next waits (else Close would only end the stream before it)
			s.mu.Lock()
			waiting := s.inNext
			s.mu.Unlock()
			if waiting {
				break
			}
			runtime.Gosched()
		}
		s.Close()
	}()
	// Only Close can end it: the connection stays open, and a failure would
	// be an error (the fake's context ends it after 20 s).
	require.False(t, s.Next())
	require.NoError(t, s.Err())
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	require.False(t, s.Next())
	require.Nil(t, s.Current())
}

func TestStreamCloseBeforeReading(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{sseConn(hang())})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.False(t, s.Next())
	for range s.All() {
		t.Fatal("All after Close yielded")
	}
}

// Close during the backoff ends the wait at once: on a fake clock the 10 s
// backoff never passes, so only Close can end it.
func TestStreamCloseDuringBackoff(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		sseConn(write(frame(msg("sevt_1", 1)))),
	})
	clk := fakeClock(c)
	c.cfg.StreamBackoffMin, c.cfg.StreamBackoffMax = 10*time.Second, 10*time.Second
	var s *EventStream
	var err error
	s, err = c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: func(StreamReconnect) {
		go func() {
			_, _ = clk.WaitPending(f.ctx, func(p []time.Duration) bool { return len(p) > 0 }) // the backoff began
			s.Close()
		}()
	}})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1"}, got)
	require.Empty(t, clk.Pending(), "the backoff's timer is stopped")
	require.Len(t, f.requests(), 1, "no reopen")
}

func TestStreamContextCancelled(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		sseConn(write(frame(msg("sevt_1", 1))), hang()),
	})
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	s, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	defer s.Close()
	var got []string
	var last error
	for ev, err := range s.All() {
		if err != nil {
			require.Nil(t, ev)
			last = err
			continue
		}
		got = append(got, ev.EventID())
		cancel()
	}
	require.Equal(t, []string{"sevt_1"}, got)
	require.ErrorIs(t, last, context.Canceled)
	require.ErrorIs(t, s.Err(), context.Canceled)
}

func TestStreamAllStopsEarly(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		sseConn(write(frames(msg("sevt_1", 1), msg("sevt_2", 2))), hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	for ev, err := range s.All() {
		require.NoError(t, err)
		require.Equal(t, "sevt_1", ev.EventID())
		break
	}
	// The connection is released when the loop breaks, even without Close.
	require.False(t, s.Next())
}

func TestStreamContextCancelledWhileOpening(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) {
			cancel() // during the wait before the retry
			reply(503, nil, `{}`)(w, r)
		},
	}, option.WithMaxRetries(1))
	c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = 10*time.Second, 10*time.Second
	_, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{})
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, f.requests(), 1)
}

func TestStreamManyEventsKeepsDedupeBounded(t *testing.T) {
	const n = 20_000
	var b strings.Builder
	for i := range n {
		b.WriteString(frame(msg("sevt_"+strconv.Itoa(i), i/3))) // three events per timestamp
	}
	b.WriteString(frame(term("sevt_end", n)))
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{sseConn(write(b.String()), hang())})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	count := 0
	for s.Next() {
		count++
		require.LessOrEqual(t, s.dd.size(), 3, "the ids at the cursor only")
	}
	require.NoError(t, s.Err())
	require.Equal(t, n+1, count)
}

func TestThreadStream(t *testing.T) {
	hist := []string{msg("sevt_0", 0), msg("sevt_1", 1), msg("sevt_2", 2), msg("sevt_3", 3), msg("sevt_4", 4)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frames(hist[1], hist[2]))),
		sseConn(write(frames(hist[4], term("sevt_5", 5))), hang()),
	})
	s, err := c.Sessions.Threads.Events.Stream(f.ctx, "sesn_1", "sthr_1", EventStreamParams{EventDeltas: []EventType{"agent.thinking"}})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	// The thread list has no time filter: the backfill lists it all and keeps
	// what was processed at or after the cursor.
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3", "sevt_4", "sevt_5"}, got)
	sp := "GET /v1/sessions/sesn_1/threads/sthr_1/stream?event_deltas%5B%5D=agent.thinking"
	lp := "GET /v1/sessions/sesn_1/threads/sthr_1/events"
	require.Equal(t, []string{sp, sp, lp, lp + "?page=p3"}, f.requests())
}

func TestStreamSinceReplaysHistoryAfterOpening(t *testing.T) {
	hist := []string{msg("sevt_old", -5_000), msg("sevt_1", 1), msg("sevt_2", 2)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frames(hist[2], msg("sevt_3", 3), term("sevt_4", 4))), hang()),
	})
	since := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{Since: since})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3", "sevt_4"}, got)
	require.Equal(t, []string{streamPath, listReq("2026-11-24T10:00:00Z", "")}, f.requests())
}

func TestStreamConcurrentNextReturnsFalse(t *testing.T) {
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{sseConn(hang())})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	first := make(chan bool)
	go func() { first <- s.Next() }()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.inNext
	}, 5*time.Second, time.Millisecond)
	require.False(t, s.Next(), "a second concurrent Next")
	require.NoError(t, s.Close())
	require.False(t, <-first)
}

// countingLimiter records the class of every slot taken.
type countingLimiter struct {
	mu      sync.Mutex
	classes []ratelimit.Class
}

func (l *countingLimiter) Acquire(ctx context.Context, c ratelimit.Class) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.classes = append(l.classes, c)
	return nil
}

func (l *countingLimiter) Pause(context.Context, ratelimit.Class, time.Duration) {}

func TestStreamTakesAReadSlotPerOpenAndPage(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), msg("sevt_3", 3), msg("sevt_4", 4), msg("sevt_5", 5)}
	lim := &countingLimiter{}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(write(frame(term("sevt_6", 6))), hang()),
	}, option.WithLimiter(lim))
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3", "sevt_4", "sevt_5", "sevt_6"}, got)
	require.Len(t, f.requests(), 4) // two opens, two list pages
	require.Equal(t, []ratelimit.Class{ratelimit.Read, ratelimit.Read, ratelimit.Read, ratelimit.Read}, lim.classes)
}

func TestStreamQueuedCopyDeliveredOnce(t *testing.T) {
	queued := `{"type":"user.message","id":"sevt_u","content":[],"processed_at":null}`
	processed := `{"type":"user.message","id":"sevt_u","content":[],"processed_at":"2026-11-24T10:00:00.005Z"}`
	hist := []string{msg("sevt_1", 1), processed, msg("sevt_2", 6)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frames(msg("sevt_1", 1), queued, processed))),
		sseConn(write(frame(term("sevt_3", 7))), hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	var got []string
	for s.Next() {
		got = append(got, label(s.Current()))
		if s.Current().EventID() == "sevt_u" {
			require.True(t, s.Current().EventProcessedAt().IsZero(), "the first copy wins")
		}
	}
	require.NoError(t, s.Err())
	require.Equal(t, []string{"sevt_1", "sevt_u", "sevt_2", "sevt_3"}, got)
	// The queued copy did not move the cursor; the processed copy, a
	// duplicate, was dropped but moved it (a backfill from before it would
	// list it again).
	require.Equal(t, []string{streamPath, streamPath, listReq("2026-11-24T10:00:00.005Z", "")}, f.requests())
}

func TestStreamNetworkErrorIsADisconnect(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]), "event: agent.message\ndata: {\"type\":\"agent.me"), abort()),
		sseConn(write(frame(term("sevt_3", 3))), hang()),
	})
	var n notices
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{OnReconnect: n.add})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_2", "sevt_3"}, got)
	require.Equal(t, []string{streamPath, streamPath, listReq("2026-11-24T10:00:00.001Z", "")}, f.requests())
	require.Len(t, n.get(), 1)
	cause := n.get()[0].Cause
	require.NotErrorIs(t, cause, ErrStreamEnded)
	require.ErrorIs(t, cause, io.ErrUnexpectedEOF)
}

// A context cancelled while a backfill page is being delivered ends the stream
// at once: Next does not go on delivering the rest of the page.
func TestStreamCancelStopsMidBackfillPage(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), msg("sevt_3", 3)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(hang()),
	})
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	s, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	defer s.Close()
	var got []string
	for s.Next() {
		got = append(got, label(s.Current()))
		if s.Current().EventID() == "sevt_2" {
			cancel()
		}
	}
	require.Equal(t, []string{"sevt_1", "sevt_2"}, got)
	require.ErrorIs(t, s.Err(), context.Canceled)
}

// Close called in the body of an All loop ends the loop at once, even when
// more events of a backfill page are already in memory.
func TestStreamCloseInAllStopsMidBackfillPage(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_2", 2), msg("sevt_3", 3)}
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
	require.NoError(t, err)
	var got []string
	for ev, err := range s.All() {
		require.NoError(t, err)
		got = append(got, label(ev))
		if ev.EventID() == "sevt_2" {
			require.NoError(t, s.Close())
		}
	}
	require.Equal(t, []string{"sevt_1", "sevt_2"}, got)
	require.NoError(t, s.Err())
}

// After a reconnect, the new connection may carry the previews of an event the
// backfill already delivered whole. Delivering them after their buffered
// event would leave a preview that nothing ever closes (the buffered copy is a
// duplicate): they are dropped.
func TestStreamStalePreviewsAfterBackfillAreDropped(t *testing.T) {
	hist := []string{msg("sevt_1", 1), msg("sevt_x", 2)}
	start := `{"type":"event_start","event":{"type":"agent.message","id":"sevt_x"}}`
	delta := `{"type":"event_delta","event_id":"sevt_x","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":"hi"}}}`
	startY := `{"type":"event_start","event":{"type":"agent.message","id":"sevt_y"}}`
	f, c := newFakeStreams(t, hist, []http.HandlerFunc{
		sseConn(write(frame(hist[0]))),
		sseConn(write(frames(start, delta, hist[1], startY, msg("sevt_y", 3), term("sevt_z", 4))), hang()),
	})
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{EventDeltas: []EventType{EventTypeAgentMessage}})
	require.NoError(t, err)
	got, err := drain(s)
	require.NoError(t, err)
	require.Equal(t, []string{"sevt_1", "sevt_x", "event_start", "sevt_y", "sevt_z"}, got)
}

// Close from another goroutine at any moment of a stream that reconnects and
// backfills: Next returns false, Err is nil, nothing leaks (the fake checks
// goroutines), and the race detector finds nothing. Each connection brings a
// new event and ends, so the stream never spends its reconnect budget, and the
// last one stays open: only Close can end the stream, wherever it is.
func TestStreamCloseRacesNext(t *testing.T) {
	const conns = 50
	var hist []string
	for i := range conns {
		hist = append(hist, msg("sevt_"+strconv.Itoa(i), i))
	}
	for i := range 20 {
		// A subtest per round, so that each fake's goroutine check runs when
		// its round ends, not after the other rounds' servers started.
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var handlers []http.HandlerFunc
			for j := range conns - 1 {
				handlers = append(handlers, sseConn(write(frame(hist[j]))))
			}
			handlers = append(handlers, sseConn(hang()))
			f, c := newFakeStreams(t, hist[:1], handlers)
			s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{})
			require.NoError(t, err)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for s.Next() {
					_ = s.Current()
				}
			}()
			time.Sleep(time.Duration(i) * 100 * time.Microsecond) // a different moment each round
			require.NoError(t, s.Close())
			<-done // the fake's context ends the stream with an error after 20 s otherwise
			require.NoError(t, s.Err())
		})
	}
}
