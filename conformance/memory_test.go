package conformance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[anthropic.BetaManagedAgentsMemoryStore](managedagentstest.RouteCreateMemoryStore, managedagentstest.RouteGetMemoryStore,
		managedagentstest.RouteUpdateMemoryStore, managedagentstest.RouteArchiveMemoryStore)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsMemoryStore]](managedagentstest.RouteListMemoryStores)
	answers[anthropic.BetaManagedAgentsDeletedMemoryStore](managedagentstest.RouteDeleteMemoryStore)
	answers[anthropic.BetaManagedAgentsMemory](managedagentstest.RouteCreateMemory, managedagentstest.RouteGetMemory,
		managedagentstest.RouteUpdateMemory)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsMemoryListItemUnion]](managedagentstest.RouteListMemories)
	answers[anthropic.BetaManagedAgentsDeletedMemory](managedagentstest.RouteDeleteMemory)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsMemoryVersion]](managedagentstest.RouteListMemoryVersions)
	answers[anthropic.BetaManagedAgentsMemoryVersion](managedagentstest.RouteGetMemoryVersion, managedagentstest.RouteRedactMemoryVersion)
	// more-resources.md §4.2: archived_at is null until the store is archived.
	allowNull("BetaManagedAgentsMemoryStore.archived_at")
	// §4.5, §7: the memory conflicts' error types. The SDK lists both in its
	// ErrorType enum (shared.ErrorTypeMemoryPreconditionFailedError,
	// ...PathConflictError) but its ErrorObjectUnion has no variant for them.
	variants["ErrorObjectUnion.memory_precondition_failed_error"] = true
	variants["ErrorObjectUnion.memory_path_conflict_error"] = true
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Memory stores through their whole life with the official SDK: stores
// created, read, updated, listed in pages, archived and deleted; memories in
// both views, renamed under a precondition, listed with prefix markers and
// deleted; versions listed with every filter, read and redacted; the
// conflict answers; a store mounted in a session whose agent writes through
// the mount.
func TestMemoryStores(t *testing.T) {
	t.Parallel()
	h := newHarness(t, managedagentstest.WithClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)),
		managedagentstest.WithScript(managedagentstest.MemoryScript))
	ctx := context.Background()
	stores := h.client.Beta.MemoryStores
	mems := stores.Memories
	versions := stores.MemoryVersions

	store := must(stores.New(ctx, anthropic.BetaMemoryStoreNewParams{Name: "User preferences",
		Description: anthropic.String("Tone and units."), Metadata: map[string]string{"end_user": "u_1"}}))(t)
	bare := must(stores.New(ctx, anthropic.BetaMemoryStoreNewParams{Name: "scratch"}))(t)
	if got := must(stores.Get(ctx, store.ID, anthropic.BetaMemoryStoreGetParams{}))(t); got.RawJSON() != store.RawJSON() {
		t.Errorf("get differs from create:\n%s\n%s", got.RawJSON(), store.RawJSON())
	}
	h.srv.AdvanceClock(time.Second)
	updated := must(stores.Update(ctx, bare.ID, anthropic.BetaMemoryStoreUpdateParams{Name: anthropic.String("Scratch"),
		Description: anthropic.String("Temporary."), Metadata: map[string]string{"k": "v"}}))(t)
	if updated.Name != "Scratch" || updated.Metadata["k"] != "v" || !updated.UpdatedAt.After(updated.CreatedAt) {
		t.Errorf("update: %s", updated.RawJSON())
	}
	cleared := must(stores.Update(ctx, bare.ID, anthropic.BetaMemoryStoreUpdateParams{Description: anthropic.String("")}))(t)
	if cleared.Description != "" {
		t.Errorf("description not cleared: %s", cleared.RawJSON())
	}

	// Memories, in both views.
	h.srv.AdvanceClock(time.Second)
	tone := must(mems.New(ctx, store.ID, anthropic.BetaMemoryStoreMemoryNewParams{Path: "/prefs/tone.md", Content: anthropic.String("Be brief.")}))(t)
	if tone.JSON.Content.Valid() || tone.ContentSha256 != sha("Be brief.") {
		t.Errorf("create (basic view): %s", tone.RawJSON())
	}
	units := must(mems.New(ctx, store.ID, anthropic.BetaMemoryStoreMemoryNewParams{Path: "/prefs/deep/units.md", Content: anthropic.String("Metric."),
		View: anthropic.BetaManagedAgentsMemoryViewFull}))(t)
	must(mems.New(ctx, store.ID, anthropic.BetaMemoryStoreMemoryNewParams{Path: "/empty.md", Content: anthropic.String("")}))(t)
	if got := must(mems.Get(ctx, units.ID, anthropic.BetaMemoryStoreMemoryGetParams{MemoryStoreID: store.ID}))(t); got.Content != "Metric." {
		t.Errorf("get (full view): %s", got.RawJSON())
	}
	must(mems.Get(ctx, units.ID, anthropic.BetaMemoryStoreMemoryGetParams{MemoryStoreID: store.ID, View: anthropic.BetaManagedAgentsMemoryViewBasic}))(t)
	moved := must(mems.Update(ctx, tone.ID, anthropic.BetaMemoryStoreMemoryUpdateParams{MemoryStoreID: store.ID,
		Path: anthropic.String("/tone.md"), Content: anthropic.String("Be very brief."),
		Precondition: anthropic.BetaManagedAgentsPreconditionParam{ContentSha256: anthropic.String(sha("Be brief."))},
		View:         anthropic.BetaManagedAgentsMemoryViewFull}))(t)
	if moved.ID != tone.ID || moved.Path != "/tone.md" || moved.Content != "Be very brief." {
		t.Errorf("update: %s", moved.RawJSON())
	}

	// Lists: every memory, then by directory with prefix markers, in pages.
	n := 0
	for page := must(mems.List(ctx, store.ID, anthropic.BetaMemoryStoreMemoryListParams{Limit: anthropic.Int(2)}))(t); page != nil; page = must(page.GetNextPage())(t) {
		n += len(page.Data)
	}
	if n != 3 {
		t.Errorf("listed %d memories, want 3", n)
	}
	var kinds []string
	pager := mems.ListAutoPaging(ctx, store.ID, anthropic.BetaMemoryStoreMemoryListParams{Depth: anthropic.Int(1),
		PathPrefix: anthropic.String("/"), View: anthropic.BetaManagedAgentsMemoryViewFull, Limit: anthropic.Int(1)})
	for pager.Next() {
		switch item := pager.Current().AsAny().(type) {
		case anthropic.BetaManagedAgentsMemory:
			kinds = append(kinds, item.Path)
		case anthropic.BetaManagedAgentsMemoryPrefix:
			kinds = append(kinds, "prefix "+item.Path)
		}
	}
	if err := pager.Err(); err != nil || len(kinds) != 3 || kinds[1] != "prefix /prefs/" {
		t.Errorf("listed by directory: %v (%v)", kinds, err)
	}
	must(mems.List(ctx, store.ID, anthropic.BetaMemoryStoreMemoryListParams{PathPrefix: anthropic.String("/prefs/"), Depth: anthropic.Int(1)}))(t)

	// Conflicts: a precondition that no longer holds, a path taken, a missing memory.
	_, err := mems.Update(ctx, tone.ID, anthropic.BetaMemoryStoreMemoryUpdateParams{MemoryStoreID: store.ID, Content: anthropic.String("x"),
		Precondition: anthropic.BetaManagedAgentsPreconditionParam{ContentSha256: anthropic.String(sha("Be brief."))}})
	h.wantError(err, 409, "memory_precondition_failed_error")
	_, err = mems.New(ctx, store.ID, anthropic.BetaMemoryStoreMemoryNewParams{Path: "/tone.md", Content: anthropic.String("again")})
	h.wantError(err, 409, "memory_path_conflict_error")
	_, err = mems.Update(ctx, units.ID, anthropic.BetaMemoryStoreMemoryUpdateParams{MemoryStoreID: store.ID, Path: anthropic.String("/tone.md")})
	h.wantError(err, 409, "memory_path_conflict_error")
	_, err = mems.Delete(ctx, units.ID, anthropic.BetaMemoryStoreMemoryDeleteParams{MemoryStoreID: store.ID, ExpectedContentSha256: anthropic.String(sha("Imperial."))})
	h.wantError(err, 409, "memory_precondition_failed_error")
	_, err = mems.Get(ctx, "mem_missing", anthropic.BetaMemoryStoreMemoryGetParams{MemoryStoreID: store.ID})
	h.wantError(err, 404, "not_found_error")
	deleted := must(mems.Delete(ctx, units.ID, anthropic.BetaMemoryStoreMemoryDeleteParams{MemoryStoreID: store.ID, ExpectedContentSha256: anthropic.String(sha("Metric."))}))(t)
	if deleted.ID != units.ID {
		t.Errorf("delete: %s", deleted.RawJSON())
	}

	// The store mounted in a session; the agent writes through the mount.
	f := newFixture(t, h)
	sess := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.helper.ID)}, EnvironmentID: f.env.ID,
		Resources: []anthropic.BetaSessionNewParamsResourceUnion{{OfMemoryStore: &anthropic.BetaManagedAgentsMemoryStoreResourceParam{
			MemoryStoreID: store.ID, Access: "read_write", Instructions: anthropic.String("Keep notes here.")}}},
	}))(t)
	if r := sess.Resources[0]; r.MountPath != "/mnt/memory/user-preferences" || r.Name != "User preferences" {
		t.Errorf("mounted store: %s", r.RawJSON())
	}
	stream := h.client.Beta.Sessions.Events.StreamEvents(ctx, sess.ID, anthropic.BetaSessionEventStreamParams{})
	must(h.client.Beta.Sessions.Events.Send(ctx, sess.ID, anthropic.BetaSessionEventSendParams{Events: []anthropic.BetaManagedAgentsEventParamsUnion{
		{OfUserMessage: &anthropic.BetaManagedAgentsUserMessageEventParams{Content: []anthropic.BetaManagedAgentsUserMessageEventParamsContentUnion{
			{OfText: &anthropic.BetaManagedAgentsTextBlockParam{Text: "I prefer metric units"}}}}},
	}}))(t)
	readStream(h, stream, func(ev anthropic.BetaManagedAgentsStreamSessionEventsUnion) bool {
		return ev.Type == "session.status_idle"
	})
	stream.Close()

	// Versions: every filter, both views, a redaction.
	byAgent := must(versions.List(ctx, store.ID, anthropic.BetaMemoryStoreMemoryVersionListParams{SessionID: anthropic.String(sess.ID),
		View: anthropic.BetaManagedAgentsMemoryViewFull}))(t)
	if len(byAgent.Data) != 1 || byAgent.Data[0].CreatedBy.Type != "session_actor" || byAgent.Data[0].Content != "- I prefer metric units\n" {
		t.Errorf("versions by the session: %s", byAgent.RawJSON())
	}
	first := must(versions.List(ctx, store.ID, anthropic.BetaMemoryStoreMemoryVersionListParams{MemoryID: anthropic.String(units.ID)}))(t)
	if len(first.Data) != 2 || first.Data[0].Operation != "deleted" {
		t.Errorf("versions of a deleted memory: %s", first.RawJSON())
	}
	apiKey := first.Data[0].CreatedBy.APIKeyID
	for _, p := range []anthropic.BetaMemoryStoreMemoryVersionListParams{
		{Operation: anthropic.BetaManagedAgentsMemoryVersionOperationModified, Limit: anthropic.Int(1)},
		{APIKeyID: anthropic.String(apiKey), CreatedAtGte: anthropic.Time(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)),
			CreatedAtLte: anthropic.Time(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))},
		{ServiceAccountID: anthropic.String("svac_none")},
	} {
		for page := must(versions.List(ctx, store.ID, p))(t); page != nil; page = must(page.GetNextPage())(t) {
		}
	}
	v := must(versions.Get(ctx, first.Data[1].ID, anthropic.BetaMemoryStoreMemoryVersionGetParams{MemoryStoreID: store.ID}))(t)
	if v.Content != "Metric." {
		t.Errorf("version (full view): %s", v.RawJSON())
	}
	must(versions.Get(ctx, v.ID, anthropic.BetaMemoryStoreMemoryVersionGetParams{MemoryStoreID: store.ID, View: anthropic.BetaManagedAgentsMemoryViewBasic}))(t)

	// Archived: no more attachments or writes; reads and redaction still work.
	archived := must(stores.Archive(ctx, store.ID, anthropic.BetaMemoryStoreArchiveParams{}))(t)
	if archived.ArchivedAt.IsZero() {
		t.Errorf("archive: %s", archived.RawJSON())
	}
	redacted := must(versions.Redact(ctx, v.ID, anthropic.BetaMemoryStoreMemoryVersionRedactParams{MemoryStoreID: store.ID}))(t)
	if redacted.RedactedAt.IsZero() || redacted.JSON.Path.Valid() || redacted.RedactedBy.Type != "api_actor" {
		t.Errorf("redact: %s", redacted.RawJSON())
	}
	_, err = mems.New(ctx, store.ID, anthropic.BetaMemoryStoreMemoryNewParams{Path: "/late.md", Content: anthropic.String("x")})
	h.wantError(err, 400, "invalid_request_error")
	_, err = h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.helper.ID)}, EnvironmentID: f.env.ID,
		Resources: []anthropic.BetaSessionNewParamsResourceUnion{{OfMemoryStore: &anthropic.BetaManagedAgentsMemoryStoreResourceParam{MemoryStoreID: store.ID}}},
	})
	h.wantError(err, 400, "invalid_request_error")

	all := 0
	for page := must(stores.List(ctx, anthropic.BetaMemoryStoreListParams{IncludeArchived: anthropic.Bool(true), Limit: anthropic.Int(1),
		CreatedAtGte: anthropic.Time(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)), CreatedAtLte: anthropic.Time(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))}))(t); page != nil; page = must(page.GetNextPage())(t) {
		all += len(page.Data)
	}
	if live := must(stores.List(ctx, anthropic.BetaMemoryStoreListParams{}))(t); all != 2 || len(live.Data) != 1 {
		t.Errorf("listed %d stores with the archived one, %d without", all, len(live.Data))
	}
	gone := must(stores.Delete(ctx, store.ID, anthropic.BetaMemoryStoreDeleteParams{}))(t)
	if gone.ID != store.ID {
		t.Errorf("delete store: %s", gone.RawJSON())
	}
	_, err = stores.Get(ctx, store.ID, anthropic.BetaMemoryStoreGetParams{})
	h.wantError(err, 404, "not_found_error")
}
