package managedagentstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Matcher compares a request the client makes (live) with a recorded one and
// returns the differences it cares about, one readable line each, such as
//
//	body.events[0].content[0].text: got "Hi", recorded "Hello"
//
// None means they match. Both requests have been redacted the same way, so
// secrets never take part (nor show). See [WithMatcher].
type Matcher func(live, recorded *RecordedRequest) []string

// MatchDefault is the default matcher: [MatchMethod], [MatchPath],
// [MatchQuery] and [MatchBody]. Headers are ignored.
func MatchDefault(live, recorded *RecordedRequest) []string {
	var out []string
	for _, m := range []Matcher{MatchMethod, MatchPath, MatchQuery, MatchBody} {
		out = append(out, m(live, recorded)...)
	}
	return out
}

// MatchMethod compares the methods.
func MatchMethod(live, recorded *RecordedRequest) []string {
	if live.Method == recorded.Method {
		return nil
	}
	return []string{"method: got " + live.Method + ", recorded " + recorded.Method}
}

// MatchPath compares the paths (percent-encoded, as sent).
func MatchPath(live, recorded *RecordedRequest) []string {
	if live.Path == recorded.Path {
		return nil
	}
	return []string{"path: got " + strconv.Quote(live.Path) + ", recorded " + strconv.Quote(recorded.Path)}
}

// MatchQuery compares the query parameters: the values of each name, in
// order; the order of the names does not matter.
func MatchQuery(live, recorded *RecordedRequest) []string {
	if live.Query == recorded.Query {
		return nil
	}
	lq, lerr := url.ParseQuery(live.Query)
	rq, rerr := url.ParseQuery(recorded.Query)
	if lerr != nil || rerr != nil {
		return []string{"query: got " + strconv.Quote(live.Query) + ", recorded " + strconv.Quote(recorded.Query)}
	}
	var out []string
	for _, k := range unionKeys(lq, rq) {
		if !slices.Equal(lq[k], rq[k]) {
			out = append(out, "query "+k+": got "+showValues(lq[k])+", recorded "+showValues(rq[k]))
		}
	}
	return out
}

// MatchBody compares the bodies: as JSON values when both are JSON (so
// whitespace and the order of object members do not matter), byte for byte
// otherwise.
func MatchBody(live, recorded *RecordedRequest) []string {
	if bytes.Equal(live.Body, recorded.Body) {
		return nil
	}
	lv, lok := decodeJSON(live.Body)
	rv, rok := decodeJSON(recorded.Body)
	if lok && rok {
		var out []string
		diffJSON("body", lv, rv, &out)
		return out
	}
	return []string{"body: got " + showBody(live.Body) + ", recorded " + showBody(recorded.Body)}
}

// MatchHeader returns a matcher that compares the values of the named
// headers.
func MatchHeader(names ...string) Matcher {
	return func(live, recorded *RecordedRequest) []string {
		var out []string
		for _, n := range names {
			lv, rv := live.Header.Values(n), recorded.Header.Values(n)
			if !slices.Equal(lv, rv) {
				out = append(out, "header "+http.CanonicalHeaderKey(n)+": got "+showValues(lv)+", recorded "+showValues(rv))
			}
		}
		return out
	}
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func showValues(v []string) string {
	if v == nil {
		return "nothing"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// showBody renders a body: JSON as JSON, text quoted.
func showBody(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	if v, ok := decodeJSON(b); ok {
		return showJSON(v)
	}
	if !utf8.Valid(b) {
		return fmt.Sprintf("%d bytes of binary data", len(b))
	}
	return truncate(strconv.Quote(string(b)))
}

func decodeJSON(b []byte) (any, bool) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, false
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil || d.More() {
		return nil, false
	}
	return v, true
}

// maxShown is the longest rendering of a value in a difference.
const maxShown = 100

func truncate(s string) string {
	if len(s) <= maxShown {
		return s
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// showJSON renders a decoded JSON value compactly, truncated.
func showJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return truncate(strings.TrimSpace(b.String()))
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// diffJSON appends the differences between the decoded JSON values live and
// recorded, found at path.
func diffJSON(path string, live, recorded any, out *[]string) {
	switch l := live.(type) {
	case map[string]any:
		if r, ok := recorded.(map[string]any); ok {
			for _, k := range unionKeys(l, r) {
				p := path + "." + k
				if !identifier.MatchString(k) {
					p = path + "[" + strconv.Quote(k) + "]"
				}
				lv, lok := l[k]
				rv, rok := r[k]
				switch {
				case !lok:
					*out = append(*out, p+": got nothing, recorded "+showJSON(rv))
				case !rok:
					*out = append(*out, p+": got "+showJSON(lv)+", recorded nothing")
				default:
					diffJSON(p, lv, rv, out)
				}
			}
			return
		}
	case []any:
		if r, ok := recorded.([]any); ok {
			for i := range max(len(l), len(r)) {
				p := path + "[" + strconv.Itoa(i) + "]"
				switch {
				case i >= len(l):
					*out = append(*out, p+": got nothing, recorded "+showJSON(r[i]))
				case i >= len(r):
					*out = append(*out, p+": got "+showJSON(l[i])+", recorded nothing")
				default:
					diffJSON(p, l[i], r[i], out)
				}
			}
			return
		}
	case json.Number:
		if r, ok := recorded.(json.Number); ok && sameNumber(l, r) {
			return
		}
	default:
		if live == recorded {
			return
		}
	}
	*out = append(*out, path+": got "+showJSON(live)+", recorded "+showJSON(recorded))
}

// sameNumber reports whether two JSON numbers have the same value (1 and 1.0).
func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	fa, ea := a.Float64()
	fb, eb := b.Float64()
	return ea == nil && eb == nil && fa == fb
}
