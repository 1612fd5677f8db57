package otelmanagedagents

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// TestCallSpanNamesAndStartAttributes: one CLIENT span per call, named as the
// official SDK names it, with the server, method, route and path ids, and a
// create's new id.
func TestCallSpanNamesAndStartAttributes(t *testing.T) {
	h := newHarness(t, nil)
	agentID, envID, sessionID := h.seed()
	_, err := h.client.Sessions.Get(h.ctx, sessionID, managedagents.SessionGetParams{})
	require.NoError(t, err)

	host, port := hostPort(t, h.srv.URL)
	create := h.one("anthropic.agents.create")
	require.Equal(t, trace.SpanKindClient, create.SpanKind())
	require.Equal(t, codes.Ok, create.Status().Code)
	requireAttrs(t, create, map[attribute.Key]any{
		"gen_ai.provider.name":        "anthropic",
		"server.address":              host,
		"server.port":                 port,
		"http.request.method":         "POST",
		"http.route":                  "/v1/agents",
		"url.scheme":                  "http",
		"url.path":                    "/v1/agents",
		"url.full":                    h.srv.URL + "/v1/agents",
		"http.response.status_code":   int64(200),
		"gen_ai.agent.id":             agentID,
		"anthropic.request.id":        h.requests(managedagentstest.RouteCreateAgent)[0].RequestID,
		"anthropic.rate_limiter.wait": float64(0),
	}, "url.query", "http.request.resend_count", "error.type")
	require.Equal(t, ScopeName, create.InstrumentationScope().Name)
	require.Equal(t, Version, create.InstrumentationScope().Version)

	requireAttrs(t, h.one("anthropic.environments.create"), map[attribute.Key]any{"anthropic.environment.id": envID})
	sc := h.one("anthropic.sessions.create")
	requireAttrs(t, sc, map[attribute.Key]any{
		"gen_ai.agent.id":                  agentID,
		"anthropic.session.environment.id": envID,
		"anthropic.session.id":             sessionID,
		"gen_ai.agent.name":                "Weather",
		"gen_ai.request.model":             "claude-sonnet-5-5",
	})
	get := h.one("anthropic.sessions.retrieve")
	requireAttrs(t, get, map[attribute.Key]any{
		"http.route":           "/v1/sessions/{session_id}",
		"url.path":             "/v1/sessions/" + sessionID,
		"anthropic.session.id": sessionID,
	}, "gen_ai.agent.name", "gen_ai.agent.id")
}

func hostPort(t *testing.T, u string) (string, int64) {
	t.Helper()
	hp := strings.TrimPrefix(u, "http://")
	host, port, ok := strings.Cut(hp, ":")
	require.True(t, ok)
	var p int64
	for _, c := range port {
		p = p*10 + int64(c-'0')
	}
	return host, p
}

// retryNow answers with a retry after 1 ms, so that tests do not wait.
var retryNow = http.Header{"Retry-After-Ms": {"1"}}

// TestRetriesInsideOneSpan: a call retried after a 503 is one span with a
// resend count and a retry event; each attempt carries the span's trace
// context; the attempts counter sees both answers, the call duration one call.
func TestRetriesInsideOneSpan(t *testing.T) {
	h := newHarness(t, nil)
	_, _, sessionID := h.seed()
	h.srv.FailNext(managedagentstest.RouteGetSession, 1, 503, retryNow)
	parentCtx, parent := h.tel.tracer.Start(h.ctx, "parent")
	_, err := h.client.Sessions.Get(parentCtx, sessionID, managedagents.SessionGetParams{})
	parent.End()
	require.NoError(t, err)

	span := h.one("anthropic.sessions.retrieve")
	require.Equal(t, parent.SpanContext().SpanID(), span.Parent().SpanID())
	require.Equal(t, codes.Ok, span.Status().Code)
	requireAttrs(t, span, map[attribute.Key]any{
		"http.request.resend_count": int64(1),
		"http.response.status_code": int64(200),
	}, "error.type")
	require.Len(t, span.Events(), 1)
	require.Equal(t, eventRetry, span.Events()[0].Name)
	require.ElementsMatch(t, []attribute.KeyValue{keyResendCount.Int(1), keyHTTPStatusCode.Int(503)}, span.Events()[0].Attributes)

	reqs := h.requests(managedagentstest.RouteGetSession)
	require.Len(t, reqs, 2)
	want := "00-" + span.SpanContext().TraceID().String() + "-" + span.SpanContext().SpanID().String() + "-01"
	for _, r := range reqs {
		require.Equal(t, []string{want}, r.Header.Values("Traceparent"), "each attempt carries the call span's context once")
	}

	op, get := keyOperationName.String("sessions.retrieve"), keyHTTPMethod.String("GET")
	require.Equal(t, int64(1), h.sum(metricRequests, op, get, keyHTTPStatusCode.Int(503)))
	require.Equal(t, int64(1), h.sum(metricRequests, op, get, keyHTTPStatusCode.Int(200)))
	dp, ok := h.histogram(metricCallDuration, op, get, keyHTTPStatusCode.Int(200))
	require.True(t, ok)
	require.Equal(t, uint64(1), dp.Count)
	_, ok = h.histogram(metricCallDuration, op, get, keyHTTPStatusCode.Int(503))
	require.False(t, ok, "a retried attempt is not a call")
}

// TestAPIErrorFailsTheSpan: an error answer sets ERROR with the API's error
// type, the status code and the request id.
func TestAPIErrorFailsTheSpan(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.client.Agents.Get(h.ctx, "agent_missing", managedagents.AgentGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	span := h.one("anthropic.agents.retrieve")
	require.Equal(t, codes.Error, span.Status().Code)
	requireAttrs(t, span, map[attribute.Key]any{
		"error.type":                "not_found_error",
		"http.response.status_code": int64(404),
		"gen_ai.agent.id":           "agent_missing",
		"anthropic.request.id":      h.requests(managedagentstest.RouteGetAgent)[0].RequestID,
	})
	_, ok := h.histogram(metricCallDuration, keyOperationName.String("agents.retrieve"), keyHTTPMethod.String("GET"),
		keyHTTPStatusCode.Int(404), keyErrorType.String("not_found_error"))
	require.True(t, ok)
}

// TestConnectionErrorOfACreate: a create whose connection drops fails with a
// delivery error, a connection_error without a status code.
func TestConnectionErrorOfACreate(t *testing.T) {
	h := newHarness(t, nil)
	h.srv.DropNext(managedagentstest.RouteCreateEnvironment, 1)
	_, err := h.client.Environments.Create(h.ctx, managedagents.EnvironmentCreateParams{Name: "dropped"})
	require.Error(t, err)
	span := h.one("anthropic.environments.create")
	require.Equal(t, codes.Error, span.Status().Code)
	requireAttrs(t, span, map[attribute.Key]any{"error.type": "connection_error"},
		"http.response.status_code", "anthropic.environment.id")
}

// TestAttemptTimeoutsAreClientTimeouts: an attempt cut short by one of the
// client's bounds is a client_timeout_error, as the official SDK names a
// timeout: a stream open whose headers never come (bounded by the stream
// idle timeout) as well as a call past its request timeout.
func TestAttemptTimeoutsAreClientTimeouts(t *testing.T) {
	mute := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(mute.Close)
	h := newHarness(t, nil)
	client := managedagents.NewClient(option.WithAPIKey("sk-ant-test"), option.WithBaseURL(mute.URL),
		option.WithHTTPClient(mute.Client()), option.WithoutLimiter(), option.WithMaxRetries(0),
		option.WithMiddleware(h.tel.Middleware()), option.WithStreamIdleTimeout(50*time.Millisecond))
	_, err := client.Sessions.Events.Stream(h.ctx, "sesn_1", managedagents.EventStreamParams{})
	require.ErrorContains(t, err, "no response headers within the stream idle timeout")
	_, err = client.Sessions.Get(h.ctx, "sesn_1", managedagents.SessionGetParams{}, option.WithRequestTimeout(50*time.Millisecond))
	require.Error(t, err)
	for _, name := range []string{"anthropic.sessions.events.stream", "anthropic.sessions.retrieve"} {
		span := h.one(name)
		require.Equal(t, codes.Error, span.Status().Code, name)
		requireAttrs(t, span, map[attribute.Key]any{"error.type": errClientTimeout})
	}
}

// TestCanceledCallLeavesStatusUnset: a call the application cancels ends its
// span without a status or error type; the metric says canceled.
func TestCanceledCallLeavesStatusUnset(t *testing.T) {
	h := newHarness(t, nil)
	_, _, sessionID := h.seed()
	h.srv.Delay(managedagentstest.RouteGetSession, time.Second)
	ctx, cancel := context.WithCancel(h.ctx)
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := h.client.Sessions.Get(ctx, sessionID, managedagents.SessionGetParams{})
	require.ErrorIs(t, err, context.Canceled)
	span := h.one("anthropic.sessions.retrieve")
	require.Equal(t, codes.Unset, span.Status().Code)
	requireAttrs(t, span, nil, "error.type")
	_, ok := h.histogram(metricCallDuration, keyOperationName.String("sessions.retrieve"), keyHTTPMethod.String("GET"),
		keyErrorType.String(errCanceled))
	require.True(t, ok)
}

// TestResponseHeadersBecomeAttributes: request id, organization and
// workspace come from the last answer's headers, on errors too.
func TestResponseHeadersBecomeAttributes(t *testing.T) {
	h := newHarness(t, nil, option.WithMiddleware(addHeaders(http.Header{
		"Anthropic-Organization-Id": {"org_1"},
		"Anthropic-Workspace-Id":    {"wrkspc_1"},
	})))
	_, err := h.client.Agents.Get(h.ctx, "agent_missing", managedagents.AgentGetParams{})
	require.Error(t, err)
	requireAttrs(t, h.one("anthropic.agents.retrieve"), map[attribute.Key]any{
		"anthropic.organization.id": "org_1",
		"anthropic.workspace.id":    "wrkspc_1",
	})
}

// slowLimiter is a rate limiter that makes every attempt wait, and refuses
// the attempts after its first refusals ones.
type slowLimiter struct {
	wait    time.Duration
	refuse  int // attempts from this one on are refused (0: none)
	acquire int
}

func (l *slowLimiter) Acquire(ctx context.Context, c ratelimit.Class) error {
	l.acquire++
	if l.refuse > 0 && l.acquire >= l.refuse {
		return &ratelimit.WaitError{Class: c, Wait: time.Minute}
	}
	time.Sleep(l.wait)
	return nil
}

func (l *slowLimiter) Pause(context.Context, ratelimit.Class, time.Duration) {}

// TestSpanStartsBeforeTheLimiterWait: the span covers the first attempt's
// wait for the rate limiter, and tells the wait; a later attempt refused by
// the limiter fails the call with client_rate_limit_error.
func TestSpanStartsBeforeTheLimiterWait(t *testing.T) {
	lim := &slowLimiter{wait: 30 * time.Millisecond}
	h := newHarness(t, nil, option.WithLimiter(lim))
	start := time.Now()
	_, err := h.client.Agents.List(h.ctx, managedagents.AgentListParams{})
	require.NoError(t, err)
	span := h.one("anthropic.agents.list")
	require.False(t, span.StartTime().After(start.Add(5*time.Millisecond)), "the span starts when the call did")
	require.GreaterOrEqual(t, span.EndTime().Sub(span.StartTime()), lim.wait)
	wait := attrs(span)[keyLimiterWait].AsFloat64()
	require.GreaterOrEqual(t, wait, lim.wait.Seconds())
	dp, ok := h.histogram(metricLimiterWait, keyOperationName.String("agents.list"))
	require.True(t, ok)
	require.InDelta(t, wait, dp.Sum, 1e-9)

	lim.wait, lim.refuse = 0, lim.acquire+2
	h.srv.FailNext(managedagentstest.RouteListAgents, 1, 503, retryNow)
	_, err = h.client.Agents.List(h.ctx, managedagents.AgentListParams{})
	require.ErrorIs(t, err, managedagents.ErrRateLimited)
	refused := h.ended("anthropic.agents.list")[1]
	require.Equal(t, codes.Error, refused.Status().Code)
	requireAttrs(t, refused, map[attribute.Key]any{"error.type": "client_rate_limit_error", "http.request.resend_count": int64(1)})
}

// TestTwoTelemetriesEachMakeTheirSpan: a call traced by the client's
// Telemetry and by another given to the call gets a span from each.
func TestTwoTelemetriesEachMakeTheirSpan(t *testing.T) {
	h := newHarness(t, nil)
	other := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(other))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	_, err := h.client.Agents.List(h.ctx, managedagents.AgentListParams{},
		option.WithMiddleware(Middleware(WithTracerProvider(tp))))
	require.NoError(t, err)
	require.Len(t, h.ended("anthropic.agents.list"), 1)
	require.Len(t, other.Ended(), 1)
	require.Equal(t, h.one("anthropic.agents.list").SpanContext().SpanID(), other.Ended()[0].Parent().SpanID(),
		"the call's own middleware runs inside the client's, under its span")
}
