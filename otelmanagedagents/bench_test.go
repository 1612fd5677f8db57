package otelmanagedagents

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// answer is an http.RoundTripper that answers every request with a
// session, in memory, so that a benchmark measures the client and its
// telemetry, not a network.
type answer struct{}

const sessionJSON = `{"id":"sesn_1","type":"session","status":"idle","created_at":"2026-04-01T09:00:00Z","updated_at":"2026-04-01T09:00:00Z","agent":{"id":"agent_1","name":"A","model":{"id":"claude-sonnet-5-5"}},"environment_id":"env_1","metadata":{},"resources":[],"stats":{},"usage":{},"title":null,"archived_at":null,"vault_ids":[]}`

func (answer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": {"application/json"}, "Request-Id": {"req_1"}},
		Body:       io.NopCloser(strings.NewReader(sessionJSON)),
		Request:    req,
	}, nil
}

// BenchmarkCallOverhead measures a session retrieve without telemetry, with
// the middleware and a sampled span (the SDK's tracer, no exporter), and
// with an unsampled one; metrics go to the SDK's meter in every traced case.
func BenchmarkCallOverhead(b *testing.B) {
	base := []option.RequestOption{
		option.WithAPIKey("sk-ant-bench"),
		option.WithBaseURL("https://api.example.com"),
		option.WithHTTPClient(&http.Client{Transport: answer{}}),
		option.WithoutLimiter(),
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	for _, bc := range []struct {
		name    string
		sampler sdktrace.Sampler
	}{{"plain", nil}, {"sampled", sdktrace.AlwaysSample()}, {"unsampled", sdktrace.NeverSample()}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := base
			if bc.sampler != nil {
				tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(bc.sampler))
				defer func() { _ = tp.Shutdown(context.Background()) }()
				tel := New(WithTracerProvider(tp), WithMeterProvider(mp), WithPropagators(propagation.TraceContext{}))
				opts = append(append([]option.RequestOption(nil), base...), option.WithMiddleware(tel.Middleware()))
			}
			client := managedagents.NewClient(opts...)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Sessions.Get(ctx, "sesn_1", managedagents.SessionGetParams{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
