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

// decodeSDK reads the whole transcript through client.Sessions.Events.Stream
// with All, the stream's primary iterator, which runs in the caller's goroutine.
// The transcript ends with session.status_terminated, so the stream ends there.
func decodeSDK(sse []byte) (int, error) {
	stream, err := openMemStream(sse)
	if err != nil {
		return 0, err
	}
	defer stream.Close()
	n := 0
	for ev, err := range stream.All() {
		if err != nil {
			return n, err
		}
		sink = ev
		n++
	}
	return n, nil
}

// decodeSDKNext is decodeSDK with Next/Current, the pull API: the same work plus
// a coroutine switch per event (iter.Pull2).
func decodeSDKNext(sse []byte) (int, error) {
	stream, err := openMemStream(sse)
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

func openMemStream(sse []byte) (*managedagents.EventStream, error) {
	client := managedagents.NewClient(
		option.WithBaseURL("http://memory.invalid"),
		option.WithAPIKey("sk-ant-bench"),
		option.WithHTTPClient(&http.Client{Transport: memTransport{sse}}),
		noWait,
	)
	return client.Sessions.Events.Stream(context.Background(), "sesn_011CBench", streamParams)
}

// streamParams asks for agent.message previews: the transcript holds them, as
// a stream opened with event_deltas[]=agent.message does.
var streamParams = managedagents.EventStreamParams{EventDeltas: []managedagents.EventType{managedagents.EventTypeAgentMessage}}
