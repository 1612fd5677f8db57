package worker_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/worker"
)

// A session's agent writes a file and runs it through the worker: the
// worker polls, acks, heartbeats at once, reads the session, runs the tools
// in the item's working directory, posts each result, and stops the item
// (force) once the session idled; the working directory is removed. A health
// check is stopped at once, without a heartbeat.
func TestWorkerServesASession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	answers := make(chan managedagentstest.Answer, 2)
	sid := f.session(t, func(turn *managedagentstest.Turn) {
		for _, call := range []struct {
			name  string
			input map[string]any
		}{
			{"write", map[string]any{"file_path": "hello.sh", "content": "echo hello from $(basename $PWD)\n"}},
			{"bash", map[string]any{"command": "bash hello.sh"}},
		} {
			a, err := turn.CallTool(call.name, call.input)
			if err != nil {
				return
			}
			answers <- a
		}
		turn.Message("done")
	}, nil, nil)
	hc, err := f.srv.EnqueueHealthcheck(f.envID)
	require.NoError(t, err)
	f.start(t, sid)
	root := t.TempDir()
	w := f.run(t, worker.Options{Workdir: root})

	require.Equal(t, "wrote 33 bytes to hello.sh", recv(t, answers).Text())
	work := f.workOf(t, sid)
	require.Equal(t, "hello from "+work+"\n\n", recv(t, answers).Text(), "run in Workdir/<work_id>")
	eventually(t, func() bool { return len(f.workRequests(managedagentstest.RouteStopWork, work)) == 1 })
	eventually(t, func() bool { return len(f.workRequests(managedagentstest.RouteStopWork, hc)) == 1 })
	stop(t, w)

	st := f.workRequests(managedagentstest.RouteStopWork, work)[0]
	require.Equal(t, http.StatusNoContent, st.Status)
	require.JSONEq(t, `{"force":true}`, string(st.Body))
	require.Equal(t, managedagentstest.CredentialWorkToken, st.Credential)
	require.Empty(t, f.workRequests(managedagentstest.RouteHeartbeatWork, hc), "a health check is stopped, not held")
	beats := f.workRequests(managedagentstest.RouteHeartbeatWork, work)
	require.NotEmpty(t, beats)
	require.Equal(t, "NO_HEARTBEAT", beats[0].Query.Get("expected_last_heartbeat"))
	require.Equal(t, managedagentstest.CredentialWorkToken, beats[0].Credential)
	for _, r := range f.srv.Requests() {
		if r.Route == managedagentstest.RoutePollWork || r.Route == managedagentstest.RouteAckWork {
			require.Equal(t, managedagentstest.CredentialEnvironmentKey, r.Credential, r.Route)
		}
		if strings.HasPrefix(r.Path, "/v1/sessions/"+sid) && r.Method == http.MethodGet {
			require.Equal(t, managedagentstest.CredentialWorkToken, r.Credential, r.Path)
		}
	}
	_, err = os.Stat(filepath.Join(root, work))
	require.ErrorIs(t, err, os.ErrNotExist, "the item's working directory is removed")

	s := w.Stats()
	require.Equal(t, int64(2), s.ItemsClaimed)
	require.Equal(t, int64(2), s.ItemsServed)
	require.Equal(t, int64(1), s.Healthchecks)
	require.Equal(t, int64(2), s.ToolCalls)
	require.Equal(t, int64(2), s.ToolResultsPosted)
	require.Equal(t, int64(2), s.Stops)
	require.Zero(t, s.ItemsActive)
	require.Zero(t, s.LeasesLost)
	require.Positive(t, s.Polls)
	require.Positive(t, s.Heartbeats)
}

// An item of a kind the worker does not know is stopped at once and
// skipped, without a heartbeat.
func TestUnknownItemKindIsStoppedAndSkipped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// A server of the test's own in front of the fake turns its health
	// checks into work of a kind no worker knows yet.
	target, err := url.Parse(f.srv.URL)
	require.NoError(t, err)
	proxy := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport: f.srv.HTTPClient().Transport,
		ModifyResponse: func(resp *http.Response) error {
			if !strings.HasSuffix(resp.Request.URL.Path, "/work/poll") {
				return nil
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			body = bytes.ReplaceAll(body, []byte(`"type":"healthcheck"`), []byte(`"type":"batch_job"`))
			resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			resp.Header.Del("Content-Length")
			return nil
		},
	})
	t.Cleanup(proxy.Close)
	f.client = f.client.WithOptions(option.WithBaseURL(proxy.URL))
	id, err := f.srv.EnqueueHealthcheck(f.envID)
	require.NoError(t, err)
	w := f.run(t, worker.Options{})
	eventually(t, func() bool { return w.Stats().UnknownItems == 1 && w.Stats().Stops == 1 })
	stop(t, w)
	require.Len(t, f.workRequests(managedagentstest.RouteStopWork, id), 1)
	require.Empty(t, f.workRequests(managedagentstest.RouteHeartbeatWork, id))
	require.Zero(t, w.Stats().Healthchecks)
}

// An ack whose answer is lost is taken as made, and the first heartbeat
// tells: when the server took the ack, the lease is held and the item
// served; when it did not, the heartbeat's 412 gives the item up (no stop),
// and the queue hands it out again once its claim goes stale.
func TestAckAnswerLost(t *testing.T) {
	t.Parallel()
	for name, delivered := range map[string]bool{"delivered": true, "not delivered": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			answers := make(chan managedagentstest.Answer, 1)
			sid := f.session(t, oneCall("bash", map[string]any{"command": "echo served"}, answers), nil, nil)
			f.start(t, sid)
			var acks atomic.Int64
			f.client = f.client.WithOptions(option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
				if !strings.HasSuffix(req.URL.Path, "/ack") || acks.Add(1) > 1 {
					return next(req)
				}
				if delivered {
					resp, err := next(req)
					if err == nil {
						_ = resp.Body.Close()
					}
				}
				return nil, errors.New("connection reset by peer")
			}))
			polls := pollAs("test-worker")
			polls.ReclaimOlderThanMs = 50
			w := f.run(t, worker.Options{Poll: polls})
			require.Equal(t, "served\n\n", recv(t, answers).Text())
			f.waitIdle(t, sid)
			eventually(t, func() bool { return w.Stats().Stops == 1 })
			stop(t, w)
			s := w.Stats()
			require.Zero(t, s.AckErrors)
			if delivered {
				require.Equal(t, int64(1), s.ItemsClaimed, "served on the lost ack")
				require.Zero(t, s.LeasesLost)
			} else {
				require.Equal(t, int64(1), s.LeasesLost, "the first heartbeat found the item queued")
				require.Equal(t, int64(2), s.ItemsClaimed, "served once polled again")
				require.Len(t, f.requests(managedagentstest.RouteStopWork), 1, "the item is stopped once, after it was served")
			}
		})
	}
}
