// Package transport sends the SDK's HTTP requests. Each request is a call of
// a declared [Endpoint], which says its method, route, rate class,
// repeatability and beta header; the transport sets the wire headers, takes a
// limiter slot for every attempt, runs the user's middlewares around every
// attempt, retries by the SDK's policy (on go-retryablehttp), and never sends
// a request declared [Once] twice when it may have reached the server. It
// reports failures with the raw facts ([StatusError], [UncertainError],
// [ContentTypeError]); the root package turns them into its public errors.
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents/internal/callinfo"
	"github.com/go-managedagents/managedagents/internal/config"
)

// Wire constants.
const (
	APIVersion   = "2023-06-01"
	ManagedBeta  = "managed-agents-2026-04-01"
	SDKVersion   = "0.1.0"
	UserAgent    = "managedagents-go/" + SDKVersion
	maxErrorBody = 64 << 10
)

// Do sends r, retrying by the SDK's policy, and returns the 2xx answer, or
// the answer with a status the endpoint declares a success (its body already
// read and closed: resp.Body is http.NoBody), and the body's bytes. The call record in ctx (see package callinfo), if any, is updated
// with the attempts and the limiter's wait; without one Do makes its own.
//
// Errors: ctx.Err() when ctx ended; *StatusError for a non-2xx answer;
// *UncertainError when a request declared Once failed after it may have
// reached the server; the limiter's error as is (a *ratelimit.WaitError when
// the slot would come after ctx's deadline); otherwise an error naming the
// method and path.
func Do(ctx context.Context, cfg *config.Config, r Request) (*http.Response, []byte, error) {
	if r.Endpoint.RawAnswer {
		return nil, nil, fmt.Errorf("managedagents: %s downloads: send it with Fetch", r.Endpoint)
	}
	c, req, err := newCall(ctx, cfg, r, unary)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.run(req, cfg.MaxRetries)
	if err != nil {
		return nil, nil, err
	}
	resp.Body = http.NoBody
	return resp, c.body, nil
}

// Open sends r as an event-stream GET: headers, limiter slots and middlewares
// as for any call, and the retry policy with at most maxRetries retries (a
// stream's first open uses the client's; its reconnects, which the stream
// paces itself, use 0). Each attempt's wait for the response headers is
// bounded by the stream idle timeout instead of the request timeout. On
// success the caller owns resp.Body; closing it ends the attempt's context.
// A 2xx answer whose content-type is neither text/event-stream nor missing is
// a *ContentTypeError (body closed). Other errors as for [Do].
func Open(ctx context.Context, cfg *config.Config, r Request, maxRetries int) (*http.Response, error) {
	c, req, err := newCall(ctx, cfg, r, events)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.run(req, maxRetries)
	if err != nil {
		return nil, err
	}
	if ct := resp.Header.Get("Content-Type"); !isEventStream(ct) {
		// A proxy's login page or a JSON body: reading it as SSE would find no
		// frame and look like a stream that keeps ending.
		_ = resp.Body.Close()
		c.log.giveUp(ctx, c.attempt, resp.StatusCode, resp.Header.Get("Request-Id"), "answer to a stream open is not an event stream")
		return nil, &ContentTypeError{Method: c.method, URL: c.url, Response: resp}
	}
	return resp, nil
}

// Fetch sends r, a call of an endpoint that [Endpoint.Downloads], as a
// download: headers, limiter slots, middlewares and the
// retry policy as for [Do], with Accept: application/binary. Each attempt's
// wait for the response headers is bounded by the request timeout; reading
// the body is not (the caller's context bounds it). On success the caller
// owns resp.Body, unread; closing it ends the attempt's context. Errors as
// for [Do].
func Fetch(ctx context.Context, cfg *config.Config, r Request) (*http.Response, error) {
	if !r.Endpoint.RawAnswer {
		return nil, fmt.Errorf("managedagents: %s answers with JSON: send it with Do", r.Endpoint)
	}
	c, req, err := newCall(ctx, cfg, r, download)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/binary")
	return c.run(req, cfg.MaxRetries)
}

// isEventStream reports whether ct, a content-type, is text/event-stream (or
// missing).
func isEventStream(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "text/event-stream"
}

// defaultClient is the client of every config without its own: one
// connection pool for every SDK client of the process.
var defaultClient = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 10 * time.Minute
	return &http.Client{Transport: t}
})

// httpClient returns the client that sends cfg's requests.
func httpClient(cfg *config.Config) *http.Client {
	if cfg.HTTPClient != nil {
		return cfg.HTTPClient
	}
	return defaultClient()
}

// newRequest builds the request of r with every wire header set: exactly one
// auth header (chosen by the endpoint's credential rule), anthropic-version,
// the endpoint's and the user's betas, anthropic-workspace-id, User-Agent,
// Accept, the user's extra headers and the request's own, and content-type
// only when there is a body. The body of an upload is not set: each attempt
// opens its own.
func newRequest(ctx context.Context, cfg *config.Config, r Request) (*http.Request, []byte, error) {
	path, err := r.Path()
	if err != nil {
		return nil, nil, fmt.Errorf("managedagents: %w", err)
	}
	var body []byte
	var rd io.Reader
	switch e := r.Endpoint; {
	case e.StreamedBody && r.Body != nil:
		return nil, nil, fmt.Errorf("managedagents: %s streams its body: it takes an upload, not a JSON body", e)
	case !e.StreamedBody && r.Upload != nil:
		return nil, nil, fmt.Errorf("managedagents: %s takes a JSON body, not an upload", e)
	}
	if r.Body != nil {
		if body, err = json.Marshal(r.Body); err != nil {
			return nil, nil, fmt.Errorf("managedagents: encoding request body: %w", err)
		}
		rd = bytes.NewReader(body)
	}
	u := cfg.BaseURL + path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.Endpoint.Method, u, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("managedagents: building request: %w", err)
	}
	copyHeaders(req.Header, cfg.Header)
	copyHeaders(req.Header, r.Header)
	setCredential(req, cfg, r.Endpoint)
	req.Header.Set("Anthropic-Version", APIVersion)
	if b := betaHeader(r.Endpoint.Betas, cfg.Betas); b != "" {
		req.Header.Set("Anthropic-Beta", b)
	}
	if cfg.WorkspaceID != "" {
		req.Header.Set("Anthropic-Workspace-Id", cfg.WorkspaceID)
	}
	if ua := req.Header.Get("User-Agent"); ua != "" && !strings.Contains(ua, UserAgent) {
		req.Header.Set("User-Agent", ua+" "+UserAgent)
	} else {
		req.Header.Set("User-Agent", UserAgent)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	switch {
	case body != nil:
		req.Header.Set("Content-Type", "application/json")
	case r.Upload != nil:
		req.Header.Set("Content-Type", r.Upload.ContentType)
	}
	return req, body, nil
}

// copyHeaders sets the headers of src in dst, except those set from the
// config only, never from free-form headers: credentials, version, betas and
// content-type.
func copyHeaders(dst, src http.Header) {
	for k, v := range src {
		switch k = http.CanonicalHeaderKey(k); k {
		case "X-Api-Key", "Authorization", "Anthropic-Beta", "Anthropic-Version", "Content-Type":
			continue
		}
		dst[k] = slices.Clone(v)
	}
}

// betaHeader joins the endpoint's betas and the user's, in order, without
// duplicates or empty names; a user's name may itself be a comma-separated
// list. It is empty when there is no name at all.
func betaHeader(endpoint, user []string) string {
	names := slices.Clone(endpoint)
	for _, list := range user {
		for n := range strings.SplitSeq(list, ",") {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return strings.Join(names, ",")
}

// startCall returns ctx with the record of a call of r (the one already in
// ctx when the caller made it).
func startCall(ctx context.Context, r Request, stream bool) (context.Context, *callinfo.State) {
	if st := callinfo.From(ctx); st != nil {
		return ctx, st
	}
	st := r.Call(stream)
	return callinfo.Start(ctx, st), st
}
