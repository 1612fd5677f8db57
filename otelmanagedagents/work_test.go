package otelmanagedagents

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/ratelimit"
	"github.com/go-managedagents/managedagents/worker"
)

// A worker's item is served in an INTERNAL anthropic.environment.work span
// with the item's ids; the item's heartbeats and session calls are its
// children, and its status is OK once served.
func TestWorkSpanOfAWorkerItem(t *testing.T) {
	h := newHarness(t, nil)
	env, err := h.client.Environments.Create(h.ctx, managedagents.EnvironmentCreateParams{Name: "self-hosted", Config: &managedagents.SelfHostedConfig{}})
	require.NoError(t, err)
	hc, err := h.srv.EnqueueHealthcheck(env.ID)
	require.NoError(t, err)
	w, err := worker.New(h.client, env.ID, worker.Options{Workdir: t.TempDir(),
		Poll:           managedagents.WorkPollerOptions{BlockMs: 50, Budget: ratelimit.Budget{Limit: 10000, Window: time.Minute, Burst: 1000}},
		ItemMiddleware: []worker.ItemMiddleware{h.tel.WorkMiddleware()}})
	require.NoError(t, err)
	require.NoError(t, w.Start(h.ctx))
	for w.Stats().Stops < 1 {
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, w.Stop(h.ctx))

	span := h.one("anthropic.environment.work")
	require.Equal(t, trace.SpanKindInternal, span.SpanKind())
	require.Equal(t, codes.Ok, span.Status().Code)
	requireAttrs(t, span, map[attribute.Key]any{
		"gen_ai.provider.name":                 "anthropic",
		"anthropic.environment.id":             env.ID,
		"anthropic.environment.work.id":        hc,
		"anthropic.environment.work.data.type": "healthcheck",
	}, "anthropic.session.id")
	stop := h.one("anthropic.environments.work.stop")
	require.Equal(t, span.SpanContext().SpanID(), stop.Parent().SpanID(), "the item's calls are children of its span")
}

// The span's status follows how the item ended: unset when the worker's
// stop interrupted it, ERROR lease_lost when its lease was lost, ERROR
// work_error when it failed.
func TestWorkSpanStatus(t *testing.T) {
	h := newHarness(t, nil)
	mw := h.tel.WorkMiddleware()
	item := &managedagents.WorkItem{EnvironmentID: "env_1", Data: managedagents.WorkData{Type: managedagents.WorkDataTypeSession, ID: "sesn_1"}}
	for _, tc := range []struct {
		id      string
		err     error
		code    codes.Code
		errType string
	}{
		{"work_interrupted", worker.ErrInterrupted, codes.Unset, ""},
		{"work_lost", &worker.LeaseLapsedError{TTL: time.Second, Err: errors.New("timeout")}, codes.Error, "lease_lost"},
		{"work_failed", errors.New("the session could not be read"), codes.Error, "work_error"},
	} {
		it := *item
		it.ID = tc.id
		got := mw(h.ctx, &it, func(ctx context.Context) error {
			require.True(t, trace.SpanFromContext(ctx).IsRecording())
			return tc.err
		})
		require.Equal(t, tc.err, got)
		var span sdktrace.ReadOnlySpan
		for _, s := range h.ended("anthropic.environment.work") {
			if attrs(s)["anthropic.environment.work.id"].AsString() == tc.id {
				span = s
			}
		}
		require.NotNil(t, span, tc.id)
		require.Equal(t, tc.code, span.Status().Code, tc.id)
		requireAttrs(t, span, map[attribute.Key]any{"anthropic.session.id": "sesn_1"})
		if tc.errType != "" {
			requireAttrs(t, span, map[attribute.Key]any{"error.type": tc.errType})
		} else {
			requireAttrs(t, span, nil, "error.type")
		}
	}
}
