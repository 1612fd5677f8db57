// Package transport sends the SDK's HTTP requests: it sets the wire headers, takes
// a limiter slot for every attempt, retries by the SDK's policy (on
// go-retryablehttp), never sends a non-repeatable request twice when it may have
// reached the server, and turns error answers into *apierror.Error.
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents/internal/apierror"
	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Wire constants.
const (
	APIVersion   = "2023-06-01"
	ManagedBeta  = "managed-agents-2026-04-01"
	SDKVersion   = "0.1.0"
	UserAgent    = "managedagents-go/" + SDKVersion
	maxErrorBody = 64 << 10
)

// Request is one API call.
type Request struct {
	Method string
	// Path is the escaped URL path, starting with /v1/.
	Path  string
	Query url.Values
	// Body is marshalled to JSON; nil means no body.
	Body any
	// AllowEmpty accepts an empty 2xx body, leaving out untouched (deletes).
	AllowEmpty bool
}

// Do sends req, retrying by the SDK's policy, and decodes a 2xx JSON answer into
// out. With out == nil the answer's body is dropped and may be empty (deletes);
// with a non-nil out an empty 2xx body is an error. The content type of a 2xx
// answer is not checked: a JSON body is accepted under any content type.
//
// Errors: ctx.Err() when ctx ended; *apierror.Error for a non-2xx answer;
// *apierror.DeliveryError when a non-repeatable request failed after it may have
// reached the server; *ratelimit.WaitError when the limiter's slot would come after
// ctx's deadline; otherwise an error naming the method and path.
func Do(ctx context.Context, cfg *config.Config, req Request, out any) error {
	var body []byte
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return fmt.Errorf("managedagents: encoding request body: %w", err)
		}
		body = b
	}
	httpReq, err := NewHTTPRequest(ctx, cfg, req.Method, req.Path, req.Query, body)
	if err != nil {
		return err
	}
	c := newCall(cfg, req.Method, req.Path)
	data, err := c.run(ctx, httpReq, body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	// A JSON null would leave out untouched and look like success.
	if t := bytes.TrimSpace(data); len(t) == 0 || string(t) == "null" {
		if req.AllowEmpty {
			return nil
		}
		return c.malformed(nil)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return c.malformed(err)
	}
	return nil
}

// Open sends a GET for an event stream: headers and a limiter slot as any request,
// but no retries and no per-attempt timeout (the stream owns its reconnects). A
// non-2xx answer is returned as *apierror.Error (body closed); a 429 also pauses
// the limiter. A 2xx answer whose content-type is neither text/event-stream nor
// missing is returned as *apierror.ResponseError (body closed). On success the
// caller owns resp.Body.
func Open(ctx context.Context, cfg *config.Config, path string, query url.Values) (*http.Response, error) {
	req, err := NewHTTPRequest(ctx, cfg, http.MethodGet, path, query, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	class := ratelimit.Classify(http.MethodGet, path)
	if cfg.Limiter != nil {
		if err := cfg.Limiter.Acquire(ctx, class); err != nil {
			return nil, err
		}
	}
	lg := newLog(cfg.Logger, http.MethodGet, path)
	start := time.Now()
	resp, err := safeClient(client(cfg)).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		err = fmt.Errorf("managedagents: GET %s: %w", path, unwrapURLError(err))
		lg.attempt(ctx, 1, nil, err, time.Since(start))
		return nil, err
	}
	lg.attempt(ctx, 1, resp, nil, time.Since(start))
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		apiErr := ErrorFromResponse(resp)
		redact(apiErr, cfg)
		if apiErr.StatusCode == http.StatusTooManyRequests && cfg.Limiter != nil {
			cfg.Limiter.Pause(ctx, class, apiErr.RetryAfter)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lg.giveUp(ctx, 1, apiErr.StatusCode, apiErr.RequestID, "error answer to a stream open")
		return nil, apiErr
	}
	if ct := resp.Header.Get("Content-Type"); !isEventStream(ct) {
		// A proxy's login page or a JSON body: reading it as SSE would find no
		// frame and look like a stream that keeps ending.
		_ = resp.Body.Close()
		reqID := resp.Header.Get("Request-Id")
		lg.giveUp(ctx, 1, resp.StatusCode, reqID, "answer to a stream open is not an event stream")
		return nil, &apierror.ResponseError{Method: http.MethodGet, URL: req.URL.Redacted(), StatusCode: resp.StatusCode,
			ContentType: ct, RequestID: reqID, Err: errors.New("not an event stream")}
	}
	return resp, nil
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

var defaultClient = sync.OnceValue(DefaultHTTPClient)

func client(cfg *config.Config) *http.Client {
	if cfg.HTTPClient != nil {
		return cfg.HTTPClient
	}
	return defaultClient()
}

// NewHTTPRequest builds a request with every wire header set: exactly one auth
// header, anthropic-version, anthropic-beta, User-Agent, Accept, the user's extra
// headers, and content-type only when body is not nil.
func NewHTTPRequest(ctx context.Context, cfg *config.Config, method, path string, query url.Values, body []byte) (*http.Request, error) {
	if ctx == nil {
		return nil, &apierror.ValidationError{Field: "ctx", Problem: "must not be nil"}
	}
	if !cfg.APIKey.IsSet() && !cfg.AuthToken.IsSet() {
		return nil, apierror.ErrMissingCredentials
	}
	u := cfg.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("managedagents: building request: %w", err)
	}
	for k, v := range cfg.Header {
		switch http.CanonicalHeaderKey(k) {
		case "X-Api-Key", "Authorization", "Anthropic-Beta", "Anthropic-Version", "Content-Type":
			continue // set below from the config, never from free-form headers
		}
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	if cfg.APIKey.IsSet() {
		req.Header.Set("X-Api-Key", cfg.APIKey.Reveal())
	} else {
		req.Header.Set("Authorization", "Bearer "+cfg.AuthToken.Reveal())
	}
	req.Header.Set("Anthropic-Version", APIVersion)
	req.Header.Set("Anthropic-Beta", BetaHeader(cfg.Betas))
	if ua := req.Header.Get("User-Agent"); ua != "" && !strings.Contains(ua, UserAgent) {
		req.Header.Set("User-Agent", ua+" "+UserAgent)
	} else {
		req.Header.Set("User-Agent", UserAgent)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// BetaHeader joins the managed-agents beta with extra names, in order, without
// duplicates or empty names. An extra name may itself be a comma-separated list.
func BetaHeader(extra []string) string {
	if len(extra) == 0 {
		return ManagedBeta
	}
	names := []string{ManagedBeta}
	for _, list := range extra {
		for n := range strings.SplitSeq(list, ",") {
			n = strings.TrimSpace(n)
			dup := n == ""
			for _, m := range names {
				if m == n {
					dup = true
					break
				}
			}
			if !dup {
				names = append(names, n)
			}
		}
	}
	return strings.Join(names, ",")
}

// DefaultHTTPClient returns the client used when the user gives none: a clone of
// http.DefaultTransport with a 10-minute response-header timeout, no overall
// timeout (streams stay open), and redirects that never carry credentials to
// another origin.
func DefaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 10 * 60 * 1e9
	return &http.Client{Transport: t, CheckRedirect: safeRedirect(nil)}
}
