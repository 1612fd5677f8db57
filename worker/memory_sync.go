package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents"
)

// syncMode is what a sync of a memory store may do.
type syncMode int

const (
	// syncPeriodic pushes local changes, pulls the server's, and deletes on
	// the server the memories whose files stayed missing MemoryDeleteDelay.
	syncPeriodic syncMode = iota
	// syncFinal is syncPeriodic without the delay: the item ends cleanly.
	syncFinal
	// syncPushOnly only pushes local changes: the item ended with an error,
	// and its folder may be half done.
	syncPushOnly
)

// Caps of one sync: files scanned, and deletes sent (a quarter of the
// store's files, at least memoryMinDeletes, at most memoryMaxDeletes), so
// that a folder wiped by mistake does not empty the store at once.
const (
	memoryMaxFiles   = 10000
	memoryMinDeletes = 8
	memoryMaxDeletes = 50
	memoryTempPrefix = ".anthropic-memory-tmp-"
)

// errMemoryMarker reports a store's folder whose marker file is gone or
// names another store: it is not synced.
var errMemoryMarker = errors.New("the folder's " + MemoryMarkerFile + " is missing or names another store; not syncing it")

// remoteMemory is a memory as a list shows it.
type remoteMemory struct{ id, sha string }

// syncAll syncs every store of the item, one after the other.
func (m *memoryStores) syncAll(ctx context.Context, mode syncMode) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.it.w
	for _, st := range m.stores {
		w.counters.memorySyncs.Add(1)
		if err := st.sync(ctx, m, mode); err != nil {
			w.counters.memoryErrors.Add(1)
			m.it.log.Warn("worker: memory store sync failed", "memory_store_id", st.id, "error", err.Error())
		}
	}
	m.lastSync = w.clock.Now()
}

// sync reconciles the folder and the store, path by path, against what the
// last sync agreed on (the base): a side that changed since wins; when both
// changed, the server's copy wins. A file deleted locally deletes its memory
// after MemoryDeleteDelay (a few per sync); a memory deleted on the server
// deletes its unchanged file. Read-only stores never push. Every server
// write carries a precondition on the content it replaces.
func (st *memoryStore) sync(ctx context.Context, m *memoryStores, mode syncMode) error {
	if b, err := st.root.ReadFile(MemoryMarkerFile); err != nil || string(b) != st.marker() {
		return errMemoryMarker
	}
	local, complete, err := st.scan()
	if err != nil {
		return fmt.Errorf("reading the folder: %w", err)
	}
	remote := map[string]remoteMemory{}
	mem := m.it.ic.MemoryStores.Memories
	for li, err := range mem.ListAll(ctx, st.id, managedagents.MemoryListParams{View: managedagents.MemoryViewBasic, Limit: 100}) {
		if err != nil {
			return fmt.Errorf("listing the memories: %w", err)
		}
		if mm, ok := li.(*managedagents.Memory); ok {
			if rel, ok := localPath(mm.Path); ok {
				remote[rel] = remoteMemory{mm.ID, mm.ContentSHA256}
			}
		}
	}
	for rel, sha := range st.sentSHAs { // uploads whose answer was lost
		if r, ok := remote[rel]; ok && r.sha == sha {
			st.base[rel], st.ids[rel] = sha, r.id
		}
		delete(st.sentSHAs, rel)
	}
	deletes := min(max(len(st.base)/4, memoryMinDeletes), memoryMaxDeletes)
	if !complete {
		deletes = 0 // a file not scanned is not a file deleted
	}
	now := m.it.w.clock.Now()
	paths := slices.Sorted(maps.Keys(local))
	paths = slices.AppendSeq(paths, maps.Keys(remote))
	paths = slices.AppendSeq(paths, maps.Keys(st.base))
	slices.Sort(paths)
	for _, rel := range slices.Compact(paths) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		l, lok := local[rel]
		r, rok := remote[rel]
		b, bok := st.base[rel]
		if lok {
			delete(st.missing, rel)
		}
		switch {
		case !lok && !rok:
			delete(st.base, rel)
			delete(st.ids, rel)
			delete(st.missing, rel)
		case lok && rok && l == r.sha:
			st.base[rel], st.ids[rel] = l, r.id
		case lok && !rok:
			if bok && l == b { // deleted on the server, unchanged here
				if mode != syncPushOnly && st.removeLocal(rel, b) {
					delete(st.base, rel)
					delete(st.ids, rel)
				}
				continue
			}
			if !st.readOnly && st.refused[rel] != l {
				st.upload(ctx, m, rel, l, nil)
			}
		case !lok && rok:
			if !bok || r.sha != b { // new or changed on the server
				if mode != syncPushOnly {
					st.pull(ctx, m, rel, r, "")
				}
				continue
			}
			if st.readOnly { // deleted here; a read-only store keeps it
				continue
			}
			first, seen := st.missing[rel]
			if !seen {
				first = now
				st.missing[rel] = now
			}
			if mode == syncPushOnly || mode == syncPeriodic && now.Sub(first) < MemoryDeleteDelay || deletes == 0 {
				continue
			}
			deletes--
			st.deleteRemote(ctx, m, rel, r, b)
		default: // both hold it, with different contents
			if bok && r.sha == b { // changed here only
				if !st.readOnly && st.refused[rel] != l {
					st.upload(ctx, m, rel, l, &r)
				}
				continue
			}
			if bok && l != b {
				m.it.log.Warn("worker: a memory changed both here and on the server; keeping the server's", "memory_store_id", st.id, "memory_id", r.id)
			}
			if mode != syncPushOnly {
				st.pull(ctx, m, rel, r, l)
			}
		}
	}
	return nil
}

// scan returns the sha256 of every regular file of the folder (links and
// special files are not followed), and whether it saw them all.
func (st *memoryStore) scan() (map[string]string, bool, error) {
	out := map[string]string{}
	complete := true
	err := fs.WalkDir(st.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() || !d.Type().IsRegular():
			return nil
		case p == MemoryMarkerFile || strings.HasPrefix(d.Name(), memoryTempPrefix):
			return nil
		case len(out) >= memoryMaxFiles:
			complete = false
			return fs.SkipAll
		}
		sha, err := st.hash(p)
		if err != nil {
			return err
		}
		out[p] = sha
		return nil
	})
	return out, complete, err
}

// hash returns the sha256 of the file rel, "" when it is gone.
func (st *memoryStore) hash(rel string) (string, error) {
	f, err := st.root.Open(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// upload pushes the file rel, whose content had sha256 l when scanned: a
// create when the server has no memory there, else an update conditioned on
// the server's content (r). A file changed since the scan waits for the next
// sync; one the API cannot take (too big, not UTF-8, a path it refuses) is
// left alone until it changes.
func (st *memoryStore) upload(ctx context.Context, m *memoryStores, rel, l string, r *remoteMemory) {
	log := m.it.log.With("memory_store_id", st.id)
	data, err := st.root.ReadFile(rel)
	switch {
	case err != nil:
		return
	case sha256Hex(data) != l:
		return // changed since the scan
	case len(data) > maxMemoryBytes || !utf8.Valid(data):
		st.refused[rel] = l
		log.Warn("worker: a file of a memory store is not UTF-8 text of at most 102400 bytes; not uploaded", "bytes", len(data))
		return
	}
	content := string(data)
	mem := m.it.ic.MemoryStores.Memories
	var got *managedagents.Memory
	if r == nil {
		got, err = mem.Create(ctx, st.id, managedagents.MemoryCreateParams{Path: "/" + rel, Content: content})
	} else {
		got, err = mem.Update(ctx, st.id, r.id, managedagents.MemoryUpdateParams{Content: &content,
			Precondition: managedagents.NewMemoryPreconditionContentSHA256(r.sha)})
	}
	var pre *managedagents.MemoryPreconditionError
	var conflict *managedagents.MemoryPathConflictError
	switch {
	case err == nil:
		st.base[rel], st.ids[rel] = got.ContentSHA256, got.ID
		delete(st.refused, rel)
	case errors.As(err, &pre) || errors.As(err, &conflict):
		log.Info("worker: a memory changed on the server during the sync; the next sync settles it")
	case errors.Is(err, managedagents.ErrDeliveryUncertain):
		st.sentSHAs[rel] = l
	case permanent(err):
		st.refused[rel] = l
		m.it.w.counters.memoryErrors.Add(1)
		log.Warn("worker: the server refused a memory; not uploading it again until it changes", "error", err.Error())
	default:
		m.it.w.counters.memoryErrors.Add(1)
		log.Warn("worker: uploading a memory failed; the next sync tries again", "error", err.Error())
	}
}

// pull writes the server's content of memory r to rel, unless the file
// changed since the scan (l is the sha256 it had; "" for none).
func (st *memoryStore) pull(ctx context.Context, m *memoryStores, rel string, r remoteMemory, l string) {
	mm, err := m.it.ic.MemoryStores.Memories.Get(ctx, st.id, r.id, managedagents.MemoryGetParams{View: managedagents.MemoryViewFull})
	if err != nil || mm.Content == nil {
		if err != nil && !errors.Is(err, managedagents.ErrNotFound) {
			m.it.w.counters.memoryErrors.Add(1)
			m.it.log.Warn("worker: reading a memory failed; the next sync tries again", "memory_store_id", st.id, "error", err.Error())
		}
		return
	}
	if now, err := st.hash(rel); err != nil || now != l {
		return // changed since the scan: the next sync settles it
	}
	if err := st.write(rel, *mm.Content); err != nil {
		m.it.w.counters.memoryErrors.Add(1)
		m.it.log.Warn("worker: writing a memory to its file failed", "memory_store_id", st.id, "error", err.Error())
		return
	}
	st.base[rel], st.ids[rel] = mm.ContentSHA256, mm.ID
}

// removeLocal removes the file rel if it still has sha256 b, and reports
// whether it is gone.
func (st *memoryStore) removeLocal(rel, b string) bool {
	if now, err := st.hash(rel); err != nil || now != b {
		return false
	}
	return st.root.Remove(rel) == nil
}

// deleteRemote deletes memory r on the server, if it still holds b.
func (st *memoryStore) deleteRemote(ctx context.Context, m *memoryStores, rel string, r remoteMemory, b string) {
	_, err := m.it.ic.MemoryStores.Memories.Delete(ctx, st.id, r.id, managedagents.MemoryDeleteParams{ExpectedContentSHA256: b})
	var pre *managedagents.MemoryPreconditionError
	switch {
	case err == nil || errors.Is(err, managedagents.ErrNotFound):
		delete(st.base, rel)
		delete(st.ids, rel)
		delete(st.missing, rel)
	case errors.As(err, &pre):
		// changed on the server meanwhile: the next sync brings it back
	default:
		m.it.w.counters.memoryErrors.Add(1)
		m.it.log.Warn("worker: deleting a memory failed; the next sync tries again", "memory_store_id", st.id, "error", err.Error())
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
