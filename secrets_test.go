package managedagents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
)

// TestSecretsNeverLeak runs a client with retries, error answers, a delivery
// failure and a server that echoes the key, logging at debug level as JSON, and
// formats the client, its settings, its options and every error with every
// verb: the key must appear nowhere.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	handler := func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v1/agents" && r.Method == http.MethodPost:
			replyJSON(503, `{"type":"error","error":{"type":"api_error","message":"down"}}`)(w, r)
		case r.URL.Path == "/v1/agents/echo":
			// A misconfigured proxy that echoes the request headers.
			var b strings.Builder
			_ = r.Header.Write(&b)
			w.Header().Set("Request-Id", "req_echo")
			w.Header().Set("Retry-After-Ms", "1")
			http.Error(w, b.String(), http.StatusBadGateway)
		case n.Add(1)%2 == 1:
			w.Header().Set("Retry-After-Ms", "1")
			w.Header().Set("Request-Id", "req_retry")
			replyJSON(429, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`)(w, r)
		default:
			replyJSON(404, `{"type":"error","error":{"type":"not_found_error","message":"no such agent"},"request_id":"req_404"}`)(w, r)
		}
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := []option.RequestOption{option.WithLogger(logger), option.WithMaxRetries(2)}
	c, reqs := newTestClient(t, handler, opts...)
	ctx := context.Background()

	var errs []error
	var out struct{}
	errs = append(errs, c.send(ctx, agentsRetrieve.At("agent_1"), nil, jsonInto(&out)))
	errs = append(errs, c.send(ctx, agentsRetrieve.At("echo"), nil, jsonInto(&out)))
	errs = append(errs, c.send(ctx, agentsCreate.At().WithBody(map[string]string{"name": "a"}), nil, jsonInto(&out)))
	errs = append(errs, c.send(ctx, agentsRetrieve.At("agent_2"), []option.RequestOption{option.WithAuthToken(testAPIKey)}, jsonInto(&out)))
	require.Greater(t, len(*reqs), 5, "retries ran")
	require.ErrorIs(t, errs[0], ErrNotFound)
	require.ErrorIs(t, errs[2], ErrDeliveryUncertain)
	for _, r := range *reqs {
		require.Equal(t, 1, len(r.Header.Values("X-Api-Key"))+len(r.Header.Values("Authorization")), "exactly one auth header")
	}

	var dump bytes.Buffer
	for _, err := range errs {
		require.Error(t, err)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&dump, verb+"\n", err)
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			fmt.Fprintf(&dump, "%+v %#v %s\n", *apiErr, *apiErr, apiErr.Body)
			j, err := json.Marshal(apiErr)
			require.NoError(t, err)
			dump.Write(j)
		}
	}
	allOpts := append(opts, option.WithAPIKey(testAPIKey), option.WithHeader("x-api-key", testAPIKey))
	for _, v := range []any{c, *c, c.cfg, *c.cfg, allOpts, c.Agents, c.Sessions} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			fmt.Fprintf(&dump, verb+"\n", v)
		}
	}
	// The settings that can hold a credential, as JSON (the whole Config cannot
	// be encoded: its HTTP client holds funcs): the key is a placeholder.
	cfgJSON, err := json.Marshal(map[string]any{
		"APIKey": c.cfg.APIKey, "AuthToken": c.cfg.AuthToken, "Header": c.cfg.Header, "BaseURL": c.cfg.BaseURL,
	})
	require.NoError(t, err)
	require.Contains(t, string(cfgJSON), `"APIKey":"[redacted]"`)
	dump.Write(cfgJSON)
	logger.Debug("config", "config", c.cfg, "client", c)

	require.NotContains(t, dump.String(), testAPIKey)
	require.NotContains(t, logs.String(), testAPIKey)
	require.Contains(t, logs.String(), "managedagents: retrying")
	require.Contains(t, logs.String(), "managedagents: giving up")
	require.Contains(t, logs.String(), "req_retry")
}

// TestRedirectToOtherHostDropsKey checks the client's default HTTP client and a
// user's one.
func TestRedirectToOtherHostDropsKey(t *testing.T) {
	t.Parallel()
	var leaked atomic.Value
	other := newRedirectTarget(t, &leaked)
	for _, userClient := range []bool{false, true} {
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other+"/landing", http.StatusTemporaryRedirect)
		})
		var opts []option.RequestOption
		if userClient {
			opts = append(opts, option.WithHTTPClient(&http.Client{}))
		} else {
			c.cfg.HTTPClient = nil // the SDK's default client
		}
		require.NoError(t, c.send(context.Background(), agentsRetrieve.At("agent_1"), opts, jsonInto(&struct{}{})))
		require.Equal(t, "", leaked.Load(), "user client %v", userClient)
	}
}

func newRedirectTarget(t *testing.T, leaked *atomic.Value) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("X-Api-Key") + r.Header.Get("Authorization"))
		replyJSON(200, `{}`)(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
