package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/ratelimit"
)

func get(ctx context.Context, t *testing.T, s *server, mod func(*config.Config)) error {
	t.Helper()
	cfg := testConfig(s)
	if mod != nil {
		mod(cfg)
	}
	var out map[string]any
	return do(ctx, cfg, http.MethodGet, "/v1/agents/agent_1", nil, &out)
}

func TestRetryByStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 408, 409, 413, 429, 500, 502, 503, 504, 529} {
		retried := status == 408 || status == 409 || status == 429 || status >= 500
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				reply(w, status, errBody("some_error", "attempt "+strconv.Itoa(n)), "Request-Id", "req_"+strconv.Itoa(n))
			})
			err := get(context.Background(), t, s, nil)
			se := statusOf(t, err)
			require.Equal(t, status, se.Response.StatusCode)
			want := 1
			if retried {
				want = 3
			}
			require.Equal(t, want, s.count())
			// The final answer is never lost: status, body and request id of the last attempt.
			require.Equal(t, "req_"+strconv.Itoa(want), se.Response.Header.Get("Request-Id"))
			require.Equal(t, errBody("some_error", "attempt "+strconv.Itoa(want)), string(se.Body))
			require.False(t, uncertain(err))
		})
	}
}

func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n < 3 {
			reply(w, 529, errBody("overloaded_error", "busy"))
			return
		}
		reply(w, 200, `{"id":"agent_1"}`)
	})
	var out struct{ ID string }
	require.NoError(t, do(context.Background(), testConfig(s), "GET", "/v1/agents/agent_1", nil, &out))
	require.Equal(t, "agent_1", out.ID)
	require.Equal(t, 3, s.count())
}

func TestShouldRetryHeaderWins(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		header string
		want   int
	}{
		{400, "true", 3},
		{404, "true", 3},
		{500, "false", 1},
		{429, "false", 1},
		{503, "TRUE", 3},
	}
	for _, c := range cases {
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, c.status, errBody("x", "y"), "X-Should-Retry", c.header)
		})
		err := get(context.Background(), t, s, nil)
		require.Error(t, err)
		require.Equal(t, c.want, s.count(), "%d x-should-retry %s", c.status, c.header)
	}
}

func TestAttemptsByMaxRetries(t *testing.T) {
	t.Parallel()
	for _, max := range []int{0, 1, 2, 5} {
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, 500, errBody("api_error", "boom"))
		})
		err := get(context.Background(), t, s, func(c *config.Config) { c.MaxRetries = max })
		require.Equal(t, 500, statusOf(t, err).Response.StatusCode)
		require.Equal(t, max+1, s.count(), "MaxRetries %d", max)
	}
}

// waits measures the time between the requests of a server that fails twice with
// the given headers and then succeeds.
func waits(t *testing.T, kv ...string) (time.Duration, int) {
	t.Helper()
	var first time.Time
	var gap time.Duration
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			first = time.Now()
			reply(w, 429, errBody("rate_limit_error", "slow down"), kv...)
		default:
			gap = time.Since(first)
			reply(w, 200, `{}`)
		}
	})
	require.NoError(t, get(context.Background(), t, s, nil))
	return gap, s.count()
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	t.Run("retry-after-ms", func(t *testing.T) {
		t.Parallel()
		gap, n := waits(t, "Retry-After-Ms", "40")
		require.Equal(t, 2, n)
		require.GreaterOrEqual(t, gap, 40*time.Millisecond)
		require.Less(t, gap, 10*time.Second, "a unit mistake (seconds for ms) would wait far longer")
	})
	t.Run("retry-after seconds, fractional", func(t *testing.T) {
		t.Parallel()
		gap, n := waits(t, "Retry-After", "0.05")
		require.Equal(t, 2, n)
		require.GreaterOrEqual(t, gap, 50*time.Millisecond)
		require.Less(t, gap, 10*time.Second, "a unit mistake (seconds for ms) would wait far longer")
	})
	t.Run("retry-after date in the past: backoff", func(t *testing.T) {
		t.Parallel()
		gap, n := waits(t, "Retry-After", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat))
		require.Equal(t, 2, n)
		require.Less(t, gap, 10*time.Second, "a unit mistake (seconds for ms) would wait far longer")
	})
}

func TestRetryAfterOverCapFailsAtOnce(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"seconds": {"Retry-After", "3600"},
		"ms":      {"Retry-After-Ms", "90000"},
		"date":    {"Retry-After", time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)},
	}
	for name, kv := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				reply(w, 429, errBody("rate_limit_error", "slow down"), kv...)
			})
			start := time.Now()
			err := get(context.Background(), t, s, nil)
			require.Less(t, time.Since(start), 10*time.Second, "returns at once, not after the 61 s or 2 h wait")
			se := statusOf(t, err)
			require.Greater(t, se.RetryAfter, time.Minute, "RetryAfter tells the caller how long to wait")
			require.Equal(t, 429, se.Response.StatusCode)
			require.Equal(t, 1, s.count())
		})
	}
	t.Run("custom cap", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, 503, errBody("api_error", "later"), "Retry-After-Ms", "200")
		})
		err := get(context.Background(), t, s, func(c *config.Config) { c.MaxRetryAfter = 100 * time.Millisecond })
		require.Equal(t, 503, statusOf(t, err).Response.StatusCode)
		require.Equal(t, 1, s.count())
	})
}

func TestDeadlineFailFast(t *testing.T) {
	t.Parallel()
	t.Run("server wait", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, 503, errBody("api_error", "later"), "Retry-After", "5")
		})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		err := get(ctx, t, s, nil)
		require.Less(t, time.Since(start), 500*time.Millisecond, "returns now instead of sleeping into the deadline")
		require.NotErrorIs(t, err, context.DeadlineExceeded)
		se := statusOf(t, err)
		require.Equal(t, 503, se.Response.StatusCode)
		require.Equal(t, 5*time.Second, se.RetryAfter)
		require.Equal(t, 1, s.count())
	})
	t.Run("several waits", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, 500, errBody("api_error", "boom"), "Retry-After-Ms", "200")
		})
		// Attempts at about 0, 200 and 400 ms; the next wait would end at 600 ms,
		// after the 500 ms deadline, so the call returns the last answer at about
		// 400 ms instead of sleeping into the deadline. On a loaded machine an
		// attempt can take long enough that only two fit: what matters is that
		// the call stops before the deadline with the last answer.
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(500*time.Millisecond))
		defer cancel()
		cfg := testConfig(s)
		cfg.MaxRetries = 1000
		err := do(ctx, cfg, "GET", "/v1/agents", nil, nil)
		require.Equal(t, 500, statusOf(t, err).Response.StatusCode, "the last answer, not a context error")
		require.NotErrorIs(t, err, context.DeadlineExceeded)
		require.GreaterOrEqual(t, s.count(), 2, "retried after the server's wait")
		require.LessOrEqual(t, s.count(), 3, "no attempt after the deadline")
	})
}

func TestContextCancelled(t *testing.T) {
	t.Parallel()
	t.Run("during the wait", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			cancel()
			reply(w, 429, errBody("rate_limit_error", "x"), "Retry-After-Ms", "5000")
		})
		err := get(ctx, t, s, nil)
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, context.Canceled, err, "ctx.Err() itself")
	})
	t.Run("during the request", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			cancel()
			<-r.Context().Done()
		})
		err := get(ctx, t, s, nil)
		require.Equal(t, context.Canceled, err)
		require.Equal(t, 1, s.count())
	})
	t.Run("before", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.Equal(t, context.Canceled, get(ctx, t, s, nil))
	})
}

func TestConnectionErrorRetried(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			resetConn(w)
			return
		}
		reply(w, 200, `{}`)
	})
	require.NoError(t, get(context.Background(), t, s, nil))
	require.Equal(t, 2, s.count())
}

// resetConn drops the connection with a TCP reset after the request was read.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func post(ctx context.Context, s *server, cfg *config.Config, path string) error {
	var out map[string]any
	return do(ctx, cfg, http.MethodPost, path, map[string]string{"name": "x"}, &out)
}

func TestNonRepeatableNeverSentTwice(t *testing.T) {
	t.Parallel()
	paths := []string{"/v1/agents", "/v1/environments", "/v1/sessions", "/v1/sessions/sesn_1/resources", "/v1/sessions/sesn_1/events"}
	for _, status := range []int{408, 500, 502, 503, 504, 529} {
		for _, p := range paths {
			t.Run(fmt.Sprint(status, p), func(t *testing.T) {
				t.Parallel()
				s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
					reply(w, status, errBody("api_error", "boom"), "Request-Id", "req_1")
				})
				err := post(context.Background(), s, testConfig(s), p)
				require.Equal(t, 1, s.count(), "sent once")
				var del *UncertainError
				require.ErrorAs(t, err, &del)
				require.Equal(t, "POST", del.Method)
				se := statusOf(t, err) // the answer stays reachable
				require.Equal(t, status, se.Response.StatusCode)
				require.Equal(t, "req_1", se.Response.Header.Get("Request-Id"))
			})
		}
	}
	t.Run("4xx is certain", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, 400, errBody("invalid_request_error", "bad"))
		})
		err := post(context.Background(), s, testConfig(s), "/v1/sessions")
		require.Equal(t, 400, statusOf(t, err).Response.StatusCode)
		require.False(t, uncertain(err))
	})
	t.Run("409 is a certain refusal, not retried", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, 409, errBody("conflict_error", "name taken"))
		})
		err := post(context.Background(), s, testConfig(s), "/v1/environments")
		require.Equal(t, 1, s.count(), "sent once")
		require.Equal(t, 409, statusOf(t, err).Response.StatusCode)
		require.False(t, uncertain(err))
	})
	t.Run("an update is repeatable", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, 500, errBody("api_error", "boom"))
		})
		err := post(context.Background(), s, testConfig(s), "/v1/sessions/sesn_1")
		require.Equal(t, 500, statusOf(t, err).Response.StatusCode)
		require.False(t, uncertain(err))
		require.Equal(t, 3, s.count())
	})
}

func TestNonRepeatableResetAfterRead(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { resetConn(w) })
	err := post(context.Background(), s, testConfig(s), "/v1/sessions/sesn_1/events")
	require.True(t, uncertain(err))
	require.Equal(t, 1, s.count())
	var se *StatusError
	require.False(t, errors.As(err, &se))
	// The same failure on a GET is retried.
	s2 := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { resetConn(w) })
	err = get(context.Background(), t, s2, nil)
	require.Error(t, err)
	require.False(t, uncertain(err))
	require.Equal(t, 3, s2.count())
}

func TestNonRepeatableShouldRetryTrue(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			reply(w, 500, errBody("api_error", "boom"), "X-Should-Retry", "true")
			return
		}
		reply(w, 200, `{"id":"sesn_1"}`)
	})
	require.NoError(t, post(context.Background(), s, testConfig(s), "/v1/sessions"))
	require.Equal(t, 2, s.count(), "the server's explicit word is obeyed")
}

func TestNonRepeatableRetriedWhenDialRefused(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{"id":"sesn_1"}`) })
	var dials int
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials++
		if dials == 1 {
			return refuseDial(ctx, network, addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	cfg := testConfig(s)
	cfg.HTTPClient = &http.Client{Transport: tr}
	require.NoError(t, post(context.Background(), s, cfg, "/v1/sessions"))
	require.Equal(t, 2, dials)
	require.Equal(t, 1, s.count())
}

func TestNonRepeatable429RetriedAndPaused(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			reply(w, 429, errBody("rate_limit_error", "slow"), "Retry-After-Ms", "7")
			return
		}
		reply(w, 200, `{"id":"agent_1"}`)
	})
	lim := &fakeLimiter{}
	cfg := testConfig(s)
	cfg.Limiter = lim
	require.NoError(t, post(context.Background(), s, cfg, "/v1/agents"))
	require.Equal(t, 2, s.count())
	require.Equal(t, []ratelimit.Class{ratelimit.Create, ratelimit.Create}, lim.acquired, "every attempt takes a slot")
	require.Equal(t, []time.Duration{7 * time.Millisecond}, lim.paused)
}

func TestLimiterWaitErrorReturnedAsIs(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
	werr := &ratelimit.WaitError{Class: ratelimit.Read, Wait: time.Minute}
	cfg := testConfig(s)
	cfg.Limiter = &fakeLimiter{err: werr}
	err := do(context.Background(), cfg, "GET", "/v1/agents", nil, nil)
	require.Same(t, werr, err)
	require.ErrorIs(t, err, ratelimit.ErrLimited)
	require.Equal(t, 0, s.count())
}

func TestPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	t.Run("headers late, retried", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				hang(w, r)
				return
			}
			reply(w, 200, `{"ok":true}`)
		})
		start := time.Now()
		err := get(context.Background(), t, s, func(c *config.Config) { c.RequestTimeout = 300 * time.Millisecond })
		require.NoError(t, err)
		require.Equal(t, 2, s.count())
		require.Less(t, time.Since(start), 10*time.Second, "the hung first attempt was cut by its timeout")
	})
	t.Run("body late, retried", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				w.Header().Set("Content-Length", "100")
				w.WriteHeader(200)
				_, _ = w.Write([]byte(`{"ok":`))
				w.(http.Flusher).Flush()
				hang(w, r)
				return
			}
			reply(w, 200, `{"ok":true}`)
		})
		err := get(context.Background(), t, s, func(c *config.Config) { c.RequestTimeout = 300 * time.Millisecond })
		require.NoError(t, err)
		require.Equal(t, 2, s.count())
	})
	t.Run("all attempts late", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { hang(w, r) })
		err := get(context.Background(), t, s, func(c *config.Config) { c.RequestTimeout = 300 * time.Millisecond })
		require.ErrorContains(t, err, "timed out")
		require.Equal(t, 3, s.count(), "the timeout bounds each attempt, not the call")
	})
	t.Run("create: delivery uncertain", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { hang(w, r) })
		cfg := testConfig(s)
		cfg.RequestTimeout = 300 * time.Millisecond
		err := post(context.Background(), s, cfg, "/v1/sessions")
		require.True(t, uncertain(err))
		require.Equal(t, 1, s.count())
	})
}

func TestConnectionErrorExhausted(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {})
	cfg := testConfig(s)
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: refuseDial}}
	err := do(context.Background(), cfg, "GET", "/v1/agents", nil, nil)
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "managedagents: GET /v1/agents: "), err.Error())
	require.Equal(t, 1, strings.Count(err.Error(), "managedagents:"), err.Error())
	var op *net.OpError
	require.ErrorAs(t, err, &op, "the cause is kept")
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
}

func TestCutOff2xxBody(t *testing.T) {
	t.Parallel()
	cut := func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"id":`))
			return // the connection ends before the promised length
		}
		reply(w, 200, `{"id":"x"}`)
	}
	s := newServer(t, cut)
	require.NoError(t, get(context.Background(), t, s, nil), "a GET is retried")
	require.Equal(t, 2, s.count())

	s = newServer(t, cut)
	err := post(context.Background(), s, testConfig(s), "/v1/sessions/sesn_1/events")
	require.True(t, uncertain(err), "the send was processed, its answer lost")
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Equal(t, 1, s.count())
}

// countingTransport counts CloseIdleConnections calls on the user's transport.
type countingTransport struct {
	http.RoundTripper
	closes atomic.Int32
}

func (c *countingTransport) CloseIdleConnections() { c.closes.Add(1) }

func TestUserPoolLeftAlone(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		reply(w, 500, errBody("api_error", "boom"))
	})
	ct := &countingTransport{RoundTripper: s.Client().Transport}
	cfg := testConfig(s)
	cfg.HTTPClient = &http.Client{Transport: ct}
	require.Error(t, do(context.Background(), cfg, "GET", "/v1/agents", nil, nil))
	require.Equal(t, 3, s.count())
	require.Zero(t, ct.closes.Load(), "retryablehttp's CloseIdleConnections after failures never reaches the user's pool")
}

// refuseDial refuses every connection, as a closed port does (a closed port
// of the machine could be taken meanwhile by another test's server).
func refuseDial(_ context.Context, network, _ string) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
}
