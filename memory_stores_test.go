package managedagents

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
)

// requireOneMemoryRequest is requireOneRequest for the memory endpoints: the
// only beta sent is the memory beta, never the managed-agents one.
func requireOneMemoryRequest(t *testing.T, reqs []recorded, method, path, rawQuery string) recorded {
	t.Helper()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, method, r.Method)
	require.Equal(t, path, r.Path)
	require.Equal(t, rawQuery, r.RawQuery)
	require.Equal(t, testAPIKey, r.Header.Get("X-Api-Key"))
	require.Equal(t, []string{MemoryBetaHeader}, r.Header.Values("Anthropic-Beta"), "memory stores send only their own beta")
	require.Equal(t, "2023-06-01", r.Header.Get("Anthropic-Version"))
	if len(r.Body) > 0 {
		require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	} else {
		require.Empty(t, r.Header.Get("Content-Type"))
	}
	return r
}

const storeID = "memstore_011CaC2mVx8RtP5nQw3LyHbJ"

func TestMemoryStoreDecode(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_store.json"))))
	got, err := c.MemoryStores.Get(context.Background(), storeID, MemoryStoreGetParams{})
	require.NoError(t, err)
	require.JSONEq(t, string(fixture(t, "memory_stores/memory_store.json")), string(got.RawJSON()))
	require.Equal(t, &MemoryStore{
		ObjectMeta: ObjectMeta{ID: storeID, Type: "memory_store",
			CreatedAt: parseTS(t, "2026-09-30T12:00:00.000Z"), UpdatedAt: parseTS(t, "2026-10-02T07:45:19.330Z")},
		Name:        "User preferences",
		Description: "Formatting and tone preferences for end user u_1832. Read before answering.",
		Metadata:    map[string]string{"end_user": "u_1832"},
	}, withoutRaw(got))
	require.False(t, got.IsArchived())
}

func TestMemoryStoreCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params MemoryStoreCreateParams
	}{
		{"memory_stores/create_full.json", MemoryStoreCreateParams{
			Name: "User preferences", Description: "Formatting and tone preferences for end user u_1832.",
			Metadata: map[string]string{"end_user": "u_1832"},
		}},
		{"memory_stores/create_minimal.json", MemoryStoreCreateParams{Name: "notes"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_store.json"))))
			got, err := c.MemoryStores.Create(context.Background(), tc.params)
			require.NoError(t, err)
			require.Equal(t, storeID, got.ID)
			r := requireOneMemoryRequest(t, *reqs, "POST", "/v1/memory_stores", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestMemoryStoreUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params MemoryStoreUpdateParams
	}{
		{"memory_stores/update_partial.json", MemoryStoreUpdateParams{
			Name: "Preferences", Description: "Read before answering.",
			Metadata: MetadataPatch{}.Set("end_user", "u_2").Delete("legacy"),
		}},
		// The API clears a description with "", not null.
		{"memory_stores/update_clear_description.json", MemoryStoreUpdateParams{Clear: []string{"description"}}},
		{"memory_stores/update_name.json", MemoryStoreUpdateParams{Name: "Renamed"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_store.json"))))
			_, err := c.MemoryStores.Update(context.Background(), storeID, tc.params)
			require.NoError(t, err)
			r := requireOneMemoryRequest(t, *reqs, "POST", "/v1/memory_stores/"+storeID, "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestMemoryStoreListArchiveDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/page_of_memory_stores.json"))))
	page, err := c.MemoryStores.List(ctx, MemoryStoreListParams{
		CreatedAtGTE:    time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC),
		CreatedAtLTE:    time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600)),
		IncludeArchived: true, Limit: 100, Page: "page_1",
	})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "GET", "/v1/memory_stores",
		"created_at%5Bgte%5D=2026-08-01T00%3A00%3A00Z&created_at%5Blte%5D=2026-10-31T23%3A00%3A00Z&include_archived=true&limit=100&page=page_1")
	require.Len(t, page.Data, 2)
	require.Equal(t, "page_2", page.NextPage)
	require.True(t, page.Data[1].IsArchived())
	require.Empty(t, page.Data[1].Description)

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_store_archived.json"))))
	archived, err := c.MemoryStores.Archive(ctx, "memstore_011CaD7pQs4WnX9kLm2RtVyZ", MemoryStoreArchiveParams{})
	require.NoError(t, err)
	r := requireOneMemoryRequest(t, *reqs, "POST", "/v1/memory_stores/memstore_011CaD7pQs4WnX9kLm2RtVyZ/archive", "")
	require.Empty(t, r.Body, "archive has no body")
	require.Equal(t, parseTS(t, "2026-10-05T16:30:00.000Z"), archived.ArchivedAt)

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_store_deleted.json"))))
	deleted, err := c.MemoryStores.Delete(ctx, storeID, MemoryStoreDeleteParams{})
	require.NoError(t, err)
	requireOneMemoryRequest(t, *reqs, "DELETE", "/v1/memory_stores/"+storeID, "")
	require.Equal(t, &DeletedObject{ID: storeID, Type: "memory_store_deleted"}, deleted)

	c, _ = newTestClient(t, replyJSON(200, ""))
	deleted, err = c.MemoryStores.Delete(ctx, storeID, MemoryStoreDeleteParams{})
	require.NoError(t, err, "an empty answer to a delete is success")
	require.Equal(t, &DeletedObject{ID: storeID, Type: "memory_store_deleted"}, deleted)
}

func TestMemoryStoreListAll(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[{"id":"memstore_1","type":"memory_store","name":"a"}],"next_page":"p2"}`,
		"p2": `{"data":[{"id":"memstore_2","type":"memory_store","name":"b"}],"next_page":null}`,
	}))
	var ids []string
	for s, err := range c.MemoryStores.ListAll(context.Background(), MemoryStoreListParams{Limit: 1}) {
		require.NoError(t, err)
		ids = append(ids, s.ID)
	}
	require.Equal(t, []string{"memstore_1", "memstore_2"}, ids)
	require.Len(t, *reqs, 2)
	require.Equal(t, "limit=1&page=p2", (*reqs)[1].RawQuery)
}

// The memory beta replaces ours, whatever the client sends elsewhere; the
// user's own betas still follow it, in one header line.
func TestMemoryBetaHeaderOnly(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_store.json"))), option.WithBetas("x-extra-2026-01-01"))
	_, err := c.MemoryStores.Get(context.Background(), storeID, MemoryStoreGetParams{})
	require.NoError(t, err)
	_, _ = c.Agents.Get(context.Background(), "agent_1", AgentGetParams{}) // only its headers matter
	require.Equal(t, []string{MemoryBetaHeader + ",x-extra-2026-01-01"}, (*reqs)[0].Header.Values("Anthropic-Beta"))
	require.Equal(t, []string{BetaHeader + ",x-extra-2026-01-01"}, (*reqs)[1].Header.Values("Anthropic-Beta"))
}

func TestMemoryStoreValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(500, "{}"))
	long := func(n int) string {
		b := make([]rune, n)
		for i := range b {
			b[i] = 'é' // two bytes: limits count characters
		}
		return string(b)
	}
	many := map[string]string{}
	for i := range 17 {
		many[string(rune('a'+i))] = "v"
	}
	for _, tc := range []struct {
		field string
		err   error
	}{
		{"name", first2(c.MemoryStores.Create(ctx, MemoryStoreCreateParams{}))},
		{"name", first2(c.MemoryStores.Create(ctx, MemoryStoreCreateParams{Name: long(256)}))},
		{"name", first2(c.MemoryStores.Create(ctx, MemoryStoreCreateParams{Name: "tab\there"}))},
		{"description", first2(c.MemoryStores.Create(ctx, MemoryStoreCreateParams{Name: "n", Description: long(1025)}))},
		{"metadata", first2(c.MemoryStores.Create(ctx, MemoryStoreCreateParams{Name: "n", Metadata: many}))},
		{`metadata[""]`, first2(c.MemoryStores.Create(ctx, MemoryStoreCreateParams{Name: "n", Metadata: map[string]string{"": "v"}}))},
		{`metadata["k"]`, first2(c.MemoryStores.Create(ctx, MemoryStoreCreateParams{Name: "n", Metadata: map[string]string{"k": long(513)}}))},
		{`metadata["k"]`, first2(c.MemoryStores.Update(ctx, storeID, MemoryStoreUpdateParams{Metadata: MetadataPatch{}.Set("k", long(513))}))},
		{"name", first2(c.MemoryStores.Update(ctx, storeID, MemoryStoreUpdateParams{Name: long(256)}))},
		{"clear[0]", first2(c.MemoryStores.Update(ctx, storeID, MemoryStoreUpdateParams{Clear: []string{"name"}}))},
		{"description", first2(c.MemoryStores.Update(ctx, storeID, MemoryStoreUpdateParams{Description: "d", Clear: []string{"description"}}))},
		{"memory_store_id", first2(c.MemoryStores.Get(ctx, "", MemoryStoreGetParams{}))},
		{"memory_store_id", first2(c.MemoryStores.Archive(ctx, "a/b", MemoryStoreArchiveParams{}))},
		{"memory_store_id", first2(c.MemoryStores.Delete(ctx, "..", MemoryStoreDeleteParams{}))},
		{"limit", first2(c.MemoryStores.List(ctx, MemoryStoreListParams{Limit: 101}))},
		{"limit", first2(c.MemoryStores.List(ctx, MemoryStoreListParams{Limit: -1}))},
		{"memory_store_id", first2(c.MemoryStores.Update(ctx, "", MemoryStoreUpdateParams{Name: "n"}))},
	} {
		requireInvalid(t, tc.err, tc.field)
	}
	// Patches that delete keys do not count toward the 16 pairs.
	patch := MetadataPatch{}
	for k := range many {
		patch = patch.Delete(k)
	}
	c2, _ := newTestClient(t, replyJSON(200, string(fixture(t, "memory_stores/memory_store.json"))))
	_, err := c2.MemoryStores.Update(ctx, storeID, MemoryStoreUpdateParams{Metadata: patch.Set("a", "b")})
	require.NoError(t, err)
	require.Empty(t, *reqs, "nothing invalid was sent")
}

// first2 returns the error of a call's two results.
func first2[T any](_ T, err error) error { return err }

// cannedMemoryBody returns a valid answer of the memory store endpoint op,
// for the tables of endpoints_test.go.
func cannedMemoryBody(t *testing.T, op string) []byte {
	switch op {
	case "memory_stores.list":
		return fixture(t, "memory_stores/page_of_memory_stores.json")
	case "memory_stores.delete":
		return fixture(t, "memory_stores/memory_store_deleted.json")
	case "memory_stores.memories.list":
		return fixture(t, "memory_stores/page_of_memories.json")
	case "memory_stores.memories.delete":
		return fixture(t, "memory_stores/memory_deleted.json")
	case "memory_stores.memory_versions.list":
		return fixture(t, "memory_stores/page_of_memory_versions.json")
	case "memory_stores.memory_versions.retrieve", "memory_stores.memory_versions.redact":
		return fixture(t, "memory_stores/memory_version.json")
	}
	if strings.HasPrefix(op, "memory_stores.memories.") {
		return fixture(t, "memory_stores/memory.json")
	}
	return fixture(t, "memory_stores/memory_store.json")
}
