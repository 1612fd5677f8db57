package managedagentstest_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func skillFS(name, description string) fstest.MapFS {
	return fstest.MapFS{
		"SKILL.md":       {Data: []byte("---\nname: " + name + "\ndescription: " + description + "\n---\n# " + name + "\n")},
		"scripts/run.sh": {Data: []byte("#!/bin/sh\necho ok\n")},
		"notes.txt":      {Data: []byte("plain\n")},
	}
}

// A skill built from an uploaded directory, its versions, its archive, and
// its deletion with every version.
func TestSkillsLife(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	ctx := context.Background()

	sk, err := c.Skills.Create(ctx, managedagents.SkillCreateParams{FS: skillFS("invoice-parser", "Parses invoices.")})
	require.NoError(t, err)
	require.Equal(t, "invoice-parser", sk.DisplayName, "by default the name of SKILL.md")
	require.Equal(t, managedagents.SkillSourceCustom, sk.Source.Type)
	require.Contains(t, sk.ID, "skill_")
	first := sk.LatestVersionID

	v2, err := c.Skills.Versions.Create(ctx, sk.ID, managedagents.SkillVersionCreateParams{FS: skillFS("invoice-parser", "Parses invoices, v2.")})
	require.NoError(t, err)
	require.Equal(t, "invoice-parser", v2.Name)
	require.Equal(t, "Parses invoices, v2.", v2.Description)
	got, err := c.Skills.Get(ctx, sk.ID, managedagents.SkillGetParams{})
	require.NoError(t, err)
	require.Equal(t, v2.ID, got.LatestVersionID)
	latest, err := c.Skills.Versions.Get(ctx, sk.ID, managedagents.SkillVersionLatest, managedagents.SkillVersionGetParams{})
	require.NoError(t, err)
	require.Equal(t, v2.ID, latest.ID)

	var ids []string
	for v, err := range c.Skills.Versions.ListAll(ctx, sk.ID, managedagents.SkillVersionListParams{Limit: 1}) {
		require.NoError(t, err)
		ids = append(ids, v.ID)
	}
	require.Equal(t, []string{v2.ID, first}, ids, "newest first")

	// The archive: one directory named after the skill; scripts executable.
	d, err := c.Skills.Versions.Download(ctx, sk.ID, v2.ID, managedagents.SkillVersionDownloadParams{})
	require.NoError(t, err)
	data, err := io.ReadAll(d)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	require.Equal(t, "application/zip", d.ContentType)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "invoice-parser/scripts/run.sh" {
			require.NotZero(t, f.Mode()&0o100)
		}
	}
	require.ElementsMatch(t, []string{"invoice-parser/", "invoice-parser/SKILL.md", "invoice-parser/notes.txt",
		"invoice-parser/scripts/", "invoice-parser/scripts/run.sh"}, names)

	dir := filepath.Join(t.TempDir(), "skills", "invoice-parser")
	_, err = c.Skills.Versions.Unpack(ctx, sk.ID, managedagents.SkillVersionLatest, managedagents.SkillVersionUnpackParams{Dir: dir})
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(dir, "SKILL.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "Parses invoices, v2.", "latest: the second version")

	_, err = c.Skills.Versions.Create(ctx, sk.ID, managedagents.SkillVersionCreateParams{FS: skillFS("other-name", "x")})
	require.ErrorIs(t, err, managedagents.ErrBadRequest, "a version keeps the skill's name")

	del, err := c.Skills.Versions.Delete(ctx, sk.ID, v2.ID, managedagents.SkillVersionDeleteParams{})
	require.NoError(t, err)
	require.Equal(t, "skill_version_deleted", del.Type)
	got, err = c.Skills.Get(ctx, sk.ID, managedagents.SkillGetParams{})
	require.NoError(t, err)
	require.Equal(t, first, got.LatestVersionID, "the latest is the one before")
	_, err = c.Skills.Versions.Delete(ctx, sk.ID, first, managedagents.SkillVersionDeleteParams{})
	require.ErrorIs(t, err, managedagents.ErrBadRequest, "a skill keeps a version")

	_, err = c.Skills.Delete(ctx, sk.ID, managedagents.SkillDeleteParams{})
	require.NoError(t, err)
	_, err = c.Skills.Versions.Get(ctx, sk.ID, first, managedagents.SkillVersionGetParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound, "the versions went with the skill")
}

func TestSkillsListBySource(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	ctx := context.Background()
	_, err := c.Skills.Create(ctx, managedagents.SkillCreateParams{FS: skillFS("mine", "Mine."), DisplayName: "My skill"})
	require.NoError(t, err)
	count := func(source string) (n int) {
		for _, err := range c.Skills.ListAll(ctx, managedagents.SkillListParams{Source: source}) {
			require.NoError(t, err)
			n++
		}
		return n
	}
	require.Equal(t, 1, count(managedagents.SkillSourceCustom))
	require.Equal(t, 4, count(managedagents.SkillSourceAnthropic))
	require.Equal(t, 5, count(""))
	xlsx, err := c.Skills.Get(ctx, "xlsx", managedagents.SkillGetParams{})
	require.NoError(t, err)
	require.Equal(t, managedagents.SkillSourceAnthropic, xlsx.Source.Type)
	_, err = c.Skills.Delete(ctx, "xlsx", managedagents.SkillDeleteParams{})
	require.ErrorIs(t, err, managedagents.ErrPermissionDenied, "Anthropic's skills are read-only")
}

// The fake checks skill uploads as the reference describes them.
func TestSkillsWire(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithMaxFileSize(1000))
	md := "---\nname: a-skill\ndescription: d\n---\n"
	for _, tc := range []struct {
		name   string
		parts  [][4]string
		status int
		msg    string
	}{
		{"ok, name from the top directory", [][4]string{{"files[]", "from-dir/SKILL.md", "text/markdown", "---\ndescription: d\n---\n"}}, 200, `"display_name":"from-dir"`},
		{"ok, with display name", [][4]string{{"display_name", "", "", "Shown"}, {"files[]", "x/SKILL.md", "", md}}, 200, `"display_name":"Shown"`},
		{"no files", [][4]string{{"display_name", "", "", "x"}}, 400, "files[]: field required"},
		{"a file at the top", [][4]string{{"files[]", "SKILL.md", "", md}}, 400, "under the skill's top-level directory"},
		{"two top directories", [][4]string{{"files[]", "a/SKILL.md", "", md}, {"files[]", "b/x", "", "x"}}, 400, "same top-level directory"},
		{"no SKILL.md", [][4]string{{"files[]", "a/README.md", "", "x"}}, 400, "SKILL.md is required"},
		{"SKILL.md one level down", [][4]string{{"files[]", "a/b/SKILL.md", "", md}}, 400, "SKILL.md is required"},
		{"escape", [][4]string{{"files[]", "a/SKILL.md", "", md}, {"files[]", "a/../../x", "", "x"}}, 400, "not a relative path"},
		{"twice", [][4]string{{"files[]", "a/SKILL.md", "", md}, {"files[]", "a/SKILL.md", "", md}}, 400, "given twice"},
		{"no description", [][4]string{{"files[]", "a/SKILL.md", "", "---\nname: a\n---\n"}}, 400, "description"},
		{"bad name", [][4]string{{"files[]", "a/SKILL.md", "", "---\nname: Not A Slug\ndescription: d\n---\n"}}, 400, "kebab-case"},
		{"old part name", [][4]string{{"files", "a/SKILL.md", "", md}}, 400, "unexpected form field"},
		{"too large", [][4]string{{"files[]", "a/SKILL.md", "", md}, {"files[]", "a/big", "", string(make([]byte, 1001))}}, 413, "larger than 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, h := multipartBody(t, tc.parts...)
			r := call(t, srv, "POST", "/v1/skills", body, h)
			require.Equal(t, tc.status, r.Status, "%s", r.Body)
			require.Contains(t, string(r.Body), tc.msg)
		})
	}
	body, h := multipartBody(t, [4]string{"display_name", "", "", "x"}, [4]string{"files[]", "a/SKILL.md", "", md})
	r := call(t, srv, "POST", "/v1/skills/xlsx/versions", body, h)
	require.Equal(t, 400, r.Status, "a version takes no display_name: %s", r.Body)
	r = call(t, srv, "GET", "/v1/skills/xlsx/versions/latest/content", nil, nil)
	require.Equal(t, 400, r.Status, "download by id only")
	r = call(t, srv, "GET", "/v1/skills?source=plugin", nil, nil)
	require.Equal(t, 400, r.Status)
}
