package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/apierror"
	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/ratelimit"
)

func TestBetaHeader(t *testing.T) {
	t.Parallel()
	require.Equal(t, ManagedBeta, BetaHeader(nil))
	require.Equal(t, ManagedBeta+",files-api-2025-04-14", BetaHeader([]string{"files-api-2025-04-14"}))
	require.Equal(t, ManagedBeta+",a,b", BetaHeader([]string{"a", ManagedBeta, "b", "a", " b ", ""}))
	require.Equal(t, ManagedBeta+",a,b", BetaHeader([]string{"a, b", "a," + ManagedBeta}))
}

func TestWireHeaders(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })

	t.Run("api key, no body", func(t *testing.T) {
		cfg := testConfig(s)
		cfg.Betas = []string{"x-beta", ManagedBeta, "x-beta"}
		cfg.Header = http.Header{"Content-Type": {"text/plain"}, "Anthropic-Workspace-Id": {"wrkspc_1"}, "Authorization": {"Bearer nope"}}
		before := s.count()
		require.NoError(t, Do(context.Background(), cfg, Request{Method: "GET", Path: "/v1/agents"}, nil))
		h := s.header(before)
		require.Equal(t, testKey, h.Get("X-Api-Key"))
		require.Empty(t, h.Values("Authorization"), "exactly one auth header")
		require.Equal(t, "2023-06-01", h.Get("Anthropic-Version"))
		require.Equal(t, []string{ManagedBeta + ",x-beta"}, h.Values("Anthropic-Beta"))
		require.Equal(t, "managedagents-go/"+SDKVersion, h.Get("User-Agent"))
		require.Empty(t, h.Values("Content-Type"), "content-type only with a body")
		require.Equal(t, "application/json", h.Get("Accept"))
		require.Equal(t, "wrkspc_1", h.Get("Anthropic-Workspace-Id"))
	})
	t.Run("auth token, body", func(t *testing.T) {
		cfg := testConfig(s)
		cfg.APIKey = secret.String{}
		cfg.AuthToken = secret.New("tok-123")
		before := s.count()
		require.NoError(t, Do(context.Background(), cfg, Request{Method: "POST", Path: "/v1/agents/agent_1", Body: map[string]int{"a": 1}}, nil))
		h := s.header(before)
		require.Equal(t, "Bearer tok-123", h.Get("Authorization"))
		require.Empty(t, h.Values("X-Api-Key"))
		require.Equal(t, []string{"application/json"}, h.Values("Content-Type"))
		require.Equal(t, []string{ManagedBeta}, h.Values("Anthropic-Beta"))
	})
	t.Run("user agent of the user kept", func(t *testing.T) {
		cfg := testConfig(s)
		cfg.Header = http.Header{"User-Agent": {"myapp/1.0"}}
		before := s.count()
		require.NoError(t, Do(context.Background(), cfg, Request{Method: "GET", Path: "/v1/agents"}, nil))
		require.Equal(t, "myapp/1.0 managedagents-go/"+SDKVersion, s.header(before).Get("User-Agent"))
	})
	t.Run("no credentials", func(t *testing.T) {
		cfg := testConfig(s)
		cfg.APIKey = secret.String{}
		before := s.count()
		err := Do(context.Background(), cfg, Request{Method: "GET", Path: "/v1/agents"}, nil)
		require.ErrorIs(t, err, apierror.ErrMissingCredentials)
		require.Equal(t, before, s.count())
	})
}

func TestDecodeErrorBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body                string
		typ, msgPart, code, reqID string
	}{
		{"envelope", `{"type":"error","error":{"type":"invalid_request_error","message":"bad name","details":{"error_code":"environment_archived"}},"request_id":"req_9"}`,
			"invalid_request_error", "bad name", "environment_archived", "req_9"},
		{"details not an object", `{"type":"error","error":{"type":"api_error","message":"m","details":"x"}}`, "api_error", "m", "", ""},
		{"error as string", `{"error":"upstream failed"}`, "", "upstream failed", "", ""},
		{"message only", `{"message":"Internal server error"}`, "", "Internal server error", "", ""},
		{"other JSON", `{"status":"down"}`, "", "JSON body without an error message", "", ""},
		{"truncated JSON", `{"type":"error","error":{"type":"api_er`, "", "truncated or malformed JSON", "", ""},
		{"HTML", "<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>", "", "HTML instead of a JSON error (from a proxy or gateway?): 502 Bad Gateway", "", ""},
		{"HTML without title", "<!DOCTYPE html><p>oops</p>", "", "HTML instead of a JSON error", "", ""},
		{"text", "upstream connect error\n", "", "non-JSON body: upstream connect error", "", ""},
		{"empty", "", "", "empty response body", "", ""},
		{"blank", " \n ", "", "empty response body", "", ""},
		{"invalid UTF-8", "\xff\xfe oops", "", "non-JSON body: ? oops", "", ""},
	}
	for _, c := range cases {
		e := DecodeErrorBody(502, []byte(c.body))
		require.Equal(t, 502, e.StatusCode, c.name)
		require.Equal(t, c.typ, e.Type, c.name)
		require.Contains(t, e.Message, c.msgPart, c.name)
		require.Equal(t, c.code, e.Code, c.name)
		require.Equal(t, c.reqID, e.RequestID, c.name)
		require.Equal(t, c.body, string(e.Body), c.name)
	}
	long := DecodeErrorBody(500, bytes.Repeat([]byte("é"), 1000))
	require.LessOrEqual(t, len(long.Message), 260)
	require.True(t, strings.HasSuffix(long.Message, "..."))
}

func TestErrorAnswers(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/html":
			reply(w, 502, "<html><title>Bad Gateway</title></html>", "Content-Type", "text/html")
		case "/v1/empty":
			reply(w, 404, "", "Request-Id", "req_hdr")
		case "/v1/both-ids":
			reply(w, 404, errBody("not_found_error", "no such agent"), "Request-Id", "req_hdr")
		case "/v1/body-id":
			reply(w, 404, errBody("not_found_error", "no such agent"))
		case "/v1/big":
			reply(w, 400, strings.Repeat("x", 1<<20))
		}
	})
	do := func(p string) *apierror.Error {
		cfg := testConfig(s)
		cfg.MaxRetries = 0
		err := Do(context.Background(), cfg, Request{Method: "GET", Path: p}, nil)
		var e *apierror.Error
		require.ErrorAs(t, err, &e, p)
		return e
	}
	e := do("/v1/html")
	require.Equal(t, 502, e.StatusCode)
	require.Contains(t, e.Error(), "502 Bad Gateway")
	require.Contains(t, e.Error(), "HTML instead of a JSON error")
	require.Equal(t, "GET", e.Method)
	require.Equal(t, s.URL+"/v1/html", e.URL)

	e = do("/v1/empty")
	require.Equal(t, "empty response body", e.Message)
	require.Equal(t, "req_hdr", e.RequestID)

	require.Equal(t, "req_hdr", do("/v1/both-ids").RequestID, "the header wins")
	e = do("/v1/body-id")
	require.Equal(t, "req_body", e.RequestID)
	require.ErrorIs(t, e, apierror.ErrNotFound)

	require.Len(t, do("/v1/big").Body, maxErrorBody)
}

func TestSuccessBodies(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/empty":
			w.WriteHeader(200)
		case "/v1/no-content":
			w.WriteHeader(204)
		case "/v1/text-json":
			reply(w, 200, `{"id":"x"}`, "Content-Type", "text/plain")
		case "/v1/bad-json":
			reply(w, 200, `{"id":`, "Content-Type", "text/html")
		}
	})
	cfg := testConfig(s)
	var out struct{ ID string }
	require.ErrorContains(t, Do(context.Background(), cfg, Request{Method: "GET", Path: "/v1/empty"}, &out), "empty response body")
	require.NoError(t, Do(context.Background(), cfg, Request{Method: "DELETE", Path: "/v1/empty"}, nil), "out == nil tolerates an empty body")
	require.NoError(t, Do(context.Background(), cfg, Request{Method: "DELETE", Path: "/v1/no-content"}, nil))
	require.NoError(t, Do(context.Background(), cfg, Request{Method: "GET", Path: "/v1/text-json"}, &out), "content-type is not checked")
	require.Equal(t, "x", out.ID)
	err := Do(context.Background(), cfg, Request{Method: "GET", Path: "/v1/bad-json"}, &out)
	require.ErrorContains(t, err, "decoding response")
	require.ErrorContains(t, err, "text/html")
	require.Equal(t, 5, s.count(), "a 2xx is never retried")
}

func TestRedirectsDropCredentials(t *testing.T) {
	t.Parallel()
	other := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
	origin := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/away":
			http.Redirect(w, r, other.URL+"/v1/landing", http.StatusTemporaryRedirect)
		case "/v1/here":
			http.Redirect(w, r, "/v1/landing", http.StatusFound)
		default:
			reply(w, 200, `{}`)
		}
	})
	userClient := &http.Client{}
	clients := map[string]*http.Client{
		"default": DefaultHTTPClient(),
		"user":    userClient,
		"nil":     nil,
	}
	for name, hc := range clients {
		for _, token := range []bool{false, true} {
			cfg := testConfig(origin)
			cfg.HTTPClient = hc
			if token {
				cfg.APIKey, cfg.AuthToken = secret.String{}, secret.New(testKey)
			}
			before := other.count()
			require.NoError(t, Do(context.Background(), cfg, Request{Method: "GET", Path: "/v1/away"}, nil), name)
			require.Equal(t, before+1, other.count())
			h := other.header(before)
			require.Empty(t, h.Values("X-Api-Key"), "%s client, token %v", name, token)
			require.Empty(t, h.Values("Authorization"), "%s client, token %v", name, token)
			require.Equal(t, "2023-06-01", h.Get("Anthropic-Version"), "other headers are kept")

			// A redirect within the origin keeps them.
			n := origin.count()
			require.NoError(t, Do(context.Background(), cfg, Request{Method: "GET", Path: "/v1/here"}, nil))
			h = origin.header(n + 1)
			if token {
				require.Equal(t, "Bearer "+testKey, h.Get("Authorization"))
			} else {
				require.Equal(t, testKey, h.Get("X-Api-Key"))
			}
		}
	}
	require.Nil(t, userClient.CheckRedirect, "the user's client is not changed")

	// A user's CheckRedirect still runs, after the headers are dropped.
	var seen http.Header
	cfg := testConfig(origin)
	cfg.HTTPClient = &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		seen = req.Header.Clone()
		return http.ErrUseLastResponse
	}}
	err := Do(context.Background(), cfg, Request{Method: "GET", Path: "/v1/away"}, nil)
	var apiErr *apierror.Error
	require.ErrorAs(t, err, &apiErr, "an unfollowed redirect is an error answer")
	require.Equal(t, 307, apiErr.StatusCode)
	require.NotNil(t, seen)
	require.Empty(t, seen.Values("X-Api-Key"))
}

func TestOpen(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			reply(w, 429, errBody("rate_limit_error", "slow"), "Retry-After", "2")
		case 2:
			reply(w, 500, "<html><title>oops</title></html>")
		default:
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "event: ping\ndata: {}\n\n")
		}
	})
	lim := &fakeLimiter{}
	cfg := testConfig(s)
	cfg.Limiter = lim
	path := "/v1/sessions/sesn_1/events/stream"

	_, err := Open(context.Background(), cfg, path, nil)
	require.ErrorIs(t, err, apierror.ErrRateLimited)
	require.Equal(t, 1, s.count(), "never retried")
	require.Equal(t, []time.Duration{2 * time.Second}, lim.paused)

	_, err = Open(context.Background(), cfg, path, nil)
	var apiErr *apierror.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 500, apiErr.StatusCode)
	require.Equal(t, 2, s.count())

	resp, err := Open(context.Background(), cfg, path, nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.Contains(t, string(body), "event: ping")
	require.Equal(t, "text/event-stream", s.header(2).Get("Accept"))
	require.Equal(t, testKey, s.header(2).Get("X-Api-Key"))
	require.Equal(t, []ratelimit.Class{ratelimit.Read, ratelimit.Read, ratelimit.Read}, lim.acquired)

	werr := &ratelimit.WaitError{Class: ratelimit.Read}
	cfg.Limiter = &fakeLimiter{err: werr}
	_, err = Open(context.Background(), cfg, path, nil)
	require.Same(t, werr, err)
}

// TestNoCredentialLeaks runs retries, errors, a give-up and an echoing server
// with a debug JSON logger, and checks that the key appears in no log line and
// no formatting of the errors.
func TestNoCredentialLeaks(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/echo":
			// A debugging proxy that echoes the request headers.
			var b strings.Builder
			_ = r.Header.Write(&b)
			reply(w, 502, b.String(), "Content-Type", "text/plain", "Request-Id", "req_echo")
		case "/v1/echo-json":
			reply(w, 400, errBody("invalid_request_error", "bad key "+r.Header.Get("X-Api-Key")))
		case "/v1/flaky":
			if n%2 == 1 {
				reply(w, 503, errBody("api_error", "later"), "Retry-After-Ms", "1")
				return
			}
			reply(w, 200, `{}`)
		case "/v1/sessions":
			resetConn(w)
		default:
			reply(w, 500, errBody("api_error", "boom"), "Request-Id", "req_x")
		}
	})
	var logs bytes.Buffer
	cfg := testConfig(s)
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Limiter = &fakeLimiter{}
	var errs []error
	for _, p := range []string{"/v1/echo", "/v1/echo-json", "/v1/flaky", "/v1/fail"} {
		errs = append(errs, Do(context.Background(), cfg, Request{Method: "GET", Path: p, Query: map[string][]string{"q": {"1"}}}, nil))
	}
	errs = append(errs, post(context.Background(), s, cfg, "/v1/sessions"))
	resp, err := Open(context.Background(), cfg, "/v1/echo", nil)
	require.Nil(t, resp)
	errs = append(errs, err)

	var dump bytes.Buffer
	for _, e := range errs {
		if e == nil {
			continue
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&dump, verb+"\n", e)
		}
		var apiErr *apierror.Error
		if errors.As(e, &apiErr) {
			fmt.Fprintf(&dump, "%#v %s\n", *apiErr, apiErr.Body)
			j, _ := json.Marshal(apiErr)
			dump.Write(j)
		}
	}
	for _, v := range []any{cfg, *cfg, Request{Method: "GET"}} {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			fmt.Fprintf(&dump, verb+"\n", v)
		}
	}
	require.NotContains(t, dump.String(), testKey)
	require.NotContains(t, logs.String(), testKey)
	require.Contains(t, dump.String(), "[redacted]", "the echoed key is masked")

	// The log has attempts, retries with wait and reason, and give-ups.
	var retried, gaveUp, attempts int
	for line := range strings.Lines(logs.String()) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		require.Equal(t, "DEBUG", rec["level"])
		switch rec["msg"] {
		case "managedagents: attempt":
			attempts++
			require.Contains(t, rec, "attempt")
			require.Contains(t, rec, "path")
		case "managedagents: retrying":
			retried++
			require.Contains(t, rec, "wait")
			require.NotEmpty(t, rec["reason"])
		case "managedagents: giving up":
			gaveUp++
			require.NotEmpty(t, rec["reason"])
		}
		require.NotContains(t, line, "?q=1", "no query or base URL in logs")
	}
	require.Positive(t, retried)
	require.Positive(t, gaveUp)
	require.Greater(t, attempts, retried)
	require.Contains(t, logs.String(), `"request_id":"req_x"`)
}

func BenchmarkDo(b *testing.B) {
	srv := newServer(b, func(n int, w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"id":"agent_1","type":"agent","name":"bench","version":3}`, "Request-Id", "req_1")
	})
	cfg := testConfig(srv)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var out struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		if err := Do(ctx, cfg, Request{Method: "GET", Path: "/v1/agents/agent_1"}, &out); err != nil {
			b.Fatal(err)
		}
	}
}
