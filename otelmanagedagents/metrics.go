package otelmanagedagents

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// The metrics of this package, none of which the official SDK offers. Their
// attributes are bounded sets (operations, methods, statuses, error types,
// event types, stop reasons, tool names): never an id.
const (
	// metricCallDuration is the duration of an API call, from its start
	// (rate-limiter wait included) to its end, over all its attempts; for an
	// event stream's connection, until it is open (headers received) or its
	// open failed. Attributes: anthropic.operation.name,
	// http.request.method, http.response.status_code (when an answer came),
	// error.type (when it failed).
	metricCallDuration = "anthropic.managed_agents.client.call.duration"
	// metricRequests counts HTTP attempts (retries included), by
	// anthropic.operation.name, http.request.method and
	// http.response.status_code, or error.type when no answer came.
	metricRequests = "anthropic.managed_agents.client.requests"
	// metricLimiterWait is the time a call waited for the client-side rate
	// limiter, over all its attempts, by anthropic.operation.name.
	metricLimiterWait = "anthropic.managed_agents.client.rate_limiter.wait"
	// metricStreamActive is the number of event streams open (traced through
	// Telemetry.Stream, ThreadStream or RunTurn), by anthropic.operation.name.
	metricStreamActive = "anthropic.managed_agents.stream.active"
	// metricStreamEvents counts the events streams passed on to the reader,
	// by anthropic.operation.name and anthropic.event.type.
	metricStreamEvents = "anthropic.managed_agents.stream.events"
	// metricStreamReconnects counts the reconnects of streams, by
	// anthropic.operation.name and error.type (the cause).
	metricStreamReconnects = "anthropic.managed_agents.stream.reconnects"
	// metricStreamBackfilled counts the events streams recovered from the
	// events list after a reconnect (or for their Since), by
	// anthropic.operation.name.
	metricStreamBackfilled = "anthropic.managed_agents.stream.backfilled_events"
	// metricToolDuration is the duration of a tool call, by gen_ai.tool.name,
	// anthropic.tool.kind and error.type (when it failed or was canceled).
	metricToolDuration = "anthropic.managed_agents.tool.duration"
	// metricTurnDuration is the duration of a RunTurn, by
	// anthropic.turn.stop_reason (when the turn ended idle) and error.type.
	metricTurnDuration = "anthropic.managed_agents.turn.duration"
)

// Histogram bounds, in seconds: calls last milliseconds to a minute (a
// retry-after); tools and turns up to many minutes.
var (
	callBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}
	longBounds = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}
)

// instruments are the metric instruments of a Telemetry.
type instruments struct {
	callDuration metric.Float64Histogram
	requests     metric.Int64Counter
	limiterWait  metric.Float64Histogram
	streamActive metric.Int64UpDownCounter
	streamEvents metric.Int64Counter
	reconnects   metric.Int64Counter
	backfilled   metric.Int64Counter
	toolDuration metric.Float64Histogram
	turnDuration metric.Float64Histogram
}

// newInstruments makes the instruments on mp's meter. An instrument the
// meter refuses is reported to otel.Handle and replaced by a no-op one.
func newInstruments(mp metric.MeterProvider) instruments {
	m := mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version))
	unit, desc := metric.WithUnit, metric.WithDescription
	callBuckets, longBuckets := metric.WithExplicitBucketBoundaries(callBounds...), metric.WithExplicitBucketBoundaries(longBounds...)
	return instruments{
		callDuration: made[metric.Float64Histogram](noop.Float64Histogram{})(m.Float64Histogram(metricCallDuration,
			unit("s"), desc("Duration of Managed Agents API calls, retries and rate-limiter waits included."), callBuckets)),
		requests: made[metric.Int64Counter](noop.Int64Counter{})(m.Int64Counter(metricRequests,
			unit("{request}"), desc("HTTP requests sent to the Managed Agents API, one per attempt."))),
		limiterWait: made[metric.Float64Histogram](noop.Float64Histogram{})(m.Float64Histogram(metricLimiterWait,
			unit("s"), desc("Time a call waited for the client-side rate limiter."), callBuckets)),
		streamActive: made[metric.Int64UpDownCounter](noop.Int64UpDownCounter{})(m.Int64UpDownCounter(metricStreamActive,
			unit("{stream}"), desc("Event streams open."))),
		streamEvents: made[metric.Int64Counter](noop.Int64Counter{})(m.Int64Counter(metricStreamEvents,
			unit("{event}"), desc("Events an event stream passed on to its reader."))),
		reconnects: made[metric.Int64Counter](noop.Int64Counter{})(m.Int64Counter(metricStreamReconnects,
			unit("{reconnect}"), desc("Reconnects of event streams."))),
		backfilled: made[metric.Int64Counter](noop.Int64Counter{})(m.Int64Counter(metricStreamBackfilled,
			unit("{event}"), desc("Events event streams recovered from the events list."))),
		toolDuration: made[metric.Float64Histogram](noop.Float64Histogram{})(m.Float64Histogram(metricToolDuration,
			unit("s"), desc("Duration of tool calls run by the application."), longBuckets)),
		turnDuration: made[metric.Float64Histogram](noop.Float64Histogram{})(m.Float64Histogram(metricTurnDuration,
			unit("s"), desc("Duration of session turns run with RunTurn."), longBuckets)),
	}
}

// made returns a function that returns the instrument a meter made, or, when
// the meter refused it, reports the error to otel.Handle and returns nop.
func made[I any](nop I) func(I, error) I {
	return func(inst I, err error) I {
		if err != nil {
			otel.Handle(err)
		}
		if err != nil || any(inst) == nil {
			return nop
		}
		return inst
	}
}
