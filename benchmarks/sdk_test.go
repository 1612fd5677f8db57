//go:build benchsdk

package benchmarks

// The sdk variants: this library, through its public API only.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// netHTTPAgent is the typed agent the nethttp variant decodes into: the SDK's.
type netHTTPAgent = managedagents.Agent

// noWait is a limiter budget so large it never waits: the sdk variants keep the
// limiter on their path without being throttled by it.
var noWait = option.WithRateLimits(ratelimit.Budgets{
	Create: ratelimit.Budget{Limit: 1 << 30, Window: 1e9, Burst: 1 << 29},
	Read:   ratelimit.Budget{Limit: 1 << 30, Window: 1e9, Burst: 1 << 29},
})

func setupSDKRequest(baseURL string) func(context.Context) error {
	client := managedagents.NewClient(
		option.WithBaseURL(baseURL),
		option.WithAPIKey("sk-ant-bench"),
		option.WithHTTPClient(newHTTPClient()),
		noWait,
	)
	return func(ctx context.Context) error {
		a, err := client.Agents.Get(ctx, agentID)
		if err != nil {
			return err
		}
		if a.ID != agentID {
			return fmt.Errorf("sdk: got agent %q", a.ID)
		}
		return nil
	}
}

// memTransport answers every request with body as a text/event-stream: the
// stream's HTTP exchange without a network, so that decodeSDK measures the
// library's real stream path (open, SSE parse, DecodeEvent, dedupe, yield) on
// the same in-memory bytes as the other decoders.
type memTransport struct{ body []byte }

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"text/event-stream"}},
		Body:       io.NopCloser(bytes.NewReader(m.body)),
		Request:    req,
	}, nil
}

// decodeSDK reads the whole transcript through client.Sessions.Events.Stream.
// The transcript ends with session.status_terminated, so the stream ends there.
func decodeSDK(sse []byte) (int, error) {
	client := managedagents.NewClient(
		option.WithBaseURL("http://memory.invalid"),
		option.WithAPIKey("sk-ant-bench"),
		option.WithHTTPClient(&http.Client{Transport: memTransport{sse}}),
		noWait,
	)
	stream, err := client.Sessions.Events.Stream(context.Background(), "sesn_011CBench", managedagents.EventStreamParams{})
	if err != nil {
		return 0, err
	}
	defer stream.Close()
	n := 0
	for stream.Next() {
		sink = stream.Current()
		n++
	}
	return n, stream.Err()
}
