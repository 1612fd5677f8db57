// Package config holds the settings that options write and the transport reads.
package config

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Defaults.
const (
	DefaultBaseURL           = "https://api.anthropic.com"
	DefaultMaxRetries        = 2
	DefaultMaxRetryAfter     = 60 * time.Second
	DefaultStreamIdleTimeout = 90 * time.Second
	DefaultMaxEventSize      = 32 << 20
	DefaultStreamReconnects  = 10
	DefaultStreamBackoffMin  = 500 * time.Millisecond
	DefaultStreamBackoffMax  = 10 * time.Second
)

// Config is the whole of a client's or a call's settings. A call starts from a copy
// of its client's Config and applies its own options to the copy.
type Config struct {
	APIKey    secret.String // sent as x-api-key
	AuthToken secret.String // sent as Authorization: Bearer
	BaseURL   string
	// HTTPClient sends every request. Nil means a client built by the SDK.
	HTTPClient *http.Client
	// Header holds extra headers set by the user (never auth headers).
	Header http.Header
	// Betas are extra beta names merged into anthropic-beta.
	Betas []string
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// RequestTimeout bounds each attempt of a unary request; 0 means none.
	RequestTimeout time.Duration
	// MaxRetryAfter caps a server-given retry-after wait.
	MaxRetryAfter time.Duration
	// Limiter is the client-side rate limiter; nil means none.
	Limiter ratelimit.Limiter
	// Logger receives debug logs; nil means silent.
	Logger *slog.Logger

	// StreamIdleTimeout is how long a stream may go without a byte before it is
	// treated as disconnected.
	StreamIdleTimeout time.Duration
	// MaxEventSize is the largest SSE frame the stream reads.
	MaxEventSize int
	// StreamReconnects is how many reconnects in a row (without a healthy
	// connection between them) a stream makes before it fails; negative means none.
	StreamReconnects int
	// StreamBackoffMin and StreamBackoffMax bound the reconnect backoff.
	StreamBackoffMin time.Duration
	StreamBackoffMax time.Duration
}

// Clone returns a copy that shares nothing mutable with c.
func (c *Config) Clone() *Config {
	n := *c
	n.Header = c.Header.Clone()
	n.Betas = append([]string(nil), c.Betas...)
	return &n
}
