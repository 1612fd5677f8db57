package managedagentstest_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// multipartBody builds a multipart body of parts: [field name, filename
// ("" for a text field), content type, content] each.
func multipartBody(t *testing.T, parts ...[4]string) (string, http.Header) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := `form-data; name="` + p[0] + `"`
		if p[1] != "" {
			disp += `; filename="` + p[1] + `"`
		}
		h.Set("Content-Disposition", disp)
		if p[2] != "" {
			h.Set("Content-Type", p[2])
		}
		w, err := mw.CreatePart(h)
		require.NoError(t, err)
		_, _ = io.WriteString(w, p[3])
	}
	require.NoError(t, mw.Close())
	h := headers()
	h.Del("Anthropic-Beta")
	h.Set("Content-Type", mw.FormDataContentType())
	return buf.String(), h
}

// A session's output files list under its scope_id and download; uploads
// do not download; expiry and deletion end a file.
func TestFilesUploadsAndOutputs(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	srv := managedagentstest.NewServer(managedagentstest.WithClock(start), managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		turn.WriteOutput("/mnt/session/outputs/report.md", "text/markdown", []byte("# Report\n"))
		turn.WriteOutput("chart.png", "image/png", []byte("PNG"))
		turn.Message("Wrote the report.")
	}))
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	up, err := c.Files.Upload(ctx, managedagents.FileUploadParams{
		Reader: strings.NewReader("a,b\n"), Filename: "dir/data.csv", ContentType: "text/csv", ExpiresIn: time.Hour,
	})
	require.NoError(t, err)
	require.Equal(t, "data.csv", up.Filename, "the last path component is kept")
	require.Equal(t, "text/csv", up.MimeType)
	require.Equal(t, int64(4), up.SizeBytes)
	require.False(t, up.Downloadable)
	require.Nil(t, up.Scope)
	require.Equal(t, start.Add(time.Hour), up.ExpiresAt)
	content, ok := srv.FileContent(up.ID)
	require.True(t, ok)
	require.Equal(t, "a,b\n", string(content))

	_, err = c.Files.Download(ctx, up.ID, managedagents.FileDownloadParams{})
	var apiErr *managedagents.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, managedagents.ErrorCodeFileNotDownloadable, apiErr.Code)

	agent, err := c.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "a", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
	require.NoError(t, err)
	env, err := c.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "e"})
	require.NoError(t, err)
	sess, err := c.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	require.NoError(t, err)
	_, err = c.Sessions.RunTurn(ctx, sess.ID, managedagents.SessionRunTurnParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("report")}})
	require.NoError(t, err)

	var outputs []*managedagents.FileMetadata
	for f, err := range c.Files.ListAll(ctx, managedagents.FileListParams{ScopeID: sess.ID, Limit: 1}) {
		require.NoError(t, err)
		outputs = append(outputs, f)
	}
	require.Len(t, outputs, 2)
	require.Equal(t, "chart.png", outputs[0].Filename, "newest first")
	require.Equal(t, "report.md", outputs[1].Filename)
	for _, f := range outputs {
		require.True(t, f.Downloadable)
		require.Equal(t, &managedagents.FileScope{Type: "session", ID: sess.ID}, f.Scope)
	}
	d, err := c.Files.Download(ctx, outputs[1].ID, managedagents.FileDownloadParams{})
	require.NoError(t, err)
	got, err := io.ReadAll(d)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	require.Equal(t, "# Report\n", string(got))
	require.Equal(t, "text/markdown", d.ContentType)

	all, err := c.Files.List(ctx, managedagents.FileListParams{})
	require.NoError(t, err)
	require.Len(t, all.Data, 3)
	byIDs, err := c.Files.List(ctx, managedagents.FileListParams{IDs: []string{outputs[0].ID, "file_unknown", up.ID, outputs[0].ID}})
	require.NoError(t, err)
	require.Len(t, byIDs.Data, 2, "unknown ids skipped, duplicates once")
	require.False(t, byIDs.HasNextPage())

	srv.AdvanceClock(time.Hour)
	got2, err := c.Files.GetMetadata(ctx, up.ID, managedagents.FileGetMetadataParams{})
	require.NoError(t, err, "metadata outlives the bytes")
	require.Equal(t, up.ID, got2.ID)

	del, err := c.Files.Delete(ctx, outputs[0].ID, managedagents.FileDeleteParams{})
	require.NoError(t, err)
	require.Equal(t, "file_deleted", del.Type)
	_, err = c.Files.GetMetadata(ctx, outputs[0].ID, managedagents.FileGetMetadataParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	require.Empty(t, srv.WriteOutput("sesn_unknown", "x", "text/plain", nil))
}

// An expired file's bytes are gone; an output downloads to a path.
func TestFileExpiryAndDownloadToFile(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)))
	c := srv.Client()
	ctx := context.Background()
	up, err := c.Files.Upload(ctx, managedagents.FileUploadParams{Reader: strings.NewReader("x"), Filename: "a.txt", ExpiresIn: 2 * time.Hour})
	require.NoError(t, err)
	srv.AdvanceClock(2 * time.Hour)
	_, err = c.Files.Download(ctx, up.ID, managedagents.FileDownloadParams{})
	var apiErr *managedagents.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, managedagents.ErrorCodeFileExpired, apiErr.Code)
	require.ErrorIs(t, err, managedagents.ErrNotFound)

	env, err := c.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "e"})
	require.NoError(t, err)
	agent, err := c.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "a", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
	require.NoError(t, err)
	sess, err := c.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	require.NoError(t, err)
	id := srv.WriteOutput(sess.ID, "out.txt", "text/plain", []byte("result\n"))
	require.NotEmpty(t, id)
	path := t.TempDir() + "/out.txt"
	n, err := c.Files.DownloadToFile(ctx, id, managedagents.FileDownloadToFileParams{Path: path})
	require.NoError(t, err)
	require.Equal(t, int64(7), n)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "result\n", string(data))
}

// The wire rules of the fake's Files endpoints.
func TestFilesWire(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithMaxFileSize(10))

	body, h := multipartBody(t, [4]string{"file", "", "", "abc"})
	f := call(t, srv, "POST", "/v1/files", body, h)
	require.Equal(t, 200, f.Status, "no beta header needed: %s", f.Body)
	require.Equal(t, "unnamed", f.JSON(t)["filename"])
	require.Equal(t, "application/octet-stream", f.JSON(t)["mime_type"])
	require.Nil(t, f.JSON(t)["scope"])
	require.Contains(t, string(srv.Requests()[0].Body), "abc", "the log keeps the upload")

	for _, tc := range []struct {
		parts  [][4]string
		status int
		msg    string
	}{
		{[][4]string{{"expires_in_seconds", "", "", "3600"}}, 400, "file: field required"},
		{[][4]string{{"file", "a", "", "12345678901"}}, 413, "larger than 10"},
		{[][4]string{{"file", "a", "", "1"}, {"file", "b", "", "2"}}, 400, "only one file"},
		{[][4]string{{"file", "a", "", "1"}, {"purpose", "", "", "x"}}, 400, "unexpected form field"},
		{[][4]string{{"file", "a", "", "1"}, {"expires_in_seconds", "", "", "60"}}, 400, "3600 to 7776000"},
	} {
		body, h := multipartBody(t, tc.parts...)
		r := call(t, srv, "POST", "/v1/files", body, h)
		require.Equal(t, tc.status, r.Status, "%s", r.Body)
		require.Contains(t, string(r.Body), tc.msg)
	}

	for _, beta := range []string{"files-api-2025-04-14", "managed-agents-2026-04-01,skills-2025-10-02"} {
		h := headers()
		h.Set("Anthropic-Beta", beta)
		r := call(t, srv, "GET", "/v1/files", nil, h)
		require.Equal(t, 400, r.Status)
		require.Contains(t, string(r.Body), "legacy response shapes")
	}
	r := call(t, srv, "GET", "/v1/files?ids[]=a&limit=5", nil, nil)
	require.Equal(t, 400, r.Status)
	r = call(t, srv, "GET", "/v1/files?before_id=x", nil, nil)
	require.Equal(t, 400, r.Status, "the legacy page params are unknown")
	r = call(t, srv, "GET", "/v1/files?limit=1001", nil, nil)
	require.Equal(t, 400, r.Status)
}

// Faults work on the Files routes like on the others.
func TestFilesFaults(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.FailNext(managedagentstest.RouteUploadFile, 1, 429, http.Header{"Retry-After": {"0"}})
	c := srv.Client(option.WithMaxRetries(1))
	_, err := c.Files.Upload(context.Background(), managedagents.FileUploadParams{Reader: strings.NewReader("abc"), Filename: "a.txt"})
	require.NoError(t, err, "a 429 is retried, the reader seeks back")
	require.Len(t, srv.Requests(), 2)

	srv.FailNext(managedagentstest.RouteUploadFile, 1, 503, nil)
	_, err = c.Files.Upload(context.Background(), managedagents.FileUploadParams{Reader: strings.NewReader("abc"), Filename: "a.txt"})
	require.ErrorIs(t, err, managedagents.ErrDeliveryUncertain, "an upload is not sent twice")
}
