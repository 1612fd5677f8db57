package otelmanagedagents

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// TestNoSecretInTelemetry: the API key, an auth token and a repository
// token sent in a session's resources never appear in a span (name,
// attributes, events, status) or a metric attribute, on successes and
// failures alike.
func TestNoSecretInTelemetry(t *testing.T) {
	const (
		apiKey    = "sk-ant-api03-SECRETKEY-0123456789"
		wrongKey  = "sk-ant-api03-WRONGKEY-9876543210"
		authToken = "sk-ant-oat01-SECRETTOKEN-42"
		repoToken = "ghp_SECRETREPOTOKEN0123456789"
	)
	h := newHarness(t, []managedagentstest.ServerOption{managedagentstest.WithAPIKey(apiKey)})
	agentID, envID, _ := h.seed()
	_, err := h.client.Sessions.Create(h.ctx, managedagents.SessionCreateParams{
		Agent:         managedagents.NewAgentRef(agentID),
		EnvironmentID: envID,
		Resources: []managedagents.SessionResourceParams{&managedagents.GitHubRepositoryResourceParams{
			URL: "https://github.com/acme/app", AuthorizationToken: managedagents.NewSecret(repoToken)}},
	})
	require.NoError(t, err)
	_, err = h.client.Agents.List(h.ctx, managedagents.AgentListParams{}, option.WithAPIKey(wrongKey))
	require.ErrorIs(t, err, managedagents.ErrUnauthorized)
	_, err = h.client.Agents.List(h.ctx, managedagents.AgentListParams{}, option.WithAuthToken(authToken))
	require.ErrorIs(t, err, managedagents.ErrUnauthorized)
	require.GreaterOrEqual(t, len(h.ended("anthropic.agents.list")), 2)

	var dump strings.Builder
	for _, s := range h.spans.Ended() {
		fmt.Fprintln(&dump, s.Name(), s.Status())
		for _, kv := range s.Attributes() {
			fmt.Fprintln(&dump, kv.Key, kv.Value.String())
		}
		for _, ev := range s.Events() {
			fmt.Fprintln(&dump, ev.Name, ev.Attributes)
		}
	}
	for _, name := range []string{metricCallDuration, metricRequests, metricLimiterWait} {
		for _, set := range h.attributeSets(name) {
			fmt.Fprintln(&dump, name, set.Encoded(nil))
		}
	}
	out := dump.String()
	require.Contains(t, out, "anthropic.sessions.create", "the dump holds the spans")
	for _, secret := range []string{apiKey, wrongKey, authToken, repoToken, "SECRET", "WRONGKEY"} {
		require.NotContains(t, out, secret)
	}
}

// TestKeyEchoedInResponseHeadersNeverReachesASpan: a server (or a proxy)
// that echoes the client's key into the headers the spans read (request-id,
// anthropic-organization-id, anthropic-workspace-id) gets it into no
// attribute, on a success, an error answer and a stream's connection alike.
func TestKeyEchoedInResponseHeadersNeverReachesASpan(t *testing.T) {
	const apiKey = "sk-ant-api03-ECHOEDKEY-0123456789"
	h := newHarness(t, []managedagentstest.ServerOption{managedagentstest.WithAPIKey(apiKey)},
		option.WithAPIKey(apiKey),
		option.WithMiddleware(addHeaders(http.Header{
			"Request-Id":                {"req_" + apiKey},
			"Anthropic-Organization-Id": {apiKey},
			"Anthropic-Workspace-Id":    {"wrkspc_" + apiKey},
		})))
	_, _, sessionID := h.seed()
	_, err := h.client.Agents.Get(h.ctx, "agent_missing", managedagents.AgentGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	s, err := h.client.Sessions.Events.Stream(h.ctx, sessionID, managedagents.EventStreamParams{})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	checked := 0
	for _, s := range h.spans.Ended() {
		for _, kv := range s.Attributes() {
			require.NotContains(t, kv.Value.String(), "ECHOEDKEY", "%s: %s", s.Name(), kv.Key)
		}
		if _, ok := attrs(s)["anthropic.request.id"]; ok {
			checked++
		}
	}
	require.GreaterOrEqual(t, checked, 5, "the spans of the seed, the error and the stream tell a request id")
}
