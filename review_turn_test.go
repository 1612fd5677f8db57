package managedagents_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
)

// RunTurn survives a stream cut at any point of a turn with a custom tool:
// the turn ends at its own idle, each call is answered once.
func TestReviewRunTurnStreamCutAnywhere(t *testing.T) {
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
					Name: "cut", Model: managedagents.Model("claude-sonnet-5-5"),
					Tools: []managedagents.Tool{managedagents.NewCustomTool("lookup", "Lookup", managedagents.InputSchema{Type: "object"})},
				})
				require.NoError(t, err)
				env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "cut-" + t.Name()})
				require.NoError(t, err)
				sess, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.AgentID(agent.ID), EnvironmentID: env.ID})
				require.NoError(t, err)
				srv.CutStreamAfter(cut)
				calls, reconnects := 0, 0
				res, err := client.Sessions.RunTurn(ctx, sess.ID, managedagents.TurnParams{
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
				require.Len(t, sentOfType(t, srv, sess.ID, managedagents.TypeUserCustomToolResult), 1)
			})
		}
	}
}

// A send whose delivery is uncertain ends RunTurn at once with an error that
// matches ErrDeliveryUncertain and a non-nil result; no interrupt is sent (the
// caller's context is alive).
func TestReviewRunTurnDeliveryUncertain(t *testing.T) {
	t.Parallel()
	srv, client, sid := newFakeSession(t, nil)
	srv.DropNext(managedagentstest.RouteSendEvents, 1)
	res, err := client.Sessions.RunTurn(context.Background(), sid, managedagents.TurnParams{Events: msg("hello")})
	require.ErrorIs(t, err, managedagents.ErrDeliveryUncertain)
	var de *managedagents.DeliveryError
	require.ErrorAs(t, err, &de)
	require.NotNil(t, res)
	require.Empty(t, sentOfType(t, srv, sid, managedagents.TypeUserInterrupt))
}
