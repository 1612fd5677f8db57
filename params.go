package managedagents

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// invalid returns a *ValidationError for field.
func invalid(field, problem string) error {
	return &ValidationError{Field: field, Problem: problem}
}

// checkID rejects an ID that is empty, is "." or "..", or holds a character that
// would change the URL path (slash, backslash, percent, '?', '#', space or a
// control character).
func checkID(field, id string) error {
	if id == "" {
		return invalid(field, "must not be empty")
	}
	if id == "." || id == ".." {
		return invalid(field, "must not be "+strconv.Quote(id))
	}
	if i := strings.IndexFunc(id, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(`/\%?#`, r)
	}); i >= 0 {
		return invalid(field, "has the character "+strconv.QuoteRune(rune(id[i]))+" not allowed in an ID")
	}
	return nil
}

// queryTimeFormat is the layout of timestamps in query strings.
const queryTimeFormat = "2006-01-02T15:04:05.999999Z07:00"

// query builds a query string with the API's bracket conventions.
type query url.Values

// listQuery starts the query of a list call with its page size and cursor.
func listQuery(limit int, page string) (query, error) {
	if limit < 0 {
		return nil, invalid("limit", "must not be negative")
	}
	q := query{}
	q.int("limit", limit)
	q.str("page", page)
	return q, nil
}

// statuses adds statuses[]=s for each status, which must be a known one.
func (q query) statuses(ss []SessionStatus) error {
	for i, s := range ss {
		if err := s.check("statuses[" + strconv.Itoa(i) + "]"); err != nil {
			return err
		}
		url.Values(q).Add("statuses[]", string(s))
	}
	return nil
}

func (q query) str(key, v string) {
	if v != "" {
		url.Values(q).Set(key, v)
	}
}

func (q query) int(key string, v int) {
	if v != 0 {
		url.Values(q).Set(key, strconv.Itoa(v))
	}
}

func (q query) int64(key string, v int64) {
	if v != 0 {
		url.Values(q).Set(key, strconv.FormatInt(v, 10))
	}
}

func (q query) bool(key string, v bool) {
	if v {
		url.Values(q).Set(key, "true")
	}
}

func (q query) time(key string, t time.Time) {
	if !t.IsZero() {
		url.Values(q).Set(key, t.UTC().Format(queryTimeFormat))
	}
}

// list adds key[]=v for each v.
func (q query) list(key string, vs []string) {
	for _, v := range vs {
		url.Values(q).Add(key+"[]", v)
	}
}
