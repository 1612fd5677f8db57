package benchmarks

// BenchmarkRequest measures one GET /v1/agents/{id} round trip against a local
// httptest server that answers with a recorded agent (testdata/agent.json),
// decoded into a typed agent:
//
//   - sdk: client.Agents.Get, with the retrying transport and the client-side
//     rate limiter on the path (its budget raised so that it never waits).
//   - official: client.Beta.Agents.Get of the official SDK.
//   - nethttp: the bare minimum: http.NewRequest with the three API headers,
//     http.Client.Do, a status check, io.ReadAll and json.Unmarshal into the SDK's Agent type
//     (the same target type as sdk, so the gap is the SDK's own overhead).
//
// Every variant uses its own http.Client with keep-alive, so all three reuse one
// loopback connection.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/v2/option"
)

const agentID = "agent_011CMASi45ub7Qe4ZE36UT5G"

// agentServer returns a server that answers GET /v1/agents/{id} with the
// recorded agent.
func agentServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	body, err := os.ReadFile("testdata/agent.json")
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/agents/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != agentID || r.Header.Get("anthropic-beta") == "" {
			http.Error(w, `{"type":"error","error":{"type":"not_found_error","message":"no"}}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_011CBench")
		w.Write(body)
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

func BenchmarkRequest(b *testing.B) {
	srv := agentServer(b)
	for _, r := range requesters {
		b.Run(r.name, func(b *testing.B) {
			if r.setup == nil {
				b.Skip("not available yet")
			}
			get := r.setup(srv.URL)
			ctx := context.Background()
			if err := get(ctx); err != nil { // open the connection outside the timer
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := get(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// requester builds, for a server URL, a function that makes one request.
type requester struct {
	name  string
	setup func(baseURL string) func(context.Context) error
}

var requesters = []requester{
	{"sdk", setupSDKRequest},
	{"official", setupOfficialRequest},
	{"nethttp", setupNetHTTPRequest},
}

func newHTTPClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

func setupOfficialRequest(baseURL string) func(context.Context) error {
	client := anthropic.NewClient(
		anthropicoption.WithBaseURL(baseURL),
		anthropicoption.WithAPIKey("sk-ant-bench"),
		anthropicoption.WithHTTPClient(newHTTPClient()),
	)
	return func(ctx context.Context) error {
		a, err := client.Beta.Agents.Get(ctx, agentID, anthropic.BetaAgentGetParams{})
		if err != nil {
			return err
		}
		if a.ID != agentID {
			return fmt.Errorf("official: got agent %q", a.ID)
		}
		return nil
	}
}

func setupNetHTTPRequest(baseURL string) func(context.Context) error {
	hc := newHTTPClient()
	url := baseURL + "/v1/agents/" + agentID
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("x-api-key", "sk-ant-bench")
		req.Header.Set("anthropic-version", "2023-06-01")
		req.Header.Set("anthropic-beta", "managed-agents-2026-04-01")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("nethttp: status %d", resp.StatusCode)
		}
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		var a netHTTPAgent
		if err := json.Unmarshal(data, &a); err != nil {
			return err
		}
		if a.ID != agentID {
			return fmt.Errorf("nethttp: got agent %q", a.ID)
		}
		return nil
	}
}
