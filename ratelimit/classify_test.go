package ratelimit_test

import (
	"net/http"
	"testing"

	"github.com/go-managedagents/managedagents/ratelimit"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, path string
		want         ratelimit.Class
	}{
		{http.MethodPost, "/v1/agents", ratelimit.Create},
		{http.MethodPost, "/v1/environments", ratelimit.Create},
		{http.MethodPost, "/v1/sessions", ratelimit.Create},
		{http.MethodPost, "/v1/sessions/", ratelimit.Create},
		{http.MethodGet, "/v1/agents", ratelimit.Read},
		{http.MethodGet, "/v1/sessions", ratelimit.Read},
		{http.MethodGet, "/v1/sessions/sesn_1", ratelimit.Read},
		{http.MethodGet, "/v1/sessions/sesn_1/events", ratelimit.Read},
		{http.MethodGet, "/v1/sessions/sesn_1/events/stream", ratelimit.Read},
		{http.MethodPost, "/v1/agents/agent_1", ratelimit.Read}, // update
		{http.MethodPost, "/v1/agents/agent_1/archive", ratelimit.Read},
		{http.MethodPost, "/v1/environments/env_1", ratelimit.Read},
		{http.MethodPost, "/v1/sessions/sesn_1/events", ratelimit.Read}, // send
		{http.MethodPost, "/v1/sessions/sesn_1/archive", ratelimit.Read},
		{http.MethodDelete, "/v1/sessions/sesn_1", ratelimit.Read},
		{http.MethodPut, "/v1/agents", ratelimit.Read},
		{"post", "/v1/agents", ratelimit.Read}, // methods are case-sensitive
		{http.MethodPost, "/v1/agentsx", ratelimit.Read},
		{http.MethodPost, "/agents", ratelimit.Read},
		{http.MethodPost, "", ratelimit.Read},
	} {
		if got := ratelimit.Classify(tc.method, tc.path); got != tc.want {
			t.Errorf("Classify(%q, %q) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}
