//go:build !linux

package agenttoolset

import (
	"os"
	"slices"
	"strings"
	"syscall"
)

// Elsewhere than Linux a walk goes through os.Root handles: one per
// directory, through which its entries are listed and its files opened, one
// segment at a time and without following links out of it.

// dirSys is the os.Root of a dirHandle.
type dirSys struct {
	root *os.Root
}

// openWalkDir opens the directory rel of root for a walk; path is its
// absolute path.
func openWalkDir(root *os.Root, rel, path string) (*dirHandle, error) {
	info, err := root.Stat(rel)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, syscall.ENOTDIR
	}
	sub, err := root.OpenRoot(rel)
	if err != nil {
		return nil, err
	}
	return newDirHandle(dirSys{root: sub}, path), nil
}

// openDir opens the subdirectory name of d.
func (d *dirHandle) openDir(name string) (*dirHandle, error) {
	sub, err := d.sys.root.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	return newDirHandle(dirSys{root: sub}, d.join(name)), nil
}

func (d *dirHandle) closeSys() { _ = d.sys.root.Close() }

// list returns the entries of d sorted by name, with their types.
func (d *dirHandle) list() ([]dirEntry, error) {
	f, err := d.sys.root.Open(".")
	if err != nil {
		return nil, err
	}
	des, err := f.ReadDir(-1)
	_ = f.Close()
	if len(des) == 0 && err != nil {
		return nil, err
	}
	entries := make([]dirEntry, len(des))
	for i, de := range des {
		entries[i] = dirEntry{name: de.Name(), typ: de.Type()}
	}
	slices.SortFunc(entries, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	return entries, nil
}

// modTime returns the modification time of path in nanoseconds, without
// following a last link; 0 when it cannot be read.
func modTime(path string) int64 {
	info, err := os.Lstat(path)
	if err != nil {
		return 0
	}
	return info.ModTime().UnixNano()
}

// readRegular reads the regular file name of d into buf (grown as needed) if
// it holds at most maxBytes; it refuses anything else without blocking on it.
func (d *dirHandle) readRegular(name string, buf []byte, maxBytes int64) ([]byte, []byte, bool) {
	f, err := d.sys.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, buf, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || info.Size() > maxBytes {
		return nil, buf, false
	}
	return readAll(f.Read, info.Size(), buf, maxBytes)
}
