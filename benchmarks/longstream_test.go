package benchmarks

// BenchmarkLongStream reads 1,000,000 events (100,000 with -short) through
// client.Sessions.Events.Stream from a server in a child process over loopback
// (server_test.go), with the stream's reconnect logic and id dedupe on as by
// default. The events are the transcript's mix, cycled, with unique ids.
//
// After the 10k-th, 100k-th and last event it forces a GC and reports the live
// heap the stream holds (HeapAlloc minus the HeapAlloc before the stream was
// opened) as heap10k-MiB, heap100k-MiB and heap1M-MiB, and growth-MiB, the
// heap added between the 10k-th and the last event: a stream that remembers
// every id, or leaks per event, shows here. ns/event is the wall time per
// event, server included.

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

func BenchmarkLongStream(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	base := startServer(b)
	client := managedagents.NewClient(
		option.WithBaseURL(base),
		option.WithAPIKey("sk-ant-bench"),
		noWait,
	)
	checkpoints := []int{10_000, 100_000, n}
	heap := make([]float64, len(checkpoints))
	b.ResetTimer()
	for b.Loop() {
		baseline := liveHeap()
		stream, err := client.Sessions.Events.Stream(context.Background(), "sesn_long_"+strconv.Itoa(n), streamParams)
		if err != nil {
			b.Fatal(err)
		}
		got, next := 0, 0
		for stream.Next() {
			sink = stream.Current()
			got++
			if next < len(checkpoints) && got == checkpoints[next] {
				b.StopTimer()
				sink = nil
				h := float64(liveHeap()-baseline) / (1 << 20)
				for next < len(checkpoints) && got == checkpoints[next] {
					heap[next] = h
					next++
				}
				b.StartTimer()
			}
		}
		if err := stream.Err(); err != nil {
			b.Fatal(err)
		}
		stream.Close()
		if got != n {
			b.Fatalf("read %d events, want %d", got, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
	b.ReportMetric(heap[0], "heap10k-MiB")
	b.ReportMetric(heap[1], "heap100k-MiB")
	b.ReportMetric(heap[2], "heap1M-MiB")
	b.ReportMetric(heap[2]-heap[0], "growth-MiB")
}

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
