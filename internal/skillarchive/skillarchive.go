// Package skillarchive unpacks the archive of a skill version (the body of
// GET /v1/skills/{skill_id}/versions/{version}/content) into a directory,
// safely whatever the archive holds.
//
// The archive is a zip when it starts with the zip magic, else a tar, plain
// or compressed with gzip or bzip2 (more-resources.md §6.4). When every
// member lies under one top-level directory (the skill's name), that
// directory is stripped. The rules:
//
//   - every write goes through an [os.Root] on the destination, so no member
//     and no symbolic link found there can lead a write outside it;
//   - a member whose name is absolute, has a ".." segment, a backslash, a NUL
//     or a drive letter makes the whole archive refused (zip slip);
//   - only regular files and directories are written: symbolic and hard
//     links, devices and pipes are skipped; files get mode 0755 when the
//     archive marks them executable, else 0644, directories 0755 (no setuid,
//     no sticky bit, no archive-given owner);
//   - a name that appears twice is refused, as is a file where a directory
//     is (and the reverse);
//   - an archive without a file is refused;
//   - more than Limits.MaxMembers members, or more than Limits.MaxBytes
//     written (counted on the bytes themselves, not on the sizes the archive
//     declares), makes the archive refused; a zip's member count is checked
//     from its end record before its directory is read.
//
// On error the destination may hold part of the archive: unpack into a new
// directory and remove it on failure.
package skillarchive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Limits bound what an archive may hold.
type Limits struct {
	// MaxMembers is the most files and directories an archive may hold.
	MaxMembers int
	// MaxBytes is the most bytes its files may hold once decompressed (the
	// caller bounds the archive itself, which it must hold to read a zip).
	MaxBytes int64
}

// The default limits, those of the official SDK's skill extractor.
const (
	MaxMembers       = 10_000
	MaxBytes   int64 = 1 << 30
)

// DefaultLimits are [MaxMembers] and [MaxBytes].
var DefaultLimits = Limits{MaxMembers: MaxMembers, MaxBytes: MaxBytes}

// ErrArchive is matched (errors.Is) by every error about the content of an
// archive: an unknown or corrupt format, a member that would escape, a name
// twice, too many members or bytes.
var ErrArchive = errors.New("bad skill archive")

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrArchive, fmt.Sprintf(format, args...))
}

// member is one regular file or directory of an archive.
type member struct {
	name string // cleaned, slash separated, top directory not stripped
	dir  bool
	exec bool
	open func() (io.ReadCloser, error) // a file's bytes (zip only)
}

// Unpack writes the members of archive, size bytes long, into dest.
func Unpack(dest *os.Root, archive io.ReaderAt, size int64, lim Limits) error {
	var magic [4]byte
	n, _ := archive.ReadAt(magic[:], 0)
	if n == 4 && (bytes.Equal(magic[:], []byte("PK\x03\x04")) || bytes.Equal(magic[:], []byte("PK\x05\x06"))) {
		return unpackZip(dest, archive, size, lim)
	}
	return unpackTar(dest, archive, size, lim)
}

func unpackZip(dest *os.Root, archive io.ReaderAt, size int64, lim Limits) error {
	if err := checkZipCount(archive, size, lim.MaxMembers); err != nil {
		return err
	}
	zr, err := zip.NewReader(archive, size)
	if err != nil {
		return bad("%v", err)
	}
	var members []member
	for _, f := range zr.File {
		mode := f.Mode()
		if !mode.IsRegular() && !mode.IsDir() {
			continue
		}
		name, err := cleanName(f.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue
		}
		members = append(members, member{name: name, dir: mode.IsDir(), exec: mode&0o111 != 0, open: f.Open})
		if len(members) > lim.MaxMembers {
			return bad("more than %d members", lim.MaxMembers)
		}
	}
	w := newWriter(dest, members, lim)
	for _, m := range members {
		if err := w.write(m, nil); err != nil {
			return err
		}
	}
	return w.finish()
}

// checkZipCount reads the number of entries from the zip's end of central
// directory record (zip64 too) and refuses more than max, before
// archive/zip reads the directory into memory.
func checkZipCount(archive io.ReaderAt, size int64, max int) error {
	const eocdLen, maxComment = 22, 65535
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := archive.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return bad("%v", err)
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < eocdLen {
		return bad("zip: no end of central directory record")
	}
	count := uint64(binary.LittleEndian.Uint16(buf[i+10:]))
	if count == 0xffff && i >= 20 && bytes.Equal(buf[i-20:i-16], []byte("PK\x06\x07")) {
		// zip64: the locator points to the zip64 end record.
		off := int64(binary.LittleEndian.Uint64(buf[i-20+8:]))
		var rec [40]byte
		if off < 0 || off > size-int64(len(rec)) {
			return bad("zip: bad zip64 end record offset")
		}
		if _, err := archive.ReadAt(rec[:], off); err != nil || !bytes.Equal(rec[:4], []byte("PK\x06\x06")) {
			return bad("zip: bad zip64 end record")
		}
		count = binary.LittleEndian.Uint64(rec[32:])
	}
	if count > uint64(max) {
		return bad("more than %d members (%d in its directory)", max, count)
	}
	return nil
}

func unpackTar(dest *os.Root, archive io.ReaderAt, size int64, lim Limits) error {
	// First pass: the names, to find the top directory and refuse a bad name
	// before a byte is written.
	var members []member
	err := readTar(archive, size, func(hdr *tar.Header, _ io.Reader) error {
		m, ok, err := tarMember(hdr)
		if !ok || err != nil {
			return err
		}
		members = append(members, m)
		if len(members) > lim.MaxMembers {
			return bad("more than %d members", lim.MaxMembers)
		}
		return nil
	})
	if err != nil {
		return err
	}
	w := newWriter(dest, members, lim)
	err = readTar(archive, size, func(hdr *tar.Header, body io.Reader) error {
		m, ok, err := tarMember(hdr)
		if !ok || err != nil {
			return err
		}
		return w.write(m, body)
	})
	if err != nil {
		return err
	}
	return w.finish()
}

// tarMember returns the member of hdr; ok is false for what is skipped.
func tarMember(hdr *tar.Header) (m member, ok bool, err error) {
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeDir, '\x00': // '\x00': a regular file of old archives
	default:
		return member{}, false, nil // links (hard ones too), devices, pipes
	}
	name, err := cleanName(hdr.Name)
	if err != nil || name == "" {
		return member{}, false, err
	}
	return member{name: name, dir: hdr.Typeflag == tar.TypeDir, exec: hdr.Mode&0o111 != 0}, true, nil
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
			return bad("gzip: %v", err)
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
			return bad("tar: %v", err)
		}
		if err := fn(hdr, tr); err != nil {
			return err
		}
	}
}

// cleanName cleans a member's name: "." and empty segments go; a name that
// is absolute, has a ".." segment, a backslash, a NUL or a drive letter is
// refused. "" means the member is the archive's root.
func cleanName(name string) (string, error) {
	if strings.HasPrefix(name, "/") || strings.ContainsAny(name, "\\\x00") ||
		(len(name) >= 2 && name[1] == ':') {
		return "", bad("member %q is not a relative path", name)
	}
	var parts []string
	for seg := range strings.SplitSeq(name, "/") {
		switch seg {
		case "", ".":
			continue
		case "..":
			return "", bad("member %q escapes the skill directory", name)
		}
		parts = append(parts, seg)
	}
	return strings.Join(parts, "/"), nil
}

// topDir returns the top-level directory every member lies under, when there
// is one and something lies below it; else "".
func topDir(members []member) string {
	top, nested := "", false
	for i, m := range members {
		first, rest, _ := strings.Cut(m.name, "/")
		switch {
		case i == 0:
			top = first
		case first != top:
			return ""
		}
		if rest != "" {
			nested = true
		} else if !m.dir {
			return "" // a file at the top
		}
	}
	if !nested {
		return ""
	}
	return top
}

// writer writes members below dest, the top directory stripped, within the
// limits.
type writer struct {
	dest    *os.Root
	top     string
	lim     Limits
	budget  int64
	written int // members
	files   int
}

// finish refuses an archive that held no file: a skill has a SKILL.md at
// least.
func (w *writer) finish() error {
	if w.files == 0 {
		return bad("the archive holds no file")
	}
	return nil
}

func newWriter(dest *os.Root, members []member, lim Limits) *writer {
	return &writer{dest: dest, top: topDir(members), lim: lim, budget: lim.MaxBytes}
}

// write writes m: body is a tar member's bytes; a zip member opens its own.
func (w *writer) write(m member, body io.Reader) error {
	name := m.name
	if w.top != "" {
		name = strings.TrimPrefix(strings.TrimPrefix(name, w.top), "/")
	}
	if name == "" {
		return nil
	}
	if w.written++; w.written > w.lim.MaxMembers {
		return bad("more than %d members", w.lim.MaxMembers)
	}
	if m.dir {
		if err := w.dest.MkdirAll(name, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		return nil
	}
	if parent := path.Dir(name); parent != "." {
		if err := w.dest.MkdirAll(parent, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", parent, err)
		}
	}
	if m.open != nil {
		rc, err := m.open()
		if err != nil {
			return bad("%s: %v", name, err)
		}
		defer rc.Close()
		body = rc
	}
	w.files++
	mode := fs.FileMode(0o644)
	if m.exec {
		mode = 0o755
	}
	f, err := w.dest.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return bad("member %s appears twice", name)
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	n, err := io.Copy(f, io.LimitReader(readErrors{body}, w.budget+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	w.budget -= n
	switch {
	case w.budget < 0:
		return bad("more than %d bytes decompressed", w.lim.MaxBytes)
	case errors.Is(err, ErrArchive):
		return fmt.Errorf("%s: %w", name, err)
	case err != nil:
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// readErrors marks the errors of reading a member (a corrupt or truncated
// archive) as ErrArchive, apart from those of writing it out.
type readErrors struct{ r io.Reader }

func (a readErrors) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF {
		err = bad("%v", err)
	}
	return n, err
}
