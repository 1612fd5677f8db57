package managedagents

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/internal/transport"
)

// formPart is one part of a multipart/form-data body: a text field, or a file
// whose bytes are read only while the body is sent.
type formPart struct {
	name        string // the form field
	value       string // a text field's value
	filename    string // a file part's filename
	contentType string // a file part's content type
	// size is a file part's length in bytes, checked while it is sent; -1
	// when unknown.
	size int64
	// open returns a file part's bytes; nil for a text field. It is called
	// once per attempt, after the part's headers were written.
	open func() (io.ReadCloser, error)
}

// multipartUpload returns the streamed multipart/form-data body of parts,
// sorted by field name as the official SDK sends them, under a new random
// boundary. Its length is known when every file's size is. replayable says
// whether each part can be opened again after it was read.
func multipartUpload(parts []formPart, replayable bool) (*transport.Upload, error) {
	parts = slices.Clone(parts)
	slices.SortStableFunc(parts, func(a, b formPart) int { return cmp.Compare(a.name, b.name) })
	boundary := multipart.NewWriter(io.Discard).Boundary()
	length := int64(0)
	for _, p := range parts {
		if p.open != nil && p.size < 0 {
			length = -1
			break
		}
		length += max(p.size, 0)
	}
	if length >= 0 {
		// The headers and boundaries: the body without the files' bytes.
		var c countingWriter
		if err := writeParts(&c, boundary, parts, false); err != nil {
			return nil, err
		}
		length += c.n
	}
	return &transport.Upload{
		ContentType: "multipart/form-data; boundary=" + boundary,
		Length:      length,
		Replayable:  replayable,
		Write:       func(w io.Writer) error { return writeParts(w, boundary, parts, true) },
	}, nil
}

// quoteEscaper escapes a value of a Content-Disposition header, as
// mime/multipart does.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// writeParts writes the multipart body of parts to w; without content, the
// files' bytes are left out (to measure the rest). Each part's headers are
// written before its file is opened.
func writeParts(w io.Writer, boundary string, parts []formPart, content bool) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disposition := `form-data; name="` + quoteEscaper.Replace(p.name) + `"`
		if p.open != nil {
			disposition += `; filename="` + quoteEscaper.Replace(p.filename) + `"`
			h.Set("Content-Type", p.contentType)
		}
		h.Set("Content-Disposition", disposition)
		pw, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		switch {
		case p.open == nil:
			_, err = io.WriteString(pw, p.value)
		case content:
			err = copyPart(pw, p)
		}
		if err != nil {
			return err
		}
	}
	return mw.Close()
}

// copyPart writes the bytes of the file part p to w, and checks their number
// against p.size.
func copyPart(w io.Writer, p formPart) error {
	rc, err := p.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if p.size < 0 {
		_, err = io.Copy(w, rc)
		return err
	}
	n, err := io.Copy(w, io.LimitReader(rc, p.size+1))
	switch {
	case err != nil:
		return err
	case n > p.size:
		return fmt.Errorf("%s: %w: more than the %d bytes announced", p.filename, errSizeChanged, p.size)
	case n < p.size:
		return fmt.Errorf("%s: %w: %d bytes, not the %d announced", p.filename, errSizeChanged, n, p.size)
	}
	return nil
}

// errSizeChanged reports a source that gave another number of bytes than
// announced (a file that changed while it was sent, a wrong Size).
var errSizeChanged = errors.New("size changed while sending")

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// contentTypes are the content types of the extensions most skill and output
// files have, known here so that they do not depend on the system's MIME
// tables; other extensions go to mime.TypeByExtension.
var contentTypes = map[string]string{
	".md": "text/markdown", ".markdown": "text/markdown", ".txt": "text/plain",
	".py": "text/x-python", ".sh": "text/x-shellscript", ".js": "text/javascript",
	".ts": "text/x-typescript", ".json": "application/json", ".yaml": "application/yaml",
	".yml": "application/yaml", ".csv": "text/csv", ".html": "text/html", ".xml": "application/xml",
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp", ".zip": "application/zip",
}

// contentTypeOf returns the content type of a file named name, by its
// extension; application/octet-stream when unknown.
func contentTypeOf(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ext != "" && ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// checkHeaderText refuses a value that would break the header line of a
// part: one with a control character.
func checkHeaderText(field, v string) error {
	if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(v[i:])
		return invalid(field, fmt.Sprintf("has the control character %q", r))
	}
	return nil
}

// checkContentType refuses a content type that is not a media type.
func checkContentType(field, ct string) error {
	if err := checkHeaderText(field, ct); err != nil {
		return err
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		return invalid(field, fmt.Sprintf("%q is not a media type", ct))
	}
	return nil
}
