package managedagents

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// testAPIKey is the key every test client sends.
const testAPIKey = "sk-ant-test-key-0123456789"

// recorded is one request seen by a test server.
type recorded struct {
	Method string
	Path   string
	// RawQuery is the query as sent (percent-encoded).
	RawQuery string
	Header   http.Header
	Body     []byte
}

// newTestClient starts an httptest server with handler and returns a client for it
// (no limiter, no retries unless opts say so) and the list of requests it records.
// The server is mounted under /prefix, so a request with an absolute path fails.
func newTestClient(t *testing.T, handler http.HandlerFunc, opts ...option.RequestOption) (*Client, *[]recorded) {
	t.Helper()
	var reqs []recorded
	mux := http.NewServeMux()
	mux.HandleFunc("/prefix/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		reqs = append(reqs, recorded{Method: r.Method, Path: r.URL.EscapedPath()[len("/prefix"):], RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.URL.Path = r.URL.Path[len("/prefix"):]
		handler(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base URL: %s %s", r.Method, r.URL)
		http.Error(w, "outside base URL", http.StatusTeapot)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base := []option.RequestOption{
		option.WithAPIKey(testAPIKey),
		option.WithBaseURL(srv.URL + "/prefix"),
		option.WithHTTPClient(srv.Client()),
		option.WithoutLimiter(),
		option.WithMaxRetries(0),
	}
	return NewClient(append(base, opts...)...), &reqs
}

// replyJSON answers with status and body.
func replyJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// fixture returns the contents of testdata/name.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// assertGolden compares a JSON request body with testdata/golden/name, after
// indenting it; -update rewrites the file.
func assertGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Indent(&buf, body, "", "  "), "body is not JSON: %s", body)
	buf.WriteByte('\n')
	file := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
		require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "missing golden file; run go test -update")
	require.Equal(t, string(want), buf.String(), "request body differs from %s", file)
}

// withoutRaw returns r with the raw JSON of its ObjectMeta dropped, so that a
// decoded object can be compared with a literal.
func withoutRaw[T any](r T) T {
	v := reflect.ValueOf(r)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if m := v.FieldByName("ObjectMeta"); m.IsValid() && m.CanAddr() {
		m.Addr().Interface().(*ObjectMeta).raw = nil
	}
	return r
}
