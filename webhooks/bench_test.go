package webhooks_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-managedagents/managedagents/webhooks"
)

// BenchmarkVerify verifies the sample delivery (270 bytes, one signature).
func BenchmarkVerify(b *testing.B) {
	header, body := signedSample(b)
	v := sampleVerifier(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(body, header); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandler serves new deliveries of the sample body end to end: read,
// verify, decode, claim, call, complete. Each iteration also signs its
// delivery (about the cost of a Verify), so that every id is new.
func BenchmarkHandler(b *testing.B) {
	_, body := signedSample(b)
	h := webhooks.NewHandler(sampleVerifier(b), func(context.Context, webhooks.Event) error { return nil })
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header = sign(b, sampleSecret, fmt.Sprintf("msg_%d", i), sampleTime, body)
		i++
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
