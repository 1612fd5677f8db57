package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Defaults of [NewHandler].
const (
	// DefaultMaxBodyBytes is the largest body a Handler reads: 1 MiB, far
	// above the few hundred bytes of a thin payload.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultTimeout bounds each call of a Handler's function.
	DefaultTimeout = 10 * time.Second
)

// leaseGrace is how much longer than the timeout a delivery's claim lasts, so
// that a function that honours its context never outlives its claim.
const leaseGrace = 5 * time.Second

// storeCallTimeout bounds the Complete and Release calls made after the
// function returned.
const storeCallTimeout = 5 * time.Second

// Handler is an http.Handler that receives webhook deliveries: it reads a
// bounded body, verifies it, decodes it, drops duplicates and calls your
// function. Build it with [NewHandler]. It is safe for concurrent use.
//
// It answers:
//
//   - 405 to a method other than POST;
//   - 413 to a body larger than the limit ([WithMaxBodyBytes]), read no further
//     than the limit and the connection closed;
//   - 400 when a webhook header is missing or the timestamp is not a number,
//     and 401 when no signature matches or the timestamp is out of the
//     window: the body is never parsed then;
//   - 400 when a verified body is not a webhook event (DecodeEvent fails);
//   - 200 without calling the function when the webhook-id was processed
//     already (a retry or a replay), 409 while another delivery of the same id
//     is in progress, and 503 when the [Store] fails;
//   - otherwise the function's verdict: 200 when it returns nil (the id is then
//     recorded as done), 500 when it returns an error (the id is released, so
//     the sender's retry runs it again). When it panics, net/http drops the
//     connection, which the sender also retries; the id is released too.
//
// Unknown event types reach the function as [*UnknownEvent]; return nil for
// those you do not handle, so that the sender does not retry them.
type Handler struct {
	verifier *Verifier
	fn       func(context.Context, Event) error
	maxBody  int64
	store    Store
	timeout  time.Duration
	logger   *slog.Logger
}

// HandlerOption configures a [Handler].
type HandlerOption func(*Handler)

// WithMaxBodyBytes sets the largest body the handler reads; a larger one is
// refused with 413. Non-positive values keep [DefaultMaxBodyBytes].
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(h *Handler) {
		if n > 0 {
			h.maxBody = n
		}
	}
}

// WithStore sets where the handler records webhook-ids, for example a
// database shared by several replicas. The default is a [MemoryStore] with
// its default capacity and retention, for this handler alone. Nil keeps the
// default.
func WithStore(s Store) HandlerOption {
	return func(h *Handler) {
		if s != nil {
			h.store = s
		}
	}
}

// WithTimeout bounds each call of the handler's function: its context ends
// after d. Non-positive values keep [DefaultTimeout].
func WithTimeout(d time.Duration) HandlerOption {
	return func(h *Handler) {
		if d > 0 {
			h.timeout = d
		}
	}
}

// WithLogger sets where the handler reports refused deliveries (Warn), store
// failures and function errors (Error); a signing secret set up wrong shows
// there first. Records carry the webhook-id and the reason, never a secret or
// a body. The default discards them; nil keeps it.
func WithLogger(l *slog.Logger) HandlerOption {
	return func(h *Handler) {
		if l != nil {
			h.logger = l
		}
	}
}

// NewHandler returns a Handler that verifies deliveries with v and passes
// each new event to fn.
//
// fn runs synchronously, before the answer, so that its verdict reaches the
// sender: nil acknowledges the delivery, an error makes the sender retry it
// later. Its context keeps the request's values but not its cancellation (a
// sender that hangs up does not cut a delivery short, whose retry then finds
// it done), and ends after the timeout ([WithTimeout], default 10 s). Keep fn
// quick, as senders wait only a few seconds: for long work, put the event on
// your own durable queue and return. NewHandler panics if v or fn is nil.
func NewHandler(v *Verifier, fn func(ctx context.Context, ev Event) error, opts ...HandlerOption) *Handler {
	if v == nil || v.keys == nil {
		panic("webhooks: NewHandler needs a Verifier")
	}
	if fn == nil {
		panic("webhooks: NewHandler needs a function")
	}
	h := &Handler{
		verifier: v,
		fn:       fn,
		maxBody:  DefaultMaxBodyBytes,
		timeout:  DefaultTimeout,
		logger:   slog.New(slog.DiscardHandler),
	}
	for _, opt := range opts {
		opt(h)
	}
	if h.store == nil {
		h.store = NewMemoryStore(0, 0)
	}
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(ctx, w, http.StatusMethodNotAllowed, "", errors.New("method "+r.Method+" not allowed"))
		return
	}
	body, status, err := h.readBody(w, r)
	if err != nil {
		h.refuse(ctx, w, status, "", err)
		return
	}
	id := r.Header.Get(HeaderID)
	if err := h.verifier.Verify(body, r.Header); err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, ErrMissingHeaders) || errors.Is(err, ErrInvalidTimestamp) {
			status = http.StatusBadRequest
		}
		h.refuse(ctx, w, status, id, err)
		return
	}
	ev, err := DecodeEvent(body)
	if err != nil {
		h.refuse(ctx, w, http.StatusBadRequest, id, err)
		return
	}
	h.process(w, r, id, ev)
}

// readBody reads the body, refusing one larger than the limit without reading
// past it: at once when Content-Length says so, else after limit+1 bytes.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	if r.ContentLength > h.maxBody {
		// Close the connection rather than let the server drain the body.
		w.Header().Set("Connection", "close")
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body of %d bytes is larger than the limit of %d", r.ContentLength, h.maxBody)
	}
	if r.Body == nil { // a request built by hand, not by a server
		return nil, 0, nil
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			w.Header().Set("Connection", "close")
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body is larger than the limit of %d bytes", h.maxBody)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("reading the body: %w", err)
	}
	return buf.Bytes(), 0, nil
}

// process runs the function once per webhook-id and answers with its verdict.
func (h *Handler) process(w http.ResponseWriter, r *http.Request, id string, ev Event) {
	ctx := r.Context()
	claim, err := h.store.Claim(ctx, id, h.timeout+leaseGrace)
	if err != nil {
		h.logger.LogAttrs(ctx, slog.LevelError, "webhooks: store failed, delivery refused",
			slog.String("webhook_id", id), slog.String("event_type", ev.EventType()), slog.Any("error", err))
		http.Error(w, "deduplication store unavailable", http.StatusServiceUnavailable)
		return
	}
	switch claim {
	case ClaimAcquired:
	case ClaimAlreadyDone:
		w.WriteHeader(http.StatusOK)
		return
	case ClaimInProgress:
		h.refuse(ctx, w, http.StatusConflict, id, errors.New("a delivery with this webhook-id is in progress"))
		return
	default:
		h.logger.LogAttrs(ctx, slog.LevelError, "webhooks: store answered an unknown claim, delivery refused",
			slog.String("webhook_id", id), slog.Int("claim", int(claim)))
		http.Error(w, "deduplication store unavailable", http.StatusServiceUnavailable)
		return
	}

	detached := context.WithoutCancel(ctx)
	done := false
	defer func() {
		// Runs also when fn panics: the sender's retry must find the id free.
		if done {
			return
		}
		sctx, cancel := context.WithTimeout(detached, storeCallTimeout)
		defer cancel()
		if err := h.store.Release(sctx, id); err != nil {
			h.logger.LogAttrs(ctx, slog.LevelError, "webhooks: store failed to release a failed delivery",
				slog.String("webhook_id", id), slog.Any("error", err))
		}
	}()

	fctx, cancel := context.WithTimeout(detached, h.timeout)
	err = h.fn(fctx, ev)
	cancel()
	if err != nil {
		h.logger.LogAttrs(ctx, slog.LevelError, "webhooks: function failed, the sender will retry",
			slog.String("webhook_id", id), slog.String("event_type", ev.EventType()), slog.Any("error", err))
		http.Error(w, "processing failed", http.StatusInternalServerError)
		return
	}
	done = true
	sctx, cancelStore := context.WithTimeout(detached, storeCallTimeout)
	defer cancelStore()
	if err := h.store.Complete(sctx, id); err != nil {
		// The event was processed: acknowledge it all the same, or the sender
		// would deliver it again.
		h.logger.LogAttrs(ctx, slog.LevelError, "webhooks: store failed to record a processed delivery",
			slog.String("webhook_id", id), slog.Any("error", err))
	}
	w.WriteHeader(http.StatusOK)
}

// refuse answers a delivery that was not processed and logs why.
func (h *Handler) refuse(ctx context.Context, w http.ResponseWriter, status int, id string, err error) {
	h.logger.LogAttrs(ctx, slog.LevelWarn, "webhooks: delivery refused",
		slog.Int("status", status), slog.String("webhook_id", id), slog.String("reason", err.Error()))
	http.Error(w, http.StatusText(status)+": "+err.Error(), status)
}
