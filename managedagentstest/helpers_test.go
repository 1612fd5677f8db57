package managedagentstest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start starts a server closed at the end of the test.
func start(t *testing.T, opts ...managedagentstest.ServerOption) *managedagentstest.Server {
	t.Helper()
	srv := managedagentstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// headers are the headers of a well-formed request.
func headers() http.Header {
	return http.Header{
		"X-Api-Key":         {managedagentstest.TestAPIKey},
		"Anthropic-Version": {"2023-06-01"},
		"Anthropic-Beta":    {"managed-agents-2026-04-01"},
		"Content-Type":      {"application/json"},
	}
}

// reply is an answer of the server.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r reply) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

// call sends a request with h (headers() if nil) and body (JSON-encoded unless
// a string).
func call(t *testing.T, srv *managedagentstest.Server, method, path string, body any, h http.Header) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	require.NoError(t, err)
	if h == nil {
		h = headers()
	}
	req.Header = h
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// ok is call that requires a 200 and returns the decoded body.
func ok(t *testing.T, srv *managedagentstest.Server, method, path string, body any) map[string]any {
	t.Helper()
	r := call(t, srv, method, path, body, nil)
	require.Equal(t, 200, r.Status, "%s %s: %s", method, path, r.Body)
	return r.JSON(t)
}

// requireError checks an error answer: status, error type and the envelope.
func requireError(t *testing.T, r reply, status int, typ string) map[string]any {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	m := r.JSON(t)
	require.Equal(t, "error", m["type"])
	e := m["error"].(map[string]any)
	require.Equal(t, typ, e["type"])
	require.NotEmpty(t, e["message"])
	require.True(t, strings.HasPrefix(r.Header.Get("Request-Id"), "req_"))
	require.Equal(t, r.Header.Get("Request-Id"), m["request_id"])
	return e
}

// setup creates an agent (with body extra fields merged), an environment and a
// session, and returns their ids.
func setup(t *testing.T, srv *managedagentstest.Server, agent map[string]any) (agentID, envID, sessionID string) {
	t.Helper()
	body := map[string]any{"name": "Coder", "model": "claude-sonnet-5-5",
		"tools": []any{map[string]any{"type": "agent_toolset_20260401"}}}
	for k, v := range agent {
		body[k] = v
	}
	agentID = ok(t, srv, "POST", "/v1/agents", body)["id"].(string)
	envID = ok(t, srv, "POST", "/v1/environments", map[string]any{"name": "env-" + agentID})["id"].(string)
	sessionID = ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": agentID, "environment_id": envID})["id"].(string)
	return agentID, envID, sessionID
}

func userMessage(text string) map[string]any {
	return map[string]any{"events": []any{map[string]any{"type": "user.message",
		"content": []any{map[string]any{"type": "text", "text": text}}}}}
}

// sse is an open stream read frame by frame.
type sse struct {
	resp   *http.Response
	frames chan sseFrame
	cancel context.CancelFunc
}

// sseFrame is one SSE message; Name "" with Comment set is a comment line.
type sseFrame struct {
	Name    string
	Data    string
	Comment string
	Err     error // the read error that ended the stream (io.EOF for a clean end)
}

// JSON decodes the frame's data.
func (f sseFrame) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.Data), &m), "data: %q", f.Data)
	return m
}

// openStream opens a stream at path (with query) and reads it in the background.
func openStream(t *testing.T, srv *managedagentstest.Server, path string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
	require.NoError(t, err)
	req.Header = headers()
	req.Header.Set("Accept", "text/event-stream")
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	s := &sse{resp: resp, frames: make(chan sseFrame, 1000), cancel: cancel}
	go func() {
		defer close(s.frames)
		rd := bufio.NewReaderSize(resp.Body, 1<<20)
		var cur sseFrame
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				s.frames <- sseFrame{Err: err, Data: line}
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if cur.Name != "" || cur.Data != "" {
					s.frames <- cur
				}
				cur = sseFrame{}
			case strings.HasPrefix(line, ":"):
				s.frames <- sseFrame{Comment: strings.TrimSpace(line[1:])}
			case strings.HasPrefix(line, "event: "):
				cur.Name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				cur.Data += line[len("data: "):]
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *sse) close() {
	s.cancel()
	s.resp.Body.Close()
	for range s.frames {
	}
}

// next returns the next frame that is not a heartbeat (comment or ping).
func (s *sse) next(t *testing.T) sseFrame {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case f, open := <-s.frames:
			if !open {
				t.Fatal("stream closed")
			}
			if f.Comment != "" || f.Name == "ping" {
				continue
			}
			return f
		case <-timeout:
			t.Fatal("no frame in 5 s")
		}
	}
}

// until reads frames until one of type name and returns all read (events and
// previews, without heartbeats), that one included.
func (s *sse) until(t *testing.T, name string) []sseFrame {
	t.Helper()
	var out []sseFrame
	for {
		f := s.next(t)
		require.NoError(t, f.Err)
		out = append(out, f)
		if f.Name == name {
			return out
		}
	}
}

// untilIdle reads frames until a session.status_idle and returns them.
func (s *sse) untilIdle(t *testing.T) []sseFrame { return s.until(t, "session.status_idle") }

func names(frames []sseFrame) []string {
	var out []string
	for _, f := range frames {
		out = append(out, f.Name)
	}
	return out
}

func stopReason(t *testing.T, f sseFrame) map[string]any {
	t.Helper()
	require.Equal(t, "session.status_idle", f.Name)
	return f.JSON(t)["stop_reason"].(map[string]any)
}

// field returns the raw JSON of key in a JSON object.
func field(t *testing.T, data []byte, key string) string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &m), "%s", data)
	return string(m[key])
}

// mustJSON encodes v.
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
