package otelmanagedagents

import (
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents/option"
)

// ScopeName is the instrumentation scope of the spans and metrics of this
// package: its import path.
const ScopeName = "github.com/go-managedagents/managedagents/otelmanagedagents"

// Version is the version of this package, the instrumentation scope's version.
const Version = "0.1.0"

// Telemetry makes the spans and metrics of a managedagents client. Build one
// with [New], give [Telemetry.Middleware] to the client, and run turns,
// streams and tool calls through its methods to trace them too. A *Telemetry
// is safe for concurrent use; share one per process (or per provider).
type Telemetry struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	m          instruments
}

// New returns a Telemetry with the providers and propagator of opts, the
// global ones where opts set none.
func New(opts ...Option) *Telemetry {
	c := newConfig(opts)
	return &Telemetry{
		tracer:     c.tracerProvider.Tracer(ScopeName, trace.WithInstrumentationVersion(Version)),
		propagator: c.propagators,
		m:          newInstruments(c.meterProvider),
	}
}

// Middleware returns the middleware of a new [Telemetry] with opts: pass it to
// option.WithMiddleware, on the client (every call) or on one call. It makes a
// span and the metrics of each API call and propagates the trace context; see
// the package documentation for what it records. Use [New] instead to trace
// turns, streams and tool calls with the same providers.
func Middleware(opts ...Option) option.Middleware {
	return New(opts...).Middleware()
}

// Middleware returns the middleware that makes a span and the metrics of each
// API call: pass it to option.WithMiddleware. Put it first, so that the span
// covers the middlewares after it and they see the trace headers.
func (t *Telemetry) Middleware() option.Middleware {
	return t.middleware
}

// guard runs f, recovering a panic of the telemetry (a tracer, an exporter, a
// propagator) and handing it to otel.Handle: telemetry never fails a call.
func guard(f func()) {
	defer func() {
		if r := recover(); r != nil {
			otel.Handle(fmt.Errorf("otelmanagedagents: recovered from a panic of the telemetry: %v", r))
		}
	}()
	f()
}
