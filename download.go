package managedagents

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/option"
)

// Download is content being received: a file's ([FileService.Download]) or
// a skill version's archive ([SkillVersionService.Download]). It is an
// io.ReadCloser over the answer's body, which is read as it arrives, never
// held whole in memory. Close it when done; closing it before the end
// abandons the rest. A read that fails (the connection dropped) is not
// resumed: download again.
type Download struct {
	// ContentType is the answer's Content-Type; empty when it has none.
	ContentType string
	// ContentLength is the number of bytes the answer announced; -1 when it
	// did not.
	ContentLength int64
	// RequestID is the answer's request-id.
	RequestID string

	body io.ReadCloser
}

// Read reads the content.
func (d *Download) Read(p []byte) (int, error) { return d.body.Read(p) }

// Close ends the download.
func (d *Download) Close() error { return d.body.Close() }

// download sends the download r with opts and returns the answer with its
// body unread.
func (c *Client) download(ctx context.Context, r transport.Request, opts []option.RequestOption) (*Download, error) {
	cfg, err := c.config(opts)
	if err != nil {
		return nil, err
	}
	resp, err := openDownload(ctx, cfg, r)
	if err != nil {
		return nil, err
	}
	return &Download{
		ContentType:   resp.Header.Get("Content-Type"),
		ContentLength: resp.ContentLength,
		RequestID:     resp.Header.Get("Request-Id"),
		body:          resp.Body,
	}, nil
}

// writeFileAtomic writes what r gives to path through a temporary file of the
// same directory, synced, then renamed to path, and returns the number of
// bytes written. On failure the temporary file is removed and path is left
// as it was. progress, if set, is called as the bytes arrive. A *Download that
// ends short of its announced length fails.
func writeFileAtomic(path string, perm fs.FileMode, r io.Reader, progress func(written, total int64)) (n int64, err error) {
	if perm == 0 {
		perm = 0o644
	}
	total := int64(-1)
	if d, ok := r.(*Download); ok {
		total = d.ContentLength
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.part")
	if err != nil {
		return 0, fmt.Errorf("%s%w", errPrefix, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
			err = fmt.Errorf("%swriting %s: %w", errPrefix, path, err)
		}
	}()
	if progress != nil {
		r = &progressReader{r: r, total: total, report: progress}
	}
	if n, err = io.Copy(tmp, r); err != nil {
		return n, err
	}
	if total >= 0 && n != total {
		return n, fmt.Errorf("%w: %d bytes, not the %d announced", io.ErrUnexpectedEOF, n, total)
	}
	if err = tmp.Chmod(perm); err != nil {
		return n, err
	}
	if err = tmp.Sync(); err != nil {
		return n, err
	}
	if err = tmp.Close(); err != nil {
		return n, err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return n, err
	}
	syncDir(dir)
	return n, nil
}

// syncDir makes a rename in dir durable, where the system allows it.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync() // fails harmlessly where directories cannot be synced
	_ = d.Close()
}
