package webhooks

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// storeAt returns a MemoryStore whose clock is *now.
func storeAt(capacity int, retention time.Duration, now *time.Time) *MemoryStore {
	s := NewMemoryStore(capacity, retention)
	s.now = func() time.Time { return *now }
	return s
}

func claim(t *testing.T, s Store, id string, lease time.Duration) Claim {
	t.Helper()
	c, err := s.Claim(context.Background(), id, lease)
	require.NoError(t, err)
	return c
}

func TestMemoryStoreClaimCompleteRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	s := storeAt(10, time.Hour, &now)

	require.Equal(t, ClaimAcquired, claim(t, s, "a", time.Minute))
	require.Equal(t, ClaimInProgress, claim(t, s, "a", time.Minute))
	require.NoError(t, s.Release(ctx, "a"))
	require.Equal(t, ClaimAcquired, claim(t, s, "a", time.Minute), "a released id is claimed again")
	require.NoError(t, s.Complete(ctx, "a"))
	require.Equal(t, ClaimAlreadyDone, claim(t, s, "a", time.Minute))
	require.NoError(t, s.Release(ctx, "a"))
	require.Equal(t, ClaimAlreadyDone, claim(t, s, "a", time.Minute), "Release must not forget a done id")

	// Complete without a claim (the claim was evicted meanwhile) records it.
	require.NoError(t, s.Complete(ctx, "b"))
	require.Equal(t, ClaimAlreadyDone, claim(t, s, "b", time.Minute))
	require.NoError(t, s.Release(ctx, "never-seen"))
	require.Equal(t, 2, s.Len())
}

func TestMemoryStoreForgetsDoneIDsAfterTheRetention(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	s := storeAt(10, time.Hour, &now)
	require.Equal(t, ClaimAcquired, claim(t, s, "a", time.Minute))
	require.NoError(t, s.Complete(context.Background(), "a"))
	now = now.Add(time.Hour - time.Nanosecond)
	require.Equal(t, ClaimAlreadyDone, claim(t, s, "a", time.Minute))
	now = now.Add(time.Nanosecond)
	require.Equal(t, ClaimAcquired, claim(t, s, "a", time.Minute))
}

func TestMemoryStoreLetsAnExpiredLeaseBeClaimed(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	s := storeAt(10, time.Hour, &now)
	require.Equal(t, ClaimAcquired, claim(t, s, "a", 15*time.Second))
	now = now.Add(14 * time.Second)
	require.Equal(t, ClaimInProgress, claim(t, s, "a", 15*time.Second))
	now = now.Add(time.Second)
	require.Equal(t, ClaimAcquired, claim(t, s, "a", 15*time.Second), "a claim whose holder vanished must not block the id forever")
}

func TestMemoryStoreStaysWithinItsCapacity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	s := storeAt(3, time.Hour, &now)
	for _, id := range []string{"a", "b", "c"} {
		require.Equal(t, ClaimAcquired, claim(t, s, id, time.Minute))
		require.NoError(t, s.Complete(ctx, id))
	}
	// Touching a makes b the least recently used.
	require.Equal(t, ClaimAlreadyDone, claim(t, s, "a", time.Minute))
	require.NoError(t, s.Complete(ctx, "a"))
	require.Equal(t, ClaimAcquired, claim(t, s, "d", time.Minute))
	require.Equal(t, 3, s.Len())
	require.Equal(t, ClaimAlreadyDone, claim(t, s, "a", time.Minute))
	require.Equal(t, ClaimAlreadyDone, claim(t, s, "c", time.Minute))
	require.Equal(t, ClaimAcquired, claim(t, s, "b", time.Minute), "b was evicted")
	require.Equal(t, 3, s.Len())

	for i := range 1000 {
		claim(t, s, fmt.Sprint(i), time.Minute)
	}
	require.Equal(t, 3, s.Len())
}

func TestMemoryStoreDropsExpiredIDsFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	s := storeAt(100, time.Hour, &now)
	for i := range 50 {
		id := fmt.Sprint(i)
		claim(t, s, id, time.Minute)
		require.NoError(t, s.Complete(ctx, id))
	}
	now = now.Add(2 * time.Hour)
	claim(t, s, "fresh", time.Minute)
	require.Equal(t, 1, s.Len(), "expired ids were kept")
}

func TestMemoryStoreDefaults(t *testing.T) {
	t.Parallel()
	s := NewMemoryStore(0, -1)
	require.Equal(t, DefaultStoreCapacity, s.capacity)
	require.Equal(t, DefaultStoreRetention, s.retention)
}

func TestMemoryStoreClaimsOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := NewMemoryStore(100, time.Hour)
	var wg sync.WaitGroup
	results := make(chan Claim, 64)
	for range 64 {
		wg.Go(func() {
			c, err := s.Claim(context.Background(), "same", time.Minute)
			if err == nil {
				results <- c
			}
		})
	}
	wg.Wait()
	close(results)
	acquired := 0
	for c := range results {
		if c == ClaimAcquired {
			acquired++
		} else {
			require.Equal(t, ClaimInProgress, c)
		}
	}
	require.Equal(t, 1, acquired)
}

func TestClaimString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "acquired", ClaimAcquired.String())
	require.Equal(t, "already done", ClaimAlreadyDone.String())
	require.Equal(t, "in progress", ClaimInProgress.String())
	require.Equal(t, "unknown", Claim(9).String())
}

// BenchmarkMemoryStoreBytesPerID measures what a done id costs in memory (ids
// of 30 bytes, like msg_2Kq9cXb7TtRZbV1mWc8yJp4LfDe) and the time of a claim
// and complete.
func BenchmarkMemoryStoreBytesPerID(b *testing.B) {
	const n = 100_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("msg_%026d", i)
	}
	ctx := context.Background()
	var before, after runtime.MemStats
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		s := NewMemoryStore(n, time.Hour)
		for _, id := range ids {
			id = strings.Clone(id) // as read from a request's header
			_, _ = s.Claim(ctx, id, time.Minute)
			_ = s.Complete(ctx, id)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/id")
		runtime.KeepAlive(s)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/claim+complete")
}
