package webhooks_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/webhooks"
)

// newHandler returns a handler verifying with the sample secret on a clock
// stopped at the sample's timestamp.
func newHandler(t testing.TB, fn func(context.Context, webhooks.Event) error, opts ...webhooks.HandlerOption) *webhooks.Handler {
	t.Helper()
	return webhooks.NewHandler(sampleVerifier(t), fn, opts...)
}

// deliver posts body with header to h and returns the answer.
func deliver(h http.Handler, body []byte, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// counter is a handler function that counts its calls and records the events.
type counter struct {
	mu     sync.Mutex
	events []webhooks.Event
}

func (c *counter) fn(_ context.Context, ev webhooks.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, ev)
	return nil
}

func (c *counter) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

func TestHandlerPassesAVerifiedEventToTheFunction(t *testing.T) {
	t.Parallel()
	var c counter
	h := newHandler(t, c.fn)
	header, body := signedSample(t)
	rec := deliver(h, body, header)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, 1, c.calls())
	idle, ok := c.events[0].(*webhooks.SessionStatusIdledEvent)
	require.True(t, ok, "got %T", c.events[0])
	require.Equal(t, "sesn_011CZkZAtmR3yMPDzynEDxu7", idle.Data.ID)
}

func TestHandlerRefusesBadDeliveriesWithoutCallingTheFunction(t *testing.T) {
	t.Parallel()
	header, body := signedSample(t)
	with := func(name, value string) http.Header {
		h := header.Clone()
		h.Set(name, value)
		return h
	}
	without := func(name string) http.Header {
		h := header.Clone()
		h.Del(name)
		return h
	}
	old := sign(t, sampleSecret, sampleID, sampleTime.Add(-6*time.Minute), body)
	future := sign(t, sampleSecret, sampleID, sampleTime.Add(6*time.Minute), body)
	for _, tc := range []struct {
		name   string
		body   []byte
		header http.Header
		status int
		reason error
	}{
		{"bad signature", body, with(webhooks.HeaderSignature, "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), http.StatusUnauthorized, webhooks.ErrInvalidSignature},
		{"signed with another secret", body, sign(t, webhooks.GenerateSecret(), sampleID, sampleTime, body), http.StatusUnauthorized, webhooks.ErrInvalidSignature},
		{"tampered body", bytes.Replace(body, []byte("sesn_"), []byte("sesX_"), 1), header, http.StatusUnauthorized, webhooks.ErrInvalidSignature},
		{"stale timestamp", body, old, http.StatusUnauthorized, webhooks.ErrTimestampTooOld},
		{"future timestamp", body, future, http.StatusUnauthorized, webhooks.ErrTimestampTooNew},
		{"no signature", body, without(webhooks.HeaderSignature), http.StatusBadRequest, webhooks.ErrMissingHeaders},
		{"no id", body, without(webhooks.HeaderID), http.StatusBadRequest, webhooks.ErrMissingHeaders},
		{"timestamp not a number", body, with(webhooks.HeaderTimestamp, "soon"), http.StatusBadRequest, webhooks.ErrInvalidTimestamp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c counter
			var logs bytes.Buffer
			h := newHandler(t, c.fn, webhooks.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			rec := deliver(h, tc.body, tc.header)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			require.Zero(t, c.calls())
			// The reason reaches the log (and the sender), the secret never.
			require.Contains(t, logs.String(), "level=WARN")
			require.Contains(t, logs.String(), strings.TrimPrefix(tc.reason.Error(), "webhooks: "))
			require.Contains(t, rec.Body.String(), strings.TrimPrefix(tc.reason.Error(), "webhooks: "))
			require.NotContains(t, logs.String()+rec.Body.String(), strings.TrimPrefix(sampleSecret, "whsec_")[:12])
		})
	}
}

func TestHandlerVerifiesBeforeParsing(t *testing.T) {
	t.Parallel()
	var c counter
	h := newHandler(t, c.fn)
	notJSON := []byte("{not json")
	// Unsigned garbage is a signature failure, not a parse failure.
	rec := deliver(h, notJSON, sign(t, webhooks.GenerateSecret(), "msg_1", sampleTime, notJSON))
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	// Signed garbage passes verification, then fails to decode.
	rec = deliver(h, notJSON, sign(t, sampleSecret, "msg_1", sampleTime, notJSON))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "decoding event")
	require.Zero(t, c.calls())
}

func TestHandlerAcknowledgesAReplayWithoutCallingTheFunctionAgain(t *testing.T) {
	t.Parallel()
	var c counter
	h := newHandler(t, c.fn)
	header, body := signedSample(t)
	for range 3 {
		rec := deliver(h, body, header)
		require.Equal(t, http.StatusOK, rec.Code)
	}
	require.Equal(t, 1, c.calls())

	// Another id is another delivery, even with the same body.
	rec := deliver(h, body, sign(t, sampleSecret, "msg_other", sampleTime, body))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, 2, c.calls())
}

func TestHandlerAnswers409ToADuplicateInFlight(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	h := newHandler(t, func(ctx context.Context, ev webhooks.Event) error {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
		return nil
	})
	header, body := signedSample(t)
	first := make(chan int, 1)
	go func() { first <- deliver(h, body, header).Code }()
	<-entered

	rec := deliver(h, body, header)
	require.Equal(t, http.StatusConflict, rec.Code, "a duplicate while the first is in progress")
	close(release)
	require.Equal(t, http.StatusOK, <-first)
	require.Equal(t, http.StatusOK, deliver(h, body, header).Code)
	require.Equal(t, int32(1), calls.Load())
}

func TestHandlerFunctionErrorMakesTheSenderRetry(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var logs bytes.Buffer
	h := newHandler(t, func(ctx context.Context, ev webhooks.Event) error {
		if calls.Add(1) == 1 {
			return errors.New("database unavailable")
		}
		return nil
	}, webhooks.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	header, body := signedSample(t)

	rec := deliver(h, body, header)
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.NotContains(t, rec.Body.String(), "database", "the function's error is for the logs, not for the sender")
	require.Contains(t, logs.String(), "database unavailable")
	require.Contains(t, logs.String(), "webhook_id="+sampleID)

	// The sender retries: the id was not recorded as done.
	require.Equal(t, http.StatusOK, deliver(h, body, header).Code)
	require.Equal(t, int32(2), calls.Load())
	require.Equal(t, http.StatusOK, deliver(h, body, header).Code)
	require.Equal(t, int32(2), calls.Load(), "a third delivery after the success is a duplicate")
}

func TestHandlerReleasesTheIDWhenTheFunctionPanics(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := newHandler(t, func(ctx context.Context, ev webhooks.Event) error {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		return nil
	})
	header, body := signedSample(t)
	require.PanicsWithValue(t, "boom", func() { deliver(h, body, header) })
	require.Equal(t, http.StatusOK, deliver(h, body, header).Code)
	require.Equal(t, int32(2), calls.Load())
}

func TestHandlerFunctionContext(t *testing.T) {
	t.Parallel()
	type key struct{}
	var (
		errDuring error
		value     any
		deadline  time.Time
		hasDL     bool
	)
	h := newHandler(t, func(ctx context.Context, ev webhooks.Event) error {
		errDuring, value = ctx.Err(), ctx.Value(key{})
		deadline, hasDL = ctx.Deadline()
		return nil
	}, webhooks.WithTimeout(time.Minute))
	header, body := signedSample(t)

	// The sender hung up before the function ran: the function still runs
	// to the end with an uncancelled context that keeps the request's values.
	reqCtx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	cancel()
	req := httptest.NewRequestWithContext(reqCtx, http.MethodPost, "/", bytes.NewReader(body))
	req.Header = header.Clone()
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	require.NoError(t, errDuring)
	require.Equal(t, "v", value)
	require.True(t, hasDL)
	require.WithinDuration(t, start.Add(time.Minute), deadline, 5*time.Second)
}

func TestHandlerTimeoutEndsTheFunctionsContext(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := newHandler(t, func(ctx context.Context, ev webhooks.Event) error {
		if calls.Add(1) == 1 {
			<-ctx.Done() // a slow function that honours its context
			return ctx.Err()
		}
		return nil
	}, webhooks.WithTimeout(20*time.Millisecond))
	header, body := signedSample(t)
	require.Equal(t, http.StatusInternalServerError, deliver(h, body, header).Code)
	require.Equal(t, http.StatusOK, deliver(h, body, header).Code)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestHandlerRefusesAnOversizedBodyWithoutReadingIt(t *testing.T) {
	t.Parallel()
	const limit = 1024
	var c counter
	h := newHandler(t, c.fn, webhooks.WithMaxBodyBytes(limit))
	big := bytes.Repeat([]byte("x"), 64*limit)
	header := sign(t, sampleSecret, "msg_big", sampleTime, big)

	post := func(contentLength int64) (*httptest.ResponseRecorder, int64) {
		body := &countingReader{r: bytes.NewReader(big)}
		req := httptest.NewRequest(http.MethodPost, "/", body)
		req.ContentLength = contentLength
		req.Header = header.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec, body.n
	}

	// Content-Length says it: refused before reading a byte.
	rec, read := post(int64(len(big)))
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	require.Zero(t, read)
	require.Equal(t, "close", rec.Header().Get("Connection"))

	// Unknown length (chunked): read no further than the limit and one byte.
	rec, read = post(-1)
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	require.LessOrEqual(t, read, int64(limit+1))
	require.Equal(t, "close", rec.Header().Get("Connection"))

	// A Content-Length that lies low is caught the same way.
	rec, read = post(10)
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	require.LessOrEqual(t, read, int64(limit+1))
	require.Zero(t, c.calls())

	// A body of exactly the limit passes.
	_, sample := signedSample(t)
	exact := append(bytes.Clone(sample), bytes.Repeat([]byte(" "), limit-len(sample))...)
	require.Len(t, exact, limit)
	rec = deliver(h, exact, sign(t, sampleSecret, "msg_exact", sampleTime, exact))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.Equal(t, 1, c.calls())
}

func TestHandlerTakesARequestWithoutBody(t *testing.T) {
	t.Parallel()
	var c counter
	h := newHandler(t, c.fn)
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.Body = nil
	req.Header = sign(t, sampleSecret, "msg_1", sampleTime, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusBadRequest, rec.Code, "an empty body is signed, but not an event")
	require.Zero(t, c.calls())
}

func TestHandlerOverHTTP(t *testing.T) {
	t.Parallel()
	var c counter
	srv := httptest.NewServer(newHandler(t, c.fn, webhooks.WithMaxBodyBytes(4096)))
	defer srv.Close()
	header, body := signedSample(t)

	post := func(body []byte, header http.Header) *http.Response {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/anthropic", bytes.NewReader(body))
		require.NoError(t, err)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		return resp
	}
	require.Equal(t, http.StatusOK, post(body, header).StatusCode)
	require.Equal(t, http.StatusOK, post(body, header).StatusCode)
	require.Equal(t, 1, c.calls())

	big := bytes.Repeat([]byte(" "), 32<<10)
	resp := post(big, sign(t, sampleSecret, "msg_big", sampleTime, big))
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.True(t, resp.Close, "the server must close the connection rather than drain the body")

	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.Equal(t, http.MethodPost, resp.Header.Get("Allow"))
	srv.Client().CloseIdleConnections()
}

func TestHandlerPassesUnknownEventsToTheFunction(t *testing.T) {
	t.Parallel()
	var c counter
	h := newHandler(t, c.fn)
	body := payload("session.frobnicated")
	rec := deliver(h, body, sign(t, sampleSecret, "msg_1", sampleTime, body))
	require.Equal(t, http.StatusOK, rec.Code)
	require.IsType(t, &webhooks.UnknownEvent{}, c.events[0])
}

// flakyStore is a Store whose calls fail on demand.
type flakyStore struct {
	webhooks.Store
	claimErr, completeErr, releaseErr error
	claim                             *webhooks.Claim
}

func (s *flakyStore) Claim(ctx context.Context, id string, lease time.Duration) (webhooks.Claim, error) {
	if s.claimErr != nil {
		return 0, s.claimErr
	}
	if s.claim != nil {
		return *s.claim, nil
	}
	return s.Store.Claim(ctx, id, lease)
}

func (s *flakyStore) Complete(ctx context.Context, id string) error {
	if s.completeErr != nil {
		return s.completeErr
	}
	return s.Store.Complete(ctx, id)
}

func (s *flakyStore) Release(ctx context.Context, id string) error {
	if s.releaseErr != nil {
		return s.releaseErr
	}
	return s.Store.Release(ctx, id)
}

func TestHandlerWithAFailingStore(t *testing.T) {
	t.Parallel()
	header, body := signedSample(t)
	down := errors.New("store down")

	var c counter
	var logs bytes.Buffer
	logger := webhooks.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	h := newHandler(t, c.fn, webhooks.WithStore(&flakyStore{claimErr: down}), logger)
	require.Equal(t, http.StatusServiceUnavailable, deliver(h, body, header).Code)
	require.Zero(t, c.calls(), "without the store, a delivery could run twice")
	require.Contains(t, logs.String(), "store down")

	strange := webhooks.Claim(42)
	h = newHandler(t, c.fn, webhooks.WithStore(&flakyStore{claim: &strange}), logger)
	require.Equal(t, http.StatusServiceUnavailable, deliver(h, body, header).Code)
	require.Zero(t, c.calls())

	// Complete fails after the function succeeded: acknowledged all the same.
	logs.Reset()
	h = newHandler(t, c.fn, webhooks.WithStore(&flakyStore{Store: webhooks.NewMemoryStore(10, time.Hour), completeErr: down}), logger)
	require.Equal(t, http.StatusOK, deliver(h, body, header).Code)
	require.Equal(t, 1, c.calls())
	require.Contains(t, logs.String(), "failed to record")

	// Release fails after the function failed: still 500.
	logs.Reset()
	fail := func(context.Context, webhooks.Event) error { return errors.New("nope") }
	h = newHandler(t, fail, webhooks.WithStore(&flakyStore{Store: webhooks.NewMemoryStore(10, time.Hour), releaseErr: down}), logger)
	require.Equal(t, http.StatusInternalServerError, deliver(h, body, header).Code)
	require.Contains(t, logs.String(), "failed to release")
}

func TestHandlerSharesAStoreBetweenReplicas(t *testing.T) {
	t.Parallel()
	store := webhooks.NewMemoryStore(10, time.Hour)
	var a, b counter
	ha := newHandler(t, a.fn, webhooks.WithStore(store))
	hb := newHandler(t, b.fn, webhooks.WithStore(store))
	header, body := signedSample(t)
	require.Equal(t, http.StatusOK, deliver(ha, body, header).Code)
	require.Equal(t, http.StatusOK, deliver(hb, body, header).Code)
	require.Equal(t, 1, a.calls()+b.calls())
}

func TestNewHandlerPanicsWithoutVerifierOrFunction(t *testing.T) {
	t.Parallel()
	v, err := webhooks.NewVerifier(sampleSecret)
	require.NoError(t, err)
	require.Panics(t, func() { webhooks.NewHandler(nil, func(context.Context, webhooks.Event) error { return nil }) })
	require.Panics(t, func() {
		webhooks.NewHandler(&webhooks.Verifier{}, func(context.Context, webhooks.Event) error { return nil })
	})
	require.Panics(t, func() { webhooks.NewHandler(v, nil) })
}
