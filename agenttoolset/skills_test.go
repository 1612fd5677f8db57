package agenttoolset

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// member is one entry of a test archive.
type member struct {
	name, body string
	mode       fs.FileMode // 0 means 0644; fs.ModeDir, fs.ModeSymlink as types
	link       string
}

func zipArchive(t *testing.T, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		hdr := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		mode := m.mode
		if mode == 0 {
			mode = 0o644
		}
		hdr.SetMode(mode)
		w, err := zw.CreateHeader(hdr)
		require.NoError(t, err)
		body := m.body
		if mode&fs.ModeSymlink != 0 {
			body = m.link
		}
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func tarArchive(t *testing.T, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		hdr := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: tar.TypeReg}
		switch {
		case m.mode&fs.ModeDir != 0:
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeDir, 0o755, 0
		case m.mode&fs.ModeSymlink != 0:
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeSymlink, m.link, 0
		case m.link != "":
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, m.link, 0
		case m.mode != 0:
			hdr.Mode = int64(m.mode.Perm())
		}
		require.NoError(t, tw.WriteHeader(hdr))
		if hdr.Typeflag == tar.TypeReg {
			_, err := tw.Write([]byte(m.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// tree lists the files below dir as "path mode content" lines.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		if p == dir {
			return nil
		}
		info, err := d.Info()
		require.NoError(t, err)
		rel, _ := filepath.Rel(dir, p)
		line := rel + " " + info.Mode().String()
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			line += " " + string(data)
		}
		out = append(out, line)
		return nil
	}))
	sort.Strings(out)
	return out
}

var skillMembers = []member{
	{name: "invoice-parser/", mode: fs.ModeDir | 0o755},
	{name: "invoice-parser/SKILL.md", body: "---\nname: invoice-parser\n---\n"},
	{name: "invoice-parser/scripts/parse.py", body: "print(1)\n", mode: 0o700},
	{name: "invoice-parser/link", mode: fs.ModeSymlink | 0o777, link: "/etc/passwd"},
}

var skillTree = []string{
	"SKILL.md -rw-r--r-- ---\nname: invoice-parser\n---\n",
	"scripts drwxr-xr-x",
	"scripts/parse.py -rwxr-xr-x print(1)\n",
}

func TestInstallSkillFormats(t *testing.T) {
	plainTar := tarArchive(t, skillMembers...)
	tests := []struct {
		name    string
		archive []byte
	}{
		{"zip", zipArchive(t, skillMembers...)},
		{"tar", plainTar},
		{"tar.gz", gzipped(t, plainTar)},
		{"tar with a hard link", tarArchive(t, append(skillMembers[:3:3], member{name: "invoice-parser/hard", link: "invoice-parser/SKILL.md"})...)},
	}
	if bz, err := exec.LookPath("bzip2"); err == nil {
		cmd := exec.Command(bz, "-c")
		cmd.Stdin = bytes.NewReader(plainTar)
		out, err := cmd.Output()
		require.NoError(t, err)
		tests = append(tests, struct {
			name    string
			archive []byte
		}{"tar.bz2", out})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newToolset(t, Options{})
			dir, err := ts.InstallSkill("invoice-parser", "skill_01", bytes.NewReader(tc.archive), int64(len(tc.archive)))
			require.NoError(t, err)
			require.Equal(t, filepath.Join(ts.Workdir(), "skills", "invoice-parser"), dir)
			require.Equal(t, skillTree, tree(t, dir))
		})
	}
}

func TestInstallSkillLayout(t *testing.T) {
	ts := newToolset(t, Options{})
	flat := zipArchive(t, member{name: "SKILL.md", body: "a"}, member{name: "lib/x.py", body: "b"})
	dir, err := ts.InstallSkill("flat", "skill_02", bytes.NewReader(flat), int64(len(flat)))
	require.NoError(t, err)
	require.Equal(t, []string{"SKILL.md -rw-r--r-- a", "lib drwxr-xr-x", "lib/x.py -rw-r--r-- b"}, tree(t, dir))

	// An existing directory of the same name is replaced; a name that is
	// not one safe segment gives way to the skill id.
	writeFile(t, ts.Workdir(), "skills/skill_03/stale.txt", "old")
	writeFile(t, ts.Workdir(), "skills/mine/keep.txt", "mine")
	one := zipArchive(t, member{name: "./top/SKILL.md", body: "new"})
	for _, name := range []string{"../escape", "a/b", " ", ".", "..", ""} {
		dir, err = ts.InstallSkill(name, "skill_03", bytes.NewReader(one), int64(len(one)))
		require.NoError(t, err)
		require.Equal(t, filepath.Join(ts.Workdir(), "skills", "skill_03"), dir)
		require.Equal(t, []string{"SKILL.md -rw-r--r-- new"}, tree(t, dir))
	}
	_, err = ts.InstallSkill("../x", "../y", bytes.NewReader(one), int64(len(one)))
	require.ErrorContains(t, err, "no name usable as a directory")

	// RemoveSkills removes what was installed, and nothing else.
	require.NoError(t, ts.RemoveSkills())
	require.Equal(t, []string{"mine drwxr-xr-x", "mine/keep.txt -rw-r--r-- mine"}, tree(t, filepath.Join(ts.Workdir(), "skills")))

	// From a stream, as the download's body.
	dir, err = ts.InstallSkillFrom("streamed", "skill_04", bytes.NewReader(flat))
	require.NoError(t, err)
	require.Len(t, tree(t, dir), 3)
}

func TestInstallSkillRefusesBadArchives(t *testing.T) {
	manyMembers := []member{{name: "s/a", body: "1"}, {name: "s/b", body: "2"}, {name: "s/c", body: "3"}, {name: "s/d", body: "4"}}
	tests := []struct {
		name    string
		archive []byte
		want    string
	}{
		{"zip slip", zipArchive(t, member{name: "s/ok.txt", body: "x"}, member{name: "s/../../../outside/evil.txt", body: "evil"}), "escapes the skill directory"},
		{"tar slip", tarArchive(t, member{name: "s/ok.txt", body: "x"}, member{name: "../evil.txt", body: "evil"}), "escapes the skill directory"},
		{"absolute zip member", zipArchive(t, member{name: "/tmp/evil.txt", body: "evil"}), "is not a relative path"},
		{"absolute tar member", gzipped(t, tarArchive(t, member{name: "/tmp/evil.txt", body: "evil"})), "is not a relative path"},
		{"too many zip members", zipArchive(t, manyMembers...), "more than 3 members"},
		{"too many tar members", tarArchive(t, manyMembers...), "more than 3 members"},
		{"too many bytes in a zip", zipArchive(t, member{name: "s/big", body: strings.Repeat("z", 101)}), "more than 100 bytes decompressed"},
		{"too many bytes in a tar", tarArchive(t, member{name: "s/a", body: strings.Repeat("z", 60)}, member{name: "s/b", body: strings.Repeat("z", 60)}), "more than 100 bytes decompressed"},
		{"not an archive", []byte("this is not an archive at all, not even close, no....................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................."), "bad skill archive"},
		{"truncated zip", zipArchive(t, skillMembers...)[:40], "bad skill archive"},
		{"corrupt gzip", append([]byte{0x1f, 0x8b}, bytes.Repeat([]byte{0xff}, 64)...), "bad skill archive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			work := filepath.Join(base, "work")
			require.NoError(t, os.Mkdir(work, 0o755))
			ts, err := New(work, Options{})
			require.NoError(t, err)
			defer ts.Close()
			ts.lim.skillMaxMembers = 3
			ts.lim.skillMaxBytes = 100
			_, err = ts.InstallSkill("s", "skill_05", bytes.NewReader(tc.archive), int64(len(tc.archive)))
			require.ErrorIs(t, err, ErrSkillArchive)
			require.ErrorContains(t, err, tc.want)
			// Nothing left: not the skill directory, not a byte outside.
			require.Equal(t, []string{"skills drwxr-xr-x"}, tree(t, work))
			entries, err := os.ReadDir(base)
			require.NoError(t, err)
			require.Len(t, entries, 1)
			_, err = os.Stat("/tmp/evil.txt")
			require.ErrorIs(t, err, os.ErrNotExist)
		})
	}
}

func TestInstallSkillDoesNotFollowAPlantedLink(t *testing.T) {
	base := t.TempDir()
	work, outside := filepath.Join(base, "work"), filepath.Join(base, "outside")
	require.NoError(t, os.Mkdir(work, 0o755))
	require.NoError(t, os.Mkdir(outside, 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(work, "skills")))
	ts, err := New(work, Options{})
	require.NoError(t, err)
	defer ts.Close()
	archive := zipArchive(t, skillMembers...)
	_, err = ts.InstallSkill("invoice-parser", "skill_06", bytes.NewReader(archive), int64(len(archive)))
	require.Error(t, err)
	require.Empty(t, tree(t, outside))

	// The stream form refuses an archive over the byte cap before unpacking.
	ts.lim.skillMaxBytes = 10
	_, err = ts.InstallSkillFrom("x", "skill_07", bytes.NewReader(archive))
	require.ErrorIs(t, err, ErrSkillArchive)
}
