package agenttoolset

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync/atomic"
)

// errStopWalk ends a walk early without an error.
var errStopWalk = errors.New("stop walking")

// dirHandle is an open directory of a walk. Everything below it is opened
// through it, one path segment at a time and without following symbolic
// links, so a directory swapped for a link while the walk runs cannot lead
// out of the tree (walkfs_*.go hold the platform's way). File jobs reading
// through it hold a reference; the last release closes it.
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

// walkVisit is called for every entry of a walk in order. It returns the
// state to walk the entry with, when it is a directory and descend is true;
// errStopWalk ends the walk.
type walkVisit[S any] func(dir *dirHandle, state S, entry dirEntry) (child S, descend bool, err error)

// walkTree visits the entries below dir depth first, each directory's
// entries sorted by name (the order of filepath.WalkDir), and releases dir.
// Symbolic links are never followed: a link is visited as an entry and never
// descended. Directories that cannot be read are skipped.
func walkTree[S any](ctx context.Context, dir *dirHandle, state S, visit walkVisit[S]) error {
	defer dir.release()
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := dir.list()
	if err != nil {
		return nil
	}
	for _, e := range entries {
		child, descend, err := visit(dir, state, e)
		if err != nil {
			return err
		}
		if !descend || e.typ != fs.ModeDir {
			continue
		}
		sub, err := dir.openDir(e.name)
		if err != nil {
			continue
		}
		if err := walkTree(ctx, sub, child, visit); err != nil {
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
