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
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/go-managedagents/managedagents/internal/apierror"
	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// call is one unary request with its retries. It is the http.RoundTripper of the
// inner http.Client given to retryablehttp, so every attempt passes through
// RoundTrip: limiter slot, per-attempt timeout, connection trace, the whole body
// read. It has no CloseIdleConnections method, so retryablehttp's calls to
// http.Client.CloseIdleConnections after a failure are no-ops and the user's
// connection pool is left alone. Attempts run one after the other in the
// caller's goroutine, so the fields need no lock (the trace flags are atomic
// because the transport reports some of them from its own goroutines).
type call struct {
	cfg        *config.Config
	method     string
	path       string
	class      ratelimit.Class
	repeatable bool
	hc         *http.Client
	log        reqLog
	url        string // the request's URL, for errors

	attempt     int           // number of the current attempt, from 1
	trace       *attemptTrace // trace of the current attempt
	body        []byte        // body of the current attempt's answer
	contentType string        // content-type of the current attempt's answer
	status      int           // status of the current attempt's answer
	requestID   string        // request-id of the current attempt's answer
	wait        time.Duration // wait before the next attempt, set by checkRetry
	final       error         // the error checkRetry stopped with
}

func newCall(cfg *config.Config, method, path string) *call {
	return &call{
		cfg:        cfg,
		method:     method,
		path:       path,
		class:      ratelimit.Classify(method, path),
		repeatable: Repeatable(method, path),
		hc:         safeClient(client(cfg)),
		log:        newLog(cfg.Logger, method, path),
	}
}

// attemptTrace records how far one attempt got towards the server.
type attemptTrace struct {
	gettingConn, gotConn, wroteHeaders atomic.Bool
}

func (t *attemptTrace) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn:      func(string) { t.gettingConn.Store(true) },
		GotConn:      func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
		WroteHeaders: func() { t.wroteHeaders.Store(true) },
	}
}

// limiterError carries an error of Limiter.Acquire through retryablehttp; it is
// returned unwrapped and never retried.
type limiterError struct{ err error }

func (e *limiterError) Error() string { return e.err.Error() }
func (e *limiterError) Unwrap() error { return e.err }

// run sends req with retries and returns the body of its 2xx answer.
func (c *call) run(ctx context.Context, req *http.Request, body []byte) ([]byte, error) {
	c.url = req.URL.Redacted()
	rreq := &retryablehttp.Request{Request: req}
	if body != nil {
		if err := rreq.SetBody(body); err != nil {
			return nil, fmt.Errorf("managedagents: %s %s: %w", c.method, c.path, err)
		}
	}
	rc := &retryablehttp.Client{
		// The inner client never follows redirects itself (c.hc, the user's
		// client, already did) and has no timeout: RoundTrip bounds each attempt.
		HTTPClient: &http.Client{
			Transport:     c,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Logger:       nil, // retryablehttp logs URLs to stderr by default
		RetryMax:     c.cfg.MaxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return c.wait },
		ErrorHandler: passThrough,
	}
	resp, err := rc.Do(rreq)
	if resp != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
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
	return c.body, nil
}

// malformed returns the error of a 2xx answer whose body could not be decoded
// (err nil: empty or null).
func (c *call) malformed(err error) error {
	if err == nil && len(bytes.TrimSpace(c.body)) > 0 {
		err = errors.New("JSON null instead of a value")
	}
	return &apierror.ResponseError{Method: c.method, URL: c.url, StatusCode: c.status, ContentType: c.contentType, RequestID: c.requestID, Err: err}
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

// RoundTrip makes one attempt: it takes a limiter slot, sends req with the user's
// client under the per-attempt timeout, and reads the whole answer (at most 64
// KiB of an error answer), so that the timeout also bounds the body and a body
// cut off counts as a failed attempt.
func (c *call) RoundTrip(req *http.Request) (*http.Response, error) {
	c.attempt++
	c.body, c.contentType, c.status, c.requestID, c.trace = nil, "", 0, "", nil
	ctx := req.Context()
	if c.cfg.Limiter != nil {
		if err := c.cfg.Limiter.Acquire(ctx, c.class); err != nil {
			return nil, &limiterError{err}
		}
	}
	tr := &attemptTrace{}
	c.trace = tr
	actx := httptrace.WithClientTrace(ctx, tr.clientTrace())
	if d := c.cfg.RequestTimeout; d > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(actx, d)
		defer cancel()
	}
	start := time.Now()
	resp, err := c.hc.Do(req.WithContext(actx))
	var data []byte
	if err == nil {
		data, err = readBody(resp)
		if err != nil {
			err = fmt.Errorf("reading response body: %w", err)
			resp = nil
		}
	}
	if err != nil {
		err = unwrapURLError(err)
		if actx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("attempt timed out after %s: %w", c.cfg.RequestTimeout, err)
		}
		c.log.attempt(ctx, c.attempt, nil, err, time.Since(start))
		return nil, err
	}
	c.body = data
	c.contentType = resp.Header.Get("Content-Type")
	c.status, c.requestID = resp.StatusCode, resp.Header.Get("Request-Id")
	resp.Body = io.NopCloser(bytes.NewReader(data))
	c.log.attempt(ctx, c.attempt, resp, nil, time.Since(start))
	return resp, nil
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
// retried and computes the wait (kept for Backoff). When it stops on a failure
// it returns the call's final error, which passThrough hands back to run.
func (c *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry, final := c.check(ctx, resp, err)
	c.final = final
	return retry, final
}

func (c *call) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
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
	var apiErr *apierror.Error
	status := 0
	if resp != nil {
		status = resp.StatusCode
		if status/100 == 2 {
			return false, nil
		}
		apiErr = ErrorFromResponse(resp)
		redact(apiErr, c.cfg)
		if status == http.StatusTooManyRequests && c.cfg.Limiter != nil {
			c.cfg.Limiter.Pause(ctx, c.class, apiErr.RetryAfter)
		}
	}
	v := decide(c.repeatable, resp, err, notSent(err, c.trace))
	final := c.failure(v, apiErr, err)
	reqID := ""
	if apiErr != nil {
		reqID = apiErr.RequestID
	}
	if !v.retry {
		c.log.giveUp(ctx, c.attempt, status, reqID, v.reason)
		return false, final
	}
	if c.attempt > c.cfg.MaxRetries {
		c.log.giveUp(ctx, c.attempt, status, reqID, v.reason+"; no retries left")
		return false, final
	}
	var serverWait time.Duration
	if apiErr != nil {
		serverWait = apiErr.RetryAfter
	}
	wait, over := delay(c.attempt-1, serverWait, c.cfg.MaxRetryAfter, jitter())
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
func (c *call) failure(v verdict, apiErr *apierror.Error, err error) error {
	var cause error
	if apiErr != nil {
		cause = apiErr
	}
	if v.uncertain {
		if cause == nil {
			cause = err
		}
		return &apierror.DeliveryError{Method: c.method, URL: c.url, Err: cause}
	}
	if cause == nil {
		cause = c.wrap(err)
	}
	return cause
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
