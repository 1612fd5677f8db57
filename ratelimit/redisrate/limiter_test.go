package redisrate

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-managedagents/managedagents/ratelimit"
)

func TestNewRejects(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	tests := []struct {
		name string
		rdb  redis.UniversalClient
		org  string
		opts []Option
		want string
	}{
		{"nil client", nil, "org", nil, "nil Redis client"},
		{"empty org", rdb, "", nil, "empty organization key"},
		{"limit 1", rdb, "org", []Option{WithBudgets(ratelimit.Budgets{
			Create: ratelimit.Budget{Limit: 1, Window: time.Minute}, Read: ratelimit.DefaultBudgets.Read,
		})}, "create budget: limit 1 must exceed the burst 1"},
		{"no window", rdb, "org", []Option{WithBudgets(ratelimit.Budgets{
			Create: ratelimit.DefaultBudgets.Create, Read: ratelimit.Budget{Limit: 10},
		})}, "read budget: window 0s is not positive"},
	}
	for _, tt := range tests {
		if _, err := New(tt.rdb, tt.org, tt.opts...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := New(rdb, "org", WithBudgets(ratelimit.DefaultBudgets), WithFallback()); err != nil {
		t.Errorf("New with valid settings: %v", err)
	}
}

// newLimiters returns n limiters of one organization, each on a Redis client
// (and so connections) of its own.
func newLimiters(t *testing.T, n int, opts ...Option) []*Limiter {
	t.Helper()
	addr, org := redisAddr(t), orgKey(t)
	lims := make([]*Limiter, n)
	for i := range lims {
		l, err := New(newClient(t, addr), org, opts...)
		if err != nil {
			t.Fatal(err)
		}
		lims[i] = l
	}
	return lims
}

func TestPauseSeenByOneStopsAll(t *testing.T) {
	t.Parallel()
	lims := newLimiters(t, 4)
	ctx := context.Background()
	const pause = 600 * time.Millisecond
	start := time.Now()
	lims[0].Pause(ctx, ratelimit.Read, pause)

	// Another class is not paused.
	if err := lims[1].Acquire(ctx, ratelimit.Create); err != nil || time.Since(start) > pause/2 {
		t.Fatalf("create Acquire during a read pause: %v after %s", err, time.Since(start))
	}
	// A shorter pause does not shorten it.
	lims[2].Pause(ctx, ratelimit.Read, 50*time.Millisecond)

	var wg sync.WaitGroup
	for i, l := range lims {
		wg.Go(func() {
			if err := l.Acquire(ctx, ratelimit.Read); err != nil {
				t.Errorf("limiter %d: %v", i, err)
			}
			// The gate ends pause after Pause began, by Redis's clock in ms.
			if took := time.Since(start); took < pause-5*time.Millisecond || took > pause+400*time.Millisecond {
				t.Errorf("limiter %d: read Acquire returned after %s, want about %s", i, took, pause)
			}
		})
	}
	wg.Wait()
}

func TestPauseExtendsAndDefaults(t *testing.T) {
	t.Parallel()
	lims := newLimiters(t, 2, WithDefaultPause(300*time.Millisecond))
	ctx := context.Background()
	rdb := lims[0].rdb
	key := lims[0].read.pauseKey

	lims[0].Pause(ctx, ratelimit.Read, 0)
	if ttl := rdb.PTTL(ctx, key).Val(); ttl <= 200*time.Millisecond || ttl > 300*time.Millisecond {
		t.Errorf("after Pause(0): pause gate ends in %s, want the default 300ms", ttl)
	}
	lims[1].Pause(ctx, ratelimit.Read, 2*time.Second)
	if ttl := rdb.PTTL(ctx, key).Val(); ttl <= 1900*time.Millisecond || ttl > 2*time.Second {
		t.Errorf("after a longer Pause: pause gate ends in %s, want 2s", ttl)
	}
	lims[0].Pause(ctx, ratelimit.Read, time.Second)
	if ttl := rdb.PTTL(ctx, key).Val(); ttl <= 1900*time.Millisecond {
		t.Errorf("after a shorter Pause: pause gate ends in %s, want still about 2s", ttl)
	}

	// A Pause whose context has ended is still shared.
	ended, cancel := context.WithCancel(ctx)
	cancel()
	lims[1].Pause(ended, ratelimit.Create, time.Second)
	if ttl := rdb.PTTL(ctx, lims[1].create.pauseKey).Val(); ttl <= 900*time.Millisecond {
		t.Errorf("Pause with an ended context: pause gate ends in %s, want 1s", ttl)
	}
}

func TestAcquireFailsFastPastDeadline(t *testing.T) {
	t.Parallel()
	lims := newLimiters(t, 2, WithBudgets(ratelimit.Budgets{
		Create: ratelimit.Budget{Limit: 2, Window: 10 * time.Second}, // burst 1, then one each 10 s
		Read:   ratelimit.DefaultBudgets.Read,
	}))

	// Waiting on the pause gate.
	lims[0].Pause(context.Background(), ratelimit.Read, 2*time.Second)
	checkWaitError(t, lims[1], ratelimit.Read, 1900*time.Millisecond, 2*time.Second)

	// Waiting on the GCRA: the second slot comes 10 s after the first. A wait that
	// fails takes nothing, so asking again gives the same wait, not 20 s.
	if err := lims[0].Acquire(context.Background(), ratelimit.Create); err != nil {
		t.Fatal(err)
	}
	checkWaitError(t, lims[1], ratelimit.Create, 9500*time.Millisecond, 10*time.Second)
	checkWaitError(t, lims[0], ratelimit.Create, 9500*time.Millisecond, 10*time.Second)
}

// checkWaitError checks that an Acquire of class c with a 200 ms deadline fails
// at once with a *ratelimit.WaitError whose wait is in [lo, hi].
func checkWaitError(t *testing.T, l *Limiter, c ratelimit.Class, lo, hi time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := l.Acquire(ctx, c)
	took := time.Since(start)
	werr, ok := errors.AsType[*ratelimit.WaitError](err)
	if !ok {
		t.Fatalf("%s Acquire = %v, want a *ratelimit.WaitError", c, err)
	}
	// The wait counts from the call, so it may exceed hi by the time the call took.
	if werr.Class != c || werr.Wait < lo || werr.Wait > hi+took {
		t.Errorf("%s WaitError = %+v, want class %s and a wait in [%s, %s+%s]", c, werr, c, lo, hi, took)
	}
	if !errors.Is(err, ratelimit.ErrLimited) {
		t.Errorf("%v does not match ratelimit.ErrLimited", err)
	}
	if took > 150*time.Millisecond {
		t.Errorf("%s Acquire failed after %s, want at once", c, took)
	}
}

func TestAcquireEndsWithContext(t *testing.T) {
	t.Parallel()
	lims := newLimiters(t, 1)
	lims[0].Pause(context.Background(), ratelimit.Read, 5*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if err := lims[0].Acquire(ctx, ratelimit.Read); !errors.Is(err, context.Canceled) || err != ctx.Err() {
		t.Errorf("Acquire = %v, want ctx.Err()", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Acquire returned %s after the cancel", took)
	}
	if err := lims[0].Acquire(ctx, ratelimit.Create); err != context.Canceled {
		t.Errorf("Acquire with an ended context = %v, want context.Canceled", err)
	}
}

// deadAddr returns a loopback address on which nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRedisUnavailable(t *testing.T) {
	t.Parallel()
	l, err := New(newClient(t, deadAddr(t)), "org")
	if err != nil {
		t.Fatal(err)
	}
	err = l.Acquire(context.Background(), ratelimit.Read)
	if !errors.Is(err, ErrUnavailable) || !strings.HasPrefix(err.Error(), "redisrate: redis unavailable: ") {
		t.Fatalf("Acquire with Redis down = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "refused") {
		t.Errorf("error %q does not give the cause", err)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use, for a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestFallbackWhileRedisDown(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	l, err := New(newClient(t, deadAddr(t)), "org", WithFallback(),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 5 {
		if err := l.Acquire(ctx, ratelimit.Read); err != nil {
			t.Fatalf("Acquire with the fallback = %v", err)
		}
	}
	l.Pause(ctx, ratelimit.Create, time.Millisecond)
	out := logs.String()
	if n := strings.Count(out, "using the in-process limiter"); n != 1 {
		t.Errorf("the switch to the fallback was logged %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "could not share the 429 pause") {
		t.Errorf("a failed Pause was not logged:\n%s", out)
	}
}
