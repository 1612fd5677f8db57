package otelmanagedagents

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// twoMessages is a script that says two things and goes idle.
func twoMessages(tu *managedagentstest.Turn) {
	tu.Message("hello")
	tu.Message("world")
	tu.Idle("end_turn")
}

// readUntilIdle reads s until a session.status_idle and returns the types read.
func readUntilIdle(t *testing.T, s *EventStream) []managedagents.EventType {
	t.Helper()
	var types []managedagents.EventType
	for s.Next() {
		types = append(types, s.Current().EventType())
		if s.Current().EventType() == managedagents.EventTypeSessionStatusIdle {
			return types
		}
	}
	t.Fatalf("the stream ended before the idle: %v", s.Err())
	return nil
}

func send(t *testing.T, h *harness, sessionID, text string) {
	t.Helper()
	_, err := h.client.Sessions.Events.Send(h.ctx, sessionID, managedagents.SessionEventSendParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage(text)}})
	require.NoError(t, err)
}

// TestStreamLifeSpanAcrossACut: a stream cut after one frame is one
// anthropic.event_stream span whose children are both connections and the
// backfill page; the reconnect and the backfill are its events; Close ends
// it, and the open connection's span, without a status.
func TestStreamLifeSpanAcrossACut(t *testing.T) {
	h := newHarness(t, []managedagentstest.ServerOption{managedagentstest.WithScript(twoMessages)})
	_, _, sessionID := h.seed()
	h.srv.CutStreamAfter(2)
	var backfills []managedagents.StreamBackfill
	s, err := h.tel.Stream(h.ctx, h.client, sessionID, managedagents.EventStreamParams{
		OnBackfill: func(b managedagents.StreamBackfill) { backfills = append(backfills, b) },
	})
	require.NoError(t, err)
	send(t, h, sessionID, "hi")
	types := readUntilIdle(t, s)
	require.NoError(t, s.Close())
	require.Len(t, backfills, 1, "the application's hook still runs")

	life := h.one(spanEventStream)
	require.Equal(t, trace.SpanKindInternal, life.SpanKind())
	require.Equal(t, codes.Unset, life.Status().Code)
	requireAttrs(t, life, map[attribute.Key]any{
		"anthropic.session.id":        sessionID,
		"anthropic.stream.events":     int64(len(types)),
		"anthropic.stream.reconnects": int64(1),
		"anthropic.stream.backfilled": int64(backfills[0].Events),
	}, "error.type", "anthropic.session.thread.id")
	require.Len(t, life.Events(), 2)
	require.Equal(t, eventReconnect, life.Events()[0].Name)
	require.Equal(t, eventBackfill, life.Events()[1].Name)
	require.Contains(t, life.Events()[1].Attributes, keyBackfillPages.Int(backfills[0].Pages))

	conns := h.ended("anthropic.sessions.events.stream")
	require.Len(t, conns, 2)
	for _, c := range conns {
		require.Equal(t, life.SpanContext().SpanID(), c.Parent().SpanID())
		require.Equal(t, codes.Unset, c.Status().Code, "a stream connection never ends OK")
		requireAttrs(t, c, map[attribute.Key]any{"http.response.status_code": int64(200)}, "error.type")
	}
	for _, l := range h.ended("anthropic.sessions.events.list") {
		require.Equal(t, life.SpanContext().SpanID(), l.Parent().SpanID())
	}

	op := keyOperationName.String(opSessionStream)
	require.Equal(t, int64(0), h.sum(metricStreamActive, op))
	require.Equal(t, int64(1), h.sum(metricStreamEvents, op, keyEventType.String("session.status_idle")))
	require.Equal(t, int64(2), h.sum(metricStreamEvents, op, keyEventType.String("agent.message")))
	require.Equal(t, int64(backfills[0].Events), h.sum(metricStreamBackfilled, op))
	// Two opens measured (not their whole connections), both 200.
	dp, ok := h.histogram(metricCallDuration, op, keyHTTPMethod.String("GET"), keyHTTPStatusCode.Int(200))
	require.True(t, ok)
	require.Equal(t, uint64(2), dp.Count)
}

// TestStreamAllEndsTheSpanAtTheTerminalEvent: read with All, a stream that
// ends at session.status_terminated ends its span without a status; while it
// is open the active-streams gauge counts it.
func TestStreamAllEndsTheSpanAtTheTerminalEvent(t *testing.T) {
	h := newHarness(t, []managedagentstest.ServerOption{managedagentstest.WithScript(func(tu *managedagentstest.Turn) {
		tu.Message("bye")
		tu.Terminate()
	})})
	_, _, sessionID := h.seed()
	s, err := h.tel.Stream(h.ctx, h.client, sessionID, managedagents.EventStreamParams{})
	require.NoError(t, err)
	op := keyOperationName.String(opSessionStream)
	require.Equal(t, int64(1), h.sum(metricStreamActive, op))
	send(t, h, sessionID, "hi")
	var last managedagents.Event
	for ev, err := range s.All() {
		require.NoError(t, err)
		last = ev
	}
	require.True(t, managedagents.IsTerminal(last))
	life := h.one(spanEventStream)
	require.Equal(t, codes.Unset, life.Status().Code)
	requireAttrs(t, life, nil, "error.type")
	require.Equal(t, int64(0), h.sum(metricStreamActive, op))
}

// TestStreamOpenFailureFailsBothSpans: a stream of an unknown session fails
// to open: its connection's span and its life's span are ERROR with the
// API's error type.
func TestStreamOpenFailureFailsBothSpans(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.tel.Stream(h.ctx, h.client, "sesn_unknown", managedagents.EventStreamParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	for _, name := range []string{spanEventStream, "anthropic.sessions.events.stream"} {
		s := h.one(name)
		require.Equal(t, codes.Error, s.Status().Code, name)
		requireAttrs(t, s, map[attribute.Key]any{"error.type": "not_found_error"})
	}
	requireAttrs(t, h.one("anthropic.sessions.events.stream"), map[attribute.Key]any{"http.response.status_code": int64(404)})
	require.Equal(t, int64(0), h.sum(metricStreamActive, keyOperationName.String(opSessionStream)))
}

// TestStreamFatalErrorFrameFailsTheLifeSpan: an error frame of a type that
// ends the stream fails the life's span with that type.
func TestStreamFatalErrorFrameFailsTheLifeSpan(t *testing.T) {
	h := newHarness(t, []managedagentstest.ServerOption{managedagentstest.WithScript(twoMessages)})
	_, _, sessionID := h.seed()
	h.srv.InjectErrorFrame(1, "invalid_request_error")
	s, err := h.tel.Stream(h.ctx, h.client, sessionID, managedagents.EventStreamParams{})
	require.NoError(t, err)
	send(t, h, sessionID, "hi")
	for s.Next() {
	}
	require.ErrorIs(t, s.Err(), managedagents.ErrBadRequest)
	life := h.one(spanEventStream)
	require.Equal(t, codes.Error, life.Status().Code)
	requireAttrs(t, life, map[attribute.Key]any{"error.type": "invalid_request_error"})
}

// TestStreamCanceledLeavesStatusUnset: the application's cancel ends the
// stream, its span and its connection's span without a status; a deadline
// is a client timeout.
func TestStreamCanceledLeavesStatusUnset(t *testing.T) {
	h := newHarness(t, nil)
	_, _, sessionID := h.seed()
	ctx, cancel := context.WithCancel(h.ctx)
	s, err := h.tel.Stream(ctx, h.client, sessionID, managedagents.EventStreamParams{})
	require.NoError(t, err)
	time.AfterFunc(10*time.Millisecond, cancel)
	for s.Next() {
	}
	require.ErrorIs(t, s.Err(), context.Canceled)
	require.Equal(t, codes.Unset, h.one(spanEventStream).Status().Code)
	conn := h.one("anthropic.sessions.events.stream")
	require.Equal(t, codes.Unset, conn.Status().Code)
	requireAttrs(t, conn, nil, "error.type")

	ctx, cancel = context.WithTimeout(h.ctx, 20*time.Millisecond)
	defer cancel()
	s, err = h.tel.Stream(ctx, h.client, sessionID, managedagents.EventStreamParams{})
	require.NoError(t, err)
	for s.Next() {
	}
	require.ErrorIs(t, s.Err(), context.DeadlineExceeded)
	timedOut := h.ended(spanEventStream)[1]
	require.Equal(t, codes.Error, timedOut.Status().Code)
	requireAttrs(t, timedOut, map[attribute.Key]any{"error.type": "client_timeout_error"})
}

// TestThreadStreamSpanNamesTheThread: a thread's stream span has the thread
// as anthropic.session.thread.id and gen_ai.conversation.id, as its
// connection's span has.
func TestThreadStreamSpanNamesTheThread(t *testing.T) {
	h := newHarness(t, nil)
	_, _, sessionID := h.seed()
	_, err := h.tel.ThreadStream(h.ctx, h.client, sessionID, "sthr_unknown", managedagents.EventStreamParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	want := map[attribute.Key]any{
		"anthropic.session.id":        sessionID,
		"anthropic.session.thread.id": "sthr_unknown",
		"gen_ai.conversation.id":      "sthr_unknown",
	}
	requireAttrs(t, h.one(spanEventStream), want)
	conn := h.one("anthropic.sessions.threads.events.stream")
	requireAttrs(t, conn, want)
	requireAttrs(t, conn, map[attribute.Key]any{"http.route": "/v1/sessions/{session_id}/threads/{thread_id}/stream"})
}

// TestStreamIdleConnectionFailsItsSpan: a connection silent past the idle
// timeout fails its own span with stream_idle; the stream reconnects, says
// why on its life's span, and goes on.
func TestStreamIdleConnectionFailsItsSpan(t *testing.T) {
	h := newHarness(t, []managedagentstest.ServerOption{managedagentstest.WithScript(twoMessages), managedagentstest.WithHeartbeat(0, 0)},
		option.WithStreamIdleTimeout(100*time.Millisecond))
	_, _, sessionID := h.seed()
	h.srv.StallStream(1, 400*time.Millisecond, false)
	s, err := h.tel.Stream(h.ctx, h.client, sessionID, managedagents.EventStreamParams{})
	require.NoError(t, err)
	send(t, h, sessionID, "hi")
	readUntilIdle(t, s)
	require.NoError(t, s.Close())
	conns := h.ended("anthropic.sessions.events.stream")
	require.Len(t, conns, 2)
	require.Equal(t, codes.Error, conns[0].Status().Code)
	requireAttrs(t, conns[0], map[attribute.Key]any{"error.type": "stream_idle"})
	require.Equal(t, codes.Unset, conns[1].Status().Code)
	reconnect := h.one(spanEventStream).Events()[0]
	require.Equal(t, eventReconnect, reconnect.Name)
	require.Contains(t, reconnect.Attributes, keyErrorType.String("stream_idle"))
}

// TestStreamClosedDuringAReadLeavesStatusUnset: a Close from another
// goroutine while Next waits on the connection ends both spans without a
// status: the application ended the stream, nothing failed.
func TestStreamClosedDuringAReadLeavesStatusUnset(t *testing.T) {
	h := newHarness(t, nil)
	_, _, sessionID := h.seed()
	s, err := h.tel.Stream(h.ctx, h.client, sessionID, managedagents.EventStreamParams{})
	require.NoError(t, err)
	done := make(chan bool)
	go func() { done <- s.Next() }()
	time.Sleep(20 * time.Millisecond) // let Next wait on the connection
	require.NoError(t, s.Close())
	require.False(t, <-done)
	for _, name := range []string{spanEventStream, "anthropic.sessions.events.stream"} {
		span := h.one(name)
		require.Equal(t, codes.Unset, span.Status().Code, name)
		requireAttrs(t, span, nil, "error.type")
	}
}
