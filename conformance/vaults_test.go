package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[anthropic.BetaManagedAgentsVault](managedagentstest.RouteCreateVault, managedagentstest.RouteGetVault,
		managedagentstest.RouteUpdateVault, managedagentstest.RouteArchiveVault)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsVault]](managedagentstest.RouteListVaults)
	answers[anthropic.BetaManagedAgentsDeletedVault](managedagentstest.RouteDeleteVault)
	answers[anthropic.BetaManagedAgentsCredential](managedagentstest.RouteCreateCredential, managedagentstest.RouteGetCredential,
		managedagentstest.RouteUpdateCredential, managedagentstest.RouteArchiveCredential)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsCredential]](managedagentstest.RouteListCredentials)
	answers[anthropic.BetaManagedAgentsDeletedCredential](managedagentstest.RouteDeleteCredential)
	answers[anthropic.BetaManagedAgentsCredentialValidation](managedagentstest.RouteValidateCredential)
	// more-resources.md §3.2, §3.3: archived_at is null until archived; §3.6:
	// mcp_probe and refresh are null when nothing failed or nothing was tried,
	// and their http_response null when there was no answer.
	allowNull("BetaManagedAgentsVault.archived_at", "BetaManagedAgentsCredential.archived_at",
		"BetaManagedAgentsCredentialValidation.mcp_probe", "BetaManagedAgentsCredentialValidation.refresh",
		"BetaManagedAgentsMCPProbe.http_response", "BetaManagedAgentsRefreshObject.http_response")
}

// Vaults and credentials of every kind and token endpoint method, created,
// read, rotated, listed, validated in every verdict, archived and deleted;
// the answers never carry a secret.
func TestVaults(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	h := newHarness(t, managedagentstest.WithClock(now))
	ctx := context.Background()
	vaults, creds := h.client.Beta.Vaults, h.client.Beta.Vaults.Credentials

	vault := must(vaults.New(ctx, anthropic.BetaVaultNewParams{DisplayName: "Customer 4821", Metadata: map[string]string{"customer": "4821"}}))(t)
	other := must(vaults.New(ctx, anthropic.BetaVaultNewParams{DisplayName: "other"}))(t)
	if got := must(vaults.Get(ctx, vault.ID, anthropic.BetaVaultGetParams{}))(t); got.RawJSON() != vault.RawJSON() {
		t.Errorf("get differs from create:\n%s\n%s", got.RawJSON(), vault.RawJSON())
	}
	renamed := must(vaults.Update(ctx, vault.ID, anthropic.BetaVaultUpdateParams{DisplayName: anthropic.String("Renamed"),
		Metadata: map[string]string{"tier": "gold"}}))(t)
	if renamed.DisplayName != "Renamed" || renamed.Metadata["tier"] != "gold" || renamed.Metadata["customer"] != "4821" {
		t.Errorf("update: %s", renamed.RawJSON())
	}

	oauth := func(method anthropic.BetaManagedAgentsMCPOAuthRefreshParamsTokenEndpointAuthUnion) anthropic.BetaVaultCredentialNewParamsAuthUnion {
		return anthropic.BetaVaultCredentialNewParamsAuthUnion{OfMCPOAuth: &anthropic.BetaManagedAgentsMCPOAuthCreateParams{
			AccessToken: "secret-access", MCPServerURL: "https://mcp.example.com/mcp", ExpiresAt: anthropic.Time(now.Add(time.Hour)),
			Refresh: anthropic.BetaManagedAgentsMCPOAuthRefreshParams{ClientID: "cli_1", RefreshToken: "secret-refresh",
				TokenEndpoint: "https://auth.example.com/token", TokenEndpointAuth: method,
				Resource: anthropic.String("https://mcp.example.com/mcp"), Scope: anthropic.String("read write")},
		}}
	}
	created := []*anthropic.BetaManagedAgentsCredential{}
	for _, auth := range []anthropic.BetaVaultCredentialNewParamsAuthUnion{
		oauth(anthropic.BetaManagedAgentsMCPOAuthRefreshParamsTokenEndpointAuthUnion{OfClientSecretPost: &anthropic.BetaManagedAgentsTokenEndpointAuthPostParam{ClientSecret: "secret-client"}}),
		oauth(anthropic.BetaManagedAgentsMCPOAuthRefreshParamsTokenEndpointAuthUnion{OfClientSecretBasic: &anthropic.BetaManagedAgentsTokenEndpointAuthBasicParam{ClientSecret: "secret-client"}}),
		oauth(anthropic.BetaManagedAgentsMCPOAuthRefreshParamsTokenEndpointAuthUnion{OfNone: &anthropic.BetaManagedAgentsTokenEndpointAuthNoneParam{}}),
		{OfMCPOAuth: &anthropic.BetaManagedAgentsMCPOAuthCreateParams{AccessToken: "secret-access", MCPServerURL: "https://bare.example.com/mcp",
			ExpiresAt: anthropic.Time(now.Add(time.Hour))}},
		{OfStaticBearer: &anthropic.BetaManagedAgentsStaticBearerCreateParams{Token: "secret-bearer", MCPServerURL: "https://tickets.example.com/mcp"}},
		{OfEnvironmentVariable: &anthropic.BetaManagedAgentsEnvironmentVariableCreateParams{SecretName: "BILLING_KEY", SecretValue: "secret-value",
			Networking: anthropic.BetaManagedAgentsCredentialNetworkingParamsUnion{OfLimited: &anthropic.BetaManagedAgentsLimitedCredentialNetworkingParams{
				AllowedHosts: []string{"api.billing.example.com", "*.billing.example.com"}}},
			InjectionLocation: anthropic.BetaManagedAgentsInjectionLocationParams{Header: anthropic.Bool(true), Body: anthropic.Bool(false)}}},
		{OfEnvironmentVariable: &anthropic.BetaManagedAgentsEnvironmentVariableCreateParams{SecretName: "OPEN_KEY", SecretValue: "secret-value",
			Networking: anthropic.BetaManagedAgentsCredentialNetworkingParamsUnion{OfUnrestricted: &anthropic.BetaManagedAgentsUnrestrictedCredentialNetworkingParams{}}}},
	} {
		c := must(creds.New(ctx, vault.ID, anthropic.BetaVaultCredentialNewParams{Auth: auth, DisplayName: anthropic.String("cred"),
			Metadata: map[string]string{"k": "v"}}))(t)
		if strings.Contains(c.RawJSON(), "secret-") {
			t.Errorf("a secret came back: %s", c.RawJSON())
		}
		created = append(created, c)
	}
	post, basic, bare, bearer, env := created[0], created[1], created[3], created[4], created[5]
	if post.Auth.Refresh.TokenEndpointAuth.Type != "client_secret_post" || env.Auth.Networking.Type != "limited" {
		t.Errorf("created: %s %s", post.RawJSON(), env.RawJSON())
	}

	got := must(creds.Get(ctx, post.ID, anthropic.BetaVaultCredentialGetParams{VaultID: vault.ID}))(t)
	if got.RawJSON() != post.RawJSON() {
		t.Errorf("get differs from create:\n%s\n%s", got.RawJSON(), post.RawJSON())
	}
	for _, u := range []struct {
		id   string
		auth anthropic.BetaVaultCredentialUpdateParamsAuthUnion
	}{
		{post.ID, anthropic.BetaVaultCredentialUpdateParamsAuthUnion{OfMCPOAuth: &anthropic.BetaManagedAgentsMCPOAuthUpdateParams{
			AccessToken: anthropic.String("secret-new"), ExpiresAt: anthropic.Time(now.Add(2 * time.Hour)),
			Refresh: anthropic.BetaManagedAgentsMCPOAuthRefreshUpdateParams{RefreshToken: anthropic.String("secret-new"), Scope: anthropic.String(""),
				TokenEndpointAuth: anthropic.BetaManagedAgentsMCPOAuthRefreshUpdateParamsTokenEndpointAuthUnion{
					OfClientSecretPost: &anthropic.BetaManagedAgentsTokenEndpointAuthPostUpdateParam{ClientSecret: anthropic.String("secret-new")}}}}}},
		{basic.ID, anthropic.BetaVaultCredentialUpdateParamsAuthUnion{OfMCPOAuth: &anthropic.BetaManagedAgentsMCPOAuthUpdateParams{
			Refresh: anthropic.BetaManagedAgentsMCPOAuthRefreshUpdateParams{TokenEndpointAuth: anthropic.BetaManagedAgentsMCPOAuthRefreshUpdateParamsTokenEndpointAuthUnion{
				OfClientSecretBasic: &anthropic.BetaManagedAgentsTokenEndpointAuthBasicUpdateParam{ClientSecret: anthropic.String("secret-new")}}}}}},
		{bearer.ID, anthropic.BetaVaultCredentialUpdateParamsAuthUnion{OfStaticBearer: &anthropic.BetaManagedAgentsStaticBearerUpdateParams{Token: anthropic.String("secret-new")}}},
		{env.ID, anthropic.BetaVaultCredentialUpdateParamsAuthUnion{OfEnvironmentVariable: &anthropic.BetaManagedAgentsEnvironmentVariableUpdateParams{
			SecretValue:       anthropic.String("secret-new"),
			InjectionLocation: anthropic.BetaManagedAgentsInjectionLocationUpdateParams{Body: anthropic.Bool(true)},
			Networking:        anthropic.BetaManagedAgentsCredentialNetworkingParamsUnion{OfUnrestricted: &anthropic.BetaManagedAgentsUnrestrictedCredentialNetworkingParams{}}}}},
	} {
		c := must(creds.Update(ctx, u.id, anthropic.BetaVaultCredentialUpdateParams{VaultID: vault.ID, Auth: u.auth,
			DisplayName: anthropic.String("rotated"), Metadata: map[string]string{"rotated": "yes"}}))(t)
		if strings.Contains(c.RawJSON(), "secret-") || c.DisplayName != "rotated" {
			t.Errorf("update: %s", c.RawJSON())
		}
	}

	// Validation in its three verdicts: valid before the expiry; after it,
	// unknown (refreshed, not probed) with a refresh token and invalid without.
	if v := must(creds.MCPOAuthValidate(ctx, basic.ID, anthropic.BetaVaultCredentialMCPOAuthValidateParams{VaultID: vault.ID}))(t); v.Status != "valid" {
		t.Errorf("validate: %s", v.RawJSON())
	}
	h.srv.AdvanceClock(3 * time.Hour)
	if v := must(creds.MCPOAuthValidate(ctx, basic.ID, anthropic.BetaVaultCredentialMCPOAuthValidateParams{VaultID: vault.ID}))(t); v.Status != "unknown" ||
		v.Refresh.Status != "succeeded" || v.MCPProbe.HTTPResponse.StatusCode != 401 {
		t.Errorf("validate after expiry: %s", v.RawJSON())
	}
	if v := must(creds.MCPOAuthValidate(ctx, bare.ID, anthropic.BetaVaultCredentialMCPOAuthValidateParams{VaultID: vault.ID}))(t); v.Status != "invalid" ||
		v.Refresh.Status != "no_refresh_token" || v.HasRefreshToken {
		t.Errorf("validate without refresh: %s", v.RawJSON())
	}

	archived := must(creds.Archive(ctx, bearer.ID, anthropic.BetaVaultCredentialArchiveParams{VaultID: vault.ID}))(t)
	if archived.ArchivedAt.IsZero() {
		t.Errorf("archive: %s", archived.RawJSON())
	}
	n := 0
	for page := must(creds.List(ctx, vault.ID, anthropic.BetaVaultCredentialListParams{Limit: anthropic.Int(3)}))(t); page != nil; page = must(page.GetNextPage())(t) {
		n += len(page.Data)
	}
	if n != 6 {
		t.Errorf("listed %d live credentials, want 6", n)
	}
	if all := must(creds.List(ctx, vault.ID, anthropic.BetaVaultCredentialListParams{IncludeArchived: anthropic.Bool(true)}))(t); len(all.Data) != 7 {
		t.Errorf("listed %d credentials with archived ones, want 7", len(all.Data))
	}
	deleted := must(creds.Delete(ctx, env.ID, anthropic.BetaVaultCredentialDeleteParams{VaultID: vault.ID}))(t)
	if deleted.ID != env.ID {
		t.Errorf("delete: %s", deleted.RawJSON())
	}

	must(vaults.Archive(ctx, other.ID, anthropic.BetaVaultArchiveParams{}))(t)
	if live := must(vaults.List(ctx, anthropic.BetaVaultListParams{Limit: anthropic.Int(1)}))(t); len(live.Data) != 1 || live.Data[0].ID != vault.ID {
		t.Errorf("list: %s", live.RawJSON())
	}
	if all := must(vaults.List(ctx, anthropic.BetaVaultListParams{IncludeArchived: anthropic.Bool(true)}))(t); len(all.Data) != 2 {
		t.Errorf("listed %d vaults with archived ones, want 2", len(all.Data))
	}
	// A session names its vaults; an archived one is refused.
	f := newFixture(t, h)
	s := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.helper.ID)},
		EnvironmentID: f.env.ID, VaultIDs: []string{vault.ID}}))(t)
	if len(s.VaultIDs) != 1 {
		t.Errorf("session: %s", s.RawJSON())
	}
	_, err := h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.helper.ID)},
		EnvironmentID: f.env.ID, VaultIDs: []string{other.ID}})
	h.wantError(err, 400, "invalid_request_error")

	if d := must(vaults.Delete(ctx, vault.ID, anthropic.BetaVaultDeleteParams{}))(t); d.ID != vault.ID {
		t.Errorf("delete: %s", d.RawJSON())
	}
	_, err = creds.Get(ctx, post.ID, anthropic.BetaVaultCredentialGetParams{VaultID: vault.ID})
	h.wantError(err, 404, "not_found_error")
	_, err = creds.MCPOAuthValidate(ctx, "vcrd_x", anthropic.BetaVaultCredentialMCPOAuthValidateParams{VaultID: other.ID})
	h.wantError(err, 404, "not_found_error")
	_, err = creds.New(ctx, other.ID, anthropic.BetaVaultCredentialNewParams{Auth: anthropic.BetaVaultCredentialNewParamsAuthUnion{
		OfStaticBearer: &anthropic.BetaManagedAgentsStaticBearerCreateParams{Token: "t", MCPServerURL: "https://x.example.com"}}})
	h.wantError(err, 400, "invalid_request_error")
}
