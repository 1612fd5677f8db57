package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	base, max := 500*time.Millisecond, 8*time.Second
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for n, w := range want {
		require.Equal(t, w, backoff(n, base, max, 0), "retry %d", n)
		got := backoff(n, base, max, 0.999)
		require.True(t, got <= w && got > w*3/4, "retry %d with jitter: %s", n, got)
	}
	require.Equal(t, max, backoff(100, base, max, 0), "no overflow")
}

func TestDelay(t *testing.T) {
	t.Parallel()
	b := Backoff{Base: 500 * time.Millisecond, Max: 8 * time.Second}
	wait, over := b.Delay(0, 3*time.Second, time.Minute)
	require.False(t, over)
	require.Equal(t, 3*time.Second, wait, "a server wait is used as is, without jitter")

	_, over = b.Delay(0, 61*time.Second, time.Minute)
	require.True(t, over, "a server wait beyond the cap is not slept")

	wait, over = b.Delay(1, 0, time.Minute)
	require.False(t, over)
	require.True(t, wait <= time.Second && wait >= 750*time.Millisecond, "no server wait: the backoff, jittered: %s", wait)
}

func TestPastDeadline(t *testing.T) {
	t.Parallel()
	now := time.Now()
	require.False(t, pastDeadline(context.Background(), now, time.Hour))
	ctx, cancel := context.WithDeadline(context.Background(), now.Add(time.Second))
	defer cancel()
	require.False(t, pastDeadline(ctx, now, 500*time.Millisecond))
	require.True(t, pastDeadline(ctx, now, 2*time.Second))
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		kv   []string
		want time.Duration
	}{
		{"none", nil, 0},
		{"ms", []string{"Retry-After-Ms", "1500"}, 1500 * time.Millisecond},
		{"fractional ms", []string{"Retry-After-Ms", "2.5"}, 2500 * time.Microsecond},
		{"ms wins over seconds", []string{"Retry-After-Ms", "100", "Retry-After", "30"}, 100 * time.Millisecond},
		{"bad ms falls back", []string{"Retry-After-Ms", "soon", "Retry-After", "2"}, 2 * time.Second},
		{"seconds", []string{"Retry-After", "3"}, 3 * time.Second},
		{"fractional seconds", []string{"Retry-After", "0.25"}, 250 * time.Millisecond},
		{"negative", []string{"Retry-After", "-1"}, 0},
		{"zero", []string{"Retry-After", "0"}, 0},
		{"date", []string{"Retry-After", now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{"past date", []string{"Retry-After", now.Add(-time.Minute).Format(http.TimeFormat)}, 0},
		{"garbage", []string{"Retry-After", "tomorrow"}, 0},
	}
	for _, c := range cases {
		h := http.Header{}
		for i := 0; i+1 < len(c.kv); i += 2 {
			h.Set(c.kv[i], c.kv[i+1])
		}
		require.Equal(t, c.want, ParseRetryAfter(h, now), c.name)
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	type want struct{ retry, uncertain bool }
	cases := []struct {
		status      int
		shouldRetry string
		get, post   want // a GET and a non-repeatable POST
	}{
		{200, "", want{}, want{}},
		{400, "", want{}, want{}},
		{401, "", want{}, want{}},
		{403, "", want{}, want{}},
		{404, "", want{}, want{}},
		{408, "", want{retry: true}, want{uncertain: true}},
		{409, "", want{retry: true}, want{}},
		{413, "", want{}, want{}},
		{429, "", want{retry: true}, want{retry: true}},
		{500, "", want{retry: true}, want{uncertain: true}},
		{502, "", want{retry: true}, want{uncertain: true}},
		{503, "", want{retry: true}, want{uncertain: true}},
		{504, "", want{retry: true}, want{uncertain: true}},
		{529, "", want{retry: true}, want{uncertain: true}},
		{400, "true", want{retry: true}, want{retry: true}},
		{500, "false", want{}, want{uncertain: true}},
		{429, "false", want{}, want{}},
		{500, "true", want{retry: true}, want{retry: true, uncertain: true}},
	}
	for _, c := range cases {
		resp := &http.Response{StatusCode: c.status, Header: http.Header{}}
		if c.shouldRetry != "" {
			resp.Header.Set("X-Should-Retry", c.shouldRetry)
		}
		g := decide(true, resp, nil, false)
		require.Equal(t, c.get, want{g.retry, g.uncertain}, "GET %d x-should-retry=%q", c.status, c.shouldRetry)
		p := decide(false, resp, nil, false)
		require.Equal(t, c.post, want{p.retry, p.uncertain}, "POST %d x-should-retry=%q", c.status, c.shouldRetry)
	}

	reset := &net.OpError{Op: "read", Err: syscall.ECONNRESET}
	require.True(t, decide(true, nil, reset, false).retry, "a GET is retried after a reset")
	v := decide(false, nil, reset, false)
	require.False(t, v.retry, "a create is not retried after a reset")
	require.True(t, v.uncertain)
	require.True(t, decide(false, nil, reset, true).retry, "a create is retried when it surely was not sent")
}

func TestNotSent(t *testing.T) {
	t.Parallel()
	someErr := errors.New("boom")
	dial := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	require.True(t, notSent(dial, nil))
	require.True(t, notSent(&net.DNSError{Err: "no such host"}, nil))
	require.False(t, notSent(someErr, nil), "no trace: assume sent")
	require.False(t, notSent(someErr, &attemptTrace{}), "no trace events at all: assume sent")

	tr := &attemptTrace{}
	tr.gettingConn.Store(true)
	require.True(t, notSent(someErr, tr), "asked for a connection, never got one")
	tr.gotConn.Store(true)
	require.True(t, notSent(someErr, tr), "connection but nothing written")
	tr.wroteHeaders.Store(true)
	require.False(t, notSent(someErr, tr), "headers written: maybe delivered")
	require.False(t, notSent(nil, tr))
}
