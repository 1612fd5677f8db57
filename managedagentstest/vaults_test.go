package managedagentstest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// The secrets of the credentials of these tests.
const (
	vaultAccess  = "vault-access-token-5d2e7f10"
	vaultRefresh = "vault-refresh-token-8a1c44b2"
	vaultClient  = "vault-client-secret-c3f09e6d"
	vaultBearer  = "vault-static-bearer-71be20aa"
	vaultValue   = "vault-secret-value-0f4d9c3e"
	vaultRotated = "vault-rotated-secret-9e8d7c6b"
	vaultRepo    = "ghp_vaultTestRepoToken0123456789"
)

var vaultSecrets = []string{vaultAccess, vaultRefresh, vaultClient, vaultBearer, vaultValue, vaultRotated, vaultRepo}

func requireNoVaultSecret(t *testing.T, what string, b []byte) {
	t.Helper()
	for _, s := range vaultSecrets {
		require.NotContains(t, string(b), s, what)
	}
}

// createCredentials makes one credential of each kind in a new vault through
// client, and rotates each one's secret.
func createCredentials(t *testing.T, client *managedagents.Client, expires time.Time) (vault string, creds []*managedagents.VaultCredential) {
	t.Helper()
	ctx := context.Background()
	v, err := client.Vaults.Create(ctx, managedagents.VaultCreateParams{DisplayName: "Customer 4821", Metadata: map[string]string{"customer": "4821"}})
	require.NoError(t, err)
	for _, auth := range []managedagents.CredentialAuthParams{
		&managedagents.MCPOAuthAuthParams{MCPServerURL: "https://mcp.example.com/mcp", AccessToken: managedagents.NewSecret(vaultAccess), ExpiresAt: expires,
			Refresh: &managedagents.MCPOAuthRefreshParams{ClientID: "cli_1", RefreshToken: managedagents.NewSecret(vaultRefresh),
				TokenEndpoint: "https://auth.example.com/token", TokenEndpointAuth: managedagents.NewTokenEndpointAuthClientSecretPost(vaultClient),
				Scope: "read write"}},
		managedagents.NewStaticBearerAuth("https://tickets.example.com/mcp", vaultBearer),
		managedagents.NewEnvironmentVariableAuth("BILLING_KEY", vaultValue, managedagents.NewNetworkingLimited("api.billing.example.com", "*.billing.example.com")),
	} {
		c, err := client.Vaults.Credentials.Create(ctx, v.ID, managedagents.VaultCredentialCreateParams{Auth: auth, DisplayName: string(auth.CredentialType())})
		require.NoError(t, err)
		creds = append(creds, c)
	}
	for _, u := range []struct {
		id     string
		params managedagents.VaultCredentialUpdateParams
	}{
		{creds[0].ID, managedagents.VaultCredentialUpdateParams{Auth: &managedagents.MCPOAuthAuthParams{AccessToken: managedagents.NewSecret(vaultRotated),
			Refresh: &managedagents.MCPOAuthRefreshParams{TokenEndpointAuth: managedagents.NewTokenEndpointAuthClientSecretBasic(vaultRotated)}}}},
		{creds[1].ID, managedagents.VaultCredentialUpdateParams{Auth: &managedagents.StaticBearerAuthParams{Token: managedagents.NewSecret(vaultRotated)}}},
		{creds[2].ID, managedagents.VaultCredentialUpdateParams{Auth: &managedagents.EnvironmentVariableAuthParams{SecretValue: managedagents.NewSecret(vaultRotated)}}},
	} {
		_, err := client.Vaults.Credentials.Update(ctx, v.ID, u.id, u.params)
		require.NoError(t, err)
	}
	return v.ID, creds
}

// Every kind of credential is answered in its response form, never with a
// secret, and the request log keeps none either.
func TestCredentialsNeverEchoSecrets(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(monday))
	vault, creds := createCredentials(t, srv.Client(), monday.Add(time.Hour))
	for _, c := range creds {
		requireNoVaultSecret(t, "create answer", c.RawJSON())
	}
	oauth := creds[0].Auth.(*managedagents.MCPOAuthAuth)
	require.Equal(t, "cli_1", oauth.Refresh.ClientID)
	require.Equal(t, managedagents.TokenEndpointAuthTypeClientSecretPost, oauth.Refresh.TokenEndpointAuth.Type)
	require.Equal(t, "read write", oauth.Refresh.Scope)
	require.Equal(t, monday.Add(time.Hour), oauth.ExpiresAt)
	require.Equal(t, &managedagents.StaticBearerAuth{MCPServerURL: "https://tickets.example.com/mcp"}, creds[1].Auth)
	require.Equal(t, &managedagents.EnvironmentVariableAuth{SecretName: "BILLING_KEY",
		InjectionLocation: managedagents.InjectionLocation{Body: true, Header: true},
		Networking:        managedagents.Networking{Type: "limited", AllowedHosts: []string{"api.billing.example.com", "*.billing.example.com"}}}, creds[2].Auth)

	for _, path := range []string{"/v1/vaults/" + vault + "/credentials", "/v1/vaults/" + vault + "/credentials/" + creds[0].ID} {
		requireNoVaultSecret(t, path, call(t, srv, "GET", path, nil, nil).Body)
	}
	for _, r := range srv.Requests() {
		requireNoVaultSecret(t, "request log", r.Body)
	}
	require.Contains(t, string(srv.Requests()[1].Body), `"access_token":"[redacted]"`)
}

// The update rules of each kind: the type cannot change, nor the MCP server
// URL, the secret name, or the OAuth client; a method without a client secret
// gets none; the scope clears with ""; at least one injection location stays.
func TestCredentialUpdateRules(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(monday))
	ctx := context.Background()
	vault, creds := createCredentials(t, srv.Client(), time.Time{})
	path := func(i int) string { return "/v1/vaults/" + vault + "/credentials/" + creds[i].ID }
	auth := func(typ string, kv ...any) map[string]any {
		a := map[string]any{"type": typ}
		for i := 0; i < len(kv); i += 2 {
			a[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"auth": a}
	}
	for _, body := range []map[string]any{
		auth("static_bearer", "token", "x"),
		{"auth": map[string]any{"access_token": "x"}},
		auth("mcp_oauth", "mcp_server_url", "https://other.example.com"),
		auth("mcp_oauth", "refresh", map[string]any{"client_id": "cli_2"}),
		auth("mcp_oauth", "refresh", map[string]any{"token_endpoint": "https://x.example.com"}),
		auth("mcp_oauth", "refresh", map[string]any{"token_endpoint_auth": map[string]any{"type": "none"}}),
		auth("mcp_oauth", "expires_at", "2020-01-01T00:00:00Z"),
	} {
		requireError(t, call(t, srv, "POST", path(0), body, nil), 400, "invalid_request_error")
	}
	requireError(t, call(t, srv, "POST", path(1), auth("static_bearer", "mcp_server_url", "https://x.example.com"), nil), 400, "invalid_request_error")
	requireError(t, call(t, srv, "POST", path(2), auth("environment_variable", "secret_name", "OTHER"), nil), 400, "invalid_request_error")
	requireError(t, call(t, srv, "POST", path(2), auth("environment_variable", "injection_location",
		map[string]any{"body": false, "header": false}), nil), 400, "invalid_request_error")

	c := srv.Client()
	u, err := c.Vaults.Credentials.Update(ctx, vault, creds[0].ID, managedagents.VaultCredentialUpdateParams{Clear: []string{"auth.refresh.scope"}})
	require.NoError(t, err)
	require.Empty(t, u.Auth.(*managedagents.MCPOAuthAuth).Refresh.Scope)
	require.Contains(t, string(u.RawJSON()), `"scope":null`)
	u, err = c.Vaults.Credentials.Update(ctx, vault, creds[2].ID, managedagents.VaultCredentialUpdateParams{DisplayName: "Billing",
		Metadata: managedagents.MetadataPatch{}.Set("k", "v"),
		Auth: &managedagents.EnvironmentVariableAuthParams{Networking: managedagents.NewNetworkingUnrestricted(),
			InjectionLocation: &managedagents.InjectionLocationParams{Body: new(false)}}})
	require.NoError(t, err)
	require.Equal(t, "Billing", u.DisplayName)
	require.Equal(t, map[string]string{"k": "v"}, u.Metadata)
	env := u.Auth.(*managedagents.EnvironmentVariableAuth)
	require.Equal(t, managedagents.InjectionLocation{Header: true}, env.InjectionLocation, "a patch per location")
	require.Equal(t, managedagents.Networking{Type: "unrestricted"}, env.Networking)

	public, err := c.Vaults.Credentials.Create(ctx, vault, managedagents.VaultCredentialCreateParams{Auth: &managedagents.MCPOAuthAuthParams{
		MCPServerURL: "https://mcp.example.com/mcp", AccessToken: managedagents.NewSecret("a"),
		Refresh: &managedagents.MCPOAuthRefreshParams{ClientID: "pub", RefreshToken: managedagents.NewSecret("r"), TokenEndpoint: "https://auth.example.com/t",
			TokenEndpointAuth: managedagents.NewTokenEndpointAuthNone()}}})
	require.NoError(t, err)
	_, err = c.Vaults.Credentials.Update(ctx, vault, public.ID, managedagents.VaultCredentialUpdateParams{Auth: &managedagents.MCPOAuthAuthParams{
		Refresh: &managedagents.MCPOAuthRefreshParams{TokenEndpointAuth: managedagents.NewTokenEndpointAuthClientSecretPost("s")}}})
	require.ErrorIs(t, err, managedagents.ErrBadRequest, "no client secret to replace")
}

// mcp_oauth_validate: a token before its expiry is valid; after it, a refresh
// token renews it (unknown, then valid); without one the credential is
// invalid. Other kinds cannot be validated.
func TestCredentialValidation(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(monday))
	ctx := context.Background()
	c := srv.Client()
	vault, creds := createCredentials(t, c, monday.Add(time.Hour))
	bare, err := c.Vaults.Credentials.Create(ctx, vault, managedagents.VaultCredentialCreateParams{
		Auth: &managedagents.MCPOAuthAuthParams{MCPServerURL: "https://mcp.example.com/mcp", AccessToken: managedagents.NewSecret("a"), ExpiresAt: monday.Add(time.Hour)}})
	require.NoError(t, err)
	validate := func(id string) *managedagents.VaultCredentialValidation {
		v, err := c.Vaults.Credentials.MCPOAuthValidate(ctx, vault, id, managedagents.VaultCredentialMCPOAuthValidateParams{})
		require.NoError(t, err)
		require.Equal(t, id, v.CredentialID)
		require.Equal(t, vault, v.VaultID)
		return v
	}
	v := validate(creds[0].ID)
	require.Equal(t, managedagents.CredentialValidationValid, v.Status)
	require.True(t, v.HasRefreshToken)
	require.Nil(t, v.MCPProbe)
	require.Nil(t, v.Refresh)

	srv.AdvanceClock(2 * time.Hour)
	v = validate(creds[0].ID)
	require.Equal(t, managedagents.CredentialValidationUnknown, v.Status)
	require.Equal(t, &managedagents.RefreshAttempt{Status: managedagents.RefreshSucceeded}, v.Refresh)
	require.Equal(t, 401, v.MCPProbe.HTTPResponse.StatusCode)
	require.Equal(t, managedagents.CredentialValidationValid, validate(creds[0].ID).Status, "the refreshed token works")

	v = validate(bare.ID)
	require.Equal(t, managedagents.CredentialValidationInvalid, v.Status)
	require.False(t, v.HasRefreshToken)
	require.Equal(t, managedagents.RefreshNoRefreshToken, v.Refresh.Status)
	require.Equal(t, "initialize", v.MCPProbe.Method)

	_, err = c.Vaults.Credentials.MCPOAuthValidate(ctx, vault, creds[1].ID, managedagents.VaultCredentialMCPOAuthValidateParams{})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
}

// Vaults through their life: list, archive (no new credentials), delete
// (credentials gone); a session's vault_ids must name live vaults.
func TestVaultLifecycle(t *testing.T) {
	t.Parallel()
	srv := start(t)
	ctx := context.Background()
	c := srv.Client()
	agent, env, _ := setup(t, srv, nil)
	vault, creds := createCredentials(t, c, time.Time{})
	other, err := c.Vaults.Create(ctx, managedagents.VaultCreateParams{DisplayName: "other"})
	require.NoError(t, err)

	sess, err := c.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent), EnvironmentID: env, VaultIDs: []string{vault, other.ID}})
	require.NoError(t, err)
	require.Equal(t, []string{vault, other.ID}, sess.VaultIDs)
	_, err = c.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent), EnvironmentID: env, VaultIDs: []string{"vlt_missing"}})
	require.ErrorIs(t, err, managedagents.ErrNotFound)

	renamed, err := c.Vaults.Update(ctx, other.ID, managedagents.VaultUpdateParams{DisplayName: "renamed", Metadata: managedagents.MetadataPatch{}.Set("a", "b")})
	require.NoError(t, err)
	require.Equal(t, "renamed", renamed.DisplayName)
	archived, err := c.Vaults.Archive(ctx, other.ID, managedagents.VaultArchiveParams{})
	require.NoError(t, err)
	require.True(t, archived.IsArchived())
	_, err = c.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent), EnvironmentID: env, VaultIDs: []string{other.ID}})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	_, err = c.Vaults.Credentials.Create(ctx, other.ID, managedagents.VaultCredentialCreateParams{Auth: managedagents.NewStaticBearerAuth("https://x.example.com", "t")})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	_, err = c.Vaults.Update(ctx, other.ID, managedagents.VaultUpdateParams{DisplayName: "x"})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)

	count := func(p managedagents.VaultListParams) int {
		n := 0
		for _, err := range c.Vaults.ListAll(ctx, p) {
			require.NoError(t, err)
			n++
		}
		return n
	}
	require.Equal(t, 1, count(managedagents.VaultListParams{Limit: 1}))
	require.Equal(t, 2, count(managedagents.VaultListParams{IncludeArchived: true, Limit: 1}))

	archivedCred, err := c.Vaults.Credentials.Archive(ctx, vault, creds[1].ID, managedagents.VaultCredentialArchiveParams{})
	require.NoError(t, err)
	require.True(t, archivedCred.IsArchived())
	_, err = c.Vaults.Credentials.Update(ctx, vault, creds[1].ID, managedagents.VaultCredentialUpdateParams{DisplayName: "x"})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	live := 0
	for _, err := range c.Vaults.Credentials.ListAll(ctx, vault, managedagents.VaultCredentialListParams{Limit: 1}) {
		require.NoError(t, err)
		live++
	}
	require.Equal(t, 2, live)
	page, err := c.Vaults.Credentials.List(ctx, vault, managedagents.VaultCredentialListParams{IncludeArchived: true})
	require.NoError(t, err)
	require.Len(t, page.Data, 3)

	d, err := c.Vaults.Credentials.Delete(ctx, vault, creds[0].ID, managedagents.VaultCredentialDeleteParams{})
	require.NoError(t, err)
	require.Equal(t, &managedagents.DeletedObject{ID: creds[0].ID, Type: "vault_credential_deleted"}, d)
	_, err = c.Vaults.Credentials.Get(ctx, vault, creds[0].ID, managedagents.VaultCredentialGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	_, err = c.Vaults.Credentials.Get(ctx, other.ID, creds[1].ID, managedagents.VaultCredentialGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound, "a credential is found only in its vault")

	dv, err := c.Vaults.Delete(ctx, vault, managedagents.VaultDeleteParams{})
	require.NoError(t, err)
	require.Equal(t, "vault_deleted", dv.Type)
	_, err = c.Vaults.Credentials.Get(ctx, vault, creds[2].ID, managedagents.VaultCredentialGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	_, err = c.Vaults.Get(ctx, vault, managedagents.VaultGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
}

// A recording of the SDK creating and rotating every kind of credential, and
// creating a deployment with a private repository, holds none of their
// secrets: the recorder's redaction knows every secret field of every kind.
func TestRecordingOfCredentialsHoldsNoSecret(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "vaults")
	srv := start(t, managedagentstest.WithClock(monday))
	t.Run("record", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord),
			managedagentstest.WithTransport(srv.HTTPClient().Transport))
		client := srv.Client(option.WithHTTPClient(rec.Client()))
		agent, env, _ := setup(t, srv, nil)
		vault, _ := createCredentials(t, client, monday.Add(time.Hour))
		_, err := client.Deployments.Create(context.Background(), managedagents.DeploymentCreateParams{Name: "d",
			Agent: managedagents.NewAgentRef(agent), EnvironmentID: env, VaultIDs: []string{vault},
			InitialEvents: []managedagents.EventParam{managedagents.NewUserMessage("go")},
			Resources:     []managedagents.SessionResourceParams{&managedagents.GitHubRepositoryResourceParams{URL: "https://github.com/o/r", AuthorizationToken: vaultRepo}}})
		require.NoError(t, err)
	})
	files, err := filepath.Glob(name + "*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		all.Write(b)
	}
	requireNoVaultSecret(t, "recording", []byte(all.String()))
	for _, kept := range []string{`"client_id": "cli_1"`, `"secret_name": "BILLING_KEY"`, `"mcp_server_url": "https://tickets.example.com/mcp"`} {
		require.Contains(t, all.String(), kept)
	}
	require.GreaterOrEqual(t, strings.Count(all.String(), `[redacted]`), 10)
}
