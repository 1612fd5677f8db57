package agenttoolset

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadWholeFileAndRanges(t *testing.T) {
	ts := newToolset(t, Options{})
	writeFile(t, ts.Workdir(), "four.txt", "l1\nl2\nl3\nl4\n")
	writeFile(t, ts.Workdir(), "noeol.txt", "a\nb")
	writeFile(t, ts.Workdir(), "empty.txt", "")
	abs := filepath.Join(ts.Workdir(), "four.txt")

	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"whole file, verbatim, no line numbers", `{"file_path":"four.txt"}`, "l1\nl2\nl3\nl4\n"},
		{"absolute path inside", `{"file_path":"` + abs + `"}`, "l1\nl2\nl3\nl4\n"},
		{"dot segments inside", `{"file_path":"./sub/../four.txt"}`, "l1\nl2\nl3\nl4\n"},
		// The reference's own examples (self-hosted.md §5.2).
		{"range reaching EOF keeps the final newline", `{"file_path":"four.txt","view_range":[3,-1]}`, "l3\nl4\n"},
		{"inner range", `{"file_path":"four.txt","view_range":[2,3]}`, "l2\nl3"},
		{"end 0 means EOF", `{"file_path":"four.txt","view_range":[4,0]}`, "l4\n"},
		{"start below 1 means 1", `{"file_path":"four.txt","view_range":[-5,1]}`, "l1"},
		{"end past EOF", `{"file_path":"four.txt","view_range":[2,99]}`, "l2\nl3\nl4\n"},
		{"start past EOF is empty", `{"file_path":"four.txt","view_range":[9,12]}`, noOutput},
		{"end before start is empty", `{"file_path":"four.txt","view_range":[3,2]}`, noOutput},
		{"empty range means the whole file", `{"file_path":"four.txt","view_range":[]}`, "l1\nl2\nl3\nl4\n"},
		{"no final newline", `{"file_path":"noeol.txt","view_range":[2,-1]}`, "b"},
		{"empty file", `{"file_path":"empty.txt"}`, noOutput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireOK(t, run(t, ts, ToolRead, json.RawMessage(tc.input)), tc.want)
		})
	}
}

func TestReadErrors(t *testing.T) {
	ts := newToolset(t, Options{MaxFileBytes: 16})
	writeFile(t, ts.Workdir(), "big.txt", "0123456789\nabcdefghij\nKLMNOPQRSTUVWXYZ0123\n")
	writeFile(t, ts.Workdir(), "dir/file", "x")
	require.NoError(t, exec.Command("mkfifo", filepath.Join(ts.Workdir(), "fifo")).Run())

	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"missing file_path", `{}`, "file_path is required"},
		{"empty file_path", `{"file_path":""}`, "file_path is required"},
		{"not an object", `[1]`, "must be a JSON object"},
		{"wrong type", `{"file_path":7}`, "file_path must be a string"},
		{"range of one number", `{"file_path":"big.txt","view_range":[1]}`, "view_range must be [start_line, end_line]"},
		{"range of three numbers", `{"file_path":"big.txt","view_range":[1,2,3]}`, "view_range must be [start_line, end_line]"},
		{"range not numbers", `{"file_path":"big.txt","view_range":["a","b"]}`, "must be an integer"},
		{"missing", `{"file_path":"nope.txt"}`, "nope.txt: no such file or directory"},
		{"directory", `{"file_path":"dir"}`, "dir: is a directory"},
		{"fifo is never opened", `{"file_path":"fifo"}`, "fifo: not a regular file"},
		{"too big without a range", `{"file_path":"big.txt"}`, "big.txt is 43 bytes, more than the 16-byte limit; read it in parts with view_range"},
		{"range over the cap", `{"file_path":"big.txt","view_range":[1,2]}`, "view_range [1, 2] of big.txt holds more than the 16-byte limit"},
		{"one line over the cap", `{"file_path":"big.txt","view_range":[3,3]}`, "holds more than the 16-byte limit"},
		{"path with a NUL", `{"file_path":"a\u0000b"}`, "NUL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireFailure(t, run(t, ts, ToolRead, json.RawMessage(tc.input)), ToolRead, tc.want)
		})
	}

	// A range within the cap reads a file that is over it.
	requireOK(t, run(t, ts, ToolRead, ReadInput{FilePath: "big.txt", ViewRange: []int64{2, 2}}), "abcdefghij")
}

func TestReadLargeFileByRangeStreams(t *testing.T) {
	ts := newToolset(t, Options{})
	var b strings.Builder
	for i := range 200000 {
		b.WriteString("line ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteByte('\n')
	}
	writeFile(t, ts.Workdir(), "huge.txt", b.String())
	requireOK(t, run(t, ts, ToolRead, ReadInput{FilePath: "huge.txt", ViewRange: []int64{199999, 200000}}),
		"line "+strings.Repeat("x", 199998%7)+"\nline "+strings.Repeat("x", 199999%7))
	requireFailure(t, run(t, ts, ToolRead, ReadInput{FilePath: "huge.txt"}), ToolRead, "more than the 262144-byte limit")

	unlimited := newToolset(t, Options{MaxFileBytes: -1})
	writeFile(t, unlimited.Workdir(), "huge.txt", b.String())
	requireOK(t, run(t, unlimited, ToolRead, ReadInput{FilePath: "huge.txt"}), b.String())
}
