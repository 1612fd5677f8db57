package agenttoolset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"
)

// maxSymlinkHops bounds the symbolic links followed while resolving one path,
// as the kernel's own limit (40 on Linux) does.
const maxSymlinkHops = 40

var errSymlinkLoop = errors.New("too many levels of symbolic links")

// fsRoot is a directory the file tools may reach: its canonical path, and an
// open handle through which every access is made, so that a component swapped
// for a symbolic link after the check still cannot lead outside it.
type fsRoot struct {
	path string
	dir  *os.Root
}

// confinement holds the directories the file tools may reach: the working
// directory first, then the allowed roots, plus the read-only directories
// write and edit refuse.
type confinement struct {
	roots    []*fsRoot
	readOnly []string
}

// target is a tool path after resolution: its canonical absolute path, the
// root holding it, and its path relative to that root ("." for the root).
type target struct {
	path string
	root *fsRoot
	rel  string
}

// newConfinement resolves and opens workdir and the allowed roots, and
// resolves the read-only roots. Every directory but a read-only root must
// exist.
func newConfinement(workdir string, allowed, readOnly []string) (*confinement, error) {
	c := &confinement{}
	for i, dir := range append([]string{workdir}, allowed...) {
		if dir == "" {
			if i == 0 {
				return nil, errors.New("agenttoolset: the working directory is required")
			}
			continue
		}
		real, err := canonicalDir(dir)
		if err != nil {
			c.close()
			return nil, err
		}
		handle, err := os.OpenRoot(real)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("agenttoolset: open %s: %w", dir, err)
		}
		c.roots = append(c.roots, &fsRoot{path: real, dir: handle})
	}
	for _, dir := range readOnly {
		if dir == "" {
			continue
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("agenttoolset: read-only root %s: %w", dir, err)
		}
		real, err := canonicalize(abs)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("agenttoolset: read-only root %s: %w", dir, err)
		}
		c.readOnly = append(c.readOnly, real)
	}
	return c, nil
}

// canonicalDir returns the canonical absolute path of dir, which must be an
// existing directory.
func canonicalDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("agenttoolset: %s: %w", dir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("agenttoolset: %s: %w", dir, err)
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("agenttoolset: %s: %w", dir, err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("agenttoolset: %s is not a directory", dir)
	}
	return real, nil
}

func (c *confinement) close() {
	for _, r := range c.roots {
		_ = r.dir.Close()
	}
}

func (c *confinement) workdir() string { return c.roots[0].path }

// resolve turns a tool path into a target: relative paths start at the
// working directory; every symbolic link (the last one too, even dangling)
// and every ".." is resolved as the kernel would, before the result is
// checked against the roots. Nothing is opened: only lstat and readlink run.
func (c *confinement) resolve(p string) (target, error) {
	if strings.IndexByte(p, 0) >= 0 {
		return target{}, fmt.Errorf("path %q contains a NUL byte", p)
	}
	abs := p
	if !filepath.IsAbs(p) {
		abs = c.workdir() + string(filepath.Separator) + p
	}
	real, err := canonicalize(abs)
	if err != nil {
		return target{}, fmt.Errorf("path %q: %s", p, fsErrorMessage(err))
	}
	for _, r := range c.roots {
		if rel, ok := within(real, r.path); ok {
			return target{path: real, root: r, rel: rel}, nil
		}
	}
	return target{}, fmt.Errorf("path %q is outside the working directory", p)
}

// resolveWritable is resolve for write and edit: the target must also lie
// outside every read-only root.
func (c *confinement) resolveWritable(p string) (target, error) {
	t, err := c.resolve(p)
	if err != nil {
		return t, err
	}
	for _, ro := range c.readOnly {
		if _, ok := within(t.path, ro); ok {
			return target{}, fmt.Errorf("path %q is in a read-only directory", p)
		}
	}
	return t, nil
}

// within reports whether path is root or lies beneath it, comparing whole
// segments, and returns path relative to root. Both are clean and absolute.
func within(path, root string) (string, bool) {
	if path == root {
		return ".", true
	}
	prefix := root
	if !strings.HasSuffix(prefix, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
	}
	if rest, ok := strings.CutPrefix(path, prefix); ok {
		return rest, true
	}
	return "", false
}

// canonicalize resolves abs component by component as the kernel does: a
// symbolic link is replaced by its target (relative targets against the
// link's directory) before the components after it, and ".." steps back from
// what has been resolved so far. Components that do not exist are kept as
// they are, so a path about to be created resolves too; a dangling link is
// followed to where it points.
func canonicalize(abs string) (string, error) {
	resolved := string(filepath.Separator)
	if vol := filepath.VolumeName(abs); vol != "" {
		resolved = vol + string(filepath.Separator)
		abs = abs[len(vol):]
	}
	pending := splitPath(abs)
	hops := 0
	for len(pending) > 0 {
		name := pending[0]
		pending = pending[1:]
		if name == ".." {
			resolved = filepath.Dir(resolved)
			continue
		}
		next := filepath.Join(resolved, name)
		info, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			resolved = next
			continue
		case err != nil:
			return "", err
		case info.Mode()&fs.ModeSymlink == 0:
			resolved = next
			continue
		}
		hops++
		if hops > maxSymlinkHops {
			return "", errSymlinkLoop
		}
		link, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(link) {
			resolved = string(filepath.Separator)
			if vol := filepath.VolumeName(link); vol != "" {
				resolved = vol + string(filepath.Separator)
				link = link[len(vol):]
			}
		}
		pending = append(splitPath(link), pending...)
	}
	return resolved, nil
}

// splitPath returns the components of p, without empty and "." ones.
func splitPath(p string) []string {
	parts := strings.FieldsFunc(p, func(r rune) bool { return r < utf8.RuneSelf && os.IsPathSeparator(uint8(r)) })
	out := parts[:0]
	for _, part := range parts {
		if part != "." {
			out = append(out, part)
		}
	}
	return out
}

// fsErrorMessage maps a filesystem error to a short message naming no host
// path: what the model needs to know, not where the working directory is.
func fsErrorMessage(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, syscall.ENOTDIR):
		return "not a directory"
	case errors.Is(err, syscall.EISDIR):
		return "is a directory"
	case errors.Is(err, errSymlinkLoop), errors.Is(err, syscall.ELOOP):
		return errSymlinkLoop.Error()
	case errors.Is(err, errNotRegular):
		return errNotRegular.Error()
	case errors.Is(err, syscall.ENOSPC):
		return "no space left on device"
	case errors.Is(err, syscall.EROFS):
		return "read-only file system"
	}
	if strings.Contains(err.Error(), "path escapes from parent") {
		return "path escapes the working directory"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return "i/o error"
}
