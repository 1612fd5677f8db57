package transport

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/internal/apierror"
	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/stretchr/testify/require"
)

// The fuzz targets run over their seed corpora (testdata/fuzz/<Name>) with every
// go test; go test -fuzz=<Name> explores further.

var sentinels = []error{
	apierror.ErrBadRequest, apierror.ErrUnauthorized, apierror.ErrBilling,
	apierror.ErrPermissionDenied, apierror.ErrNotFound, apierror.ErrRequestTimeout,
	apierror.ErrConflict, apierror.ErrRequestTooLarge, apierror.ErrRateLimited,
	apierror.ErrServer, apierror.ErrOverloaded, apierror.ErrDeliveryUncertain,
	apierror.ErrInvalidParams,
}

// summaryPrefixes are the messages DecodeErrorBody builds around a shortened
// body; what follows each is at most 200 bytes plus "...".
var summaryPrefixes = []string{
	"JSON body without an error message: ",
	"truncated or malformed JSON body: ",
	"HTML instead of a JSON error (from a proxy or gateway?): ",
	"non-JSON body: ",
}

// FuzzDecodeErrorBody: any status and body give an error that keeps both, says
// something, holds only valid UTF-8, and formats without panicking.
func FuzzDecodeErrorBody(f *testing.F) {
	f.Add(502, []byte(`{"type":"error","error":{"type":"api_error","message":"m"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := DecodeErrorBody(status, body)
		if e == nil {
			t.Fatal("nil error")
		}
		if e.StatusCode != status || !bytes.Equal(e.Body, body) {
			t.Fatalf("status %d body %q not kept: %d %q", status, body, e.StatusCode, e.Body)
		}
		if e.Message == "" && e.Type == "" {
			t.Fatalf("neither message nor type for %q", body)
		}
		for name, s := range map[string]string{"message": e.Message, "type": e.Type, "code": e.Code, "request id": e.RequestID} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not valid UTF-8: %q", name, s)
			}
		}
		for _, p := range summaryPrefixes {
			if rest, ok := strings.CutPrefix(e.Message, p); ok && e.Type == "" && len(rest) > 203 {
				t.Fatalf("summary of %d bytes: %q", len(rest), rest)
			}
		}
		if msg := e.Error(); !strings.HasPrefix(msg, "managedagents: ") || !utf8.ValidString(msg) {
			t.Fatalf("Error() = %q", msg)
		}
		for _, s := range sentinels {
			_ = e.Is(s)
		}
	})
}

// fuzzKey is the credential FuzzErrorFromResponse tries to leak.
const fuzzKey = "sk-ant-fuzz03-Zq8xW2vR7nT4kP9mL6jH3gF5dS1aB0cE"

// FuzzErrorFromResponse builds the error of an answer with any status, body and
// headers, and redacts it as the transport does: the body is capped, the wait is
// never negative, the header's request id wins, and no part of the key a server
// echoed (whole, or cut off by a length cap) survives in any field or format.
func FuzzErrorFromResponse(f *testing.F) {
	f.Add(502, []byte("x-api-key: "+fuzzKey), "req_1", "2", "")
	f.Fuzz(func(t *testing.T, status int, body []byte, requestID, retryAfter, retryAfterMs string) {
		req, _ := http.NewRequest(http.MethodGet, "https://api.example.com/v1/agents?x=1", nil)
		h := http.Header{}
		h.Set("Request-Id", requestID)
		h.Set("Retry-After", retryAfter)
		h.Set("Retry-After-Ms", retryAfterMs)
		resp := &http.Response{StatusCode: status, Header: h, Body: nopCloser{bytes.NewReader(body)}, Request: req}
		e := ErrorFromResponse(resp)
		if len(e.Body) > maxErrorBody || !bytes.Equal(e.Body, body[:min(len(body), maxErrorBody)]) {
			t.Fatalf("body of %d bytes kept as %d", len(body), len(e.Body))
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative wait %s", e.RetryAfter)
		}
		if id := strings.TrimSpace(h.Get("Request-Id")); id != "" && e.RequestID != h.Get("Request-Id") {
			t.Fatalf("request id %q, header %q", e.RequestID, h.Get("Request-Id"))
		}
		if e.Method != http.MethodGet || e.URL != "https://api.example.com/v1/agents?x=1" {
			t.Fatalf("request named %s %s", e.Method, e.URL)
		}

		redact(e, &config.Config{APIKey: secret.New(fuzzKey)})
		if leak := keyLeak(e); leak != "" {
			t.Fatal(leak)
		}
	})
}

// keyLeak says where e still shows fuzzKey: whole in any field or format, or
// its first part (at least 4 bytes) where a length cap cut it: at the end of the
// message (before the "..." of a summary) or of the capped body.
func keyLeak(e *apierror.Error) string {
	var dump strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		fmt.Fprintf(&dump, verb+"\n", e)
	}
	fmt.Fprintf(&dump, "%+v %#v\n", *e, *e)
	dump.WriteString(e.Message + "\n" + e.Type + "\n" + e.Code + "\n" + e.RequestID + "\n" + e.URL + "\n")
	dump.Write(e.Body)
	if strings.Contains(dump.String(), fuzzKey) {
		return "key left in " + dump.String()
	}
	msg := strings.TrimSuffix(e.Message, "...")
	for n := 4; n < len(fuzzKey); n++ {
		if strings.HasSuffix(msg, fuzzKey[:n]) {
			return fmt.Sprintf("cut-off key %q ends the message %q", fuzzKey[:n], e.Message)
		}
		if bytes.HasSuffix(e.Body, []byte(fuzzKey[:n])) {
			return fmt.Sprintf("cut-off key %q ends the body", fuzzKey[:n])
		}
	}
	return ""
}

// FuzzParseRetryAfter: the wait is never negative, is 0 without a usable header,
// and never exceeds what the headers say (retry-after-ms first, then
// retry-after in seconds or as a date).
func FuzzParseRetryAfter(f *testing.F) {
	f.Add("1500", "", int64(1775044800))
	f.Fuzz(func(t *testing.T, ms, ra string, nowUnix int64) {
		now := time.Unix(nowUnix, 0)
		h := http.Header{}
		if ms != "" {
			h.Set("Retry-After-Ms", ms)
		}
		if ra != "" {
			h.Set("Retry-After", ra)
		}
		d := ParseRetryAfter(h, now)
		if d < 0 {
			t.Fatalf("negative wait %s for ms=%q ra=%q", d, ms, ra)
		}
		// The largest wait each header allows on its own.
		bound := time.Duration(0)
		if v, err := strconv.ParseFloat(strings.TrimSpace(ms), 64); err == nil && !math.IsNaN(v) {
			bound = max(bound, clampDuration(v*float64(time.Millisecond)))
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(ra), 64); err == nil && !math.IsNaN(v) {
			bound = max(bound, clampDuration(v*float64(time.Second)))
		} else if at, err := http.ParseTime(strings.TrimSpace(ra)); err == nil {
			bound = max(bound, at.Sub(now))
		}
		if d > bound {
			t.Fatalf("wait %s exceeds what ms=%q ra=%q allow (%s)", d, ms, ra, bound)
		}
		// A usable retry-after-ms wins over retry-after.
		if v, err := strconv.ParseFloat(strings.TrimSpace(ms), 64); err == nil && v >= 1 && v < 1e12 {
			if want := time.Duration(v * float64(time.Millisecond)); d != want {
				t.Fatalf("ms=%q gave %s, want %s", ms, d, want)
			}
		}
	})
}

// clampDuration converts ns to a Duration, saturating at the int64 range.
func clampDuration(ns float64) time.Duration {
	switch {
	case ns >= math.MaxInt64:
		return math.MaxInt64
	case ns <= 0:
		return 0
	}
	return time.Duration(ns)
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// TestRedactCutOffKey: a key echoed where the 200-byte summary or the 64 KiB body
// cap cuts it must not leave its first part behind.
func TestRedactCutOffKey(t *testing.T) {
	t.Parallel()
	for _, cfg := range []*config.Config{{APIKey: secret.New(fuzzKey)}, {AuthToken: secret.New(fuzzKey)}} {
		for _, lead := range []int{160, 170, 180, 190, 195} {
			e := DecodeErrorBody(502, []byte(strings.Repeat("a", lead)+" "+fuzzKey))
			redact(e, cfg)
			require.Empty(t, keyLeak(e), "summary cut after %d bytes", lead)
			require.True(t, strings.HasSuffix(e.Message, "[redacted]..."), e.Message)

			e = DecodeErrorBody(502, []byte("<html><title>"+strings.Repeat("a", lead)+" "+fuzzKey+"</title></html>"))
			redact(e, cfg)
			require.Empty(t, keyLeak(e), "title cut after %d bytes", lead)
		}
		body := append(bytes.Repeat([]byte("b"), maxErrorBody-20), fuzzKey...)
		req, _ := http.NewRequest(http.MethodGet, "https://api.example.com/v1/x", nil)
		e := ErrorFromResponse(&http.Response{StatusCode: 500, Header: http.Header{}, Body: nopCloser{bytes.NewReader(body)}, Request: req})
		redact(e, cfg)
		require.Empty(t, keyLeak(e))
		require.True(t, bytes.HasSuffix(e.Body, []byte("[redacted]")), "%q", e.Body[len(e.Body)-40:])
		require.Len(t, e.Body, maxErrorBody-20+len("[redacted]"))
	}
}
