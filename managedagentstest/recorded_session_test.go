package managedagentstest_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
)

// The recorded session: testdata/fibonacci_session.json and its .sse streams
// were recorded by TestRecordedSession against the fake standing in for the
// API (there is no key here), with
//
//	MANAGEDAGENTS_RECORD=1 go test -run '^TestRecordedSession' ./managedagentstest/
//
// Every other run replays them, with no network.
const recordedSession = "testdata/fibonacci_session"

// The secrets the session used while recording: the fixture holds none.
const (
	sessionAPIKey       = "sk-ant-api03-RecordedSessionKey-0123456789abcdef"
	sessionRepoToken    = "repo-token-RecordedSession-0123456789"
	sessionRotatedToken = "rotated-repo-token-RecordedSession-9876543210"
	sessionAccessToken  = "vault-access-token-RecordedSession-0123456789"
	sessionRefreshToken = "vault-refresh-token-RecordedSession-0123456789"
	sessionClientSecret = "vault-client-secret-RecordedSession-0123456789"
)

const sessionPrompt = "Generate the first 20 Fibonacci numbers to fibonacci.txt, then look up ticket 42"

// sessionOutcome is what the session did, as the test's code saw it.
type sessionOutcome struct {
	vaultStatus  int
	eventsBefore int
	eventsAfter  []string // the types, in order
	result       *managedagents.TurnResult
	reconnects   int
}

// runRecordedSession drives a real-shaped session: an agent with the toolset
// and a custom tool, an environment, a session with a private repository
// whose token is then rotated, a vault credential, the events list before
// and after a turn (the same request, two answers), and the turn itself, read
// from the stream with previews, a custom tool answered, and a disconnect in
// the middle (in the recording) followed by a reconnect and a backfill.
func runRecordedSession(client *managedagents.Client, hc *http.Client, base, prompt string) (*sessionOutcome, error) {
	ctx := context.Background()
	out := &sessionOutcome{}
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:  "Coder",
		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{
			managedagents.NewAgentToolset(),
			managedagents.NewCustomTool("lookup_ticket", "Look a ticket up.", managedagents.InputSchema{
				Properties: map[string]any{"ticket": map[string]any{"type": "string"}},
				Required:   []string{"ticket"},
			}),
		},
	})
	if err != nil {
		return nil, err
	}
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "recorded-env"})
	if err != nil {
		return nil, err
	}
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent:         managedagents.NewAgentRef(agent.ID),
		EnvironmentID: env.ID,
		Resources: []managedagents.SessionResourceParams{&managedagents.GitHubRepositoryResourceParams{
			URL: "https://github.com/example/app", AuthorizationToken: managedagents.NewSecret(sessionRepoToken),
		}},
	})
	if err != nil {
		return nil, err
	}
	if _, err := client.Sessions.Resources.Update(ctx, session.ID, session.Resources[0].ResourceID(),
		managedagents.SessionResourceUpdateParams{AuthorizationToken: managedagents.NewSecret(sessionRotatedToken)}); err != nil {
		return nil, err
	}
	if out.vaultStatus, err = createVaultCredential(hc, base); err != nil {
		return nil, err
	}
	before, err := client.Sessions.Events.List(ctx, session.ID, managedagents.SessionEventListParams{Limit: 50})
	if err != nil {
		return nil, err
	}
	out.eventsBefore = len(before.Data)
	out.result, err = client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events:      []managedagents.EventParam{managedagents.NewUserMessage(prompt)},
		EventDeltas: []managedagents.EventType{managedagents.EventTypeAgentMessage},
		Tools: map[string]managedagents.ToolHandler{
			"lookup_ticket": func(context.Context, *managedagents.AgentCustomToolUseEvent) ([]managedagents.ContentBlock, error) {
				return []managedagents.ContentBlock{managedagents.NewTextBlock("ticket 42 is open")}, nil
			},
		},
		OnReconnect: func(managedagents.StreamReconnect) { out.reconnects++ },
	})
	if err != nil {
		return nil, err
	}
	after, err := client.Sessions.Events.List(ctx, session.ID, managedagents.SessionEventListParams{Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, ev := range after.Data {
		out.eventsAfter = append(out.eventsAfter, string(ev.EventType()))
	}
	return out, nil
}

// createVaultCredential creates a vault credential with every kind of
// secret, with a plain request, since the SDK has no vaults yet. The fake
// does not serve vaults (404), but the request carries the secrets all the
// same.
func createVaultCredential(hc *http.Client, base string) (int, error) {
	body := `{"display_name":"Issue tracker","auth":{"type":"mcp_oauth","mcp_server_url":"https://mcp.example.com/mcp",` +
		`"access_token":"` + sessionAccessToken + `","refresh":{"client_id":"cli_9f2c41d7","refresh_token":"` + sessionRefreshToken + `",` +
		`"token_endpoint":"https://auth.example.com/oauth/token","token_endpoint_auth":{"type":"client_secret_post",` +
		`"client_secret":"` + sessionClientSecret + `"}}}}`
	req, err := http.NewRequest("POST", base+"/v1/vaults/vlt_011CZkZDLs7fYzm1hXNPeRjv/credentials", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Api-Key", sessionAPIKey)
	req.Header.Set("Anthropic-Version", "2023-06-01")
	req.Header.Set("Anthropic-Beta", managedagentstest.BetaHeader)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// The user's cycle: with MANAGEDAGENTS_RECORD=1 the test runs against the API
// (here, the fake) and records; without it, it replays offline, and a
// transport that fails any request proves that nothing reaches the network.
func TestRecordedSession(t *testing.T) {
	nn := &recNoNetwork{}
	var network http.RoundTripper = nn // a replay must never use it
	rec := managedagentstest.NewRecorder(t, recordedSession, managedagentstest.WithTransport(recTransport(
		func(r *http.Request) (*http.Response, error) { return network.RoundTrip(r) })))
	opts := rec.ClientOptions()
	base := "http://127.0.0.1:1" // nothing listens there
	if rec.Mode() == managedagentstest.ModeRecord {
		network = http.DefaultTransport
		api := managedagentstest.NewServer(managedagentstest.WithAPIKey(sessionAPIKey))
		defer api.Close()
		api.CutStreamAfter(6) // a disconnect in the middle of the turn
		base = api.URL
		opts = append(opts, option.WithAPIKey(sessionAPIKey))
	}
	client := managedagents.NewClient(append(opts, option.WithBaseURL(base))...)

	out, err := runRecordedSession(client, rec.Client(), base, sessionPrompt)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, out.vaultStatus)
	require.Zero(t, out.eventsBefore)
	require.Equal(t, managedagents.StopReasonType("end_turn"), out.result.StopReason.Type)
	require.Contains(t, out.result.Text(), "Here are the first 20 Fibonacci numbers: 0, 1, 1, 2, 3, 5, 8, 13")
	require.Contains(t, out.result.Text(), "(lookup_ticket returned: ticket 42 is open)")
	require.Len(t, out.result.ToolUses, 3) // write, bash, lookup_ticket
	require.Equal(t, 1, out.reconnects, "the recorded disconnect is replayed, and the stream reconnects")
	require.Equal(t, "user.message", out.eventsAfter[0])
	require.Equal(t, "session.status_idle", out.eventsAfter[len(out.eventsAfter)-1])
	require.Contains(t, out.eventsAfter, "agent.custom_tool_use")
	require.Contains(t, out.eventsAfter, "user.custom_tool_result")
	if rec.Mode() == managedagentstest.ModeReplay {
		require.Zero(t, nn.calls.Load())
		require.Empty(t, rec.Unplayed())
	}
}

// recTransport is a RoundTripper made of a function.
type recTransport func(*http.Request) (*http.Response, error)

func (f recTransport) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A request the recording does not hold (the prompt changed) fails the test
// with the difference, and the client gets an error.
func TestRecordedSessionChangedRequest(t *testing.T) {
	tb := &recTB{}
	rec := recNewRecorderTB(tb, recordedSession, managedagentstest.WithMode(managedagentstest.ModeReplay))
	require.NotNil(t, rec, "%v", tb.errors())
	defer tb.finish()
	client := managedagents.NewClient(rec.ClientOptions()...)

	changed := strings.Replace(sessionPrompt, "first 20", "first 30", 1)
	_, err := runRecordedSession(client, rec.Client(), "http://127.0.0.1:1", changed)
	var apiErr *managedagents.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, "recording_mismatch_error", apiErr.Type)

	errs := tb.errors()
	require.Len(t, errs, 1, "one failure, no retries")
	t.Logf("the failure:\n%s", errs[0])
	lines := strings.Split(errs[0], "\n")
	require.Regexp(t, `^managedagentstest: the recording testdata/fibonacci_session.json holds no answer for POST /v1/sessions/sesn_\w+/events$`, lines[0])
	require.Regexp(t, `^  closest recorded request not replayed yet: #\d+ POST /v1/sessions/sesn_\w+/events$`, lines[1])
	require.Equal(t, `    body.events[0].content[0].text: got "Generate the first 30 Fibonacci numbers to fibonacci.txt, then look up ticket 42", `+
		`recorded "Generate the first 20 Fibonacci numbers to fibonacci.txt, then look up ticket 42"`, lines[2])
	require.Equal(t, "  if the code's requests changed on purpose, record again with MANAGEDAGENTS_RECORD=1", lines[3])
	require.Len(t, lines, 4)
	require.Contains(t, apiErr.Message, lines[2][4:], "the client's error says it too")
}

// The fixture holds none of the secrets used while recording, but shows
// where they were.
func TestRecordedSessionHoldsNoSecret(t *testing.T) {
	files, err := filepath.Glob(recordedSession + ".*")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 3, "the document and at least two streams: %v", files)
	secrets := []string{sessionAPIKey, sessionRepoToken, sessionRotatedToken, sessionAccessToken, sessionRefreshToken, sessionClientSecret}
	var all strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, s := range secrets {
			require.NotContains(t, string(data), s, "%s holds a secret", f)
			require.NotContains(t, string(data), s[len(s)-16:], "%s holds part of a secret", f)
		}
		all.Write(data)
	}
	for _, shown := range []string{
		`"X-Api-Key": ["[redacted]"]`,
		`"authorization_token": "[redacted]"`,
		`"access_token": "[redacted]"`,
		`"refresh_token": "[redacted]"`,
		`"client_secret": "[redacted]"`,
		`"client_id": "cli_9f2c41d7"`, // not a secret
	} {
		require.Contains(t, all.String(), shown)
	}
}

// BenchmarkReplayRecordedSession measures a whole replay of the recorded
// session: loading it, then its 12 requests and 2 streams through the SDK.
func BenchmarkReplayRecordedSession(b *testing.B) {
	for b.Loop() {
		rec, err := managedagentstest.OpenRecorder(recordedSession, managedagentstest.WithMode(managedagentstest.ModeReplay))
		if err != nil {
			b.Fatal(err)
		}
		client := managedagents.NewClient(rec.ClientOptions()...)
		if _, err := runRecordedSession(client, rec.Client(), "http://127.0.0.1:1", sessionPrompt); err != nil {
			b.Fatal(err)
		}
		if err := rec.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
