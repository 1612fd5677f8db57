package managedagents

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	memoryID  = "mem_011CaF3nWq7YtK2xBv9LsRpD"
	sampleSHA = "1c36a756423034208d4599559f095c2cda86bd79df2677f433e8e77c92281e82"
	memPath   = "/v1/memory_stores/" + storeID + "/memories"
)

func TestMemoryDecodeViews(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory.json"))))
	full, err := c.MemoryStores.Memories.Get(ctx, storeID, memoryID, MemoryGetParams{})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "GET", memPath+"/"+memoryID, "")
	require.Equal(t, &Memory{
		ObjectMeta: ObjectMeta{ID: memoryID, Type: "memory",
			CreatedAt: parseTS(t, "2026-10-01T10:22:05.118Z"), UpdatedAt: parseTS(t, "2026-10-02T07:45:19.330Z")},
		MemoryStoreID:    storeID,
		Path:             "/preferences/formatting.md",
		Content:          new("Prefers answers in British English.\nUse metric units. Keep summaries under 150 words."),
		ContentSizeBytes: 85,
		ContentSHA256:    sampleSHA,
		MemoryVersionID:  "memver_011CaF5rZe2NhV8dQm4WxKtC",
	}, withoutRaw(full))
	require.Equal(t, sampleSHA, MemoryContentSHA256(*full.Content), "the hash clients compute is the server's")
	require.Equal(t, int64(len(*full.Content)), full.ContentSizeBytes)

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_basic.json"))))
	basic, err := c.MemoryStores.Memories.Get(ctx, storeID, memoryID, MemoryGetParams{View: MemoryViewBasic})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "GET", memPath+"/"+memoryID, "view=basic")
	require.Nil(t, basic.Content, "basic view: no content")
	require.Equal(t, sampleSHA, basic.ContentSHA256)

	c, _ = newTestClient(t, replyJSON(200, strings.Replace(string(fixture(t, "memory_stores/memory.json")),
		`"content": "Prefers answers in British English.\nUse metric units. Keep summaries under 150 words."`, `"content": ""`, 1)))
	empty, err := c.MemoryStores.Memories.Get(ctx, storeID, memoryID, MemoryGetParams{})
	require.NoError(t, err)
	require.Equal(t, new(""), empty.Content, "an empty memory is not a basic view")
}

func TestMemoryCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden, query string
		params        MemoryCreateParams
	}{
		{"memory_stores/memory_create.json", "view=full", MemoryCreateParams{
			Path: "/preferences/formatting.md", Content: "Prefers answers in British English.", View: MemoryViewFull}},
		// Empty content is valid and sent.
		{"memory_stores/memory_create_empty.json", "", MemoryCreateParams{Path: "/todo.md"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory.json"))))
			got, err := c.MemoryStores.Memories.Create(context.Background(), storeID, tc.params)
			require.NoError(t, err)
			require.Equal(t, memoryID, got.ID)
			r := requireOneMemoryRequest(t, *reqs, "POST", memPath, tc.query)
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestMemoryUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden, query string
		params        MemoryUpdateParams
	}{
		{"memory_stores/memory_update_content.json", "", MemoryUpdateParams{Content: new("Use metric units.")}},
		{"memory_stores/memory_update_empty.json", "", MemoryUpdateParams{Content: new("")}},
		{"memory_stores/memory_update_rename.json", "view=full", MemoryUpdateParams{Path: "/archive/formatting.md", View: MemoryViewFull}},
		{"memory_stores/memory_update_precondition.json", "view=basic", MemoryUpdateParams{
			Path: "/archive/formatting.md", Content: new("v2"), View: MemoryViewBasic,
			Precondition: NewMemoryPreconditionContentSHA256(sampleSHA)}},
		// The precondition's type may be left out: it is sent anyway.
		{"memory_stores/memory_update_precondition_bare.json", "", MemoryUpdateParams{
			Content: new("v2"), Precondition: &MemoryPrecondition{ContentSHA256: sampleSHA}}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_basic.json"))))
			_, err := c.MemoryStores.Memories.Update(context.Background(), storeID, memoryID, tc.params)
			require.NoError(t, err)
			r := requireOneMemoryRequest(t, *reqs, "POST", memPath+"/"+memoryID, tc.query)
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

// A list page holds memories and prefix markers in one union; an item of a
// type this SDK does not know is kept, not an error.
func TestMemoryListWithPrefixes(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/page_of_memories.json"))))
	page, err := c.MemoryStores.Memories.List(context.Background(), storeID, MemoryListParams{
		PathPrefix: "/", Depth: 1, View: MemoryViewFull, Limit: 20, Page: "page_1",
	})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "GET", memPath, "depth=1&limit=20&page=page_1&path_prefix=%2F&view=full")
	require.Len(t, page.Data, 3)
	prefix, ok := page.Data[0].(*MemoryPrefix)
	require.True(t, ok, "%T", page.Data[0])
	require.Equal(t, "/projects/", prefix.MemoryPath())
	require.Equal(t, "memory_prefix", prefix.Type)
	mem, ok := page.Data[1].(*Memory)
	require.True(t, ok, "%T", page.Data[1])
	require.Equal(t, "/preferences.md", mem.MemoryPath())
	require.Nil(t, mem.Content)
	unknown, ok := page.Data[2].(*UnknownMemoryListItem)
	require.True(t, ok, "%T", page.Data[2])
	require.Equal(t, "memory_symlink", unknown.Type)
	require.Equal(t, "/latest.md", unknown.MemoryPath())
	require.JSONEq(t, `{"type":"memory_symlink","path":"/latest.md","target":"/preferences.md"}`, string(unknown.RawJSON()))
}

func TestMemoryListAll(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[{"type":"memory_prefix","path":"/a/"}],"next_page":"p2"}`,
		"p2": `{"data":[{"type":"memory","id":"mem_1","path":"/b.md"}],"next_page":null}`,
	}))
	var paths []string
	for item, err := range c.MemoryStores.Memories.ListAll(context.Background(), storeID, MemoryListParams{Depth: 1, Limit: 1}) {
		require.NoError(t, err)
		paths = append(paths, item.MemoryPath())
	}
	require.Equal(t, []string{"/a/", "/b.md"}, paths)
	require.Equal(t, "depth=1&limit=1&page=p2", (*reqs)[1].RawQuery)
}

func TestMemoryDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_deleted.json"))))
	d, err := c.MemoryStores.Memories.Delete(ctx, storeID, memoryID, MemoryDeleteParams{ExpectedContentSHA256: sampleSHA})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "DELETE", memPath+"/"+memoryID, "expected_content_sha256="+sampleSHA)
	require.Equal(t, &DeletedObject{ID: memoryID, Type: "memory_deleted"}, d)

	c, reqs = newTestClient(t, replyJSON(200, ""))
	d, err = c.MemoryStores.Memories.Delete(ctx, storeID, memoryID, MemoryDeleteParams{})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "DELETE", memPath+"/"+memoryID, "")
	require.Equal(t, "memory_deleted", d.Type)
}
