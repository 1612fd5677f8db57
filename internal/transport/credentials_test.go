package transport

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Each credential rule sends the first credential of its order that the
// config holds, as x-api-key for the API key and as a bearer otherwise, and
// reports when there is none.
func TestCredentialRules(t *testing.T) {
	t.Parallel()
	full := func() *config.Config {
		return &config.Config{APIKey: secret.New("api"), AuthToken: secret.New("oauth"), EnvironmentKey: secret.New("env"),
			WorkItem: true, WorkItemToken: secret.New("item")}
	}
	type want struct{ header, value string }
	for _, tc := range []struct {
		name  string
		rule  Credentials
		drop  []string // credentials removed from the full config, in order
		wants []want   // the header after each removal, "" when none is left
	}{
		{"client", ClientCredentials, []string{"item", "scope", "api", "oauth", "env"},
			[]want{{"Authorization", "Bearer item"}, {"Authorization", "Bearer env"}, {"X-Api-Key", "api"}, {"Authorization", "Bearer oauth"}, {"Authorization", "Bearer env"}, {}}},
		{"environment", EnvironmentCredentials, []string{"env", "oauth"},
			[]want{{"Authorization", "Bearer env"}, {"Authorization", "Bearer oauth"}, {}}},
		{"work item", WorkItemCredentials, []string{"item", "env", "oauth", "api"},
			[]want{{"Authorization", "Bearer item"}, {"Authorization", "Bearer env"}, {"Authorization", "Bearer oauth"}, {"X-Api-Key", "api"}, {}}},
		{"API key", APIKeyCredentials, []string{"api", "oauth"},
			[]want{{"X-Api-Key", "api"}, {"Authorization", "Bearer oauth"}, {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := &Endpoint{Op: "test", Method: "GET", Route: "/v1/x", Credentials: tc.rule}
			cfg := full()
			for i := 0; ; i++ {
				req, err := http.NewRequest("GET", "http://x/v1/x", nil)
				require.NoError(t, err)
				setCredential(req, cfg, e)
				w := tc.wants[i]
				require.Equal(t, w.header != "", HasCredential(cfg, e), "step %d", i)
				n := len(req.Header.Values("X-Api-Key")) + len(req.Header.Values("Authorization"))
				if w.header == "" {
					require.Zero(t, n, "step %d", i)
					break
				}
				require.Equal(t, 1, n, "exactly one credential header at step %d", i)
				require.Equal(t, w.value, req.Header.Get(w.header), "step %d", i)
				switch tc.drop[i] {
				case "api":
					cfg.APIKey = secret.String{}
				case "oauth":
					cfg.AuthToken = secret.String{}
				case "env":
					cfg.EnvironmentKey = secret.String{}
				case "item":
					cfg.WorkItemToken = secret.String{}
				case "scope":
					cfg.WorkItem = false
				}
			}
		})
	}
}

func TestEndpointCredentialsAndSuccessDeclarations(t *testing.T) {
	t.Parallel()
	e := Managed.Endpoint(uniqueOp("test.work.stop"), "POST /v1/w/{id}/stop", ratelimit.Read, Idempotent).Using(WorkItemCredentials).SucceedsOn(http.StatusConflict)
	require.Equal(t, WorkItemCredentials, e.Credentials)
	require.True(t, e.succeeded(409))
	require.True(t, e.succeeded(204))
	require.False(t, e.succeeded(404))
	require.Equal(t, ClientCredentials, Managed.Endpoint(uniqueOp("test.work.default"), "GET /v1/w", ratelimit.Read, Idempotent).Credentials)
	require.Panics(t, func() {
		Managed.Endpoint(uniqueOp("test.work.badrule"), "GET /v1/w/a", ratelimit.Read, Idempotent).Using(Credentials(99))
	})
	require.Panics(t, func() {
		Managed.Endpoint(uniqueOp("test.work.badstatus"), "GET /v1/w/b", ratelimit.Read, Idempotent).SucceedsOn(200)
	})
}

// A status an endpoint declares a success ends the call at once with its
// body, never retried; a request's own header is sent, but it cannot set a
// credential.
func TestDeclaredSuccessAndRequestHeaders(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusConflict, errBody("invalid_request_error", "already stopped"))
	})
	cfg := testConfig(s)
	cfg.MaxRetries = 2
	e := &Endpoint{Op: "test.stop", Method: "POST", Route: "/v1/stop", Class: ratelimit.Read, Repeat: Idempotent, Success: []int{409}}
	r := e.At().WithHeader("Anthropic-Worker-ID", "w-1").WithHeader("Authorization", "Bearer stolen")
	resp, body, err := Do(context.Background(), cfg, r)
	require.NoError(t, err)
	require.Equal(t, 409, resp.StatusCode)
	require.Equal(t, errBody("invalid_request_error", "already stopped"), string(body))
	require.Equal(t, 1, s.count(), "a success is not retried")
	h := s.header(0)
	require.Equal(t, "w-1", h.Get("Anthropic-Worker-ID"))
	require.Empty(t, h.Values("Authorization"), "a request header cannot set a credential")
	require.Equal(t, testKey, h.Get("X-Api-Key"))
	require.Nil(t, e.At().Header, "WithHeader leaves the request it was called on unchanged")
}
