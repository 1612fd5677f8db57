package conformance

import (
	"context"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsSessionResourceUnion]](managedagentstest.RouteListResources)
	answers[anthropic.BetaManagedAgentsFileResource](managedagentstest.RouteAddResource)
	answers[anthropic.BetaSessionResourceGetResponseUnion](managedagentstest.RouteGetResource)
	answers[anthropic.BetaSessionResourceUpdateResponseUnion](managedagentstest.RouteUpdateResource)
	answers[anthropic.BetaManagedAgentsDeleteSessionResource](managedagentstest.RouteDeleteResource)
}

// A session's resources: listed in pages, added, read, a repository token
// rotated, deleted.
func TestSessionResources(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	f := newFixture(t, h)
	store := must(h.client.Beta.MemoryStores.New(ctx, anthropic.BetaMemoryStoreNewParams{Name: "notes"}))(t)
	sess := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.helper.ID)}, EnvironmentID: f.env.ID,
		Resources: []anthropic.BetaSessionNewParamsResourceUnion{
			{OfGitHubRepository: &anthropic.BetaManagedAgentsGitHubRepositoryResourceParams{URL: "https://github.com/o/r", AuthorizationToken: "ghp_one"}},
			{OfMemoryStore: &anthropic.BetaManagedAgentsMemoryStoreResourceParam{MemoryStoreID: store.ID}},
		},
	}))(t)
	resources := h.client.Beta.Sessions.Resources

	added := must(resources.Add(ctx, sess.ID, anthropic.BetaSessionResourceAddParams{
		BetaManagedAgentsFileResourceParams: anthropic.BetaManagedAgentsFileResourceParams{FileID: "file_011CFake", MountPath: anthropic.String("/data/in.csv")}}))(t)
	if added.MountPath != "/data/in.csv" || added.ID == "" {
		t.Errorf("add: %s", added.RawJSON())
	}
	n := 0
	pager := resources.ListAutoPaging(ctx, sess.ID, anthropic.BetaSessionResourceListParams{Limit: anthropic.Int(2)})
	for pager.Next() {
		n++
	}
	if err := pager.Err(); err != nil || n != 3 {
		t.Errorf("listed %d resources (%v), want 3", n, err)
	}
	repo := sess.Resources[0].ID
	got := must(resources.Get(ctx, repo, anthropic.BetaSessionResourceGetParams{SessionID: sess.ID}))(t)
	if got.Type != "github_repository" {
		t.Errorf("get: %s", got.RawJSON())
	}
	rotated := must(resources.Update(ctx, repo, anthropic.BetaSessionResourceUpdateParams{SessionID: sess.ID, AuthorizationToken: "ghp_two"}))(t)
	if rotated.ID != repo {
		t.Errorf("update: %s", rotated.RawJSON())
	}
	deleted := must(resources.Delete(ctx, added.ID, anthropic.BetaSessionResourceDeleteParams{SessionID: sess.ID}))(t)
	if deleted.ID != added.ID {
		t.Errorf("delete: %s", deleted.RawJSON())
	}
	_, err := resources.Get(ctx, added.ID, anthropic.BetaSessionResourceGetParams{SessionID: sess.ID})
	h.wantError(err, 404, "not_found_error")
}
