package sseframe

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
	sse "github.com/tmaxmax/go-sse"
)

type frame struct{ name, data string }

// readAll reads every frame of input, in chunks of at most chunk bytes.
func readAll(t *testing.T, input string, chunk, max int) ([]frame, error) {
	t.Helper()
	var r io.Reader = strings.NewReader(input)
	if chunk > 0 {
		r = iotest.HalfReader(&chunked{r: r, n: chunk})
	}
	fr := NewReader(r, max)
	var out []frame
	for {
		name, data, err := fr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, frame{string(name), string(data)})
	}
}

type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func TestReader(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 3*bufferSize+17)
	tests := []struct {
		name  string
		input string
		want  []frame
	}{
		{"one frame", "event: a.b\ndata: {\"x\":1}\n\n", []frame{{"a.b", `{"x":1}`}}},
		{"no space after colon", "event:a\ndata:1\n\n", []frame{{"a", "1"}}},
		{"only one space stripped", "data:  1\n\n", []frame{{"", " 1"}}},
		{"CRLF", "event: a\r\ndata: 1\r\n\r\n", []frame{{"a", "1"}}},
		{"CR", "event: a\rdata: 1\r\r", []frame{{"a", "1"}}},
		{"mixed line ends", "data: 1\r\rdata: 2\r\n\ndata: 3\n\r", []frame{{"", "1"}, {"", "2"}, {"", "3"}}},
		{"multi-line data", "data: a\ndata: b\ndata\n\n", []frame{{"", "a\nb\n"}}},
		{"comments and unknown fields", ": hi\nid: 7\nretry: 10\nfoo: bar\ndata: 1\n\n", []frame{{"", "1"}}},
		{"frame without data is dropped", "event: ping\n\ndata: 1\n\n", []frame{{"", "1"}}},
		{"name resets after a frame", "event: a\ndata: 1\n\ndata: 2\n\n", []frame{{"a", "1"}, {"", "2"}}},
		{"empty data is a frame", "data:\n\n", []frame{{"", ""}}},
		{"BOM", "\xEF\xBB\xBFdata: 1\n\n", []frame{{"", "1"}}},
		{"cut-off frame dropped", "data: 1\n\ndata: 2\n", []frame{{"", "1"}}},
		{"cut-off line dropped", "data: 1\n\ndata: 2", []frame{{"", "1"}}},
		{"long line", "event: big\ndata: " + long + "\n\n", []frame{{"big", long}}},
		{"blank lines between", "\n\n\ndata: 1\n\n\n", []frame{{"", "1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, chunk := range []int{0, 1, 7} {
				got, err := readAll(t, tt.input, chunk, 0)
				require.NoError(t, err)
				require.Equal(t, tt.want, got, "chunk %d", chunk)
			}
		})
	}
}

func TestReaderDataIsTheCallers(t *testing.T) {
	t.Parallel()
	fr := NewReader(strings.NewReader("event: a\ndata: 1\n\nevent: b\ndata: 2\n\n"), 0)
	name1, data1, err := fr.Next()
	require.NoError(t, err)
	require.Equal(t, "a", string(name1))
	_, data2, err := fr.Next()
	require.NoError(t, err)
	require.Equal(t, "1", string(data1), "a later frame must not overwrite an earlier one's data")
	require.Equal(t, "2", string(data2))
}

func TestReaderMaxEventSize(t *testing.T) {
	t.Parallel()
	for _, input := range []string{
		"data: 12345678901\n\n",                             // one line
		"data: 123456\ndata: 123456\n\n",                    // joined lines
		"data: " + strings.Repeat("y", 4*bufferSize) + "\n", // a line longer than the buffer
	} {
		_, err := readAll(t, input, 0, 10)
		require.ErrorIs(t, err, bufio.ErrTooLong)
	}
	got, err := readAll(t, "data: 1234567890\n\n", 0, 10)
	require.NoError(t, err)
	require.Equal(t, []frame{{"", "1234567890"}}, got)
}

func TestReaderError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	fr := NewReader(io.MultiReader(strings.NewReader("data: 1\n\ndata: 2"), iotest.ErrReader(boom)), 0)
	_, data, err := fr.Next()
	require.NoError(t, err)
	require.Equal(t, "1", string(data))
	_, _, err = fr.Next()
	require.ErrorIs(t, err, boom)
}

// FuzzReader checks the reader against go-sse's sse.Read, the parser the
// stream used before: the frames with data must be the same.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"event: a\ndata: 1\n\n", "data: a\r\ndata: b\r\n\r\n", "data:1\r\r", ": c\nid: 1\n\ndata: x\n\n",
		"\xEF\xBB\xBFevent:e\ndata\n\n", "data: 1\n\ndata: 2", "event: a\n\nevent: b\ndata: 2\n\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		var want []frame
		for ev, err := range sse.Read(strings.NewReader(input), nil) {
			if err != nil {
				t.Skip(err)
			}
			if ev.Data != "" {
				want = append(want, frame{ev.Type, ev.Data})
			}
		}
		got, err := readAll(t, input, 0, 0)
		require.NoError(t, err)
		var gotData []frame
		for _, g := range got {
			if g.data != "" {
				gotData = append(gotData, g)
			}
		}
		require.Equal(t, want, gotData, "%q", input)
	})
}
