package managedagents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

// secretKey is the credential these tests try to leak.
const secretKey = "sk-ant-api03-harden-Zq8xW2vR7nT4kP9mL6jH3gF5dS1aB0cE-AA"

// dumpAll formats every value with every verb, and as JSON, which must
// encode each of them.
func dumpAll(t *testing.T, vs ...any) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(dumpFormats(vs...))
	for _, v := range vs {
		j, err := json.Marshal(v)
		require.NoError(t, err, "%T", v)
		b.Write(j)
	}
	return b.String()
}

// dumpFormats formats every value with every verb: for values JSON cannot
// encode, such as an EventStream (it holds funcs).
func dumpFormats(vs ...any) string {
	var b strings.Builder
	for _, v := range vs {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&b, verb+"\n", v)
		}
	}
	return b.String()
}

// TestFakeRequestLogHoldsNoCredentials: the fake's request log, which tests
// print freely, holds neither the API key nor the auth token.
func TestFakeRequestLogHoldsNoCredentials(t *testing.T) {
	t.Parallel()
	srv := managedagentstest.NewServer(managedagentstest.WithAPIKey(secretKey))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	for _, cred := range []option.RequestOption{option.WithAPIKey(secretKey), option.WithAuthToken(secretKey), option.WithAPIKey("sk-ant-wrong")} {
		c := srv.Client(cred, option.WithMaxRetries(0))
		_, _ = c.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "a", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}})
		_, _ = c.Agents.List(ctx, managedagents.AgentListParams{})
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 6)
	require.Equal(t, 401, reqs[5].Status, "the wrong key is refused")
	require.NotContains(t, dumpAll(t, reqs), secretKey)
	for _, r := range reqs {
		require.Empty(t, r.Header.Values("X-Api-Key"))
		require.Empty(t, r.Header.Values("Authorization"))
	}
}

// TestInvalidCredentialNeverEchoed: a key that cannot be sent (a newline, a
// NUL) fails every call with an error that does not repeat it, logged at debug
// level without it either; it is not retried, and nothing is sent.
func TestInvalidCredentialNeverEchoed(t *testing.T) {
	t.Parallel()
	srv := managedagentstest.NewServer()
	t.Cleanup(srv.Close)
	for _, bad := range []string{secretKey + "\n", "\x00" + secretKey, secretKey + "\r\nX-Evil: 1"} {
		for _, cred := range []option.RequestOption{option.WithAPIKey(bad), option.WithAuthToken(bad)} {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := srv.Client(cred, option.WithLogger(logger))
			_, err := c.Agents.Get(context.Background(), "agent_1", managedagents.AgentGetParams{})
			require.Error(t, err)
			require.NotContains(t, dumpAll(t, err, c), secretKey)
			require.NotContains(t, logs.String(), secretKey)
			require.Equal(t, 1, strings.Count(logs.String(), `msg="managedagents: attempt"`), "not retried: it can never be sent\n%s", logs.String())
		}
	}
	require.Empty(t, srv.Requests())
}

// TestBaseURLNeverEchoed: a key passed to WithBaseURL by mistake, or a base
// URL that carries one in its query, is refused without repeating it.
func TestBaseURLNeverEchoed(t *testing.T) {
	t.Parallel()
	for _, base := range []string{secretKey, "https://api.example.com/?x-api-key=" + secretKey, "https://u:" + secretKey + "@api.example.com"} {
		c := managedagents.NewClient(option.WithAPIKey("k"), option.WithBaseURL(base))
		_, err := c.Agents.Get(context.Background(), "agent_1", managedagents.AgentGetParams{})
		require.Error(t, err)
		require.NotContains(t, dumpAll(t, err, c), secretKey)
	}
}

// TestStreamNeverLeaksKey: a stream server that echoes the key in error frames
// (temporary and fatal), in a frame that does not decode, in its event ids and
// in an error answer to a reconnect: the key is in no error, no debug log line
// and no formatting of the stream or its reconnect notices.
func TestStreamNeverLeaksKey(t *testing.T) {
	t.Parallel()
	var opens atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("X-Api-Key") + r.Header.Get("Authorization")
		if !strings.HasSuffix(r.URL.Path, "/stream") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"data":[],"next_page":""}`)
			return
		}
		w.Header().Set("Date", "Sat, 28 Nov 2026 12:00:00 GMT")
		switch opens.Add(1) {
		case 1: // a temporary error frame
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy, "+key+"\"}}\n\n")
		case 2: // an answer to a reconnect that echoes the headers
			w.Header().Set("Retry-After-Ms", "1")
			http.Error(w, "upstream said: "+key, http.StatusServiceUnavailable)
		case 3: // a frame that does not decode, then a cut
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: {\"type\":\"agent.message\",\"id\":\"sevt_"+key+"\",\"content\":"+key+"}\n\n")
		default: // a fatal error frame
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad key "+key+"\"},\"request_id\":\""+key+"\"}\n\n")
		}
	}))
	t.Cleanup(srv.Close)
	for _, cred := range []option.RequestOption{option.WithAPIKey(secretKey), option.WithAuthToken(secretKey)} {
		opens.Store(0)
		var logs bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		var notices []managedagents.StreamReconnect
		client := managedagents.NewClient(cred, option.WithBaseURL(srv.URL), option.WithHTTPClient(srv.Client()),
			option.WithoutLimiter(), option.WithLogger(logger), option.WithStreamBackoff(time.Millisecond, time.Millisecond))
		st, err := client.Sessions.Events.Stream(context.Background(), "sesn_1", managedagents.EventStreamParams{
			OnReconnect: func(r managedagents.StreamReconnect) { notices = append(notices, r) },
		})
		require.NoError(t, err)
		var errs []error
		for _, err := range st.All() {
			if err != nil {
				errs = append(errs, err)
			}
		}
		require.Len(t, errs, 1)
		require.ErrorIs(t, errs[0], managedagents.ErrBadRequest, "the fatal frame ends the stream")
		require.Len(t, notices, 3)
		var causes []error
		for _, n := range notices {
			causes = append(causes, n.Cause)
		}
		dump := dumpAll(t, errs[0], causes, notices, client) + dumpFormats(st)
		require.NotContains(t, dump, secretKey)
		require.NotContains(t, logs.String(), secretKey)
		require.Contains(t, logs.String(), "reconnecting", "the reconnects were logged")
	}
}

// TestStreamRedirectToOtherHostDropsCredentials: a stream open redirected to
// another host arrives there without the API key or the auth token (the SDK's
// own HTTP client and a user's).
func TestStreamRedirectToOtherHostDropsCredentials(t *testing.T) {
	t.Parallel()
	var leaked atomic.Value
	leaked.Store("")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cred := r.Header.Get("X-Api-Key") + r.Header.Get("Authorization"); cred != "" {
			leaked.Store(cred)
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: {\"type\":\"session.deleted\",\"id\":\"sevt_1\"}\n\n")
	}))
	t.Cleanup(other.Close)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(origin.Close)
	for _, cred := range []option.RequestOption{option.WithAPIKey(secretKey), option.WithAuthToken(secretKey)} {
		for _, hc := range []option.RequestOption{nil, option.WithHTTPClient(&http.Client{})} {
			client := managedagents.NewClient(cred, hc, option.WithBaseURL(origin.URL), option.WithoutLimiter())
			st, err := client.Sessions.Events.Stream(context.Background(), "sesn_1", managedagents.EventStreamParams{})
			require.NoError(t, err)
			var got []string
			for ev, err := range st.All() {
				require.NoError(t, err)
				got = append(got, string(ev.EventType()))
			}
			require.Equal(t, []string{"session.deleted"}, got, "the stream followed the redirect")
			require.Equal(t, "", leaked.Load())
		}
	}
}
