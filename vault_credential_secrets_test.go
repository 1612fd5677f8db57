package managedagents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// The secrets of every kind of credential, and a repository token of a
// deployment, that these tests try to leak.
const (
	leakAccessToken  = "leak-access-token-7c1f0e9a"
	leakRefreshToken = "leak-refresh-token-4be2d8c1"
	leakClientSecret = "leak-client-secret-91ad33f0"
	leakBearerToken  = "leak-static-bearer-2f6e81b4"
	leakSecretValue  = "leak-secret-value-d03a5c77"
	leakRepoToken    = "ghp_leakRepoToken0123456789abcdef"
)

var leakSecrets = []string{leakAccessToken, leakRefreshToken, leakClientSecret, leakBearerToken, leakSecretValue, leakRepoToken}

// leakParams returns params of every request that carries a secret: each
// credential kind on create and on update, and a deployment with a private
// repository.
func leakParams() []any {
	oauth := &managedagents.MCPOAuthAuthParams{
		MCPServerURL: "https://mcp.example.com/mcp", AccessToken: managedagents.NewSecret(leakAccessToken),
		Refresh: &managedagents.MCPOAuthRefreshParams{ClientID: "cli_1", RefreshToken: managedagents.NewSecret(leakRefreshToken),
			TokenEndpoint: "https://auth.example.com/token", TokenEndpointAuth: managedagents.NewTokenEndpointAuthClientSecretBasic(leakClientSecret)},
	}
	repo := &managedagents.GitHubRepositoryResourceParams{URL: "https://github.com/o/private", AuthorizationToken: leakRepoToken}
	return []any{
		managedagents.VaultCredentialCreateParams{Auth: oauth},
		managedagents.VaultCredentialCreateParams{Auth: managedagents.NewStaticBearerAuth("https://mcp.example.com/mcp", leakBearerToken)},
		managedagents.VaultCredentialCreateParams{Auth: managedagents.NewEnvironmentVariableAuth("API_KEY", leakSecretValue,
			managedagents.NewNetworkingLimited("api.example.com"))},
		managedagents.VaultCredentialUpdateParams{Auth: &managedagents.MCPOAuthAuthParams{AccessToken: managedagents.NewSecret(leakAccessToken),
			Refresh: &managedagents.MCPOAuthRefreshParams{RefreshToken: managedagents.NewSecret(leakRefreshToken),
				TokenEndpointAuth: managedagents.NewTokenEndpointAuthClientSecretPost(leakClientSecret)}}},
		managedagents.VaultCredentialUpdateParams{Auth: &managedagents.StaticBearerAuthParams{Token: managedagents.NewSecret(leakBearerToken)}},
		managedagents.VaultCredentialUpdateParams{Auth: &managedagents.EnvironmentVariableAuthParams{SecretValue: managedagents.NewSecret(leakSecretValue)}},
		managedagents.DeploymentCreateParams{Name: "d", Agent: managedagents.NewAgentRef("agent_1"), EnvironmentID: "env_1",
			InitialEvents: []managedagents.EventParam{managedagents.NewUserMessage("go")}, Resources: []managedagents.SessionResourceParams{repo}},
		managedagents.DeploymentUpdateParams{Resources: []managedagents.SessionResourceParams{repo}},
	}
}

// send makes the call of p against c.
func send(ctx context.Context, c *managedagents.Client, p any) error {
	var err error
	switch p := p.(type) {
	case managedagents.VaultCredentialCreateParams:
		_, err = c.Vaults.Credentials.Create(ctx, "vlt_1", p)
	case managedagents.VaultCredentialUpdateParams:
		_, err = c.Vaults.Credentials.Update(ctx, "vlt_1", "vcrd_1", p)
	case managedagents.DeploymentCreateParams:
		_, err = c.Deployments.Create(ctx, p)
	case managedagents.DeploymentUpdateParams:
		_, err = c.Deployments.Update(ctx, "depl_1", p)
	default:
		panic(fmt.Sprintf("no call for %T", p))
	}
	return err
}

func requireNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range leakSecrets {
		require.NotContains(t, s, secret, what)
	}
}

// A Secret prints, logs and encodes as a placeholder, whatever holds it.
func TestSecretIsNeverShown(t *testing.T) {
	t.Parallel()
	s := managedagents.NewSecret(leakAccessToken)
	require.True(t, s.IsSet())
	require.False(t, managedagents.NewSecret("").IsSet())
	type holder struct {
		Exported   managedagents.Secret
		unexported managedagents.Secret
		Ptr        *managedagents.Secret
	}
	h := holder{Exported: s, unexported: s, Ptr: &s}
	var logs bytes.Buffer
	for _, handler := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(handler).Info("secret", "s", s, "holder", h, "ptr", &s)
	}
	requireNoSecret(t, "logs", logs.String())
	require.Contains(t, logs.String(), "[redacted]")
	dump := dumpFormats(s, &s, h, &h, []managedagents.Secret{s}, map[string]managedagents.Secret{"k": s})
	requireNoSecret(t, "fmt", dump)
	require.Contains(t, fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%d", s, s, s, s, s, s, s), "[redacted]|[redacted]|[redacted]")
	j, err := json.Marshal(h)
	require.NoError(t, err)
	require.JSONEq(t, `{"Exported":"[redacted]","Ptr":"[redacted]"}`, string(j))
	require.Equal(t, "", managedagents.Secret{}.String())
}

// The params of every request that carries a secret print, log and encode
// without it, and their validation errors never repeat it, while the request
// sent carries it.
func TestCredentialParamsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	text := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, p := range leakParams() {
		logger.Debug("params", "p", p)
		text.Debug("params", "p", p)
		dump := dumpFormats(p, struct{ P any }{p})
		if _, ok := p.(interface{ LogValue() slog.Value }); !ok {
			// Credential params hold Secret values: they encode to JSON without
			// them, and print without them even from an unexported field. A
			// repository token is a plain string, as in sessions: fmt and slog
			// redact it.
			dump += dumpAll(t, p) + dumpFormats(struct{ p any }{p})
		}
		requireNoSecret(t, fmt.Sprintf("%T formatted", p), dump)
	}
	requireNoSecret(t, "logs", logs.String())

	var bodies []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x","type":"vault_credential"}`)
	}))
	t.Cleanup(srv.Close)
	c := managedagents.NewClient(option.WithAPIKey(secretKey), option.WithBaseURL(srv.URL), option.WithoutLimiter())
	for _, p := range leakParams() {
		require.NoError(t, send(context.Background(), c, p), "%T", p)
	}
	all := strings.Join(bodies, "\n")
	for _, secret := range leakSecrets {
		require.Contains(t, all, secret, "the API gets every secret")
	}
}

// A server or proxy that echoes the request in its error answer (a 400, and a
// 500 after which a create is not repeated) gets an error whose every text has
// the secrets masked; and no validation error repeats a secret.
func TestCredentialErrorsNeverRepeatSecrets(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 500} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			msg, _ := json.Marshal("cannot use " + string(b))
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Request-Id", "req_echo")
			w.Header().Set("Retry-After-Ms", "1")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"type":"error","error":{"type":"invalid_request_error","message":`+string(msg)+`},"echo":`+string(b)+`}`)
		}))
		var logs bytes.Buffer
		c := managedagents.NewClient(option.WithAPIKey(secretKey), option.WithBaseURL(srv.URL), option.WithoutLimiter(), option.WithMaxRetries(1),
			option.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		for _, p := range leakParams() {
			err := send(context.Background(), c, p)
			require.Error(t, err, "%T", p)
			var apiErr *managedagents.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Contains(t, apiErr.Message, "cannot use", "the echo arrived")
			require.Contains(t, apiErr.Message, "[redacted]")
			requireNoSecret(t, fmt.Sprintf("%d error of %T", status, p), dumpAll(t, err)+dumpAll(t, apiErr)+string(apiErr.Body))
		}
		requireNoSecret(t, "logs", logs.String())
		srv.Close()
	}

	c := managedagents.NewClient(option.WithAPIKey(secretKey), option.WithBaseURL("http://127.0.0.1:1"))
	for _, p := range []any{
		managedagents.VaultCredentialCreateParams{Auth: managedagents.NewStaticBearerAuth("not a url "+leakBearerToken, leakBearerToken)},
		managedagents.VaultCredentialCreateParams{Auth: managedagents.NewEnvironmentVariableAuth(leakSecretValue, leakSecretValue, nil)},
		managedagents.VaultCredentialUpdateParams{Auth: &managedagents.StaticBearerAuthParams{MCPServerURL: "x", Token: managedagents.NewSecret(leakBearerToken)}},
	} {
		err := send(context.Background(), c, p)
		var verr *managedagents.ValidationError
		require.ErrorAs(t, err, &verr)
		requireNoSecret(t, "validation error", dumpAll(t, err))
	}
}
