package managedagentstest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// redactedMask replaces every secret a recording would hold.
const redactedMask = "[redacted]"

var maskToken = []byte(`"` + redactedMask + `"`)

// secretFields are the JSON members whose values are secrets wherever they
// appear (matched without regard to case): repository tokens of session
// resources, vault credentials' secrets, the per-item secret and tokens of
// self-hosted work, webhook signing secrets. A string is replaced by
// [redactedMask]; an object or array has every string in it replaced.
var secretFields = []string{
	"authorization_token",                            // session resources (github_repository)
	"access_token", "refresh_token", "client_secret", // vault credentials (mcp_oauth)
	"secret_value",                            // vault credentials (environment_variable)
	"sessions_token", "session_ingress_token", // self-hosted work secrets
	"signing_secret", // webhook endpoints
	"api_key", "password",
}

// authKeep are the members of an "auth" object (vault credentials) that are not
// secret. Every other string in an "auth" object (a static_bearer token, an
// access token, a refresh token, a client secret, a member a later version of
// the API adds) is redacted.
var authKeep = map[string]bool{
	"type": true, "mcp_server_url": true, "expires_at": true, "client_id": true, "token_endpoint": true,
	"resource": true, "scope": true, "secret_name": true, "allowed_hosts": true,
}

// secretHeaderWords make a header secret when its name (split at "-") has
// one of them: Authorization, Proxy-Authorization, Cookie, Set-Cookie,
// X-Auth-Token, Webhook-Signature and the like; X-Api-Key and other names
// ending in "Api-Key" are secret too. Anthropic-Ratelimit-Tokens-Remaining is
// not ("tokens" is not "token").
var secretHeaderWords = map[string]bool{"authorization": true, "cookie": true, "token": true, "secret": true,
	"password": true, "signature": true, "credential": true, "credentials": true, "apikey": true}

// secretPatterns match credentials of known formats anywhere in a recording:
// Anthropic API keys and tokens, webhook signing secrets, GitHub tokens.
var secretPatterns = regexp.MustCompile(`sk-ant-[A-Za-z0-9_-]{8,}|whsec_[A-Za-z0-9+/=]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,}`)

// minSecretLen is the length from which a secret found in one place (a header,
// a secret field) is also removed from everywhere else in the recording.
// Shorter values are redacted where found only, since replacing a short string
// everywhere would damage the recording.
const minSecretLen = 6

// redactor removes secrets from interactions, by structure: secret headers,
// secret JSON fields. It reports what it removed so that a scrubber can remove
// the same values wherever else they appear.
type redactor struct {
	fields  map[string]bool // lower-case JSON member names
	headers map[string]bool // canonical header names
}

func newRedactor(extraFields, extraHeaders []string) *redactor {
	rd := &redactor{fields: map[string]bool{}, headers: map[string]bool{}}
	for _, f := range append(slices.Clone(secretFields), extraFields...) {
		rd.fields[strings.ToLower(f)] = true
	}
	for _, h := range extraHeaders {
		rd.headers[http.CanonicalHeaderKey(h)] = true
	}
	return rd
}

// redact replaces the secrets of ix's headers and JSON bodies, and calls found
// with each value replaced. It also reads the frames of a recorded stream and
// reports the secrets they hold, without changing the stream (the scrubber
// does, keeping its chunks consistent).
func (rd *redactor) redact(ix *Interaction, found func(string)) {
	rd.redactHeader(ix.Request.Header, found)
	rd.redactHeader(ix.Response.Header, found)
	ix.Request.Query = rd.redactQuery(ix.Request.Query, found)
	ix.Request.Body = rd.redactBody(ix.Request.Body, found)
	ix.Response.Body = rd.redactBody(ix.Response.Body, found)
	if s := ix.Response.Stream; s != nil {
		for line := range bytes.Lines(s.Data) {
			if data, ok := bytes.CutPrefix(line, []byte("data:")); ok {
				rd.redactBody(bytes.TrimSpace(data), found)
			}
		}
	}
}

func (rd *redactor) secretHeader(name string) bool {
	if rd.headers[http.CanonicalHeaderKey(name)] {
		return true
	}
	words := strings.Split(strings.ToLower(name), "-")
	for i, w := range words {
		if secretHeaderWords[w] || (w == "key" && i > 0 && words[i-1] == "api") {
			return true
		}
	}
	return false
}

func (rd *redactor) redactHeader(h http.Header, found func(string)) {
	for name, values := range h {
		if !rd.secretHeader(name) {
			continue
		}
		for i, v := range values {
			if v == redactedMask || v == "" {
				continue
			}
			found(v)
			if _, cred, ok := strings.Cut(v, " "); ok { // "Bearer <token>"
				found(strings.TrimSpace(cred))
			}
			values[i] = redactedMask
		}
	}
}

// redactQuery returns query with the values of secret parameters (named as a
// secret field or a secret header, such as access_token or api_key) redacted,
// or query itself when it holds none.
func (rd *redactor) redactQuery(query string, found func(string)) string {
	if query == "" {
		return query
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return query
	}
	changed := false
	for name, values := range q {
		if !rd.fields[strings.ToLower(name)] && !rd.secretHeader(strings.ReplaceAll(name, "_", "-")) {
			continue
		}
		for i, v := range values {
			if v != "" && v != redactedMask {
				found(v)
				values[i], changed = redactedMask, true
			}
		}
	}
	if !changed {
		return query
	}
	return q.Encode()
}

// redactBody returns body with its secret fields redacted, or body itself when
// it is not JSON or holds none.
func (rd *redactor) redactBody(body []byte, found func(string)) []byte {
	if len(body) == 0 {
		return body
	}
	n, err := parseJSON(body)
	if err != nil || !rd.redactNode(n, found) {
		return body
	}
	var buf bytes.Buffer
	n.compact(&buf)
	return buf.Bytes()
}

// redactNode redacts the secret fields under n and reports whether it changed
// anything.
func (rd *redactor) redactNode(n *jsonNode, found func(string)) bool {
	changed := false
	for i, kid := range n.kids {
		if n.open != '{' {
			changed = rd.redactNode(kid, found) || changed
			continue
		}
		switch name := strings.ToLower(unquote(n.keys[i])); {
		case name == "auth":
			changed = redactStrings(kid, authKeep, rd, found) || changed
		case name == "secret" && kid.open == 0:
			changed = redactWorkSecret(kid, found) || changed
		case rd.fields[name] || name == "secret":
			changed = redactStrings(kid, nil, rd, found) || changed
		default:
			changed = rd.redactNode(kid, found) || changed
		}
	}
	return changed
}

// redactStrings replaces every non-empty string under n, except under the
// object members named in keep (which are searched for secret fields as any
// value), and reports whether it changed anything.
func redactStrings(n *jsonNode, keep map[string]bool, rd *redactor, found func(string)) bool {
	switch n.open {
	case 0:
		if len(n.raw) < 3 || n.raw[0] != '"' || bytes.Equal(n.raw, maskToken) {
			return false // not a string, empty, or already redacted
		}
		found(unquote(n.raw))
		n.raw = maskToken
		return true
	case '{':
		changed := false
		for i, kid := range n.kids {
			if keep[strings.ToLower(unquote(n.keys[i]))] {
				changed = rd.redactNode(kid, found) || changed
			} else {
				changed = redactStrings(kid, keep, rd, found) || changed
			}
		}
		return changed
	}
	changed := false
	for _, kid := range n.kids {
		changed = redactStrings(kid, keep, rd, found) || changed
	}
	return changed
}

// redactWorkSecret redacts the "secret" of a self-hosted work item: URL-safe
// base64 of a JSON object of tokens. The tokens inside are redacted and the
// object encoded again, so that a worker replaying the recording still finds a
// (redacted) sessions_token; a secret that does not decode is replaced whole.
func redactWorkSecret(n *jsonNode, found func(string)) bool {
	if len(n.raw) < 3 || n.raw[0] != '"' || bytes.Equal(n.raw, maskToken) {
		return false
	}
	s := unquote(n.raw)
	found(s)
	n.raw = maskToken
	payload, ok := base64URL(s)
	if !ok || !json.Valid(payload) {
		return true
	}
	inner, err := parseJSON(payload)
	if err != nil || inner.open != '{' {
		return true
	}
	redactStrings(inner, map[string]bool{"type": true}, newRedactor(nil, nil), found)
	var buf bytes.Buffer
	inner.compact(&buf)
	enc := base64.RawURLEncoding.EncodeToString(buf.Bytes())
	if strings.HasSuffix(s, "=") {
		enc = base64.URLEncoding.EncodeToString(buf.Bytes())
	}
	n.raw, _ = json.Marshal(enc)
	return true
}

// unquote decodes a JSON string token; anything else gives "".
func unquote(raw []byte) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// base64URL decodes unpadded or padded URL-safe base64.
func base64URL(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	return b, err == nil
}

// scrubber replaces literal secrets, and credentials of known formats
// ([secretPatterns]), wherever they appear in an interaction.
type scrubber struct {
	needles [][]byte
}

// newScrubber returns a scrubber of secrets: each as it is, as a JSON string
// holds it and as a query string holds it.
func newScrubber(secrets []string) *scrubber {
	sc := &scrubber{}
	seen := map[string]bool{}
	for _, s := range secrets {
		if s == "" || s == redactedMask {
			continue
		}
		j, _ := json.Marshal(s)
		for _, form := range []string{s, string(j[1 : len(j)-1]), url.QueryEscape(s), url.PathEscape(s)} {
			if !seen[form] {
				seen[form] = true
				sc.needles = append(sc.needles, []byte(form))
			}
		}
	}
	// Longest first, so that a secret holding another is replaced whole.
	slices.SortFunc(sc.needles, func(a, b []byte) int { return len(b) - len(a) })
	return sc
}

// ranges returns the sorted, disjoint ranges of b that hold a secret.
func (sc *scrubber) ranges(b []byte) [][2]int {
	var rs [][2]int
	for _, nd := range sc.needles {
		for i := 0; ; {
			j := bytes.Index(b[i:], nd)
			if j < 0 {
				break
			}
			rs = append(rs, [2]int{i + j, i + j + len(nd)})
			i += j + len(nd)
		}
	}
	for _, m := range secretPatterns.FindAllIndex(b, -1) {
		rs = append(rs, [2]int{m[0], m[1]})
	}
	if len(rs) == 0 {
		return nil
	}
	slices.SortFunc(rs, func(a, b [2]int) int { return a[0] - b[0] })
	merged := rs[:1]
	for _, r := range rs[1:] {
		last := &merged[len(merged)-1]
		if r[0] <= last[1] {
			last[1] = max(last[1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

func (sc *scrubber) bytes(b []byte) []byte {
	rs := sc.ranges(b)
	if rs == nil {
		return b
	}
	var out bytes.Buffer
	prev := 0
	for _, r := range rs {
		out.Write(b[prev:r[0]])
		out.WriteString(redactedMask)
		prev = r[1]
	}
	out.Write(b[prev:])
	return out.Bytes()
}

func (sc *scrubber) string(s string) string { return string(sc.bytes([]byte(s))) }

// scrub replaces the secrets everywhere in ix: path, query, headers, bodies,
// stream (keeping its chunks consistent), errors.
func (sc *scrubber) scrub(ix *Interaction) {
	ix.Request.Path = sc.string(ix.Request.Path)
	ix.Request.Query = sc.string(ix.Request.Query)
	for _, h := range []http.Header{ix.Request.Header, ix.Response.Header} {
		for _, values := range h {
			for i, v := range values {
				values[i] = sc.string(v)
			}
		}
	}
	ix.Request.Body = sc.bytes(ix.Request.Body)
	ix.Response.Body = sc.bytes(ix.Response.Body)
	ix.Response.Err = sc.string(ix.Response.Err)
	if s := ix.Response.Stream; s != nil {
		s.replaceRanges(sc.ranges(s.Data), []byte(redactedMask))
		s.Err = sc.string(s.Err)
	}
}
