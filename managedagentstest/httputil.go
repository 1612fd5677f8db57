package managedagentstest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// timeFormat is how the server writes timestamps: RFC 3339, UTC, milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

// apiError is an error answer.
type apiError struct {
	status int
	typ    string
	msg    string
	code   string // error.details.error_code
	// details are more members of error.details (current_state of a 412).
	details obj
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.typ, e.msg) }

func errBadRequest(format string, args ...any) *apiError {
	return &apiError{status: 400, typ: "invalid_request_error", msg: fmt.Sprintf(format, args...)}
}

func errNotFound(msg string) *apiError {
	return &apiError{status: 404, typ: "not_found_error", msg: msg}
}

func errConflict(format string, args ...any) *apiError {
	return &apiError{status: 409, typ: "invalid_request_error", msg: fmt.Sprintf(format, args...)}
}

// errorType returns the error.type the API uses for status.
func errorType(status int) string {
	switch status {
	case 400, 409, 422:
		return "invalid_request_error"
	case 401:
		return "authentication_error"
	case 402:
		return "billing_error"
	case 403:
		return "permission_error"
	case 404:
		return "not_found_error"
	case 408, 504:
		return "timeout_error"
	case 413:
		return "request_too_large"
	case 429:
		return "rate_limit_error"
	case 529:
		return "overloaded_error"
	}
	return "api_error"
}

// errorBody returns the error envelope.
func errorBody(e *apiError, requestID string) []byte {
	inner := map[string]any{"type": e.typ, "message": e.msg}
	if e.code != "" || e.details != nil {
		details := map[string]any{"error_code": e.code}
		for k, v := range e.details {
			details[k] = v
		}
		inner["details"] = details
	}
	b, _ := json.Marshal(map[string]any{"type": "error", "error": inner, "request_id": requestID})
	return b
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := errorBody(e, w.Header().Get("Request-Id"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// obj is a JSON object as decoded with UseNumber, or as built by the server.
type obj = map[string]any

// handlerFunc answers one request. It runs with s.mu held.
type handlerFunc func(r *http.Request, body obj) (any, error)

// handle registers h on pattern. The adapter rejects query keys not in allowed
// (plus "beta"), decodes a JSON object body, runs h under s.mu and writes its
// answer.
func (s *Server) handle(pattern string, h handlerFunc, allowed ...string) {
	s.handleRaw(pattern, func(w http.ResponseWriter, r *http.Request) {
		var body obj
		var raw bytes.Buffer
		if r.Body != nil {
			_, _ = raw.ReadFrom(r.Body)
		}
		if len(bytes.TrimSpace(raw.Bytes())) > 0 {
			if r.Method != http.MethodPost {
				writeError(w, errBadRequest("%s takes no request body", r.Method))
				return
			}
			dec := json.NewDecoder(&raw)
			dec.UseNumber()
			if err := dec.Decode(&body); err != nil || body == nil {
				writeError(w, errBadRequest("request body must be a JSON object"))
				return
			}
		}
		s.writeJSON(w, func() (any, error) { return h(r, body) })
	}, allowed...)
}

// handleRaw registers h on pattern: h reads the request and writes the
// answer itself (the JSON handlers of handle, uploads, downloads), taking
// s.mu when it needs it. Query keys not in allowed (plus "beta") are refused.
func (s *Server) handleRaw(pattern string, h http.HandlerFunc, allowed ...string) {
	s.served = append(s.served, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		for k := range r.URL.Query() {
			if k != "beta" && !slices.Contains(allowed, k) {
				writeError(w, errBadRequest("%s: unexpected query parameter", k))
				return
			}
		}
		h(w, r)
	})
}

// writeJSON runs build under s.mu and writes its answer, encoded under the
// lock too (it may share maps with the state), or its error.
func (s *Server) writeJSON(w http.ResponseWriter, build func() (any, error)) {
	s.mu.Lock()
	s.fireDue() // schedules the real-time clock passed since the last request
	out, err := build()
	var data []byte
	if err == nil {
		data, err = json.Marshal(out)
	}
	s.mu.Unlock()
	writeAnswer(w, "application/json", data, err)
}

// writeAnswer writes a 200 answer of data, or the error answer of err (an
// *apiError, else a 500 api_error).
func writeAnswer(w http.ResponseWriter, contentType string, data []byte, err error) {
	if err != nil {
		e, ok := err.(*apiError)
		if !ok {
			e = &apiError{status: 500, typ: "api_error", msg: err.Error()}
		}
		writeError(w, e)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// Body field helpers. Each returns whether the key was present.

func str(body obj, key string) (string, bool, error) {
	v, ok := body[key]
	if !ok || v == nil {
		return "", ok, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, errBadRequest("%s: must be a string", key)
	}
	return s, true, nil
}

func isObj(v any) (obj, bool) {
	m, ok := v.(map[string]any)
	return m, ok
}

func isList(v any) ([]any, bool) {
	l, ok := v.([]any)
	return l, ok
}

func typeOf(v any) string {
	if m, ok := isObj(v); ok {
		s, _ := m["type"].(string)
		return s
	}
	return ""
}

// clone deep-copies a JSON value.
func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

// intParam parses an integer query parameter; def when absent.
func intParam(r *http.Request, key string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, errBadRequest("%s: must be an integer from %d to %d", key, lo, hi)
	}
	return n, nil
}

func boolParam(r *http.Request, key string) (bool, error) {
	switch v := r.URL.Query().Get(key); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, errBadRequest("%s: must be true or false", key)
	}
}

// statusesParam reads statuses[], the status filter of the session and thread
// lists.
func statusesParam(r *http.Request) (map[string]bool, error) {
	statuses := map[string]bool{}
	for _, st := range r.URL.Query()["statuses[]"] {
		switch st {
		case "rescheduling", "running", "idle", "terminated":
			statuses[st] = true
		default:
			return nil, errBadRequest("statuses[]: unknown status %q", st)
		}
	}
	return statuses, nil
}

// timeParam parses an RFC 3339 query timestamp; zero when absent.
func timeParam(r *http.Request, key string) (time.Time, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errBadRequest("%s: %q is not an RFC 3339 timestamp", key, v)
	}
	return t, nil
}

// bounds holds created_at[gt|gte|lt|lte].
type bounds struct{ gt, gte, lt, lte time.Time }

func boundsParam(r *http.Request) (bounds, error) {
	var b bounds
	var err error
	for _, p := range []struct {
		key string
		dst *time.Time
	}{{"created_at[gt]", &b.gt}, {"created_at[gte]", &b.gte}, {"created_at[lt]", &b.lt}, {"created_at[lte]", &b.lte}} {
		if *p.dst, err = timeParam(r, p.key); err != nil {
			return b, err
		}
	}
	return b, nil
}

func (b bounds) contains(t time.Time) bool {
	return (b.gt.IsZero() || t.After(b.gt)) &&
		(b.gte.IsZero() || !t.Before(b.gte)) &&
		(b.lt.IsZero() || t.Before(b.lt)) &&
		(b.lte.IsZero() || !t.After(b.lte))
}

// listItem is one element of a list, with its sort key.
type listItem struct {
	t   time.Time
	seq int64
	v   any
}

func (a listItem) less(b listItem) bool {
	if !a.t.Equal(b.t) {
		return a.t.Before(b.t)
	}
	return a.seq < b.seq
}

// cursor is the content of an opaque page token.
type cursor struct {
	List  string `json:"l"`
	Order string `json:"o"`
	T     int64  `json:"t"`
	Seq   int64  `json:"s"`
	Back  bool   `json:"b,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return "page_" + base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(tok, list, order string) (*cursor, error) {
	if tok == "" {
		return nil, nil
	}
	bad := errBadRequest("page: invalid page cursor")
	if len(tok) < 5 || tok[:5] != "page_" {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(tok[5:])
	if err != nil {
		return nil, bad
	}
	var c cursor
	if json.Unmarshal(b, &c) != nil || c.List != list {
		return nil, bad
	}
	if c.Order != order {
		return nil, errBadRequest("page: the cursor was made with order=%s, not order=%s", c.Order, order)
	}
	return &c, nil
}

// page is the result of paginate.
type page struct {
	data       []any
	next, prev *string
}

// paginate sorts items by (time, seq) in order ("asc" or "desc") and returns the
// page after (or, for a backward cursor, before) c.
func paginate(items []listItem, list, order string, limit int, c *cursor) page {
	slices.SortStableFunc(items, func(a, b listItem) int {
		r := 0
		if a.less(b) {
			r = -1
		} else if b.less(a) {
			r = 1
		}
		if order == "desc" {
			r = -r
		}
		return r
	})
	var lo, hi int
	if c != nil {
		key := listItem{t: time.Unix(0, c.T), seq: c.Seq}
		// first index strictly after the key in this order
		idx := len(items)
		for i, it := range items {
			after := key.less(it)
			if order == "desc" {
				after = it.less(key)
			}
			if after {
				idx = i
				break
			}
		}
		if c.Back {
			// the items before the key: those before idx, minus the key itself
			end := idx
			if end > 0 && !items[end-1].less(key) && !key.less(items[end-1]) {
				end--
			}
			hi = end
			lo = max(0, end-limit)
		} else {
			lo = idx
			hi = min(len(items), idx+limit)
		}
	} else {
		hi = min(len(items), limit)
	}
	p := page{data: []any{}}
	for _, it := range items[lo:hi] {
		p.data = append(p.data, it.v)
	}
	mk := func(it listItem, back bool) *string {
		s := cursor{List: list, Order: order, T: it.t.UnixNano(), Seq: it.seq, Back: back}.encode()
		return &s
	}
	if hi < len(items) && hi > lo {
		p.next = mk(items[hi-1], false)
	} else if hi < len(items) && hi == lo && lo > 0 {
		p.next = mk(items[lo-1], false)
	}
	if lo > 0 && hi > lo {
		p.prev = mk(items[lo], true)
	}
	return p
}

// pageJSON returns {"data","next_page"} (and "prev_page" when bidi).
func (p page) json(bidi bool) obj {
	out := obj{"data": p.data, "next_page": nil}
	if p.next != nil {
		out["next_page"] = *p.next
	}
	if bidi {
		out["prev_page"] = nil
		if p.prev != nil {
			out["prev_page"] = *p.prev
		}
	}
	return out
}

// listParams reads limit, page and order for a list.
func listParams(r *http.Request, list string, defLimit, maxLimit int, defOrder string, allowOrder bool) (int, string, *cursor, error) {
	limit, err := intParam(r, "limit", defLimit, 1, maxLimit)
	if err != nil {
		return 0, "", nil, err
	}
	order := defOrder
	if allowOrder {
		switch o := r.URL.Query().Get("order"); o {
		case "":
		case "asc", "desc":
			order = o
		default:
			return 0, "", nil, errBadRequest("order: must be asc or desc")
		}
	}
	c, err := decodeCursor(r.URL.Query().Get("page"), list, order)
	if err != nil {
		return 0, "", nil, err
	}
	return limit, order, c, nil
}
