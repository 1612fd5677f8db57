package agenttoolset

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// errStopWalk ends a walk early without an error.
var errStopWalk = errors.New("stop walking")

// dirHandle is an open directory of a walk. Everything below it is opened
// through it, one path segment at a time and without following symbolic
// links, so a directory swapped for a link while the walk runs cannot lead
// out of the tree (walkfs_*.go hold the platform's way). Whoever reads
// through it (a walk step, a file job, a listing ahead) holds a reference;
// the last release closes it.
type dirHandle struct {
	sys  dirSys
	path string // absolute, for output
	refs atomic.Int32
}

func newDirHandle(sys dirSys, path string) *dirHandle {
	d := &dirHandle{sys: sys, path: path}
	d.refs.Store(1)
	return d
}

func (d *dirHandle) acquire() { d.refs.Add(1) }

func (d *dirHandle) release() {
	if d.refs.Add(-1) == 0 {
		d.closeSys()
	}
}

// join returns the absolute path of the entry name in d.
func (d *dirHandle) join(name string) string {
	if strings.HasSuffix(d.path, "/") {
		return d.path + name
	}
	return d.path + "/" + name
}

// dirEntry is one entry of a directory listing: its name and its type bits
// (fs.ModeDir, fs.ModeSymlink, …; 0 for a regular file). A link is never
// followed to find its target's type.
type dirEntry struct {
	name string
	typ  fs.FileMode
}

// walkFuncs are the callbacks of a walk with per-directory state S.
type walkFuncs[S any] struct {
	// visit is called for every entry, in walk order, in the walk's
	// goroutine. It returns the state to walk the entry with, when it is a
	// directory and descend is true; errStopWalk ends the walk.
	visit func(dir *dirHandle, state S, entry dirEntry) (child S, descend bool, err error)
	// willDescend says ahead of visit whether visit will descend into the
	// directory entry: those directories are opened and listed in the
	// background while the walk goes on. A wrong guess costs time only.
	willDescend func(state S, entry dirEntry) bool
}

// maxListedAhead bounds the directories listed ahead of the walk and not yet
// walked, so that memory stays bounded on any tree.
const maxListedAhead = 256

// walkTree visits the entries below top depth first, each directory's
// entries sorted by name (the order of filepath.WalkDir), and releases top.
// Symbolic links are never followed: a link is visited as an entry and never
// descended. Directories that cannot be read are skipped. While the walk
// goes on in the caller's goroutine, one worker a CPU opens and lists the
// directories it will reach next; every worker has ended when walkTree
// returns, and every handle it opened is released.
func walkTree[S any](ctx context.Context, top *dirHandle, state S, fns walkFuncs[S]) error {
	w := &walker[S]{ctx: ctx, fns: fns, jobs: make(chan *listing, maxListedAhead)}
	for range runtime.GOMAXPROCS(0) {
		w.workers.Go(func() {
			for l := range w.jobs {
				if l.claim() {
					l.fetch()
				}
			}
		})
	}
	defer w.workers.Wait()
	defer close(w.jobs)
	entries, err := top.list()
	if err != nil {
		top.release()
		return nil
	}
	return w.walk(top, entries, state)
}

type walker[S any] struct {
	ctx     context.Context
	fns     walkFuncs[S]
	jobs    chan *listing
	ahead   atomic.Int32 // listings created and not yet walked or dropped
	workers sync.WaitGroup
}

// listing is a directory to open and list, by a worker ahead of the walk or
// by the walk itself, whichever claims it first.
type listing struct {
	parent  *dirHandle // referenced until fetched
	name    string
	claimed atomic.Bool
	done    chan struct{}
	dir     *dirHandle
	entries []dirEntry
}

func (l *listing) claim() bool { return l.claimed.CompareAndSwap(false, true) }

// fetch opens and lists the directory, then lets go of the parent.
func (l *listing) fetch() {
	defer close(l.done)
	defer l.parent.release()
	dir, err := l.parent.openDir(l.name)
	if err != nil {
		return
	}
	entries, err := dir.list()
	if err != nil {
		dir.release()
		return
	}
	l.dir, l.entries = dir, entries
}

// wait returns the fetched directory, fetching it here if no worker has
// started to.
func (l *listing) wait() (*dirHandle, []dirEntry) {
	if l.claim() {
		l.fetch()
	} else {
		<-l.done
	}
	return l.dir, l.entries
}

// drop releases a listing the walk will not use.
func (l *listing) drop() {
	if l.claim() {
		l.parent.release()
		return
	}
	<-l.done
	if l.dir != nil {
		l.dir.release()
	}
}

// walk visits the entries of dir, then releases it.
func (w *walker[S]) walk(dir *dirHandle, entries []dirEntry, state S) error {
	defer dir.release()
	if err := w.ctx.Err(); err != nil {
		return err
	}
	// Queue the subdirectories the walk will enter, as far as the bound
	// allows; whatever is not walked in the end is dropped.
	var ahead map[int]*listing
	defer func() {
		for _, l := range ahead {
			l.drop()
			w.ahead.Add(-1)
		}
	}()
	for i, e := range entries {
		if e.typ != fs.ModeDir || !w.fns.willDescend(state, e) || w.ahead.Load() >= maxListedAhead {
			continue
		}
		l := &listing{parent: dir, name: e.name, done: make(chan struct{})}
		dir.acquire()
		if ahead == nil {
			ahead = make(map[int]*listing)
		}
		ahead[i] = l
		w.ahead.Add(1)
		select {
		case w.jobs <- l:
		default: // the workers are busy: the walk will list it itself
		}
	}
	for i, e := range entries {
		child, descend, err := w.fns.visit(dir, state, e)
		if err != nil {
			return err
		}
		if !descend || e.typ != fs.ModeDir {
			continue
		}
		var sub *dirHandle
		var subEntries []dirEntry
		if l := ahead[i]; l != nil {
			delete(ahead, i)
			w.ahead.Add(-1)
			sub, subEntries = l.wait()
		} else if d, err := dir.openDir(e.name); err == nil {
			if subEntries, err = d.list(); err == nil {
				sub = d
			} else {
				d.release()
			}
		}
		if sub == nil {
			continue
		}
		if err := w.walk(sub, subEntries, child); err != nil {
			return err
		}
	}
	return nil
}

// readAll reads a file of the given size with read until its end, into buf
// (grown when too small; a buffer far larger than needed is not kept). It
// returns the data, the buffer to reuse, and false when the file holds more
// than maxBytes (it may have grown since its size was taken) or read failed.
func readAll(read func([]byte) (int, error), size int64, buf []byte, maxBytes int64) ([]byte, []byte, bool) {
	want := int(size) + 1 // one more, to see the end at once
	if cap(buf) < want || cap(buf) > 4*want+(1<<20) {
		buf = make([]byte, max(want, 4096))
	}
	buf = buf[:cap(buf)]
	n := 0
	for {
		if n == len(buf) {
			if int64(n) > maxBytes {
				return nil, buf, false
			}
			grown := make([]byte, min(2*len(buf), int(maxBytes)+1))
			copy(grown, buf)
			buf = grown
		}
		k, err := read(buf[n:])
		n += k
		if err == io.EOF || (err == nil && k == 0) {
			break
		}
		if err != nil {
			return nil, buf, false
		}
	}
	if int64(n) > maxBytes {
		return nil, buf, false
	}
	return buf[:n], buf, true
}
