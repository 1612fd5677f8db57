package redisrate

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// TestRedisRestartMidRun stops Redis while a worker takes slots and starts it
// again on the same port: the worker gets ErrUnavailable while it is down and
// slots again once it is back, on the same clients; a limiter with the
// fallback keeps admitting and returns to Redis.
func TestRedisRestartMidRun(t *testing.T) {
	t.Parallel()
	srv := startOwnRedis(t)
	budgets := WithBudgets(ratelimit.Budgets{
		Create: ratelimit.DefaultBudgets.Create,
		Read:   ratelimit.Budget{Limit: 50, Window: time.Second}, // one each 22 ms after a burst of 5
	})
	// Clients with go-redis's defaults (3 retries of a command), but one dial
	// per try instead of 5, so that an outage is seen in well under a second.
	strictRDB := redis.NewClient(&redis.Options{Addr: srv.addr, DialerRetries: 1})
	defer strictRDB.Close()
	strict, err := New(strictRDB, "org", budgets)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	fallbackRDB := redis.NewClient(&redis.Options{Addr: srv.addr, DialerRetries: 1})
	defer fallbackRDB.Close()
	fallback, err := New(fallbackRDB, "org", budgets, WithFallback(),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	fallback.probeEvery = 100 * time.Millisecond

	// The worker runs until told to stop, counting slots and outages.
	var (
		phase     atomic.Int32 // 0 up, 1 down, 2 up again
		got       [3]atomic.Int32
		downErrs  atomic.Int32
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		workerCtx = context.Background()
	)
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			p := phase.Load()
			err := strict.Acquire(workerCtx, ratelimit.Read)
			switch {
			case err == nil:
				got[p].Add(1)
			case errors.Is(err, ErrUnavailable):
				downErrs.Add(1)
				time.Sleep(10 * time.Millisecond)
			default:
				t.Errorf("worker: %v", err)
				return
			}
		}
	})
	waitFor(t, "slots before the restart", func() bool { return got[0].Load() >= 5 })
	if err := fallback.Acquire(context.Background(), ratelimit.Read); err != nil {
		t.Fatal(err)
	}

	srv.stop()
	phase.Store(1)
	waitFor(t, "ErrUnavailable while Redis is down", func() bool { return downErrs.Load() >= 1 })
	for range 3 {
		if err := fallback.Acquire(context.Background(), ratelimit.Read); err != nil {
			t.Fatalf("Acquire with the fallback while Redis is down: %v", err)
		}
	}
	if !strings.Contains(logs.String(), "using the in-process limiter") {
		t.Errorf("the switch to the fallback was not logged:\n%s", logs.String())
	}

	if err := srv.start(); err != nil {
		t.Fatal(err)
	}
	phase.Store(2)
	waitFor(t, "slots after the restart", func() bool { return got[2].Load() >= 5 })
	close(stop)
	wg.Wait()

	// The fallback limiter tries Redis again and uses it: its GCRA key appears in
	// the new, empty server.
	waitFor(t, "the fallback limiter back on Redis", func() bool {
		if err := fallback.Acquire(context.Background(), ratelimit.Create); err != nil {
			t.Fatal(err)
		}
		return strictRDB.Exists(context.Background(), fallback.create.gcraKey).Val() == 1
	})
	if !strings.Contains(logs.String(), "redis answers again") {
		t.Errorf("the return to Redis was not logged:\n%s", logs.String())
	}
	t.Logf("slots: %d before the stop, %d in calls begun while Redis was down (%d ErrUnavailable), %d after the restart",
		got[0].Load(), got[1].Load(), downErrs.Load(), got[2].Load())
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
