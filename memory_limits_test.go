package managedagents

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMemoryPathRules(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("/d", MaxMemoryPathSegments)
	for _, p := range []string{
		"/a", "/a/b.md", "/Notes/ToDo.md", "/.hidden", "/a/.../b", "/ünï/cödé.md", "/with space/x y", deep,
		"/" + strings.Repeat("x", MaxMemoryPathBytes-1),
	} {
		require.NoError(t, validateMemoryPath("path", p), "%q", p)
	}
	for p, problem := range map[string]string{
		"":          "is required",
		"a/b":       `must start with "/"`,
		"/":         "empty segment",
		"/a/":       "empty segment",
		"/a//b":     "empty segment",
		"/a/./b":    `"."`,
		"/a/../b":   `".."`,
		"/..":       `".."`,
		deep + "/x": "21 segments",
		"/a\x00b":   "U+0000",
		"/a\tb":     "U+0009",
		"/a\u200bb": "U+200B", // zero-width space: a format character
		"/a\u2028b": "U+2028",
		"/a\u2029b": "U+2029",
		"/a\xffb":   "valid UTF-8",
		"/" + strings.Repeat("x", MaxMemoryPathBytes): "1025 bytes",
		"/" + strings.Repeat("é", 512):                "1025 bytes",
	} {
		err := validateMemoryPath("path", p)
		requireInvalid(t, err, "path")
		require.Contains(t, err.Error(), problem, "%q", p)
	}
}

func TestMemoryPathPrefixRules(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "/", "/notes/", "/a/b/"} {
		require.NoError(t, validatePathPrefix("path_prefix", p), "%q", p)
	}
	for _, p := range []string{"notes/", "/notes", "//", "/a//", "/../", "/a\x01/"} {
		requireInvalid(t, validatePathPrefix("path_prefix", p), "path_prefix")
	}
}

func TestMemoryContentRules(t *testing.T) {
	t.Parallel()
	require.NoError(t, validateMemoryContent("content", ""))
	require.NoError(t, validateMemoryContent("content", strings.Repeat("é", MaxMemoryContentBytes/2)))
	err := validateMemoryContent("content", strings.Repeat("x", MaxMemoryContentBytes+1))
	requireInvalid(t, err, "content")
	require.Contains(t, err.Error(), "102401 bytes")
	requireInvalid(t, validateMemoryContent("content", "bad \xc3"), "content")
}

// Bad arguments of the memory and version calls fail before anything is
// sent, naming the field.
func TestMemoryCallsValidate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(500, "{}"))
	mem, ver := c.MemoryStores.Memories, c.MemoryStores.MemoryVersions
	big := strings.Repeat("x", MaxMemoryContentBytes+1)
	for _, tc := range []struct {
		field string
		err   error
	}{
		{"memory_store_id", first2(mem.Create(ctx, "", MemoryCreateParams{Path: "/a"}))},
		{"path", first2(mem.Create(ctx, storeID, MemoryCreateParams{Path: "a"}))},
		{"content", first2(mem.Create(ctx, storeID, MemoryCreateParams{Path: "/a", Content: big}))},
		{"view", first2(mem.Create(ctx, storeID, MemoryCreateParams{Path: "/a", View: "summary"}))},
		{"memory_id", first2(mem.Get(ctx, storeID, "", MemoryGetParams{}))},
		{"view", first2(mem.Get(ctx, storeID, memoryID, MemoryGetParams{View: "FULL"}))},
		{"path", first2(mem.Update(ctx, storeID, memoryID, MemoryUpdateParams{}))},
		{"path", first2(mem.Update(ctx, storeID, memoryID, MemoryUpdateParams{Path: "/a/"}))},
		{"content", first2(mem.Update(ctx, storeID, memoryID, MemoryUpdateParams{Content: &big}))},
		{"precondition.content_sha256", first2(mem.Update(ctx, storeID, memoryID, MemoryUpdateParams{Content: new("x"),
			Precondition: NewMemoryPreconditionContentSHA256(strings.ToUpper(sampleSHA))}))},
		{"precondition.content_sha256", first2(mem.Update(ctx, storeID, memoryID, MemoryUpdateParams{Content: new("x"),
			Precondition: &MemoryPrecondition{}}))},
		{"precondition.type", first2(mem.Update(ctx, storeID, memoryID, MemoryUpdateParams{Content: new("x"),
			Precondition: &MemoryPrecondition{Type: "version", ContentSHA256: sampleSHA}}))},
		{"memory_id", first2(mem.Update(ctx, storeID, "a/b", MemoryUpdateParams{Content: new("x")}))},
		{"limit", first2(mem.List(ctx, storeID, MemoryListParams{Limit: 101}))},
		{"limit", first2(mem.List(ctx, storeID, MemoryListParams{Limit: 21, View: MemoryViewFull}))},
		{"path_prefix", first2(mem.List(ctx, storeID, MemoryListParams{PathPrefix: "/notes"}))},
		{"depth", first2(mem.List(ctx, storeID, MemoryListParams{Depth: -1}))},
		{"view", first2(mem.List(ctx, storeID, MemoryListParams{View: "x"}))},
		{"expected_content_sha256", first2(mem.Delete(ctx, storeID, memoryID, MemoryDeleteParams{ExpectedContentSHA256: "abc"}))},
		{"memory_id", first2(mem.Delete(ctx, storeID, "..", MemoryDeleteParams{}))},
		{"limit", first2(ver.List(ctx, storeID, MemoryVersionListParams{Limit: 50, View: MemoryViewFull}))},
		{"operation", first2(ver.List(ctx, storeID, MemoryVersionListParams{Operation: "renamed"}))},
		{"memory_store_id", first2(ver.List(ctx, "", MemoryVersionListParams{}))},
		{"memory_version_id", first2(ver.Get(ctx, storeID, "", MemoryVersionGetParams{}))},
		{"view", first2(ver.Get(ctx, storeID, "memver_1", MemoryVersionGetParams{View: "raw"}))},
		{"memory_version_id", first2(ver.Redact(ctx, storeID, "a?b", MemoryVersionRedactParams{}))},
	} {
		requireInvalid(t, tc.err, tc.field)
	}
	require.Empty(t, *reqs, "nothing invalid was sent")
	// Up to the limits, everything is sent.
	_, _ = mem.List(ctx, storeID, MemoryListParams{Limit: 20, View: MemoryViewFull})
	_, _ = mem.List(ctx, storeID, MemoryListParams{Limit: 100})
	require.Len(t, *reqs, 2)
}

// A session mounts at most 8 memory stores, with a known access mode and
// instructions of at most 4096 characters.
func TestMemoryStoreResourceParamsValidate(t *testing.T) {
	t.Parallel()
	stores := func(n int) []SessionResourceParams {
		var rs []SessionResourceParams
		for range n {
			rs = append(rs, &MemoryStoreResourceParams{MemoryStoreID: "memstore_1"})
		}
		return append(rs, &FileResourceParams{FileID: "file_1"})
	}
	require.NoError(t, validateResourceParams("resources", stores(MaxMemoryStoresPerSession)))
	requireInvalid(t, validateResourceParams("resources", stores(MaxMemoryStoresPerSession+1)), "resources[8]")
	requireInvalid(t, validateResourceParams("resources", []SessionResourceParams{
		&MemoryStoreResourceParams{MemoryStoreID: "memstore_1", Access: "write"}}), "resources[0].access")
	require.NoError(t, validateResourceParams("resources", []SessionResourceParams{
		&MemoryStoreResourceParams{MemoryStoreID: "memstore_1", Access: MemoryStoreAccessReadOnly, Instructions: strings.Repeat("é", MaxMemoryStoreInstructionsChars)}}))
	requireInvalid(t, validateResourceParams("resources", []SessionResourceParams{
		&MemoryStoreResourceParams{MemoryStoreID: "memstore_1", Instructions: strings.Repeat("x", MaxMemoryStoreInstructionsChars+1)}}), "resources[0].instructions")
}
