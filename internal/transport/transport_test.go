package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/ratelimit"
)

func TestBetaHeader(t *testing.T) {
	t.Parallel()
	managed := []string{ManagedBeta}
	require.Equal(t, ManagedBeta, betaHeader(managed, nil))
	require.Equal(t, ManagedBeta+",files-api-2025-04-14", betaHeader(managed, []string{"files-api-2025-04-14"}))
	require.Equal(t, ManagedBeta+",a,b", betaHeader(managed, []string{"a", ManagedBeta, "b", "a", " b ", ""}))
	require.Equal(t, ManagedBeta+",a,b", betaHeader(managed, []string{"a, b", "a," + ManagedBeta}))
	require.Equal(t, "", betaHeader(nil, nil), "an area without a beta sends none")
	require.Equal(t, "a", betaHeader(nil, []string{"a"}), "the user's betas are still sent")
	require.Equal(t, "agent-memory-2026-07-22,"+ManagedBeta, betaHeader([]string{"agent-memory-2026-07-22"}, managed))
}

func TestWireHeaders(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })

	t.Run("api key, no body", func(t *testing.T) {
		cfg := testConfig(s)
		cfg.Betas = []string{"x-beta", ManagedBeta, "x-beta"}
		cfg.Header = http.Header{"Content-Type": {"text/plain"}, "Anthropic-Workspace-Id": {"wrkspc_1"}, "Authorization": {"Bearer nope"}}
		before := s.count()
		require.NoError(t, do(context.Background(), cfg, "GET", "/v1/agents", nil, nil))
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
		require.NoError(t, do(context.Background(), cfg, "POST", "/v1/agents/agent_1", map[string]int{"a": 1}, nil))
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
		require.NoError(t, do(context.Background(), cfg, "GET", "/v1/agents", nil, nil))
		require.Equal(t, "myapp/1.0 managedagents-go/"+SDKVersion, s.header(before).Get("User-Agent"))
	})
	t.Run("betas of the endpoint's area, workspace", func(t *testing.T) {
		cfg := testConfig(s)
		cfg.WorkspaceID = "wrkspc_2"
		cfg.Header = http.Header{"Anthropic-Workspace-Id": {"wrkspc_1"}}
		files := &Endpoint{Op: "files.list", Method: "GET", Route: "/v1/files", Class: ratelimit.Read, Repeat: Idempotent}
		memory := &Endpoint{Op: "memory_stores.list", Method: "GET", Route: "/v1/memory_stores", Class: ratelimit.Read, Repeat: Idempotent, Betas: []string{"agent-memory-2026-07-22"}}
		before := s.count()
		_, _, err := Do(context.Background(), cfg, files.At())
		require.NoError(t, err)
		require.Empty(t, s.header(before).Values("Anthropic-Beta"), "files send no beta")
		require.Equal(t, []string{"wrkspc_2"}, s.header(before).Values("Anthropic-Workspace-Id"), "the workspace option wins over a free-form header")
		cfg.Betas = []string{"x-beta"}
		_, _, err = Do(context.Background(), cfg, memory.At())
		require.NoError(t, err)
		require.Equal(t, []string{"agent-memory-2026-07-22,x-beta"}, s.header(before+1).Values("Anthropic-Beta"), "only the area's beta, then the user's")
	})
}

func TestEndpointDeclaration(t *testing.T) {
	t.Parallel()
	bad := map[string]func(){
		"zero class":         func() { Managed.Endpoint("test.a", "GET /v1/a", "", Idempotent) },
		"unknown class":      func() { Managed.Endpoint("test.b", "GET /v1/b", "write", Idempotent) },
		"zero repeat":        func() { Managed.Endpoint("test.c", "POST /v1/c", ratelimit.Create, 0) },
		"GET declared Once":  func() { Managed.Endpoint("test.d", "GET /v1/d", ratelimit.Read, Once) },
		"no method":          func() { Managed.Endpoint("test.e", "/v1/e", ratelimit.Read, Idempotent) },
		"not under /v1/":     func() { Managed.Endpoint("test.f", "GET /v2/f", ratelimit.Read, Idempotent) },
		"trailing slash":     func() { Managed.Endpoint("test.g", "GET /v1/g/", ratelimit.Read, Idempotent) },
		"unclosed parameter": func() { Managed.Endpoint("test.h", "GET /v1/h/{id", ratelimit.Read, Idempotent) },
		"repeated parameter": func() { Managed.Endpoint("test.i", "GET /v1/i/{id}/j/{id}", ratelimit.Read, Idempotent) },
		"empty op":           func() { Managed.Endpoint("", "GET /v1/k", ratelimit.Read, Idempotent) },
		"beta list":          func() { Area{Betas: []string{"a,b"}}.Endpoint("test.l", "GET /v1/l", ratelimit.Read, Idempotent) },
	}
	for name, declare := range bad {
		require.Panics(t, declare, name)
	}
	op := uniqueOp("test.sessions.resources.retrieve")
	e := Managed.Endpoint(op, "GET /v1/sessions/{session_id}/resources/{resource_id}", ratelimit.Read, Idempotent)
	require.Panics(t, func() { Managed.Endpoint(op, "GET /v1/x", ratelimit.Read, Idempotent) }, "an op is declared once")
	require.Contains(t, Endpoints(), e)
	require.Equal(t, []string{"session_id", "resource_id"}, e.Params())
	require.Equal(t, []string{ManagedBeta}, e.Betas)
	p, err := e.At("sesn_1", "a b/c").Path()
	require.NoError(t, err)
	require.Equal(t, "/v1/sessions/sesn_1/resources/a%20b%2Fc", p, "each value escaped into its segment")
	_, err = e.At("sesn_1").Path()
	require.ErrorContains(t, err, "takes 2 path parameters, not 1")
	st := e.At("sesn_1", "res_1").Call(false)
	require.Equal(t, op, st.Op)
	require.Equal(t, "/v1/sessions/{session_id}/resources/{resource_id}", st.Route)
	require.Len(t, st.Params, 2)
	require.Equal(t, "resource_id", st.Params[1].Name)
	require.Equal(t, "res_1", st.Params[1].Value)
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
	answer := func(p string) *StatusError {
		cfg := testConfig(s)
		cfg.MaxRetries = 0
		return statusOf(t, do(context.Background(), cfg, "GET", p, nil, nil))
	}
	e := answer("/v1/html")
	require.Equal(t, 502, e.Response.StatusCode)
	require.Equal(t, "<html><title>Bad Gateway</title></html>", string(e.Body))
	require.Equal(t, "GET", e.Method)
	require.Equal(t, s.URL+"/v1/html", e.URL)
	require.Equal(t, "GET "+s.URL+"/v1/html: status 502", e.Error())

	e = answer("/v1/empty")
	require.Empty(t, e.Body)
	require.Equal(t, "req_hdr", e.Response.Header.Get("Request-Id"))

	require.Equal(t, errBody("not_found_error", "no such agent"), string(answer("/v1/body-id").Body))
	require.Len(t, answer("/v1/big").Body, maxErrorBody)
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
	body := func(method, route string) ([]byte, *http.Response) {
		resp, data, err := Do(context.Background(), cfg, testEndpoint(method, route).At())
		require.NoError(t, err, route)
		return data, resp
	}
	data, resp := body("GET", "/v1/empty")
	require.Empty(t, data, "an empty 2xx body is the caller's to judge")
	require.Equal(t, http.NoBody, resp.Body, "the body was read and closed")
	data, _ = body("DELETE", "/v1/no-content")
	require.Empty(t, data)
	data, resp = body("GET", "/v1/text-json")
	require.Equal(t, `{"id":"x"}`, string(data), "content-type is not checked")
	require.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	data, _ = body("GET", "/v1/bad-json")
	require.Equal(t, `{"id":`, string(data))
	require.Equal(t, 4, s.count(), "a 2xx is never retried")
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
		"default": defaultClient(),
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
			require.NoError(t, do(context.Background(), cfg, "GET", "/v1/away", nil, nil), name)
			require.Equal(t, before+1, other.count())
			h := other.header(before)
			require.Empty(t, h.Values("X-Api-Key"), "%s client, token %v", name, token)
			require.Empty(t, h.Values("Authorization"), "%s client, token %v", name, token)
			require.Equal(t, "2023-06-01", h.Get("Anthropic-Version"), "other headers are kept")

			// A redirect within the origin keeps them.
			n := origin.count()
			require.NoError(t, do(context.Background(), cfg, "GET", "/v1/here", nil, nil))
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
	err := do(context.Background(), cfg, "GET", "/v1/away", nil, nil)
	require.Equal(t, 307, statusOf(t, err).Response.StatusCode, "an unfollowed redirect is an error answer")
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
	stream := testEndpoint("GET", "/v1/sessions/sesn_1/events/stream").At()

	_, err := Open(context.Background(), cfg, stream, 0)
	require.Equal(t, 429, statusOf(t, err).Response.StatusCode)
	require.Equal(t, 1, s.count(), "no retry with a budget of 0 (a reconnect)")
	require.Equal(t, []time.Duration{2 * time.Second}, lim.paused)

	_, err = Open(context.Background(), cfg, stream, 0)
	require.Equal(t, 500, statusOf(t, err).Response.StatusCode)
	require.Equal(t, 2, s.count())

	resp, err := Open(context.Background(), cfg, stream, 0)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.Contains(t, string(body), "event: ping")
	require.Equal(t, "text/event-stream", s.header(2).Get("Accept"))
	require.Equal(t, testKey, s.header(2).Get("X-Api-Key"))
	require.Equal(t, []ratelimit.Class{ratelimit.Read, ratelimit.Read, ratelimit.Read}, lim.acquired)

	werr := &ratelimit.WaitError{Class: ratelimit.Read}
	cfg.Limiter = &fakeLimiter{err: werr}
	_, err = Open(context.Background(), cfg, stream, 0)
	require.Same(t, werr, err)
}

func TestOpenRetriedByPolicy(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			reply(w, 503, errBody("api_error", "later"))
		case 2:
			resetConn(w)
		default:
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "event: ping\ndata: {}\n\n")
		}
	})
	resp, err := Open(context.Background(), testConfig(s), testEndpoint("GET", "/v1/sessions/sesn_1/events/stream").At(), 2)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.Contains(t, string(body), "event: ping", "the body of the answer that succeeded is handed over unread")
	require.Equal(t, 3, s.count())
}

// TestNoCredentialLeaks runs retries, errors, a give-up and an echoing server
// with a debug JSON logger, and checks that the key appears in no log line and
// no error message (the bodies an error carries are redacted by the root
// package, which turns them into its public errors).
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
		_, _, err := Do(context.Background(), cfg, testEndpoint("GET", p).At().WithQuery(map[string][]string{"q": {"1"}}))
		errs = append(errs, err)
	}
	errs = append(errs, post(context.Background(), s, cfg, "/v1/sessions"))
	resp, err := Open(context.Background(), cfg, testEndpoint("GET", "/v1/echo").At(), 0)
	require.Nil(t, resp)
	errs = append(errs, err)

	var dump bytes.Buffer
	for _, e := range errs {
		if e != nil {
			fmt.Fprintf(&dump, "%v %s %q\n", e, e, e)
		}
	}
	for _, v := range []any{cfg, *cfg, testEndpoint("GET", "/v1/echo").At()} {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			fmt.Fprintf(&dump, verb+"\n", v)
		}
	}
	require.NotContains(t, dump.String(), testKey)
	require.NotContains(t, logs.String(), testKey)

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
		if err := do(ctx, cfg, "GET", "/v1/agents/agent_1", nil, &out); err != nil {
			b.Fatal(err)
		}
	}
}
