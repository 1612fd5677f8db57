package managedagents

import (
	"context"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// FileUploadParams is the body of POST /v1/files: one file, sent as it is
// read from Reader, never held whole in memory.
type FileUploadParams struct {
	// Reader gives the file's bytes. Required. It is read while the request
	// is sent, from its current position to its end, and not after Upload
	// returns (unless the context was cancelled while a Read of it blocked:
	// that Read is then left to return).
	Reader io.Reader
	// Filename is the name the file is stored under (the server keeps its last
	// path component). Empty means the base name of Reader when it has a Name
	// method (an *os.File); else the server names the file "unnamed".
	Filename string
	// ContentType is the file's media type. Empty means the type of
	// Filename's extension, else application/octet-stream.
	ContentType string
	// Size is the number of bytes Reader gives, sent as the Content-Length;
	// a Reader that gives another number fails the upload. Zero means: found
	// from Reader when it is a regular file (Stat) or has a Len method
	// (*bytes.Reader, *strings.Reader, *bytes.Buffer), else unknown (the body
	// is then sent chunked).
	Size int64
	// ExpiresIn is how long the file lives before its bytes are gone for
	// good: whole seconds from one hour to 90 days. Zero means it does not
	// expire.
	ExpiresIn time.Duration
	// Progress, if set, is called as the file's bytes are sent, with the
	// bytes sent so far and the total (Size, or -1 when unknown). It runs in
	// another goroutine than the caller's, one call at a time, and must not
	// block for long. If the upload is sent again, it starts again from 0.
	Progress func(sent, total int64)
}

// File expiry bounds (more-resources.md §5.3).
const (
	minFileExpiry = time.Hour
	maxFileExpiry = 90 * 24 * time.Hour
)

func (p FileUploadParams) validate() error {
	if p.Reader == nil {
		return invalid("reader", "is required")
	}
	if p.Size < 0 {
		return invalid("size", "must not be negative")
	}
	if p.ExpiresIn != 0 && (p.ExpiresIn < minFileExpiry || p.ExpiresIn > maxFileExpiry || p.ExpiresIn%time.Second != 0) {
		return invalid("expires_in_seconds", "must be whole seconds from 3600 (one hour) to 7776000 (90 days), not "+p.ExpiresIn.String())
	}
	if err := checkHeaderText("filename", p.Filename); err != nil {
		return err
	}
	if p.ContentType != "" {
		return checkContentType("content_type", p.ContentType)
	}
	return nil
}

// Upload uploads a file and returns its metadata. The body is streamed from
// params.Reader as it is sent: memory use does not grow with the file.
//
// An upload is not repeated once it may have reached the server (a retried
// upload could store the file twice): it is retried only on a 429 or when no
// byte of it was sent, and on a 429 only when Reader can seek back (an
// *os.File). A failure after sending is a [*DeliveryError]; a Reader that
// fails is reported with its error (errors.Is finds it). The request timeout
// (option.WithRequestTimeout) bounds the wait for the answer once the body is
// sent, not the sending.
//
// POST /v1/files
func (s *FileService) Upload(ctx context.Context, params FileUploadParams, opts ...option.RequestOption) (*FileMetadata, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	part, replayable := fileSource(params)
	parts := []formPart{part}
	if params.ExpiresIn != 0 {
		parts = append(parts, formPart{name: "expires_in_seconds", value: strconv.FormatInt(int64(params.ExpiresIn/time.Second), 10)})
	}
	up, err := multipartUpload(parts, replayable)
	if err != nil {
		return nil, err
	}
	return doJSON[FileMetadata](ctx, s.client, filesUpload.At().WithUpload(up), opts)
}

// fileSource returns the "file" part of an upload: its name, type and size
// as params give them or as found from the Reader, and its bytes from where
// the Reader is now, seeking back there on each attempt when it can (the
// part is then replayable).
func fileSource(p FileUploadParams) (part formPart, replayable bool) {
	r := p.Reader
	name := p.Filename
	if n, ok := r.(interface{ Name() string }); ok && name == "" {
		name = filepath.Base(n.Name())
	}
	ct := p.ContentType
	if ct == "" {
		ct = contentTypeOf(name)
	}
	var start int64
	seeker, seekable := r.(io.Seeker)
	if seekable {
		off, err := seeker.Seek(0, io.SeekCurrent)
		seekable, start = err == nil, off
	}
	size := p.Size
	if size == 0 {
		size = -1
		switch src := r.(type) {
		case interface{ Stat() (fs.FileInfo, error) }:
			if fi, err := src.Stat(); err == nil && fi.Mode().IsRegular() && seekable {
				size = max(fi.Size()-start, 0)
			}
		case interface{ Len() int }:
			size = int64(src.Len())
		}
	}
	part = formPart{
		name: "file", filename: name, contentType: ct, size: size,
		open: func() (io.ReadCloser, error) {
			if seekable {
				if _, err := seeker.Seek(start, io.SeekStart); err != nil {
					return nil, err
				}
			}
			var src io.Reader = r
			if p.Progress != nil {
				src = &progressReader{r: r, total: size, report: p.Progress}
			}
			return io.NopCloser(src), nil
		},
	}
	return part, seekable
}

// progressReader reports the bytes read through it.
type progressReader struct {
	r      io.Reader
	n      int64
	total  int64
	report func(done, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.n += int64(n)
		p.report(p.n, p.total)
	}
	return n, err
}
