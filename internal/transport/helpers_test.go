package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/ratelimit"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

const testKey = "sk-ant-transport-secret-0123456789"

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		// Attempts and streams start no goroutine of their own; what is left
		// after the servers closed would be a leak.
		defaultClient().CloseIdleConnections()
		if err := goleak.Find(); err != nil {
			println("goroutine leak:", err.Error())
			code = 1
		}
	}
	os.Exit(code)
}

// server is an httptest server that counts requests and answers with handle,
// which gets the request's number (from 1).
type server struct {
	*httptest.Server
	n       atomic.Int32
	mu      sync.Mutex
	headers []http.Header
	bodies  []string
}

func newServer(t testing.TB, handle func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.n.Add(1))
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.headers = append(s.headers, r.Header.Clone())
		s.bodies = append(s.bodies, string(body))
		s.mu.Unlock()
		handle(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count() int { return int(s.n.Load()) }

func (s *server) header(i int) http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers[i]
}

// testConfig is a client's default settings against s, with no limiter and a
// backoff shortened so that retry tests take milliseconds (the real values
// are tested through backoff, a pure function).
func testConfig(s *server) *config.Config {
	cfg := config.New()
	cfg.APIKey = secret.New(testKey)
	cfg.BaseURL = s.URL
	cfg.HTTPClient = s.Client()
	cfg.RetryBackoffBase, cfg.RetryBackoffMax = time.Millisecond, 4*time.Millisecond
	return cfg
}

// declared counts the ops tests declare in the process's registry.
var declared atomic.Int64

// uniqueOp returns name made unique in the registry, which is the process's:
// each run of a test (-count) declares ops of its own.
func uniqueOp(name string) string {
	return fmt.Sprintf("%s.%d", name, declared.Add(1))
}

// testEndpoint returns an unregistered endpoint of method and a route
// without parameters: Once for the POSTs that create or send, Create for the
// three creates, Idempotent and Read otherwise.
func testEndpoint(method, route string) *Endpoint {
	e := &Endpoint{Op: "test", Method: method, Route: route, Class: ratelimit.Read, Repeat: Idempotent, Betas: []string{ManagedBeta}}
	if method == http.MethodPost {
		switch route {
		case "/v1/agents", "/v1/environments", "/v1/sessions":
			e.Class, e.Repeat = ratelimit.Create, Once
		}
		if strings.HasSuffix(route, "/events") || strings.HasSuffix(route, "/resources") {
			e.Repeat = Once
		}
	}
	if err := e.parse(); err != nil {
		panic(err)
	}
	return e
}

// do sends method route with body (nil: none) and decodes a 2xx JSON answer
// into out (nil: dropped).
func do(ctx context.Context, cfg *config.Config, method, route string, body, out any) error {
	_, data, err := Do(ctx, cfg, testEndpoint(method, route).At().WithBody(body))
	if err == nil && out != nil {
		err = json.Unmarshal(data, out)
	}
	return err
}

// statusOf returns the *StatusError in err's chain.
func statusOf(t testing.TB, err error) *StatusError {
	t.Helper()
	var se *StatusError
	require.ErrorAs(t, err, &se)
	return se
}

// uncertain reports whether err reports an uncertain delivery.
func uncertain(err error) bool {
	var ue *UncertainError
	return errors.As(err, &ue)
}

// reply writes status, headers (pairs) and body.
func reply(w http.ResponseWriter, status int, body string, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		w.Header().Set(kv[i], kv[i+1])
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func errBody(typ, msg string) string {
	return `{"type":"error","error":{"type":"` + typ + `","message":"` + msg + `"},"request_id":"req_body"}`
}

// fakeLimiter records the classes acquired and the pauses.
type fakeLimiter struct {
	mu       sync.Mutex
	acquired []ratelimit.Class
	paused   []time.Duration
	err      error
}

func (l *fakeLimiter) Acquire(_ context.Context, c ratelimit.Class) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	l.acquired = append(l.acquired, c)
	return nil
}

func (l *fakeLimiter) Pause(_ context.Context, _ ratelimit.Class, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.paused = append(l.paused, d)
}
