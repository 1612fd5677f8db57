package managedagents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// secretKey is the credential these tests try to leak.
const secretKey = "sk-ant-api03-harden-Zq8xW2vR7nT4kP9mL6jH3gF5dS1aB0cE-AA"

// dumpAll formats every value with every verb, and as JSON.
func dumpAll(vs ...any) string {
	var b strings.Builder
	for _, v := range vs {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&b, verb+"\n", v)
		}
		if j, err := json.Marshal(v); err == nil {
			b.Write(j)
		}
	}
	return b.String()
}

// TestFakeRequestLogHoldsNoCredentials: the fake's request log, which tests
// print freely, holds neither the API key nor the auth token.
func TestFakeRequestLogHoldsNoCredentials(t *testing.T) {
	t.Parallel()
	srv := managedagentstest.NewServer(managedagentstest.WithAPIKey(secretKey))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	for _, cred := range []option.RequestOption{option.WithAPIKey(secretKey), option.WithAuthToken(secretKey), option.WithAPIKey("sk-ant-wrong")} {
		c := srv.Client(cred, option.WithMaxRetries(0))
		_, _ = c.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "a", Model: managedagents.Model("claude-sonnet-5-5")})
		_, _ = c.Agents.List(ctx, managedagents.AgentListParams{})
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 6)
	require.Equal(t, 401, reqs[5].Status, "the wrong key is refused")
	require.NotContains(t, dumpAll(reqs), secretKey)
	for _, r := range reqs {
		require.Empty(t, r.Header.Values("X-Api-Key"))
		require.Empty(t, r.Header.Values("Authorization"))
	}
}

// TestInvalidCredentialNeverEchoed: a key that cannot be sent (a newline, a
// NUL) fails every call with an error that does not repeat it, logged at debug
// level without it either; it is not retried, and nothing is sent.
func TestInvalidCredentialNeverEchoed(t *testing.T) {
	t.Parallel()
	srv := managedagentstest.NewServer()
	t.Cleanup(srv.Close)
	for _, bad := range []string{secretKey + "\n", "\x00" + secretKey, secretKey + "\r\nX-Evil: 1"} {
		for _, cred := range []option.RequestOption{option.WithAPIKey(bad), option.WithAuthToken(bad)} {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := srv.Client(cred, option.WithLogger(logger))
			_, err := c.Agents.Get(context.Background(), "agent_1", managedagents.AgentGetParams{})
			require.Error(t, err)
			require.NotContains(t, dumpAll(err, c), secretKey)
			require.NotContains(t, logs.String(), secretKey)
			require.Equal(t, 1, strings.Count(logs.String(), `msg="managedagents: attempt"`), "not retried: it can never be sent\n%s", logs.String())
		}
	}
	require.Empty(t, srv.Requests())
}

// TestBaseURLNeverEchoed: a key passed to WithBaseURL by mistake, or a base
// URL that carries one in its query, is refused without repeating it.
func TestBaseURLNeverEchoed(t *testing.T) {
	t.Parallel()
	for _, base := range []string{secretKey, "https://api.example.com/?x-api-key=" + secretKey, "https://u:" + secretKey + "@api.example.com"} {
		c := managedagents.NewClient(option.WithAPIKey("k"), option.WithBaseURL(base))
		_, err := c.Agents.Get(context.Background(), "agent_1", managedagents.AgentGetParams{})
		require.Error(t, err)
		require.NotContains(t, dumpAll(err, c), secretKey)
	}
}
