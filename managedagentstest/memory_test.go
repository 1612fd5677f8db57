package managedagentstest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/webhooks"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// memoryHeaders are the headers of a memory request as the official SDK
// sends them: only the memory beta.
func memoryHeaders() http.Header {
	h := headers()
	h.Set("Anthropic-Beta", managedagentstest.MemoryBetaHeader)
	return h
}

// newStore creates a memory store named name and returns its id.
func newStore(t *testing.T, srv *managedagentstest.Server, name string) string {
	t.Helper()
	r := call(t, srv, "POST", "/v1/memory_stores", map[string]any{"name": name}, memoryHeaders())
	require.Equal(t, 200, r.Status, "%s", r.Body)
	return r.JSON(t)["id"].(string)
}

// Memory endpoints take the memory beta or ours, not none; other endpoints
// still want ours.
func TestMemoryBetaHeader(t *testing.T) {
	t.Parallel()
	srv := start(t)
	id := newStore(t, srv, "notes")
	require.Equal(t, 200, call(t, srv, "GET", "/v1/memory_stores/"+id, nil, headers()).Status, "managed-agents beta accepted")
	none := headers()
	none.Del("Anthropic-Beta")
	requireError(t, call(t, srv, "GET", "/v1/memory_stores/"+id, nil, none), 400, "invalid_request_error")
	requireError(t, call(t, srv, "GET", "/v1/agents", nil, memoryHeaders()), 400, "invalid_request_error")
	multi := headers()
	multi.Set("Anthropic-Beta", "x-other, "+managedagentstest.MemoryBetaHeader)
	require.Equal(t, 200, call(t, srv, "GET", "/v1/memory_stores", nil, multi).Status)
}

func TestMemoryStoreLifecycle(t *testing.T) {
	t.Parallel()
	start0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	srv := start(t, managedagentstest.WithClock(start0))
	c := srv.Client()
	ctx := context.Background()
	stores := c.MemoryStores

	s, err := stores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "User preferences", Description: "Tone.",
		Metadata: map[string]string{"end_user": "u_1", "old": "x"}})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(s.ID, "memstore_"))
	require.Equal(t, start0, s.CreatedAt)
	require.False(t, s.IsArchived())

	srv.AdvanceClock(time.Minute)
	same, err := stores.Update(ctx, s.ID, managedagents.MemoryStoreUpdateParams{Name: "User preferences"})
	require.NoError(t, err)
	require.Equal(t, start0, same.UpdatedAt, "an update that changes nothing leaves updated_at")
	up, err := stores.Update(ctx, s.ID, managedagents.MemoryStoreUpdateParams{Name: "Prefs",
		Metadata: managedagents.MetadataPatch{}.Set("end_user", "u_2").Delete("old"), Clear: []string{"description"}})
	require.NoError(t, err)
	require.Equal(t, "Prefs", up.Name)
	require.Empty(t, up.Description)
	require.Equal(t, map[string]string{"end_user": "u_2"}, up.Metadata)
	require.Equal(t, start0.Add(time.Minute), up.UpdatedAt)

	other, err := stores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "Prefs"}) // names are not unique
	require.NoError(t, err)
	_, err = stores.Archive(ctx, other.ID, managedagents.MemoryStoreArchiveParams{})
	require.NoError(t, err)
	page, err := stores.List(ctx, managedagents.MemoryStoreListParams{})
	require.NoError(t, err)
	require.Len(t, page.Data, 1, "archived stores are hidden")
	page, err = stores.List(ctx, managedagents.MemoryStoreListParams{IncludeArchived: true, Limit: 1})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	require.NotEmpty(t, page.NextPage)
	n := 0
	for _, err := range stores.ListAll(ctx, managedagents.MemoryStoreListParams{IncludeArchived: true, Limit: 1}) {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, 2, n)
	page, err = stores.List(ctx, managedagents.MemoryStoreListParams{IncludeArchived: true, CreatedAtGTE: start0.Add(time.Second)})
	require.NoError(t, err)
	require.Len(t, page.Data, 1, "created_at[gte]")

	d, err := stores.Delete(ctx, s.ID, managedagents.MemoryStoreDeleteParams{})
	require.NoError(t, err)
	require.Equal(t, &managedagents.DeletedObject{ID: s.ID, Type: "memory_store_deleted"}, d)
	_, err = stores.Get(ctx, s.ID, managedagents.MemoryStoreGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
}

// The store limits, as the server checks them (the SDK checks them first,
// so these requests are sent raw).
func TestMemoryStoreLimits(t *testing.T) {
	t.Parallel()
	srv := start(t)
	md := map[string]any{}
	for i := range 17 {
		md[string(rune('a'+i))] = "v"
	}
	for _, body := range []map[string]any{
		{},
		{"name": ""},
		{"name": strings.Repeat("n", 256)},
		{"name": "a\nb"},
		{"name": "n", "description": strings.Repeat("d", 1025)},
		{"name": "n", "metadata": md},
		{"name": "n", "metadata": map[string]any{"": "v"}},
		{"name": "n", "color": "blue"},
	} {
		requireError(t, call(t, srv, "POST", "/v1/memory_stores", body, memoryHeaders()), 400, "invalid_request_error")
	}
	require.Equal(t, 200, call(t, srv, "POST", "/v1/memory_stores", map[string]any{"name": strings.Repeat("é", 255)}, memoryHeaders()).Status)
}

func TestMemoriesWriteReadDelete(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	ctx := context.Background()
	store := newStore(t, srv, "notes")
	mems := c.MemoryStores.Memories

	m, err := mems.Create(ctx, store, managedagents.MemoryCreateParams{Path: "/prefs/tone.md", Content: "Be brief."})
	require.NoError(t, err)
	require.Nil(t, m.Content, "create answers in the basic view by default")
	require.Equal(t, sha("Be brief."), m.ContentSHA256)
	require.Equal(t, int64(9), m.ContentSizeBytes)
	full, err := mems.Get(ctx, store, m.ID, managedagents.MemoryGetParams{})
	require.NoError(t, err)
	require.Equal(t, "Be brief.", *full.Content, "get answers in the full view by default")
	empty, err := mems.Create(ctx, store, managedagents.MemoryCreateParams{Path: "/empty.md", View: managedagents.MemoryViewFull})
	require.NoError(t, err)
	require.Equal(t, "", *empty.Content)

	_, err = mems.Create(ctx, store, managedagents.MemoryCreateParams{Path: "/prefs/tone.md"})
	var pathErr *managedagents.MemoryPathConflictError
	require.ErrorAs(t, err, &pathErr)
	require.Equal(t, managedagents.ErrorTypeMemoryPathConflict, pathErr.Err.Type)
	require.Equal(t, 409, pathErr.Err.StatusCode)

	// Rename and rewrite under a precondition: the id stays.
	moved, err := mems.Update(ctx, store, m.ID, managedagents.MemoryUpdateParams{Path: "/tone.md", Content: new("Be very brief."),
		Precondition: managedagents.NewMemoryPreconditionContentSHA256(sha("Be brief.")), View: managedagents.MemoryViewFull})
	require.NoError(t, err)
	require.Equal(t, m.ID, moved.ID)
	require.Equal(t, "/tone.md", moved.Path)
	require.Equal(t, "Be very brief.", *moved.Content)
	require.NotEqual(t, m.MemoryVersionID, moved.MemoryVersionID)

	_, err = mems.Update(ctx, store, m.ID, managedagents.MemoryUpdateParams{Content: new("x"),
		Precondition: managedagents.NewMemoryPreconditionContentSHA256(sha("Be brief."))})
	var pre *managedagents.MemoryPreconditionError
	require.ErrorAs(t, err, &pre)
	require.Equal(t, managedagents.ErrorTypeMemoryPreconditionFailed, pre.Err.Type)
	_, err = mems.Update(ctx, store, m.ID, managedagents.MemoryUpdateParams{Path: "/empty.md"})
	require.ErrorIs(t, err, managedagents.ErrMemoryPathConflict)

	// An update that changes nothing writes no version.
	same, err := mems.Update(ctx, store, m.ID, managedagents.MemoryUpdateParams{Content: new("Be very brief.")})
	require.NoError(t, err)
	require.Equal(t, moved.MemoryVersionID, same.MemoryVersionID)

	_, err = mems.Delete(ctx, store, m.ID, managedagents.MemoryDeleteParams{ExpectedContentSHA256: sha("Be brief.")})
	require.ErrorIs(t, err, managedagents.ErrMemoryPreconditionFailed)
	_, err = mems.Get(ctx, store, m.ID, managedagents.MemoryGetParams{})
	require.NoError(t, err, "a failed precondition deletes nothing")
	d, err := mems.Delete(ctx, store, m.ID, managedagents.MemoryDeleteParams{ExpectedContentSHA256: sha("Be very brief.")})
	require.NoError(t, err)
	require.Equal(t, "memory_deleted", d.Type)
	_, err = mems.Get(ctx, store, m.ID, managedagents.MemoryGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)

	// Its versions stay, newest first: deleted, modified, created.
	var ops []managedagents.MemoryVersionOperation
	for v, err := range c.MemoryStores.MemoryVersions.ListAll(ctx, store, managedagents.MemoryVersionListParams{MemoryID: m.ID, Limit: 1}) {
		require.NoError(t, err)
		require.Nil(t, v.Content, "lists are basic by default")
		require.Equal(t, managedagents.ActorTypeAPI, v.CreatedBy.Type)
		require.True(t, strings.HasPrefix(v.CreatedBy.APIKeyID, "apikey_"))
		require.NotContains(t, v.CreatedBy.APIKeyID, managedagentstest.TestAPIKey, "the key's id, never the key")
		ops = append(ops, v.Operation)
	}
	require.Equal(t, []managedagents.MemoryVersionOperation{managedagents.MemoryVersionDeleted, managedagents.MemoryVersionModified, managedagents.MemoryVersionCreated}, ops)
}

// Memory rules, as the server checks them; answers use the exact envelopes.
func TestMemoryLimits(t *testing.T) {
	t.Parallel()
	srv := start(t)
	store := newStore(t, srv, "notes")
	h := memoryHeaders()
	path := "/v1/memory_stores/" + store + "/memories"
	for _, p := range []string{"", "a.md", "/", "/a/", "/a//b", "/./a", "/a/../b", "/a\u200bb", "/a\u2028b",
		strings.Repeat("/d", 21), "/" + strings.Repeat("x", 1024)} {
		requireError(t, call(t, srv, "POST", path, map[string]any{"path": p, "content": "x"}, h), 400, "invalid_request_error")
	}
	requireError(t, call(t, srv, "POST", path, map[string]any{"path": "/a"}, h), 400, "invalid_request_error")
	requireError(t, call(t, srv, "POST", path, map[string]any{"path": "/a", "content": strings.Repeat("x", 102_401)}, h), 413, "request_too_large")
	require.Equal(t, 200, call(t, srv, "POST", path, map[string]any{"path": strings.Repeat("/d", 20), "content": strings.Repeat("x", 102_400)}, h).Status)
	requireError(t, call(t, srv, "GET", path+"?view=full&limit=21", nil, h), 400, "invalid_request_error")
	require.Equal(t, 200, call(t, srv, "GET", path+"?view=full&limit=20", nil, h).Status)
	requireError(t, call(t, srv, "GET", path+"?limit=101", nil, h), 400, "invalid_request_error")
	requireError(t, call(t, srv, "GET", path+"?path_prefix=/d", nil, h), 400, "invalid_request_error")
	requireError(t, call(t, srv, "GET", "/v1/memory_stores/"+store+"/memory_versions?view=full&limit=21", nil, h), 400, "invalid_request_error")
	requireError(t, call(t, srv, "GET", "/v1/memory_stores/"+store+"/memory_versions?operation=renamed", nil, h), 400, "invalid_request_error")
	requireError(t, call(t, srv, "GET", path+"/mem_none", nil, h), 404, "not_found_error")
	requireError(t, call(t, srv, "GET", "/v1/memory_stores/memstore_none/memories", nil, h), 404, "not_found_error")

	// The conflict envelopes.
	id := call(t, srv, "POST", path, map[string]any{"path": "/a.md", "content": "one"}, h).JSON(t)["id"].(string)
	e := requireError(t, call(t, srv, "POST", path, map[string]any{"path": "/a.md", "content": "two"}, h), 409, "memory_path_conflict_error")
	require.Contains(t, e["message"], "/a.md")
	requireError(t, call(t, srv, "POST", path+"/"+id, map[string]any{"content": "two",
		"precondition": map[string]any{"type": "content_sha256", "content_sha256": sha("zero")}}, h), 409, "memory_precondition_failed_error")
	requireError(t, call(t, srv, "POST", path+"/"+id, map[string]any{"content": "two",
		"precondition": map[string]any{"content_sha256": "ABC"}}, h), 400, "invalid_request_error")
	requireError(t, call(t, srv, "DELETE", path+"/"+id+"?expected_content_sha256="+sha("zero"), nil, h), 409, "memory_precondition_failed_error")
	// The precondition's type may be left out.
	require.Equal(t, 200, call(t, srv, "POST", path+"/"+id, map[string]any{"content": "two",
		"precondition": map[string]any{"content_sha256": sha("one")}}, h).Status)
}

// A list with a depth rolls deeper memories into prefix markers, which count
// toward the limit and page like memories; path_prefix matches whole
// segments.
func TestMemoryListPrefixes(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	ctx := context.Background()
	store := newStore(t, srv, "notes")
	for _, p := range []string{"/b.md", "/a.md", "/projects/x/1.md", "/projects/y.md", "/notes/todo.md", "/notes-archive/todo.md"} {
		_, err := c.MemoryStores.Memories.Create(ctx, store, managedagents.MemoryCreateParams{Path: p, Content: p})
		require.NoError(t, err)
	}
	list := func(p managedagents.MemoryListParams) []string {
		var out []string
		for item, err := range c.MemoryStores.Memories.ListAll(ctx, store, p) {
			require.NoError(t, err)
			switch it := item.(type) {
			case *managedagents.MemoryPrefix:
				out = append(out, "prefix "+it.Path)
			case *managedagents.Memory:
				out = append(out, it.Path)
			default:
				t.Fatalf("unexpected item %T", item)
			}
		}
		return out
	}
	require.Equal(t, []string{"/a.md", "/b.md", "/notes-archive/todo.md", "/notes/todo.md", "/projects/x/1.md", "/projects/y.md"},
		list(managedagents.MemoryListParams{}))
	require.Equal(t, []string{"/a.md", "/b.md", "prefix /notes-archive/", "prefix /notes/", "prefix /projects/"},
		list(managedagents.MemoryListParams{Depth: 1, Limit: 2}), "markers page like memories")
	require.Equal(t, []string{"prefix /projects/x/", "/projects/y.md"}, list(managedagents.MemoryListParams{PathPrefix: "/projects/", Depth: 1}))
	require.Equal(t, []string{"/notes/todo.md"}, list(managedagents.MemoryListParams{PathPrefix: "/notes/"}), "whole segments only")

	page, err := c.MemoryStores.Memories.List(ctx, store, managedagents.MemoryListParams{Depth: 1, Limit: 3})
	require.NoError(t, err)
	require.Len(t, page.Data, 3, "markers count toward the limit")
	require.NotEmpty(t, page.NextPage)
	page, err = c.MemoryStores.Memories.List(ctx, store, managedagents.MemoryListParams{View: managedagents.MemoryViewFull, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, "/a.md", *page.Data[0].(*managedagents.Memory).Content)
}

func TestMemoryVersionsAndRedaction(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	ctx := context.Background()
	store := newStore(t, srv, "notes")
	m, err := c.MemoryStores.Memories.Create(ctx, store, managedagents.MemoryCreateParams{Path: "/secret.md", Content: "the code is 1234"})
	require.NoError(t, err)
	_, err = c.MemoryStores.Memories.Update(ctx, store, m.ID, managedagents.MemoryUpdateParams{Content: new("no code here")})
	require.NoError(t, err)
	versions := c.MemoryStores.MemoryVersions

	created, err := versions.List(ctx, store, managedagents.MemoryVersionListParams{Operation: managedagents.MemoryVersionCreated, View: managedagents.MemoryViewFull})
	require.NoError(t, err)
	require.Len(t, created.Data, 1)
	v := created.Data[0]
	require.Equal(t, "the code is 1234", *v.Content)
	require.Equal(t, sha("the code is 1234"), v.ContentSHA256)

	// Archive the store: redaction still works, writes do not.
	_, err = c.MemoryStores.Archive(ctx, store, managedagents.MemoryStoreArchiveParams{})
	require.NoError(t, err)
	red, err := versions.Redact(ctx, store, v.ID, managedagents.MemoryVersionRedactParams{})
	require.NoError(t, err)
	require.True(t, red.IsRedacted())
	require.Nil(t, red.Content)
	require.Empty(t, red.Path)
	require.Empty(t, red.ContentSHA256)
	require.Nil(t, red.ContentSizeBytes)
	require.Equal(t, v.CreatedBy, red.CreatedBy, "the author stays")
	require.Equal(t, managedagents.ActorTypeAPI, red.RedactedBy.Type)
	again, err := versions.Redact(ctx, store, v.ID, managedagents.MemoryVersionRedactParams{})
	require.NoError(t, err)
	require.Equal(t, red.RedactedAt, again.RedactedAt, "redacting twice changes nothing")
	got, err := versions.Get(ctx, store, v.ID, managedagents.MemoryVersionGetParams{})
	require.NoError(t, err, "a redacted version still reads")
	require.True(t, got.IsRedacted())

	live, err := c.MemoryStores.Memories.Get(ctx, store, m.ID, managedagents.MemoryGetParams{})
	require.NoError(t, err, "reads work on an archived store")
	require.Equal(t, "no code here", *live.Content)
	_, err = c.MemoryStores.Memories.Update(ctx, store, m.ID, managedagents.MemoryUpdateParams{Content: new("x")})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	_, err = c.MemoryStores.Memories.Create(ctx, store, managedagents.MemoryCreateParams{Path: "/new.md"})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	_, err = c.MemoryStores.Update(ctx, store, managedagents.MemoryStoreUpdateParams{Name: "x"})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	_, err = c.MemoryStores.Memories.Delete(ctx, store, m.ID, managedagents.MemoryDeleteParams{})
	require.NoError(t, err, "deleting memories works on an archived store")

	_, err = c.MemoryStores.Delete(ctx, store, managedagents.MemoryStoreDeleteParams{})
	require.NoError(t, err)
	_, err = versions.Get(ctx, store, v.ID, managedagents.MemoryVersionGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound, "deleting the store deletes its versions")
}

// A session mounts existing, unarchived stores, at most 8, at the slug of
// their name; the agent writes through the mount as a session_actor.
func TestMemoryStoreMountedInSession(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithScript(managedagentstest.MemoryScript))
	c := srv.Client()
	ctx := context.Background()
	agentID, envID, _ := setup(t, srv, nil)
	store, err := c.MemoryStores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "User preferences!", Description: "Tone."})
	require.NoError(t, err)
	ro, err := c.MemoryStores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "Team docs"})
	require.NoError(t, err)
	create := func(rs ...managedagents.SessionResourceParams) (*managedagents.Session, error) {
		return c.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agentID), EnvironmentID: envID, Resources: rs})
	}

	sess, err := create(
		&managedagents.MemoryStoreResourceParams{MemoryStoreID: ro.ID, Access: managedagents.MemoryStoreAccessReadOnly, Instructions: "Reference only."},
		&managedagents.MemoryStoreResourceParams{MemoryStoreID: store.ID},
	)
	require.NoError(t, err)
	require.Len(t, sess.Resources, 2)
	res := sess.Resources[1].(*managedagents.MemoryStoreResource)
	require.Equal(t, managedagents.MemoryStoreAccessReadWrite, res.Access)
	require.Equal(t, "/mnt/memory/user-preferences-", res.MountPath)
	require.Equal(t, "User preferences!", res.Name)
	require.Equal(t, "Tone.", res.Description)
	require.Empty(t, res.Instructions)
	roRes := sess.Resources[0].(*managedagents.MemoryStoreResource)
	require.Equal(t, managedagents.MemoryStoreAccessReadOnly, roRes.Access)
	require.Equal(t, "Reference only.", roRes.Instructions)
	require.Equal(t, "/mnt/memory/team-docs", roRes.MountPath)

	turn, err := c.Sessions.RunTurn(ctx, sess.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("I prefer metric units")}})
	require.NoError(t, err)
	require.Contains(t, turn.Text(), "- I prefer metric units")
	page, err := c.MemoryStores.MemoryVersions.List(ctx, store.ID, managedagents.MemoryVersionListParams{SessionID: sess.ID, View: managedagents.MemoryViewFull})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	require.Equal(t, &managedagents.Actor{Type: managedagents.ActorTypeSession, SessionID: sess.ID}, page.Data[0].CreatedBy)
	require.Equal(t, "/notes.md", page.Data[0].Path)
	require.Equal(t, "- I prefer metric units\n", *page.Data[0].Content)
	_, err = c.Sessions.RunTurn(ctx, sess.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("and short answers")}})
	require.NoError(t, err)
	page, err = c.MemoryStores.MemoryVersions.List(ctx, store.ID, managedagents.MemoryVersionListParams{SessionID: sess.ID})
	require.NoError(t, err)
	require.Equal(t, managedagents.MemoryVersionModified, page.Data[0].Operation, "a write through the mount modifies")

	byStore, err := c.Sessions.List(ctx, managedagents.SessionListParams{MemoryStoreID: store.ID})
	require.NoError(t, err)
	require.Len(t, byStore.Data, 1)

	// A missing store, an archived store, nine stores.
	_, err = create(&managedagents.MemoryStoreResourceParams{MemoryStoreID: "memstore_missing"})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	_, err = c.MemoryStores.Archive(ctx, ro.ID, managedagents.MemoryStoreArchiveParams{})
	require.NoError(t, err)
	_, err = create(&managedagents.MemoryStoreResourceParams{MemoryStoreID: ro.ID})
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	var nine []any
	for range 9 {
		nine = append(nine, map[string]any{"type": "memory_store", "memory_store_id": store.ID})
	}
	requireError(t, call(t, srv, "POST", "/v1/sessions", map[string]any{"agent": agentID, "environment_id": envID, "resources": nine}, nil),
		400, "invalid_request_error")
}

// A read-only mount refuses the agent's write.
func TestMemoryReadOnlyMount(t *testing.T) {
	t.Parallel()
	writeErr := make(chan error, 1)
	srv := start(t, managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		mounts := turn.MemoryMounts()
		writeErr <- turn.WriteMemory(mounts[0].MountPath+"/x.md", "x")
	}))
	c := srv.Client()
	ctx := context.Background()
	agentID, envID, _ := setup(t, srv, nil)
	store, err := c.MemoryStores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "docs"})
	require.NoError(t, err)
	sess, err := c.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agentID), EnvironmentID: envID,
		Resources: []managedagents.SessionResourceParams{&managedagents.MemoryStoreResourceParams{MemoryStoreID: store.ID, Access: managedagents.MemoryStoreAccessReadOnly}}})
	require.NoError(t, err)
	_, err = c.Sessions.RunTurn(ctx, sess.ID, managedagents.SessionRunTurnParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("hi")}})
	require.NoError(t, err)
	require.ErrorContains(t, <-writeErr, "read-only")
	page, err := c.MemoryStores.Memories.List(ctx, store.ID, managedagents.MemoryListParams{})
	require.NoError(t, err)
	require.Empty(t, page.Data)
}

// Injected failures reach the memory routes like any other.
func TestMemoryFaults(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	ctx := context.Background()
	store := newStore(t, srv, "notes")
	srv.FailNext(managedagentstest.RouteCreateMemory, 1, 503, nil)
	_, err := c.MemoryStores.Memories.Create(ctx, store, managedagents.MemoryCreateParams{Path: "/a.md"})
	require.ErrorIs(t, err, managedagents.ErrDeliveryUncertain, "a create is never sent twice")
	srv.FailNext(managedagentstest.RouteListMemories, 1, 529, nil)
	_, err = c.MemoryStores.Memories.List(ctx, store, managedagents.MemoryListParams{})
	require.NoError(t, err, "a list is retried")
	var routes []string
	for _, r := range srv.Requests() {
		routes = append(routes, r.Route)
	}
	require.Equal(t, []string{managedagentstest.RouteCreateMemoryStore, managedagentstest.RouteCreateMemory,
		managedagentstest.RouteListMemories, managedagentstest.RouteListMemories}, routes)
}

// A store's life is announced by memory_store.created, .archived (once) and
// .deleted webhooks; memory writes announce nothing.
func TestMemoryStoreWebhooks(t *testing.T) {
	t.Parallel()
	rcv := receive(t, nil)
	srv := start(t)
	register(t, srv, rcv, webhooks.GenerateSecret())
	id := newStore(t, srv, "notes")
	h := memoryHeaders()
	require.Equal(t, 200, call(t, srv, "POST", "/v1/memory_stores/"+id+"/memories", map[string]any{"path": "/a.md", "content": "a"}, h).Status)
	for range 2 {
		require.Equal(t, 200, call(t, srv, "POST", "/v1/memory_stores/"+id+"/archive", nil, h).Status)
	}
	require.Equal(t, 200, call(t, srv, "DELETE", "/v1/memory_stores/"+id, nil, h).Status)
	waitWebhooks(t, srv)
	require.Equal(t, []string{webhooks.TypeMemoryStoreCreated, webhooks.TypeMemoryStoreArchived, webhooks.TypeMemoryStoreDeleted}, rcv.types(t))
	for _, req := range rcv.requests() {
		require.Contains(t, string(req.Body), `"id":"`+id+`"`)
	}
}
