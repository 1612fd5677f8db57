package conformance

import (
	"context"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[anthropic.BetaEnvironment](managedagentstest.RouteCreateEnvironment, managedagentstest.RouteGetEnvironment,
		managedagentstest.RouteUpdateEnvironment, managedagentstest.RouteArchiveEnvironment)
	answers[pagination.PageCursor[anthropic.BetaEnvironment]](managedagentstest.RouteListEnvironments)
	answers[anthropic.BetaEnvironmentDeleteResponse](managedagentstest.RouteDeleteEnvironment)
	// reference §4.7: description is null when unset, archived_at until archived.
	allowNull("BetaEnvironment.description", "BetaEnvironment.archived_at")
}

// Environments with every config, networking and packages shape, through
// their whole life.
func TestEnvironments(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	envs := h.client.Beta.Environments

	bare := must(envs.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "bare"}))(t)
	selfHosted := must(envs.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "self-hosted",
		Config: anthropic.BetaEnvironmentNewParamsConfigUnion{OfSelfHosted: &anthropic.BetaSelfHostedConfigParams{}}}))(t)
	unrestricted := must(envs.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "unrestricted", Scope: "organization",
		Description: anthropic.String("Open egress."), Metadata: map[string]string{"team": "x"},
		Config: anthropic.BetaEnvironmentNewParamsConfigUnion{OfCloud: &anthropic.BetaCloudConfigParams{
			Networking: anthropic.BetaCloudConfigParamsNetworkingUnion{OfUnrestricted: &anthropic.BetaUnrestrictedNetworkParam{}},
			Packages:   anthropic.BetaPackagesParams{Pip: []string{"pandas==2.2.3"}, Apt: []string{"jq"}},
		}}}))(t)
	limited := must(envs.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "limited",
		Config: anthropic.BetaEnvironmentNewParamsConfigUnion{OfCloud: &anthropic.BetaCloudConfigParams{
			Networking: anthropic.BetaCloudConfigParamsNetworkingUnion{OfLimited: &anthropic.BetaLimitedNetworkParams{
				AllowedHosts: []string{"api.example.com"}}},
		}}}))(t)
	if bare.Config.Type != "cloud" || selfHosted.Config.Type != "self_hosted" || unrestricted.Config.Packages.Pip[0] != "pandas==2.2.3" ||
		limited.Config.Networking.Type != "limited" {
		t.Errorf("created: %s %s %s %s", bare.RawJSON(), selfHosted.RawJSON(), unrestricted.RawJSON(), limited.RawJSON())
	}

	got := must(envs.Get(ctx, limited.ID, anthropic.BetaEnvironmentGetParams{}))(t)
	if got.RawJSON() != limited.RawJSON() {
		t.Errorf("get differs from create:\n%s\n%s", got.RawJSON(), limited.RawJSON())
	}
	updated := must(envs.Update(ctx, limited.ID, anthropic.BetaEnvironmentUpdateParams{
		Name: anthropic.String("limited-2"), Description: anthropic.String("Only the API."),
		Metadata: map[string]string{"owner": "me"},
		Config: anthropic.BetaEnvironmentUpdateParamsConfigUnion{OfCloud: &anthropic.BetaCloudConfigParams{
			Networking: anthropic.BetaCloudConfigParamsNetworkingUnion{OfLimited: &anthropic.BetaLimitedNetworkParams{
				AllowPackageManagers: anthropic.Bool(true), AllowMCPServers: anthropic.Bool(true)}},
			Packages: anthropic.BetaPackagesParams{Npm: []string{"left-pad"}},
		}},
	}))(t)
	if n := updated.Config.Networking; !n.AllowPackageManagers || len(n.AllowedHosts) != 1 {
		t.Errorf("update did not merge networking: %s", updated.RawJSON())
	}

	list := must(envs.List(ctx, anthropic.BetaEnvironmentListParams{Limit: anthropic.Int(3)}))(t)
	n := 0
	for page := list; page != nil; page = must(page.GetNextPage())(t) {
		n += len(page.Data)
	}
	if n != 4 {
		t.Errorf("listed %d environments, want 4", n)
	}
	archived := must(envs.Archive(ctx, bare.ID, anthropic.BetaEnvironmentArchiveParams{}))(t)
	if archived.ArchivedAt == "" {
		t.Errorf("archive: %s", archived.RawJSON())
	}
	if all := must(envs.List(ctx, anthropic.BetaEnvironmentListParams{IncludeArchived: anthropic.Bool(true)}))(t); len(all.Data) != 4 {
		t.Errorf("listed %d environments with archived ones, want 4", len(all.Data))
	}
	deleted := must(envs.Delete(ctx, selfHosted.ID, anthropic.BetaEnvironmentDeleteParams{}))(t)
	if deleted.ID != selfHosted.ID {
		t.Errorf("delete: %s", deleted.RawJSON())
	}

	_, err := envs.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "unrestricted"})
	h.wantError(err, 409, "invalid_request_error")
	_, err = envs.Update(ctx, limited.ID, anthropic.BetaEnvironmentUpdateParams{
		Config: anthropic.BetaEnvironmentUpdateParamsConfigUnion{OfSelfHosted: &anthropic.BetaSelfHostedConfigParams{}}})
	if e := h.wantError(err, 400, "invalid_request_error"); e.ErrorCode() != "invalid_config_type_change" {
		t.Errorf("error code %q, want invalid_config_type_change", e.ErrorCode())
	}
	_, err = envs.Get(ctx, selfHosted.ID, anthropic.BetaEnvironmentGetParams{})
	h.wantError(err, 404, "not_found_error")
}
