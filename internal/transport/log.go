package transport

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// reqLog writes the debug lines of one request. It logs the method and the API
// path (never the query, the base URL or any header but the request id), and
// passes every text that came from the server (request id, error, reason)
// through redact.
type reqLog struct {
	l      *slog.Logger
	method string
	path   string
	redact func(string) string
}

func newLog(l *slog.Logger, method, path string, redact func(string) string) reqLog {
	return reqLog{l: l, method: method, path: path, redact: redact}
}

func (r reqLog) on(ctx context.Context) bool {
	return r.l != nil && r.l.Enabled(ctx, slog.LevelDebug)
}

func (r reqLog) attempt(ctx context.Context, n int, resp *http.Response, err error, took time.Duration) {
	if !r.on(ctx) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.method), slog.String("path", r.path), slog.Int("attempt", n),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if id := resp.Header.Get("Request-Id"); id != "" {
			attrs = append(attrs, slog.String("request_id", r.redact(id)))
		}
	}
	if took > 0 {
		attrs = append(attrs, slog.Duration("duration", took))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", r.redact(err.Error())))
	}
	r.l.LogAttrs(ctx, slog.LevelDebug, "managedagents: attempt", attrs...)
}

func (r reqLog) retry(ctx context.Context, n, status int, reqID string, wait time.Duration, reason string) {
	if !r.on(ctx) {
		return
	}
	attrs := r.outcome(n, status, reqID)
	attrs = append(attrs, slog.Duration("wait", wait), slog.String("reason", r.redact(reason)))
	r.l.LogAttrs(ctx, slog.LevelDebug, "managedagents: retrying", attrs...)
}

func (r reqLog) giveUp(ctx context.Context, n, status int, reqID, reason string) {
	if !r.on(ctx) {
		return
	}
	attrs := append(r.outcome(n, status, reqID), slog.String("reason", r.redact(reason)))
	r.l.LogAttrs(ctx, slog.LevelDebug, "managedagents: giving up", attrs...)
}

func (r reqLog) outcome(n, status int, reqID string) []slog.Attr {
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs, slog.String("method", r.method), slog.String("path", r.path), slog.Int("attempt", n))
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if reqID != "" {
		attrs = append(attrs, slog.String("request_id", r.redact(reqID)))
	}
	return attrs
}
