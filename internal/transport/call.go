package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/go-managedagents/managedagents/internal/callinfo"
	"github.com/go-managedagents/managedagents/internal/config"
)

// call is one request with its retries. It is the http.RoundTripper of the
// inner http.Client given to retryablehttp, so every attempt passes through
// RoundTrip: limiter slot, per-attempt bound, middlewares, connection trace,
// body read. retryablehttp runs the loop and the waits; CheckRetry, Backoff
// and ErrorHandler are ours because its own policy retries POSTs blindly,
// ignores x-should-retry and retry-after-ms, and drops the final answer; call
// has no CloseIdleConnections method, so the one retryablehttp makes after a
// failure never churns the user's connection pool.
// Attempts run one after the other in the caller's goroutine, so the fields
// need no lock (the trace flags are atomic because the transport reports some
// of them from its own goroutines).
type call struct {
	cfg        *config.Config
	ep         *Endpoint
	method     string
	path       string
	url        string // the request's URL without credentials, for errors
	mode       callMode
	reqBody    []byte      // the request's JSON body; nil for none
	upload     *uploadBody // the request's streamed body; nil for none
	maxRetries int
	info       *callinfo.State
	send       func(*http.Request) (*http.Response, error) // middlewares around the user's client
	log        reqLog

	attempt int           // number of the current attempt, from 1
	trace   *attemptTrace // trace of the current attempt
	body    []byte        // body of the current attempt's answer (not of a stream)
	wait    time.Duration // wait before the next attempt, set by checkRetry
	final   error         // the error checkRetry stopped with
	bodyErr error         // the upload's source failed in the current attempt
	// applied: an earlier attempt may have taken effect on the server.
	applied bool
}

// callMode says what a call does with a 2xx answer and how long an attempt
// may take.
type callMode uint8

const (
	// unary calls read the whole answer; RequestTimeout bounds each attempt
	// (from the end of the request's body, for an upload).
	unary callMode = iota
	// events calls open an event stream: the 2xx body is handed over unread,
	// and StreamIdleTimeout bounds the wait for the headers.
	events
	// download calls hand the 2xx body over unread; RequestTimeout bounds the
	// wait for the headers.
	download
)

// newCall prepares a call of r and its first request.
func newCall(ctx context.Context, cfg *config.Config, r Request, mode callMode) (*call, *http.Request, error) {
	ctx, info := startCall(ctx, r, mode == events)
	req, body, err := newRequest(ctx, cfg, r)
	if err != nil {
		return nil, nil, err
	}
	c := &call{
		cfg:     cfg,
		ep:      r.Endpoint,
		method:  req.Method,
		path:    req.URL.Path,
		url:     req.URL.Redacted(),
		mode:    mode,
		info:    info,
		send:    chain(safeClient(httpClient(cfg)), cfg.Middlewares),
		log:     newLog(cfg.Logger, req.Method, r.Endpoint.Route, cfg.Redact),
		reqBody: body,
	}
	if r.Upload != nil {
		c.upload = &uploadBody{up: r.Upload}
	}
	return c, req, nil
}

// chain returns hc.Do wrapped in the middlewares, the first outermost.
func chain(hc *http.Client, mws []config.Middleware) func(*http.Request) (*http.Response, error) {
	next := hc.Do
	for _, mw := range slices.Backward(mws) {
		inner := next
		next = func(r *http.Request) (*http.Response, error) { return mw(r, inner) }
	}
	return next
}

// attemptTrace records how far one attempt got towards the server.
type attemptTrace struct {
	gettingConn, gotConn, wroteHeaders atomic.Bool
	// wroteRequest, if set, runs once the whole request has been written.
	wroteRequest func()
}

func (t *attemptTrace) clientTrace() *httptrace.ClientTrace {
	ct := &httptrace.ClientTrace{
		GetConn:      func(string) { t.gettingConn.Store(true) },
		GotConn:      func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
		WroteHeaders: func() { t.wroteHeaders.Store(true) },
	}
	if f := t.wroteRequest; f != nil {
		ct.WroteRequest = func(httptrace.WroteRequestInfo) { f() }
	}
	return ct
}

// limiterError carries an error of Limiter.Acquire through retryablehttp; it is
// returned unwrapped and never retried.
type limiterError struct{ err error }

func (e *limiterError) Error() string { return e.err.Error() }
func (e *limiterError) Unwrap() error { return e.err }

// boundError is the cause of an attempt cut short by one of its bounds. It is
// a timeout of the client: a net.Error whose Timeout is true, as for an
// attempt past its request timeout, so that a caller (or telemetry) that
// tells timeouts apart finds it one.
type boundError string

func (e boundError) Error() string { return string(e) }

// Timeout reports true: the client's bound expired.
func (boundError) Timeout() bool { return true }

// Temporary reports true: another attempt may succeed.
func (boundError) Temporary() bool { return true }

// Causes of an attempt cut short by its bound.
var (
	// errNoHeaders cancels a stream open attempt that waited too long for headers.
	errNoHeaders error = boundError("no response headers within the stream idle timeout")
	// errNoDownloadHeaders cancels a download attempt that waited too long for headers.
	errNoDownloadHeaders error = boundError("no response headers within the request timeout")
	// errUploadTimeout cancels an upload attempt whose answer took too long
	// once its body was sent.
	errUploadTimeout error = boundError("no answer within the request timeout after the request body was sent")
)

// run sends req with at most maxRetries retries and returns its 2xx answer.
func (c *call) run(req *http.Request, maxRetries int) (*http.Response, error) {
	c.maxRetries = maxRetries
	ctx := req.Context()
	rreq := &retryablehttp.Request{Request: req}
	if c.reqBody != nil {
		// retryablehttp rewinds the body for every attempt.
		if err := rreq.SetBody(c.reqBody); err != nil {
			return nil, c.wrap(err)
		}
	}
	rc := &retryablehttp.Client{
		// The inner client never follows redirects itself (c.send, the user's
		// client, already did) and has no timeout: RoundTrip bounds each attempt.
		HTTPClient: &http.Client{
			Transport:     c,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Logger:       nil, // retryablehttp logs URLs to stderr by default
		RetryMax:     maxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return c.wait },
		ErrorHandler: passThrough,
	}
	resp, err := rc.Do(rreq)
	if err == nil {
		return resp, nil
	}
	if resp != nil {
		_ = resp.Body.Close()
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	// checkRetry returns the final error of every failed call; anything else
	// (which retryablehttp should not produce) still names the request.
	if c.final != nil && err == c.final {
		return nil, err
	}
	return nil, c.wrap(unwrapURLError(err))
}

// passThrough is retryablehttp's ErrorHandler: it keeps the final response and
// checkRetry's error, instead of retryablehttp's "giving up" error that drops both.
func passThrough(resp *http.Response, err error, _ int) (*http.Response, error) {
	return resp, err
}

func (c *call) wrap(err error) error {
	var le *limiterError
	if errors.As(err, &le) {
		return le.err
	}
	return fmt.Errorf("managedagents: %s %s: %w", c.method, c.path, err)
}

// RoundTrip makes one attempt: it takes a limiter slot, sends req through the
// middlewares and the user's client under the attempt's bound, and reads the
// whole answer (at most 64 KiB of an error answer; the 2xx body of a stream
// or a download is left to the caller), so that the bound also covers the
// body and a body cut off counts as a failed attempt.
func (c *call) RoundTrip(req *http.Request) (*http.Response, error) {
	c.attempt = c.info.NextAttempt()
	c.body, c.trace, c.bodyErr = nil, nil, nil
	ctx := req.Context()
	if lim := c.cfg.Limiter; lim != nil {
		start := time.Now()
		err := lim.Acquire(ctx, c.ep.Class)
		c.info.AddWait(time.Since(start))
		if err != nil {
			return nil, &limiterError{err}
		}
	}
	tr := &attemptTrace{}
	c.trace = tr
	var answer *time.Timer // bounds the wait for an upload's answer, once its body is sent
	bound := c.cfg.RequestTimeout
	if c.mode == events {
		bound = c.cfg.StreamIdleTimeout
	}
	if c.upload != nil && bound > 0 {
		// Sending the body may take long: the bound starts once it is sent.
		tr.wroteRequest = func() { answer.Reset(bound) }
	}
	actx, cancel := context.WithCancelCause(httptrace.WithClientTrace(ctx, tr.clientTrace()))
	var headers *time.Timer // bounds the wait for the headers of a stream or a download
	switch {
	case bound <= 0:
	case c.mode == events:
		headers = time.AfterFunc(bound, func() { cancel(errNoHeaders) })
	case c.mode == download:
		headers = time.AfterFunc(bound, func() { cancel(errNoDownloadHeaders) })
	case c.upload != nil:
		answer = time.AfterFunc(time.Hour, func() { cancel(errUploadTimeout) })
		answer.Stop()
		defer answer.Stop()
	default:
		var stop context.CancelFunc
		actx, stop = context.WithTimeout(actx, bound)
		defer stop()
	}
	start := time.Now()
	// Each attempt gets its own headers, so a middleware that adds one (a
	// trace header) adds it once per attempt, not once more per retry.
	areq := req.WithContext(actx)
	areq.Header = req.Header.Clone()
	if c.upload != nil {
		areq.Body, areq.GetBody = c.upload.open(), nil
		areq.ContentLength = max(c.upload.up.Length, -1)
	}
	resp, err := c.send(areq)
	if headers != nil {
		headers.Stop()
	}
	if c.upload != nil {
		c.bodyErr = c.upload.end(ctx)
	}
	switch {
	case err == nil && resp == nil:
		err = errors.New("a middleware returned neither a response nor an error")
	case err == nil && resp.Request == nil: // a middleware's own answer
		resp.Request = areq
	}
	if err == nil && (c.mode == unary || resp.StatusCode/100 != 2) {
		if c.body, err = readBody(resp); err != nil {
			err = fmt.Errorf("reading response body: %w", err)
			resp = nil
		}
	}
	if err != nil {
		err = unwrapURLError(err)
		switch {
		case ctx.Err() != nil:
		case context.Cause(actx) == errNoHeaders || context.Cause(actx) == errNoDownloadHeaders || context.Cause(actx) == errUploadTimeout:
			// net/http may return the cause itself; say the bound once.
			cause := context.Cause(actx)
			if errors.Is(err, cause) {
				err = fmt.Errorf("%w (%s)", cause, bound)
			} else {
				err = fmt.Errorf("%w (%s): %w", cause, bound, err)
			}
		case actx.Err() != nil:
			err = fmt.Errorf("attempt timed out after %s: %w", bound, err)
		}
		cancel(nil)
		c.log.attempt(ctx, c.attempt, nil, err, time.Since(start))
		return nil, err
	}
	c.log.attempt(ctx, c.attempt, resp, nil, time.Since(start))
	if c.mode != unary && resp.StatusCode/100 == 2 {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	}
	cancel(nil)
	resp.Body = io.NopCloser(bytes.NewReader(c.body))
	return resp, nil
}

// cancelOnClose ends the context of a stream's or a download's attempt when
// its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}

// readBody reads and closes resp's body: all of a 2xx body, at most maxErrorBody
// of another. A read error of a non-2xx body is ignored (the error answer is
// built from what arrived).
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return data, nil
	}
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n < 64<<20 {
		buf.Grow(int(n))
	}
	_, err := buf.ReadFrom(resp.Body)
	return buf.Bytes(), err
}

// checkRetry is retryablehttp's CheckRetry: it decides whether the attempt is
// retried and computes the wait (kept for Backoff, which cannot see the
// error). When it stops on a failure it returns the call's final error, which
// passThrough hands back to run.
func (c *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry, final := c.check(ctx, resp, err)
	c.final = final
	return retry, final
}

func (c *call) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if c.bodyErr != nil {
		// The source failed: the request was cut short, whatever the attempt
		// saw (a broken connection, an answer to a partial body).
		c.log.giveUp(ctx, c.attempt, 0, "", "request body: "+c.bodyErr.Error())
		return false, &BodyError{Method: c.method, URL: c.url, Err: c.bodyErr}
	}
	if err != nil {
		err = unwrapURLError(err)
		var le *limiterError
		if errors.As(err, &le) {
			return false, le.err
		}
		resp = nil
	} else if resp == nil {
		return false, c.wrap(errors.New("no response"))
	}
	var se *StatusError
	status, reqID := 0, ""
	if resp != nil {
		status, reqID = resp.StatusCode, resp.Header.Get("Request-Id")
		if c.ep.succeeded(status) {
			return false, nil
		}
		se = &StatusError{Method: c.method, URL: c.url, Response: resp, Body: c.body,
			RetryAfter: ParseRetryAfter(resp.Header, time.Now())}
		if status == http.StatusTooManyRequests && c.cfg.Limiter != nil {
			// Capped like the retry's wait: a server asking for a day must
			// not block every later call of the class for a day.
			c.cfg.Limiter.Pause(ctx, c.ep.Class, min(se.RetryAfter, c.cfg.MaxRetryAfter))
		}
	}
	sent := !notSent(err, c.trace)
	v := decide(c.ep.Repeat == Idempotent, resp, err, !sent)
	if c.ep.FinalConflict && status == http.StatusConflict {
		v = verdict{uncertain: c.applied, reason: "conflict (409), this endpoint's final answer"}
	}
	c.applied = c.applied || mayHaveApplied(status, err, sent)
	if v.retry && c.upload != nil && !c.upload.replayable() {
		v.retry = false
		v.reason += "; the streamed request body cannot be sent again"
	}
	final := c.failure(v, se, err)
	if !v.retry {
		c.log.giveUp(ctx, c.attempt, status, reqID, v.reason)
		return false, final
	}
	if c.attempt > c.maxRetries {
		c.log.giveUp(ctx, c.attempt, status, reqID, v.reason+"; no retries left")
		return false, final
	}
	var serverWait time.Duration
	if se != nil {
		serverWait = se.RetryAfter
	}
	b := Backoff{Base: c.cfg.RetryBackoffBase, Max: c.cfg.RetryBackoffMax}
	wait, over := b.Delay(c.attempt-1, serverWait, c.cfg.MaxRetryAfter)
	if over {
		c.log.giveUp(ctx, c.attempt, status, reqID, fmt.Sprintf("%s; server asked to wait %s, more than the %s cap", v.reason, serverWait, c.cfg.MaxRetryAfter))
		return false, final
	}
	if pastDeadline(ctx, time.Now(), wait) {
		c.log.giveUp(ctx, c.attempt, status, reqID, fmt.Sprintf("%s; a wait of %s would pass the context deadline", v.reason, wait))
		return false, final
	}
	c.wait = wait
	c.log.retry(ctx, c.attempt, status, reqID, wait, v.reason)
	return true, nil
}

// failure is the error a call ends with when it stops after this attempt.
func (c *call) failure(v verdict, se *StatusError, err error) error {
	switch {
	case v.uncertain && se != nil:
		return &UncertainError{Method: c.method, URL: c.url, Err: se}
	case v.uncertain:
		return &UncertainError{Method: c.method, URL: c.url, Err: err}
	case se != nil:
		return se
	}
	return c.wrap(err)
}

// unwrapURLError drops the *url.Error that http.Client wraps around transport
// errors: the SDK's errors already name the request.
func unwrapURLError(err error) error {
	for {
		ue, ok := err.(*url.Error)
		if !ok || ue.Err == nil {
			return err
		}
		err = ue.Err
	}
}
