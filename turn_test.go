package managedagents_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

// newFakeSession starts a fake with script (nil: the default agent) and returns a
// client and a session whose agent has tools.
func newFakeSession(t *testing.T, script managedagentstest.Script, tools ...managedagents.Tool) (*managedagentstest.Server, *managedagents.Client, string) {
	t.Helper()
	var opts []managedagentstest.ServerOption
	if script != nil {
		opts = append(opts, managedagentstest.WithScript(script))
	}
	srv := managedagentstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	client := srv.Client()
	ctx := context.Background()
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name: "turn-test", Model: managedagents.Model("claude-sonnet-5-5"), Tools: tools,
	})
	require.NoError(t, err)
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "turn-test-" + t.Name()})
	require.NoError(t, err)
	sess, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.AgentID(agent.ID), EnvironmentID: env.ID})
	require.NoError(t, err)
	return srv, client, sess.ID
}

// sentOfType returns the persisted events of type typ, decoded.
func sentOfType(t *testing.T, srv *managedagentstest.Server, sessionID, typ string) []managedagents.Event {
	t.Helper()
	var out []managedagents.Event
	for _, raw := range srv.Events(sessionID) {
		ev, err := managedagents.DecodeEvent(raw)
		require.NoError(t, err)
		if ev.EventType() == typ {
			out = append(out, ev)
		}
	}
	return out
}

func msg(text string) []managedagents.EventParam {
	return []managedagents.EventParam{managedagents.UserMessage(text)}
}

func TestRunTurnDefaultAgent(t *testing.T) {
	t.Parallel()
	_, client, sid := newFakeSession(t, nil, managedagents.NewAgentToolset())
	var seen []string
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{
		Events:  msg("Generate the first 20 Fibonacci numbers to fibonacci.txt"),
		OnEvent: func(ev managedagents.Event) { seen = append(seen, ev.EventType()) },
	})
	require.NoError(t, err)
	require.Equal(t, managedagents.StopReasonEndTurn, res.StopReason.Type)
	require.NotEmpty(t, res.Messages)
	require.NotEmpty(t, res.ToolUses)
	require.Equal(t, "write", res.ToolUses[0].(*managedagents.AgentToolUseEvent).Name)
	require.NotNil(t, res.Usage)
	require.Len(t, res.Sent, 1)
	require.Equal(t, managedagents.TypeUserMessage, res.Sent[0].EventType())
	require.Contains(t, seen, managedagents.TypeUserMessage, "the turn's own echo is seen")
	require.Equal(t, managedagents.TypeSessionStatusIdle, seen[len(seen)-1])
	require.Contains(t, res.Text(), "2584")
}

func TestRunTurnCustomTools(t *testing.T) {
	t.Parallel()
	weather := managedagents.NewCustomTool("get_weather", "Weather of a city", managedagents.InputSchema{Type: "object"})
	script := func(tr *managedagentstest.Turn) {
		a, err := tr.CallCustomTool("get_weather", map[string]any{"city": "Paris"})
		if err != nil {
			return
		}
		b, err := tr.CallCustomTool("get_time", map[string]any{})
		if err != nil {
			return
		}
		tr.Message("weather=" + a.Text() + " error=" + boolText(a.IsError) + "; time=" + b.Text() + " error=" + boolText(b.IsError))
		tr.Idle("end_turn")
	}
	_, client, sid := newFakeSession(t, script, weather)

	var gotInput map[string]string
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{
		Events: msg("weather?"),
		Tools: map[string]managedagents.ToolHandler{
			"get_weather": func(ctx context.Context, call *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				require.NoError(t, json.Unmarshal(call.Input, &gotInput))
				return []managedagents.ContentBlock{managedagents.NewTextBlock("sunny")}, nil
			},
		},
	})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"city": "Paris"}, gotInput)
	require.Equal(t, managedagents.StopReasonEndTurn, res.StopReason.Type)
	require.Len(t, res.ToolUses, 2)
	require.Contains(t, res.Text(), "weather=sunny error=false")
	require.Contains(t, res.Text(), `time=no handler is registered for the custom tool "get_time" error=true`)
}

func TestRunTurnHandlerErrorIsSentAsErrorResult(t *testing.T) {
	t.Parallel()
	script := func(tr *managedagentstest.Turn) {
		a, err := tr.CallCustomTool("lookup", map[string]any{})
		if err != nil {
			return
		}
		tr.Message(a.Text() + "|" + boolText(a.IsError))
		tr.Idle("end_turn")
	}
	_, client, sid := newFakeSession(t, script, managedagents.NewCustomTool("lookup", "Lookup", managedagents.InputSchema{Type: "object"}))
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{
		Events: msg("go"),
		Tools: map[string]managedagents.ToolHandler{
			"lookup": func(context.Context, *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				return nil, errors.New("database down")
			},
		},
	})
	require.NoError(t, err)
	require.Equal(t, "database down|true", res.Text())
}

func TestRunTurnConfirmations(t *testing.T) {
	t.Parallel()
	toolset := managedagents.NewAgentToolset(managedagents.EnableTool(managedagents.ToolBash, managedagents.AlwaysAsk()))
	script := func(tr *managedagentstest.Turn) {
		ranLs, err := tr.RunTool("bash", map[string]any{"command": "ls"}, "a.txt")
		if err != nil {
			return
		}
		ranRm, err := tr.RunTool("bash", map[string]any{"command": "rm -rf /"}, "")
		if err != nil {
			return
		}
		tr.Message("ls=" + boolText(ranLs) + " rm=" + boolText(ranRm))
		tr.Idle("end_turn")
	}
	confirm := func(_ context.Context, call managedagents.ToolCall) (bool, string) {
		if strings.Contains(string(call.Input), "rm ") {
			return false, "not allowed to delete"
		}
		return true, ""
	}

	t.Run("policy", func(t *testing.T) {
		t.Parallel()
		srv, client, sid := newFakeSession(t, script, toolset)
		res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{Events: msg("go"), Confirm: confirm})
		require.NoError(t, err)
		require.Equal(t, "ls=true rm=false", res.Text())
		confirmations := sentOfType(t, srv, sid, managedagents.TypeUserToolConfirmation)
		require.Len(t, confirmations, 2, "each call answered once")
		deny := confirmations[1].(*managedagents.UserToolConfirmationEvent)
		require.Equal(t, "deny", string(deny.Result))
		require.Equal(t, "not allowed to delete", deny.DenyMessage)
	})
	t.Run("no policy denies", func(t *testing.T) {
		t.Parallel()
		_, client, sid := newFakeSession(t, script, toolset)
		res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{Events: msg("go")})
		require.NoError(t, err)
		require.Equal(t, "ls=false rm=false", res.Text())
	})
	t.Run("allow all", func(t *testing.T) {
		t.Parallel()
		_, client, sid := newFakeSession(t, script, toolset)
		res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{Events: msg("go"), Confirm: managedagents.AllowAll})
		require.NoError(t, err)
		require.Equal(t, "ls=true rm=true", res.Text())
	})
}

func TestRunTurnSessionErrorIsNotTheEnd(t *testing.T) {
	t.Parallel()
	script := func(tr *managedagentstest.Turn) {
		tr.Error("model_overloaded_error", "busy", "retrying")
		tr.Message("recovered")
		tr.Idle("end_turn")
	}
	_, client, sid := newFakeSession(t, script)
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{Events: msg("go")})
	require.NoError(t, err)
	require.Equal(t, "recovered", res.Text())
	require.Len(t, res.Errors, 1)
	require.True(t, res.Errors[0].Error.Retrying())
}

func TestRunTurnOtherStopReasons(t *testing.T) {
	t.Parallel()
	script := func(tr *managedagentstest.Turn) {
		tr.Error("billing_error", "no credits", "exhausted")
		tr.Idle("retries_exhausted")
	}
	_, client, sid := newFakeSession(t, script)
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{Events: msg("go")})
	require.NoError(t, err)
	require.Equal(t, managedagents.StopReasonRetriesExhausted, res.StopReason.Type)
}

func TestRunTurnSessionTerminated(t *testing.T) {
	t.Parallel()
	script := func(tr *managedagentstest.Turn) {
		tr.Message("about to fail")
		tr.Error("unknown_error", "fatal", "terminal")
		tr.Terminate()
	}
	_, client, sid := newFakeSession(t, script)
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{Events: msg("go")})
	require.ErrorIs(t, err, managedagents.ErrSessionEnded)
	require.ErrorContains(t, err, "fatal")
	require.Equal(t, "about to fail", res.Text())
}

func TestRunTurnInterruptsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	script := func(tr *managedagentstest.Turn) {
		tr.Message("working")
		close(started)
		_ = tr.Wait(time.Minute) // until interrupted
	}
	srv, client, sid := newFakeSession(t, script)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	res, err := client.Sessions.RunTurn(ctx, sid, managedagents.TurnParams{Events: msg("go")})
	require.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res)
	require.Len(t, sentOfType(t, srv, sid, managedagents.TypeUserInterrupt), 1, "the session was interrupted")
	require.Eventually(t, func() bool {
		return srv.SessionStatus(sid) == "idle"
	}, 5*time.Second, 10*time.Millisecond, "the interrupted session goes idle instead of running on")
}

func TestRunTurnValidation(t *testing.T) {
	t.Parallel()
	srv := managedagentstest.NewServer()
	t.Cleanup(srv.Close)
	client := srv.Client()
	_, err := client.Sessions.RunTurn(context.Background(), "sesn_1", managedagents.TurnParams{})
	require.ErrorIs(t, err, managedagents.ErrInvalidParams)
	_, err = client.Sessions.RunTurn(context.Background(), "../x", managedagents.TurnParams{Events: msg("hi")})
	require.ErrorIs(t, err, managedagents.ErrInvalidParams)
	require.Empty(t, srv.Requests(), "nothing is sent")
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestRunTurnSteer sends an interrupt and a new message in one request while a turn
// runs: the interrupted turn's idle comes after the new message's echo and must not
// end the new turn.
func TestRunTurnSteer(t *testing.T) {
	t.Parallel()
	script := func(tr *managedagentstest.Turn) {
		if strings.Contains(tr.Text(), "redirect") {
			tr.Message("redirected")
			tr.Idle("end_turn")
			return
		}
		for i := 0; ; i++ {
			tr.Message("chapter")
			if tr.Wait(20*time.Millisecond) != nil {
				return // interrupted: the fake ends the turn with idle end_turn
			}
		}
	}
	srv, client, sid := newFakeSession(t, script)
	ctx := context.Background()
	_, err := client.Sessions.Events.Send(ctx, sid, managedagents.UserMessage("write a book"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return srv.SessionStatus(sid) == "running" }, 5*time.Second, 5*time.Millisecond)

	res, err := client.Sessions.RunTurn(ctx, sid, managedagents.TurnParams{Events: []managedagents.EventParam{
		managedagents.Interrupt(), managedagents.UserMessage("redirect: write a poem"),
	}})
	require.NoError(t, err)
	require.Equal(t, managedagents.StopReasonEndTurn, res.StopReason.Type)
	require.Equal(t, "redirected", res.Messages[len(res.Messages)-1].Text(), "the turn ends at the new work's idle, not the interrupted one's")
}

// TestRunTurnInterruptOnly: an interrupt alone starts no turn (on an idle session
// no idle would ever end it), so RunTurn refuses it before sending anything.
func TestRunTurnInterruptOnly(t *testing.T) {
	t.Parallel()
	srv, client, sid := newFakeSession(t, nil)
	before := len(srv.Requests())
	_, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{Events: []managedagents.EventParam{managedagents.Interrupt()}})
	require.ErrorIs(t, err, managedagents.ErrInvalidParams)
	require.ErrorContains(t, err, "only interrupts")
	require.Len(t, srv.Requests(), before, "nothing sent")
}

// TestRunTurnPartialToolResults: a turn started by answering only some of the
// calls the session waits on. The session re-emits requires_action for the rest
// with no session.status_running in between: RunTurn answers them with its
// handlers and returns at the idle that ends the work.
func TestRunTurnPartialToolResults(t *testing.T) {
	t.Parallel()
	script := func(tr *managedagentstest.Turn) {
		a := tr.CustomToolUse("lookup", map[string]any{"n": 1})
		b := tr.CustomToolUse("lookup", map[string]any{"n": 2})
		answers, err := tr.Await(a, b)
		if err != nil {
			return
		}
		tr.Message("got " + answers[0].Text() + " and " + answers[1].Text())
		tr.Idle("end_turn")
	}
	lookup := managedagents.NewCustomTool("lookup", "Lookup", managedagents.InputSchema{Type: "object"})
	srv, client, sid := newFakeSession(t, script, lookup)
	ctx := context.Background()
	_, err := client.Sessions.Events.Send(ctx, sid, managedagents.UserMessage("go"))
	require.NoError(t, err)
	var calls []string
	require.Eventually(t, func() bool {
		calls = calls[:0]
		for _, ev := range sentOfType(t, srv, sid, managedagents.TypeAgentCustomToolUse) {
			calls = append(calls, ev.EventID())
		}
		return len(calls) == 2 && srv.SessionStatus(sid) == "idle"
	}, 5*time.Second, 5*time.Millisecond)

	res, err := client.Sessions.RunTurn(ctx, sid, managedagents.TurnParams{
		Events: []managedagents.EventParam{managedagents.CustomToolResult(calls[0], managedagents.NewTextBlock("one"))},
		Tools: map[string]managedagents.ToolHandler{
			"lookup": func(context.Context, *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				return []managedagents.ContentBlock{managedagents.NewTextBlock("two")}, nil
			},
		},
	})
	require.NoError(t, err)
	require.Equal(t, managedagents.StopReasonEndTurn, res.StopReason.Type)
	require.Equal(t, "got one and two", res.Text())
}
