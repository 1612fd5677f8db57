package otelmanagedagents

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// TestURLQueryKeepsTheEndpointsParameters: url.query and url.full hold the
// parameters the call's params built, as sent, and not one a middleware
// before the telemetry's added (which the fake refuses).
func TestURLQueryKeepsTheEndpointsParameters(t *testing.T) {
	h := newHarness(t, nil)
	addDebug := func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		q := req.URL.Query()
		q.Set("debug", "1")
		req.URL.RawQuery = q.Encode()
		return next(req)
	}
	client := h.srv.Client(option.WithMiddleware(addDebug, h.tel.Middleware()))
	_, err := client.Agents.List(h.ctx, managedagents.AgentListParams{Limit: 5, IncludeArchived: true})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	sent := h.requests("GET /v1/agents")[0].RawQuery
	require.Contains(t, sent, "debug=1")
	requireAttrs(t, h.one("anthropic.agents.list"), map[attribute.Key]any{
		"url.query": "include_archived=true&limit=5",
		"url.full":  h.srv.URL + "/v1/agents?include_archived=true&limit=5",
	})
}

func TestURLAttributes(t *testing.T) {
	for _, tc := range []struct {
		name, raw, op string
		params        url.Values
		want          map[attribute.Key]string
	}{
		{
			name:   "only the endpoint's parameters, as sent",
			raw:    "https://api.example.com/v1/sessions/sesn%2F1/events?order=asc&x=1&created_at%5Bgte%5D=2026-01-01T00%3A00%3A00Z",
			op:     "sessions.events.list",
			params: url.Values{"order": {"asc"}, "created_at[gte]": {"2026-01-01T00:00:00Z"}},
			want: map[attribute.Key]string{
				"url.scheme": "https",
				"url.path":   "/v1/sessions/sesn%2F1/events",
				"url.query":  "order=asc&created_at%5Bgte%5D=2026-01-01T00%3A00%3A00Z",
				"url.full":   "https://api.example.com/v1/sessions/sesn%2F1/events?order=asc&created_at%5Bgte%5D=2026-01-01T00%3A00%3A00Z",
			},
		},
		{
			name:   "array parameters",
			raw:    "https://api.example.com/v1/sessions/s/events/stream?event_deltas%5B%5D=agent.message",
			op:     "sessions.events.stream",
			params: url.Values{"event_deltas[]": {"agent.message"}},
			want: map[attribute.Key]string{
				"url.query": "event_deltas%5B%5D=agent.message",
				"url.full":  "https://api.example.com/v1/sessions/s/events/stream?event_deltas%5B%5D=agent.message",
			},
		},
		{
			name:   "no query",
			raw:    "http://127.0.0.1:8080/v1/agents",
			op:     "agents.list",
			params: nil,
			want:   map[attribute.Key]string{"url.full": "http://127.0.0.1:8080/v1/agents"},
		},
		{
			name:   "a content parameter leaves the query and the full URL out",
			raw:    "https://api.example.com/v1/memory_stores/m/memories?path_prefix=%2Fnotes&limit=2",
			op:     "memory_stores.memories.list",
			params: url.Values{"path_prefix": {"/notes"}, "limit": {"2"}},
			want:   map[attribute.Key]string{"url.path": "/v1/memory_stores/m/memories"},
		},
		{
			name:   "page is content on the memories list only",
			raw:    "https://api.example.com/v1/memory_stores/m/memories?page=%2Fa%2Fb",
			op:     "memory_stores.memories.list",
			params: url.Values{"page": {"/a/b"}},
			want:   map[attribute.Key]string{"url.path": "/v1/memory_stores/m/memories"},
		},
		{
			name:   "page elsewhere is a cursor",
			raw:    "https://api.example.com/v1/agents?page=p2",
			op:     "agents.list",
			params: url.Values{"page": {"p2"}},
			want:   map[attribute.Key]string{"url.query": "page=p2", "url.full": "https://api.example.com/v1/agents?page=p2"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.raw)
			require.NoError(t, err)
			got := map[attribute.Key]string{}
			for _, kv := range urlAttributes(u, tc.params, tc.op) {
				got[kv.Key] = kv.Value.AsString()
			}
			for k, v := range tc.want {
				require.Equal(t, v, got[k], k)
			}
			for _, k := range []attribute.Key{keyURLQuery, keyURLFull} {
				if _, ok := tc.want[k]; !ok {
					_, present := got[k]
					require.False(t, present, "%s = %q", k, got[k])
				}
			}
		})
	}
}

func TestServerAttributes(t *testing.T) {
	for raw, port := range map[string]int64{
		"https://api.anthropic.com/v1/agents": 443,
		"http://localhost/v1/agents":          80,
		"http://localhost:8080/v1/agents":     8080,
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		attrs := serverAttributes(u)
		require.Equal(t, u.Hostname(), attrs[0].Value.AsString())
		require.Equal(t, port, attrs[1].Value.AsInt64(), raw)
	}
}
