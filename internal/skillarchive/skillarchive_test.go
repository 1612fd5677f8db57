package skillarchive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// entry is a member of a test archive.
type entry struct {
	name string
	body string
	mode fs.FileMode // fs.ModeDir, fs.ModeSymlink, 0o755, ...; 0 means 0o644
	link string      // a link's target
}

func zipArchive(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		body := e.body
		if mode&fs.ModeSymlink != 0 {
			body = e.link
		}
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func tarArchive(t testing.TB, gz bool, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	var tw *tar.Writer
	var gw *gzip.Writer
	if gz {
		gw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(gw)
	} else {
		tw = tar.NewWriter(&buf)
	}
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(e.body)), Linkname: e.link}
		switch {
		case e.mode&fs.ModeDir != 0:
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		case e.mode&fs.ModeSymlink != 0:
			h.Typeflag, h.Size = tar.TypeSymlink, 0
		case e.mode&fs.ModeDevice != 0:
			h.Typeflag, h.Size = tar.TypeChar, 0
		case e.link != "":
			h.Typeflag, h.Size = tar.TypeLink, 0
		case e.mode != 0:
			h.Mode = int64(e.mode.Perm())
		}
		require.NoError(t, tw.WriteHeader(h))
		if h.Size > 0 {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	if gw != nil {
		require.NoError(t, gw.Close())
	}
	return buf.Bytes()
}

// unpack unpacks archive into a new directory, inside a parent that holds
// nothing else, and returns the directory, its files (path → content, "/"
// for a directory, a trailing "*" for an executable) and the error.
func unpack(t testing.TB, archive []byte, lim Limits) (string, map[string]string, error) {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, "skill")
	require.NoError(t, os.Mkdir(dir, 0o755))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	err = Unpack(root, bytes.NewReader(archive), int64(len(archive)), lim)
	require.NoError(t, root.Close())
	// Nothing is ever written outside the directory.
	entries, rerr := os.ReadDir(parent)
	require.NoError(t, rerr)
	require.Len(t, entries, 1, "something was written next to the directory")
	return dir, tree(t, dir), err
}

func tree(t testing.TB, dir string) map[string]string {
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		require.NoError(t, err)
		switch {
		case d.IsDir():
			out[rel] = "/"
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			out[rel] = string(b)
			if info.Mode()&0o100 != 0 {
				out[rel] += "*"
			}
		default:
			out[rel] = "special " + info.Mode().String()
		}
		return nil
	}))
	return out
}

var skillFiles = []entry{
	{name: "pdf/", mode: fs.ModeDir | 0o755},
	{name: "pdf/SKILL.md", body: "---\nname: pdf\n---\n"},
	{name: "pdf/scripts/run.sh", body: "echo ok\n", mode: 0o755},
}

var wantSkill = map[string]string{"SKILL.md": "---\nname: pdf\n---\n", "scripts": "/", "scripts/run.sh": "echo ok\n*"}

func TestUnpackFormats(t *testing.T) {
	t.Parallel()
	bz2, err := os.ReadFile(filepath.Join("testdata", "skill.tar.bz2"))
	require.NoError(t, err)
	for name, archive := range map[string][]byte{
		"zip":     zipArchive(t, skillFiles...),
		"tar":     tarArchive(t, false, skillFiles...),
		"tar.gz":  tarArchive(t, true, skillFiles...),
		"tar.bz2": bz2,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, files, err := unpack(t, archive, DefaultLimits)
			require.NoError(t, err)
			if name == "tar.bz2" {
				require.Equal(t, map[string]string{"SKILL.md": "---\nname: pdf\ndescription: Reads PDFs.\n---\n", "run.sh": "#!/bin/sh\necho ok\n*"}, files)
				return
			}
			require.Equal(t, wantSkill, files)
		})
	}
}

func TestUnpackTopDirectory(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		entries []entry
		want    map[string]string
	}{
		{"one top directory, stripped", []entry{{name: "a/SKILL.md", body: "x"}, {name: "a/b/c", body: "y"}},
			map[string]string{"SKILL.md": "x", "b": "/", "b/c": "y"}},
		{"files at the top, kept", []entry{{name: "SKILL.md", body: "x"}, {name: "b/c", body: "y"}},
			map[string]string{"SKILL.md": "x", "b": "/", "b/c": "y"}},
		{"two top directories, kept", []entry{{name: "a/SKILL.md", body: "x"}, {name: "b/c", body: "y"}},
			map[string]string{"a": "/", "a/SKILL.md": "x", "b": "/", "b/c": "y"}},
		{"dot segments cleaned", []entry{{name: "./a//SKILL.md", body: "x"}, {name: "a/./c", body: "y"}},
			map[string]string{"SKILL.md": "x", "c": "y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, files, err := unpack(t, zipArchive(t, tc.entries...), DefaultLimits)
			require.NoError(t, err)
			require.Equal(t, tc.want, files)
		})
	}
}

// Names that would leave the directory make the whole archive refused,
// before anything is written for a tar, in zip and tar alike.
func TestUnpackRefusesEscapingNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"../evil", "a/../../evil", "/etc/evil", `a\..\evil`, "C:/evil", "a/\x00b"} {
		archives := map[string][]byte{"zip": zipArchive(t, entry{name: "a/SKILL.md", body: "x"}, entry{name: name, body: "evil"})}
		if !strings.Contains(name, "\x00") { // a tar cannot hold a NUL in a name
			archives["tar"] = tarArchive(t, false, entry{name: "a/SKILL.md", body: "x"}, entry{name: name, body: "evil"})
		}
		for format, archive := range archives {
			t.Run(format+" "+strconv.Quote(name), func(t *testing.T) {
				t.Parallel()
				_, files, err := unpack(t, archive, DefaultLimits)
				require.ErrorIs(t, err, ErrArchive)
				if format == "tar" {
					require.Empty(t, files, "nothing written")
				}
			})
		}
	}
}

// Links, devices and other special members are skipped, never created.
func TestUnpackSkipsSpecialMembers(t *testing.T) {
	t.Parallel()
	special := []entry{
		{name: "a/SKILL.md", body: "x"},
		{name: "a/passwd", mode: fs.ModeSymlink | 0o777, link: "/etc/passwd"},
		{name: "a/up", mode: fs.ModeSymlink | 0o777, link: "../.."},
	}
	for format, archive := range map[string][]byte{
		"zip": zipArchive(t, special...),
		"tar": tarArchive(t, false, append(special,
			entry{name: "a/hard", link: "/etc/shadow"},
			entry{name: "a/tty", mode: fs.ModeDevice | fs.ModeCharDevice})...),
	} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			_, files, err := unpack(t, archive, DefaultLimits)
			require.NoError(t, err)
			require.Equal(t, map[string]string{"SKILL.md": "x"}, files)
		})
	}
}

// A symbolic link already in the destination cannot lead a write out of it.
func TestUnpackNeverFollowsALinkOut(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	dir := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "scripts")))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	archive := zipArchive(t, entry{name: "SKILL.md", body: "x"}, entry{name: "scripts/run.sh", body: "pwned"})
	err = Unpack(root, bytes.NewReader(archive), int64(len(archive)), DefaultLimits)
	require.Error(t, err)
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	require.Empty(t, entries, "nothing written through the link")
}

func TestUnpackRefusesDuplicates(t *testing.T) {
	t.Parallel()
	for _, entries := range [][]entry{
		{{name: "a/SKILL.md", body: "x"}, {name: "a/SKILL.md", body: "y"}},
		{{name: "a/SKILL.md", body: "x"}, {name: "a/./SKILL.md", body: "y"}},
	} {
		_, files, err := unpack(t, tarArchive(t, false, entries...), DefaultLimits)
		require.ErrorIs(t, err, ErrArchive)
		require.ErrorContains(t, err, "appears twice")
		require.Equal(t, "x", files["SKILL.md"], "the first one is not overwritten")
	}
	_, _, err := unpack(t, zipArchive(t, entry{name: "a/b", body: "x"}, entry{name: "a/b/c", body: "y"}), DefaultLimits)
	require.Error(t, err, "a file where a directory goes")
}

func TestUnpackLimits(t *testing.T) {
	t.Parallel()
	many := []entry{{name: "SKILL.md", body: "x"}}
	for i := range 10 {
		many = append(many, entry{name: "f" + strconv.Itoa(i), body: "x"})
	}
	lim := Limits{MaxMembers: 10, MaxBytes: 1 << 20}
	_, _, err := unpack(t, zipArchive(t, many...), lim)
	require.ErrorContains(t, err, "more than 10 members (11 in its directory)", "a zip's count is read from its end record")
	_, files, err := unpack(t, tarArchive(t, false, many...), lim)
	require.ErrorContains(t, err, "more than 10 members")
	require.Empty(t, files, "a tar is counted before anything is written")

	// A zip bomb: 8 MiB of zeros in a few KiB.
	bomb := zipArchive(t, entry{name: "SKILL.md", body: "x"}, entry{name: "zeros", body: strings.Repeat("\x00", 8<<20)})
	require.Less(t, len(bomb), 64<<10)
	_, files, err = unpack(t, bomb, lim)
	require.ErrorIs(t, err, ErrArchive)
	require.ErrorContains(t, err, "more than 1048576 bytes decompressed")
	require.LessOrEqual(t, len(files["zeros"]), 1<<20+1, "writing stopped at the limit")
}

// zip64: past 65,535 entries the count is in the zip64 end record; here as
// archive/zip writes it.
func TestUnpackZip64Count(t *testing.T) {
	t.Parallel()
	if testing.Short() || raceEnabled {
		t.Skip("builds a zip of 65,536 entries (TestUnpackZip64Records checks the records always)")
	}
	entries := make([]entry, 65536)
	for i := range entries {
		entries[i] = entry{name: "f" + strconv.Itoa(i)}
	}
	archive := zipArchive(t, entries...)
	err := checkZipCount(bytes.NewReader(archive), int64(len(archive)), DefaultLimits.MaxMembers)
	require.ErrorContains(t, err, "more than 10000 members (65536 in its directory)")
}

// The zip64 end records, written by hand: the count is read from the zip64
// record the locator points to.
func TestUnpackZip64Records(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	var rec []byte
	rec = append(rec, "PK\x06\x06"...)
	rec = le.AppendUint64(rec, 44)     // size of the rest of the record
	rec = append(rec, 45, 0, 45, 0)    // versions
	rec = le.AppendUint32(rec, 0)      // this disk
	rec = le.AppendUint32(rec, 0)      // disk of the directory
	rec = le.AppendUint64(rec, 70_000) // entries on this disk
	rec = le.AppendUint64(rec, 70_000) // entries
	rec = le.AppendUint64(rec, 0)      // directory size
	rec = le.AppendUint64(rec, 0)      // directory offset
	rec = append(rec, "PK\x06\x07"...) // the locator
	rec = le.AppendUint32(rec, 0)
	rec = le.AppendUint64(rec, 0) // offset of the zip64 record
	rec = le.AppendUint32(rec, 1)
	rec = append(rec, "PK\x05\x06"...)                   // the end record
	rec = append(rec, 0, 0, 0, 0)                        // disks
	rec = append(rec, bytes.Repeat([]byte{0xff}, 12)...) // counts, size and offset: in the zip64 record
	rec = append(rec, 0, 0)                              // comment length
	err := checkZipCount(bytes.NewReader(rec), int64(len(rec)), DefaultLimits.MaxMembers)
	require.ErrorContains(t, err, "more than 10000 members (70000 in its directory)")

	le.PutUint64(rec[56+8:], 1<<40) // the locator points past the end
	err = checkZipCount(bytes.NewReader(rec), int64(len(rec)), DefaultLimits.MaxMembers)
	require.ErrorContains(t, err, "bad zip64 end record offset")
}

func TestUnpackRefusesGarbage(t *testing.T) {
	t.Parallel()
	good := zipArchive(t, skillFiles...)
	for name, archive := range map[string][]byte{
		"empty":          {},
		"html":           []byte("<html><title>Sign in</title></html>"),
		"truncated zip":  good[:len(good)/2],
		"corrupt gzip":   append([]byte{0x1f, 0x8b}, bytes.Repeat([]byte{7}, 100)...),
		"empty tar":      tarArchive(t, false),
		"only dirs":      zipArchive(t, entry{name: "a/", mode: fs.ModeDir | 0o755}),
		"truncated tar":  tarArchive(t, false, skillFiles...)[:700],
		"zip, no record": append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 100)...),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, err := unpack(t, archive, DefaultLimits)
			require.ErrorIs(t, err, ErrArchive)
		})
	}
}

// FuzzUnpack feeds arbitrary archives: Unpack never panics, never writes
// outside its directory (checked by unpack), and reports the content's
// problems as ErrArchive.
func FuzzUnpack(f *testing.F) {
	f.Add(zipArchive(f, skillFiles...))
	f.Add(tarArchive(f, false, skillFiles...))
	f.Add(tarArchive(f, true, skillFiles...))
	f.Add(zipArchive(f, entry{name: "../x", body: "x"}))
	f.Fuzz(func(t *testing.T, archive []byte) {
		_, files, err := unpack(t, archive, Limits{MaxMembers: 50, MaxBytes: 1 << 16})
		var pe *fs.PathError
		if err != nil && !errors.Is(err, ErrArchive) && !errors.As(err, &pe) {
			t.Fatalf("unexpected error: %v", err)
		}
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if strings.Contains(n, "..") && strings.Contains("/"+n+"/", "/../") {
				t.Fatalf("a member named %q", n)
			}
		}
	})
}
