package worker_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/worker"
)

// The skills of the session's agent are downloaded with the item's token
// and unpacked into {workdir}/skills/<name>, where its tools find them; a
// skill that cannot be had is skipped, the item goes on.
func TestSkillsAreInstalledInTheWorkingDirectory(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	skill, err := f.client.Skills.Create(ctx, managedagents.SkillCreateParams{FS: fstest.MapFS{
		"SKILL.md":         {Data: []byte("---\nname: greeter\ndescription: Greets people.\n---\nSay hello.\n")},
		"scripts/greet.sh": {Data: []byte("echo hello from the skill\n"), Mode: 0o755},
	}})
	require.NoError(t, err)
	answers := make(chan managedagentstest.Answer, 2)
	sid := f.session(t, callAll([]toolCall{
		{"bash", map[string]any{"command": "bash skills/greeter/scripts/greet.sh"}},
		{"read", map[string]any{"file_path": "skills/greeter/SKILL.md"}},
	}, answers), map[string]any{"skills": []any{
		map[string]any{"type": "custom", "skill_id": skill.ID},
		map[string]any{"type": "anthropic", "skill_id": "xlsx"},
	}}, nil)
	f.start(t, sid)
	w := f.run(t, worker.Options{})
	require.Equal(t, "hello from the skill\n\n", recv(t, answers).Text())
	require.Contains(t, recv(t, answers).Text(), "Say hello.")
	f.waitIdle(t, sid)
	stop(t, w)
	for _, r := range f.srv.Requests() {
		if r.Route == managedagentstest.RouteDownloadSkillVersion || r.Route == managedagentstest.RouteGetSkillVersion {
			require.Equal(t, managedagentstest.CredentialWorkToken, r.Credential, r.Path)
		}
	}
	s := w.Stats()
	require.GreaterOrEqual(t, s.SkillsInstalled, int64(1))
	require.Equal(t, int64(2), s.SkillsInstalled+s.SkillErrors)
}

// memoryFixture is a session with two memory stores: notes (read_write, one
// memory) and rules (read_only, one memory).
type memoryFixture struct {
	*fixture
	notes, rules string // store ids
	sid          string
}

func newMemoryFixture(t *testing.T, calls []toolCall, answers chan<- managedagentstest.Answer) *memoryFixture {
	t.Helper()
	f := &memoryFixture{fixture: newFixture(t)}
	ctx := context.Background()
	notes, err := f.client.MemoryStores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "Notes"})
	require.NoError(t, err)
	rules, err := f.client.MemoryStores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "Rules"})
	require.NoError(t, err)
	f.notes, f.rules = notes.ID, rules.ID
	_, err = f.client.MemoryStores.Memories.Create(ctx, f.notes, managedagents.MemoryCreateParams{Path: "/todo.md", Content: "- buy milk\n"})
	require.NoError(t, err)
	_, err = f.client.MemoryStores.Memories.Create(ctx, f.rules, managedagents.MemoryCreateParams{Path: "/style/rules.md", Content: "Be brief.\n"})
	require.NoError(t, err)
	f.sid = f.session(t, callAll(calls, answers), nil, map[string]any{"resources": []any{
		map[string]any{"type": "memory_store", "memory_store_id": f.notes},
		map[string]any{"type": "memory_store", "memory_store_id": f.rules, "access": "read_only"},
	}})
	return f
}

// memories returns the memories of a store, path → content.
func (f *memoryFixture) memories(t *testing.T, store string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for li, err := range f.client.MemoryStores.Memories.ListAll(context.Background(), store, managedagents.MemoryListParams{View: managedagents.MemoryViewFull, Limit: 20}) {
		require.NoError(t, err)
		if m, ok := li.(*managedagents.Memory); ok {
			out[m.Path] = *m.Content
		}
	}
	return out
}

// The session's memory stores are downloaded into their folders (here
// under the working directory, at their mount paths), which the file tools
// reach; what the agent writes there is synced back when the item ends; a
// read-only store refuses writes and is never pushed.
func TestMemoryStoresAreMountedAndSynced(t *testing.T) {
	t.Parallel()
	answers := make(chan managedagentstest.Answer, 6)
	calls := []toolCall{
		{"read", map[string]any{"file_path": "mnt/memory/notes/todo.md"}},
		{"bash", map[string]any{"command": "cat mnt/memory/rules/style/rules.md; cat mnt/memory/notes/.anthropic-memory-store"}},
		{"edit", map[string]any{"file_path": "mnt/memory/notes/todo.md", "old_string": "milk", "new_string": "bread"}},
		{"write", map[string]any{"file_path": "mnt/memory/notes/ideas/new.md", "content": "an idea\n"}},
		{"write", map[string]any{"file_path": "mnt/memory/rules/style/rules.md", "content": "Be long.\n"}},
		{"bash", map[string]any{"command": "echo 'Be loud.' > mnt/memory/rules/style/rules.md; echo done"}},
	}
	f := newMemoryFixture(t, calls, answers)
	f.start(t, f.sid)
	w := f.run(t, worker.Options{MountMemoryInWorkdir: true})
	require.Equal(t, "- buy milk\n", recv(t, answers).Text())
	require.Equal(t, "Be brief.\nversion 1\n"+f.notes+"\n", recv(t, answers).Text())
	require.False(t, recv(t, answers).IsError)
	require.False(t, recv(t, answers).IsError)
	ro := recv(t, answers)
	require.True(t, ro.IsError, "write refuses a read-only store: %s", ro.Text())
	require.Equal(t, "done\n\n", recv(t, answers).Text())
	f.waitIdle(t, f.sid)
	work := f.workOf(t, f.sid)
	eventually(t, func() bool { return len(f.workRequests(managedagentstest.RouteStopWork, work)) == 1 })
	stop(t, w)

	require.Equal(t, map[string]string{"/todo.md": "- buy bread\n", "/ideas/new.md": "an idea\n"}, f.memories(t, f.notes))
	require.Equal(t, map[string]string{"/style/rules.md": "Be brief.\n"}, f.memories(t, f.rules), "a read-only store is never pushed")
	for _, r := range f.srv.Requests() {
		if strings.HasPrefix(r.Path, "/v1/memory_stores/") && r.Status != 0 && r.Credential != managedagentstest.CredentialAPIKey {
			require.Equal(t, managedagentstest.CredentialWorkToken, r.Credential)
			require.Less(t, r.Status, 300, "%s %s", r.Method, r.Path)
		}
	}
	require.Zero(t, w.Stats().MemoryErrors)
	require.Positive(t, w.Stats().MemorySyncs)
}

// The last sync of a clean end merges both sides against what the mount
// agreed on: a file edited here and on the server keeps the server's copy,
// a file deleted here deletes its memory (unchanged on the server), a memory
// changed on the server only is left as the server has it, and a new file is
// created.
func TestMemorySyncMergesBothSides(t *testing.T) {
	t.Parallel()
	f := &memoryFixture{fixture: newFixture(t)}
	ctx := context.Background()
	store, err := f.client.MemoryStores.Create(ctx, managedagents.MemoryStoreCreateParams{Name: "Notes"})
	require.NoError(t, err)
	ids := map[string]string{}
	for _, p := range []string{"/a.md", "/b.md", "/c.md"} {
		m, err := f.client.MemoryStores.Memories.Create(ctx, store.ID, managedagents.MemoryCreateParams{Path: p, Content: "v1 " + p + "\n"})
		require.NoError(t, err)
		ids[p] = m.ID
	}
	edited := make(chan struct{})
	answers := make(chan managedagentstest.Answer, 2)
	f.sid = f.session(t, func(turn *managedagentstest.Turn) {
		a, err := turn.CallTool("bash", map[string]any{"command": "cd mnt/memory/notes && echo mine > a.md && rm b.md && echo new > d.md && echo ok"})
		if err != nil {
			return
		}
		answers <- a
		<-edited
		turn.Message("done")
	}, nil, map[string]any{"resources": []any{map[string]any{"type": "memory_store", "memory_store_id": store.ID}}})
	f.start(t, f.sid)
	w := f.run(t, worker.Options{MountMemoryInWorkdir: true})
	require.Equal(t, "ok\n\n", recv(t, answers).Text())
	for _, p := range []string{"/a.md", "/c.md"} {
		_, err := f.client.MemoryStores.Memories.Update(ctx, store.ID, ids[p], managedagents.MemoryUpdateParams{Content: new("server " + p + "\n")})
		require.NoError(t, err)
	}
	close(edited)
	f.waitIdle(t, f.sid)
	work := f.workOf(t, f.sid)
	eventually(t, func() bool { return len(f.workRequests(managedagentstest.RouteStopWork, work)) == 1 })
	stop(t, w)
	require.Equal(t, map[string]string{"/a.md": "server /a.md\n", "/c.md": "server /c.md\n", "/d.md": "new\n"}, f.memories(t, store.ID))
}
