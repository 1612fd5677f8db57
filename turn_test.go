package managedagents_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
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
		Name: "turn-test", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"}, Tools: tools,
	})
	require.NoError(t, err)
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "turn-test-" + t.Name()})
	require.NoError(t, err)
	sess, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	require.NoError(t, err)
	return srv, client, sess.ID
}

// sentOfType returns the persisted events of type typ, decoded.
func sentOfType(t *testing.T, srv *managedagentstest.Server, sessionID string, typ managedagents.EventType) []managedagents.Event {
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
	return []managedagents.EventParam{managedagents.NewUserMessage(text)}
}

func TestRunTurnDefaultAgent(t *testing.T) {
	t.Parallel()
	_, client, sid := newFakeSession(t, nil, managedagents.NewAgentToolset())
	var seen []managedagents.EventType
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{
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
	require.Equal(t, managedagents.EventTypeUserMessage, res.Sent[0].EventType())
	require.Contains(t, seen, managedagents.EventTypeUserMessage, "the turn's own echo is seen")
	require.Equal(t, managedagents.EventTypeSessionStatusIdle, seen[len(seen)-1])
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
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{
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
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{
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
	toolset := managedagents.NewAgentToolset(managedagents.NewToolConfigEnabled(managedagents.ToolBash, managedagents.PolicyAlwaysAsk))
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
		res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{Events: msg("go"), Confirm: confirm})
		require.NoError(t, err)
		require.Equal(t, "ls=true rm=false", res.Text())
		confirmations := sentOfType(t, srv, sid, managedagents.EventTypeUserToolConfirmation)
		require.Len(t, confirmations, 2, "each call answered once")
		deny := confirmations[1].(*managedagents.UserToolConfirmationEvent)
		require.Equal(t, "deny", string(deny.Result))
		require.Equal(t, "not allowed to delete", deny.DenyMessage)
	})
	t.Run("no policy denies", func(t *testing.T) {
		t.Parallel()
		_, client, sid := newFakeSession(t, script, toolset)
		res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{Events: msg("go")})
		require.NoError(t, err)
		require.Equal(t, "ls=false rm=false", res.Text())
	})
	t.Run("allow all", func(t *testing.T) {
		t.Parallel()
		_, client, sid := newFakeSession(t, script, toolset)
		res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{Events: msg("go"), Confirm: managedagents.AllowAll})
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
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{Events: msg("go")})
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
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{Events: msg("go")})
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
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{Events: msg("go")})
	require.ErrorIs(t, err, managedagents.ErrSessionEnded)
	var se managedagents.SessionError
	require.ErrorAs(t, err, &se, "the terminal session.error is wrapped too")
	require.Equal(t, "fatal", se.Message)
	require.Equal(t, "managedagents: session ended during the turn (session.status_terminated): session error unknown_error: fatal", err.Error())
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
	res, err := client.Sessions.RunTurn(ctx, sid, managedagents.SessionRunTurnParams{Events: msg("go")})
	require.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res)
	require.Len(t, sentOfType(t, srv, sid, managedagents.EventTypeUserInterrupt), 1, "the session was interrupted")
	require.Eventually(t, func() bool {
		return srv.SessionStatus(sid) == "idle"
	}, 5*time.Second, 10*time.Millisecond, "the interrupted session goes idle instead of running on")
}

// When the interrupt sent after the context ended fails too, the error says
// both, with the package's prefix once, and errors.Is sees both.
func TestRunTurnInterruptFailureIsReported(t *testing.T) {
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
		srv.FailNext(managedagentstest.RouteSendEvents, 1, http.StatusBadRequest, nil)
		cancel()
	}()
	_, err := client.Sessions.RunTurn(ctx, sid, managedagents.SessionRunTurnParams{Events: msg("go")})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, managedagents.ErrBadRequest)
	require.True(t, strings.HasPrefix(err.Error(), "managedagents: RunTurn: context canceled, and interrupting the session failed: "), err.Error())
	require.Equal(t, 1, strings.Count(err.Error(), "managedagents:"), err.Error())
}

func TestRunTurnValidation(t *testing.T) {
	t.Parallel()
	srv := managedagentstest.NewServer()
	t.Cleanup(srv.Close)
	client := srv.Client()
	_, err := client.Sessions.RunTurn(context.Background(), "sesn_1", managedagents.SessionRunTurnParams{})
	require.ErrorIs(t, err, managedagents.ErrInvalidParams)
	_, err = client.Sessions.RunTurn(context.Background(), "../x", managedagents.SessionRunTurnParams{Events: msg("hi")})
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
	_, err := client.Sessions.Events.Send(ctx, sid, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("write a book")}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return srv.SessionStatus(sid) == "running" }, 5*time.Second, 5*time.Millisecond)

	res, err := client.Sessions.RunTurn(ctx, sid, managedagents.SessionRunTurnParams{Events: []managedagents.EventParam{
		managedagents.NewUserInterrupt(), managedagents.NewUserMessage("redirect: write a poem"),
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
	_, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{Events: []managedagents.EventParam{managedagents.NewUserInterrupt()}})
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
	_, err := client.Sessions.Events.Send(ctx, sid, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("go")}})
	require.NoError(t, err)
	var calls []string
	require.Eventually(t, func() bool {
		calls = calls[:0]
		for _, ev := range sentOfType(t, srv, sid, managedagents.EventTypeAgentCustomToolUse) {
			calls = append(calls, ev.EventID())
		}
		return len(calls) == 2 && srv.SessionStatus(sid) == "idle"
	}, 5*time.Second, 5*time.Millisecond)

	res, err := client.Sessions.RunTurn(ctx, sid, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserCustomToolResult(calls[0], managedagents.NewTextBlock("one"))},
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

// RunTurn survives a stream cut at any point of a turn with a custom tool:
// the turn ends at its own idle, each call is answered once.
func TestRunTurnStreamCutAnywhere(t *testing.T) {
	t.Parallel()
	for _, queued := range []bool{false, true} {
		for cut := 0; cut < 12; cut++ {
			t.Run(strconv.FormatBool(queued)+"/"+strconv.Itoa(cut), func(t *testing.T) {
				t.Parallel()
				script := func(tr *managedagentstest.Turn) {
					a, err := tr.CallCustomTool("lookup", map[string]any{})
					if err != nil {
						return
					}
					tr.Message("got " + a.Text())
					tr.Idle("end_turn")
				}
				opts := []managedagentstest.ServerOption{managedagentstest.WithScript(script)}
				if queued {
					opts = append(opts, managedagentstest.WithQueuedEcho())
				}
				srv := managedagentstest.NewServer(opts...)
				t.Cleanup(srv.Close)
				client := srv.Client(option.WithStreamBackoff(time.Millisecond, 2*time.Millisecond))
				ctx := context.Background()
				agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
					Name: "cut", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
					Tools: []managedagents.Tool{managedagents.NewCustomTool("lookup", "Lookup", managedagents.InputSchema{Type: "object"})},
				})
				require.NoError(t, err)
				env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "cut-" + t.Name()})
				require.NoError(t, err)
				sess, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
				require.NoError(t, err)
				srv.CutStreamAfter(cut)
				calls, reconnects := 0, 0
				res, err := client.Sessions.RunTurn(ctx, sess.ID, managedagents.SessionRunTurnParams{
					Events:      msg("go"),
					OnReconnect: func(managedagents.StreamReconnect) { reconnects++ },
					Tools: map[string]managedagents.ToolHandler{
						"lookup": func(context.Context, *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
							calls++
							return []managedagents.ContentBlock{managedagents.NewTextBlock("42")}, nil
						},
					},
				})
				require.NoError(t, err)
				require.Equal(t, managedagents.StopReasonEndTurn, res.StopReason.Type)
				require.Equal(t, "got 42", res.Text())
				require.Equal(t, 1, calls)
				t.Logf("reconnects %d", reconnects)
				require.Len(t, sentOfType(t, srv, sess.ID, managedagents.EventTypeUserCustomToolResult), 1)
			})
		}
	}
}

// A send whose delivery is uncertain ends RunTurn at once with an error that
// matches ErrDeliveryUncertain and a non-nil result; no interrupt is sent (the
// caller's context is alive).
func TestRunTurnDeliveryUncertain(t *testing.T) {
	t.Parallel()
	srv, client, sid := newFakeSession(t, nil)
	srv.DropNext(managedagentstest.RouteSendEvents, 1)
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.SessionRunTurnParams{Events: msg("hello")})
	require.ErrorIs(t, err, managedagents.ErrDeliveryUncertain)
	var de *managedagents.DeliveryError
	require.ErrorAs(t, err, &de)
	require.NotNil(t, res)
	require.Empty(t, sentOfType(t, srv, sid, managedagents.EventTypeUserInterrupt))
}

// A turn sent while an earlier turn is still in progress (here: resumed after
// a custom tool result) must end at its own idle, not the earlier turn's, and
// hold only its own messages. The message is queued: echoed with processed_at
// null, and again, processed, when its turn starts (a copy the stream drops as
// a duplicate). Without that processed copy (dropCopies: a server that does not
// send it), RunTurn reads the message's processed_at from the history.
func TestRunTurnEndsAtItsOwnIdleNotAnEarlierOnes(t *testing.T) {
	t.Parallel()
	for _, dropCopies := range []bool{false, true} {
		t.Run(map[bool]string{false: "processed copy", true: "no processed copy"}[dropCopies], func(t *testing.T) {
			t.Parallel()
			script := func(tr *managedagentstest.Turn) {
				if strings.Contains(tr.Text(), "second") {
					tr.Message("second done")
					tr.Idle("end_turn")
					return
				}
				if _, err := tr.CallCustomTool("slow", map[string]any{}); err != nil {
					return
				}
				tr.Message("first done")
				tr.Idle("end_turn")
			}
			srv := managedagentstest.NewServer(managedagentstest.WithScript(script), managedagentstest.WithQueuedEcho())
			t.Cleanup(srv.Close)
			client := srv.Client()
			var dropped atomic.Int32
			if dropCopies {
				proxy := dropProcessedCopies(srv, &dropped)
				t.Cleanup(proxy.Close)
				client = managedagents.NewClient(option.WithBaseURL(proxy.URL), option.WithAPIKey(managedagentstest.TestAPIKey),
					option.WithHTTPClient(proxy.Client()), option.WithoutLimiter())
			}
			ctx := context.Background()
			agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
				Name: "earlier", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
				Tools: []managedagents.Tool{managedagents.NewCustomTool("slow", "Slow", managedagents.InputSchema{Type: "object"})},
			})
			require.NoError(t, err)
			env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "earlier"})
			require.NoError(t, err)
			sess, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
			require.NoError(t, err)
			sid := sess.ID
			_, err = client.Sessions.Events.Send(ctx, sid, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("first")}})
			require.NoError(t, err)
			var toolUse string
			require.Eventually(t, func() bool {
				for _, ev := range sentOfType(t, srv, sid, managedagents.EventTypeAgentCustomToolUse) {
					toolUse = ev.EventID()
				}
				return toolUse != "" && srv.SessionStatus(sid) == "idle"
			}, 5*time.Second, 5*time.Millisecond)

			type out struct {
				res *managedagents.TurnResult
				err error
			}
			ch := make(chan out, 1)
			echoed := make(chan struct{})
			go func() {
				res, err := client.Sessions.RunTurn(ctx, sid, managedagents.SessionRunTurnParams{
					Events: msg("second"),
					OnEvent: func(ev managedagents.Event) {
						if m, ok := ev.(*managedagents.UserMessageEvent); ok && m.ProcessedAt.IsZero() {
							close(echoed)
						}
					},
				})
				ch <- out{res, err}
			}()
			// Once the second message is in (queued), answer the first turn's tool call.
			<-echoed
			_, err = client.Sessions.Events.Send(ctx, sid, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserCustomToolResult(toolUse, managedagents.NewTextBlock("ok"))}})
			require.NoError(t, err)
			o := <-ch
			require.NoError(t, o.err)
			require.Equal(t, managedagents.StopReasonEndTurn, o.res.StopReason.Type)
			require.Equal(t, "second done", o.res.Text())
			require.Equal(t, dropCopies, dropped.Load() > 0)
		})
	}
}

// dropProcessedCopies is a proxy in front of srv whose streams leave out the
// user.message frames that carry a processed_at.
func dropProcessedCopies(srv *managedagentstest.Server, dropped *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), r.Method, srv.URL+r.URL.RequestURI(), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		maps.Copy(w.Header(), resp.Header)
		w.WriteHeader(resp.StatusCode)
		if !strings.HasSuffix(r.URL.Path, "/stream") {
			_, _ = io.Copy(w, resp.Body)
			return
		}
		w.(http.Flusher).Flush()
		br := bufio.NewReader(resp.Body)
		var fr strings.Builder
		for {
			line, err := br.ReadString('\n')
			fr.WriteString(line)
			if line == "\n" {
				f := fr.String()
				fr.Reset()
				if !strings.Contains(f, "event: user.message") || strings.Contains(f, `"processed_at":null`) {
					_, _ = io.WriteString(w, f)
					w.(http.Flusher).Flush()
				} else {
					dropped.Add(1)
				}
			}
			if err != nil {
				return
			}
		}
	}))
}
