package managedagentstest_test

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

// recordItems records the given requests against recCounterServer and
// returns the recording's name.
func recordItems(t *testing.T, reqs ...[3]string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "match")
	srv := recCounterServer(t)
	rec, err := managedagentstest.OpenRecorder(name, managedagentstest.WithMode(managedagentstest.ModeRecord))
	require.NoError(t, err)
	for _, r := range reqs {
		req, err := http.NewRequest(r[0], srv.URL+r[1], strings.NewReader(r[2]))
		require.NoError(t, err)
		req.Header.Set("Anthropic-Beta", "managed-agents-2026-04-01")
		resp, err := rec.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	require.NoError(t, rec.Close())
	return name
}

// replayOne sends one request to a replay and returns the status and the
// failures reported to the test.
func replayOne(t *testing.T, name string, r [3]string, opts ...managedagentstest.RecorderOption) (int, []string) {
	t.Helper()
	tb := &recTB{}
	rec := recNewRecorderTB(tb, name, append(opts, managedagentstest.WithMode(managedagentstest.ModeReplay))...)
	require.NotNil(t, rec, "%v", tb.errors())
	defer tb.finish()
	req, err := http.NewRequest(r[0], "http://127.0.0.1:1"+r[1], strings.NewReader(r[2]))
	require.NoError(t, err)
	req.Header.Set("Anthropic-Beta", "other-beta")
	resp, err := rec.Client().Do(req)
	require.NoError(t, err)
	io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusBadRequest {
		require.Equal(t, "false", resp.Header.Get("X-Should-Retry"))
	}
	return resp.StatusCode, tb.errors()
}

func TestReplayMatching(t *testing.T) {
	t.Parallel()
	name := recordItems(t,
		[3]string{"POST", "/v1/items", `{"name":"a","n":1,"tags":["x","y"]}`},
		[3]string{"GET", "/v1/items?limit=2&types%5B%5D=a&types%5B%5D=b", ""},
	)
	cases := []struct {
		name  string
		req   [3]string
		opts  []managedagentstest.RecorderOption
		diffs []string // nil: it matches
	}{
		{name: "JSON compared as values", req: [3]string{"POST", "/v1/items", `{ "tags": ["x", "y"], "n": 1.0, "name": "a" }`}},
		{name: "query order of names", req: [3]string{"GET", "/v1/items?types%5B%5D=a&types%5B%5D=b&limit=2", ""}},
		{name: "body", req: [3]string{"POST", "/v1/items", `{"name":"b","tags":["x"],"extra":true}`}, diffs: []string{
			`body.extra: got true, recorded nothing`,
			`body.n: got nothing, recorded 1`,
			`body.name: got "b", recorded "a"`,
			`body.tags[1]: got nothing, recorded "y"`,
		}},
		{name: "body not JSON", req: [3]string{"POST", "/v1/items", `name=a`}, diffs: []string{
			`body: got "name=a", recorded {"n":1,"name":"a","tags":["x","y"]}`,
		}},
		{name: "query values in order", req: [3]string{"GET", "/v1/items?limit=3&types%5B%5D=b&types%5B%5D=a", ""}, diffs: []string{
			`query limit: got ["3"], recorded ["2"]`,
			`query types[]: got ["b","a"], recorded ["a","b"]`,
		}},
		{name: "the closest has the same method and path", req: [3]string{"GET", "/v1/items", ""}, diffs: []string{
			`query limit: got nothing, recorded ["2"]`,
			`query types[]: got nothing, recorded ["a","b"]`,
		}},
		{name: "method and path", req: [3]string{"DELETE", "/v1/other", ""}, diffs: []string{
			`method: got DELETE, recorded POST`,
			`path: got "/v1/other", recorded "/v1/items"`,
			`body: got nothing, recorded {"n":1,"name":"a","tags":["x","y"]}`,
		}},
		{name: "a matcher that ignores bodies", req: [3]string{"POST", "/v1/items", `{"name":"z"}`},
			opts: []managedagentstest.RecorderOption{managedagentstest.WithMatcher(managedagentstest.MatchMethod, managedagentstest.MatchPath)}},
		{name: "a matcher with a header", req: [3]string{"POST", "/v1/items", `{"name":"a","n":1,"tags":["x","y"]}`},
			opts:  []managedagentstest.RecorderOption{managedagentstest.WithMatcher(managedagentstest.MatchDefault, managedagentstest.MatchHeader("anthropic-beta"))},
			diffs: []string{`header Anthropic-Beta: got ["other-beta"], recorded ["managed-agents-2026-04-01"]`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, errs := replayOne(t, name, c.req, c.opts...)
			if c.diffs == nil {
				require.Equal(t, 200, status)
				require.Empty(t, errs)
				return
			}
			require.Equal(t, http.StatusBadRequest, status)
			require.Len(t, errs, 1)
			lines := strings.Split(errs[0], "\n")
			require.Len(t, lines, 3+len(c.diffs), errs[0])
			require.Contains(t, lines[1], "closest recorded request not replayed yet: #")
			for i, d := range c.diffs {
				require.Equal(t, "    "+d, lines[2+i])
			}
		})
	}
}

// Identical requests get the recorded answers in order; one more than were
// recorded fails, saying so.
func TestReplayConsumesInOrder(t *testing.T) {
	t.Parallel()
	name := recordItems(t,
		[3]string{"GET", "/v1/items", ""},
		[3]string{"POST", "/v1/items", `{"name":"a"}`},
		[3]string{"GET", "/v1/items", ""},
	)
	rec, err := managedagentstest.OpenRecorder(name, managedagentstest.WithMode(managedagentstest.ModeReplay))
	require.NoError(t, err)
	get := func() (int, string) {
		resp, err := rec.Client().Get("http://127.0.0.1:1/v1/items")
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	_, first := get()
	_, second := get() // the POST has not been replayed: order across requests is free
	require.Equal(t, `{"data":null,"limit":""}`, first)
	require.Equal(t, `{"data":["a"],"limit":""}`, second)
	status, body := get()
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, "recording_mismatch_error")
	require.Len(t, rec.Unplayed(), 1)
	require.Equal(t, "POST", rec.Unplayed()[0].Request.Method)

	err = rec.Close()
	require.ErrorContains(t, err, "holds no answer for GET /v1/items\n"+
		"  it matches 2 recorded request(s) (#1, #3), all replayed already: the code makes this request more often than when it was recorded")
}
