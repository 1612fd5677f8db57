package otelmanagedagents

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness is a fake server, a client traced by a Telemetry whose spans and
// metrics are read back from the otel SDK's in-memory recorder and reader.
type harness struct {
	t      *testing.T
	srv    *managedagentstest.Server
	client *managedagents.Client
	tel    *Telemetry
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	ctx    context.Context
}

// newHarness starts the fake with srvOpts and a client with the telemetry's
// middleware first, then clientOpts. The propagator is W3C trace context and
// baggage, as an application would register.
func newHarness(t *testing.T, srvOpts []managedagentstest.ServerOption, clientOpts ...option.RequestOption) *harness {
	t.Helper()
	h := &harness{t: t, spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	h.tel = New(WithTracerProvider(tp), WithMeterProvider(mp),
		WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})))
	h.srv = managedagentstest.NewServer(srvOpts...)
	t.Cleanup(h.srv.Close)
	opts := append([]option.RequestOption{
		option.WithMiddleware(h.tel.Middleware()),
		option.WithStreamBackoff(time.Millisecond, 5*time.Millisecond),
	}, clientOpts...)
	h.client = h.srv.Client(opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	h.ctx = ctx
	return h
}

// seed creates an agent (with a custom tool get_weather), an environment and
// a session, through the client, and returns the session's id.
func (h *harness) seed() (agentID, envID, sessionID string) {
	h.t.Helper()
	agent, err := h.client.Agents.Create(h.ctx, managedagents.AgentCreateParams{
		Name:  "Weather",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{managedagents.NewCustomTool("get_weather", "The weather of a city.",
			managedagents.InputSchema{Properties: map[string]any{"city": map[string]any{"type": "string"}}})},
	})
	require.NoError(h.t, err)
	env, err := h.client.Environments.Create(h.ctx, managedagents.EnvironmentCreateParams{Name: "env-" + agent.ID})
	require.NoError(h.t, err)
	sess, err := h.client.Sessions.Create(h.ctx, managedagents.SessionCreateParams{
		Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	require.NoError(h.t, err)
	return agent.ID, env.ID, sess.ID
}

// ended returns the ended spans named name, in the order they ended.
func (h *harness) ended(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// one returns the only ended span named name.
func (h *harness) one(name string) sdktrace.ReadOnlySpan {
	h.t.Helper()
	got := h.ended(name)
	require.Len(h.t, got, 1, "spans named %s", name)
	return got[0]
}

// attrs returns the attributes of s by key.
func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// requireAttrs fails unless s has each of want (a string, int, int64, bool or
// float64 value), and none of the keys of absent.
func requireAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[attribute.Key]any, absent ...attribute.Key) {
	t.Helper()
	got := attrs(s)
	for k, v := range want {
		g, ok := got[k]
		require.True(t, ok, "%s: no attribute %s; has %v", s.Name(), k, s.Attributes())
		require.Equal(t, v, g.AsInterface(), "%s: attribute %s", s.Name(), k)
	}
	for _, k := range absent {
		_, ok := got[k]
		require.False(t, ok, "%s: attribute %s should be absent, is %v", s.Name(), k, got[k].String())
	}
}

// collect reads the metrics.
func (h *harness) collect() metricdata.ResourceMetrics {
	h.t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(h.t, h.reader.Collect(context.Background(), &rm))
	return rm
}

// metric returns the metric named name, failing if there is none.
func (h *harness) metric(name string) metricdata.Metrics {
	h.t.Helper()
	for _, sm := range h.collect().ScopeMetrics {
		require.Equal(h.t, ScopeName, sm.Scope.Name)
		require.Equal(h.t, Version, sm.Scope.Version)
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	h.t.Fatalf("no metric %s", name)
	return metricdata.Metrics{}
}

// sum returns the value of the counter or up-down counter name for the
// attribute set of kvs exactly, 0 if it has no such point.
func (h *harness) sum(name string, kvs ...attribute.KeyValue) int64 {
	h.t.Helper()
	s, ok := h.metric(name).Data.(metricdata.Sum[int64])
	require.True(h.t, ok, "%s is not an int64 sum", name)
	dp, _ := pointOf(s.DataPoints, func(dp metricdata.DataPoint[int64]) attribute.Set { return dp.Attributes }, kvs)
	return dp.Value
}

// histogram returns the point of the float64 histogram name for the
// attribute set of kvs exactly, and false if there is none.
func (h *harness) histogram(name string, kvs ...attribute.KeyValue) (metricdata.HistogramDataPoint[float64], bool) {
	h.t.Helper()
	hist, ok := h.metric(name).Data.(metricdata.Histogram[float64])
	require.True(h.t, ok, "%s is not a float64 histogram", name)
	return pointOf(hist.DataPoints, func(dp metricdata.HistogramDataPoint[float64]) attribute.Set { return dp.Attributes }, kvs)
}

// pointOf returns the point of points whose attributes are exactly kvs.
func pointOf[P any](points []P, attrs func(P) attribute.Set, kvs []attribute.KeyValue) (P, bool) {
	want := attribute.NewSet(kvs...)
	for _, p := range points {
		if set := attrs(p); set.Equals(&want) {
			return p, true
		}
	}
	var zero P
	return zero, false
}

// attributeSets returns the attribute sets of every point of metric name.
func (h *harness) attributeSets(name string) []attribute.Set {
	h.t.Helper()
	var sets []attribute.Set
	switch d := h.metric(name).Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	}
	return sets
}

// requests returns the fake's request log entries whose route is route.
func (h *harness) requests(route string) []managedagentstest.Request {
	return slices.DeleteFunc(h.srv.Requests(), func(r managedagentstest.Request) bool { return r.Route != route })
}

// addHeaders is a middleware that adds header to each answer, as the API
// does with its organization and workspace headers.
func addHeaders(header http.Header) option.Middleware {
	return func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if resp != nil {
			for k, v := range header {
				resp.Header[k] = v
			}
		}
		return resp, err
	}
}
