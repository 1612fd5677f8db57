package managedagents

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/transport"
)

// Errors of a 2xx body that cannot be decoded, found in ResponseError.Err.
var (
	errEmptyBody = errors.New("empty response body")
	errNullBody  = errors.New("JSON null instead of a value")
	errNotSSE    = errors.New("not an event stream")
)

// fromWire turns an error of the transport into the package's public error,
// with cfg's credentials redacted. Other errors (ctx.Err(), the limiter's,
// network errors) are returned as they are, unless their text quotes a
// credential (see redactErr).
func fromWire(err error, cfg *config.Config) error {
	switch e := err.(type) {
	case *transport.StatusError:
		a := newAPIError(e, cfg)
		if a.StatusCode == http.StatusPreconditionFailed && a.Code == heartbeatPreconditionFailed {
			return leaseLost(a)
		}
		return a
	case *transport.UncertainError:
		return &DeliveryError{Method: e.Method, URL: e.URL, Err: fromWire(e.Err, cfg)}
	case *transport.ContentTypeError:
		return responseError(cfg, e.Method, e.URL, e.Response, errNotSSE)
	case *transport.BodyError:
		return redactErr(fmt.Errorf("%s%s %s: request body: %w", errPrefix, e.Method, e.URL, e.Err), cfg)
	}
	return redactErr(err, cfg)
}

// redactErr returns err, or, when its text quotes one of cfg's credentials
// (a network error quoting a malformed answer, a decoding error quoting the
// value that failed), an error with the same text redacted and nothing else:
// its causes, which would still hold the credential, are dropped.
func redactErr(err error, cfg *config.Config) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if red := cfg.Redact(text); red != text {
		return &redactedError{text: red}
	}
	return err
}

// redactedError is an error whose text quoted a credential, redacted.
type redactedError struct{ text string }

func (e *redactedError) Error() string { return e.text }

// lastResponse returns the answer carried by an error of the transport, and
// its body, if any.
func lastResponse(err error) (*http.Response, []byte) {
	var se *transport.StatusError
	var ce *transport.ContentTypeError
	switch {
	case errors.As(err, &se):
		return se.Response, se.Body
	case errors.As(err, &ce):
		return ce.Response, nil
	}
	return nil, nil
}

// publicResponse returns a copy of resp that may be handed to the user
// (option.WithResponseInto, a middleware's option.CallEnd, and through it
// telemetry): its request carries no credential header, and its body is body
// (http.NoBody when nil). A credential of cfg that the server echoed into a
// header value (request-id, say) or into body is masked, as in errors.
func publicResponse(cfg *config.Config, resp *http.Response, body []byte) *http.Response {
	if resp == nil {
		return nil
	}
	out := *resp
	out.Header = redactHeader(cfg, resp.Header)
	out.Body = http.NoBody
	if body != nil {
		out.Body = io.NopCloser(bytes.NewReader(redactBytes(cfg, body)))
	}
	if resp.Request != nil {
		req := *resp.Request
		req.Header = resp.Request.Header.Clone()
		req.Header.Del("X-Api-Key")
		req.Header.Del("Authorization")
		out.Request = &req
	}
	return &out
}

// redactHeader returns h, or a copy of h with cfg's credentials masked in its
// values when one holds them.
func redactHeader(cfg *config.Config, h http.Header) http.Header {
	for _, values := range h {
		for _, v := range values {
			if cfg.Redact(v) != v {
				out := make(http.Header, len(h))
				for name, vs := range h {
					red := make([]string, len(vs))
					for i, v := range vs {
						red[i] = cfg.Redact(v)
					}
					out[name] = red
				}
				return out
			}
		}
	}
	return h
}

// redactBytes returns b, or a copy of b with cfg's credentials masked when it
// holds one, whole or cut off at its end (a body read up to a limit).
func redactBytes(cfg *config.Config, b []byte) []byte {
	for _, s := range cfg.SecretValues() {
		if s == "" {
			continue
		}
		if bytes.Contains(b, []byte(s)) {
			b = bytes.ReplaceAll(b, []byte(s), []byte(redactMask))
		}
		if n := cutOffLen(b, s); n > 0 {
			b = append(b[:len(b)-n:len(b)-n], redactMask...)
		}
	}
	return b
}

// responseError returns the *ResponseError of the 2xx answer resp to method
// url, whose body could not be read because of err, with cfg's credentials
// redacted from what came from the server.
func responseError(cfg *config.Config, method, url string, resp *http.Response, err error) *ResponseError {
	return &ResponseError{Method: method, URL: cfg.Redact(url), StatusCode: resp.StatusCode,
		ContentType: cfg.Redact(resp.Header.Get("Content-Type")), RequestID: cfg.Redact(resp.Header.Get("Request-Id")),
		Err: redactErr(err, cfg)}
}

// newAPIError decodes the answer of e into an *APIError.
func newAPIError(e *transport.StatusError, cfg *config.Config) *APIError {
	a := decodeErrorBody(e.Response.StatusCode, e.Body)
	if id := e.Response.Header.Get("Request-Id"); id != "" {
		a.RequestID = id
	}
	a.RetryAfter = e.RetryAfter
	a.Method, a.URL = e.Method, e.URL
	redact(a, cfg)
	return a
}

// errorFrame decodes the data of an "error" frame of an event stream (status
// 0) and redacts cfg's credentials from it, as for any error answer.
func errorFrame(cfg *config.Config, data []byte) *APIError {
	e := decodeErrorBody(0, data)
	redact(e, cfg)
	return e
}

// decodeErrorBody decodes an error envelope,
// {"type":"error","error":{"type":…,"message":…,"details":{"error_code":…}},"request_id":…}.
// It never fails: a body that is not the envelope (HTML from a proxy, plain
// text, truncated JSON, nothing) becomes a message that says so, with a short
// summary of the body (valid UTF-8).
func decodeErrorBody(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status, Body: body}
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
		case json.Unmarshal(env.Error, &text) == nil && text != "":
			e.Message = text
		case env.Message != "":
			e.Message = env.Message
		default:
			e.Message = "JSON body without an error message: " + summarize(trimmed)
		}
		return e
	}
	switch trimmed[0] {
	case '{', '[':
		e.Message = "truncated or malformed JSON body: " + summarize(trimmed)
	case '<':
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

// redact removes the config's credentials, and the secrets the call's body
// carried, from every text of e, in case a proxy or a debugging server echoed
// the request in its answer. It also masks the first part of a credential that
// a length cap cut off: at the end of the message (before a summary's "...")
// or of the capped body.
func redact(e *APIError, cfg *config.Config) {
	e.Type, e.Code, e.RequestID, e.URL = cfg.Redact(e.Type), cfg.Redact(e.Code), cfg.Redact(e.RequestID), cfg.Redact(e.URL)
	for _, s := range cfg.SecretValues() {
		if s != "" {
			e.Message = maskCutOff(strings.ReplaceAll(e.Message, s, redactMask), s)
		}
	}
	e.Body = redactBytes(cfg, e.Body)
}

const redactMask = config.RedactMask

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
