package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/stretchr/testify/require"
)

// testUpload returns an upload of body that writes a header before it reads
// its source, as the SDK's multipart writers do, and counts its calls.
func testUpload(body string, length int64, replayable bool) (*Upload, *atomic.Int32) {
	var calls atomic.Int32
	src := strings.NewReader(body[1:])
	return &Upload{
		ContentType: "text/plain", Length: length, Replayable: replayable,
		Write: func(w io.Writer) error {
			calls.Add(1)
			if replayable {
				_, _ = src.Seek(0, io.SeekStart)
			}
			if _, err := io.WriteString(w, body[:1]); err != nil {
				return err
			}
			_, err := io.Copy(w, src)
			return err
		},
	}, &calls
}

func upload(ctx context.Context, cfg *config.Config, route string, u *Upload) error {
	_, _, err := Do(ctx, cfg, testEndpoint(http.MethodPost, route).Uploads().At().WithUpload(u))
	return err
}

func TestUploadStreamsTheBody(t *testing.T) {
	t.Parallel()
	for _, length := range []int64{11, -1} {
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if length < 0 {
				require.Equal(t, []string{"chunked"}, r.TransferEncoding, "unknown length: chunked")
			} else {
				require.Equal(t, length, r.ContentLength)
			}
			reply(w, 200, `{"id":"file_1"}`)
		})
		u, calls := testUpload("hello world", length, false)
		require.NoError(t, upload(context.Background(), testConfig(s), "/v1/agents", u))
		require.Equal(t, "hello world", s.bodies[0])
		require.Equal(t, "text/plain", s.header(0).Get("Content-Type"))
		require.Equal(t, int32(1), calls.Load())
	}
}

func TestUploadSourceErrorIsABodyError(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
	boom := errors.New("disk on fire")
	var calls atomic.Int32
	u := &Upload{ContentType: "text/plain", Length: -1, Write: func(w io.Writer) error {
		calls.Add(1)
		if _, err := io.WriteString(w, "part"); err != nil {
			return err
		}
		return boom
	}}
	err := upload(context.Background(), testConfig(s), "/v1/agents", u)
	var be *BodyError
	require.ErrorAs(t, err, &be)
	require.ErrorIs(t, err, boom)
	require.False(t, uncertain(err), "a request cut short is not a doubtful delivery")
	require.Equal(t, int32(1), calls.Load(), "not retried")
	require.Contains(t, err.Error(), "POST")
}

func TestUploadNotSentAgainOnceStreamed(t *testing.T) {
	t.Parallel()
	refuseFirst := func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			reply(w, 429, errBody("rate_limit_error", "slow"), "Retry-After-Ms", "1")
			return
		}
		reply(w, 200, `{"id":"file_1"}`)
	}
	t.Run("a reader", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, refuseFirst)
		u, calls := testUpload("hello world", 11, false)
		err := upload(context.Background(), testConfig(s), "/v1/agents", u)
		require.Equal(t, 429, statusOf(t, err).Response.StatusCode, "the refusal, as it came")
		require.False(t, uncertain(err))
		require.Equal(t, 1, s.count())
		require.Equal(t, int32(1), calls.Load())
	})
	t.Run("a source that can be read again", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, refuseFirst)
		u, calls := testUpload("hello world", 11, true)
		require.NoError(t, upload(context.Background(), testConfig(s), "/v1/agents", u))
		require.Equal(t, 2, s.count())
		require.Equal(t, int32(2), calls.Load())
		require.Equal(t, []string{"hello world", "hello world"}, s.bodies)
	})
}

// An attempt whose connection never opened sent nothing: the next one sends
// the whole body, even from a source that cannot be read again.
func TestUploadRetriedWhenNothingWasSent(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{"id":"file_1"}`) })
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return refuseDial(ctx, network, addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	cfg := testConfig(s)
	cfg.HTTPClient = &http.Client{Transport: tr}
	u, calls := testUpload("hello world", -1, false)
	require.NoError(t, upload(context.Background(), cfg, "/v1/agents", u))
	require.Equal(t, int32(2), dials.Load())
	require.Equal(t, int32(2), calls.Load())
	require.Equal(t, []string{"hello world"}, s.bodies)
}

// The request timeout bounds the wait for the answer, not the sending of a
// body that takes longer.
func TestUploadTimeoutStartsAfterTheBody(t *testing.T) {
	t.Parallel()
	slow := func(w io.Writer) error {
		for range 5 {
			if _, err := io.WriteString(w, "chunk"); err != nil {
				return err
			}
			time.Sleep(60 * time.Millisecond)
		}
		return nil
	}
	t.Run("slow body, prompt answer", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
		cfg := testConfig(s)
		cfg.RequestTimeout = 150 * time.Millisecond
		require.NoError(t, upload(context.Background(), cfg, "/v1/agents", &Upload{ContentType: "text/plain", Length: -1, Write: slow}))
		require.Equal(t, strings.Repeat("chunk", 5), s.bodies[0])
	})
	t.Run("late answer", func(t *testing.T) {
		t.Parallel()
		s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		})
		cfg := testConfig(s)
		cfg.RequestTimeout = 150 * time.Millisecond
		err := upload(context.Background(), cfg, "/v1/agents", &Upload{ContentType: "text/plain", Length: -1, Write: slow})
		require.ErrorIs(t, err, errUploadTimeout)
		require.True(t, uncertain(err), "the whole body was sent: the file may exist")
		require.Equal(t, 1, s.count())
	})
}

// What an endpoint declares of its bodies is what its requests must be.
func TestBodiesAsDeclared(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
	cfg := testConfig(s)
	ctx := context.Background()
	u, _ := testUpload("x", 1, false)
	_, _, err := Do(ctx, cfg, testEndpoint(http.MethodPost, "/v1/files").Uploads().At().WithBody(map[string]string{}))
	require.ErrorContains(t, err, "takes an upload, not a JSON body")
	_, _, err = Do(ctx, cfg, testEndpoint(http.MethodPost, "/v1/agents").At().WithUpload(u))
	require.ErrorContains(t, err, "takes a JSON body, not an upload")
	_, _, err = Do(ctx, cfg, testEndpoint(http.MethodGet, "/v1/files/file_1/content").Downloads().At())
	require.ErrorContains(t, err, "send it with Fetch")
	_, err = Fetch(ctx, cfg, testEndpoint(http.MethodGet, "/v1/files/file_1").At())
	require.ErrorContains(t, err, "send it with Do")
	require.Equal(t, 0, s.count(), "nothing sent")
	require.Panics(t, func() { testEndpoint(http.MethodGet, "/v1/files").Uploads() })
	require.Panics(t, func() { testEndpoint(http.MethodPost, "/v1/files").Downloads() })
}

func TestFetchHandsTheBodyOver(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			reply(w, 503, errBody("api_error", "busy"))
		case 2:
			select { // headers later than the request timeout
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			w.Header().Set("Content-Type", "text/csv")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, "a,b\n")
			w.(http.Flusher).Flush()
			<-release // the rest of the body after the timeout: not bounded
			_, _ = io.WriteString(w, "1,2\n")
		}
	})
	cfg := testConfig(s)
	cfg.RequestTimeout = 200 * time.Millisecond
	resp, err := Fetch(context.Background(), cfg, testEndpoint(http.MethodGet, "/v1/files/file_1/content").Downloads().At())
	require.NoError(t, err)
	require.Equal(t, 3, s.count(), "5xx and late headers retried")
	require.Equal(t, "application/binary", s.header(2).Get("Accept"))
	require.Equal(t, "text/csv", resp.Header.Get("Content-Type"))
	time.Sleep(2 * cfg.RequestTimeout)
	close(release)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, "a,b\n1,2\n", string(body))
}
