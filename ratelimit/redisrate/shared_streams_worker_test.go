package redisrate

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// TestThousandStreamsWorker is a worker of TestThousandStreamsShareOneBudget;
// run alone it does nothing. It follows its sessions with one client whose
// limiter is in Redis and tells the parent, on stdout, when every stream is
// open ("herd open"), has delivered a whole turn ("herd warm"), and, after
// the parent said "cut" on stdin ("herd ack"), when each stream is live again
// ("herd live <i> <unix ns>") and all are ("herd recovered"); once every
// stream has ended it prints what each delivered ("herd ids <session>
// <ids>"), its figures ("herd stats …") and "herd done".
func TestThousandStreamsWorker(t *testing.T) {
	if os.Getenv(herdWorkerEnv) != "1" {
		return
	}
	ignore := goleak.IgnoreCurrent()
	ids := strings.Split(os.Getenv(herdSessionsEnv), ",")
	n := len(ids)
	var outMu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(out, "herd "+format+"\n", args...)
		out.Flush()
	}

	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	lim, err := New(rdb, os.Getenv(herdOrgEnv), WithBudgets(herdBudgets))
	require.NoError(t, err)
	var cut atomic.Bool
	byPath := make(map[string]int, n)
	for i, id := range ids {
		byPath["/v1/sessions/"+id+"/events/stream"] = i
	}
	recoveredAt := make([]atomic.Int64, n)
	recovered := make(chan struct{})
	var left atomic.Int64
	left.Store(int64(n))
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = n
	tr := &firstReadTransport{base: base, onFirstRead: func(path string) {
		i, ok := byPath[path]
		if !ok || !cut.Load() || !recoveredAt[i].CompareAndSwap(0, time.Now().UnixNano()) {
			return
		}
		say("live %d %d", i, recoveredAt[i].Load())
		if left.Add(-1) == 0 {
			close(recovered)
		}
	}}
	client := managedagents.NewClient(
		option.WithBaseURL(os.Getenv(herdURLEnv)),
		option.WithAPIKey(managedagentstest.TestAPIKey),
		option.WithHTTPClient(&http.Client{Transport: tr}),
		option.WithLimiter(lim),
		option.WithStreamBackoff(500*time.Millisecond/herdScale, 10*time.Second/herdScale),
		option.WithStreamIdleTimeout(90*time.Second/herdScale))

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var (
		mu        sync.Mutex
		delivered = make([][]string, n)
		streams   = make([]*managedagents.EventStream, n)
		notices   int
		limited   int
		maxWait   time.Duration
		failures  []error
	)
	var opened, warm sync.WaitGroup
	opened.Add(n)
	warm.Add(n)
	var before, live, rec runtime.MemStats
	memNow(&before)
	goroutines := runtime.NumGoroutine()
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			fail := func(err error) {
				mu.Lock()
				failures = append(failures, fmt.Errorf("stream %s: %w", id, err))
				mu.Unlock()
				cancel()
			}
			s, err := client.Sessions.Events.Stream(ctx, id, managedagents.EventStreamParams{
				OnReconnect: func(r managedagents.StreamReconnect) {
					mu.Lock()
					defer mu.Unlock()
					notices++
					if r.RateLimited {
						limited++
						maxWait = max(maxWait, r.Delay)
					}
				},
			})
			opened.Done()
			if err != nil {
				warm.Done()
				fail(err)
				return
			}
			mu.Lock()
			streams[i] = s
			mu.Unlock()
			k := 0
			for ev, err := range s.All() {
				if err != nil {
					fail(err)
					break
				}
				mu.Lock()
				delivered[i] = append(delivered[i], ev.EventID())
				mu.Unlock()
				if k++; k == 4 {
					warm.Done()
				}
			}
			if k < 4 {
				warm.Done()
			}
		})
	}
	opened.Wait()
	say("open")
	warm.Wait()
	memNow(&live)
	goroutines = runtime.NumGoroutine() - goroutines
	say("warm")
	cmds := bufio.NewScanner(os.Stdin)
	if !cmds.Scan() || cmds.Text() != "cut" {
		t.Fatalf("expected cut, got %q (%v)", cmds.Text(), cmds.Err())
	}
	mu.Lock()
	notices, limited, maxWait = 0, 0, 0
	mu.Unlock()
	cut.Store(true)
	say("ack")
	select {
	case <-recovered:
	case <-ctx.Done():
		t.Fatalf("not every stream recovered: %v", failures)
	}
	memNow(&rec)
	say("recovered")
	wg.Wait()
	require.Empty(t, failures)
	for i, id := range ids {
		say("ids %s %s", id, strings.Join(delivered[i], ","))
		require.NoError(t, streams[i].Close())
	}
	say("stats streams=%d notices=%d limited=%d longest-wait-ns=%d goroutines=%d heap-live=%.0f heap-recovered=%.0f",
		n, notices, limited, maxWait, goroutines, heapGrowth(live, before), heapGrowth(rec, before))
	base.CloseIdleConnections()
	require.NoError(t, rdb.Close())
	require.NoError(t, goleak.Find(ignore), "goroutines left once every stream is closed")
	say("done")
}

// firstReadTransport tells onFirstRead of the first read of every answer.
type firstReadTransport struct {
	base        http.RoundTripper
	onFirstRead func(path string)
}

func (t *firstReadTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		resp.Body = &firstReadBody{ReadCloser: resp.Body, path: r.URL.Path, onFirstRead: t.onFirstRead}
	}
	return resp, err
}

type firstReadBody struct {
	io.ReadCloser
	path        string
	once        sync.Once
	onFirstRead func(path string)
}

func (b *firstReadBody) Read(p []byte) (int, error) {
	b.once.Do(func() { b.onFirstRead(b.path) })
	return b.ReadCloser.Read(p)
}

// memNow fills m after a collection.
func memNow(m *runtime.MemStats) {
	runtime.GC()
	runtime.ReadMemStats(m)
}

// heapGrowth is the heap in use at m beyond base.
func heapGrowth(m, base runtime.MemStats) float64 {
	return float64(m.HeapAlloc) - float64(base.HeapAlloc)
}
