package transport

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/go-managedagents/managedagents/internal/callinfo"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Repeat says whether a request may be sent again after it may have reached
// the server. Its zero value is not a valid declaration.
type Repeat uint8

const (
	// Idempotent requests (reads, updates, archives, deletes) are retried after
	// any failure the retry policy retries.
	Idempotent Repeat = iota + 1
	// Once requests (creates, event sends) are never sent again once they may
	// have reached the server: they are retried only on a refusal (429) or when
	// the attempt surely never left; any other failure after sending is an
	// *UncertainError.
	Once
)

// Area is what a family of endpoints shares: the anthropic-beta names its
// endpoints send (the user's betas are added after them). Managed Agents
// endpoints send managed-agents-2026-04-01; memory stores send only their own
// beta; files and skills send none.
type Area struct {
	Betas []string
}

// Managed is the area of the Managed Agents endpoints.
var Managed = Area{Betas: []string{ManagedBeta}}

// Endpoint is the declaration of one API endpoint: everything the transport
// needs to know about a call, stated once where the endpoint is defined. Make
// one with [Area.Endpoint]; the transport reads nothing else (no URL lists).
type Endpoint struct {
	// Op is the operation's name, as in the official SDK's spans without the
	// "anthropic." prefix: "agents.create", "sessions.events.send".
	Op string
	// Method is the HTTP method.
	Method string
	// Route is the path template, with named path parameters:
	// "/v1/sessions/{session_id}/events".
	Route string
	// Class is the rate-limit class each attempt spends.
	Class ratelimit.Class
	// Repeat says whether the request may be sent again.
	Repeat Repeat
	// Betas are the anthropic-beta names the endpoint sends.
	Betas []string
	// Credentials is the rule that picks the credential of its requests;
	// ClientCredentials unless the declaration says otherwise (see Using).
	Credentials Credentials
	// Success lists the non-2xx statuses that are a success of this
	// endpoint, answered at once and never retried (see SucceedsOn).
	Success []int
	// FinalConflict says that a 409 answer is the server's verdict on the
	// request (a failed precondition, a path already taken), not a passing
	// conflict: it is never retried, whatever x-should-retry says. Set it
	// with [Endpoint.ConflictIsFinal].
	FinalConflict bool
	// StreamedBody says that the request's body is an [Upload], written while
	// it is sent (a multipart file or skill upload), never a JSON Body. Set it
	// with [Endpoint.Uploads].
	StreamedBody bool
	// RawAnswer says that a 2xx answer's body is content handed over unread
	// by [Fetch] (Accept: application/binary), not JSON. Set it with
	// [Endpoint.Downloads].
	RawAnswer bool

	params []string // names of the path parameters, in order
}

// Uploads marks e's request body as streamed (see StreamedBody) and returns
// e, for use in the declaration:
//
//	filesUpload = area.Endpoint(...).Uploads()
//
// It panics on an endpoint whose method takes no body.
func (e *Endpoint) Uploads() *Endpoint {
	if e.Method == http.MethodGet || e.Method == http.MethodDelete {
		panic(fmt.Sprintf("transport: endpoint %q: a %s takes no body to stream", e.Op, e.Method))
	}
	e.StreamedBody = true
	return e
}

// Downloads marks e's 2xx answers as content handed over unread (see
// RawAnswer) and returns e, for use in the declaration. It panics on an
// endpoint that is not a GET.
func (e *Endpoint) Downloads() *Endpoint {
	if e.Method != http.MethodGet {
		panic(fmt.Sprintf("transport: endpoint %q: only a GET downloads", e.Op))
	}
	e.RawAnswer = true
	return e
}

// ConflictIsFinal marks e's 409 answers as final (see FinalConflict) and
// returns e, for use in the declaration:
//
//	memoriesUpdate = memory.Endpoint(...).ConflictIsFinal()
//
// A final 409 that follows an attempt which may have been applied (a 5xx
// answer, a connection lost after sending) may be the echo of that attempt,
// a precondition failing because the change already took place: it is then
// reported as an *UncertainError.
func (e *Endpoint) ConflictIsFinal() *Endpoint {
	e.FinalConflict = true
	return e
}

var registry struct {
	mu  sync.Mutex
	all []*Endpoint
	ops map[string]bool
}

// Endpoint declares an endpoint of area a and registers it. route is the
// method and the path template, "POST /v1/sessions/{session_id}/events". It
// panics on a declaration that cannot be right (an empty or repeated op, an
// unknown method, a malformed route, a class other than ratelimit.Create and
// ratelimit.Read, a zero Repeat, a GET or DELETE declared Once): endpoints are
// declared in package variables, so the mistake stops every program and test
// at start-up instead of sending a wrong request.
func (a Area) Endpoint(op, route string, class ratelimit.Class, repeat Repeat) *Endpoint {
	method, tmpl, _ := strings.Cut(route, " ")
	e := &Endpoint{Op: op, Method: method, Route: tmpl, Class: class, Repeat: repeat, Betas: slices.Clone(a.Betas)}
	if err := e.parse(); err != nil {
		panic(fmt.Sprintf("transport: endpoint %q (%s): %v", op, route, err))
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.ops[op] {
		panic(fmt.Sprintf("transport: endpoint %q declared twice", op))
	}
	if registry.ops == nil {
		registry.ops = make(map[string]bool)
	}
	registry.ops[op] = true
	registry.all = append(registry.all, e)
	return e
}

// Endpoints returns every endpoint declared so far, in order of declaration.
func Endpoints() []*Endpoint {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return slices.Clone(registry.all)
}

// parse checks e and fills its parameter names.
func (e *Endpoint) parse() error {
	switch {
	case e.Op == "" || strings.ContainsAny(e.Op, " /{}"):
		return fmt.Errorf("op %q is not a dotted name", e.Op)
	case e.Class != ratelimit.Create && e.Class != ratelimit.Read:
		return fmt.Errorf("rate class %q is neither ratelimit.Create nor ratelimit.Read", e.Class)
	case e.Repeat != Idempotent && e.Repeat != Once:
		return fmt.Errorf("repeatability %d is neither Idempotent nor Once", e.Repeat)
	}
	switch e.Method {
	case http.MethodGet, http.MethodDelete:
		if e.Repeat == Once {
			return fmt.Errorf("a %s is idempotent, not Once", e.Method)
		}
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return fmt.Errorf("method %q is not one of GET, POST, PUT, PATCH, DELETE", e.Method)
	}
	rest, ok := strings.CutPrefix(e.Route, "/v1/")
	if !ok || rest == "" || strings.HasSuffix(rest, "/") {
		return fmt.Errorf("route %q must start with /v1/ and not end with /", e.Route)
	}
	for seg := range strings.SplitSeq(rest, "/") {
		name, isParam := strings.CutPrefix(seg, "{")
		if !isParam {
			if seg == "" || strings.ContainsAny(seg, "{}") {
				return fmt.Errorf("route %q has a malformed segment %q", e.Route, seg)
			}
			continue
		}
		name, closed := strings.CutSuffix(name, "}")
		if !closed || name == "" || strings.ContainsAny(name, "{}") || slices.Contains(e.params, name) {
			return fmt.Errorf("route %q has a malformed or repeated parameter %q", e.Route, seg)
		}
		e.params = append(e.params, name)
	}
	for _, b := range e.Betas {
		if b == "" || strings.ContainsAny(b, ", ") {
			return fmt.Errorf("beta %q is not one name", b)
		}
	}
	return nil
}

// Using sets the credential rule of e and returns e, for the declaration:
// Area.Endpoint(...).Using(EnvironmentCredentials).
func (e *Endpoint) Using(c Credentials) *Endpoint {
	if int(c) >= len(order) {
		panic(fmt.Sprintf("transport: endpoint %q: unknown credential rule %d", e.Op, c))
	}
	e.Credentials = c
	return e
}

// SucceedsOn declares non-2xx statuses that are a success of e (a stop
// answered 409, "already stopped") and returns e. Such an answer ends the
// call at once with its body, as a 2xx would; the caller sees its status.
func (e *Endpoint) SucceedsOn(statuses ...int) *Endpoint {
	for _, st := range statuses {
		if st < 300 || st > 599 {
			panic(fmt.Sprintf("transport: endpoint %q: %d is not an error status", e.Op, st))
		}
	}
	e.Success = append(e.Success, statuses...)
	return e
}

// succeeded reports whether status is a success of e.
func (e *Endpoint) succeeded(status int) bool {
	return status/100 == 2 || slices.Contains(e.Success, status)
}

// Params returns the names of the route's path parameters, in order.
func (e *Endpoint) Params() []string { return slices.Clone(e.params) }

// String returns the method and route, "POST /v1/agents".
func (e *Endpoint) String() string { return e.Method + " " + e.Route }

// At returns a request of e with the values of its path parameters, in the
// order of the route.
func (e *Endpoint) At(pathParams ...string) Request {
	return Request{Endpoint: e, PathParams: pathParams}
}

// Request is one call of an endpoint.
type Request struct {
	Endpoint *Endpoint
	// PathParams are the values of the route's parameters, in order.
	PathParams []string
	// Query is the query string; nil for none.
	Query url.Values
	// Body is marshalled to JSON; nil means no body (and no content-type).
	Body any
	// Header holds headers of this request only (Anthropic-Worker-ID); it
	// cannot set credentials, version, betas or content-type.
	Header http.Header
	// Upload is a body streamed as it is written, instead of Body.
	Upload *Upload
}

// WithQuery returns r with query q.
func (r Request) WithQuery(q url.Values) Request {
	r.Query = q
	return r
}

// WithHeader returns r with header key set to value; r's own headers are
// not changed.
func (r Request) WithHeader(key, value string) Request {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(key, value)
	r.Header = h
	return r
}

// WithBody returns r with body b.
func (r Request) WithBody(b any) Request {
	r.Body = b
	return r
}

// WithUpload returns r with the streamed body u.
func (r Request) WithUpload(u *Upload) Request {
	r.Upload = u
	return r
}

// Path returns the route with each parameter replaced by its escaped value.
// The values must have been validated (no empty value, "." or ".."): Path
// only checks that there is one per parameter.
func (r Request) Path() (string, error) {
	e := r.Endpoint
	if len(r.PathParams) != len(e.params) {
		return "", fmt.Errorf("%s takes %d path parameters, not %d", e, len(e.params), len(r.PathParams))
	}
	if len(e.params) == 0 {
		return e.Route, nil
	}
	var b strings.Builder
	i := 0
	for seg := range strings.SplitSeq(e.Route[1:], "/") {
		b.WriteByte('/')
		if strings.HasPrefix(seg, "{") {
			b.WriteString(url.PathEscape(r.PathParams[i]))
			i++
			continue
		}
		b.WriteString(seg)
	}
	return b.String(), nil
}

// Call returns the record of a call of r, for the context of its attempts.
func (r Request) Call(stream bool) *callinfo.State {
	e := r.Endpoint
	st := &callinfo.State{Op: e.Op, Method: e.Method, Route: e.Route, Query: r.Query, Stream: stream}
	for i, name := range e.params {
		if i < len(r.PathParams) {
			st.Params = append(st.Params, callinfo.Param{Name: name, Value: r.PathParams[i]})
		}
	}
	return st
}
