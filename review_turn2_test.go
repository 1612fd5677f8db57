package managedagents_test

import (
	"bufio"
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
)

// A turn sent while an earlier turn is still in progress (here: resumed after
// a custom tool result) must end at its own idle, not the earlier turn's, and
// hold only its own messages. The message is queued: echoed with processed_at
// null, and again, processed, when its turn starts (a copy the stream drops as
// a duplicate). Without that processed copy (dropCopies: a server that does not
// send it), RunTurn reads the message's processed_at from the history.
func TestReviewRunTurnEndsAtItsOwnIdleNotAnEarlierOnes(t *testing.T) {
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
				Name: "earlier", Model: managedagents.Model("claude-sonnet-5-5"),
				Tools: []managedagents.Tool{managedagents.NewCustomTool("slow", "Slow", managedagents.InputSchema{Type: "object"})},
			})
			require.NoError(t, err)
			env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "earlier"})
			require.NoError(t, err)
			sess, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.AgentID(agent.ID), EnvironmentID: env.ID})
			require.NoError(t, err)
			sid := sess.ID
			_, err = client.Sessions.Events.Send(ctx, sid, managedagents.UserMessage("first"))
			require.NoError(t, err)
			var toolUse string
			require.Eventually(t, func() bool {
				for _, ev := range sentOfType(t, srv, sid, managedagents.TypeAgentCustomToolUse) {
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
				res, err := client.Sessions.RunTurn(ctx, sid, managedagents.TurnParams{
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
			_, err = client.Sessions.Events.Send(ctx, sid, managedagents.CustomToolResult(toolUse, managedagents.NewTextBlock("ok")))
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
