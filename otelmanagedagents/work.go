package otelmanagedagents

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents"
)

// WorkMiddleware returns a hook that serves each work item of a self-hosted
// worker in an INTERNAL span "anthropic.environment.work", the span the
// official SDK's work poller starts per item, with anthropic.environment.id,
// anthropic.environment.work.id, anthropic.environment.work.data.type and,
// for a session's item, anthropic.session.id. The item's heartbeats, session
// calls and tool calls are its children. Give it to the worker:
//
//	worker.Options{ItemMiddleware: []worker.ItemMiddleware{tel.WorkMiddleware()}}
//
// The span's status is OK when the item was served, unset when the worker's
// stop interrupted it (an error matching context.Canceled), and ERROR with
// error.type lease_lost (an error matching managedagents.ErrLeaseLost) or
// work_error otherwise. The item's secret is never recorded.
func (t *Telemetry) WorkMiddleware() func(ctx context.Context, item *managedagents.WorkItem, next func(context.Context) error) error {
	return func(ctx context.Context, item *managedagents.WorkItem, next func(context.Context) error) error {
		span := trace.SpanFromContext(context.Background())
		itemCtx := ctx
		guard(func() {
			attrs := []attribute.KeyValue{providerAnthropic, keyEnvironmentID.String(item.EnvironmentID),
				keyWorkID.String(item.ID), keyWorkDataType.String(string(item.Data.Type))}
			if item.Data.IsSession() {
				attrs = append(attrs, keySessionID.String(item.Data.ID))
			}
			itemCtx, span = t.tracer.Start(ctx, "anthropic.environment.work", trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
		})
		returned := false
		defer func() {
			if !returned { // next panicked: the span still ends
				guard(func() {
					span.SetStatus(codes.Error, "")
					span.SetAttributes(keyErrorType.String(errWork))
					span.End()
				})
			}
		}()
		err := next(itemCtx)
		returned = true
		guard(func() {
			defer span.End()
			switch {
			case err == nil:
				span.SetStatus(codes.Ok, "")
			case canceled(err):
			case errors.Is(err, managedagents.ErrLeaseLost):
				span.SetStatus(codes.Error, "")
				span.SetAttributes(keyErrorType.String(errLeaseLost))
			default:
				span.SetStatus(codes.Error, "")
				span.SetAttributes(keyErrorType.String(errWork))
			}
		})
		return err
	}
}
