package benchmarks

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

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
	stream, err := client.Sessions.Events.Stream(context.Background(), "sesn_011CBench", streamParams)
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

// streamParams asks for agent.message previews: the transcript holds them, as
// a stream opened with event_deltas[]=agent.message does.
var streamParams = managedagents.EventStreamParams{EventDeltas: []string{managedagents.DeltasAgentMessage}}
