package managedagents

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/internal/transport"
)

// The fuzz targets run over their seed corpora (testdata/fuzz/<Name>) with every
// go test; go test -fuzz=<Name> explores further.

var sentinels = []error{
	ErrBadRequest, ErrUnauthorized, ErrBilling, ErrPermissionDenied, ErrNotFound, ErrRequestTimeout,
	ErrConflict, ErrRequestTooLarge, ErrRateLimited, ErrServer, ErrOverloaded, ErrDeliveryUncertain,
	ErrInvalidParams,
}

// summaryPrefixes are the messages decodeErrorBody builds around a shortened
// body; what follows each is at most 200 bytes plus "...".
var summaryPrefixes = []string{
	"JSON body without an error message: ",
	"truncated or malformed JSON body: ",
	"HTML instead of a JSON error (from a proxy or gateway?): ",
	"non-JSON body: ",
}

func TestDecodeErrorBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body                string
		typ, msgPart, code, reqID string
	}{
		{"envelope", `{"type":"error","error":{"type":"invalid_request_error","message":"bad name","details":{"error_code":"environment_archived"}},"request_id":"req_9"}`,
			"invalid_request_error", "bad name", "environment_archived", "req_9"},
		{"details not an object", `{"type":"error","error":{"type":"api_error","message":"m","details":"x"}}`, "api_error", "m", "", ""},
		{"error as string", `{"error":"upstream failed"}`, "", "upstream failed", "", ""},
		{"message only", `{"message":"Internal server error"}`, "", "Internal server error", "", ""},
		{"other JSON", `{"status":"down"}`, "", "JSON body without an error message", "", ""},
		{"truncated JSON", `{"type":"error","error":{"type":"api_er`, "", "truncated or malformed JSON", "", ""},
		{"HTML", "<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>", "", "HTML instead of a JSON error (from a proxy or gateway?): 502 Bad Gateway", "", ""},
		{"HTML without title", "<!DOCTYPE html><p>oops</p>", "", "HTML instead of a JSON error", "", ""},
		{"text", "upstream connect error\n", "", "non-JSON body: upstream connect error", "", ""},
		{"empty", "", "", "empty response body", "", ""},
		{"blank", " \n ", "", "empty response body", "", ""},
		{"invalid UTF-8", "\xff\xfe oops", "", "non-JSON body: ? oops", "", ""},
	}
	for _, c := range cases {
		e := decodeErrorBody(502, []byte(c.body))
		require.Equal(t, 502, e.StatusCode, c.name)
		require.Equal(t, c.typ, e.Type, c.name)
		require.Contains(t, e.Message, c.msgPart, c.name)
		require.Equal(t, c.code, e.Code, c.name)
		require.Equal(t, c.reqID, e.RequestID, c.name)
		require.Equal(t, c.body, string(e.Body), c.name)
	}
	long := decodeErrorBody(500, bytes.Repeat([]byte("é"), 1000))
	require.LessOrEqual(t, len(long.Message), 260)
	require.True(t, strings.HasSuffix(long.Message, "..."))
}

// FuzzDecodeErrorBody: any status and body give an error that keeps both, says
// something, holds only valid UTF-8, and formats without panicking.
func FuzzDecodeErrorBody(f *testing.F) {
	f.Add(502, []byte(`{"type":"error","error":{"type":"api_error","message":"m"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeErrorBody(status, body)
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

// statusError is the transport's report of an answer, as the transport makes it.
func statusError(status int, body []byte, h http.Header) *transport.StatusError {
	req, _ := http.NewRequest(http.MethodGet, "https://api.example.com/v1/agents?x=1", nil)
	resp := &http.Response{StatusCode: status, Header: h, Request: req}
	return &transport.StatusError{Method: req.Method, URL: req.URL.Redacted(), Response: resp, Body: body,
		RetryAfter: transport.ParseRetryAfter(h, time.Now())}
}

// FuzzErrorFromResponse builds the public error of an answer with any status,
// body and headers: the wait is never negative, the header's request id wins,
// and no part of the key a server echoed (whole, or cut off by a length cap)
// survives in any field or format.
func FuzzErrorFromResponse(f *testing.F) {
	f.Add(502, []byte("x-api-key: "+fuzzKey), "req_1", "2", "")
	f.Fuzz(func(t *testing.T, status int, body []byte, requestID, retryAfter, retryAfterMs string) {
		h := http.Header{}
		h.Set("Request-Id", requestID)
		h.Set("Retry-After", retryAfter)
		h.Set("Retry-After-Ms", retryAfterMs)
		e := newAPIError(statusError(status, body, h), &config.Config{APIKey: secret.New(fuzzKey)})
		if e.RetryAfter < 0 {
			t.Fatalf("negative wait %s", e.RetryAfter)
		}
		if id := strings.TrimSpace(h.Get("Request-Id")); id != "" && !strings.Contains(id, fuzzKey) && e.RequestID != h.Get("Request-Id") {
			t.Fatalf("request id %q, header %q", e.RequestID, h.Get("Request-Id"))
		}
		if e.Method != http.MethodGet || e.URL != "https://api.example.com/v1/agents?x=1" {
			t.Fatalf("request named %s %s", e.Method, e.URL)
		}
		if leak := keyLeak(e); leak != "" {
			t.Fatal(leak)
		}
	})
}

// keyLeak says where e still shows fuzzKey: whole in any field or format, or
// its first part (at least 4 bytes) where a length cap cut it: at the end of the
// message (before the "..." of a summary) or of the capped body.
func keyLeak(e *APIError) string {
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

// TestRedactCutOffKey: a key echoed where the 200-byte summary or the 64 KiB body
// cap cuts it must not leave its first part behind.
func TestRedactCutOffKey(t *testing.T) {
	t.Parallel()
	for _, cfg := range []*config.Config{{APIKey: secret.New(fuzzKey)}, {AuthToken: secret.New(fuzzKey)}} {
		for _, lead := range []int{160, 170, 180, 190, 195} {
			e := decodeErrorBody(502, []byte(strings.Repeat("a", lead)+" "+fuzzKey))
			redact(e, cfg)
			require.Empty(t, keyLeak(e), "summary cut after %d bytes", lead)
			require.True(t, strings.HasSuffix(e.Message, "[redacted]..."), e.Message)

			e = decodeErrorBody(502, []byte("<html><title>"+strings.Repeat("a", lead)+" "+fuzzKey+"</title></html>"))
			redact(e, cfg)
			require.Empty(t, keyLeak(e), "title cut after %d bytes", lead)
		}
		const capped = 64 << 10 // the transport keeps at most 64 KiB of an error body
		body := append(bytes.Repeat([]byte("b"), capped-20), fuzzKey[:20]...)
		e := newAPIError(statusError(500, body, http.Header{}), cfg)
		require.Empty(t, keyLeak(e))
		require.True(t, bytes.HasSuffix(e.Body, []byte("[redacted]")), "%q", e.Body[len(e.Body)-40:])
		require.Len(t, e.Body, capped-20+len("[redacted]"))
	}
}
