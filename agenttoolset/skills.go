package agenttoolset

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// SkillsDir is the directory of the working directory that skills are
// installed in, one directory per skill (self-hosted.md §3.6).
const SkillsDir = "skills"

// ErrSkillArchive is matched (errors.Is) by every error about the content of
// a skill archive: an unknown or corrupt format, a member escaping the skill
// directory, too many members or bytes.
var ErrSkillArchive = errors.New("agenttoolset: bad skill archive")

// InstallSkill unpacks the skill archive held by archive (size bytes: the
// body of GET /v1/skills/{skill_id}/versions/{version}/content) into
// {workdir}/skills/<name>, and returns that directory. name is the skill
// version's name; when it is not one safe path segment, skillID is used. An
// existing directory of that name is replaced.
//
// The archive is a zip when it starts with "PK\x03\x04", else a tar, plain or
// compressed with gzip or bzip2. When every member lies under one top-level
// directory, that directory is stripped. Only regular files and directories
// are written (links, devices and the like are skipped), files with mode 0755
// when executable and 0644 otherwise. A member whose name is absolute or has a
// ".." segment makes the whole archive refused, as do more than 10,000
// members or more than 1 GiB once decompressed. Every write goes through a
// handle on the skill directory that refuses to leave it, so a symbolic link
// planted in the working directory cannot redirect one. On failure the skill
// directory is removed.
func (t *Toolset) InstallSkill(name, skillID string, archive io.ReaderAt, size int64) (string, error) {
	if t.isClosed() {
		return "", ErrClosed
	}
	dirname, err := skillDirName(name, skillID)
	if err != nil {
		return "", err
	}
	work := t.fs.roots[0]
	rel := SkillsDir + "/" + dirname
	abs := filepath.Join(work.path, SkillsDir, dirname)
	if err := work.dir.MkdirAll(SkillsDir, 0o755); err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: create %s: %s", skillID, SkillsDir, fsErrorMessage(err))
	}
	if err := work.dir.RemoveAll(rel); err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: clear %s: %s", skillID, rel, fsErrorMessage(err))
	}
	if err := work.dir.Mkdir(rel, 0o755); err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: create %s: %s", skillID, rel, fsErrorMessage(err))
	}
	t.mu.Lock()
	t.skills = append(t.skills, rel)
	t.mu.Unlock()
	dest, err := work.dir.OpenRoot(rel)
	if err == nil {
		err = unpackArchive(dest, archive, size, t.lim)
		_ = dest.Close()
	}
	if err != nil {
		_ = work.dir.RemoveAll(rel)
		return "", fmt.Errorf("agenttoolset: skill %s: %w", skillID, err)
	}
	return abs, nil
}

// InstallSkillFrom is [Toolset.InstallSkill] for an archive read from r, such
// as the body of the download response: it is copied to a temporary file
// first (at most 1 GiB), since a zip must be read out of order.
func (t *Toolset) InstallSkillFrom(name, skillID string, r io.Reader) (string, error) {
	tmp, err := os.CreateTemp("", "agenttoolset-skill-*")
	if err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: %w", skillID, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(r, t.lim.skillMaxBytes+1))
	if err != nil {
		return "", fmt.Errorf("agenttoolset: skill %s: read the archive: %w", skillID, err)
	}
	if n > t.lim.skillMaxBytes {
		return "", fmt.Errorf("agenttoolset: skill %s: %w: the archive exceeds %d bytes", skillID, ErrSkillArchive, t.lim.skillMaxBytes)
	}
	return t.InstallSkill(name, skillID, tmp, n)
}

// RemoveSkills removes the skill directories this toolset installed, and
// nothing else: the skills directory and whatever else it holds stay.
func (t *Toolset) RemoveSkills() error {
	t.mu.Lock()
	dirs := t.skills
	t.skills = nil
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return ErrClosed
	}
	var errs []error
	for _, rel := range dirs {
		if err := t.fs.roots[0].dir.RemoveAll(rel); err != nil {
			errs = append(errs, fmt.Errorf("agenttoolset: remove %s: %s", rel, fsErrorMessage(err)))
		}
	}
	return errors.Join(errs...)
}

// skillDirName returns the skill's directory name: name when it is one safe
// path segment, else skillID when it is, else an error.
func skillDirName(name, skillID string) (string, error) {
	for _, candidate := range []string{strings.TrimSpace(name), skillID} {
		if candidate != "" && candidate != "." && candidate != ".." &&
			!strings.ContainsAny(candidate, "/\\\x00") && !strings.HasPrefix(candidate, "~") {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("agenttoolset: skill %q has no name usable as a directory", skillID)
}

// archiveMember is one regular file or directory of an archive.
type archiveMember struct {
	name string // cleaned, slash separated, top directory not stripped
	dir  bool
	mode fs.FileMode
	size int64 // declared
	open func() (io.Reader, error)
}

// unpackArchive writes the members of the archive into dest.
func unpackArchive(dest *os.Root, archive io.ReaderAt, size int64, lim limits) error {
	var magic [4]byte
	n, _ := archive.ReadAt(magic[:], 0)
	if n == 4 && bytes.Equal(magic[:], []byte("PK\x03\x04")) {
		return unpackZip(dest, archive, size, lim)
	}
	return unpackTar(dest, archive, size, lim)
}

func unpackZip(dest *os.Root, archive io.ReaderAt, size int64, lim limits) error {
	zr, err := zip.NewReader(archive, size)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSkillArchive, err)
	}
	if len(zr.File) > lim.skillMaxMembers {
		return fmt.Errorf("%w: more than %d members", ErrSkillArchive, lim.skillMaxMembers)
	}
	var members []archiveMember
	for _, f := range zr.File {
		mode := f.Mode()
		if !mode.IsRegular() && !mode.IsDir() {
			continue
		}
		name, err := memberName(f.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue
		}
		members = append(members, archiveMember{
			name: name, dir: mode.IsDir(), mode: mode, size: int64(min(f.UncompressedSize64, 1<<62)),
			open: func() (io.Reader, error) { return f.Open() },
		})
	}
	return writeMembers(dest, members, lim)
}

func unpackTar(dest *os.Root, archive io.ReaderAt, size int64, lim limits) error {
	// First pass: the names, to find a shared top directory; bounded by the
	// member count and the declared sizes before any byte is written.
	var members []archiveMember
	err := readTar(archive, size, func(hdr *tar.Header, _ io.Reader) error {
		if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != tar.TypeDir {
			return nil
		}
		name, err := memberName(hdr.Name)
		if err != nil || name == "" {
			return err
		}
		members = append(members, archiveMember{
			name: name, dir: hdr.Typeflag == tar.TypeDir, mode: hdr.FileInfo().Mode(), size: hdr.Size,
		})
		if len(members) > lim.skillMaxMembers {
			return fmt.Errorf("%w: more than %d members", ErrSkillArchive, lim.skillMaxMembers)
		}
		return checkDeclared(members, lim)
	})
	if err != nil {
		return err
	}
	// Second pass: the bytes.
	w := memberWriter{dest: dest, top: topDir(members), lim: lim, budget: lim.skillMaxBytes}
	return readTar(archive, size, func(hdr *tar.Header, body io.Reader) error {
		if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != tar.TypeDir {
			return nil
		}
		name, err := memberName(hdr.Name)
		if err != nil || name == "" {
			return err
		}
		return w.write(archiveMember{name: name, dir: hdr.Typeflag == tar.TypeDir, mode: hdr.FileInfo().Mode()}, body)
	})
}

// readTar calls fn for every header of the tar archive, decompressing it
// first when it starts with the gzip or bzip2 magic.
func readTar(archive io.ReaderAt, size int64, fn func(*tar.Header, io.Reader) error) error {
	var r io.Reader = io.NewSectionReader(archive, 0, size)
	var magic [3]byte
	n, _ := archive.ReadAt(magic[:], 0)
	switch {
	case n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		gz, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrSkillArchive, err)
		}
		defer gz.Close()
		r = gz
	case n == 3 && string(magic[:]) == "BZh":
		r = bzip2.NewReader(r)
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrSkillArchive, err)
		}
		if err := fn(hdr, tr); err != nil {
			return err
		}
	}
}

// checkDeclared refuses members whose declared sizes add up past the limit.
func checkDeclared(members []archiveMember, lim limits) error {
	var total int64
	for _, m := range members {
		total += m.size
		if total > lim.skillMaxBytes {
			return fmt.Errorf("%w: more than %d bytes decompressed", ErrSkillArchive, lim.skillMaxBytes)
		}
	}
	return nil
}

// writeMembers writes the members of a zip archive.
func writeMembers(dest *os.Root, members []archiveMember, lim limits) error {
	if err := checkDeclared(members, lim); err != nil {
		return err
	}
	w := memberWriter{dest: dest, top: topDir(members), lim: lim, budget: lim.skillMaxBytes}
	for _, m := range members {
		var body io.Reader
		if !m.dir {
			rc, err := m.open()
			if err != nil {
				return fmt.Errorf("%w: %s: %v", ErrSkillArchive, m.name, err)
			}
			body = rc
		}
		err := w.write(m, body)
		if c, ok := body.(io.Closer); ok {
			_ = c.Close()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// memberName cleans an archive member's name: "." and empty segments go,
// and a name that is absolute or has a ".." segment is refused (zip slip).
// The empty string means the member is the archive's root.
func memberName(name string) (string, error) {
	if strings.HasPrefix(name, "/") || strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("%w: member %q is not a relative path", ErrSkillArchive, name)
	}
	var parts []string
	for _, seg := range strings.Split(name, "/") {
		switch seg {
		case "", ".":
			continue
		case "..":
			return "", fmt.Errorf("%w: member %q escapes the skill directory", ErrSkillArchive, name)
		}
		parts = append(parts, seg)
	}
	return strings.Join(parts, "/"), nil
}

// topDir returns the top-level directory every member lies under, when there
// is one and something lies below it; else "".
func topDir(members []archiveMember) string {
	top, nested := "", false
	for i, m := range members {
		first, rest, _ := strings.Cut(m.name, "/")
		if i == 0 {
			top = first
		} else if first != top {
			return ""
		}
		if rest != "" {
			nested = true
		} else if !m.dir {
			return "" // a file at the top level
		}
	}
	if !nested {
		return ""
	}
	return top
}

// memberWriter writes members below dest, stripping top, within a budget of
// decompressed bytes.
type memberWriter struct {
	dest    *os.Root
	top     string
	lim     limits
	budget  int64
	written int
}

func (w *memberWriter) write(m archiveMember, body io.Reader) error {
	name := m.name
	if w.top != "" {
		name = strings.TrimPrefix(strings.TrimPrefix(name, w.top), "/")
	}
	if name == "" {
		return nil
	}
	w.written++
	if w.written > w.lim.skillMaxMembers {
		return fmt.Errorf("%w: more than %d members", ErrSkillArchive, w.lim.skillMaxMembers)
	}
	if m.dir {
		if err := w.dest.MkdirAll(name, 0o755); err != nil {
			return fmt.Errorf("create %s: %s", name, fsErrorMessage(err))
		}
		return nil
	}
	if parent := path.Dir(name); parent != "." {
		if err := w.dest.MkdirAll(parent, 0o755); err != nil {
			return fmt.Errorf("create %s: %s", parent, fsErrorMessage(err))
		}
	}
	mode := fs.FileMode(0o644)
	if m.mode&0o111 != 0 {
		mode = 0o755
	}
	f, err := w.dest.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("create %s: %s", name, fsErrorMessage(err))
	}
	n, err := io.Copy(f, io.LimitReader(archiveReader{body}, w.budget+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	w.budget -= n
	switch {
	case w.budget < 0:
		return fmt.Errorf("%w: more than %d bytes decompressed", ErrSkillArchive, w.lim.skillMaxBytes)
	case errors.Is(err, ErrSkillArchive):
		return fmt.Errorf("%w: %s", err, name)
	case err != nil:
		return fmt.Errorf("write %s: %s", name, fsErrorMessage(err))
	}
	return nil
}

// archiveReader marks the errors of reading a member (a corrupt or truncated
// archive) as ErrSkillArchive, apart from those of writing it out.
type archiveReader struct{ r io.Reader }

func (a archiveReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %v", ErrSkillArchive, err)
	}
	return n, err
}
