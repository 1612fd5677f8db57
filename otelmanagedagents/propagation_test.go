package otelmanagedagents

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

const staleTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

// TestPropagationReplacesTraceHeadersAndCarriesBaggage: the call span's
// context replaces a traceparent the application set, baggage goes along,
// and a middleware after the telemetry's sees the headers.
func TestPropagationReplacesTraceHeadersAndCarriesBaggage(t *testing.T) {
	h := newHarness(t, nil, option.WithHeader("traceparent", staleTraceparent))
	member, err := baggage.NewMember("tenant", "acme")
	require.NoError(t, err)
	bag, err := baggage.New(member)
	require.NoError(t, err)
	var seen string
	_, err = h.client.Agents.List(baggage.ContextWithBaggage(h.ctx, bag), managedagents.AgentListParams{},
		option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			seen = req.Header.Get("Traceparent")
			return next(req)
		}))
	require.NoError(t, err)
	span := h.one("anthropic.agents.list")
	want := "00-" + span.SpanContext().TraceID().String() + "-" + span.SpanContext().SpanID().String() + "-01"
	req := h.requests(managedagentstest.RouteListAgents)[0]
	require.Equal(t, []string{want}, req.Header.Values("Traceparent"))
	require.Equal(t, want, seen)
	require.Equal(t, "tenant=acme", req.Header.Get("Baggage"))
}

// TestPropagationOffKeepsTheApplicationsHeaders: with an empty propagator
// nothing is injected and the application's own trace header goes as set;
// the span is still made.
func TestPropagationOffKeepsTheApplicationsHeaders(t *testing.T) {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	client := srv.Client(option.WithHeader("traceparent", staleTraceparent),
		option.WithMiddleware(Middleware(WithTracerProvider(tp), WithPropagators(propagation.NewCompositeTextMapPropagator()))))
	_, err := client.Agents.List(context.Background(), managedagents.AgentListParams{})
	require.NoError(t, err)
	require.Equal(t, staleTraceparent, srv.Requests()[0].Header.Get("Traceparent"))
	require.Len(t, rec.Ended(), 1)
}

// TestNilOptionsFallBackToTheGlobals: nil providers and propagator are
// ignored; the globals serve.
func TestNilOptionsFallBackToTheGlobals(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	prevTP, prevMP, prevProp := otel.GetTracerProvider(), otel.GetMeterProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetMeterProvider(prevMP)
		otel.SetTextMapPropagator(prevProp)
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})

	tel := New(WithTracerProvider(nil), WithMeterProvider(nil), WithPropagators(nil), nil)
	srv := managedagentstest.NewServer()
	defer srv.Close()
	client := srv.Client(option.WithMiddleware(tel.Middleware()))
	_, err := client.Agents.List(context.Background(), managedagents.AgentListParams{})
	require.NoError(t, err)
	require.Len(t, rec.Ended(), 1)
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	require.NotEmpty(t, rm.ScopeMetrics)
	require.NotEmpty(t, srv.Requests()[0].Header.Get("Traceparent"))
}

// TestUnsampledCallPropagatesAndMeasures: a call whose span is not sampled
// records no span but still sends its (unsampled) trace context and its
// metrics.
func TestUnsampledCallPropagatesAndMeasures(t *testing.T) {
	h := newHarness(t, nil)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tel := New(WithTracerProvider(tp), WithPropagators(propagation.TraceContext{}), WithMeterProvider(nil))
	tel.m = h.tel.m // the harness's metric reader
	client := h.srv.Client(option.WithMiddleware(tel.Middleware()))
	_, err := client.Agents.Create(h.ctx, managedagents.AgentCreateParams{Name: "a", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
	require.NoError(t, err)
	require.Empty(t, rec.Ended())
	tp0 := h.requests(managedagentstest.RouteCreateAgent)[0].Header.Get("Traceparent")
	require.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-00$`, tp0)
	require.Equal(t, int64(1), h.sum(metricRequests, keyOperationName.String("agents.create"), keyHTTPMethod.String("POST"), keyHTTPStatusCode.Int(200)))
}
