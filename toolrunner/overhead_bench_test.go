package toolrunner

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// The runner's own work per call, without a network: from the tool-use event
// handed to the loop to the result's send returned and the call settled,
// with a no-op executor and an HTTP transport that answers every post at
// once. BenchmarkBareSend is the same send alone; the difference is what the
// runner adds (see RUNNER_BENCHMARKS.md).

// echoTransport answers every request with the echo of one posted result.
type echoTransport struct{}

const echoBody = `{"data":[{"type":"user.tool_result","id":"sevt_echo","tool_use_id":"sevt_call","is_error":false,` +
	`"content":[{"type":"text","text":"ok"}],"processed_at":"2026-11-24T10:05:44.018Z"}]}`

func (echoTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(echoBody)), Request: req}, nil
}

func echoClient() *managedagents.Client {
	return managedagents.NewClient(option.WithBaseURL("http://api.invalid"), option.WithAPIKey("bench"),
		option.WithHTTPClient(&http.Client{Transport: echoTransport{}}), option.WithoutLimiter())
}

func BenchmarkCallOverhead(b *testing.B) {
	noop := ExecutorFunc(func(context.Context, string, json.RawMessage) (ToolResult, error) {
		return NewToolResultText("ok"), nil
	})
	r, err := New(echoClient(), "sesn_bench", Options{Executor: noop})
	if err != nil {
		b.Fatal(err)
	}
	l := newLoop(r)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.ctx = ctx
	input := json.RawMessage(`{"command":"true"}`)
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ev := &managedagents.AgentToolUseEvent{Name: "bash", Input: input, EvaluatedPermission: managedagents.EvaluatedPermissionAllow}
		ev.ID, ev.Type, ev.ProcessedAt = "sevt_"+strconv.Itoa(i), managedagents.EventTypeAgentToolUse, at
		l.handle(ev)
		l.complete(<-l.done)
	}
	if r.Stats().Posted != int64(b.N) {
		b.Fatalf("posted %d of %d", r.Stats().Posted, b.N)
	}
}

func BenchmarkBareSend(b *testing.B) {
	client := echoClient()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, err := client.Sessions.Events.Send(context.Background(), "sesn_bench", managedagents.SessionEventSendParams{
			Events: []managedagents.EventParam{&managedagents.UserToolResultParam{ToolUseID: "sevt_" + strconv.Itoa(i),
				Content: managedagents.ContentBlocks{managedagents.NewTextBlock("ok")}}}})
		if err != nil {
			b.Fatal(err)
		}
	}
}
