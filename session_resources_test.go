package managedagents

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSessionResourceAdd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params SessionResourceAddParams
	}{
		{"sessions/resource_add.json", SessionResourceAddParams{FileID: "file_011CDLhLaqEKVZkCJPt2H312", MountPath: "/mnt/data/report.pdf"}},
		{"sessions/resource_add_default_path.json", SessionResourceAddParams{FileID: "file_011CDLhLaqEKVZkCJPt2H312"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "sessions/resource_file.json"))))
			res, err := c.Sessions.Resources.Add(context.Background(), "sesn_011Cn5d4gEYkbUrMWeWQLGsC", tc.params)
			require.NoError(t, err)
			require.Equal(t, &FileResource{
				ObjectMeta: ObjectMeta{ID: "sesrsc_011CqT7wX2Jd9kPbVf3RzLme", Type: "file", CreatedAt: parseTS(t, "2026-11-24T10:10:00Z"), UpdatedAt: parseTS(t, "2026-11-24T10:10:00Z")}, FileID: "file_011CSessionCopyA1b2C3",
				MountPath: "/mnt/data/report.pdf",
			}, withoutRaw(res))
			r := requireOneRequest(t, *reqs, "POST", "/v1/sessions/sesn_011Cn5d4gEYkbUrMWeWQLGsC/resources", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestSessionResourceGet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fixture string
		want    func(t *testing.T) SessionResource
	}{
		{"sessions/resource_github.json", func(t *testing.T) SessionResource {
			return &GitHubRepositoryResource{
				ObjectMeta: ObjectMeta{ID: "sesrsc_011CmrG6dLaYyNoVKf58ZTBq", Type: "github_repository", CreatedAt: parseTS(t, "2026-11-24T10:02:11.530Z"), UpdatedAt: parseTS(t, "2026-11-24T11:00:00Z")},
				URL:        "https://github.com/example-org/support-playbooks", MountPath: "/workspace/support-playbooks",
			}
		}},
		{"sessions/resource_file.json", func(t *testing.T) SessionResource {
			return &FileResource{
				ObjectMeta: ObjectMeta{ID: "sesrsc_011CqT7wX2Jd9kPbVf3RzLme", Type: "file", CreatedAt: parseTS(t, "2026-11-24T10:10:00Z"), UpdatedAt: parseTS(t, "2026-11-24T10:10:00Z")}, FileID: "file_011CSessionCopyA1b2C3",
				MountPath: "/mnt/data/report.pdf",
			}
		}},
		{"sessions/resource_memory_store.json", func(t *testing.T) SessionResource {
			return &MemoryStoreResource{
				ObjectMeta: ObjectMeta{Type: "memory_store"}, MemoryStoreID: "memstore_011CMemA1b2C3d4E5", Access: "read_write",
				Name: "notes", MountPath: "/mnt/memory/notes",
			}
		}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, tc.fixture))))
			res, err := c.Sessions.Resources.Get(context.Background(), "sesn_1", "sesrsc_1", SessionResourceGetParams{})
			require.NoError(t, err)
			require.JSONEq(t, string(fixture(t, tc.fixture)), string(res.(interface{ RawJSON() json.RawMessage }).RawJSON()))
			require.Equal(t, tc.want(t), withoutRaw(res))
			requireOneRequest(t, *reqs, "GET", "/v1/sessions/sesn_1/resources/sesrsc_1", "")
		})
	}

	c, _ := newTestClient(t, replyJSON(200, `{"id":"sesrsc_9","type":"volume","size_gb":10}`))
	res, err := c.Sessions.Resources.Get(context.Background(), "sesn_1", "sesrsc_9", SessionResourceGetParams{})
	require.NoError(t, err)
	require.Equal(t, &UnknownResource{ObjectMeta: ObjectMeta{ID: "sesrsc_9", Type: "volume", raw: []byte(`{"id":"sesrsc_9","type":"volume","size_gb":10}`)}}, res)
}

func TestSessionResourceUpdate(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "sessions/resource_github.json"))))
	res, err := c.Sessions.Resources.Update(context.Background(), "sesn_1", "sesrsc_011CmrG6dLaYyNoVKf58ZTBq", SessionResourceUpdateParams{AuthorizationToken: NewSecret("ghp_rotated")})
	require.NoError(t, err)
	require.Equal(t, "github_repository", res.ResourceType())
	require.Equal(t, "sesrsc_011CmrG6dLaYyNoVKf58ZTBq", res.ResourceID())
	r := requireOneRequest(t, *reqs, "POST", "/v1/sessions/sesn_1/resources/sesrsc_011CmrG6dLaYyNoVKf58ZTBq", "")
	assertGolden(t, "sessions/resource_update.json", r.Body)
}

func TestSessionResourceListAndDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "sessions/page_of_resources.json"))))
	page, err := c.Sessions.Resources.List(ctx, "sesn_1", SessionResourceListParams{Limit: 2, Page: "page_resources_1"})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/sessions/sesn_1/resources", "limit=2&page=page_resources_1")
	require.Equal(t, "page_resources_2", page.NextPage)
	require.Len(t, page.Data, 2)
	require.Equal(t, NewCheckoutBranch("main"), page.Data[0].(*GitHubRepositoryResource).Checkout)
	require.Equal(t, "file_011CSessionCopyA1b2C3", page.Data[1].(*FileResource).FileID)

	for _, body := range []string{string(fixture(t, "sessions/resource_deleted.json")), ""} {
		c, reqs = newTestClient(t, replyJSON(200, body))
		d, err := c.Sessions.Resources.Delete(ctx, "sesn_1", "sesrsc_011CqT7wX2Jd9kPbVf3RzLme", SessionResourceDeleteParams{})
		require.NoError(t, err)
		require.Equal(t, &DeletedObject{ID: "sesrsc_011CqT7wX2Jd9kPbVf3RzLme", Type: "session_resource_deleted"}, d)
		requireOneRequest(t, *reqs, "DELETE", "/v1/sessions/sesn_1/resources/sesrsc_011CqT7wX2Jd9kPbVf3RzLme", "")
	}
}

func TestSessionResourceListAll(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[{"id":"sesrsc_1","type":"file","file_id":"file_1"}],"next_page":"p2"}`,
		"p2": `{"data":[],"next_page":"p3"}`,
		"p3": `{"data":[{"type":"memory_store","memory_store_id":"memstore_1"},{"id":"sesrsc_3","type":"new_kind"}],"next_page":null}`,
	}))
	var types []string
	for r, err := range c.Sessions.Resources.ListAll(context.Background(), "sesn_1", SessionResourceListParams{}) {
		require.NoError(t, err)
		types = append(types, r.ResourceType())
	}
	require.Equal(t, []string{"file", "memory_store", "new_kind"}, types)
	require.Len(t, *reqs, 3)
	require.Equal(t, "", (*reqs)[0].RawQuery)
	require.Equal(t, "page=p3", (*reqs)[2].RawQuery)

	c, reqs = newTestClient(t, pagesByCursor(map[string]string{"": `{"data":[{"id":"sesrsc_1","type":"file"}],"next_page":"x"}`}))
	var errs int
	for _, err := range c.Sessions.Resources.ListAll(context.Background(), "sesn_1", SessionResourceListParams{}) {
		if err != nil {
			errs++
		}
	}
	require.Equal(t, 1, errs)
	require.Len(t, *reqs, 2)
}

func TestSessionResourceValidation(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, `{}`))
	ctx := context.Background()
	_, err := c.Sessions.Resources.Add(ctx, "sesn_1", SessionResourceAddParams{})
	requireInvalid(t, err, "file_id")
	_, err = c.Sessions.Resources.Add(ctx, "sesn_1", SessionResourceAddParams{FileID: "f", MountPath: "relative/path"})
	requireInvalid(t, err, "mount_path")
	_, err = c.Sessions.Resources.Add(ctx, "", SessionResourceAddParams{FileID: "f"})
	requireInvalid(t, err, "session_id")
	_, err = c.Sessions.Resources.Get(ctx, "sesn_1", "", SessionResourceGetParams{})
	requireInvalid(t, err, "resource_id")
	_, err = c.Sessions.Resources.Get(ctx, "..", "r", SessionResourceGetParams{})
	requireInvalid(t, err, "session_id")
	_, err = c.Sessions.Resources.Update(ctx, "sesn_1", "r", SessionResourceUpdateParams{})
	requireInvalid(t, err, "authorization_token")
	_, err = c.Sessions.Resources.Update(ctx, "sesn_1", "r/x", SessionResourceUpdateParams{AuthorizationToken: NewSecret("t")})
	requireInvalid(t, err, "resource_id")
	_, err = c.Sessions.Resources.List(ctx, "sesn_1", SessionResourceListParams{Limit: -1})
	requireInvalid(t, err, "limit")
	_, err = c.Sessions.Resources.List(ctx, "", SessionResourceListParams{})
	requireInvalid(t, err, "session_id")
	_, err = c.Sessions.Resources.Delete(ctx, "sesn_1", "?", SessionResourceDeleteParams{})
	requireInvalid(t, err, "resource_id")
	require.Empty(t, *reqs)
}
