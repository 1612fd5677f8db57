// Package transport sends the SDK's HTTP requests: it sets the wire headers, takes
// a limiter slot, retries by the SDK's policy and turns error answers into
// *apierror.Error.
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

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

// Do sends req and decodes a 2xx JSON answer into out (nil: the body is dropped).
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
	if err := acquire(ctx, cfg, req.Method, req.Path); err != nil {
		return err
	}
	resp, err := client(cfg).Do(httpReq)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("managedagents: %s %s: %w", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return ErrorFromResponse(resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("managedagents: %s %s: reading response: %w", req.Method, req.Path, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if req.AllowEmpty {
			return nil
		}
		return fmt.Errorf("managedagents: %s %s: empty response body", req.Method, req.Path)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("managedagents: %s %s: decoding response: %w", req.Method, req.Path, err)
	}
	return nil
}

// Open sends a GET for an event stream: headers and a limiter slot as any request,
// but no retries. A non-2xx answer is returned as *apierror.Error (body closed).
func Open(ctx context.Context, cfg *config.Config, path string, query url.Values) (*http.Response, error) {
	req, err := NewHTTPRequest(ctx, cfg, http.MethodGet, path, query, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if err := acquire(ctx, cfg, http.MethodGet, path); err != nil {
		return nil, err
	}
	resp, err := client(cfg).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("managedagents: GET %s: %w", path, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		apiErr := ErrorFromResponse(resp)
		if apiErr.StatusCode == http.StatusTooManyRequests && cfg.Limiter != nil {
			cfg.Limiter.Pause(ctx, ratelimit.Read, apiErr.RetryAfter)
		}
		return nil, apiErr
	}
	return resp, nil
}

func acquire(ctx context.Context, cfg *config.Config, method, path string) error {
	if cfg.Limiter == nil {
		return nil
	}
	return cfg.Limiter.Acquire(ctx, ratelimit.Classify(method, path))
}

func client(cfg *config.Config) *http.Client {
	if cfg.HTTPClient != nil {
		return cfg.HTTPClient
	}
	return http.DefaultClient
}

// NewHTTPRequest builds a request with every wire header set.
func NewHTTPRequest(ctx context.Context, cfg *config.Config, method, path string, query url.Values, body []byte) (*http.Request, error) {
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
		req.Header[k] = append([]string(nil), v...)
	}
	if cfg.APIKey.IsSet() {
		req.Header.Set("X-Api-Key", cfg.APIKey.Reveal())
	} else {
		req.Header.Set("Authorization", "Bearer "+cfg.AuthToken.Reveal())
	}
	req.Header.Set("Anthropic-Version", APIVersion)
	req.Header.Set("Anthropic-Beta", BetaHeader(cfg.Betas))
	req.Header.Set("User-Agent", UserAgent)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// BetaHeader joins the managed-agents beta with extra names, without duplicates.
func BetaHeader(extra []string) string {
	names := []string{ManagedBeta}
	for _, n := range extra {
		dup := false
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
	return strings.Join(names, ",")
}

// DefaultHTTPClient returns the client used when the user gives none: a clone of
// http.DefaultTransport, no overall timeout (streams stay open), and redirects
// that never carry credentials to another host.
func DefaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 10 * 60 * 1e9
	return &http.Client{Transport: t}
}
