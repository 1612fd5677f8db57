package redisrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// probeEvery is how often a Limiter with a fallback tries Redis again while it
// is down.
const probeEvery = time.Second

// pauseTimeout bounds the Redis call of Pause, which outlives the caller's
// context so that a 429 is shared even when its request was given up.
const pauseTimeout = 2 * time.Second

// Limiter is a [ratelimit.Limiter] whose budgets and 429 pause live in Redis,
// shared by every Limiter, in any process, built with the same organization key,
// prefix and budgets. It is safe for concurrent use.
type Limiter struct {
	rdb          redis.UniversalClient
	gcra         *redis_rate.Limiter
	create, read class
	defaultPause time.Duration
	logger       *slog.Logger
	local        *ratelimit.TokenLimiter // nil without WithFallback
	probeEvery   time.Duration

	mu        sync.Mutex
	down      bool      // the fallback is in use
	nextProbe time.Time // while down, when Redis is tried again
}

// class holds the Redis keys and GCRA parameters of one budget class.
type class struct {
	key      string // GCRA state; redis_rate stores it under "rate:" + key
	pauseKey string
	limit    redis_rate.Limit
}

// New returns a Limiter that keeps the budgets of the organization orgKey in
// the Redis reached by rdb: the GCRA state of each class under
// "rate:<prefix>:<orgKey>:<class>" (redis_rate adds "rate:") and its pause gate
// under "<prefix>:<orgKey>:<class>:pause". orgKey is any name the replicas agree
// on, for example the organization or workspace name; it is not the API key.
// New does not contact Redis. It fails if orgKey is empty or a budget cannot be
// honoured (a window that is not positive, or a limit not above its burst).
func New(rdb redis.UniversalClient, orgKey string, opts ...Option) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("redisrate: nil Redis client")
	}
	if orgKey == "" {
		return nil, errors.New("redisrate: empty organization key")
	}
	s := settings{budgets: ratelimit.DefaultBudgets, prefix: DefaultPrefix, defaultPause: DefaultPause}
	for _, o := range opts {
		o(&s)
	}
	l := &Limiter{
		rdb:          rdb,
		gcra:         redis_rate.NewLimiter(rdb),
		defaultPause: s.defaultPause,
		logger:       s.logger,
		probeEvery:   probeEvery,
	}
	var err error
	if l.create, err = newClass(s.prefix, orgKey, ratelimit.Create, s.budgets.Create); err != nil {
		return nil, err
	}
	if l.read, err = newClass(s.prefix, orgKey, ratelimit.Read, s.budgets.Read); err != nil {
		return nil, err
	}
	if s.fallback {
		l.local = ratelimit.New(s.budgets)
	}
	return l, nil
}

func newClass(prefix, orgKey string, c ratelimit.Class, b ratelimit.Budget) (class, error) {
	limit, err := gcraLimit(c, b)
	if err != nil {
		return class{}, err
	}
	key := prefix + ":" + orgKey + ":" + string(c)
	return class{key: key, pauseKey: key + ":pause", limit: limit}, nil
}

// classOf returns the budget of c; any class other than Create counts as Read,
// as in ratelimit.TokenLimiter.
func (l *Limiter) classOf(c ratelimit.Class) *class {
	if c == ratelimit.Create {
		return &l.create
	}
	return &l.read
}

// Acquire implements [ratelimit.Limiter]. It waits while any replica's pause
// is in force, then takes a slot of class c from the shared GCRA budget,
// sleeping until the slot the server names whenever another replica took the
// last one. If a wait would outlast ctx's deadline it returns at once a
// *ratelimit.WaitError with the wait counted from the call, and takes nothing.
// If ctx ends while waiting it returns ctx.Err(). If Redis does not answer it
// returns an error matching [ErrUnavailable], or with [WithFallback] takes
// the slot from the in-process limiter.
func (l *Limiter) Acquire(ctx context.Context, c ratelimit.Class) error {
	if l.useLocal() {
		return l.local.Acquire(ctx, c)
	}
	cl := l.classOf(c)
	start := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		wait, err := l.try(ctx, cl)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if l.local == nil {
				return fmt.Errorf("%w: %w", ErrUnavailable, err)
			}
			l.markDown(err)
			return l.local.Acquire(ctx, c)
		}
		l.markUp()
		if wait <= 0 {
			return nil
		}
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
			return &ratelimit.WaitError{Class: c, Wait: time.Since(start) + wait}
		}
		t := time.NewTimer(wait)
		ratelimit.NotifyWait(ctx, c, wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// try makes one attempt: it returns 0 when it took a slot, or how long to wait
// before the next attempt.
func (l *Limiter) try(ctx context.Context, cl *class) (time.Duration, error) {
	// PTTL answers -2 (no key) or -1 (no expiry), which go-redis keeps as
	// negative durations: neither is a pause.
	paused, err := l.rdb.PTTL(ctx, cl.pauseKey).Result()
	if err != nil {
		return 0, err
	}
	if paused > 0 {
		return paused, nil
	}
	res, err := l.gcra.Allow(ctx, cl.key, cl.limit)
	if err != nil {
		return 0, err
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	// Never spin on a retry-after that rounded to nothing.
	return max(res.RetryAfter, time.Millisecond), nil
}

// Pause implements [ratelimit.Limiter]: it moves the shared pause gate of class
// c to retryAfter from now (by the Redis server's clock) unless a replica has
// already set it later, so every replica's next Acquire waits. A retryAfter
// that is not positive means the default pause ([WithDefaultPause]). The Redis
// call is bounded by its own short timeout and is made even if ctx has ended;
// if it fails the error is logged. With [WithFallback] the in-process limiter
// is paused too.
func (l *Limiter) Pause(ctx context.Context, c ratelimit.Class, retryAfter time.Duration) {
	if retryAfter <= 0 {
		retryAfter = l.defaultPause
	}
	if l.local != nil {
		l.local.Pause(ctx, c, retryAfter)
	}
	ms := (retryAfter + time.Millisecond - 1) / time.Millisecond
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pauseTimeout)
	defer cancel()
	cl := l.classOf(c)
	if err := pauseScript.Run(ctx, l.rdb, []string{cl.pauseKey}, int64(ms)).Err(); err != nil && l.logger != nil {
		l.logger.WarnContext(ctx, "redisrate: could not share the 429 pause", "class", string(c), "pause", retryAfter, "err", err)
	}
}

// useLocal reports whether Acquire should skip Redis and use the fallback:
// true while Redis is down, except for one caller per probe interval, who
// tries Redis again.
func (l *Limiter) useLocal() bool {
	if l.local == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.down {
		return false
	}
	now := time.Now()
	if now.Before(l.nextProbe) {
		return true
	}
	l.nextProbe = now.Add(l.probeEvery)
	return false
}

// markDown records that Redis did not answer and the fallback is in use.
func (l *Limiter) markDown(err error) {
	l.mu.Lock()
	wasDown := l.down
	l.down = true
	l.nextProbe = time.Now().Add(l.probeEvery)
	l.mu.Unlock()
	if !wasDown && l.logger != nil {
		l.logger.Warn("redisrate: redis unavailable, using the in-process limiter", "err", err)
	}
}

// markUp records that Redis answered.
func (l *Limiter) markUp() {
	if l.local == nil {
		return
	}
	l.mu.Lock()
	wasDown := l.down
	l.down = false
	l.mu.Unlock()
	if wasDown && l.logger != nil {
		l.logger.Info("redisrate: redis answers again, back on the shared budget")
	}
}
