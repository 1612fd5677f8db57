package managedagents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// TestMiddlewareRunsPerAttemptFirstOutermost: middlewares wrap each attempt in
// the order given (client's first), see the wire headers, and a call's
// record tells the operation, route, path parameters and attempt number.
func TestMiddlewareRunsPerAttemptFirstOutermost(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var trail []string
	mw := func(name string) option.Middleware {
		return func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			call := option.CallFromContext(req.Context())
			mu.Lock()
			trail = append(trail, name+" in "+call.Operation+" "+strconv.Itoa(call.Attempt()))
			mu.Unlock()
			req.Header.Set("X-Trace-"+name, "1")
			resp, err := next(req)
			mu.Lock()
			trail = append(trail, name+" out")
			mu.Unlock()
			return resp, err
		}
	}
	n := 0
	c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			replyJSON(503, `{"type":"error","error":{"type":"api_error","message":"later"}}`)(w, r)
			return
		}
		replyJSON(200, string(fixture(t, "agents/agent.json")))(w, r)
	}, option.WithMiddleware(mw("a")), option.WithMaxRetries(1))
	c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = time.Millisecond, time.Millisecond
	var seen *option.Call
	_, err := c.Agents.Get(context.Background(), "agent_1", AgentGetParams{}, option.WithMiddleware(mw("b"), func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		seen = option.CallFromContext(req.Context())
		require.NotEmpty(t, req.Header.Get("X-Api-Key"), "a middleware sees the wire headers")
		return next(req)
	}))
	require.NoError(t, err)
	require.Equal(t, []string{
		"a in agents.retrieve 1", "b in agents.retrieve 1", "b out", "a out",
		"a in agents.retrieve 2", "b in agents.retrieve 2", "b out", "a out",
	}, trail)
	require.Len(t, *reqs, 2)
	require.Equal(t, "1", (*reqs)[1].Header.Get("X-Trace-a"))
	require.Equal(t, "1", (*reqs)[1].Header.Get("X-Trace-b"))
	require.Equal(t, "agents.retrieve", seen.Operation)
	require.Equal(t, "GET", seen.Method)
	require.Equal(t, "/v1/agents/{agent_id}", seen.Route)
	require.Equal(t, []option.PathParam{{Name: "agent_id", Value: "agent_1"}}, seen.PathParams)
	require.False(t, seen.Stream)
	require.Equal(t, 2, seen.Attempt(), "attempts made once the call ended")
	require.Nil(t, option.CallFromContext(context.Background()))
}

// TestCallQueryIsTheParamsQuery: Call.Query holds the query the call's params
// built, not what a middleware added to the URL, and is the middleware's own
// copy.
func TestCallQueryIsTheParamsQuery(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, `{"data":[],"next_page":null}`))
	var first, second *option.Call
	_, err := c.Agents.List(context.Background(), AgentListParams{Limit: 5, IncludeArchived: true}, option.WithMiddleware(
		func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			q := req.URL.Query()
			q.Set("debug", "1")
			req.URL.RawQuery = q.Encode()
			first = option.CallFromContext(req.Context())
			first.Query.Set("limit", "99")
			return next(req)
		},
		func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			second = option.CallFromContext(req.Context())
			return next(req)
		}))
	require.NoError(t, err)
	require.Contains(t, (*reqs)[0].RawQuery, "debug=1", "the middleware's parameter was sent")
	require.Equal(t, url.Values{"limit": {"5"}, "include_archived": {"true"}}, second.Query)
}

// TestMiddlewareShortCircuit: what a middleware returns is judged as an
// answer; an error without calling next is a connection error that is
// retried for a repeatable request and never for a create.
func TestMiddlewareShortCircuit(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(500, `{}`), option.WithMaxRetries(2))
	c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = time.Millisecond, time.Millisecond
	answer := option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Request-Id": {"req_mw"}},
			Body: io.NopCloser(strings.NewReader(string(fixture(t, "agents/agent.json"))))}, nil
	})
	var resp *http.Response
	a, err := c.Agents.Get(context.Background(), "agent_1", AgentGetParams{}, answer, option.WithResponseInto(&resp))
	require.NoError(t, err)
	require.NotEmpty(t, a.ID)
	require.Equal(t, "req_mw", resp.Header.Get("Request-Id"))
	require.Empty(t, *reqs, "nothing reached the server")

	attempts := 0
	refuse := option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		attempts++
		return nil, errors.New("no route to the proxy")
	})
	_, err = c.Agents.Get(context.Background(), "agent_1", AgentGetParams{}, refuse)
	require.ErrorContains(t, err, "no route to the proxy")
	require.Equal(t, 3, attempts, "a read is retried")

	attempts = 0
	_, err = c.Agents.Create(context.Background(), AgentCreateParams{Name: "a", Model: ModelConfig{ID: "m"}}, refuse)
	require.ErrorIs(t, err, ErrDeliveryUncertain, "a middleware's error may come after it sent the request")
	require.Equal(t, 1, attempts, "a create is not resent")
}

// TestCallEndsOnce: OnEnd runs once per call, after its retries, with the
// public error and the last answer (credentials removed); a value stored by a
// middleware on the first attempt is there on the next ones.
func TestCallEndsOnce(t *testing.T) {
	t.Parallel()
	n := 0
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n++; n == 1 {
			replyJSON(503, `{"type":"error","error":{"type":"api_error","message":"later"}}`)(w, r)
			return
		}
		w.Header().Set("Request-Id", "req_404")
		replyJSON(404, `{"type":"error","error":{"type":"not_found_error","message":"gone"}}`)(w, r)
	}, option.WithMaxRetries(2))
	c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = time.Millisecond, time.Millisecond
	type key struct{}
	var ends []option.CallEnd
	var values []any
	mw := option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		call := option.CallFromContext(req.Context())
		values = append(values, call.Value(key{}))
		if call.Attempt() == 1 {
			call.SetValue(key{}, "span")
			call.OnEnd(func(e option.CallEnd) { ends = append(ends, e) })
		}
		return next(req)
	})
	_, err := c.Sessions.Get(context.Background(), "sesn_1", SessionGetParams{}, mw)
	require.ErrorIs(t, err, ErrNotFound)
	require.Len(t, ends, 1)
	require.Same(t, err, ends[0].Err, "the error the call returns")
	require.Equal(t, 404, ends[0].Response.StatusCode)
	require.Equal(t, "req_404", ends[0].Response.Header.Get("Request-Id"))
	require.Empty(t, ends[0].Response.Request.Header.Get("X-Api-Key"), "no credential in the response handed out")
	body, _ := io.ReadAll(ends[0].Response.Body)
	require.Contains(t, string(body), "not_found_error", "an error answer's body can be read again")
	require.Equal(t, []any{nil, "span"}, values, "a value set on the first attempt is there on the second; the 404 is not retried")
}

// TestStreamCallEndsWithItsConnection: a stream open goes through the
// middlewares, and its call ends when the connection's body is closed.
func TestStreamCallEndsWithItsConnection(t *testing.T) {
	// Not parallel: newFakeStreams checks the goroutines.
	f, c := newFakeStreams(t, nil, []http.HandlerFunc{sseConn(write(frame(msg("sevt_1", 1))), hang())})
	ended := make(chan option.CallEnd, 1)
	var call *option.Call
	var resp *http.Response
	s, err := c.Sessions.Events.Stream(f.ctx, "sesn_1", EventStreamParams{}, option.WithResponseInto(&resp), option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		call = option.CallFromContext(req.Context())
		call.OnEnd(func(e option.CallEnd) { ended <- e })
		return next(req)
	}))
	require.NoError(t, err)
	require.Equal(t, "sessions.events.stream", call.Operation)
	require.True(t, call.Stream)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"), "WithResponseInto holds the open's answer")
	require.True(t, s.Next())
	select {
	case <-ended:
		t.Fatal("the call ended while its connection was open")
	default:
	}
	require.NoError(t, s.Close())
	select {
	case e := <-ended:
		require.Equal(t, 200, e.Response.StatusCode)
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not end with its connection")
	}
}

func TestWithResponseIntoAndWorkspace(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Request-Id", "req_ok")
		replyJSON(200, string(fixture(t, "sessions/session.json")))(w, r)
	}, option.WithWorkspaceID("wrkspc_1"))
	var resp *http.Response
	_, err := c.Sessions.Get(context.Background(), "sesn_1", SessionGetParams{}, option.WithResponseInto(&resp))
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "req_ok", resp.Header.Get("Request-Id"))
	require.Empty(t, resp.Request.Header.Get("X-Api-Key"))
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Empty(t, b, "the body was read by the call")
	require.Equal(t, "wrkspc_1", (*reqs)[0].Header.Get("Anthropic-Workspace-Id"))

	_, err = c.Sessions.Get(context.Background(), "sesn_1", SessionGetParams{}, option.WithWorkspaceID(""))
	require.NoError(t, err)
	require.Empty(t, (*reqs)[1].Header.Values("Anthropic-Workspace-Id"), "a call can drop it")

	bad := NewClient(option.WithAPIKey(testAPIKey), option.WithResponseInto(&resp))
	_, err = bad.Sessions.Get(context.Background(), "sesn_1", SessionGetParams{})
	require.ErrorContains(t, err, "an option of one call")
}

// TestPerCallLimiterOptionsRefused: the limiter belongs to the client; a
// call's WithRateLimits, WithLimiter or WithoutLimiter is refused before
// anything is sent, while the same options shape a client.
func TestPerCallLimiterOptionsRefused(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, `{}`))
	for name, o := range map[string]option.RequestOption{
		"WithRateLimits": option.WithRateLimits(ratelimit.DefaultBudgets),
		"WithLimiter":    option.WithLimiter(ratelimit.New(ratelimit.DefaultBudgets)),
		"WithoutLimiter": option.WithoutLimiter(),
	} {
		_, err := c.Sessions.Get(context.Background(), "sesn_1", SessionGetParams{}, o)
		require.ErrorContains(t, err, "option."+name+": the rate limiter belongs to the client", name)
		require.Empty(t, *reqs)
		derived := c.WithOptions(o)
		require.NoError(t, derived.initErr, "%s shapes a client", name)
	}
}

// TestClientsShareOneConnectionPool: two clients built by NewClient without
// an HTTP client of their own reuse each other's idle connections.
func TestClientsShareOneConnectionPool(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(replyJSON(200, `{"id":"agent_1","type":"agent"}`))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	opts := []option.RequestOption{option.WithAPIKey(testAPIKey), option.WithBaseURL(srv.URL), option.WithoutLimiter()}
	a, b := NewClient(opts...), NewClient(opts...)
	for _, c := range []*Client{a, b, a, b} {
		_, err := c.Agents.Get(t.Context(), "agent_1", AgentGetParams{})
		require.NoError(t, err)
	}
	require.Equal(t, int32(1), conns.Load(), "one connection for both clients")
}

// TestFirstOpenFailsLikeAnyCall: with every connection refused, Stream and
// RunTurn fail after the retry policy's attempts, as any call does, instead
// of spending the reconnect budget.
func TestFirstOpenFailsLikeAnyCall(t *testing.T) {
	t.Parallel()
	// Every dial is refused, as on a closed port (a closed port of the
	// machine could be taken meanwhile by another test's server).
	refused := &http.Client{Transport: &http.Transport{
		DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		},
	}}

	for name, run := range map[string]func(*Client) error{
		"Stream": func(c *Client) error {
			_, err := c.Sessions.Events.Stream(context.Background(), "sesn_1", EventStreamParams{OnReconnect: func(StreamReconnect) { t.Error("a reconnect") }})
			return err
		},
		"RunTurn": func(c *Client) error {
			_, err := c.Sessions.RunTurn(context.Background(), "sesn_1", SessionRunTurnParams{Events: []EventParam{NewUserMessage("hi")}})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			attempts := 0
			var log bytes.Buffer
			c := NewClient(option.WithAPIKey(testAPIKey), option.WithBaseURL("http://127.0.0.1:9"), option.WithHTTPClient(refused), option.WithoutLimiter(),
				option.WithLogger(slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))),
				option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
					attempts++
					return next(req)
				}))
			// The default policy: 2 retries after 0.5 s and 1 s (less jitter).
			start := time.Now()
			err := run(c)
			took := time.Since(start)
			require.Error(t, err)
			require.NotErrorAs(t, err, new(*StreamError), "the first open is not a reconnect")
			var op *net.OpError
			require.ErrorAs(t, err, &op, "the connection error itself")
			require.Equal(t, 3, attempts, "the client's retry policy: 1 + 2 retries")
			// The waits the policy chose (not the machine's speed, which a
			// wall-clock bound would measure too).
			var waits []time.Duration
			for line := range strings.Lines(log.String()) {
				var rec struct {
					Msg  string        `json:"msg"`
					Wait time.Duration `json:"wait"`
				}
				require.NoError(t, json.Unmarshal([]byte(line), &rec))
				if rec.Msg == "managedagents: retrying" {
					waits = append(waits, rec.Wait)
				}
			}
			require.Len(t, waits, 2)
			for i, base := range []time.Duration{500 * time.Millisecond, time.Second} {
				require.LessOrEqual(t, waits[i], base, "the policy's backoff, not the reconnect budget's")
				require.GreaterOrEqual(t, waits[i], base*3/4, "less a quarter of jitter at most")
			}
			require.GreaterOrEqual(t, took, waits[0]+waits[1], "the waits were waited")
		})
	}
}

// TestTransportErrorsNeverReachUsers: every error of the transport that
// carries an answer is turned into the package's own type.
func TestTransportErrorsNeverReachUsers(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 404, 409, 429, 500, 503} {
		c, _ := newTestClient(t, replyJSON(status, `{}`))
		_, err := c.Sessions.Create(context.Background(), SessionCreateParams{Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1"})
		var se *transport.StatusError
		var ue *transport.UncertainError
		require.False(t, errors.As(err, &se) || errors.As(err, &ue), "%d: %T", status, err)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, status, apiErr.StatusCode)
	}
}

// TestMiddlewareHeadersPerAttempt: a header a middleware adds is sent once
// on each attempt, not once more per retry.
func TestMiddlewareHeadersPerAttempt(t *testing.T) {
	t.Parallel()
	n := 0
	c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n++; n < 3 {
			replyJSON(503, `{}`)(w, r)
			return
		}
		replyJSON(200, string(fixture(t, "sessions/session.json")))(w, r)
	}, option.WithMaxRetries(2), option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		req.Header.Add("Traceparent", "00-attempt-"+strconv.Itoa(option.CallFromContext(req.Context()).Attempt()))
		return next(req)
	}))
	c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = time.Millisecond, time.Millisecond
	_, err := c.Sessions.Get(context.Background(), "sesn_1", SessionGetParams{})
	require.NoError(t, err)
	require.Len(t, *reqs, 3)
	for i, r := range *reqs {
		require.Equal(t, []string{"00-attempt-" + strconv.Itoa(i+1)}, r.Header.Values("Traceparent"))
	}
}
