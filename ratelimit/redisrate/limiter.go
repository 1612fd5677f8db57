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
	gcraKey  string // GCRA state, where redis_rate keeps it: "rate:" + the class's key
	pauseKey string // the 429 gate: its end in Unix ms
	shiftKey string // how far, in ms, pauses pushed back the slots taken before them
	limit    redis_rate.Limit
}

// New returns a Limiter that keeps the budgets of the organization orgKey in
// the Redis reached by rdb: the GCRA state of each class under
// "rate:<prefix>:<orgKey>:<class>" (where, and as, redis_rate keeps it), its
// pause gate under "<prefix>:<orgKey>:<class>:pause" and how far pauses
// pushed back the slots waited for under "<prefix>:<orgKey>:<class>:shift". orgKey is any name the replicas agree
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
	return class{gcraKey: "rate:" + key, pauseKey: key + ":pause", shiftKey: key + ":shift", limit: limit}, nil
}

// classOf returns the budget of c; any class other than Create counts as Read,
// as in ratelimit.TokenLimiter.
func (l *Limiter) classOf(c ratelimit.Class) *class {
	if c == ratelimit.Create {
		return &l.create
	}
	return &l.read
}

// Acquire implements [ratelimit.Limiter]. It takes the next slot of class c
// in the shared GCRA budget, in one round trip, tells its wait to the
// function of ratelimit.WithWaitNotice and sleeps until it: callers in every
// replica are served in the order they came, and a caller that waits does not
// ask Redis again until its slot (then once, to see whether a 429 came
// meanwhile). While any replica's pause is in force it waits for the pause to
// end first; a pause set while it waits for its slot pushes the slot back
// behind the gate (every waiter's alike, so they keep their order and
// spacing), and it waits that much more. If a wait would outlast ctx's
// deadline it returns at once a *ratelimit.WaitError with the wait counted
// from the call, and takes nothing. If ctx ends while waiting it returns
// ctx.Err() and gives the slot back (unless a later caller took one since).
// If Redis does not answer it returns an error matching [ErrUnavailable], or
// with [WithFallback] takes the slot from the in-process limiter.
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
		deadline, hasDeadline := ctx.Deadline()
		maxWait := time.Duration(-1)
		if hasDeadline {
			maxWait = max(time.Until(deadline), 0)
		}
		r, err := l.reserve(ctx, cl, maxWait)
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
		if r.taken && r.wait <= 0 {
			return nil
		}
		if hasDeadline && time.Now().Add(r.wait).After(deadline) {
			if r.taken {
				l.release(ctx, cl, r)
			}
			return &ratelimit.WaitError{Class: c, Wait: time.Since(start) + r.wait}
		}
		if !l.sleep(ctx, c, r.wait) {
			if r.taken {
				l.release(ctx, cl, r)
			}
			return ctx.Err()
		}
		if !r.taken {
			continue // the gate has opened: take a slot now
		}
		for d := l.shifted(ctx, cl, &r); d > 0; d = l.shifted(ctx, cl, &r) {
			if !l.sleep(ctx, c, d) {
				return ctx.Err()
			}
		}
		return nil
	}
}

// sleep tells the wait d to the function of ratelimit.WithWaitNotice, then
// sleeps d or until ctx ends; it reports whether the whole wait passed.
func (l *Limiter) sleep(ctx context.Context, c ratelimit.Class, d time.Duration) bool {
	ratelimit.NotifyWait(ctx, c, d) // before the wait begins, as ratelimit.Limiter asks
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
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
	offset := cl.limit.Period.Seconds() / float64(cl.limit.Rate) * float64(cl.limit.Burst)
	if err := pauseScript.Run(ctx, l.rdb, []string{cl.pauseKey, cl.shiftKey, cl.gcraKey}, int64(ms), offset).Err(); err != nil && l.logger != nil {
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
