package managedagents

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoed is what a server (or a proxy, or a debugging server) that echoes the
// request's API key sends back.
const echoed = testAPIKey

// echoWorld collects every text the SDK hands out during one call: the errors
// (the returned one, the causes of reconnect notices, the errors middlewares
// see at a call's end) and the debug log.
type echoWorld struct {
	mu        sync.Mutex
	errs      []error
	notices   []StreamReconnect
	responses []string
	log       bytes.Buffer
}

// addResponse keeps the headers and the body of a response handed to the
// application (a call's end, as telemetry reads it).
func (w *echoWorld) addResponse(resp *http.Response) {
	if resp == nil {
		return
	}
	var body []byte
	if resp.Body != nil {
		body, _ = io.ReadAll(resp.Body)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.responses = append(w.responses, fmt.Sprintf("%v %s", resp.Header, body))
}

func (w *echoWorld) addErr(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.errs = append(w.errs, err)
	}
}

func (w *echoWorld) notice(r StreamReconnect) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.notices = append(w.notices, r)
}

func (w *echoWorld) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.Write(p)
}

// texts returns every rendering of what was collected: each error of every
// chain with %v, %+v and %#v (and an *APIError's raw body), each notice with
// the three verbs, and the log.
func (w *echoWorld) texts() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]string{"log": w.log.String()}
	var walk func(where string, err error)
	walk = func(where string, err error) {
		if err == nil {
			return
		}
		out[where+" %v"] = fmt.Sprintf("%v", err)
		out[where+" %+v"] = fmt.Sprintf("%+v", err)
		out[where+" %#v"] = fmt.Sprintf("%#v", err)
		if a, ok := err.(*APIError); ok {
			out[where+" body"] = string(a.Body)
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(where+" > "+fmt.Sprintf("%T", u.Unwrap()), u.Unwrap())
		case interface{ Unwrap() []error }:
			for i, e := range u.Unwrap() {
				walk(fmt.Sprintf("%s > [%d] %T", where, i, e), e)
			}
		}
	}
	for i, err := range w.errs {
		walk(fmt.Sprintf("error %d %T", i, err), err)
	}
	for i, r := range w.responses {
		out[fmt.Sprintf("response %d", i)] = r
	}
	for i, n := range w.notices {
		where := fmt.Sprintf("notice %d", i)
		out[where+" %v"] = fmt.Sprintf("%v", n)
		out[where+" %+v"] = fmt.Sprintf("%+v", n)
		out[where+" %#v"] = fmt.Sprintf("%#v", n)
		walk(where+" cause", n.Cause)
	}
	return out
}

// echoCase is one way for the key to come back: a server, and the call that
// meets it.
type echoCase struct {
	name   string
	server http.HandlerFunc
	call   func(ctx context.Context, c *Client, onReconnect func(StreamReconnect)) error
}

// Server answers that echo the key.
var (
	errorBodyEcho = `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ` + echoed + `"},"request_id":"` + echoed + `"}`
	sessionEcho   = `{"type":"session","id":"sesn_1","created_at":"` + echoed + `"}`
	eventEcho     = `{"type":"agent.message","id":"sevt_1","content":[],"processed_at":"` + echoed + `"}`
	eventIDEcho   = `{"type":"agent.message","id":"` + echoed + `","content":[],"processed_at":12}`
)

// echoHeaders sets request-id to the key, as a proxy that echoes headers into
// its answer's might.
func echoHeaders(w http.ResponseWriter, contentType string) {
	w.Header().Set("Request-Id", echoed)
	w.Header().Set("Content-Type", contentType)
}

// rawAnswer writes bytes on the hijacked connection: an answer net/http
// cannot parse.
func rawAnswer(raw string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		_, _ = buf.WriteString(raw)
		_ = buf.Flush()
	}
}

// streamServer answers the n-th stream open (from 0) with opens[n], the n-th
// list page with lists[n] (the last one again when n is past the end), and
// any other request with other.
func streamServer(opens, lists []http.HandlerFunc, other http.HandlerFunc) http.HandlerFunc {
	var nOpen, nList atomic.Int32
	pick := func(hs []http.HandlerFunc, n *atomic.Int32) http.HandlerFunc {
		i := int(n.Add(1)) - 1
		return hs[min(i, len(hs)-1)]
	}
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/events/stream"):
			pick(opens, &nOpen)(w, r)
		case strings.HasSuffix(r.URL.Path, "/events") && r.Method == http.MethodGet:
			pick(lists, &nList)(w, r)
		default:
			other(w, r)
		}
	}
}

// sseAnswer answers a stream open with frames, then ends the body, or
// (hold) keeps it open until the client leaves.
func sseAnswer(hold bool, frames ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		echoHeaders(w, "text/event-stream")
		w.WriteHeader(http.StatusOK)
		for _, f := range frames {
			_, _ = io.WriteString(w, f)
		}
		w.(http.Flusher).Flush()
		if hold {
			<-r.Context().Done()
		}
	}
}

func streamCall(ctx context.Context, c *Client, onReconnect func(StreamReconnect)) error {
	s, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{OnReconnect: onReconnect})
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = drain(s)
	return err
}

func runTurnCall(ctx context.Context, c *Client, onReconnect func(StreamReconnect)) error {
	_, err := c.Sessions.RunTurn(ctx, "sesn_1", SessionRunTurnParams{Events: []EventParam{NewUserMessage("hi")}, OnReconnect: onReconnect})
	return err
}

// echoCases are the channels by which a server can send the key back.
func echoCases() []echoCase {
	fatalOpen := replyEcho(http.StatusUnauthorized, "application/json", errorBodyEcho)
	return []echoCase{
		{"request-id of an error answer", replyEcho(http.StatusServiceUnavailable, "application/json", errorBodyEcho), getSession},
		{"HTML error page", replyEcho(http.StatusBadGateway, "text/html", "<html><title>"+echoed+"</title></html>"), getSession},
		{"request-id of a 2xx that does not decode", replyEcho(http.StatusOK, "application/json", `{"id":`), getSession},
		{"content-type of a 2xx that does not decode", func(w http.ResponseWriter, r *http.Request) {
			echoHeaders(w, "text/html; charset="+echoed)
			_, _ = io.WriteString(w, "<html>maintenance</html>")
		}, getSession},
		{"created_at of an object", replyEcho(http.StatusOK, "application/json", sessionEcho), getSession},
		{"created_at in a list", replyEcho(http.StatusOK, "application/json", `{"data":[`+sessionEcho+`],"next_page":null}`), func(ctx context.Context, c *Client, _ func(StreamReconnect)) error {
			_, err := c.Sessions.List(ctx, SessionListParams{})
			return err
		}},
		{"processed_at in an events list", replyEcho(http.StatusOK, "application/json", `{"data":[`+eventEcho+`],"next_page":null}`), listEvents},
		{"id of an event that does not decode", replyEcho(http.StatusOK, "application/json", `{"data":[`+eventIDEcho+`],"next_page":null}`), listEvents},
		{"processed_at in a send's answer", replyEcho(http.StatusOK, "application/json", `{"data":[`+eventEcho+`]}`), func(ctx context.Context, c *Client, _ func(StreamReconnect)) error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessage("hi")}})
			return err
		}},
		{"a send's 5xx, delivery uncertain", replyEcho(http.StatusInternalServerError, "application/json", errorBodyEcho), func(ctx context.Context, c *Client, _ func(StreamReconnect)) error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessage("hi")}})
			return err
		}},
		{"header line net/http cannot parse", rawAnswer("HTTP/1.1 200 OK\r\n" + echoed + "\r\n\r\n"), getSession},
		{"status line net/http cannot parse", rawAnswer("HTTP/1.1 " + echoed + "\r\n\r\n"), getSession},
		{"redirect to a URL holding the key", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("echo") == "" {
				http.Redirect(w, r, r.URL.Path+"?echo="+echoed, http.StatusFound)
				return
			}
			replyEcho(http.StatusOK, "application/json", `{"id":`)(w, r)
		}, getSession},
		{"first stream open: error answer", streamServer([]http.HandlerFunc{fatalOpen}, nil, nil), streamCall},
		{"first stream open: another content type", streamServer([]http.HandlerFunc{replyEcho(http.StatusOK, "text/html; charset="+echoed, "<html></html>")}, nil, nil), streamCall},
		{"first stream open: header line net/http cannot parse", streamServer([]http.HandlerFunc{rawAnswer("HTTP/1.1 200 OK\r\n" + echoed + "\r\n\r\n")}, nil, nil), streamCall},
		{"stream frame that does not decode, and its list copy", streamServer(
			[]http.HandlerFunc{sseAnswer(false, frame(eventEcho)), sseAnswer(true)},
			[]http.HandlerFunc{replyEcho(http.StatusOK, "application/json", `{"data":[`+eventEcho+`],"next_page":null}`)}, nil), streamCall},
		{"stream frame whose id is the key", streamServer(
			[]http.HandlerFunc{sseAnswer(false, frame(eventIDEcho)), sseAnswer(true)},
			[]http.HandlerFunc{replyEcho(http.StatusOK, "application/json", `{"data":[`+eventIDEcho+`],"next_page":null}`)}, nil), streamCall},
		{"error frames", streamServer([]http.HandlerFunc{
			sseAnswer(true, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy "+echoed+"\"},\"request_id\":\""+echoed+"\"}\n\n"),
			sseAnswer(true, "event: error\ndata: <html>"+echoed+"</html>\n\n"),
			sseAnswer(true, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\""+echoed+"\"}}\n\n"),
		}, []http.HandlerFunc{replyEcho(http.StatusOK, "application/json", `{"data":[],"next_page":null}`)}, nil), streamCall},
		{"reopen: another content type, then an error answer", streamServer([]http.HandlerFunc{
			sseAnswer(false, frame(msg("sevt_1", 1))),
			replyEcho(http.StatusOK, "text/html; charset="+echoed, "<html></html>"),
			replyEcho(http.StatusServiceUnavailable, "application/json", errorBodyEcho),
			fatalOpen,
		}, nil, nil), streamCall},
		{"backfill page that does not decode", streamServer([]http.HandlerFunc{
			sseAnswer(false, frame(msg("sevt_1", 1))), sseAnswer(true), fatalOpen,
		}, []http.HandlerFunc{replyEcho(http.StatusOK, "text/html; charset="+echoed, "<html>"+echoed+"</html>")}, nil), streamCall},
		{"RunTurn: the send's answer", streamServer([]http.HandlerFunc{sseAnswer(true)}, nil,
			replyEcho(http.StatusOK, "application/json", `{"data":[`+eventEcho+`]}`)), runTurnCall},
		{"RunTurn: a terminal session.error", streamServer([]http.HandlerFunc{sseAnswer(true,
			frame(`{"type":"user.message","id":"sevt_u","content":[],"processed_at":"2026-11-24T10:00:00Z"}`),
			frame(`{"type":"session.status_running","id":"sevt_r","processed_at":"2026-11-24T10:00:01Z"}`),
			frame(`{"type":"session.error","id":"sevt_e","processed_at":"2026-11-24T10:00:02Z","error":{"type":"unknown_error","message":"`+echoed+`","retry_status":{"type":"terminal"},"mcp_server_name":"`+echoed+`"}}`),
			frame(`{"type":"session.status_terminated","id":"sevt_t","processed_at":"2026-11-24T10:00:03Z"}`),
		)}, nil, replyEcho(http.StatusOK, "application/json", `{"data":[{"type":"user.message","id":"sevt_u","content":[],"processed_at":null}]}`)), runTurnCall},
		{"RunTurn: an idle waiting on an event whose id is the key", streamServer([]http.HandlerFunc{sseAnswer(true,
			frame(`{"type":"user.message","id":"sevt_u","content":[],"processed_at":"2026-11-24T10:00:00Z"}`),
			frame(`{"type":"session.status_running","id":"sevt_r","processed_at":"2026-11-24T10:00:01Z"}`),
			frame(`{"type":"session.status_idle","id":"sevt_i","processed_at":"2026-11-24T10:00:02Z","stop_reason":{"type":"requires_action","event_ids":["`+echoed+`"]}}`),
		)}, []http.HandlerFunc{replyEcho(http.StatusOK, "application/json", `{"data":[],"next_page":null}`)},
			replyEcho(http.StatusOK, "application/json", `{"data":[{"type":"user.message","id":"sevt_u","content":[],"processed_at":null}]}`)), runTurnCall},
	}
}

// replyEcho answers with status, content type and body, and the key as
// request-id.
func replyEcho(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		echoHeaders(w, contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func getSession(ctx context.Context, c *Client, _ func(StreamReconnect)) error {
	_, err := c.Sessions.Get(ctx, "sesn_1", SessionGetParams{})
	return err
}

func listEvents(ctx context.Context, c *Client, _ func(StreamReconnect)) error {
	_, err := c.Sessions.Events.List(ctx, "sesn_1", SessionEventListParams{})
	return err
}

// A server that echoes the key, in any header or in any value of its answer
// that fails to decode, never gets it into an error (its text, its fields,
// its causes), a debug log line, a middleware's view of the call's end (the
// error, and the response's headers and body, which telemetry reads) or a
// reconnect notice.
func TestKeyEchoedByServerNeverLeaks(t *testing.T) {
	t.Parallel()
	credentials := map[string]option.RequestOption{"api key": option.WithAPIKey(echoed), "auth token": option.WithAuthToken(echoed)}
	for credName, credential := range credentials {
		for _, tc := range echoCases() { // servers of their own: they count requests
			t.Run(credName+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				testKeyEcho(t, tc, credential)
			})
		}
	}
}

// testKeyEcho runs one case of TestKeyEchoedByServerNeverLeaks.
func testKeyEcho(t *testing.T, tc echoCase, credential option.RequestOption) {
	srv := httptest.NewServer(tc.server)
	t.Cleanup(srv.Close)
	var w echoWorld
	var seen atomic.Bool
	c := NewClient(
		credential,
		option.WithBaseURL(srv.URL),
		option.WithHTTPClient(&http.Client{Transport: echoSpy{base: srv.Client().Transport, seen: &seen}}),
		option.WithoutLimiter(),
		option.WithMaxRetries(1),
		option.WithStreamReconnects(3),
		option.WithLogger(slog.New(slog.NewJSONHandler(&w, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			option.CallFromContext(req.Context()).OnEnd(func(e option.CallEnd) {
				w.addErr(e.Err)
				w.addResponse(e.Response)
			})
			return next(req)
		}),
	)
	c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = time.Millisecond, time.Millisecond
	c.cfg.StreamBackoffMin, c.cfg.StreamBackoffMax = 0, 0
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	err := tc.call(ctx, c, w.notice)
	require.Error(t, err, "the case must fail somewhere")
	require.NoError(t, ctx.Err())
	require.True(t, seen.Load(), "the key came back from the server")
	w.addErr(err)
	require.NotEmpty(t, w.log.String(), "debug lines were logged")
	for where, text := range w.texts() {
		assert.NotContains(t, text, echoed, "%s", where)
	}
}

// echoSpy is the transport of TestKeyEchoedByServerNeverLeaks: it notes
// that the key did come back (in a header, a body or a transport error), so
// that no case passes for want of an echo.
type echoSpy struct {
	base http.RoundTripper
	seen *atomic.Bool
}

func (s echoSpy) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(r)
	if err != nil {
		if strings.Contains(err.Error(), echoed) {
			s.seen.Store(true)
		}
		return nil, err
	}
	if strings.Contains(fmt.Sprint(resp.Header), echoed) {
		s.seen.Store(true)
	}
	resp.Body = &spiedBody{ReadCloser: resp.Body, seen: s.seen}
	return resp, nil
}

// spiedBody notes the key in the bytes read through it.
type spiedBody struct {
	io.ReadCloser
	seen *atomic.Bool
	read []byte
}

func (b *spiedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read = append(b.read, p[:n]...)
	if bytes.Contains(b.read, []byte(echoed)) {
		b.seen.Store(true)
	}
	return n, err
}
