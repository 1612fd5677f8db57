package otelmanagedagents

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// TestToolMiddlewareTracesEachCallOfARunner: a session tool runner with the
// middleware, on the fake, runs each built-in call in an
// "anthropic.tool_use <name>" span, child of the runner's span, with the
// call's id and session; a call whose result reports a failure is
// tool_error, the others OK; each call's duration is measured.
func TestToolMiddlewareTracesEachCallOfARunner(t *testing.T) {
	h := newHarness(t, nil)
	ctx := h.ctx
	agent, err := h.client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:  "Builder",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{managedagents.NewAgentToolset()},
	})
	require.NoError(t, err)
	env, err := h.client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name: "machines", Config: &managedagents.SelfHostedConfig{}})
	require.NoError(t, err)
	session, err := h.client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	require.NoError(t, err)
	h.srv.SetScript(agent.ID, func(turn *managedagentstest.Turn) {
		if _, err := turn.CallTool("bash", map[string]any{"command": "echo hi"}); err != nil {
			return
		}
		if _, err := turn.CallTool("bash", map[string]any{"command": "false"}); err != nil {
			return
		}
		turn.Message("done")
	})

	bash := toolrunner.ExecutorFunc(func(ctx context.Context, name string, input json.RawMessage) (toolrunner.ToolResult, error) {
		require.True(t, trace.SpanFromContext(ctx).IsRecording(), "the executor runs in the call's span")
		if strings.Contains(string(input), "false") {
			return toolrunner.NewToolResultError("exit status 1"), nil
		}
		return toolrunner.NewToolResultText("hi\n"), nil
	})
	runner, err := toolrunner.New(h.client, session.ID, toolrunner.Options{
		Executor:     bash,
		BuiltinTools: []string{"bash"},
		MaxIdle:      10 * time.Millisecond,
		Middleware:   []toolrunner.Middleware{h.tel.ToolMiddleware()},
	})
	require.NoError(t, err)
	runCtx, parent := h.tel.tracer.Start(ctx, "runner")
	done := make(chan error, 1)
	go func() { done <- runner.Run(runCtx) }()
	_, err = h.client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Run two commands")},
	})
	require.NoError(t, err)
	require.NoError(t, <-done)
	parent.End()

	spans := h.ended("anthropic.tool_use bash")
	require.Len(t, spans, 2)
	var outcomes []codes.Code
	for _, s := range spans {
		require.Equal(t, trace.SpanKindInternal, s.SpanKind())
		require.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID())
		requireAttrs(t, s, map[attribute.Key]any{
			"gen_ai.operation.name": "execute_tool",
			"gen_ai.tool.name":      "bash",
			"gen_ai.tool.type":      "function",
			"anthropic.session.id":  session.ID,
		}, "gen_ai.tool.call.arguments", "anthropic.tool_result.content")
		require.True(t, strings.HasPrefix(attrs(s)["gen_ai.tool.call.id"].AsString(), "sevt_"))
		outcomes = append(outcomes, s.Status().Code)
	}
	require.ElementsMatch(t, []codes.Code{codes.Ok, codes.Error}, outcomes)
	for _, s := range spans {
		if s.Status().Code == codes.Error {
			requireAttrs(t, s, map[attribute.Key]any{"error.type": "tool_error"})
		}
	}
	ok, found := h.histogram(metricToolDuration, keyToolName.String("bash"), keyToolKind.String(kindToolUse))
	require.True(t, found)
	require.Equal(t, uint64(1), ok.Count)
	failed, found := h.histogram(metricToolDuration, keyToolName.String("bash"), keyToolKind.String(kindToolUse), keyErrorType.String(errTool))
	require.True(t, found)
	require.Equal(t, uint64(1), failed.Count)
}
