package transport

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/internal/apierror"
	"github.com/go-managedagents/managedagents/internal/config"
)

// ErrorFromResponse reads (at most 64 KiB of) resp's body and returns the API error
// it describes. A body that is not the JSON error envelope still gives an error
// with the status and a short summary of the body.
func ErrorFromResponse(resp *http.Response) *apierror.Error {
	var body []byte
	if resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	}
	e := DecodeErrorBody(resp.StatusCode, body)
	if id := resp.Header.Get("Request-Id"); id != "" {
		e.RequestID = id
	}
	e.RetryAfter = ParseRetryAfter(resp.Header, time.Now())
	if resp.Request != nil && resp.Request.URL != nil {
		e.Method = resp.Request.Method
		e.URL = resp.Request.URL.Redacted()
	}
	return e
}

// DecodeErrorBody decodes an error envelope,
// {"type":"error","error":{"type":…,"message":…,"details":{"error_code":…}},"request_id":…}.
// It never fails: a body that is not the envelope (HTML from a proxy, plain
// text, truncated JSON, nothing) becomes a message that says so, with a short
// summary of the body (valid UTF-8).
func DecodeErrorBody(status int, body []byte) *apierror.Error {
	e := &apierror.Error{StatusCode: status, Body: body}
	var env struct {
		Error     json.RawMessage `json:"error"`
		Message   string          `json:"message"`
		RequestID string          `json:"request_id"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		e.Message = "empty response body"
		return e
	}
	if trimmed[0] == '{' && json.Unmarshal(trimmed, &env) == nil {
		e.RequestID = env.RequestID
		var inner struct {
			Type    string          `json:"type"`
			Message string          `json:"message"`
			Details json.RawMessage `json:"details"`
		}
		var text string
		switch {
		case json.Unmarshal(env.Error, &inner) == nil && (inner.Type != "" || inner.Message != ""):
			e.Type, e.Message = inner.Type, inner.Message
			var details struct {
				ErrorCode string `json:"error_code"`
			}
			if json.Unmarshal(inner.Details, &details) == nil {
				e.Code = details.ErrorCode
			}
			return e
		case json.Unmarshal(env.Error, &text) == nil && text != "":
			e.Message = text
			return e
		case env.Message != "":
			e.Message = env.Message
			return e
		}
		e.Message = "JSON body without an error message: " + summarize(trimmed)
		return e
	}
	switch {
	case trimmed[0] == '{' || trimmed[0] == '[':
		e.Message = "truncated or malformed JSON body: " + summarize(trimmed)
	case trimmed[0] == '<':
		e.Message = "HTML instead of a JSON error (from a proxy or gateway?)"
		if t := htmlTitle(trimmed); t != "" {
			e.Message += ": " + t
		}
	default:
		e.Message = "non-JSON body: " + summarize(trimmed)
	}
	return e
}

// htmlTitle returns the shortened text of the page's <title> or first <h1>.
func htmlTitle(body []byte) string {
	// ASCII lowering keeps every index of lower valid in body (bytes.ToLower
	// does not: it rewrites invalid UTF-8 and some letters at another length).
	lower := make([]byte, len(body))
	for i, c := range body {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	for _, tag := range []string{"title", "h1"} {
		i := bytes.Index(lower, []byte("<"+tag))
		if i < 0 {
			continue
		}
		j := bytes.IndexByte(lower[i:], '>')
		if j < 0 {
			continue
		}
		start := i + j + 1
		end := bytes.Index(lower[start:], []byte("</"+tag))
		if end < 0 {
			continue
		}
		if s := summarize(body[start : start+end]); s != "" {
			return s
		}
	}
	return ""
}

// summarize returns body as one line of at most 200 bytes of valid UTF-8.
func summarize(body []byte) string {
	s := strings.ToValidUTF8(string(body), "?")
	s = strings.Join(strings.Fields(s), " ")
	const max = 200
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// ParseRetryAfter reads retry-after-ms (milliseconds), then retry-after (seconds,
// possibly fractional, or an HTTP date). It returns 0 when neither is present,
// valid and positive.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < 1e12 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil {
			if s > 0 && s < 1e9 {
				return time.Duration(s * float64(time.Second))
			}
			return 0
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d
			}
		}
	}
	return 0
}

// ErrorFrame decodes the data of an "error" frame of an event stream (status 0)
// and redacts cfg's credentials from it, as for any error answer.
func ErrorFrame(cfg *config.Config, data []byte) *apierror.Error {
	e := DecodeErrorBody(0, data)
	redact(e, cfg)
	return e
}

// redact removes the config's credentials from every text of e, in case a proxy
// or a debugging server echoed the request headers in its answer. It also masks
// the first part of a credential that a length cap cut off: at the end of the
// message (before a summary's "...") or of the capped body.
func redact(e *apierror.Error, cfg *config.Config) {
	for _, s := range [...]string{cfg.APIKey.Reveal(), cfg.AuthToken.Reveal()} {
		if s == "" {
			continue
		}
		e.Message = maskCutOff(strings.ReplaceAll(e.Message, s, redactMask), s)
		e.Type = strings.ReplaceAll(e.Type, s, redactMask)
		e.Code = strings.ReplaceAll(e.Code, s, redactMask)
		e.RequestID = strings.ReplaceAll(e.RequestID, s, redactMask)
		e.URL = strings.ReplaceAll(e.URL, s, redactMask)
		if bytes.Contains(e.Body, []byte(s)) {
			e.Body = bytes.ReplaceAll(e.Body, []byte(s), []byte(redactMask))
		}
		if n := cutOffLen(e.Body, s); n > 0 {
			e.Body = append(e.Body[:len(e.Body)-n:len(e.Body)-n], redactMask...)
		}
	}
}

const redactMask = "[redacted]"

// maskCutOff masks a first part of s (at least 4 bytes) that ends text, or ends
// it before a summary's "...".
func maskCutOff(text, s string) string {
	head, _ := strings.CutSuffix(text, "...")
	if n := cutOffLen([]byte(head), s); n > 0 {
		return head[:len(head)-n] + redactMask + text[len(head):]
	}
	return text
}

// cutOffLen returns the length of the longest proper first part of s, of at
// least 4 bytes, that ends b; 0 if none.
func cutOffLen(b []byte, s string) int {
	for n := min(len(s)-1, len(b)); n >= 4; n-- {
		if bytes.HasSuffix(b, []byte(s[:n])) {
			return n
		}
	}
	return 0
}
