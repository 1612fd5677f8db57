package managedagents

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
)

// testSkillMD is the SKILL.md of the test skill.
const testSkillMD = "---\nname: invoice-parser\ndescription: Extracts line items and totals from PDF invoices.\n---\n\n# Invoice parser\n"

// testSkillFS returns the test skill: SKILL.md and one executable script.
func testSkillFS() fstest.MapFS {
	return fstest.MapFS{
		"SKILL.md":         {Data: []byte(testSkillMD), Mode: 0o644},
		"scripts/parse.py": {Data: []byte("print('total')\n"), Mode: 0o755},
	}
}

func TestSkillDecode(t *testing.T) {
	t.Parallel()
	var s Skill
	require.NoError(t, json.Unmarshal(fixture(t, "skills/skill.json"), &s))
	require.JSONEq(t, string(fixture(t, "skills/skill.json")), string(s.RawJSON()))
	require.Equal(t, Skill{
		ObjectMeta: ObjectMeta{ID: "skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", Type: "skill",
			CreatedAt: parseTS(t, "2026-09-12T14:31:07.455Z"), UpdatedAt: parseTS(t, "2026-11-05T10:02:48.917Z")},
		DisplayName:     "Invoice parser",
		LatestVersionID: "skver_01Hc8TzM4qWv2RbN6kYpXs3D",
		Source:          SkillSource{Type: SkillSourceCustom},
	}, *withoutRaw(&s))

	var v SkillVersion
	require.NoError(t, json.Unmarshal(fixture(t, "skills/skill_version.json"), &v))
	require.Equal(t, SkillVersion{
		ObjectMeta:  ObjectMeta{ID: "skver_01Hc8TzM4qWv2RbN6kYpXs3D", Type: "skill_version", CreatedAt: parseTS(t, "2026-11-05T10:02:48.917Z")},
		SkillID:     "skill_01XJ5bQpZ7wK3nVd8TfRm2Ls",
		Name:        "invoice-parser",
		Description: "Extracts line items and totals from PDF invoices. Use when the user asks about an invoice.",
	}, *withoutRaw(&v))
}

func TestSkillCreateBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params SkillCreateParams
	}{
		// The directory's name does not matter: the slug of SKILL.md names the parts.
		{"skills/create_dir.multipart", SkillCreateParams{Dir: filepath.Join("testdata", "skills", "invoice-parser"), DisplayName: `Invoice "parser"`}},
		{"skills/create_fs.multipart", SkillCreateParams{FS: testSkillFS()}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "skills/skill.json"))))
			s, err := c.Skills.Create(context.Background(), tc.params)
			require.NoError(t, err)
			require.Equal(t, "skver_01Hc8TzM4qWv2RbN6kYpXs3D", s.LatestVersionID)
			r := requireStorageRequest(t, *reqs, "POST", "/v1/skills", "")
			assertGoldenMultipart(t, tc.golden, r)
			require.Equal(t, strconv.Itoa(len(r.Body)), r.Header.Get("Content-Length"))
		})
	}
}

func TestSkillVersionCreateBody(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "skills/skill_version.json"))))
	fsys := testSkillFS()
	fsys["references/fields.json"] = &fstest.MapFile{Data: []byte(`{"total":"number"}`)}
	fsys["empty"] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
	v, err := c.Skills.Versions.Create(context.Background(), "skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", SkillVersionCreateParams{FS: fsys})
	require.NoError(t, err)
	require.Equal(t, "invoice-parser", v.Name)
	r := requireStorageRequest(t, *reqs, "POST", "/v1/skills/skill_01XJ5bQpZ7wK3nVd8TfRm2Ls/versions", "")
	assertGoldenMultipart(t, "skills/version_create.multipart", r)
}

// sizeFS is an fs.FS whose directory entries report the sizes of sizes
// instead of the real ones: files bigger than memory, or that change size.
type sizeFS struct {
	fstest.MapFS
	sizes map[string]int64
}

func (s sizeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := s.MapFS.ReadDir(name)
	for i, e := range entries {
		if n, ok := s.sizes[pathJoin(name, e.Name())]; ok {
			entries[i] = sizedEntry{e, n}
		}
	}
	return entries, err
}

func pathJoin(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

type sizedEntry struct {
	fs.DirEntry
	size int64
}

func (e sizedEntry) Info() (fs.FileInfo, error) {
	info, err := e.DirEntry.Info()
	return sizedInfo{info, e.size}, err
}

type sizedInfo struct {
	fs.FileInfo
	size int64
}

func (i sizedInfo) Size() int64 { return i.size }

// Everything a skill upload can get wrong is refused before sending.
func TestSkillCreateChecksBeforeSending(t *testing.T) {
	t.Parallel()
	withSkillMD := func(md string) fstest.MapFS {
		f := testSkillFS()
		f["SKILL.md"] = &fstest.MapFile{Data: []byte(md)}
		return f
	}
	dirWithLink := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dirWithLink, "SKILL.md"), []byte(testSkillMD), 0o644))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dirWithLink, "passwd")))
	many := testSkillFS()
	for i := range MaxSkillFiles {
		many["data/"+strconv.Itoa(i)] = &fstest.MapFile{}
	}
	for _, tc := range []struct {
		name    string
		params  SkillCreateParams
		field   string
		problem string
	}{
		{"neither", SkillCreateParams{}, "dir", "is required"},
		{"both", SkillCreateParams{Dir: ".", FS: testSkillFS()}, "dir", "not both"},
		{"missing dir", SkillCreateParams{Dir: filepath.Join(t.TempDir(), "nope")}, "dir", "no such file"},
		{"no SKILL.md", SkillCreateParams{FS: fstest.MapFS{"README.md": {Data: []byte("hi")}}}, "fs", "no SKILL.md"},
		{"SKILL.md one level down", SkillCreateParams{FS: fstest.MapFS{"invoice-parser/SKILL.md": {Data: []byte(testSkillMD)}}}, "fs", "no SKILL.md"},
		{"no frontmatter", SkillCreateParams{FS: withSkillMD("# Invoice parser\n")}, "fs", `start with a "---" line`},
		{"unclosed", SkillCreateParams{FS: withSkillMD("---\nname: a\n")}, "fs", "closing"},
		{"no name", SkillCreateParams{FS: withSkillMD("---\ndescription: d\n---\n")}, "fs", "name is required"},
		{"name not a slug", SkillCreateParams{FS: withSkillMD("---\nname: Invoice Parser\ndescription: d\n---\n")}, "fs", "kebab-case"},
		{"name too long", SkillCreateParams{FS: withSkillMD("---\nname: " + strings.Repeat("a", 65) + "\ndescription: d\n---\n")}, "fs", "more than 64"},
		{"no description", SkillCreateParams{FS: withSkillMD("---\nname: a\n---\n")}, "fs", "description is required"},
		{"description too long", SkillCreateParams{FS: withSkillMD("---\nname: a\ndescription: " + strings.Repeat("d", 1025) + "\n---\n")}, "fs", "more than 1024"},
		{"symbolic link", SkillCreateParams{Dir: dirWithLink}, "dir", "passwd is not a regular file"},
		{"too many files", SkillCreateParams{FS: many}, "fs", "more than 10000 files"},
		{"too many bytes", SkillCreateParams{FS: sizeFS{testSkillFS(), map[string]int64{"scripts/parse.py": MaxSkillBytes}}}, "fs", "more than 1073741824 bytes"},
		{"file name with a newline", SkillCreateParams{FS: fstest.MapFS{"SKILL.md": {Data: []byte(testSkillMD)}, "a\nb": {}}}, "fs", "control character"},
		{"display name on two lines", SkillCreateParams{FS: testSkillFS(), DisplayName: "a\nb"}, "display_name", "one line"},
		{"display name too long", SkillCreateParams{FS: testSkillFS(), DisplayName: strings.Repeat("é", 256)}, "display_name", "256 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "skills/skill.json"))))
			_, err := c.Skills.Create(context.Background(), tc.params)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tc.field, ve.Field)
			require.Contains(t, ve.Problem, tc.problem)
			require.ErrorIs(t, err, ErrInvalidParams)
			require.Empty(t, *reqs, "nothing sent")
		})
	}
}

// A file that changes size between the check and the sending fails the
// upload with what happened; nothing is sent twice.
func TestSkillCreateFileChangedWhileSending(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32 // the handler may still be reading when Create returns
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		replyJSON(200, string(fixture(t, "skills/skill.json")))(w, r)
	})
	_, err := c.Skills.Create(context.Background(), SkillCreateParams{FS: sizeFS{testSkillFS(), map[string]int64{"scripts/parse.py": 100}}})
	require.ErrorContains(t, err, "invoice-parser/scripts/parse.py")
	require.ErrorContains(t, err, "15 bytes, not the 100 announced")
	require.ErrorIs(t, err, errSizeChanged)
	require.NotErrorIs(t, err, ErrDeliveryUncertain)
	require.LessOrEqual(t, calls.Load(), int32(1))
}

func TestSkillGetListDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "skills/skill.json"))))
	s, err := c.Skills.Get(ctx, "skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", SkillGetParams{})
	require.NoError(t, err)
	require.Equal(t, "Invoice parser", s.DisplayName)
	requireStorageRequest(t, *reqs, "GET", "/v1/skills/skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", "")

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "skills/page_of_skills.json"))))
	page, err := c.Skills.List(ctx, SkillListParams{Source: SkillSourceAnthropic, Limit: 1000})
	require.NoError(t, err)
	require.Equal(t, SkillSourceAnthropic, page.Data[1].Source.Type)
	requireStorageRequest(t, *reqs, "GET", "/v1/skills", "limit=1000&source=anthropic")

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "skills/deleted.json"))))
	del, err := c.Skills.Delete(ctx, "skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", SkillDeleteParams{})
	require.NoError(t, err)
	require.Equal(t, "skill_deleted", del.Type)
	requireStorageRequest(t, *reqs, "DELETE", "/v1/skills/skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", "")

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "skills/page_of_versions.json"))))
	versions, err := c.Skills.Versions.List(ctx, "skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", SkillVersionListParams{Limit: 5, Page: "page_2"})
	require.NoError(t, err)
	require.Len(t, versions.Data, 2)
	requireStorageRequest(t, *reqs, "GET", "/v1/skills/skill_01XJ5bQpZ7wK3nVd8TfRm2Ls/versions", "limit=5&page=page_2")

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "skills/skill_version.json"))))
	v, err := c.Skills.Versions.Get(ctx, "skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", SkillVersionLatest, SkillVersionGetParams{})
	require.NoError(t, err)
	require.Equal(t, "skver_01Hc8TzM4qWv2RbN6kYpXs3D", v.ID)
	requireStorageRequest(t, *reqs, "GET", "/v1/skills/skill_01XJ5bQpZ7wK3nVd8TfRm2Ls/versions/latest", "")

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "skills/version_deleted.json"))))
	del, err = c.Skills.Versions.Delete(ctx, "skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", "skver_01Hc8TzM4qWv2RbN6kYpXs3D", SkillVersionDeleteParams{})
	require.NoError(t, err)
	require.Equal(t, "skill_version_deleted", del.Type)
	requireStorageRequest(t, *reqs, "DELETE", "/v1/skills/skill_01XJ5bQpZ7wK3nVd8TfRm2Ls/versions/skver_01Hc8TzM4qWv2RbN6kYpXs3D", "")
}

func TestSkillCallsValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(200, "{}"))
	for _, tc := range []struct {
		call  func() error
		field string
	}{
		{func() error { _, err := c.Skills.List(ctx, SkillListParams{Source: "plugin"}); return err }, "source"},
		{func() error { _, err := c.Skills.List(ctx, SkillListParams{Limit: 1001}); return err }, "limit"},
		{func() error { _, err := c.Skills.Get(ctx, "", SkillGetParams{}); return err }, "skill_id"},
		{func() error {
			_, err := c.Skills.Versions.Download(ctx, "skill_1", SkillVersionLatest, SkillVersionDownloadParams{})
			return err
		}, "version"},
		{func() error {
			_, err := c.Skills.Versions.Delete(ctx, "skill_1", SkillVersionLatest, SkillVersionDeleteParams{})
			return err
		}, "version"},
		{func() error {
			_, err := c.Skills.Versions.Get(ctx, "skill_1", "../x", SkillVersionGetParams{})
			return err
		}, "version"},
		{func() error {
			_, err := c.Skills.Versions.Unpack(ctx, "skill_1", "skver_1", SkillVersionUnpackParams{})
			return err
		}, "dir"},
	} {
		var ve *ValidationError
		require.ErrorAs(t, tc.call(), &ve)
		require.Equal(t, tc.field, ve.Field)
	}
	require.Empty(t, *reqs)
}

// unpackServer answers the version's Get and serves archive as its content.
func unpackServer(t *testing.T, archive []byte) (*Client, *[]recorded) {
	return newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/content") {
			w.Header().Set("Content-Type", "application/zip")
			_, _ = w.Write(archive)
			return
		}
		replyJSON(200, string(fixture(t, "skills/skill_version.json")))(w, r)
	})
}

func TestSkillVersionUnpack(t *testing.T) {
	t.Parallel()
	c, reqs := unpackServer(t, fixture(t, "skills/invoice-parser.zip"))
	dir := filepath.Join(t.TempDir(), "skills", "invoice-parser")
	v, err := c.Skills.Versions.Unpack(context.Background(), "skill_01XJ5bQpZ7wK3nVd8TfRm2Ls", SkillVersionLatest, SkillVersionUnpackParams{Dir: dir})
	require.NoError(t, err)
	require.Equal(t, "invoice-parser", v.Name)
	require.Len(t, *reqs, 2)
	require.Equal(t, "/v1/skills/skill_01XJ5bQpZ7wK3nVd8TfRm2Ls/versions/latest", (*reqs)[0].Path)
	require.Equal(t, "/v1/skills/skill_01XJ5bQpZ7wK3nVd8TfRm2Ls/versions/skver_01Hc8TzM4qWv2RbN6kYpXs3D/content", (*reqs)[1].Path, "downloaded by the resolved id")
	require.Equal(t, "application/binary", (*reqs)[1].Header.Get("Accept"))

	md, err := os.ReadFile(filepath.Join(dir, "SKILL.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "name: invoice-parser")
	info, err := os.Stat(filepath.Join(dir, "scripts", "parse.py"))
	require.NoError(t, err)
	require.NotZero(t, info.Mode()&0o100, "the executable bit is kept")
	want, err := os.ReadFile(filepath.Join("testdata", "skills", "invoice-parser", "scripts", "parse.py"))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "scripts", "parse.py"))
	require.NoError(t, err)
	require.Equal(t, want, got)
	requireOnly(t, filepath.Dir(dir), "invoice-parser")
}

// A version answered with an id that cannot name it in the download's path
// ("latest", a slash) is an answer that cannot be used: a *ResponseError of
// the Get, with its status and request id, not a fault of the caller's
// params; nothing is downloaded or written.
func TestSkillVersionUnpackRefusesAnUnusableVersionID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{SkillVersionLatest, "skver_1/../x", ""} {
		version, err := json.Marshal(map[string]string{"id": id, "type": "skill_version", "skill_id": "skill_1", "name": "invoice-parser"})
		require.NoError(t, err)
		c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Request-Id", "req_version")
			replyJSON(200, string(version))(w, r)
		})
		dir := filepath.Join(t.TempDir(), "skill")
		_, err = c.Skills.Versions.Unpack(context.Background(), "skill_1", SkillVersionLatest, SkillVersionUnpackParams{Dir: dir})
		var re *ResponseError
		require.ErrorAs(t, err, &re, id)
		require.ErrorIs(t, err, ErrMalformedResponse, id)
		require.NotErrorIs(t, err, ErrInvalidParams, "%q: the server's answer, not the caller's params", id)
		require.Equal(t, 200, re.StatusCode)
		require.Equal(t, "req_version", re.RequestID)
		require.Equal(t, 1, strings.Count(err.Error(), "managedagents:"), err.Error())
		require.Len(t, *reqs, 1, "nothing downloaded")
		require.NoDirExists(t, dir)
	}
}

// requireOnly checks that dir holds exactly names: no temporary file or
// directory was left behind.
func requireOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	require.ElementsMatch(t, names, got)
}

func TestSkillVersionUnpackIntoExistingDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := unpackServer(t, fixture(t, "skills/invoice-parser.zip"))
	parent := t.TempDir()
	dir := filepath.Join(parent, "skill")

	require.NoError(t, os.Mkdir(dir, 0o755))
	_, err := c.Skills.Versions.Unpack(ctx, "skill_1", "skver_1", SkillVersionUnpackParams{Dir: dir})
	require.NoError(t, err, "an empty directory is filled")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "stale.txt"), []byte("old"), 0o644))
	_, err = c.Skills.Versions.Unpack(ctx, "skill_1", "skver_1", SkillVersionUnpackParams{Dir: dir})
	require.ErrorContains(t, err, "not empty")
	require.FileExists(t, filepath.Join(dir, "stale.txt"), "left alone")

	_, err = c.Skills.Versions.Unpack(ctx, "skill_1", "skver_1", SkillVersionUnpackParams{Dir: dir, Replace: true})
	require.NoError(t, err)
	require.NoFileExists(t, filepath.Join(dir, "stale.txt"), "replaced as a whole")
	require.FileExists(t, filepath.Join(dir, "SKILL.md"))
	requireOnly(t, parent, "skill")
}

// A bad archive is refused with ErrSkillArchive and leaves nothing behind:
// neither the directory nor a temporary one, and an existing directory as it
// was.
func TestSkillVersionUnpackRefusesBadArchives(t *testing.T) {
	t.Parallel()
	for name, archive := range map[string][]byte{
		"zip slip":    zipOf(t, map[string]string{"invoice-parser/SKILL.md": "x", "../../escape.txt": "x"}),
		"absolute":    zipOf(t, map[string]string{"/etc/cron.d/x": "x"}),
		"not archive": []byte("<html>proxy login</html>"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, _ := unpackServer(t, archive)
			parent := t.TempDir()
			dir := filepath.Join(parent, "skill")
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("old"), 0o644))
			_, err := c.Skills.Versions.Unpack(context.Background(), "skill_1", "skver_1", SkillVersionUnpackParams{Dir: dir, Replace: true})
			require.ErrorIs(t, err, ErrSkillArchive)
			require.ErrorContains(t, err, "managedagents: skill skill_1 version skver_01Hc8TzM4qWv2RbN6kYpXs3D: ")
			requireOnly(t, parent, "skill")
			requireOnly(t, dir, "keep.txt")
		})
	}
}

// The archive download is bounded by the context, not by the request
// timeout, which bounds only the wait for the headers.
func TestSkillVersionDownloadReadsPastTheRequestTimeout(t *testing.T) {
	t.Parallel()
	archive := fixture(t, "skills/invoice-parser.zip")
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(archive)))
		_, _ = w.Write(archive[:10])
		w.(http.Flusher).Flush()
		time.Sleep(150 * time.Millisecond)
		_, _ = w.Write(archive[10:])
	})
	d, err := c.Skills.Versions.Download(context.Background(), "skill_1", "skver_1", SkillVersionDownloadParams{}, option.WithRequestTimeout(50*time.Millisecond))
	require.NoError(t, err)
	defer d.Close()
	n, err := io.Copy(io.Discard, d)
	require.NoError(t, err)
	require.Equal(t, int64(len(archive)), n)
}

// zipOf returns a zip holding files (name → content), names as given.
func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = io.WriteString(w, content)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}
