package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/ssestream"
	"github.com/anthropics/anthropic-sdk-go/v2/shared"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"go.uber.org/goleak"
)

// schemas maps a route of the fake to a decoder of its 2xx answer into the
// official SDK's type. Each area file fills it with answers in its init.
var schemas = map[string]func([]byte) (any, error){}

// answers records that routes answer with a T.
func answers[T any](routes ...string) {
	for _, r := range routes {
		schemas[r] = func(b []byte) (any, error) {
			v := new(T)
			err := json.Unmarshal(b, v)
			return v, err
		}
	}
}

// nullable lists the fields the official SDK tags as required that the API
// answers with null in some state. Each entry names where that is documented.
var nullable = map[string]bool{}

// extra lists the fields the API answers that the official SDK's types lack;
// see Checker.Extra.
var extra = map[string]bool{
	// reference §1.10: error.details carries error_code; the SDK reads it into
	// Error.Details, not into the error object types.
	"*ErrorObject.details": true,
}

// variants lists the union types the official SDK names in an enum but its
// union lacks a variant for; see Checker.Variants.
var variants = map[string]bool{}

// allowNull adds the fields "GoType.json_name" to nullable.
func allowNull(fields ...string) {
	for _, f := range fields {
		nullable[f] = true
	}
}

// totals are the suite's counts, printed at the end.
var totals = struct {
	sync.Mutex
	calls, errors, events, objects, fields int
	answered, refused                      map[string]int // by route: 2xx answers, error answers
}{answered: map[string]int{}, refused: map[string]int{}}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		code = requireAllRoutes()
	}
	printTotals()
	if err := goleak.Find(); err != nil && code == 0 {
		fmt.Println("conformance: goroutines left running:", err)
		code = 1
	}
	os.Exit(code)
}

// requireAllRoutes reports the routes of the fake no test answered
// successfully, and returns 1 if there are any.
func requireAllRoutes() int {
	var missing []string
	for _, r := range fakeRoutes() {
		if totals.answered[r] == 0 {
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		return 0
	}
	fmt.Printf("conformance: %d routes of the fake were never answered successfully; add them to an area file:\n  %s\n",
		len(missing), strings.Join(missing, "\n  "))
	return 1
}

// fakeRoutes returns the routes a fake serves.
func fakeRoutes() []string {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	return srv.Routes()
}

func printTotals() {
	totals.Lock()
	defer totals.Unlock()
	all := len(fakeRoutes())
	both := map[string]bool{}
	for r := range totals.answered {
		both[r] = true
	}
	for r := range totals.refused {
		both[r] = true
	}
	fmt.Printf("conformance: %d calls with the official Go SDK v2.15.0 (%d answered with an error the test asked for), "+
		"%d stream events; %d of %d endpoints answered successfully, %d exercised; %d objects and %d fields checked\n",
		totals.calls, totals.errors, totals.events, len(totals.answered), all, len(both), totals.objects, totals.fields)
}

// harness is one fake server and an official SDK client pointed at it.
type harness struct {
	t      *testing.T
	srv    *managedagentstest.Server
	client anthropic.Client
	routes *http.ServeMux

	mu      sync.Mutex
	refused []refusal // error answers no wantError has claimed yet
}

// refusal is an error answer of the fake.
type refusal struct {
	status int
	what   string // the request and the answer, for the failure message
}

// newHarness starts a fake with opts and an official client for it that
// sends managedagentstest.TestAPIKey and never retries, so that every answer
// is seen once. The fake is closed at the end of the test, which then fails
// on any error answer no wantError claimed.
func newHarness(t *testing.T, opts ...managedagentstest.ServerOption) *harness {
	return newHarnessWithKey(t, managedagentstest.TestAPIKey, opts...)
}

// newHarnessWithKey is newHarness with the client sending key.
func newHarnessWithKey(t *testing.T, key string, opts ...managedagentstest.ServerOption) *harness {
	t.Helper()
	srv := managedagentstest.NewServer(opts...)
	h := &harness{t: t, srv: srv, routes: http.NewServeMux()}
	for _, r := range srv.Routes() {
		h.routes.HandleFunc(r, func(http.ResponseWriter, *http.Request) {})
	}
	h.client = anthropic.NewClient(
		option.WithoutEnvironmentDefaults(),
		option.WithBaseURL(srv.URL),
		option.WithAPIKey(key),
		option.WithHTTPClient(&http.Client{Transport: &checkingTransport{h: h, base: srv.HTTPClient().Transport}}),
		option.WithMaxRetries(0),
	)
	t.Cleanup(func() {
		srv.Close()
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, r := range h.refused {
			t.Errorf("the fake refused a request of the official SDK: %s", r.what)
		}
	})
	return h
}

// route returns the route of the fake that req goes to, or "".
func (h *harness) route(req *http.Request) string {
	_, pattern := h.routes.Handler(req)
	return pattern
}

// checkingTransport checks every answer of the fake against the official
// SDK's types before the SDK sees it.
type checkingTransport struct {
	h    *harness
	base http.RoundTripper
}

func (c *checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	h := c.h
	route := h.route(req)
	totals.Lock()
	totals.calls++
	totals.Unlock()
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/event-stream" && resp.StatusCode == http.StatusOK {
		count(route, true)
		return resp, nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	what := fmt.Sprintf("%s %s → %d %s", req.Method, req.URL.RequestURI(), resp.StatusCode, body)
	if resp.StatusCode >= 400 {
		count(route, false)
		h.mu.Lock()
		h.refused = append(h.refused, refusal{status: resp.StatusCode, what: what})
		h.mu.Unlock()
		var env shared.ErrorResponse
		h.decode(what, body, &env)
		return resp, nil
	}
	count(route, true)
	decode := schemas[route]
	if decode == nil {
		h.t.Errorf("no official SDK type is registered for the answers of route %q (%s): add it with answers in its area file", route, what)
		return resp, nil
	}
	v, err := decode(body)
	if err != nil {
		h.t.Errorf("the official SDK cannot decode %s: %v", what, err)
		return resp, nil
	}
	h.check(what, v)
	return resp, nil
}

// decode decodes body into v and checks it.
func (h *harness) decode(what string, body []byte, v any) {
	if err := json.Unmarshal(body, v); err != nil {
		h.t.Errorf("the official SDK cannot decode %s: %v", what, err)
		return
	}
	h.check(what, v)
}

// check walks v, a value decoded by the official SDK, and fails the test on
// every problem; what says where v came from.
func (h *harness) check(what string, v any) {
	c := Checker{Nullable: nullable, Extra: extra, Variants: variants}
	c.Check("$", v)
	totals.Lock()
	totals.objects += c.Objects
	totals.fields += c.Fields
	totals.Unlock()
	if len(c.Problems) > 0 {
		if len(what) > 3000 {
			what = what[:3000] + "…"
		}
		h.t.Errorf("the official SDK decodes an answer with %d problems:\n  %s\nanswer: %s",
			len(c.Problems), strings.Join(c.Problems, "\n  "), what)
	}
}

func count(route string, ok bool) {
	totals.Lock()
	defer totals.Unlock()
	if ok {
		totals.answered[route]++
	} else {
		totals.refused[route]++
	}
}

// wantError requires err to be the official SDK's *anthropic.Error with
// status, the fake's error envelope read into it, and claims that error
// answer as one the test asked for. It returns the error.
func (h *harness) wantError(err error, status int, errType shared.ErrorType) *anthropic.Error {
	h.t.Helper()
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) {
		h.t.Fatalf("want an *anthropic.Error with status %d, got %v", status, err)
	}
	if apiErr.StatusCode != status || apiErr.Type() != errType {
		h.t.Fatalf("want %d %s, got %d %q: %v", status, errType, apiErr.StatusCode, apiErr.Type(), err)
	}
	if !strings.HasPrefix(apiErr.RequestID, "req_") || apiErr.Message == "" {
		h.t.Errorf("error without request id or message: %v", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	i := slices.IndexFunc(h.refused, func(r refusal) bool { return r.status == status })
	if i < 0 {
		h.t.Fatalf("no %d answer to claim for %v", status, err)
	}
	h.refused = slices.Delete(h.refused, i, i+1)
	totals.Lock()
	totals.errors++
	totals.Unlock()
	return apiErr
}

// must takes the results of a call and returns a function that fails the
// test on its error and returns its value: must(client.Get(ctx, id))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// readStream reads stream, checking each event with the walker, until until
// reports true for an event (which is included) or the stream ends. It fails
// the test on a stream error.
func readStream[T any](h *harness, stream *ssestream.Stream[T], until func(T) bool) []T {
	h.t.Helper()
	var out []T
	for stream.Next() {
		ev := stream.Current()
		totals.Lock()
		totals.events++
		totals.Unlock()
		h.check(fmt.Sprintf("stream event %d", len(out)), &ev)
		out = append(out, ev)
		if until != nil && until(ev) {
			return out
		}
	}
	if err := stream.Err(); err != nil {
		h.t.Fatalf("stream: %v", err)
	}
	return out
}
