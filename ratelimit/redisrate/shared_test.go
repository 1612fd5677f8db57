package redisrate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-managedagents/managedagents/ratelimit"
)

// Environment of the worker processes started by TestSharedBudgetAcrossProcesses.
const (
	helperEnv      = "REDISRATE_HELPER"       // "1" in a worker
	helperOrgEnv   = "REDISRATE_HELPER_ORG"   // organization key
	helperUntilEnv = "REDISRATE_HELPER_UNTIL" // Unix ns at which the worker stops
)

// sharedBudgets are the per-minute budgets scaled to seconds.
var sharedBudgets = ratelimit.Budgets{
	Create: ratelimit.Budget{Limit: 6, Window: 2 * time.Second},  // burst 1, then one per 0.4 s
	Read:   ratelimit.Budget{Limit: 20, Window: 2 * time.Second}, // burst 2, then one per 0.111 s
}

// TestSharedBudgetAcrossProcesses runs four worker processes, each with its own
// Redis client, that take slots of both classes as fast as they are given for
// a few seconds, and checks that together they never exceed a budget in any
// window, while still using most of it.
func TestSharedBudgetAcrossProcesses(t *testing.T) {
	t.Parallel()
	addr := redisAddr(t)
	const workers = 4
	const run = 4 * time.Second
	org := orgKey(t)
	until := time.Now().Add(run + time.Second) // a second to start the processes
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[ratelimit.Class][]int64{}
		per  [workers]int
	)
	for i := range workers {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			helperEnv+"=1", "REDIS_ADDR="+addr, helperOrgEnv+"="+org,
			helperUntilEnv+"="+strconv.FormatInt(until.UnixNano(), 10))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				class, ns, ok := strings.Cut(sc.Text(), " ")
				if class != string(ratelimit.Create) && class != string(ratelimit.Read) || !ok {
					continue // the test binary's own output
				}
				at, err := strconv.ParseInt(ns, 10, 64)
				if err != nil {
					t.Errorf("worker %d: bad line %q", i, sc.Text())
					continue
				}
				mu.Lock()
				seen[ratelimit.Class(class)] = append(seen[ratelimit.Class(class)], at)
				per[i]++
				mu.Unlock()
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("worker %d: %v\n%s", i, err, stderr.Bytes())
			}
		})
	}
	wg.Wait()
	t.Logf("admissions per worker: %v", per)

	for class, b := range map[ratelimit.Class]ratelimit.Budget{ratelimit.Create: sharedBudgets.Create, ratelimit.Read: sharedBudgets.Read} {
		times := seen[class]
		slices.Sort(times)
		most, lo := 0, 0
		for hi := range times {
			for times[hi]-times[lo] > b.Window.Nanoseconds() {
				lo++
			}
			if n := hi - lo + 1; n > most {
				most = n
			}
			if n := hi - lo + 1; n > b.Limit {
				t.Errorf("%s: %d admitted between %s and %s, budget %d per %s",
					class, n, time.Unix(0, times[lo]).Format("15:04:05.000"), time.Unix(0, times[hi]).Format("15:04:05.000"), b.Limit, b.Window)
			}
		}
		if len(times) == 0 {
			t.Fatalf("%s: nothing admitted", class)
		}
		// From the first slot on, the GCRA allows the burst and then one slot per
		// interval: about 1+12 create and 2+42 read.
		burst := max(1, b.Limit/10)
		span := until.Sub(time.Unix(0, times[0]))
		allowed := burst + int(span/(b.Window/time.Duration(b.Limit-burst)))
		t.Logf("%s: %d admitted (at most %d over the run), at most %d in a window of %s", class, len(times), allowed, most, b.Window)
		// The budget is used, not just respected (the last slots of a window are
		// seen a little late, after the round trip and the write).
		if len(times) < allowed*3/4 || most < b.Limit*3/4 {
			t.Errorf("%s: only %d admitted, at most %d in a window; want about %d, and about %d in some window", class, len(times), most, allowed, b.Limit)
		}
	}
}

// TestHelperProcess is a worker of TestSharedBudgetAcrossProcesses; run alone
// it does nothing. It takes slots of both classes until its deadline and
// prints "<class> <unix ns>" for each slot it got.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	until, err := strconv.ParseInt(os.Getenv(helperUntilEnv), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	defer rdb.Close()
	lim, err := New(rdb, os.Getenv(helperOrgEnv), WithBudgets(sharedBudgets))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, until))
	defer cancel()
	var (
		mu sync.Mutex
		w  = bufio.NewWriter(os.Stdout)
		wg sync.WaitGroup
	)
	for _, class := range []ratelimit.Class{ratelimit.Create, ratelimit.Read} {
		wg.Go(func() {
			for {
				err := lim.Acquire(ctx, class)
				if err != nil {
					// The deadline ends the run: the last wait fails fast.
					if _, ok := errors.AsType[*ratelimit.WaitError](err); !ok && !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("%s: %v", class, err)
					}
					return
				}
				at := time.Now().UnixNano()
				mu.Lock()
				fmt.Fprintf(w, "%s %d\n", class, at)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	w.Flush()
}
