package managedagentstest

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request is one request seen by the server, as recorded in its log.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the URL path as sent (percent-encoded).
	Path string
	// RawQuery is the query string as sent; Query is it decoded.
	RawQuery string
	Query    url.Values
	// Route is the matched route, one of the Route constants, or "" for none.
	Route string
	// Header holds the request headers without X-Api-Key and Authorization.
	Header http.Header
	// Credential is the kind of credential the request carried ("" for
	// none), never its value.
	Credential Credential
	// Body is the request body, with the values of secret fields (repository
	// tokens, vault credentials' secrets) replaced by "[redacted]" as in a
	// recording; for a multipart upload, its first MiB as far as the server
	// read it.
	Body []byte
	// Status is the status of the answer (0 while a handler has not answered).
	Status int
	// RequestID is the request-id the server answered with.
	RequestID string
	// Time is when the request arrived, by the server's clock.
	Time time.Time
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
		out[i].Header = r.Header.Clone()
		out[i].Query = url.Values(http.Header(r.Query).Clone())
	}
	return out
}

// ClearRequests empties the request log.
func (s *Server) ClearRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// statusWriter records the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	s   *Server
	req *Request
}

func (w *statusWriter) WriteHeader(code int) {
	w.s.mu.Lock()
	if w.req.Status == 0 {
		w.req.Status = code
	}
	w.s.mu.Unlock()
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.s.mu.Lock()
	if w.req.Status == 0 {
		w.req.Status = http.StatusOK
	}
	w.s.mu.Unlock()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the flusher.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// injected is a failure queued by FailNext or DropNext.
type injected struct {
	status int
	header http.Header
	drop   bool
}

// FailNext makes the next n requests on route (a Route constant, matched
// exactly, or [AnyRoute]; failures queued for the request's own route go first)
// fail with status and the error envelope of that status (429 rate_limit_error,
// 500 api_error, 503 api_error, 529 overloaded_error, ...). header is added to
// the answer, e.g. http.Header{"Retry-After": {"1"}}; it may be nil. The failures
// are answered before authentication and rate limits, and are logged.
func (s *Server) FailNext(route string, n, status int, header http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[route] = append(s.failures[route], injected{status: status, header: header.Clone()})
	}
}

// DropNext makes the next n requests on route close their connection without an
// answer, as a network failure would. Note that net/http may silently resend an
// idempotent request (GET, DELETE) that failed this way on a reused connection.
func (s *Server) DropNext(route string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[route] = append(s.failures[route], injected{drop: true})
	}
}

// Delay makes every later request on route wait d (real time) before it is
// handled; d = 0 removes the delay. A stream's delay holds back its headers.
func (s *Server) Delay(route string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.delays, route)
		return
	}
	s.delays[route] = d
}

// RateClass is a rate-limit class of the emulated budgets.
type RateClass int

const (
	// RateCreate counts POST /v1/agents, POST /v1/environments, POST /v1/sessions,
	// POST /v1/memory_stores, and the creates and runs of deployments, vaults and
	// credentials.
	RateCreate RateClass = iota
	// RateRead counts every other request, including each stream open.
	RateRead
)

// classify returns the budget class of a request.
func classify(method, route string) RateClass {
	switch route {
	case RouteCreateAgent, RouteCreateEnvironment, RouteCreateSession:
		return RateCreate
	case RouteCreateMemoryStore:
		return RateCreate
	case RouteCreateDeployment, RouteRunDeployment, RouteCreateVault, RouteCreateCredential:
		return RateCreate
	}
	return RateRead
}

// SetRateLimits changes the emulated budgets; see [WithRateLimits]. Zero turns a
// class's limit off.
func (s *Server) SetRateLimits(create, read int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = [2]int{create, read}
}

// RateCount returns how many requests of class c were admitted in the minute
// before now, by the server's clock. Requests answered 429 are not counted.
func (s *Server) RateCount(c RateClass) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	n := 0
	for _, t := range s.rateLog[c] {
		if now.Sub(t) < time.Minute && !t.After(now) {
			n++
		}
	}
	return n
}

// MaxRateCount returns the largest number of admitted requests of class c seen
// in any one-minute window since the server started: the figure to compare with
// a budget.
func (s *Server) MaxRateCount(c RateClass) int {
	s.mu.Lock()
	ts := slices.Clone(s.rateLog[c])
	s.mu.Unlock()
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	best, lo := 0, 0
	for hi := range ts {
		for ts[hi].Sub(ts[lo]) >= time.Minute {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// admit counts a request against its budget, or returns the wait before it may be
// admitted; s.mu must be held.
func (s *Server) admit(c RateClass) (time.Duration, bool) {
	now := s.now()
	if limit := s.limits[c]; limit > 0 {
		var inWindow []time.Time
		for _, t := range s.rateLog[c] {
			if now.Sub(t) < time.Minute && !t.After(now) {
				inWindow = append(inWindow, t)
			}
		}
		if len(inWindow) >= limit {
			slices.SortFunc(inWindow, func(a, b time.Time) int { return a.Compare(b) })
			oldest := inWindow[len(inWindow)-limit]
			return oldest.Add(time.Minute).Sub(now), false
		}
	}
	s.rateLog[c] = append(s.rateLog[c], now)
	return 0, true
}

// logRedactor removes secrets from the bodies of the request log.
var logRedactor = newRedactor(nil, nil)

// serveHTTP is the server's handler: it logs the request, applies delays and
// injected failures, checks the headers and the budgets, then routes.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	var upload *headCapture // an upload streams to its handler; the log keeps its first MiB
	if isMultipart(r) {
		upload = &headCapture{ReadCloser: r.Body, max: 1 << 20}
		r.Body = upload
	} else {
		body, _ = io.ReadAll(io.LimitReader(r.Body, 64<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	_, route := s.mux.Handler(r)
	if route == "/" {
		route = ""
	}
	hdr := r.Header.Clone()
	hdr.Del("X-Api-Key")
	hdr.Del("Authorization")

	s.mu.Lock()
	rid := s.newID("req")
	rec := &Request{
		Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Query: r.URL.Query(),
		Route: route, Header: hdr, Body: logRedactor.redactBody(bytes.Clone(body), func(string) {}), RequestID: rid, Time: s.now(),
	}
	s.requests = append(s.requests, rec)
	delay := s.delays[route]
	if d, ok := s.delays[AnyRoute]; ok && route != "" {
		delay = max(delay, d)
	}
	var fail *injected
	for _, key := range []string{route, AnyRoute} {
		if q := s.failures[key]; len(q) > 0 && (key != AnyRoute || route != "") {
			f := q[0]
			fail = &f
			s.failures[key] = q[1:]
			break
		}
	}
	s.mu.Unlock()

	w.Header().Set("Request-Id", rid)
	sw := &statusWriter{ResponseWriter: w, s: s, req: rec}

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.closing:
			t.Stop()
			return
		}
	}
	if fail != nil {
		if fail.drop {
			panic(http.ErrAbortHandler)
		}
		for k, v := range fail.header {
			sw.Header()[k] = v
		}
		if fail.status == http.StatusTooManyRequests && sw.Header().Get("X-Should-Retry") == "" {
			sw.Header().Set("X-Should-Retry", "true")
		}
		writeError(sw, &apiError{status: fail.status, typ: errorType(fail.status), msg: "injected failure (" + http.StatusText(fail.status) + ")"})
		return
	}
	cred, e := s.authorize(r, route)
	s.mu.Lock()
	rec.Credential = cred
	s.mu.Unlock()
	if e == nil {
		e = s.checkHeaders(r, route)
	}
	if e != nil {
		writeError(sw, e)
		return
	}
	if route != "" {
		s.mu.Lock()
		wait, ok := s.admit(classify(r.Method, route))
		s.mu.Unlock()
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			sw.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			sw.Header().Set("X-Should-Retry", "true")
			class := "read"
			if classify(r.Method, route) == RateCreate {
				class = "create"
			}
			writeError(sw, &apiError{status: 429, typ: "rate_limit_error",
				msg: "This organization has exceeded its per-minute request limit for Managed Agents " + class + " operations."})
			return
		}
	}
	s.mux.ServeHTTP(sw, r)
	if upload != nil {
		s.mu.Lock()
		rec.Body = upload.head
		s.mu.Unlock()
	}
}

// checkHeaders checks anthropic-version and anthropic-beta (the credential
// is checked by authorize).
func (s *Server) checkHeaders(r *http.Request, route string) *apiError {
	if r.Header.Get("Anthropic-Version") == "" {
		return errBadRequest("anthropic-version: header is required")
	}
	if storageRoutes[route] {
		return checkStorageBetas(r)
	}
	if isMemoryRoute(route) {
		return checkMemoryBeta(r)
	}
	for _, v := range r.Header.Values("Anthropic-Beta") {
		for _, name := range strings.Split(v, ",") {
			if strings.TrimSpace(name) == BetaHeader {
				return nil
			}
		}
	}
	if strings.Contains(route, "/threads") {
		return errNotFound("Not found")
	}
	return errBadRequest("anthropic-beta: this endpoint requires the beta header %s", BetaHeader)
}
