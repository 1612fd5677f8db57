// Package config holds the settings that options write and the transport reads.
package config

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents/internal/clock"
	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Defaults.
const (
	DefaultBaseURL           = "https://api.anthropic.com"
	DefaultMaxRetries        = 2
	DefaultMaxRetryAfter     = 60 * time.Second
	DefaultRetryBackoffBase  = 500 * time.Millisecond
	DefaultRetryBackoffMax   = 8 * time.Second
	DefaultStreamIdleTimeout = 90 * time.Second
	DefaultMaxEventSize      = 32 << 20
	DefaultStreamReconnects  = 10
	DefaultStreamBackoffMin  = 500 * time.Millisecond
	DefaultStreamBackoffMax  = 10 * time.Second
)

// Middleware wraps one attempt; option.Middleware converts to it.
type Middleware = func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error)

// Config is the whole of a client's or a call's settings. A call starts from a copy
// of its client's Config and applies its own options to the copy.
type Config struct {
	APIKey    secret.String // sent as x-api-key
	AuthToken secret.String // sent as Authorization: Bearer
	// EnvironmentKey is a self-hosted environment's key, sent as
	// Authorization: Bearer on the endpoints that take it (work poll, ack,
	// list) and as a fallback where a work item's token is missing.
	EnvironmentKey secret.String
	// WorkItem is set on a client or call acting for one work item: its
	// calls carry WorkItemToken (the sessions token of the item's secret) or,
	// when the secret held none, EnvironmentKey.
	WorkItem      bool
	WorkItemToken secret.String
	BaseURL       string
	// HTTPClient sends every request. Nil means the SDK's shared default
	// client (one connection pool for every client that sets none).
	HTTPClient *http.Client
	// Header holds extra headers set by the user (never auth headers).
	Header http.Header
	// WorkspaceID is sent as anthropic-workspace-id when not empty.
	WorkspaceID string
	// Betas are extra beta names merged into anthropic-beta.
	Betas []string
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// RequestTimeout bounds each attempt of a unary request; 0 means none.
	RequestTimeout time.Duration
	// MaxRetryAfter caps a server-given retry-after wait.
	MaxRetryAfter time.Duration
	// RetryBackoffBase and RetryBackoffMax bound the backoff between the
	// attempts of a request (and of a stream's first open).
	RetryBackoffBase time.Duration
	RetryBackoffMax  time.Duration
	// Limiter is the client-side rate limiter; nil means none.
	Limiter ratelimit.Limiter
	// Logger receives debug logs; nil means silent.
	Logger *slog.Logger
	// Middlewares wrap each attempt, the first outermost.
	Middlewares []Middleware
	// ResponseInto, when set, receives the last response of the call.
	ResponseInto **http.Response

	// StreamIdleTimeout is how long a stream may go without a byte before it is
	// treated as disconnected; it also bounds each open attempt's wait for
	// the response headers.
	StreamIdleTimeout time.Duration
	// MaxEventSize is the largest SSE frame the stream reads.
	MaxEventSize int
	// StreamReconnects is how many reconnects in a row (without a healthy
	// connection between them) a stream makes before it fails.
	StreamReconnects int
	// StreamBackoffMin and StreamBackoffMax bound the reconnect backoff.
	StreamBackoffMin time.Duration
	StreamBackoffMax time.Duration
	// StreamClock times a stream's idle watchdog, backfill page bound,
	// reconnect backoff and health; nil means the system clock. Only tests
	// set it.
	StreamClock clock.Clock

	// Secrets are values the call's body carries (vault credentials' tokens)
	// that an error answer must not repeat; set per call, never by an option.
	Secrets []secret.String

	// PerCall is set while the options of one call are applied, so that the
	// options that belong to a client (the limiter) can refuse.
	PerCall bool
}

// New returns the default settings of a client: no credentials, no limiter.
func New() *Config {
	return &Config{
		BaseURL:           DefaultBaseURL,
		MaxRetries:        DefaultMaxRetries,
		MaxRetryAfter:     DefaultMaxRetryAfter,
		RetryBackoffBase:  DefaultRetryBackoffBase,
		RetryBackoffMax:   DefaultRetryBackoffMax,
		StreamIdleTimeout: DefaultStreamIdleTimeout,
		MaxEventSize:      DefaultMaxEventSize,
		StreamReconnects:  DefaultStreamReconnects,
		StreamBackoffMin:  DefaultStreamBackoffMin,
		StreamBackoffMax:  DefaultStreamBackoffMax,
	}
}

// Clone returns a copy that shares nothing mutable with c.
func (c *Config) Clone() *Config {
	n := *c
	n.Header = c.Header.Clone()
	n.Betas = append([]string(nil), c.Betas...)
	n.Middlewares = append([]Middleware(nil), c.Middlewares...)
	return &n
}

// RedactMask replaces a credential in text that came from the server.
const RedactMask = "[redacted]"

// SecretValues returns what must never be shown: the credentials and the
// secrets of the call's body (Secrets), revealed, for redaction only.
func (c *Config) SecretValues() []string {
	out := []string{c.APIKey.Reveal(), c.AuthToken.Reveal(), c.EnvironmentKey.Reveal(), c.WorkItemToken.Reveal()}
	for _, s := range c.Secrets {
		out = append(out, s.Reveal())
	}
	return out
}

// Redact returns s with c's credentials and secrets replaced by RedactMask.
// Every string that came from the server (a header, a body, a value that
// failed to decode, a network error quoting the answer) passes through it
// before it reaches an error, a log line or a notice: a proxy or a debugging
// server may echo the request.
func (c *Config) Redact(s string) string {
	for _, secret := range c.SecretValues() {
		if secret != "" && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, RedactMask)
		}
	}
	return s
}
