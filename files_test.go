package managedagents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/option"
)

// requireStorageRequest checks the one request of reqs: method, path, query,
// credentials, version, and no anthropic-beta (files and skills send none).
func requireStorageRequest(t *testing.T, reqs []recorded, method, path, rawQuery string) recorded {
	t.Helper()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, method, r.Method)
	require.Equal(t, path, r.Path)
	require.Equal(t, rawQuery, r.RawQuery)
	require.Equal(t, testAPIKey, r.Header.Get("X-Api-Key"))
	require.Equal(t, "2023-06-01", r.Header.Get("Anthropic-Version"))
	require.NotContains(t, r.Header, "Anthropic-Beta", "files and skills send no beta header")
	return r
}

// assertGoldenMultipart compares a multipart body with
// testdata/golden/name, its random boundary replaced by "BOUNDARY"; -update
// rewrites the file.
func assertGoldenMultipart(t *testing.T, name string, r recorded) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/form-data", mt)
	require.NotEmpty(t, params["boundary"])
	body := bytes.ReplaceAll(r.Body, []byte(params["boundary"]), []byte("BOUNDARY"))
	file := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
		require.NoError(t, os.WriteFile(file, body, 0o644))
		return
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "missing golden file; run go test -update")
	require.Equal(t, string(want), string(body), "request body differs from %s", file)
}

func TestFileMetadataDecode(t *testing.T) {
	t.Parallel()
	var out FileMetadata
	require.NoError(t, json.Unmarshal(fixture(t, "files/file_metadata.json"), &out))
	require.Equal(t, FileMetadata{
		ObjectMeta:   ObjectMeta{ID: "file_011CaD9sQb4RnW6yHx2MvLtK", Type: "file", CreatedAt: parseTS(t, "2026-11-23T17:06:41.902Z")},
		Filename:     "audit.md",
		MimeType:     "text/markdown",
		SizeBytes:    1834,
		Downloadable: true,
		Scope:        &FileScope{Type: "session", ID: "sesn_011CaD4kUa1PfX7cWn5TqGhY"},
	}, *withoutRaw(&out))

	var upload FileMetadata
	raw := fixture(t, "files/file_upload.json")
	require.NoError(t, json.Unmarshal(raw, &upload))
	require.Nil(t, upload.Scope, "scope null: an upload")
	require.False(t, upload.Downloadable)
	require.Equal(t, parseTS(t, "2026-11-24T16:58:12.311Z"), upload.ExpiresAt)
	require.JSONEq(t, string(raw), string(upload.RawJSON()), "unknown fields are kept")
	require.Contains(t, string(upload.RawJSON()), "checksum_sha256")
}

func TestFileGetListDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "files/file_metadata.json"))))
	f, err := c.Files.GetMetadata(ctx, "file_011CaD9sQb4RnW6yHx2MvLtK", FileGetMetadataParams{})
	require.NoError(t, err)
	require.Equal(t, "audit.md", f.Filename)
	requireStorageRequest(t, *reqs, "GET", "/v1/files/file_011CaD9sQb4RnW6yHx2MvLtK", "")

	for _, tc := range []struct {
		params FileListParams
		query  string
	}{
		{FileListParams{}, ""},
		{FileListParams{ScopeID: "sesn_011CaD4kUa1PfX7cWn5TqGhY", Limit: 1000, Page: "page_x"}, "limit=1000&page=page_x&scope_id=sesn_011CaD4kUa1PfX7cWn5TqGhY"},
		{FileListParams{IDs: []string{"file_a", "file_b"}}, "ids%5B%5D=file_a&ids%5B%5D=file_b"},
	} {
		c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "files/page_of_files.json"))))
		page, err := c.Files.List(ctx, tc.params)
		require.NoError(t, err)
		require.Len(t, page.Data, 2)
		require.Equal(t, "sesn_011CaD4kUa1PfX7cWn5TqGhY", page.Data[1].Scope.ID)
		require.True(t, page.HasNextPage())
		requireStorageRequest(t, *reqs, "GET", "/v1/files", tc.query)
	}

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "files/deleted.json"))))
	del, err := c.Files.Delete(ctx, "file_011CaD9sQb4RnW6yHx2MvLtK", FileDeleteParams{})
	require.NoError(t, err)
	require.Equal(t, &DeletedObject{ID: "file_011CaD9sQb4RnW6yHx2MvLtK", Type: "file_deleted"}, del)
	requireStorageRequest(t, *reqs, "DELETE", "/v1/files/file_011CaD9sQb4RnW6yHx2MvLtK", "")
}

// A session's outputs are its files by scope_id, listed to the end.
func TestFileListAllOutputs(t *testing.T) {
	t.Parallel()
	var pages []string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "sesn_1", r.URL.Query().Get("scope_id"))
		pages = append(pages, r.URL.Query().Get("page"))
		next := `"page_2"`
		if r.URL.Query().Get("page") == "page_2" {
			next = "null"
		}
		replyJSON(200, `{"data":[{"id":"file_`+strconv.Itoa(len(pages))+`","type":"file","filename":"out.txt","mime_type":"text/plain","size_bytes":1,"created_at":"2026-11-23T17:06:41.902Z","downloadable":true,"scope":{"type":"session","id":"sesn_1"}}],"next_page":`+next+`}`)(w, r)
	})
	var ids []string
	for f, err := range c.Files.ListAll(context.Background(), FileListParams{ScopeID: "sesn_1"}) {
		require.NoError(t, err)
		ids = append(ids, f.ID)
	}
	require.Equal(t, []string{"file_1", "file_2"}, ids)
	require.Equal(t, []string{"", "page_2"}, pages)
}

func TestFileListValidation(t *testing.T) {
	t.Parallel()
	ids := func(n int, distinct bool) []string {
		var out []string
		for i := range n {
			if !distinct {
				i %= 100
			}
			out = append(out, "file_"+strconv.Itoa(i))
		}
		return out
	}
	for _, tc := range []struct {
		params FileListParams
		field  string
	}{
		{FileListParams{IDs: []string{"file_a"}, Limit: 5}, "ids"},
		{FileListParams{IDs: []string{"file_a"}, Page: "page_x"}, "ids"},
		{FileListParams{IDs: ids(101, true)}, "ids"},
		{FileListParams{IDs: []string{"file_a", ""}}, "ids[1]"},
		{FileListParams{Limit: 1001}, "limit"},
		{FileListParams{Limit: -1}, "limit"},
	} {
		c, reqs := newTestClient(t, replyJSON(200, `{"data":[],"next_page":null}`))
		_, err := c.Files.List(context.Background(), tc.params)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, tc.field, ve.Field)
		require.Empty(t, *reqs, "nothing sent")
	}
	c, reqs := newTestClient(t, replyJSON(200, `{"data":[],"next_page":null}`))
	_, err := c.Files.List(context.Background(), FileListParams{IDs: ids(150, false)})
	require.NoError(t, err, "100 distinct ids, some twice")
	require.Len(t, *reqs, 1)
}

func TestFileUploadBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params FileUploadParams
		length bool // sent with a Content-Length (else chunked)
	}{
		{"files/upload_full.multipart", FileUploadParams{
			Reader: strings.NewReader("region,total\nnorth,12\n"), Filename: `q3 "final"\report.csv`,
			ContentType: "text/csv; charset=utf-8", ExpiresIn: 24 * time.Hour,
		}, true},
		// The name and type from the name, the size unknown: chunked.
		{"files/upload_minimal.multipart", FileUploadParams{
			Reader: io.MultiReader(strings.NewReader("# Notes\n")), Filename: "notes.md",
		}, false},
		{"files/upload_unnamed.multipart", FileUploadParams{Reader: bytes.NewBufferString("\x00\x01binary")}, true},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "files/file_upload.json"))))
			f, err := c.Files.Upload(context.Background(), tc.params)
			require.NoError(t, err)
			require.Equal(t, "file_011CaD2pVx8LmQ4tRn7WbKsY", f.ID)
			r := requireStorageRequest(t, *reqs, "POST", "/v1/files", "")
			assertGoldenMultipart(t, tc.golden, r)
			if tc.length {
				require.Equal(t, strconv.Itoa(len(r.Body)), r.Header.Get("Content-Length"))
			} else {
				require.Empty(t, r.Header.Get("Content-Length"))
			}
		})
	}
}

// An *os.File gives its base name, the type of its extension and its size
// from where it is read, and is sent again from there after a 429.
func TestFileUploadFromOSFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "chart.png")
	require.NoError(t, os.WriteFile(path, []byte("SKIP-PNGDATA"), 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Seek(5, io.SeekStart) // the caller already read a header
	require.NoError(t, err)

	var bodies []string
	c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(body))
		if len(bodies) == 1 {
			w.Header().Set("Retry-After-Ms", "1")
			replyJSON(429, `{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}`)(w, r)
			return
		}
		replyJSON(200, string(fixture(t, "files/file_upload.json")))(w, r)
	}, option.WithMaxRetries(2))
	var progress [][2]int64
	_, err = c.Files.Upload(context.Background(), FileUploadParams{Reader: f, Progress: func(sent, total int64) {
		progress = append(progress, [2]int64{sent, total})
	}})
	require.NoError(t, err)
	require.Len(t, *reqs, 2, "sent again after the 429: the file can seek back")
	require.Equal(t, bodies[0], bodies[1])
	require.Contains(t, bodies[1], `name="file"; filename="chart.png"`+"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n")
	require.Equal(t, strconv.Itoa(len(bodies[1])), (*reqs)[1].Header.Get("Content-Length"))
	require.Equal(t, [2]int64{7, 7}, progress[len(progress)-1], "progress reaches the size")
}

// A reader that cannot seek back is sent once: a 429 after it was read is
// returned.
func TestFileUploadNotRepeatedFromAReader(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After-Ms", "1")
		replyJSON(429, `{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}`)(w, r)
	}, option.WithMaxRetries(2))
	_, err := c.Files.Upload(context.Background(), FileUploadParams{Reader: io.MultiReader(strings.NewReader("data")), Filename: "a.txt"})
	require.ErrorIs(t, err, ErrRateLimited)
	require.NotErrorIs(t, err, ErrDeliveryUncertain, "a 429 is a refusal")
	require.Len(t, *reqs, 1)
}

func TestFileUploadProgress(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, replyJSON(200, string(fixture(t, "files/file_upload.json"))))
	data := bytes.Repeat([]byte("x"), 200_000)
	var mu sync.Mutex
	var calls [][2]int64
	_, err := c.Files.Upload(context.Background(), FileUploadParams{
		Reader: io.MultiReader(bytes.NewReader(data)), Filename: "big.bin", Size: int64(len(data)),
		Progress: func(sent, total int64) {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, [2]int64{sent, total})
		},
	})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Greater(t, len(calls), 1, "reported as the bytes go")
	for i := 1; i < len(calls); i++ {
		require.Greater(t, calls[i][0], calls[i-1][0])
		require.Equal(t, int64(len(data)), calls[i][1])
	}
	require.Equal(t, int64(len(data)), calls[len(calls)-1][0])
}

func TestFileUploadValidation(t *testing.T) {
	t.Parallel()
	r := strings.NewReader("x")
	for _, tc := range []struct {
		params FileUploadParams
		field  string
	}{
		{FileUploadParams{}, "reader"},
		{FileUploadParams{Reader: r, Size: -1}, "size"},
		{FileUploadParams{Reader: r, ExpiresIn: time.Minute}, "expires_in_seconds"},
		{FileUploadParams{Reader: r, ExpiresIn: 91 * 24 * time.Hour}, "expires_in_seconds"},
		{FileUploadParams{Reader: r, ExpiresIn: time.Hour + time.Millisecond}, "expires_in_seconds"},
		{FileUploadParams{Reader: r, Filename: "a\r\nContent-Type: text/html"}, "filename"},
		{FileUploadParams{Reader: r, ContentType: "not a type"}, "content_type"},
	} {
		c, reqs := newTestClient(t, replyJSON(200, "{}"))
		_, err := c.Files.Upload(context.Background(), tc.params)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, tc.field, ve.Field)
		require.Empty(t, *reqs)
	}
}

// failingReader gives some bytes, then err.
type failingReader struct {
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

// A reader that fails, or gives another size than announced, fails the
// upload with its cause; the request was cut short, so the delivery is not
// uncertain and the call not repeated.
func TestFileUploadSourceFails(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	for _, tc := range []struct {
		name   string
		params FileUploadParams
		want   string
	}{
		{"read error", FileUploadParams{Reader: &failingReader{n: 100_000, err: boom}, Filename: "a.bin"}, "disk on fire"},
		{"shorter", FileUploadParams{Reader: io.MultiReader(strings.NewReader("12345")), Filename: "a.bin", Size: 10}, "5 bytes, not the 10 announced"},
		{"longer", FileUploadParams{Reader: strings.NewReader("123456789012"), Filename: "a.bin", Size: 10}, "more than the 10 bytes announced"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32 // the handler may still be reading when Upload returns
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				replyJSON(200, string(fixture(t, "files/file_upload.json")))(w, r)
			}, option.WithMaxRetries(2))
			_, err := c.Files.Upload(context.Background(), tc.params)
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, err, "managedagents: POST ")
			require.NotErrorIs(t, err, ErrDeliveryUncertain)
			if tc.name == "read error" {
				require.ErrorIs(t, err, boom)
			}
			require.LessOrEqual(t, calls.Load(), int32(1))
		})
	}
}

func TestFileDownload(t *testing.T) {
	t.Parallel()
	content := strings.Repeat("a,b\n", 1000)
	var ended []option.CallEnd
	var mu sync.Mutex
	c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.Header().Set("Request-Id", "req_dl")
		_, _ = io.WriteString(w, content)
	}, option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		option.CallFromContext(req.Context()).OnEnd(func(e option.CallEnd) {
			mu.Lock()
			defer mu.Unlock()
			ended = append(ended, e)
		})
		return next(req)
	}))
	d, err := c.Files.Download(context.Background(), "file_1", FileDownloadParams{})
	require.NoError(t, err)
	r := requireStorageRequest(t, *reqs, "GET", "/v1/files/file_1/content", "")
	require.Equal(t, "application/binary", r.Header.Get("Accept"))
	require.Equal(t, "text/csv", d.ContentType)
	require.Equal(t, int64(len(content)), d.ContentLength)
	require.Equal(t, "req_dl", d.RequestID)
	mu.Lock()
	require.Empty(t, ended, "the call lasts while the body is read")
	mu.Unlock()
	got, err := io.ReadAll(d)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	require.Equal(t, content, string(got))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, ended, 1)
	require.NoError(t, ended[0].Err)
	require.Empty(t, ended[0].Response.Request.Header.Get("X-Api-Key"), "the key never reaches OnEnd")
}

func TestFileDownloadErrorCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		code   string
		is     error
	}{
		{400, ErrorCodeFileNotDownloadable, ErrBadRequest},
		{404, ErrorCodeFileExpired, ErrNotFound},
	} {
		c, _ := newTestClient(t, replyJSON(tc.status, `{"type":"error","error":{"type":"x","message":"no","details":{"error_code":"`+tc.code+`"}},"request_id":"req_1"}`))
		_, err := c.Files.Download(context.Background(), "file_1", FileDownloadParams{})
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, tc.code, apiErr.Code)
		require.ErrorIs(t, err, tc.is)
	}
}

// DownloadToFile writes the whole content or nothing: a failure leaves no
// temporary file and the old content in place.
func TestFileDownloadToFileIsAtomic(t *testing.T) {
	t.Parallel()
	content := strings.Repeat("0123456789", 10_000)
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	require.NoError(t, os.WriteFile(path, []byte("old content"), 0o600))

	cut := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		_, _ = io.WriteString(w, content[:len(content)/2])
		w.(http.Flusher).Flush()
		resetConnection(w)
	}
	for name, handler := range map[string]http.HandlerFunc{
		"cut off":          cut,
		"not downloadable": replyJSON(400, `{"type":"error","error":{"type":"invalid_request_error","message":"no","details":{"error_code":"file_not_downloadable"}}}`),
	} {
		c, _ := newTestClient(t, handler)
		_, err := c.Files.DownloadToFile(context.Background(), "file_1", FileDownloadToFileParams{Path: path})
		require.Error(t, err, name)
		old, rerr := os.ReadFile(path)
		require.NoError(t, rerr)
		require.Equal(t, "old content", string(old), "%s: the old content stays", name)
		entries, _ := os.ReadDir(dir)
		require.Len(t, entries, 1, "%s: no temporary file left", name)
	}

	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		_, _ = io.WriteString(w, content)
	})
	var last [2]int64
	n, err := c.Files.DownloadToFile(context.Background(), "file_1", FileDownloadToFileParams{
		Path: path, Perm: 0o640, Progress: func(written, total int64) { last = [2]int64{written, total} },
	})
	require.NoError(t, err)
	require.Equal(t, int64(len(content)), n)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, content, string(got))
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), info.Mode().Perm())
	require.Equal(t, [2]int64{int64(len(content)), int64(len(content))}, last)
	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 1)

	_, err = c.Files.DownloadToFile(context.Background(), "file_1", FileDownloadToFileParams{})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "path", ve.Field)
}

// The user's betas are sent; the old Files beta is never added.
func TestFilesSendOnlyTheUsersBetas(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "files/file_metadata.json"))), option.WithBetas("some-beta-2026-01-01"))
	_, err := c.Files.GetMetadata(context.Background(), "file_1", FileGetMetadataParams{})
	require.NoError(t, err)
	require.Equal(t, "some-beta-2026-01-01", (*reqs)[0].Header.Get("Anthropic-Beta"))
}

// The multipart uploads stream their body and the downloads hand their
// content over (more-resources.md §1.2); no other endpoint does either.
func TestEndpointBodies(t *testing.T) {
	t.Parallel()
	uploads := map[string]bool{"files.upload": true, "skills.create": true, "skills.versions.create": true}
	for _, e := range transport.Endpoints() {
		require.Equal(t, uploads[e.Op], e.StreamedBody, "%s streams its body", e.Op)
		require.Equal(t, strings.HasSuffix(e.Op, ".download"), e.RawAnswer, "%s downloads", e.Op)
	}
}
