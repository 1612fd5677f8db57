package agenttoolset

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync/atomic"
)

// errStopWalk ends a walk early without an error.
var errStopWalk = errors.New("stop walking")

// dirHandle is an open directory of a walk. Everything below it is opened
// through it, one path segment at a time and without following symbolic
// links, so a directory swapped for a link while the walk runs cannot lead
// out of the tree. File jobs reading through it hold a reference; the last
// release closes it.
type dirHandle struct {
	root *os.Root
	path string // absolute, for output
	refs atomic.Int32
}

func newDirHandle(root *os.Root, path string) *dirHandle {
	d := &dirHandle{root: root, path: path}
	d.refs.Store(1)
	return d
}

func (d *dirHandle) acquire() { d.refs.Add(1) }

func (d *dirHandle) release() {
	if d.refs.Add(-1) == 0 {
		_ = d.root.Close()
	}
}

// join returns the absolute path of the entry name in d.
func (d *dirHandle) join(name string) string {
	if strings.HasSuffix(d.path, "/") {
		return d.path + name
	}
	return d.path + "/" + name
}

// walkVisit is called for every entry of a walk in order. It returns the
// state to walk the entry with, when it is a directory and descend is true;
// errStopWalk ends the walk.
type walkVisit[S any] func(dir *dirHandle, state S, entry fs.DirEntry) (child S, descend bool, err error)

// walkTree visits the entries below dir depth first, each directory's
// entries sorted by name (the order of filepath.WalkDir), and releases dir.
// Symbolic links are never followed: a link is visited as an entry and never
// descended. Directories that cannot be read are skipped.
func walkTree[S any](ctx context.Context, dir *dirHandle, state S, visit walkVisit[S]) error {
	defer dir.release()
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := readDirSorted(dir.root)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		child, descend, err := visit(dir, state, e)
		if err != nil {
			return err
		}
		if !descend || !e.IsDir() {
			continue
		}
		sub, err := dir.root.OpenRoot(e.Name())
		if err != nil {
			continue
		}
		if err := walkTree(ctx, newDirHandle(sub, dir.join(e.Name())), child, visit); err != nil {
			return err
		}
	}
	return nil
}

// readDirSorted lists a directory, sorted by name. A listing cut short by an
// error keeps what was read.
func readDirSorted(root *os.Root) ([]fs.DirEntry, error) {
	f, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	entries, err := f.ReadDir(-1)
	_ = f.Close()
	if len(entries) == 0 && err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}
