package managedagentstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// TestAPIKey is the API key of the clients made by [Server.Client]. Unless
// [WithAPIKey] is given, the server accepts any non-empty key.
const TestAPIKey = "sk-ant-fake-0123456789"

// BetaHeader is the beta name the server requires in anthropic-beta.
const BetaHeader = "managed-agents-2026-04-01"

// DefaultHeartbeat is the default interval of stream heartbeats.
const DefaultHeartbeat = time.Second

// HeartbeatForm is how heartbeats are written on a stream.
type HeartbeatForm int

const (
	// HeartbeatComment writes an SSE comment line, ": ping", and a blank line.
	HeartbeatComment HeartbeatForm = iota
	// HeartbeatEvent writes "event: ping" with data {"type":"ping"}.
	HeartbeatEvent
)

// ServerOption configures a [Server] made by [NewServer].
type ServerOption func(*Server)

// WithHeartbeat sets the interval of stream heartbeats (default [DefaultHeartbeat],
// real time) and their form. An interval of zero or less turns heartbeats off.
func WithHeartbeat(interval time.Duration, form HeartbeatForm) ServerOption {
	return func(s *Server) { s.heartbeat, s.heartbeatForm = interval, form }
}

// WithClock freezes the server's clock at start. The clock then moves only with
// [Server.AdvanceClock] and [Server.SetNow]. Without it the server uses the real
// time. Timestamps, the created_at filters and the rate-limit windows all read
// this clock; heartbeats, delays and stalls use real time.
func WithClock(start time.Time) ServerOption {
	return func(s *Server) { s.fixed, s.fixedNow = true, start }
}

// WithScript sets the script that plays every session's agent, unless
// [Server.SetScript] gives its agent another one. The default is [DefaultScript].
func WithScript(sc Script) ServerOption {
	return func(s *Server) {
		if sc != nil {
			s.script = sc
		}
	}
}

// WithRateLimits turns on the emulation of the per-minute request budgets: more
// than create create requests (POST /v1/agents, /v1/environments, /v1/sessions,
// /v1/memory_stores, /v1/deployments, /v1/vaults, a vault's credentials, a
// deployment's run) or more than read other requests in any minute of the
// server's clock are answered 429 rate_limit_error with a retry-after header.
// Zero for a class means no limit. The documented budgets are WithRateLimits(60, 600). Requests are
// counted even without this option; see [Server.RateCount]. Only requests that
// pass the header checks count: injected failures, 401s and 429s do not.
func WithRateLimits(create, read int) ServerOption {
	return func(s *Server) { s.limits = [2]int{create, read} }
}

// WithQueuedEcho makes a user.message sent while a turn is in progress (or
// other messages wait) behave as queued: the send answer and the stream echo
// carry processed_at null, and the event is persisted, and sent on the stream
// again with the same id and a processed_at, only when its turn starts. Without
// it every sent event is processed, persisted and echoed once, on receipt.
func WithQueuedEcho() ServerOption {
	return func(s *Server) { s.queuedEcho = true }
}

// WithAPIKey makes the server accept only key (as x-api-key or as
// Authorization: Bearer); others get 401. [Server.Client] then sends key.
func WithAPIKey(key string) ServerOption {
	return func(s *Server) { s.apiKey = key }
}

// Server is an in-memory implementation of the Managed Agents API on an
// httptest server. Make it with [NewServer] and end it with [Server.Close]. Its
// methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, e.g. http://127.0.0.1:41234. Pass it to
	// option.WithBaseURL, or use [Server.Client].
	URL string

	srv    *httptest.Server
	mux    *http.ServeMux
	served []string // the routes registered, in order

	heartbeat     time.Duration
	heartbeatForm HeartbeatForm
	apiKey        string
	queuedEcho    bool

	ctx     context.Context
	cancel  context.CancelFunc
	closing chan struct{}
	wg      sync.WaitGroup
	once    sync.Once

	mu       sync.Mutex
	fixed    bool
	fixedNow time.Time
	counters map[string]int64
	seq      int64
	script   Script
	scripts  map[string]Script // by agent id

	agents   map[string]*agentRec
	envs     map[string]*envRec
	sessions map[string]*sessionRec

	memStores map[string]*memoryStoreRec

	deployments map[string]*deploymentRec
	runs        map[string]*runRec // deployment runs
	vaults      map[string]*vaultRec

	files       map[string]*fileRec  // files.go
	skills      map[string]*skillRec // skills.go
	maxFileSize int64

	requests     []*Request
	failures     map[string][]injected // by route
	delays       map[string]time.Duration
	streamFaults []StreamFault
	openStreams  map[*subscriber]struct{}
	limits       [2]int
	rateLog      [2][]time.Time

	// The work queue of self-hosted environments (work.go).
	work      *workState
	envKey    string
	workTTL   time.Duration
	emptyPoll EmptyPoll

	webhookHub webhookHub // webhook endpoints and deliveries (webhooks.go)
}

// NewServer starts a fake server. Close it when done.
func NewServer(opts ...ServerOption) *Server {
	s := &Server{
		heartbeat:   DefaultHeartbeat,
		closing:     make(chan struct{}),
		counters:    map[string]int64{},
		script:      DefaultScript,
		scripts:     map[string]Script{},
		agents:      map[string]*agentRec{},
		envs:        map[string]*envRec{},
		sessions:    map[string]*sessionRec{},
		memStores:   map[string]*memoryStoreRec{},
		deployments: map[string]*deploymentRec{},
		runs:        map[string]*runRec{},
		vaults:      map[string]*vaultRec{},
		failures:    map[string][]injected{},
		delays:      map[string]time.Duration{},
		openStreams: map[*subscriber]struct{}{},
		envKey:      TestEnvironmentKey,
		workTTL:     DefaultWorkLeaseTTL,
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	s.mux = http.NewServeMux()
	s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// Close ends every open stream and running turn, then shuts the server down.
// It waits for the scripts to return, so a script must return once its
// [Turn.Context] is done (the Turn's waiting methods do).
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.cancel()
		s.srv.CloseClientConnections()
		s.srv.Close()
		s.wg.Wait()
	})
}

// HTTPClient returns an *http.Client for the server's URL.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Client returns an SDK client for the server: its base URL, [TestAPIKey] (or
// the key of [WithAPIKey]), [TestEnvironmentKey] (or the key of
// [WithEnvironmentKey]) and its HTTP client, and no client-side rate limiter,
// so that tests run fast; retries keep the SDK's default. opts are applied
// after these, so option.WithRateLimits or option.WithLimiter turns a limiter on
// and option.WithMaxRetries(0) makes each injected failure surface.
func (s *Server) Client(opts ...option.RequestOption) *managedagents.Client {
	key := TestAPIKey
	if s.apiKey != "" {
		key = s.apiKey
	}
	base := []option.RequestOption{
		option.WithBaseURL(s.URL),
		option.WithAPIKey(key),
		option.WithEnvironmentKey(s.envKey),
		option.WithHTTPClient(s.srv.Client()),
		option.WithoutLimiter(),
	}
	return managedagents.NewClient(append(base, opts...)...)
}

// SetScript sets the script that plays the sessions of agent agentID, from their
// next turn on. A nil script restores the server's default.
func (s *Server) SetScript(agentID string, sc Script) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc == nil {
		delete(s.scripts, agentID)
		return
	}
	s.scripts[agentID] = sc
}

// Now returns the time of the server's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// SetNow freezes the server's clock at t. Deployment schedules fire every
// instant the clock passes.
func (s *Server) SetNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fixed, s.fixedNow = true, t
	s.signalWork()
	s.fireDue()
	s.webhookHub.clockMoved()
}

// AdvanceClock moves the server's clock forward by d, freezing it first if it
// was following the real time. Deployment schedules fire every instant the
// clock passes.
func (s *Server) AdvanceClock(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.fixed {
		s.fixed, s.fixedNow = true, time.Now()
	}
	s.fixedNow = s.fixedNow.Add(d)
	s.signalWork()
	s.fireDue()
	s.webhookHub.clockMoved()
}

// now reads the clock; s.mu must be held.
func (s *Server) now() time.Time {
	if s.fixed {
		return s.fixedNow.UTC()
	}
	return time.Now().UTC()
}

// newID returns the next id with prefix ("agent", "sesn", ...); s.mu must be held.
// IDs are deterministic: a per-prefix counter in base 58.
func (s *Server) newID(prefix string) string {
	s.counters[prefix]++
	return prefix + "_011CFake" + base58(s.counters[prefix], 16)
}

// peekID returns the id the next newID(prefix) will return; s.mu must be held.
func (s *Server) peekID(prefix string) string {
	return prefix + "_011CFake" + base58(s.counters[prefix]+1, 16)
}

// nextSeq returns the next creation sequence number; s.mu must be held.
func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}

const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func base58(n int64, width int) string {
	b := bytes.Repeat([]byte{alphabet[0]}, width)
	for i := width - 1; i >= 0 && n > 0; i-- {
		b[i] = alphabet[n%58]
		n /= 58
	}
	return string(b)
}

// Call handles one request in process, without HTTP, headers, faults, rate
// limits or the request log, and returns the status and the JSON body. Use it to
// seed the server: Call("POST", "/v1/agents", map[string]any{...}). body may be
// nil, a []byte or json.RawMessage (sent as is), or any value marshalled to JSON.
// It cannot open a stream.
func (s *Server) Call(method, path string, body any) (int, json.RawMessage) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case json.RawMessage:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			panic(fmt.Sprintf("managedagentstest: Call: encoding body: %v", err))
		}
		rd = bytes.NewReader(data)
	}
	r := httptest.NewRequestWithContext(s.ctx, method, path, rd)
	if _, pattern := s.mux.Handler(r); strings.HasSuffix(pattern, "/stream") {
		panic("managedagentstest: Call cannot open a stream")
	}
	w := httptest.NewRecorder()
	w.Header().Set("Request-Id", s.requestID())
	s.mux.ServeHTTP(w, r)
	return w.Code, json.RawMessage(w.Body.Bytes())
}

func (s *Server) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newID("req")
}
