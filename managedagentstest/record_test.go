package managedagentstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

// recTB is a testing.TB that keeps the failures a Recorder reports, so that a
// test can read them. Fatalf ends the calling goroutine, as testing.T's does.
type recTB struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	logs     []string
	cleanups []func()
}

func (f *recTB) Helper()      {}
func (f *recTB) Name() string { return "TestRecorded" }
func (f *recTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}
func (f *recTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}
func (f *recTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *recTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.errs) > 0
}
func (f *recTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// finish runs the cleanups, last first, as the testing package does.
func (f *recTB) finish() {
	f.mu.Lock()
	fns := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

func (f *recTB) errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

// recNewRecorderTB runs NewRecorder with tb in its own goroutine, since a
// failure ends that goroutine; it returns nil then.
func recNewRecorderTB(tb *recTB, name string, opts ...managedagentstest.RecorderOption) *managedagentstest.Recorder {
	var rec *managedagentstest.Recorder
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec = managedagentstest.NewRecorder(tb, name, opts...)
	}()
	<-done
	return rec
}

// recNoNetwork is a transport that fails, and counts, every request.
type recNoNetwork struct{ calls atomic.Int32 }

func (n *recNoNetwork) RoundTrip(*http.Request) (*http.Response, error) {
	n.calls.Add(1)
	return nil, errors.New("no network in a replay")
}

// recSend sends a request through rec and returns the status and body.
func recSend(t *testing.T, rec *managedagentstest.Recorder, method, url, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	req.Header.Set("X-Api-Key", "sk-ant-api03-unit-test-key-000")
	resp, err := rec.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(data)
}

// recCounterServer answers GET /v1/items with a list that grows with each POST.
func recCounterServer(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	var items []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.Method {
		case http.MethodPost:
			var in struct{ Name string }
			_ = json.NewDecoder(r.Body).Decode(&in)
			items = append(items, in.Name)
			fmt.Fprintf(w, `{"id":"item_%d","name":%q}`, len(items), in.Name)
		default:
			b, _ := json.Marshal(map[string]any{"data": items, "limit": r.URL.Query().Get("limit")})
			w.Write(b)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRecordThenReplay(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "testdata", "items")
	srv := recCounterServer(t)
	calls := func(t *testing.T, rec *managedagentstest.Recorder, base string) []string {
		var out []string
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/v1/items?limit=2", ""},
			{"POST", "/v1/items", `{"name":"a"}`},
			{"GET", "/v1/items?limit=2", ""}, // the same request: the second answer
			{"POST", "/v1/items", `{"name": "b"}`},
			{"GET", "/v1/items?limit=2", ""},
		} {
			status, body := recSend(t, rec, c.method, base+c.path, c.body)
			out = append(out, fmt.Sprint(status, " ", body))
		}
		return out
	}
	var live []string
	t.Run("record", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord))
		require.Equal(t, managedagentstest.ModeRecord, rec.Mode())
		live = calls(t, rec, srv.URL)
	})
	require.Equal(t, []string{
		`200 {"data":null,"limit":"2"}`,
		`200 {"id":"item_1","name":"a"}`,
		`200 {"data":["a"],"limit":"2"}`,
		`200 {"id":"item_2","name":"b"}`,
		`200 {"data":["a","b"],"limit":"2"}`,
	}, live)
	srv.Close()

	t.Run("replay", func(t *testing.T) {
		nn := &recNoNetwork{}
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeReplay),
			managedagentstest.WithTransport(nn))
		require.Equal(t, live, calls(t, rec, "http://127.0.0.1:1"))
		require.Empty(t, rec.Unplayed())
		require.Zero(t, nn.calls.Load())
	})

	doc, err := os.ReadFile(name + ".json")
	require.NoError(t, err)
	// A readable document: one interaction member per line, bodies as JSON,
	// the key redacted.
	require.Contains(t, string(doc), `"format": "managedagentstest/recording",`)
	require.Contains(t, string(doc), `"version": 1,`)
	require.Contains(t, string(doc), `"body": {"name": "a"}`)
	require.Contains(t, string(doc), `"X-Api-Key": ["[redacted]"]`)
	require.NotContains(t, string(doc), "unit-test-key")
}

// Without the environment variable a recorder replays; with it set to 1 it
// records; another value is refused.
func TestRecordEnv(t *testing.T) {
	name := filepath.Join(t.TempDir(), "env")
	srv := recCounterServer(t)
	t.Run("record", func(t *testing.T) {
		t.Setenv(managedagentstest.RecordEnv, "1")
		rec := managedagentstest.NewRecorder(t, name)
		require.Equal(t, managedagentstest.ModeRecord, rec.Mode())
		recSend(t, rec, "GET", srv.URL+"/v1/items", "")
	})
	t.Run("replay", func(t *testing.T) {
		t.Setenv(managedagentstest.RecordEnv, "")
		rec := managedagentstest.NewRecorder(t, name)
		require.Equal(t, managedagentstest.ModeReplay, rec.Mode())
		status, _ := recSend(t, rec, "GET", "http://127.0.0.1:1/v1/items", "")
		require.Equal(t, 200, status)
	})
	t.Run("bad value", func(t *testing.T) {
		t.Setenv(managedagentstest.RecordEnv, "sometimes")
		_, err := managedagentstest.OpenRecorder(name)
		require.ErrorContains(t, err, `MANAGEDAGENTS_RECORD="sometimes": want 1 (record) or 0 (replay)`)
	})
}

func TestReplayWithoutRecording(t *testing.T) {
	t.Parallel()
	tb := &recTB{}
	rec := recNewRecorderTB(tb, filepath.Join(t.TempDir(), "testdata", "missing"), managedagentstest.WithMode(managedagentstest.ModeReplay))
	require.Nil(t, rec)
	errs := tb.errors()
	require.Len(t, errs, 1)
	require.Contains(t, errs[0], "there is no recording")
	require.Contains(t, errs[0], "missing.json to replay")
	require.Contains(t, errs[0], "MANAGEDAGENTS_RECORD=1 go test -run '^TestRecorded$' .")
}

// recSSEServer serves an event stream written by the test: each value sent on
// frames is written and flushed; closing frames ends the body, and abort
// resets the connection.
type recSSEServer struct {
	*httptest.Server
	frames chan string
	abort  chan struct{}
}

func recNewSSEServer(t *testing.T) *recSSEServer {
	s := &recSSEServer{frames: make(chan string), abort: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true}`))
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		for {
			select {
			case f, ok := <-s.frames:
				if !ok {
					return
				}
				w.Write([]byte(f))
				w.(http.Flusher).Flush()
			case <-s.abort:
				panic(http.ErrAbortHandler)
			case <-r.Context().Done():
				return
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// recOpenStream opens the stream through rec.
func recOpenStream(t *testing.T, rec *managedagentstest.Recorder, url string) *http.Response {
	t.Helper()
	resp, err := rec.Client().Get(url)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	return resp
}

// recReadN reads exactly n bytes, failing after a second.
func recReadN(t *testing.T, r io.Reader, n int) string {
	t.Helper()
	buf := make([]byte, n)
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(r, buf)
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("the stream's bytes did not arrive")
	}
	return string(buf)
}

const (
	recFrame1 = "event: agent.message\ndata: {\"type\":\"agent.message\",\"id\":\"sevt_1\"}\n\n"
	recFrame2 = "event: session.status_idle\ndata: {\"type\":\"session.status_idle\",\"id\":\"sevt_2\"}\n\n"
)

// recordTwoFrames records, to name, a stream whose server writes recFrame1,
// then (once the client has read it, and between has run) recFrame2, then
// ends the body. Each frame must reach the client before the next is written.
func recordTwoFrames(t *testing.T, name string, between func(rec *managedagentstest.Recorder, srv *recSSEServer)) {
	t.Helper()
	srv := recNewSSEServer(t)
	rec, err := managedagentstest.OpenRecorder(name, managedagentstest.WithMode(managedagentstest.ModeRecord))
	require.NoError(t, err)
	resp := recOpenStream(t, rec, srv.URL+"/stream")
	srv.frames <- recFrame1
	require.Equal(t, recFrame1, recReadN(t, resp.Body, len(recFrame1)))
	if between != nil {
		between(rec, srv)
	}
	srv.frames <- recFrame2
	require.Equal(t, recFrame2, recReadN(t, resp.Body, len(recFrame2)))
	close(srv.frames)
	rest, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Empty(t, rest)
	resp.Body.Close()
	require.NoError(t, rec.Close())
}

// A stream is delivered while it is recorded: the server writes its second
// frame only once the client has read the first, which a recorder that
// buffered the body until its end would never deliver.
func TestRecordStreamsLive(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "live")
	recordTwoFrames(t, name, nil)
	t.Run("replay", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeReplay))
		resp := recOpenStream(t, rec, "http://127.0.0.1:1/stream")
		defer resp.Body.Close()
		require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
		all, err := io.ReadAll(resp.Body)
		require.NoError(t, err, "the recorded end is EOF")
		require.Equal(t, recFrame1+recFrame2, string(all))
	})
	sse, err := os.ReadFile(name + ".001.sse")
	require.NoError(t, err)
	require.Equal(t, recFrame1+recFrame2, string(sse), "the raw stream is stored as it came")
	doc, err := os.ReadFile(name + ".json")
	require.NoError(t, err)
	require.Contains(t, string(doc), `"file": "live.001.sse"`)
	require.Contains(t, string(doc), `"end": "eof"`)
}

// A connection reset in the middle of a frame is recorded as such, and a
// replay delivers the same bytes, then an error.
func TestRecordStreamReset(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "reset")
	srv := recNewSSEServer(t)
	half := recFrame2[:20]
	var liveErr error
	t.Run("record", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord))
		resp := recOpenStream(t, rec, srv.URL+"/stream")
		defer resp.Body.Close()
		srv.frames <- recFrame1 + half
		require.Equal(t, recFrame1+half, recReadN(t, resp.Body, len(recFrame1+half)))
		close(srv.abort)
		_, liveErr = io.ReadAll(resp.Body)
		require.Error(t, liveErr)
	})
	t.Run("replay", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeReplay))
		resp := recOpenStream(t, rec, "http://127.0.0.1:1/stream")
		defer resp.Body.Close()
		all, err := io.ReadAll(resp.Body)
		require.Equal(t, recFrame1+half, string(all))
		var re *managedagentstest.ReplayedError
		require.ErrorAs(t, err, &re)
		require.Equal(t, liveErr.Error(), re.Err)
	})
	doc, err := os.ReadFile(name + ".json")
	require.NoError(t, err)
	require.Contains(t, string(doc), `"end": "error"`)
}

// A stream the client closed while recording blocks after its last chunk in
// a replay, until the client closes it, as a live stream with nothing more to
// say would.
func TestReplayStreamClosedByClient(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "closed")
	srv := recNewSSEServer(t)
	t.Run("record", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord))
		resp := recOpenStream(t, rec, srv.URL+"/stream")
		srv.frames <- recFrame1
		recReadN(t, resp.Body, len(recFrame1))
		resp.Body.Close()
	})
	rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeReplay))
	resp := recOpenStream(t, rec, "http://127.0.0.1:1/stream")
	require.Equal(t, recFrame1, recReadN(t, resp.Body, len(recFrame1)))
	done := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(make([]byte, 10))
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the read returned %v before the body was closed", err)
	case <-time.After(20 * time.Millisecond):
	}
	resp.Body.Close()
	require.Error(t, <-done)
}

// A chunk recorded after a write (the events a sent message caused) is not
// replayed before the client made that write again.
func TestReplayHoldsChunksUntilTheirWrite(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "causal")
	recordTwoFrames(t, name, func(rec *managedagentstest.Recorder, srv *recSSEServer) {
		recSend(t, rec, "POST", srv.URL+"/send", `{"text":"go"}`)
	})
	rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeReplay))
	resp := recOpenStream(t, rec, "http://127.0.0.1:1/stream")
	defer resp.Body.Close()
	require.Equal(t, recFrame1, recReadN(t, resp.Body, len(recFrame1)))
	got := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	select {
	case s := <-got:
		t.Fatalf("the second frame came before its write: %q", s)
	case <-time.After(20 * time.Millisecond):
	}
	recSend(t, rec, "POST", "http://127.0.0.1:1/send", `{"text":"go"}`)
	require.Equal(t, recFrame2, <-got)
}

// WithRecordedTiming replays a stream's chunks with their recorded delays.
func TestReplayRecordedTiming(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "timing")
	const gap = 40 * time.Millisecond
	recordTwoFrames(t, name, func(*managedagentstest.Recorder, *recSSEServer) { time.Sleep(gap) })
	replay := func(opts ...managedagentstest.RecorderOption) time.Duration {
		rec := managedagentstest.NewRecorder(t, name, append(opts, managedagentstest.WithMode(managedagentstest.ModeReplay))...)
		start := time.Now()
		resp := recOpenStream(t, rec, "http://127.0.0.1:1/stream")
		defer resp.Body.Close()
		all, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, recFrame1+recFrame2, string(all))
		return time.Since(start)
	}
	require.GreaterOrEqual(t, replay(managedagentstest.WithRecordedTiming()), gap)
	require.Less(t, replay(), gap, "by default a replay is as fast as the client reads")
}

// A request that got no answer while recording gets the same error in a
// replay.
func TestReplayTransportError(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "refused")
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // refuses connections
	var liveErr error
	t.Run("record", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord))
		_, liveErr = rec.Client().Get(srv.URL + "/v1/agents")
		require.Error(t, liveErr)
	})
	rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeReplay))
	_, err := rec.Client().Get(srv.URL + "/v1/agents")
	var re *managedagentstest.ReplayedError
	require.ErrorAs(t, err, &re)
	require.Contains(t, liveErr.Error(), re.Err)
}

// Hooks: AfterCapture edits what is kept, BeforeSave can drop an
// interaction, BeforeReplay edits what the client receives; a failing hook
// keeps the recording from being saved.
func TestRecorderHooks(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "hooks")
	srv := recCounterServer(t)
	t.Run("record", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord),
			managedagentstest.WithHook(managedagentstest.AfterCapture, func(ix *managedagentstest.Interaction) error {
				ix.Response.Header.Del("Date")
				return nil
			}),
			managedagentstest.WithHook(managedagentstest.BeforeSave, func(ix *managedagentstest.Interaction) error {
				ix.Discard = ix.Request.Path == "/health"
				return nil
			}))
		recSend(t, rec, "POST", srv.URL+"/v1/items", `{"name":"a"}`)
		recSend(t, rec, "GET", srv.URL+"/health", "")
	})
	doc, err := os.ReadFile(name + ".json")
	require.NoError(t, err)
	require.NotContains(t, string(doc), "/health")
	require.NotContains(t, string(doc), `"Date"`)

	rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeReplay),
		managedagentstest.WithHook(managedagentstest.BeforeReplay, func(ix *managedagentstest.Interaction) error {
			ix.Response.Body = bytes.ReplaceAll(ix.Response.Body, []byte(`"a"`), []byte(`"A"`))
			return nil
		}))
	_, body := recSend(t, rec, "POST", "http://127.0.0.1:1/v1/items", `{"name":"a"}`)
	require.Equal(t, `{"id":"item_1","name":"A"}`, body)

	broken := filepath.Join(t.TempDir(), "broken")
	tb := &recTB{}
	rec = recNewRecorderTB(tb, broken, managedagentstest.WithMode(managedagentstest.ModeRecord),
		managedagentstest.WithHook(managedagentstest.AfterCapture, func(*managedagentstest.Interaction) error {
			return errors.New("cannot redact")
		}))
	recSend(t, rec, "POST", srv.URL+"/v1/items", `{"name":"b"}`)
	tb.finish()
	require.NoFileExists(t, broken+".json")
	require.Len(t, tb.errors(), 1)
	require.Contains(t, tb.errors()[0], "cannot redact")
}

// A failed test never replaces a recording.
func TestRecordNotSavedWhenTestFails(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "failed")
	srv := recCounterServer(t)
	tb := &recTB{}
	rec := recNewRecorderTB(tb, name, managedagentstest.WithMode(managedagentstest.ModeRecord))
	recSend(t, rec, "GET", srv.URL+"/v1/items", "")
	tb.Errorf("the test failed")
	tb.finish()
	require.NoFileExists(t, name+".json")
	require.Contains(t, tb.logs, "managedagentstest: the test failed, so "+name+".json was not saved")
}

// Recording again replaces the recording and drops stream files it no longer
// uses.
func TestRecordAgainRemovesStaleStreams(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "again")
	srv := recNewSSEServer(t)
	plain := recCounterServer(t)
	t.Run("with a stream", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord))
		recSend(t, rec, "GET", plain.URL+"/v1/items", "")
		resp := recOpenStream(t, rec, srv.URL+"/stream")
		resp.Body.Close()
	})
	require.FileExists(t, name+".002.sse")
	unrelated := filepath.Join(filepath.Dir(name), "again.notes.sse")
	require.NoError(t, os.WriteFile(unrelated, nil, 0o644))
	t.Run("without", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord))
		recSend(t, rec, "GET", plain.URL+"/v1/items", "")
	})
	require.NoFileExists(t, name+".002.sse")
	require.FileExists(t, unrelated)
}

// After Close, requests fail and waiting replays end.
func TestRecorderClose(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "close")
	srv := recNewSSEServer(t)
	rec, err := managedagentstest.OpenRecorder(name, managedagentstest.WithMode(managedagentstest.ModeRecord))
	require.NoError(t, err)
	resp := recOpenStream(t, rec, srv.URL+"/stream")
	srv.frames <- recFrame1
	recReadN(t, resp.Body, len(recFrame1))
	require.NoError(t, rec.Close(), "a stream still open is saved as closed")
	require.NoError(t, rec.Close())
	resp.Body.Close()
	_, err = rec.Client().Get(srv.URL + "/stream")
	require.ErrorContains(t, err, "after the recorder")

	rec, err = managedagentstest.OpenRecorder(name, managedagentstest.WithMode(managedagentstest.ModeReplay))
	require.NoError(t, err)
	resp = recOpenStream(t, rec, "http://127.0.0.1:1/stream")
	recReadN(t, resp.Body, len(recFrame1))
	done := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(make([]byte, 1))
		done <- err
	}()
	require.NoError(t, rec.Close())
	require.ErrorContains(t, <-done, "recorder was closed")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1:1/stream", nil)
	_, err = rec.Client().Do(req)
	require.Error(t, err)
}
