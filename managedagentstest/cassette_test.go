package managedagentstest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

// A JSON answer is stored as JSON, laid out for reading, and replayed with
// the same bytes: escapes and number forms are kept.
func TestFixtureKeepsJSONExact(t *testing.T) {
	t.Parallel()
	const answer = `{"html":"\u003cb\u003e \"q\" é","n":1.50,"big":12345678901234567890,"list":[1,2,3],` +
		`"long":{"a":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","b":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	name := filepath.Join(t.TempDir(), "exact")
	rec, err := managedagentstest.OpenRecorder(name, managedagentstest.WithMode(managedagentstest.ModeRecord))
	require.NoError(t, err)
	resp, err := rec.Client().Post(srv.URL+"/v1/x", "application/json", strings.NewReader(`{"q":"\u0026"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.NoError(t, rec.Close())

	doc, err := os.ReadFile(name + ".json")
	require.NoError(t, err)
	require.Contains(t, string(doc), `"body": {"q": "\u0026"}`)
	require.Contains(t, string(doc), `"html": "\u003cb\u003e \"q\" é",`)
	require.Contains(t, string(doc), `"n": 1.50,`)
	require.Contains(t, string(doc), `"list": [1, 2, 3],`)
	require.Contains(t, string(doc), "\"long\": {\n")
	for _, line := range strings.Split(string(doc), "\n") {
		require.LessOrEqual(t, len(line), 100, "a line longer than the layout's width: %s", line)
	}

	rec, err = managedagentstest.OpenRecorder(name, managedagentstest.WithMode(managedagentstest.ModeReplay))
	require.NoError(t, err)
	resp, err = rec.Client().Post("http://127.0.0.1:1/v1/x", "application/json", strings.NewReader(`{"q":"&"}`))
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, answer, string(got))
	require.Equal(t, int64(len(answer)), resp.ContentLength)
	require.NoError(t, rec.Close())
}

// A recording that cannot be replayed as it is says why.
func TestFixtureLoadErrors(t *testing.T) {
	t.Parallel()
	stream := func(file, end string, size int) string {
		return `{"format":"managedagentstest/recording","version":1,"interactions":[{"seq":1,` +
			`"request":{"method":"GET","path":"/s"},"response":{"status":200,"latency":"1ms",` +
			`"stream":{"file":"` + file + `","end":"` + end + `","end_at":"1ms","chunks":[{"at":"1ms","size":` + strconv.Itoa(size) + `}]}}}]}`
	}
	cases := []struct {
		name, doc, want string
	}{
		{"not JSON", `hello`, "is not a recording"},
		{"another format", `{"format":"vcr","version":1}`, `format "vcr", want "managedagentstest/recording"`},
		{"a later version", `{"format":"managedagentstest/recording","version":2}`, "is a version 2 recording; this package reads version 1: record it again"},
		{"changed stream", stream("x.001.sse", "eof", 5), `x.001.sse holds 6 bytes but its chunks add up to 5: was it changed, for example by git's line-ending conversion?`},
		{"stream outside", stream("../x.001.sse", "eof", 6), `stream file "../x.001.sse" must be a file name next to the recording`},
		{"unknown end", stream("x.001.sse", "later", 6), `unknown end "later"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "x.json"), []byte(c.doc), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "x.001.sse"), []byte("data:\n"), 0o644))
			_, err := managedagentstest.OpenRecorder(filepath.Join(dir, "x.json"), managedagentstest.WithMode(managedagentstest.ModeReplay))
			require.ErrorContains(t, err, c.want)
		})
	}
}
