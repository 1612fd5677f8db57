package otelmanagedagents

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// Names of the span of a stream's life and of its events.
const (
	spanEventStream = "anthropic.event_stream"
	eventReconnect  = "anthropic.stream.reconnect"
	eventBackfill   = "anthropic.stream.backfill"
)

// Operations of the two streams, the anthropic.operation.name of their metrics.
const (
	opSessionStream = "sessions.events.stream"
	opThreadStream  = "sessions.threads.events.stream"
)

// EventStream is a [managedagents.EventStream] whose whole life, across its
// reconnects, is the INTERNAL span anthropic.event_stream: each connection's
// CLIENT span (anthropic.sessions.events.stream) and each backfill page's
// (anthropic.sessions.events.list) are its children; each reconnect is an
// anthropic.stream.reconnect event and each backfill an
// anthropic.stream.backfill event on it; at its end it tells the events
// passed on, the reconnects and the events backfilled. It has the methods of
// the stream it wraps; read it with Next and Current, or All, and Close it
// when done (as the stream itself), which ends the span.
//
// The span's status is unset when the stream ended at its terminal event,
// was closed, or its context was canceled, and ERROR with error.type when it
// failed (a *managedagents.StreamError's cause, an API error, a deadline).
type EventStream struct {
	*managedagents.EventStream
	life *streamLife
}

// Stream opens client.Sessions.Events.Stream(ctx, sessionID, params, opts...)
// inside the span of its life (see [EventStream]). params' OnReconnect and
// OnBackfill, if set, still run, after the telemetry's.
//
// GET /v1/sessions/{session_id}/events/stream
func (t *Telemetry) Stream(ctx context.Context, client *managedagents.Client, sessionID string, params managedagents.EventStreamParams, opts ...option.RequestOption) (*EventStream, error) {
	life := t.startStream(ctx, opSessionStream, keySessionID.String(sessionID))
	s, err := client.Sessions.Events.Stream(life.ctx, sessionID, life.params(params), opts...)
	return life.wrap(s, err)
}

// ThreadStream opens client.Sessions.Threads.Events.Stream(ctx, sessionID,
// threadID, params, opts...) inside the span of its life (see [EventStream]).
//
// GET /v1/sessions/{session_id}/threads/{thread_id}/stream
func (t *Telemetry) ThreadStream(ctx context.Context, client *managedagents.Client, sessionID, threadID string, params managedagents.EventStreamParams, opts ...option.RequestOption) (*EventStream, error) {
	life := t.startStream(ctx, opThreadStream, keySessionID.String(sessionID),
		keySessionThreadID.String(threadID), keyConversationID.String(threadID))
	s, err := client.Sessions.Threads.Events.Stream(life.ctx, sessionID, threadID, life.params(params), opts...)
	return life.wrap(s, err)
}

// Next advances to the next event, as [managedagents.EventStream.Next]; once
// it returns false the span has ended.
func (s *EventStream) Next() bool {
	if !s.EventStream.Next() {
		s.life.end(s.EventStream.Err())
		return false
	}
	s.life.observer.event(s.EventStream.Current())
	return true
}

// All returns an iterator over the events, as [managedagents.EventStream.All];
// the span ends when the loop does.
func (s *EventStream) All() iter.Seq2[managedagents.Event, error] {
	return func(yield func(managedagents.Event, error) bool) {
		var end error
		defer func() { s.life.end(end) }()
		for ev, err := range s.EventStream.All() {
			if err != nil {
				end = err
				yield(nil, err)
				return
			}
			s.life.observer.event(ev)
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// Close closes the stream, as [managedagents.EventStream.Close], and ends the
// span without a status.
func (s *EventStream) Close() error {
	err := s.EventStream.Close()
	s.life.end(nil)
	return err
}

// streamLife is the span of a stream's life.
type streamLife struct {
	t        *Telemetry
	ctx      context.Context // carries the span: the stream's calls are its children
	span     trace.Span
	observer *streamObserver
	active   metric.MeasurementOption
	once     sync.Once
}

// startStream starts the span of the life of a stream of op with ids.
func (t *Telemetry) startStream(ctx context.Context, op string, ids ...attribute.KeyValue) *streamLife {
	l := &streamLife{t: t, ctx: ctx, span: trace.SpanFromContext(context.Background())}
	guard(func() {
		attrs := append([]attribute.KeyValue{providerAnthropic}, ids...)
		l.ctx, l.span = t.tracer.Start(ctx, spanEventStream, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	})
	l.observer = t.newStreamObserver(l.ctx, l.span, op)
	l.active = metric.WithAttributes(keyOperationName.String(op))
	guard(func() { t.m.streamActive.Add(l.ctx, 1, l.active) })
	return l
}

// params returns p with the observer's hooks before p's own.
func (l *streamLife) params(p managedagents.EventStreamParams) managedagents.EventStreamParams {
	p.OnReconnect = l.observer.onReconnect(p.OnReconnect)
	p.OnBackfill = l.observer.onBackfill(p.OnBackfill)
	return p
}

// wrap returns s in an EventStream, or ends the span with the error of its
// open.
func (l *streamLife) wrap(s *managedagents.EventStream, err error) (*EventStream, error) {
	if err != nil {
		l.end(err)
		return nil, err
	}
	return &EventStream{EventStream: s, life: l}, nil
}

// end ends the span once, with the error that ended the stream (nil for an
// end at its terminal event or by Close).
func (l *streamLife) end(err error) {
	l.once.Do(func() {
		guard(func() {
			defer l.span.End()
			l.t.m.streamActive.Add(l.ctx, -1, l.active)
			l.span.SetAttributes(l.observer.totals()...)
			setErrorStatus(l.span, err)
		})
	})
}

// setErrorStatus sets the status of a span that ended with err: none for nil
// or a cancellation, ERROR with error.type otherwise.
func setErrorStatus(span trace.Span, err error) {
	if err == nil || canceled(err) {
		return
	}
	span.SetStatus(codes.Error, "")
	span.SetAttributes(keyErrorType.String(errorType(err)))
}

// streamObserver records what a stream does on a span (the stream's life, or
// a turn's) and in the stream metrics.
type streamObserver struct {
	t                              *Telemetry
	ctx                            context.Context
	span                           trace.Span
	op                             attribute.KeyValue
	events, reconnects, backfilled atomic.Int64
}

func (t *Telemetry) newStreamObserver(ctx context.Context, span trace.Span, op string) *streamObserver {
	return &streamObserver{t: t, ctx: ctx, span: span, op: keyOperationName.String(op)}
}

// event counts an event passed on to the reader.
func (o *streamObserver) event(ev managedagents.Event) {
	o.events.Add(1)
	guard(func() {
		o.t.m.streamEvents.Add(o.ctx, 1, metric.WithAttributes(o.op, keyEventType.String(eventTypeOf(ev))))
	})
}

// eventTypeOf is the anthropic.event.type of ev: its type, or "unknown" for a
// type this SDK does not know (which the server chooses, so is not bounded).
func eventTypeOf(ev managedagents.Event) string {
	if _, ok := ev.(*managedagents.UnknownEvent); ok || ev == nil {
		return "unknown"
	}
	return string(ev.EventType())
}

// onReconnect returns an OnReconnect hook that records r, then calls user.
func (o *streamObserver) onReconnect(user func(managedagents.StreamReconnect)) func(managedagents.StreamReconnect) {
	return func(r managedagents.StreamReconnect) {
		o.reconnects.Add(1)
		guard(func() {
			cause := keyErrorType.String(errorType(r.Cause))
			o.t.m.reconnects.Add(o.ctx, 1, metric.WithAttributes(o.op, cause))
			o.span.AddEvent(eventReconnect, trace.WithAttributes(
				keyReconnectAttempt.Int(r.Attempt),
				keyReconnectDelay.Float64(r.Delay.Seconds()),
				cause))
		})
		if user != nil {
			user(r)
		}
	}
}

// onBackfill returns an OnBackfill hook that records b, then calls user.
func (o *streamObserver) onBackfill(user func(managedagents.StreamBackfill)) func(managedagents.StreamBackfill) {
	return func(b managedagents.StreamBackfill) {
		o.backfilled.Add(int64(b.Events))
		guard(func() {
			o.t.m.backfilled.Add(o.ctx, int64(b.Events), metric.WithAttributes(o.op))
			o.span.AddEvent(eventBackfill, trace.WithAttributes(
				keyBackfillPages.Int(b.Pages),
				keyBackfillEvents.Int(b.Events)))
		})
		if user != nil {
			user(b)
		}
	}
}

// totals returns the attributes of the stream's counts.
func (o *streamObserver) totals() []attribute.KeyValue {
	return []attribute.KeyValue{
		keyStreamEvents.Int64(o.events.Load()),
		keyStreamReconnects.Int64(o.reconnects.Load()),
		keyStreamBackfilled.Int64(o.backfilled.Load()),
	}
}
