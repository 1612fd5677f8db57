package managedagents

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// future is an expiry the validation accepts for as long as these tests live.
var future = time.Date(2099, 11, 24, 18, 30, 0, 0, time.UTC)

func TestVaultCredentialCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params VaultCredentialCreateParams
	}{
		{"vaults/credential_create_mcp_oauth.json", VaultCredentialCreateParams{
			DisplayName: "Issue tracker (alice@example.com)",
			Metadata:    map[string]string{"end_user": "alice@example.com"},
			Auth: &MCPOAuthAuthParams{
				MCPServerURL: "https://mcp.example.com/mcp",
				AccessToken:  NewSecret("at-golden-0001"),
				ExpiresAt:    future,
				Refresh: &MCPOAuthRefreshParams{
					ClientID:          "cli_9f2c41d7",
					RefreshToken:      NewSecret("rt-golden-0002"),
					TokenEndpoint:     "https://auth.example.com/oauth/token",
					TokenEndpointAuth: NewTokenEndpointAuthClientSecretPost("cs-golden-0003"),
					Resource:          "https://mcp.example.com/mcp",
					Scope:             "read write",
				},
			},
		}},
		{"vaults/credential_create_mcp_oauth_public.json", VaultCredentialCreateParams{Auth: &MCPOAuthAuthParams{
			MCPServerURL: "https://mcp.example.com/mcp", AccessToken: NewSecret("at-golden-0004"),
			Refresh: &MCPOAuthRefreshParams{ClientID: "cli_public", RefreshToken: NewSecret("rt-golden-0005"),
				TokenEndpoint: "https://auth.example.com/token", TokenEndpointAuth: NewTokenEndpointAuthNone()},
		}}},
		{"vaults/credential_create_mcp_oauth_basic.json", VaultCredentialCreateParams{Auth: &MCPOAuthAuthParams{
			MCPServerURL: "https://mcp.example.com/mcp", AccessToken: NewSecret("at-golden-0006"),
			Refresh: &MCPOAuthRefreshParams{ClientID: "cli_basic", RefreshToken: NewSecret("rt-golden-0007"),
				TokenEndpoint: "https://auth.example.com/token", TokenEndpointAuth: NewTokenEndpointAuthClientSecretBasic("cs-golden-0008")},
		}}},
		{"vaults/credential_create_mcp_oauth_bare.json", VaultCredentialCreateParams{Auth: NewMCPOAuthAuth("https://mcp.example.com/mcp", "at-golden-0009")}},
		{"vaults/credential_create_static_bearer.json", VaultCredentialCreateParams{
			Auth: NewStaticBearerAuth("https://mcp.tickets.example.com/mcp", "pat-golden-0010")}},
		{"vaults/credential_create_environment_variable.json", VaultCredentialCreateParams{
			DisplayName: "Billing API key",
			Auth: &EnvironmentVariableAuthParams{
				SecretName: "BILLING_API_KEY", SecretValue: NewSecret("sv-golden-0011"),
				Networking:        NewNetworkingLimited("api.billing.example.com", "*.billing.example.com", "192.0.2.1"),
				InjectionLocation: &InjectionLocationParams{Body: new(false), Header: new(true)},
			},
		}},
		{"vaults/credential_create_environment_variable_unrestricted.json", VaultCredentialCreateParams{
			Auth: NewEnvironmentVariableAuth("TOKEN", "sv-golden-0012", NewNetworkingUnrestricted())}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "vaults/credential_mcp_oauth.json"))))
			cred, err := c.Vaults.Credentials.Create(context.Background(), "vlt_011CZkZDLs7fYzm1hXNPeRjv", tc.params)
			require.NoError(t, err)
			require.Equal(t, "vcrd_011CaE9pHs2LmQ4vXc7RdTnB", cred.ID)
			r := requireOneRequest(t, *reqs, "POST", "/v1/vaults/vlt_011CZkZDLs7fYzm1hXNPeRjv/credentials", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestVaultCredentialUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params VaultCredentialUpdateParams
	}{
		// The reference's example: rotate a static bearer token.
		{"vaults/credential_update_static_bearer.json", VaultCredentialUpdateParams{Auth: &StaticBearerAuthParams{Token: NewSecret("pat-golden-0101")}}},
		{"vaults/credential_update_mcp_oauth.json", VaultCredentialUpdateParams{
			DisplayName: "Renamed",
			Metadata:    MetadataPatch{}.Delete("end_user"),
			Auth: &MCPOAuthAuthParams{AccessToken: NewSecret("at-golden-0102"), ExpiresAt: future,
				Refresh: &MCPOAuthRefreshParams{RefreshToken: NewSecret("rt-golden-0103"), Scope: "read",
					TokenEndpointAuth: &TokenEndpointAuthParams{Type: TokenEndpointAuthTypeClientSecretBasic, ClientSecret: NewSecret("cs-golden-0104")}}},
		}},
		{"vaults/credential_update_clear_scope.json", VaultCredentialUpdateParams{Clear: []string{"auth.refresh.scope"}}},
		{"vaults/credential_update_clear_scope_rotate.json", VaultCredentialUpdateParams{Clear: []string{"auth.refresh.scope"},
			Auth: &MCPOAuthAuthParams{Refresh: &MCPOAuthRefreshParams{RefreshToken: NewSecret("rt-golden-0105")}}}},
		{"vaults/credential_update_environment_variable.json", VaultCredentialUpdateParams{Auth: &EnvironmentVariableAuthParams{
			SecretValue: NewSecret("sv-golden-0106"), Networking: NewNetworkingUnrestricted(),
			InjectionLocation: &InjectionLocationParams{Body: new(true)}}}},
		{"vaults/credential_update_metadata.json", VaultCredentialUpdateParams{Metadata: MetadataPatch{}.Set("k", "v")}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "vaults/credential_mcp_oauth.json"))))
			_, err := c.Vaults.Credentials.Update(context.Background(), "vlt_1", "vcrd_1", tc.params)
			require.NoError(t, err)
			r := requireOneRequest(t, *reqs, "POST", "/v1/vaults/vlt_1/credentials/vcrd_1", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

// Each kind of credential decodes into its type, with every field; a kind
// this SDK does not know is kept raw.
func TestVaultCredentialDecodesEveryKind(t *testing.T) {
	t.Parallel()
	decode := func(name string) *VaultCredential {
		var c VaultCredential
		require.NoError(t, json.Unmarshal(fixture(t, "vaults/"+name), &c))
		require.JSONEq(t, string(fixture(t, "vaults/"+name)), string(c.RawJSON()))
		return &c
	}
	oauth := decode("credential_mcp_oauth.json")
	require.Equal(t, "vcrd_011CaE9pHs2LmQ4vXc7RdTnB", oauth.ID)
	require.Equal(t, "vault_credential", oauth.Type)
	require.Equal(t, "vlt_011CZkZDLs7fYzm1hXNPeRjv", oauth.VaultID)
	require.Equal(t, "Issue tracker (alice@example.com)", oauth.DisplayName)
	require.Equal(t, map[string]string{"end_user": "alice@example.com"}, oauth.Metadata)
	require.Equal(t, &MCPOAuthAuth{
		MCPServerURL: "https://mcp.example.com/mcp",
		ExpiresAt:    time.Date(2026, 11, 24, 18, 30, 0, 0, time.UTC),
		Refresh: &MCPOAuthRefresh{ClientID: "cli_9f2c41d7", TokenEndpoint: "https://auth.example.com/oauth/token",
			TokenEndpointAuth: TokenEndpointAuth{Type: TokenEndpointAuthTypeClientSecretPost},
			Resource:          "https://mcp.example.com/mcp", Scope: "read write"},
	}, oauth.Auth)
	require.Equal(t, CredentialTypeMCPOAuth, oauth.Auth.CredentialType())

	bearer := decode("credential_static_bearer.json")
	require.Equal(t, &StaticBearerAuth{MCPServerURL: "https://mcp.tickets.example.com/mcp"}, bearer.Auth)
	require.Empty(t, bearer.DisplayName, "null display name")

	env := decode("credential_environment_variable.json")
	require.Equal(t, &EnvironmentVariableAuth{SecretName: "BILLING_API_KEY", InjectionLocation: InjectionLocation{Header: true},
		Networking: Networking{Type: NetworkingLimited, AllowedHosts: []string{"api.billing.example.com", "*.billing.example.com"}}}, env.Auth)
	require.True(t, env.IsArchived())

	unknown := decode("credential_unknown.json")
	u, ok := unknown.Auth.(*UnknownCredentialAuth)
	require.True(t, ok, "%T", unknown.Auth)
	require.Equal(t, CredentialType("mtls"), u.CredentialType())
	require.Contains(t, string(u.Raw), "certificate_fingerprint")
	again, err := json.Marshal(u)
	require.NoError(t, err)
	require.JSONEq(t, string(u.Raw), string(again), "an unknown auth encodes as received")

	for _, a := range []CredentialAuth{oauth.Auth, bearer.Auth, env.Auth} {
		b, err := json.Marshal(a)
		require.NoError(t, err)
		back, err := DecodeCredentialAuth(b)
		require.NoError(t, err)
		require.Equal(t, a, back, "%s round-trips", b)
	}
	none, err := DecodeCredentialAuth([]byte(" null "))
	require.NoError(t, err)
	require.Nil(t, none)
}

func TestVaultCredentialValidationDecodes(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "vaults/validation_invalid.json"))))
	v, err := c.Vaults.Credentials.MCPOAuthValidate(context.Background(), "vlt_011CZkZDLs7fYzm1hXNPeRjv", "vcrd_011CaE9pHs2LmQ4vXc7RdTnB", VaultCredentialMCPOAuthValidateParams{})
	require.NoError(t, err)
	r := requireOneRequest(t, *reqs, "POST", "/v1/vaults/vlt_011CZkZDLs7fYzm1hXNPeRjv/credentials/vcrd_011CaE9pHs2LmQ4vXc7RdTnB/mcp_oauth_validate", "")
	require.Empty(t, r.Body)
	require.Equal(t, "vault_credential_validation", v.Type)
	require.Equal(t, "vcrd_011CaE9pHs2LmQ4vXc7RdTnB", v.CredentialID)
	require.Equal(t, CredentialValidationInvalid, v.Status)
	require.True(t, v.HasRefreshToken)
	require.Equal(t, time.Date(2026, 11, 24, 18, 31, 2, 114e6, time.UTC), v.ValidatedAt)
	require.Equal(t, &MCPProbe{Method: "initialize", HTTPResponse: &ProbeHTTPResponse{StatusCode: 401, ContentType: "application/json",
		Body: `{"error":"invalid_token"}`}}, v.MCPProbe)
	require.Equal(t, RefreshFailed, v.Refresh.Status)
	require.Equal(t, 400, v.Refresh.HTTPResponse.StatusCode)
	require.JSONEq(t, string(fixture(t, "vaults/validation_invalid.json")), string(v.RawJSON()))

	var valid VaultCredentialValidation
	require.NoError(t, json.Unmarshal(fixture(t, "vaults/validation_valid.json"), &valid))
	require.Equal(t, CredentialValidationValid, valid.Status)
	require.Nil(t, valid.MCPProbe)
	require.Nil(t, valid.Refresh)
}

func TestVaultCredentialReadArchiveDeleteList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cred := string(fixture(t, "vaults/credential_static_bearer.json"))
	c, reqs := newTestClient(t, replyJSON(200, cred))
	got, err := c.Vaults.Credentials.Get(ctx, "vlt_1", "vcrd_1", VaultCredentialGetParams{})
	require.NoError(t, err)
	require.Equal(t, CredentialTypeStaticBearer, got.Auth.CredentialType())
	requireOneRequest(t, *reqs, "GET", "/v1/vaults/vlt_1/credentials/vcrd_1", "")

	c, reqs = newTestClient(t, replyJSON(200, cred))
	_, err = c.Vaults.Credentials.Archive(ctx, "vlt_1", "vcrd_1", VaultCredentialArchiveParams{})
	require.NoError(t, err)
	r := requireOneRequest(t, *reqs, "POST", "/v1/vaults/vlt_1/credentials/vcrd_1/archive", "")
	require.Empty(t, r.Body)

	for _, body := range []string{string(fixture(t, "vaults/credential_deleted.json")), ""} {
		c, reqs = newTestClient(t, replyJSON(200, body))
		d, err := c.Vaults.Credentials.Delete(ctx, "vlt_1", "vcrd_011CaE9pHs2LmQ4vXc7RdTnB", VaultCredentialDeleteParams{})
		require.NoError(t, err)
		require.Equal(t, &DeletedObject{ID: "vcrd_011CaE9pHs2LmQ4vXc7RdTnB", Type: "vault_credential_deleted"}, d)
		requireOneRequest(t, *reqs, "DELETE", "/v1/vaults/vlt_1/credentials/vcrd_011CaE9pHs2LmQ4vXc7RdTnB", "")
	}

	c, reqs = newTestClient(t, replyJSON(200, `{"data":[`+cred+`,`+string(fixture(t, "vaults/credential_environment_variable.json"))+`],"next_page":null}`))
	var kinds []CredentialType
	for cr, err := range c.Vaults.Credentials.ListAll(ctx, "vlt_1", VaultCredentialListParams{IncludeArchived: true, Limit: 50}) {
		require.NoError(t, err)
		kinds = append(kinds, cr.Auth.CredentialType())
	}
	require.Equal(t, []CredentialType{CredentialTypeStaticBearer, CredentialTypeEnvironmentVariable}, kinds)
	requireOneRequest(t, *reqs, "GET", "/v1/vaults/vlt_1/credentials", "include_archived=true&limit=50")
}

// The create and update rules of every kind are enforced before sending,
// naming the field; fields that cannot change are refused on update.
func TestVaultCredentialRules(t *testing.T) {
	t.Parallel()
	oauth := func(f func(p *MCPOAuthAuthParams)) *MCPOAuthAuthParams {
		p := &MCPOAuthAuthParams{MCPServerURL: "https://mcp.example.com/mcp", AccessToken: NewSecret("at"),
			Refresh: &MCPOAuthRefreshParams{ClientID: "c", RefreshToken: NewSecret("rt"), TokenEndpoint: "https://auth.example.com/t",
				TokenEndpointAuth: NewTokenEndpointAuthClientSecretPost("cs")}}
		f(p)
		return p
	}
	env := func(f func(p *EnvironmentVariableAuthParams)) *EnvironmentVariableAuthParams {
		p := NewEnvironmentVariableAuth("API_KEY", "sv", NewNetworkingLimited("api.example.com"))
		f(p)
		return p
	}
	hosts := func(h ...string) func(p *EnvironmentVariableAuthParams) {
		return func(p *EnvironmentVariableAuthParams) { p.Networking = NewNetworkingLimited(h...) }
	}
	creates := []struct {
		field string
		auth  CredentialAuthParams
	}{
		{"auth", nil},
		{"auth", (*StaticBearerAuthParams)(nil)},
		{"auth.mcp_server_url", oauth(func(p *MCPOAuthAuthParams) { p.MCPServerURL = "" })},
		{"auth.mcp_server_url", oauth(func(p *MCPOAuthAuthParams) { p.MCPServerURL = "mcp.example.com" })},
		{"auth.access_token", oauth(func(p *MCPOAuthAuthParams) { p.AccessToken = Secret{} })},
		{"auth.refresh.client_id", oauth(func(p *MCPOAuthAuthParams) { p.Refresh.ClientID = "" })},
		{"auth.refresh.refresh_token", oauth(func(p *MCPOAuthAuthParams) { p.Refresh.RefreshToken = NewSecret("") })},
		{"auth.refresh.token_endpoint", oauth(func(p *MCPOAuthAuthParams) { p.Refresh.TokenEndpoint = "" })},
		{"auth.refresh.token_endpoint_auth", oauth(func(p *MCPOAuthAuthParams) { p.Refresh.TokenEndpointAuth = nil })},
		{"auth.refresh.token_endpoint_auth.client_secret", oauth(func(p *MCPOAuthAuthParams) {
			p.Refresh.TokenEndpointAuth = &TokenEndpointAuthParams{Type: TokenEndpointAuthTypeClientSecretBasic}
		})},
		{"auth.refresh.token_endpoint_auth.client_secret", oauth(func(p *MCPOAuthAuthParams) {
			p.Refresh.TokenEndpointAuth = &TokenEndpointAuthParams{Type: TokenEndpointAuthTypeNone, ClientSecret: NewSecret("x")}
		})},
		{"auth.refresh.token_endpoint_auth.type", oauth(func(p *MCPOAuthAuthParams) {
			p.Refresh.TokenEndpointAuth = &TokenEndpointAuthParams{Type: "private_key_jwt"}
		})},
		{"auth.mcp_server_url", NewStaticBearerAuth("", "tok")},
		{"auth.token", NewStaticBearerAuth("https://mcp.example.com", "")},
		{"auth.secret_name", env(func(p *EnvironmentVariableAuthParams) { p.SecretName = "" })},
		{"auth.secret_name", env(func(p *EnvironmentVariableAuthParams) { p.SecretName = "1PASSWORD" })},
		{"auth.secret_name", env(func(p *EnvironmentVariableAuthParams) { p.SecretName = "API-KEY" })},
		{"auth.secret_value", env(func(p *EnvironmentVariableAuthParams) { p.SecretValue = Secret{} })},
		{"auth.networking", env(func(p *EnvironmentVariableAuthParams) { p.Networking = nil })},
		{"auth.networking.type", env(func(p *EnvironmentVariableAuthParams) { p.Networking = &Networking{Type: "open"} })},
		{"auth.networking.allowed_hosts", env(hosts())},
		{"auth.networking.allowed_hosts", env(hosts(strings.Split(strings.Repeat("a.example.com,", 17), ",")[:17]...))},
		{"auth.networking.allowed_hosts[0]", env(hosts("https://api.example.com"))},
		{"auth.networking.allowed_hosts[0]", env(hosts("api.example.com/v1"))},
		{"auth.networking.allowed_hosts[0]", env(hosts("api.example.com:443"))},
		{"auth.networking.allowed_hosts[0]", env(hosts("2001:db8::1"))},
		{"auth.networking.allowed_hosts[0]", env(hosts("api.*.example.com"))},
		{"auth.networking.allowed_hosts[0]", env(hosts("*.192.0.2.1"))},
		{"auth.networking.allowed_hosts[0]", env(hosts("bad_host.example.com"))},
		{"auth.networking.allowed_hosts[1]", env(hosts("ok.example.com", ""))},
		{"auth.networking.allowed_hosts", env(func(p *EnvironmentVariableAuthParams) {
			p.Networking = &Networking{Type: NetworkingUnrestricted, AllowedHosts: []string{"a.example.com"}}
		})},
		{"auth.networking.allow_mcp_servers", env(func(p *EnvironmentVariableAuthParams) { p.Networking.AllowMCPServers = new(true) })},
		{"auth.networking.allow_package_managers", env(func(p *EnvironmentVariableAuthParams) { p.Networking.AllowPackageManagers = new(false) })},
		{"auth.injection_location", env(func(p *EnvironmentVariableAuthParams) {
			p.InjectionLocation = &InjectionLocationParams{Body: new(false), Header: new(false)}
		})},
	}
	for _, tc := range creates {
		c, reqs := newTestClient(t, replyJSON(200, "{}"))
		_, err := c.Vaults.Credentials.Create(context.Background(), "vlt_1", VaultCredentialCreateParams{Auth: tc.auth})
		requireField(t, tc.field, err)
		require.Empty(t, *reqs)
	}
	for _, bad := range []VaultCredentialCreateParams{
		{Auth: NewStaticBearerAuth("https://mcp.example.com", "t"), DisplayName: strings.Repeat("x", 256)},
		{Auth: NewStaticBearerAuth("https://mcp.example.com", "t"), Metadata: map[string]string{"": "v"}},
	} {
		c, _ := newTestClient(t, replyJSON(200, "{}"))
		_, err := c.Vaults.Credentials.Create(context.Background(), "vlt_1", bad)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr)
	}
	// The hosts the reference allows are accepted.
	c, _ := newTestClient(t, replyJSON(200, string(fixture(t, "vaults/credential_environment_variable.json"))))
	_, err := c.Vaults.Credentials.Create(context.Background(), "vlt_1", VaultCredentialCreateParams{Auth: env(hosts(
		"api.example.com", "*.example.com", "192.0.2.1", "localhost", "x-1.example.co.uk"))})
	require.NoError(t, err)

	updates := []struct {
		field  string
		params VaultCredentialUpdateParams
	}{
		{"auth.mcp_server_url", VaultCredentialUpdateParams{Auth: &MCPOAuthAuthParams{MCPServerURL: "https://other.example.com"}}},
		{"auth.mcp_server_url", VaultCredentialUpdateParams{Auth: &StaticBearerAuthParams{MCPServerURL: "https://other.example.com"}}},
		{"auth.secret_name", VaultCredentialUpdateParams{Auth: &EnvironmentVariableAuthParams{SecretName: "OTHER"}}},
		{"auth.refresh.client_id", VaultCredentialUpdateParams{Auth: &MCPOAuthAuthParams{Refresh: &MCPOAuthRefreshParams{ClientID: "c2"}}}},
		{"auth.refresh.token_endpoint", VaultCredentialUpdateParams{Auth: &MCPOAuthAuthParams{Refresh: &MCPOAuthRefreshParams{TokenEndpoint: "https://x.example.com"}}}},
		{"auth.refresh.resource", VaultCredentialUpdateParams{Auth: &MCPOAuthAuthParams{Refresh: &MCPOAuthRefreshParams{Resource: "https://x.example.com"}}}},
		{"auth.refresh.token_endpoint_auth.type", VaultCredentialUpdateParams{Auth: &MCPOAuthAuthParams{Refresh: &MCPOAuthRefreshParams{
			TokenEndpointAuth: NewTokenEndpointAuthNone()}}}},
		{"auth.networking.allowed_hosts[0]", VaultCredentialUpdateParams{Auth: &EnvironmentVariableAuthParams{Networking: NewNetworkingLimited("http://x")}}},
		{"auth.injection_location", VaultCredentialUpdateParams{Auth: &EnvironmentVariableAuthParams{
			InjectionLocation: &InjectionLocationParams{Body: new(false), Header: new(false)}}}},
		{"clear[0]", VaultCredentialUpdateParams{Clear: []string{"display_name"}}},
		{"clear[0]", VaultCredentialUpdateParams{Clear: []string{"auth.refresh.scope"}, Auth: &StaticBearerAuthParams{Token: NewSecret("t")}}},
		{"auth.refresh.scope", VaultCredentialUpdateParams{Clear: []string{"auth.refresh.scope"},
			Auth: &MCPOAuthAuthParams{Refresh: &MCPOAuthRefreshParams{Scope: "read"}}}},
		{"display_name", VaultCredentialUpdateParams{DisplayName: strings.Repeat("x", 256)}},
	}
	for _, tc := range updates {
		c, reqs := newTestClient(t, replyJSON(200, "{}"))
		_, err := c.Vaults.Credentials.Update(context.Background(), "vlt_1", "vcrd_1", tc.params)
		requireField(t, tc.field, err)
		require.Empty(t, *reqs)
	}
	for _, ids := range [][2]string{{"", "vcrd_1"}, {"vlt_1", ""}, {"vlt_1", "vcrd/1"}} {
		c, reqs := newTestClient(t, replyJSON(200, "{}"))
		_, err := c.Vaults.Credentials.MCPOAuthValidate(context.Background(), ids[0], ids[1], VaultCredentialMCPOAuthValidateParams{})
		var verr *ValidationError
		require.ErrorAs(t, err, &verr)
		require.Empty(t, *reqs)
	}
}

// requireField requires err to be a *ValidationError of field.
func requireField(t *testing.T, field string, err error) {
	t.Helper()
	var verr *ValidationError
	require.True(t, errors.As(err, &verr), "%s: %v", field, err)
	require.Equal(t, field, verr.Field, "%v", err)
}
