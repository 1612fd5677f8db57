package worker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// Memory stores on disk (self-hosted.md §3.7).
const (
	// MemoryMarkerFile is the file at the root of each memory store's folder
	// that says which store the folder holds: "version 1\n<memory_store_id>".
	// A folder without it (or with another store's) is not synced.
	MemoryMarkerFile = ".anthropic-memory-store"
	// MemoryDeleteDelay is how long a file must stay missing from a store's
	// folder before its memory is deleted on the server (at the item's end,
	// at once).
	MemoryDeleteDelay = 30 * time.Second
	// memoryFinishTimeout bounds the last sync of an item's stores.
	memoryFinishTimeout = 30 * time.Second
	// maxMemoryBytes is the largest memory the API takes.
	maxMemoryBytes = 102400
)

// ErrMemoryNoToken is why an item fails whose session has memory stores
// while its secret holds no sessions token: the memory endpoints refuse the
// environment key.
var ErrMemoryNoToken = errors.New("worker: the session has memory stores, and the work item carries no sessions token to reach them")

// memoryStores are the memory stores of an item's session, each in a
// folder of its own, synced with the server while the tools run and at the
// end. The zero value (no store) does nothing.
type memoryStores struct {
	it       *item
	stores   []*memoryStore
	interval time.Duration

	mu       sync.Mutex // one sync at a time
	lastSync time.Time
	calls    atomic.Int64 // tool calls ended since the last sync
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
}

// memoryStore is one store's folder and what the last sync agreed on.
type memoryStore struct {
	id       string
	dir      string
	created  bool // the folder was made by this item: removed at its end
	readOnly bool
	root     *os.Root

	base     map[string]string    // path → content sha256 both sides held at the last sync
	ids      map[string]string    // path → memory id on the server
	missing  map[string]time.Time // path → when it was first seen missing locally
	refused  map[string]string    // path → sha256 of local content the server refused
	sentSHAs map[string]string    // path → sha256 of an upload whose answer was lost
}

// mountMemoryStores downloads the memory stores of sess into their folders:
// the resource's mount_path (under dir when Options.MountMemoryInWorkdir),
// else dir/memory/<name or id>. A folder that exists already, or a store
// that cannot be read, fails the item.
func mountMemoryStores(ctx context.Context, it *item, sess *managedagents.Session, dir string) (*memoryStores, error) {
	m := &memoryStores{it: it, interval: it.w.opts.MemorySyncInterval}
	var resources []*managedagents.MemoryStoreResource
	for _, r := range sess.Resources {
		if ms, ok := r.(*managedagents.MemoryStoreResource); ok {
			resources = append(resources, ms)
		}
	}
	if len(resources) == 0 {
		return m, nil
	}
	if m.interval < 0 {
		it.log.Warn("worker: memory stores not mounted (MemorySyncInterval is negative)", "stores", len(resources))
		return m, nil
	}
	if !it.polled.Secret.HasSessionsToken() {
		return nil, ErrMemoryNoToken
	}
	for _, res := range resources {
		st, err := m.mount(ctx, res, dir)
		if err != nil {
			m.dispose()
			return nil, fmt.Errorf("worker: memory store %s: %w", res.MemoryStoreID, err)
		}
		m.stores = append(m.stores, st)
	}
	m.lastSync = it.w.clock.Now()
	return m, nil
}

// storeDir returns where a store's files go.
func (m *memoryStores) storeDir(res *managedagents.MemoryStoreResource, dir string) (string, error) {
	if mp := res.MountPath; mp != "" {
		if !filepath.IsAbs(mp) || filepath.Clean(mp) != mp || mp == "/" {
			return "", fmt.Errorf("mount_path %q is not a clean absolute path", mp)
		}
		if m.it.w.opts.MountMemoryInWorkdir {
			return filepath.Join(dir, mp), nil
		}
		return mp, nil
	}
	name := res.Name
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`+"\x00") {
		name = res.MemoryStoreID
	}
	return filepath.Join(dir, "memory", name), nil
}

func (m *memoryStores) mount(ctx context.Context, res *managedagents.MemoryStoreResource, dir string) (*memoryStore, error) {
	where, err := m.storeDir(res, dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(where); err == nil {
		return nil, fmt.Errorf("%s exists already: a memory store's folder must not exist when its session starts (what is there would be uploaded)", where)
	}
	if err := os.MkdirAll(where, 0o700); err != nil {
		return nil, fmt.Errorf("creating its folder: %w", err)
	}
	st := &memoryStore{id: res.MemoryStoreID, dir: where, created: true, readOnly: res.Access == managedagents.MemoryStoreAccessReadOnly,
		base: map[string]string{}, ids: map[string]string{}, missing: map[string]time.Time{}, refused: map[string]string{}, sentSHAs: map[string]string{}}
	if st.root, err = os.OpenRoot(where); err != nil {
		_ = os.RemoveAll(where)
		return nil, err
	}
	fail := func(err error) (*memoryStore, error) {
		st.remove(m.it)
		return nil, err
	}
	if err := st.root.WriteFile(MemoryMarkerFile, []byte(st.marker()), 0o600); err != nil {
		return fail(err)
	}
	mem := m.it.ic.MemoryStores.Memories
	for li, err := range mem.ListAll(ctx, st.id, managedagents.MemoryListParams{View: managedagents.MemoryViewFull, Limit: 20}) {
		if err != nil {
			return fail(fmt.Errorf("listing its memories: %w", err))
		}
		mm, ok := li.(*managedagents.Memory)
		if !ok || mm.Content == nil {
			continue
		}
		rel, ok := localPath(mm.Path)
		if !ok {
			m.it.log.Warn("worker: a memory whose path cannot be a file; left out", "memory_store_id", st.id, "memory_id", mm.ID)
			continue
		}
		if err := st.write(rel, *mm.Content); err != nil {
			return fail(fmt.Errorf("writing %s: %w", mm.Path, err))
		}
		st.base[rel], st.ids[rel] = mm.ContentSHA256, mm.ID
	}
	m.it.log.Info("worker: memory store mounted", "memory_store_id", st.id, "memories", len(st.base), "read_only", st.readOnly)
	return st, nil
}

func (st *memoryStore) marker() string { return "version 1\n" + st.id }

// localPath returns the file a memory path names in a store's folder
// ("/notes/a.md" → "notes/a.md"), false when it cannot name one there.
func localPath(p string) (string, bool) {
	rel := strings.TrimPrefix(p, "/")
	if rel == "" || rel != path.Clean(rel) || strings.HasPrefix(rel, "../") || rel == ".." ||
		strings.ContainsAny(rel, "\\\x00") || rel == MemoryMarkerFile {
		return "", false
	}
	return rel, true
}

// write writes content to rel in the store's folder, through a temporary
// file renamed into place.
func (st *memoryStore) write(rel, content string) error {
	if d := path.Dir(rel); d != "." {
		if err := st.root.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	tmp := path.Join(path.Dir(rel), memoryTempPrefix+path.Base(rel))
	if err := st.root.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	if err := st.root.Rename(tmp, rel); err != nil {
		_ = st.root.Remove(tmp)
		return err
	}
	return nil
}

// roots returns the folders of the stores, for the file tools.
func (m *memoryStores) roots() []string {
	var out []string
	for _, st := range m.stores {
		out = append(out, st.dir)
	}
	return out
}

// readOnlyRoots returns the folders of the read-only stores.
func (m *memoryStores) readOnlyRoots() []string {
	var out []string
	for _, st := range m.stores {
		if st.readOnly {
			out = append(out, st.dir)
		}
	}
	return out
}

// afterToolCall is a tool middleware: once a call ended, it wakes the sync
// loop, which syncs if the interval passed since the last sync.
func (m *memoryStores) afterToolCall(ctx context.Context, call toolrunner.ToolCall, next toolrunner.ToolFunc) (toolrunner.ToolResult, error) {
	res, err := next(ctx, call)
	if len(m.stores) > 0 {
		m.calls.Add(1)
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
	return res, err
}

// startSync starts the loop that syncs the stores every interval while tool
// calls happen, and returns the function that stops it.
func (m *memoryStores) startSync(ctx context.Context) (stop func()) {
	if len(m.stores) == 0 {
		return func() {}
	}
	m.wake, m.stop, m.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go m.loop(ctx)
	return func() {
		close(m.stop)
		<-m.done
	}
}

func (m *memoryStores) loop(ctx context.Context) {
	defer close(m.done)
	clock := m.it.w.clock
	for {
		select {
		case <-m.stop:
			return
		case <-m.wake:
		}
		m.mu.Lock()
		due := m.lastSync.Add(m.interval)
		m.mu.Unlock()
		if wait := due.Sub(clock.Now()); wait > 0 {
			t := clock.NewTimer(wait)
			select {
			case <-m.stop:
				t.Stop()
				return
			case <-t.C():
			}
		}
		if m.calls.Swap(0) > 0 {
			m.syncAll(ctx, syncPeriodic)
		}
	}
}

// finish syncs the stores a last time (after a clean end; after a failure
// only local changes are pushed), then removes the folders the item made.
func (m *memoryStores) finish(ctx context.Context, clean bool) {
	if len(m.stores) == 0 {
		return
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), memoryFinishTimeout)
	defer cancel()
	mode := syncPushOnly
	if clean {
		mode = syncFinal
	}
	m.syncAll(fctx, mode)
	m.dispose()
}

// dispose removes the folders the item made.
func (m *memoryStores) dispose() {
	for _, st := range m.stores {
		st.remove(m.it)
	}
	m.stores = nil
}

func (st *memoryStore) remove(it *item) {
	if st.root != nil {
		_ = st.root.Close()
	}
	if !st.created {
		return
	}
	if err := os.RemoveAll(st.dir); err != nil {
		it.log.Warn("worker: removing a memory store's folder failed", "memory_store_id", st.id, "error", err.Error())
	}
}
