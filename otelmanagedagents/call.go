package otelmanagedagents

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents/option"
)

// spanKey is the key of a call's *callSpan among its option.Call values, one
// per Telemetry, so that two on one client (say, the client's and one call's)
// each make their own span.
type spanKey struct{ t *Telemetry }

// eventRetry is the span event of an attempt that follows a failed one.
const eventRetry = "anthropic.request.retry"

// callSpan is the span and the measures of one API call, kept across its
// attempts. Attempts run one after the other, and the call's end comes after
// the last, so its fields need no lock, except measured: a stream's end may
// come from another goroutine than its open.
type callSpan struct {
	t         *Telemetry
	call      *option.Call
	span      trace.Span
	ctx       context.Context // carries span, for the measures' exemplars
	recording bool
	start     time.Time
	op        attribute.KeyValue // anthropic.operation.name
	method    attribute.KeyValue // http.request.method
	previous  attribute.KeyValue // outcome of the previous attempt
	measured  atomic.Bool        // the call's duration was recorded (a stream's, once open)

	createdKey attribute.Key // the attribute of a create's new id; "" otherwise
	created    *captureBody  // the body of a create's answer
}

// middleware is the option.Middleware of t: it starts the call's span on the
// first attempt, injects the trace context into each attempt's headers, counts
// attempts, and leaves the rest to the call's end (callSpan.end).
func (t *Telemetry) middleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	call := option.CallFromContext(req.Context())
	if call == nil {
		return next(req)
	}
	var cs *callSpan
	guard(func() {
		cs = t.callSpanOf(req, call)
		req = cs.beginAttempt(req)
	})
	resp, err := next(req)
	if cs != nil {
		guard(func() { resp = cs.endAttempt(resp, err) })
	}
	return resp, err
}

// callSpanOf returns the callSpan of call, starting it on the first attempt.
// The span starts when the call did: before the first attempt's wait for the
// rate limiter.
func (t *Telemetry) callSpanOf(req *http.Request, call *option.Call) *callSpan {
	if cs, ok := call.Value(spanKey{t}).(*callSpan); ok {
		return cs
	}
	cs := &callSpan{
		t:      t,
		call:   call,
		start:  time.Now().Add(-call.LimiterWait()),
		op:     keyOperationName.String(call.Operation),
		method: keyHTTPMethod.String(call.Method),
	}
	ctx, span := t.tracer.Start(req.Context(), "anthropic."+call.Operation,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(cs.start),
		trace.WithAttributes(startAttributes(req, call)...))
	cs.span, cs.ctx = span, trace.ContextWithSpan(context.WithoutCancel(ctx), span)
	cs.recording = span.IsRecording()
	call.SetValue(spanKey{t}, cs)
	call.OnEnd(func(e option.CallEnd) { guard(func() { cs.end(e) }) })
	if cs.recording {
		span.SetAttributes(urlAttributes(req.URL, call.Query, call.Operation)...)
		if k, ok := createdIDKey(call); ok {
			cs.createdKey = k
		}
	}
	return cs
}

// startAttributes returns the attributes a call's span starts with, which a
// sampler sees.
func startAttributes(req *http.Request, call *option.Call) []attribute.KeyValue {
	attrs := append(serverAttributes(req.URL),
		providerAnthropic,
		keyHTTPMethod.String(call.Method),
		keyHTTPRoute.String(call.Route))
	attrs = append(attrs, pathIDAttributes(call.PathParams)...)
	if call.Operation == "sessions.create" {
		attrs = append(attrs, sessionCreateAttributes(req)...)
	}
	return attrs
}

// beginAttempt returns req with the span in its context and the span's trace
// context in its headers, in place of any trace headers already there. An
// attempt after the first adds a retry event with the outcome of the one
// before.
func (cs *callSpan) beginAttempt(req *http.Request) *http.Request {
	if n := cs.call.Attempt(); n > 1 && cs.recording {
		attrs := []attribute.KeyValue{keyResendCount.Int(n - 1)}
		if cs.previous.Valid() {
			attrs = append(attrs, cs.previous)
		}
		cs.span.AddEvent(eventRetry, trace.WithAttributes(attrs...))
	}
	ctx := trace.ContextWithSpan(req.Context(), cs.span)
	req = req.WithContext(ctx)
	p := cs.t.propagator
	for _, f := range p.Fields() {
		req.Header.Del(f)
	}
	p.Inject(ctx, propagation.HeaderCarrier(req.Header))
	return req
}

// endAttempt counts the attempt that answered resp or failed with err and
// returns resp: with a body that keeps a copy for the span when it is a
// create's answer.
func (cs *callSpan) endAttempt(resp *http.Response, err error) *http.Response {
	switch {
	case err != nil:
		cs.previous = keyErrorType.String(attemptErrorType(err))
	case resp == nil:
		cs.previous = keyErrorType.String(errClient)
	default:
		cs.previous = keyHTTPStatusCode.Int(resp.StatusCode)
	}
	cs.t.m.requests.Add(cs.ctx, 1, metric.WithAttributes(cs.op, cs.method, cs.previous))
	if err != nil || resp == nil || resp.StatusCode/100 != 2 {
		return resp
	}
	if cs.call.Stream {
		// The open is what a stream's latency measures; its connection may
		// last hours.
		cs.measure(time.Now(), resp.StatusCode, "")
		return resp
	}
	if cs.createdKey != "" && resp.Body != nil && resp.Body != http.NoBody {
		cs.created = &captureBody{ReadCloser: resp.Body}
		resp.Body = cs.created
	}
	return resp
}

// attemptErrorType is the error.type of an attempt that failed with err.
func attemptErrorType(err error) string {
	if canceled(err) {
		return errCanceled
	}
	return errorType(err)
}

// measure records the call's duration until now and its rate-limiter wait,
// once.
func (cs *callSpan) measure(now time.Time, status int, errType string) {
	if cs.measured.Swap(true) {
		return
	}
	attrs := []attribute.KeyValue{cs.op, cs.method}
	if status != 0 {
		attrs = append(attrs, keyHTTPStatusCode.Int(status))
	}
	if errType != "" {
		attrs = append(attrs, keyErrorType.String(errType))
	}
	cs.t.m.callDuration.Record(cs.ctx, now.Sub(cs.start).Seconds(), metric.WithAttributes(attrs...))
	cs.t.m.limiterWait.Record(cs.ctx, cs.call.LimiterWait().Seconds(), metric.WithAttributes(cs.op))
}

// end ends the call's span with its outcome e: its answer's status and
// headers, the resends, the rate-limiter wait, a create's new id, and the
// status: OK, ERROR with error.type, or none when the application canceled
// or, for a stream, when its connection ended without a read error (a
// Managed Agents stream has no last event, so its end is never a success).
func (cs *callSpan) end(e option.CallEnd) {
	now := time.Now()
	status := 0
	if e.Response != nil {
		status = e.Response.StatusCode
	}
	errType := ""
	if e.Err != nil {
		errType = attemptErrorType(e.Err)
	}
	cs.measure(now, status, errType)
	span := cs.span
	defer span.End(trace.WithTimestamp(now))
	if !cs.recording {
		return
	}
	attrs := []attribute.KeyValue{keyLimiterWait.Float64(cs.call.LimiterWait().Seconds())}
	if status != 0 {
		attrs = append(attrs, keyHTTPStatusCode.Int(status))
		attrs = append(attrs, responseHeaderAttributes(e.Response.Header)...)
	}
	if n := cs.call.Attempt() - 1; n > 0 {
		attrs = append(attrs, keyResendCount.Int(n))
	}
	if e.Err == nil && cs.created != nil {
		attrs = append(attrs, createdAttributes(cs.call.Operation, cs.createdKey, cs.created.bytes())...)
	}
	span.SetAttributes(attrs...)
	switch {
	case e.Err == nil && !cs.call.Stream:
		span.SetStatus(codes.Ok, "")
	case e.Err == nil, canceled(e.Err):
	default:
		span.SetStatus(codes.Error, "")
		span.SetAttributes(keyErrorType.String(errType))
	}
}

// responseHeaderAttributes returns the attributes of an answer's headers:
// request id, organization and workspace.
func responseHeaderAttributes(h http.Header) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	for _, a := range [...]struct {
		key    attribute.Key
		header string
	}{
		{keyRequestID, "Request-Id"},
		{keyOrganizationID, "Anthropic-Organization-Id"},
		{keyWorkspaceID, "Anthropic-Workspace-Id"},
	} {
		if v := h.Get(a.header); v != "" {
			attrs = append(attrs, a.key.String(v))
		}
	}
	return attrs
}
