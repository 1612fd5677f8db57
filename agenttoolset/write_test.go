package agenttoolset

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteCreatesAndReplaces(t *testing.T) {
	ts := newToolset(t, Options{})
	dir := ts.Workdir()

	requireOK(t, run(t, ts, ToolWrite, WriteInput{FilePath: "a/b/new.txt", Content: "héllo\n"}), "wrote 7 bytes to a/b/new.txt")
	requireFileContent(t, filepath.Join(dir, "a/b/new.txt"), "héllo\n")
	requireMode(t, filepath.Join(dir, "a/b/new.txt"), 0o600)
	requireMode(t, filepath.Join(dir, "a/b"), 0o700|os.ModeDir)

	// An existing file keeps its mode.
	script := writeFile(t, dir, "run.sh", "old")
	require.NoError(t, os.Chmod(script, 0o751))
	requireOK(t, run(t, ts, ToolWrite, WriteInput{FilePath: script, Content: ""}), "wrote 0 bytes to "+script)
	requireFileContent(t, script, "")
	requireMode(t, script, 0o751)

	// Writing through a link inside the working directory writes its target.
	writeFile(t, dir, "target.txt", "before")
	require.NoError(t, os.Symlink("target.txt", filepath.Join(dir, "link.txt")))
	requireOK(t, run(t, ts, ToolWrite, WriteInput{FilePath: "link.txt", Content: "after"}), "wrote 5 bytes to link.txt")
	requireFileContent(t, filepath.Join(dir, "target.txt"), "after")
	info, err := os.Lstat(filepath.Join(dir, "link.txt"))
	require.NoError(t, err)
	require.Equal(t, os.ModeSymlink, info.Mode().Type())

	// No temporary file is left behind.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.NotContains(t, e.Name(), ".agenttoolset-")
	}
}

func TestWriteErrors(t *testing.T) {
	ro := t.TempDir()
	ts := newToolset(t, Options{AllowedRoots: []string{ro}, ReadOnlyRoots: []string{ro}})
	writeFile(t, ts.Workdir(), "dir/x", "x")
	writeFile(t, ts.Workdir(), "file", "x")
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"missing file_path", `{"content":"x"}`, "file_path is required"},
		{"missing content", `{"file_path":"x"}`, "content is required"},
		{"null content", `{"file_path":"x","content":null}`, "content is required"},
		{"a directory", `{"file_path":"dir","content":"x"}`, "dir: is a directory"},
		{"the working directory", `{"file_path":".","content":"x"}`, "is a directory"},
		{"below a file", `{"file_path":"file/child","content":"x"}`, "not a directory"},
		{"read-only root", `{"file_path":"` + filepath.Join(ro, "f") + `","content":"x"}`, "is in a read-only directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireFailure(t, run(t, ts, ToolWrite, json.RawMessage(tc.input)), ToolWrite, tc.want)
		})
	}
	_, err := os.Stat(filepath.Join(ro, "f"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestEdit(t *testing.T) {
	ts := newToolset(t, Options{MaxFileBytes: 64})
	dir := ts.Workdir()
	p := writeFile(t, dir, "main.go", "package main\n\nfunc a() {}\nfunc b() {}\n")
	require.NoError(t, os.Chmod(p, 0o640))

	requireOK(t, run(t, ts, ToolEdit, EditInput{FilePath: "main.go", OldString: "func a()", NewString: "func alpha()"}), "edited main.go (1 replacement(s))")
	requireFileContent(t, p, "package main\n\nfunc alpha() {}\nfunc b() {}\n")
	requireMode(t, p, 0o640)

	requireOK(t, run(t, ts, ToolEdit, EditInput{FilePath: "main.go", OldString: "{}", NewString: "{ return }", ReplaceAll: true}), "edited main.go (2 replacement(s))")
	requireFileContent(t, p, "package main\n\nfunc alpha() { return }\nfunc b() { return }\n")

	requireOK(t, run(t, ts, ToolEdit, EditInput{FilePath: "main.go", OldString: "\n\n", NewString: ""}), "edited main.go (1 replacement(s))")
	requireFileContent(t, p, "package mainfunc alpha() { return }\nfunc b() { return }\n")

	writeFile(t, dir, "big.txt", string(make([]byte, 65)))
	ro := filepath.Join(dir, "ro")
	writeFile(t, ro, "f", "abc")
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"not found", `{"file_path":"main.go","old_string":"zzz","new_string":"y"}`, "old_string not found in main.go"},
		{"not unique", `{"file_path":"main.go","old_string":"return","new_string":"x"}`, "old_string occurs 2 times in main.go; make it unique or set replace_all"},
		{"empty old_string", `{"file_path":"main.go","old_string":"","new_string":"x"}`, "old_string must not be empty"},
		{"missing new_string", `{"file_path":"main.go","old_string":"a"}`, "new_string is required"},
		{"missing old_string", `{"file_path":"main.go","new_string":"a"}`, "old_string is required"},
		{"missing file", `{"file_path":"nope","old_string":"a","new_string":"b"}`, "nope: no such file or directory"},
		{"too big", `{"file_path":"big.txt","old_string":"a","new_string":"b"}`, "big.txt is 65 bytes, more than the 64-byte limit of the edit tool"},
		{"directory", `{"file_path":"ro","old_string":"a","new_string":"b"}`, "ro: is a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireFailure(t, run(t, ts, ToolEdit, json.RawMessage(tc.input)), ToolEdit, tc.want)
		})
	}
	requireFileContent(t, p, "package mainfunc alpha() { return }\nfunc b() { return }\n")

	// A read-only root refuses edits.
	tsRO := newToolset(t, Options{AllowedRoots: []string{ro}, ReadOnlyRoots: []string{ro}})
	requireFailure(t, run(t, tsRO, ToolEdit, EditInput{FilePath: filepath.Join(ro, "f"), OldString: "a", NewString: "b"}), ToolEdit, "read-only directory")
	requireFileContent(t, filepath.Join(ro, "f"), "abc")
}

func requireFileContent(t *testing.T, path, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, want, string(data))
}

func requireMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Lstat(path)
	require.NoError(t, err)
	require.Equal(t, want, info.Mode()&(os.ModeType|os.ModePerm))
}
