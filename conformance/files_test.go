package conformance

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[anthropic.BetaFileMetadata](managedagentstest.RouteUploadFile, managedagentstest.RouteGetFileMetadata)
	answers[pagination.PageCursor[anthropic.BetaFileMetadata]](managedagentstest.RouteListFiles)
	answers[anthropic.BetaDeletedFile](managedagentstest.RouteDeleteFile)
	schemas[managedagentstest.RouteDownloadFile] = rawContent
}

// rawContent is the schema of a download: bytes, not JSON.
func rawContent([]byte) (any, error) { return struct{}{}, nil }

// readAll reads and closes the body of a download.
func readAll(t *testing.T, body io.ReadCloser) string {
	t.Helper()
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Files through the beta and the GA services: uploads (multipart), a
// session's outputs by scope_id, ids[], downloads, deletes, and the errors of
// a download that cannot be.
func TestFiles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	files := h.client.Beta.Files

	up := must(files.Upload(ctx, anthropic.BetaFileUploadParams{
		File: anthropic.File(strings.NewReader("region,total\nnorth,12\n"), "reports/q3.csv", "text/csv"), ExpiresInSeconds: anthropic.Int(86400),
	}))(t)
	if up.Filename != "q3.csv" || up.MimeType != "text/csv" || up.SizeBytes != 22 || up.Downloadable || up.ExpiresAt.IsZero() {
		t.Errorf("upload: %s", up.RawJSON())
	}
	ga := must(h.client.Files.Upload(ctx, anthropic.FileUploadParams{File: anthropic.File(strings.NewReader("{}"), "", "application/json")}))(t)
	if ga.Filename != "unnamed.json" {
		t.Errorf("GA upload without a name: %s", ga.RawJSON())
	}

	f := newFixture(t, h)
	sess := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.helper.ID)}, EnvironmentID: f.env.ID,
	}))(t)
	out1 := h.srv.WriteOutput(sess.ID, "audit.md", "text/markdown", []byte("# Audit\n"))
	out2 := h.srv.WriteOutput(sess.ID, "chart.png", "image/png", []byte("PNG"))

	var outputs []anthropic.BetaFileMetadata
	pager := files.ListAutoPaging(ctx, anthropic.BetaFileListParams{ScopeID: anthropic.String(sess.ID), Limit: anthropic.Int(1)})
	for pager.Next() {
		outputs = append(outputs, pager.Current())
	}
	if err := pager.Err(); err != nil || len(outputs) != 2 || outputs[0].Scope.ID != sess.ID || !outputs[1].Downloadable {
		t.Errorf("outputs by scope_id: %v %+v", err, outputs)
	}
	byIDs := must(files.List(ctx, anthropic.BetaFileListParams{IDs: []string{out1, up.ID, "file_gone"}}))(t)
	if len(byIDs.Data) != 2 || byIDs.NextPage != "" {
		t.Errorf("ids[]: %s", byIDs.RawJSON())
	}
	if all := must(h.client.Files.List(ctx, anthropic.FileListParams{Limit: anthropic.Int(10)}))(t); len(all.Data) != 4 {
		t.Errorf("GA list: %s", all.RawJSON())
	}

	if got := must(files.GetMetadata(ctx, out1, anthropic.BetaFileGetMetadataParams{}))(t); got.Filename != "audit.md" {
		t.Errorf("metadata: %s", got.RawJSON())
	}
	if got := must(h.client.Files.GetMetadata(ctx, out2, anthropic.FileGetMetadataParams{}))(t); got.MimeType != "image/png" {
		t.Errorf("GA metadata: %s", got.RawJSON())
	}
	resp := must(files.Download(ctx, out1, anthropic.BetaFileDownloadParams{}))(t)
	if body := readAll(t, resp.Body); body != "# Audit\n" {
		t.Errorf("download: %q", body)
	}
	resp = must(h.client.Files.Download(ctx, out2, anthropic.FileDownloadParams{}))(t)
	if body := readAll(t, resp.Body); body != "PNG" {
		t.Errorf("GA download: %q", body)
	}

	if del := must(files.Delete(ctx, out2, anthropic.BetaFileDeleteParams{}))(t); del.ID != out2 || del.Type != "file_deleted" {
		t.Errorf("delete: %s", del.RawJSON())
	}
	if del := must(h.client.Files.Delete(ctx, ga.ID, anthropic.FileDeleteParams{}))(t); del.ID != ga.ID {
		t.Errorf("GA delete: %s", del.RawJSON())
	}

	_, err := files.Download(ctx, up.ID, anthropic.BetaFileDownloadParams{})
	if e := h.wantError(err, 400, "invalid_request_error"); e.ErrorCode() != "file_not_downloadable" {
		t.Errorf("error code %q, want file_not_downloadable", e.ErrorCode())
	}
	_, err = files.GetMetadata(ctx, out2, anthropic.BetaFileGetMetadataParams{})
	h.wantError(err, 404, "not_found_error")
	_, err = files.List(ctx, anthropic.BetaFileListParams{IDs: []string{out1}, Limit: anthropic.Int(5)})
	h.wantError(err, 400, "invalid_request_error")
}
