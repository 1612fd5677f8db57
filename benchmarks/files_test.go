package benchmarks

// BenchmarkFileTransfer uploads and downloads a generated file of 256 MiB
// (16 MiB with -short) through each client, against a local server that
// streams too (it checksums an upload as it arrives and generates a
// download as it sends it), and reports the peak heap of the process while
// each transfer runs:
//
//   - sdk: client.Files.Upload from the reader, client.Files.Download read
//     into a hash.
//   - official: client.Beta.Files.Upload and client.Beta.Files.Download of
//     the official SDK, the same way.
//
// The library's own BenchmarkFileTransfer1GiB (root package) makes the 1 GiB
// measure of the SDK alone.

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// generated gives n bytes of a fixed pattern without holding them.
type generated struct{ off, n int64 }

func (g *generated) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.n-g.off)]
	for i := range p {
		p[i] = byte((g.off + int64(i)) * 7)
	}
	g.off += int64(len(p))
	return len(p), nil
}

// streamingFilesServer checksums uploads as they arrive and generates
// downloads of size bytes as it sends them.
func streamingFilesServer(tb testing.TB, size int64) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/files", func(w http.ResponseWriter, r *http.Request) {
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		var n int64
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FormName() == "file" {
				n, _ = io.Copy(crc32.NewIEEE(), part)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"file_big","type":"file","filename":"big.bin","mime_type":"application/octet-stream","size_bytes":%d,"created_at":"2026-11-23T17:06:41.902Z","downloadable":false,"scope":null}`, n)
	})
	mux.HandleFunc("GET /v1/files/{id}/content", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		_, _ = io.Copy(w, &generated{n: size})
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// peakHeap runs f and returns the peak of the heap's objects, in MiB,
// sampled every millisecond while it runs.
func peakHeap(f func()) float64 {
	runtime.GC()
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	return float64(peak.Load()) / (1 << 20)
}

func BenchmarkFileTransfer(b *testing.B) {
	size := int64(256 << 20)
	if testing.Short() {
		size = 16 << 20
	}
	srv := streamingFilesServer(b, size)
	ctx := context.Background()
	sdk := managedagents.NewClient(option.WithAPIKey("sk-bench"), option.WithBaseURL(srv.URL), option.WithoutLimiter())
	official := anthropic.NewClient(anthropicoption.WithAPIKey("sk-bench"), anthropicoption.WithBaseURL(srv.URL), anthropicoption.WithMaxRetries(0))
	for _, c := range []struct {
		name     string
		upload   func() (int64, error)
		download func() (io.ReadCloser, error)
	}{
		{"sdk", func() (int64, error) {
			f, err := sdk.Files.Upload(ctx, managedagents.FileUploadParams{Reader: &generated{n: size}, Filename: "big.bin", Size: size})
			if err != nil {
				return 0, err
			}
			return f.SizeBytes, nil
		}, func() (io.ReadCloser, error) {
			return sdk.Files.Download(ctx, "file_big", managedagents.FileDownloadParams{})
		}},
		{"official", func() (int64, error) {
			f, err := official.Beta.Files.Upload(ctx, anthropic.BetaFileUploadParams{File: anthropic.File(&generated{n: size}, "big.bin", "application/octet-stream")})
			if err != nil {
				return 0, err
			}
			return f.SizeBytes, nil
		}, func() (io.ReadCloser, error) {
			resp, err := official.Beta.Files.Download(ctx, "file_big", anthropic.BetaFileDownloadParams{})
			if err != nil {
				return nil, err
			}
			return resp.Body, nil
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(2 * size)
			var up, down float64
			for b.Loop() {
				var err error
				var n int64
				up = max(up, peakHeap(func() { n, err = c.upload() }))
				if err != nil || n != size {
					b.Fatalf("upload: %d bytes, %v", n, err)
				}
				down = max(down, peakHeap(func() {
					var body io.ReadCloser
					if body, err = c.download(); err == nil {
						n, err = io.Copy(crc32.NewIEEE(), body)
						_ = body.Close()
					}
				}))
				if err != nil || n != size {
					b.Fatalf("download: %d bytes, %v", n, err)
				}
			}
			b.ReportMetric(up, "upload-peak-heap-MiB")
			b.ReportMetric(down, "download-peak-heap-MiB")
		})
	}
}
