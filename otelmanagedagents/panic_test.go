package otelmanagedagents

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// panicky says where a tracer panics: at the start of a span, or in its
// methods.
type panicky struct {
	start, span bool
}

type panickyTP struct {
	tracenoop.TracerProvider
	p panicky
}

func (tp panickyTP) Tracer(string, ...trace.TracerOption) trace.Tracer { return panickyTracer{p: tp.p} }

type panickyTracer struct {
	tracenoop.Tracer
	p panicky
}

func (t panickyTracer) Start(ctx context.Context, _ string, _ ...trace.SpanStartOption) (context.Context, trace.Span) {
	if t.p.start {
		panic("tracer")
	}
	s := panickySpan{p: t.p}
	return trace.ContextWithSpan(ctx, s), s
}

type panickySpan struct {
	tracenoop.Span
	p panicky
}

func (s panickySpan) IsRecording() bool { return true }
func (s panickySpan) SetAttributes(...attribute.KeyValue) {
	if s.p.span {
		panic("span")
	}
}
func (s panickySpan) AddEvent(string, ...trace.EventOption) {
	if s.p.span {
		panic("span")
	}
}
func (s panickySpan) SetStatus(codes.Code, string) {
	if s.p.span {
		panic("span")
	}
}
func (s panickySpan) End(...trace.SpanEndOption) {
	if s.p.span {
		panic("span")
	}
}

type panickyPropagator struct{ propagation.TraceContext }

func (panickyPropagator) Inject(context.Context, propagation.TextMapCarrier) { panic("propagator") }

type panickyMP struct{ metricnoop.MeterProvider }

func (panickyMP) Meter(string, ...metric.MeterOption) metric.Meter { return panickyMeter{} }

type panickyMeter struct{ metricnoop.Meter }

func (panickyMeter) Int64Counter(string, ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return panickyCounter{}, nil
}
func (panickyMeter) Int64UpDownCounter(string, ...metric.Int64UpDownCounterOption) (metric.Int64UpDownCounter, error) {
	return panickyUpDown{}, nil
}
func (panickyMeter) Float64Histogram(string, ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	return panickyHistogram{}, nil
}

type panickyCounter struct{ metricnoop.Int64Counter }

func (panickyCounter) Add(context.Context, int64, ...metric.AddOption) { panic("counter") }

type panickyUpDown struct{ metricnoop.Int64UpDownCounter }

func (panickyUpDown) Add(context.Context, int64, ...metric.AddOption) { panic("updown") }

type panickyHistogram struct{ metricnoop.Float64Histogram }

func (panickyHistogram) Record(context.Context, float64, ...metric.RecordOption) { panic("histogram") }

// handled counts what otel.Handle receives during a test.
type handled struct{ n atomic.Int64 }

func (h *handled) Handle(error) { h.n.Add(1) }

// TestTelemetryPanicsNeverFailACall: a tracer, span, propagator or meter
// that panics costs the telemetry, never the call, the stream, the turn or
// the tool; the panics go to otel.Handle.
func TestTelemetryPanicsNeverFailACall(t *testing.T) {
	errs := &handled{}
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(errs)
	t.Cleanup(func() { otel.SetErrorHandler(prev) })

	for name, opts := range map[string][]Option{
		"tracer":     {WithTracerProvider(panickyTP{p: panicky{start: true}})},
		"span":       {WithTracerProvider(panickyTP{p: panicky{span: true}})},
		"propagator": {WithTracerProvider(panickyTP{}), WithPropagators(panickyPropagator{})},
		"meter":      {WithMeterProvider(panickyMP{})},
	} {
		t.Run(name, func(t *testing.T) {
			before := errs.n.Load()
			srv := managedagentstest.NewServer(managedagentstest.WithScript(twoMessages))
			defer srv.Close()
			tel := New(opts...)
			client := srv.Client(option.WithMiddleware(tel.Middleware()))
			ctx := context.Background()
			h := &harness{t: t, srv: srv, client: client, tel: tel, ctx: ctx}
			_, _, sessionID := h.seed()
			_, err := client.Agents.Get(ctx, "agent_missing", managedagents.AgentGetParams{})
			require.ErrorIs(t, err, managedagents.ErrNotFound, "an error answer is the call's, not the telemetry's")

			s, err := tel.Stream(ctx, client, sessionID, managedagents.EventStreamParams{})
			require.NoError(t, err)
			send(t, h, sessionID, "hi")
			require.NotEmpty(t, readUntilIdle(t, s))
			require.NoError(t, s.Close())

			res, err := tel.RunTurn(ctx, client, sessionID, managedagents.SessionRunTurnParams{
				Events: []managedagents.EventParam{managedagents.NewUserMessage("again")}})
			require.NoError(t, err)
			require.Equal(t, managedagents.StopReasonEndTurn, res.StopReason.Type)

			out, err := TraceTool(ctx, tel, fakeCall{session: sessionID, event: toolUse("sevt_1", "bash", "")},
				func(context.Context) (string, error) { return "ran", nil })
			require.NoError(t, err)
			require.Equal(t, "ran", out)
			require.Greater(t, errs.n.Load(), before, "the panics were handed to otel.Handle")
		})
	}
}
