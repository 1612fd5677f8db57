package redisrate

import (
	"log/slog"
	"time"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// Option configures a [Limiter] built by [New].
type Option func(*settings)

type settings struct {
	budgets      ratelimit.Budgets
	prefix       string
	fallback     bool
	logger       *slog.Logger
	defaultPause time.Duration
}

// DefaultPrefix is the first part of every Redis key a [Limiter] uses, unless
// [WithPrefix] sets another.
const DefaultPrefix = "managedagents"

// DefaultPause is how long every replica pauses after a 429 that came without
// a retry-after, unless [WithDefaultPause] sets another.
const DefaultPause = time.Second

// WithBudgets sets the budgets shared by every replica (default
// ratelimit.DefaultBudgets: 60 create and 600 read requests per minute). All
// replicas that share an organization key must use the same budgets.
func WithBudgets(b ratelimit.Budgets) Option {
	return func(s *settings) { s.budgets = b }
}

// WithPrefix sets the first part of the Redis keys (default [DefaultPrefix]),
// for example to keep several applications apart in one Redis database.
func WithPrefix(prefix string) Option {
	return func(s *settings) { s.prefix = prefix }
}

// WithFallback makes [Limiter.Acquire] use an in-process limiter
// (ratelimit.New with the same budgets) while Redis does not answer, instead
// of failing with [ErrUnavailable]. Redis is tried again at most once a second.
// While the fallback is in use each replica spends the whole budget on its own.
func WithFallback() Option {
	return func(s *settings) { s.fallback = true }
}

// WithLogger sets a logger for the switches to and from the fallback and for
// pauses that could not be stored in Redis. Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithDefaultPause sets how long every replica pauses after a 429 that came
// without a retry-after (default [DefaultPause]). A d that is not positive
// keeps the default.
func WithDefaultPause(d time.Duration) Option {
	return func(s *settings) {
		if d > 0 {
			s.defaultPause = d
		}
	}
}
