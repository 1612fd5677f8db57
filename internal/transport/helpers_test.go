package transport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/ratelimit"
	"go.uber.org/goleak"
)

const testKey = "sk-ant-transport-secret-0123456789"

func TestMain(m *testing.M) {
	// Shorten the computed backoff so that retry tests take milliseconds; the
	// real values are tested through backoff, a pure function.
	backoffBase, backoffMax = time.Millisecond, 4*time.Millisecond
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

// testConfig is a client's default settings against s, with no limiter.
func testConfig(s *server) *config.Config {
	return &config.Config{
		APIKey:        secret.New(testKey),
		BaseURL:       s.URL,
		HTTPClient:    s.Client(),
		MaxRetries:    config.DefaultMaxRetries,
		MaxRetryAfter: config.DefaultMaxRetryAfter,
	}
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
