package managedagents

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const versionsPath = "/v1/memory_stores/" + storeID + "/memory_versions"

func TestMemoryVersionDecode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_version.json"))))
	v, err := c.MemoryStores.MemoryVersions.Get(ctx, storeID, "memver_011CaF5rZe2NhV8dQm4WxKtC", MemoryVersionGetParams{})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "GET", versionsPath+"/memver_011CaF5rZe2NhV8dQm4WxKtC", "")
	require.Equal(t, &MemoryVersion{
		ObjectMeta:       ObjectMeta{ID: "memver_011CaF5rZe2NhV8dQm4WxKtC", Type: "memory_version", CreatedAt: parseTS(t, "2026-10-02T07:45:19.330Z")},
		MemoryID:         memoryID,
		MemoryStoreID:    storeID,
		Operation:        MemoryVersionModified,
		Path:             "/preferences/formatting.md",
		Content:          new("Prefers answers in British English.\nUse metric units. Keep summaries under 150 words."),
		ContentSHA256:    sampleSHA,
		ContentSizeBytes: new(int64(85)),
		CreatedBy:        &Actor{Type: ActorTypeSession, SessionID: "sesn_011CaE9tYu3PqR6mNb8VwXzA"},
	}, withoutRaw(v))
	require.False(t, v.IsRedacted())

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_version_redacted.json"))))
	r, err := c.MemoryStores.MemoryVersions.Get(ctx, storeID, "memver_011CaF4qXd1MgU7cPl3VwJsB", MemoryVersionGetParams{View: MemoryViewBasic})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "GET", versionsPath+"/memver_011CaF4qXd1MgU7cPl3VwJsB", "view=basic")
	require.True(t, r.IsRedacted())
	require.Empty(t, r.Path)
	require.Nil(t, r.Content)
	require.Nil(t, r.ContentSizeBytes, "a redacted size is null, not 0")
	require.Empty(t, r.ContentSHA256)
	require.Equal(t, &Actor{Type: ActorTypeAPI, APIKeyID: "apikey_011CaA1bCd2EfG3hJk4LmN5p"}, r.CreatedBy, "redaction keeps the author")
	require.Equal(t, &Actor{Type: ActorTypeUser, UserID: "user_011CaB6qRs7TuV8wXy9ZaB1c"}, r.RedactedBy)
}

func TestMemoryVersionList(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/page_of_memory_versions.json"))))
	page, err := c.MemoryStores.MemoryVersions.List(context.Background(), storeID, MemoryVersionListParams{
		MemoryID: memoryID, Operation: MemoryVersionDeleted, SessionID: "sesn_1", APIKeyID: "apikey_1", ServiceAccountID: "svac_1",
		CreatedAtGTE: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), CreatedAtLTE: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
		View: MemoryViewFull, Limit: 20, Page: "page_v1",
	})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "GET", versionsPath,
		"api_key_id=apikey_1&created_at%5Bgte%5D=2026-10-01T00%3A00%3A00Z&created_at%5Blte%5D=2026-10-31T00%3A00%3A00Z"+
			"&limit=20&memory_id="+memoryID+"&operation=deleted&page=page_v1&service_account_id=svac_1&session_id=sesn_1&view=full")
	require.Equal(t, "page_v2", page.NextPage)
	require.Len(t, page.Data, 3)
	deleted := page.Data[0]
	require.Equal(t, MemoryVersionDeleted, deleted.Operation)
	require.Nil(t, deleted.ContentSizeBytes)
	require.Empty(t, deleted.ContentSHA256)
	require.Equal(t, "/preferences/formatting.md", deleted.Path, "a deleted version keeps its path")
	require.Equal(t, &Actor{Type: ActorTypeServiceAccount, ServiceAccountID: "svac_011CaC3dEf4GhI5jKl6MnO7p"}, deleted.CreatedBy)
	require.Nil(t, page.Data[2].CreatedBy, "an author not recorded")
	require.Contains(t, string(page.Data[2].RawJSON()), `"team_note":"an unknown field"`, "unknown fields are kept")
}

func TestMemoryVersionListAll(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[{"id":"memver_2","type":"memory_version","operation":"modified"}],"next_page":"p2"}`,
		"p2": `{"data":[{"id":"memver_1","type":"memory_version","operation":"created"}],"next_page":null}`,
	}))
	var ids []string
	for v, err := range c.MemoryStores.MemoryVersions.ListAll(context.Background(), storeID, MemoryVersionListParams{MemoryID: "mem_1"}) {
		require.NoError(t, err)
		ids = append(ids, v.ID)
	}
	require.Equal(t, []string{"memver_2", "memver_1"}, ids)
	require.Equal(t, "memory_id=mem_1&page=p2", (*reqs)[1].RawQuery)
}

func TestMemoryVersionRedact(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_version_redacted.json"))))
	v, err := c.MemoryStores.MemoryVersions.Redact(context.Background(), storeID, "memver_011CaF4qXd1MgU7cPl3VwJsB", MemoryVersionRedactParams{})
	require.NoError(t, err)
	r := requireOneMemoryRequest(t, *reqs, "POST", versionsPath+"/memver_011CaF4qXd1MgU7cPl3VwJsB/redact", "")
	require.Empty(t, r.Body, "redact has no body and no content-type")
	require.True(t, v.IsRedacted())
	require.Equal(t, parseTS(t, "2026-10-03T11:00:00.000Z"), v.RedactedAt)
}
