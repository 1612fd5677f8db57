package agenttoolset

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Write creates or replaces a file with Content (self-hosted.md §5.2). Missing
// parent directories are created with mode 0700; the file is written to a
// temporary file beside it and renamed over it, so a reader never sees half
// of it; an existing file keeps its mode, a new one gets 0600. Paths in a
// read-only root are refused.
func (t *Toolset) Write(_ context.Context, in WriteInput) (Result, error) {
	if t.isClosed() {
		return Result{}, ErrClosed
	}
	if in.FilePath == "" {
		return failure(ToolWrite, "file_path is required"), nil
	}
	tg, err := t.fs.resolveWritable(in.FilePath)
	if err != nil {
		return failure(ToolWrite, "%v", err), nil
	}
	if err := writeAtomic(tg, []byte(in.Content)); err != nil {
		return failure(ToolWrite, "%s: %s", in.FilePath, fsErrorMessage(err)), nil
	}
	return success(fmt.Sprintf("wrote %d bytes to %s", len(in.Content), in.FilePath)), nil
}

// Edit replaces OldString with NewString in a file (self-hosted.md §5.2):
// OldString must occur exactly once, or ReplaceAll must be set. The whole file
// is loaded, so it must not exceed the MaxFileBytes cap; it is written back as
// Write does.
func (t *Toolset) Edit(_ context.Context, in EditInput) (Result, error) {
	if t.isClosed() {
		return Result{}, ErrClosed
	}
	if in.FilePath == "" {
		return failure(ToolEdit, "file_path is required"), nil
	}
	if in.OldString == "" {
		return failure(ToolEdit, "old_string must not be empty"), nil
	}
	tg, err := t.fs.resolveWritable(in.FilePath)
	if err != nil {
		return failure(ToolEdit, "%v", err), nil
	}
	f, info, err := openRegular(tg)
	if err != nil {
		return failure(ToolEdit, "%s: %s", in.FilePath, fsErrorMessage(err)), nil
	}
	limit := t.maxFileBytes
	if limit < 0 {
		limit = math.MaxInt64 - 1
	}
	if info.Size() > limit {
		_ = f.Close()
		return failure(ToolEdit, "%s is %d bytes, more than the %d-byte limit of the edit tool", in.FilePath, info.Size(), limit), nil
	}
	data, over, err := readAtMost(f, info.Size(), limit)
	_ = f.Close()
	switch {
	case err != nil:
		return failure(ToolEdit, "%s: %s", in.FilePath, fsErrorMessage(err)), nil
	case over:
		return failure(ToolEdit, "%s holds more than the %d-byte limit of the edit tool", in.FilePath, limit), nil
	}
	text := string(data)
	count := strings.Count(text, in.OldString)
	switch {
	case count == 0:
		return failure(ToolEdit, "old_string not found in %s", in.FilePath), nil
	case count > 1 && !in.ReplaceAll:
		return failure(ToolEdit, "old_string occurs %d times in %s; make it unique or set replace_all", count, in.FilePath), nil
	}
	text = strings.Replace(text, in.OldString, in.NewString, count)
	if err := writeAtomic(tg, []byte(text)); err != nil {
		return failure(ToolEdit, "%s: %s", in.FilePath, fsErrorMessage(err)), nil
	}
	return success(fmt.Sprintf("edited %s (%d replacement(s))", in.FilePath, count)), nil
}

// writeAtomic writes data to the target through its root: parents created
// 0700, a temporary file in the same directory renamed over the target.
func writeAtomic(tg target, data []byte) error {
	if tg.rel == "." {
		return syscall.EISDIR
	}
	root := tg.root.dir
	dir := filepath.Dir(tg.rel)
	if dir != "." {
		if err := root.MkdirAll(dir, 0o700); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return syscall.ENOTDIR // a parent is a file
			}
			return err
		}
	}
	perm := fs.FileMode(0o600)
	switch info, err := root.Lstat(tg.rel); {
	case err == nil && info.IsDir():
		return syscall.EISDIR
	case err == nil && !info.Mode().IsRegular():
		return errNotRegular
	case err == nil:
		perm = info.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	tmp := filepath.Join(dir, ".agenttoolset-"+hex.EncodeToString(nonce[:])+".tmp")
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, tg.rel)
	}
	if err != nil {
		_ = root.Remove(tmp)
	}
	return err
}
