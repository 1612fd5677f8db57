package benchmarks

// BenchmarkConcurrentStreams opens 1,000 streams (100 with -short) in one
// process, to a server in a child process that sends them only heartbeats
// (server_test.go), and measures what an idle stream costs the client.
//
// Each stream has one consumer goroutine blocked in Next, as in real use. Once
// all are open and waiting, it reports per stream:
//
//   - goroutines/stream: goroutines added, not counting the consumer goroutine
//     the caller owns (so: the library's own plus net/http's per connection);
//   - heap-KiB/stream: live heap added (after a GC);
//   - stack-KiB/stream: goroutine stacks added, the consumer's included;
//   - KiB/stream: the two together, the figure the 64 KiB target is about.
//
// ns/op is the time to open the streams, measure and close them again.

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

func BenchmarkConcurrentStreams(b *testing.B) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	base := startServer(b)
	client := managedagents.NewClient(
		option.WithBaseURL(base),
		option.WithAPIKey("sk-ant-bench"),
		noWait,
	)
	var goroutines, heapKiB, stackKiB float64
	for b.Loop() {
		g, h, s := openIdleStreams(b, client, n)
		goroutines += g
		heapKiB += h
		stackKiB += s
	}
	runs := float64(b.N)
	b.ReportMetric(goroutines/runs, "goroutines/stream")
	b.ReportMetric(heapKiB/runs, "heap-KiB/stream")
	b.ReportMetric(stackKiB/runs, "stack-KiB/stream")
	b.ReportMetric((heapKiB+stackKiB)/runs, "KiB/stream")
}

// openIdleStreams opens n idle streams, each read by one goroutine, measures
// them, and closes them. It returns goroutines, heap KiB and stack KiB per
// stream.
func openIdleStreams(b *testing.B, client *managedagents.Client, n int) (goroutines, heapKiB, stackKiB float64) {
	b.Helper()
	g0, m0 := snapshot()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	streams := make([]*managedagents.EventStream, n)
	errs := make([]error, n)
	var open sync.WaitGroup
	sem := make(chan struct{}, 32) // dial 32 at a time
	for i := range n {
		open.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			streams[i], errs[i] = client.Sessions.Events.Stream(ctx, "sesn_idle_"+strconv.Itoa(i), streamParams)
		})
	}
	open.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}

	var started, done sync.WaitGroup
	started.Add(n)
	for _, s := range streams {
		done.Go(func() {
			started.Done()
			for s.Next() {
				sink = s.Current()
			}
		})
	}
	started.Wait()
	time.Sleep(100 * time.Millisecond) // let every consumer reach its blocking read

	g1, m1 := snapshot()
	goroutines = float64(g1-g0-n) / float64(n)
	heapKiB = float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc)) / 1024 / float64(n)
	stackKiB = float64(int64(m1.StackInuse)-int64(m0.StackInuse)) / 1024 / float64(n)

	b.StopTimer()
	cancel()
	done.Wait()
	for _, s := range streams {
		s.Close()
	}
	waitGoroutines(g0) // let the closed connections' goroutines end
	b.StartTimer()
	return goroutines, heapKiB, stackKiB
}

// snapshot returns the goroutine count and the memory statistics after a GC.
func snapshot() (int, runtime.MemStats) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtime.NumGoroutine(), m
}

// waitGoroutines waits up to 5 s for the goroutine count to fall to n.
func waitGoroutines(n int) {
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}
