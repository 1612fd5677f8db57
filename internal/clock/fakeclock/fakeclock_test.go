package fakeclock

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/clock"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestAdvanceFiresDueTimersInOrderAtTheirMoment(t *testing.T) {
	t.Parallel()
	c := New(start)
	var fired []time.Duration
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second, 5 * time.Second} {
		c.AfterFunc(d, func() {
			require.Equal(t, start.Add(d), c.Now(), "the clock reads the timer's moment")
			fired = append(fired, d)
		})
	}
	ch := c.NewTimer(4 * time.Second)
	c.Advance(4 * time.Second)
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, fired)
	require.Equal(t, start.Add(4*time.Second), <-ch.C())
	require.Equal(t, []time.Duration{5 * time.Second}, c.Pending())
	require.Equal(t, start.Add(4*time.Second), c.Now())
}

func TestStopAndReset(t *testing.T) {
	t.Parallel()
	c := New(start)
	n := 0
	tm := c.AfterFunc(time.Second, func() { n++ })
	require.True(t, tm.Stop())
	require.False(t, tm.Stop())
	c.Advance(time.Hour)
	require.Zero(t, n)
	require.False(t, tm.Reset(time.Minute), "was not pending")
	require.True(t, tm.Reset(time.Second), "was pending")
	c.Advance(time.Second)
	require.Equal(t, 1, n)
	c.AfterFunc(0, func() { n++ })
	require.Equal(t, 2, n, "a timer of zero fires at once")
}

func TestWaitPendingAndAdvanceToNext(t *testing.T) {
	t.Parallel()
	c := New(start)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan bool)
	go func() { done <- clock.Sleep(c, 7*time.Second, ctx.Done()) }()
	step, err := c.AdvanceToNext(ctx)
	require.NoError(t, err)
	require.Equal(t, 7*time.Second, step)
	require.True(t, <-done)

	stop := make(chan struct{})
	go func() { done <- clock.Sleep(c, time.Minute, stop) }()
	_, err = c.WaitPending(ctx, func(p []time.Duration) bool { return len(p) == 1 && p[0] == time.Minute })
	require.NoError(t, err)
	close(stop)
	require.False(t, <-done, "ended early")
	require.Empty(t, c.Pending(), "the sleep's timer is stopped")
}
