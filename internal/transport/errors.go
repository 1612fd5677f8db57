package transport

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/internal/apierror"
)

// ErrorFromResponse reads (at most 64 KiB of) resp's body and returns the API error
// it describes. A body that is not the JSON error envelope still gives an error
// with the status and a short summary of the body.
func ErrorFromResponse(resp *http.Response) *apierror.Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := DecodeErrorBody(resp.StatusCode, body)
	if id := resp.Header.Get("Request-Id"); id != "" {
		e.RequestID = id
	}
	e.RetryAfter = ParseRetryAfter(resp.Header, time.Now())
	if resp.Request != nil {
		e.Method = resp.Request.Method
		u := *resp.Request.URL
		u.User = nil
		e.URL = u.String()
	}
	return e
}

// DecodeErrorBody decodes an error envelope. It never fails: a body that is not
// JSON becomes the message (shortened, valid UTF-8).
func DecodeErrorBody(status int, body []byte) *apierror.Error {
	e := &apierror.Error{StatusCode: status, Body: body}
	var env struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
			Details struct {
				ErrorCode string `json:"error_code"`
			} `json:"details"`
		} `json:"error"`
		RequestID string `json:"request_id"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error.Type != "" {
		e.Type = env.Error.Type
		e.Message = env.Error.Message
		e.Code = env.Error.Details.ErrorCode
		e.RequestID = env.RequestID
		return e
	}
	e.Message = summarize(body)
	return e
}

func summarize(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return "empty response body"
	}
	s = strings.ToValidUTF8(s, "?")
	s = strings.Join(strings.Fields(s), " ")
	const max = 200
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return "non-JSON body: " + s
}

// ParseRetryAfter reads retry-after-ms, then retry-after (seconds or an HTTP date).
// It returns 0 when neither is present or valid.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < 1e12 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	if v := h.Get("Retry-After"); v != "" {
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
