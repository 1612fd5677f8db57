package conformance

import (
	"context"
	"errors"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// Error answers read by the official SDK: the envelope, the request id, the
// error type and code, for each status the fake gives.
func TestErrorEnvelopes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// A fake that requires one key refuses another with 401, and takes its own.
	h := newHarnessWithKey(t, "sk-ant-wrong", managedagentstest.WithAPIKey("sk-ant-right"))
	_, err := h.client.Beta.Agents.List(ctx, anthropic.BetaAgentListParams{})
	h.wantError(err, 401, "authentication_error")
	stream := h.client.Beta.Sessions.Events.StreamEvents(ctx, "sesn_any", anthropic.BetaSessionEventStreamParams{})
	if stream.Next() {
		t.Fatal("a stream opened with a wrong key")
	}
	h.wantError(stream.Err(), 401, "authentication_error")
	stream.Close()
	must(h.client.Beta.Agents.List(ctx, anthropic.BetaAgentListParams{}, option.WithAPIKey("sk-ant-right")))(t)

	h = newHarness(t)
	_, err = h.client.Beta.Sessions.Get(ctx, "sesn_missing", anthropic.BetaSessionGetParams{})
	h.wantError(err, 404, "not_found_error")
	_, err = h.client.Beta.Agents.New(ctx, anthropic.BetaAgentNewParams{Name: "No model"})
	h.wantError(err, 400, "invalid_request_error")
	_, err = h.client.Beta.Agents.List(ctx, anthropic.BetaAgentListParams{Limit: anthropic.Int(1000)})
	h.wantError(err, 400, "invalid_request_error")
	must(h.client.Beta.Environments.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "dup"}))(t)
	_, err = h.client.Beta.Environments.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "dup"})
	h.wantError(err, 409, "invalid_request_error")

	// Injected failures keep the envelope.
	h.srv.FailNext(managedagentstest.RouteListAgents, 1, 529, nil)
	_, err = h.client.Beta.Agents.List(ctx, anthropic.BetaAgentListParams{})
	h.wantError(err, 529, "overloaded_error")
	h.srv.FailNext(managedagentstest.RouteListAgents, 1, 429, nil)
	_, err = h.client.Beta.Agents.List(ctx, anthropic.BetaAgentListParams{})
	h.wantError(err, 429, "rate_limit_error")

	// An error frame on a stream is the same envelope.
	env := must(h.client.Beta.Environments.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "frames"}))(t)
	agent := must(h.client.Beta.Agents.New(ctx, anthropic.BetaAgentNewParams{Name: "A",
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-haiku-5-5"}}))(t)
	sess := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(agent.ID)}, EnvironmentID: env.ID}))(t)
	h.srv.InjectErrorFrame(0, "overloaded_error")
	stream = h.client.Beta.Sessions.Events.StreamEvents(ctx, sess.ID, anthropic.BetaSessionEventStreamParams{})
	defer stream.Close()
	if stream.Next() {
		t.Fatalf("an event before the error frame: %s", stream.Current().RawJSON())
	}
	var apiErr *anthropic.Error
	if !errors.As(stream.Err(), &apiErr) || apiErr.Type() != "overloaded_error" {
		t.Errorf("error frame: %v", stream.Err())
	}
}

// What the official SDK sends besides the body, extra betas and a workspace
// header, the fake takes as the API does.
func TestOfficialRequestHeaders(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	must(h.client.Beta.Agents.List(ctx, anthropic.BetaAgentListParams{
		Betas:       []anthropic.AnthropicBeta{"files-api-2025-04-14"},
		WorkspaceID: anthropic.String("wrkspc_011CFake"),
	}))(t)
	req := h.srv.Requests()[0]
	for _, k := range []string{"Anthropic-Version", "Anthropic-Beta", "Anthropic-Workspace-Id", "X-Stainless-Lang", "User-Agent"} {
		if req.Header.Get(k) == "" {
			t.Errorf("the official SDK sent no %s: %v", k, req.Header)
		}
	}
}
