package managedagents

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func threadFromPage(t *testing.T, i int) string {
	t.Helper()
	var page struct {
		Data []json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "sessions/page_of_threads.json"), &page))
	return string(page.Data[i])
}

func TestSessionThreadGetAndArchive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(200, threadFromPage(t, 0)))
	th, err := c.Sessions.Threads.Get(ctx, "sesn_011CMultiAgentSess1234567", "sthr_011CZkZVWa6oJjw1rgXZpnBt", SessionThreadGetParams{})
	require.NoError(t, err)
	require.Equal(t, "sthr_011CZkZVWa6oJjw1rgXZpnBt", th.ID)
	requireOneRequest(t, *reqs, "GET", "/v1/sessions/sesn_011CMultiAgentSess1234567/threads/sthr_011CZkZVWa6oJjw1rgXZpnBt", "")

	c, reqs = newTestClient(t, replyJSON(200, threadFromPage(t, 2)))
	th, err = c.Sessions.Threads.Archive(ctx, "sesn_011CMultiAgentSess1234567", "sthr_011CInlineThreadXyZ", SessionThreadArchiveParams{})
	require.NoError(t, err)
	require.True(t, th.IsArchived())
	r := requireOneRequest(t, *reqs, "POST", "/v1/sessions/sesn_011CMultiAgentSess1234567/threads/sthr_011CInlineThreadXyZ/archive", "")
	require.Empty(t, r.Body)
}

func TestSessionThreadListAndDecode(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "sessions/page_of_threads.json"))))
	page, err := c.Sessions.Threads.List(context.Background(), "sesn_011CMultiAgentSess1234567", SessionThreadListParams{
		Limit: 3, Page: "p1", Statuses: []SessionStatus{SessionStatusRunning, SessionStatusTerminated},
	})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/sessions/sesn_011CMultiAgentSess1234567/threads",
		"limit=3&page=p1&statuses%5B%5D=running&statuses%5B%5D=terminated")
	require.False(t, page.HasNextPage())
	require.Len(t, page.Data, 3)

	primary := page.Data[0]
	require.Equal(t, "session_thread", primary.Type)
	require.Equal(t, "sesn_011CMultiAgentSess1234567", primary.SessionID)
	require.Empty(t, primary.ParentThreadID)
	require.Equal(t, SessionStatusRunning, primary.Status)
	require.Equal(t, "agent", primary.Agent.Type)
	require.Equal(t, "agent_011CoordA1b2C3d4E5f6G7h8", primary.Agent.ID)
	require.Equal(t, int64(2), primary.Agent.Version)
	require.Equal(t, "Coordinator", primary.Agent.Name)
	require.Equal(t, "Split the work.", primary.Agent.System)
	require.Equal(t, ModelConfig{ID: "claude-sonnet-5-5", Effort: EffortHigh, Speed: SpeedStandard}, primary.Agent.Model)
	require.IsType(t, &AgentToolset{}, primary.Agent.Tools[0])
	require.Equal(t, []MCPServer{NewMCPServerURL("tickets", "https://mcp.tickets.example.com/mcp")}, primary.Agent.MCPServers)
	require.Equal(t, []SkillRef{{Type: "anthropic", SkillID: "pdf", Version: "20251013"}}, primary.Agent.Skills)
	require.Equal(t, NewExecutionIdentityServiceAccount(), primary.Agent.ExecutionIdentity)
	require.Empty(t, primary.WorkflowRunID)
	require.Equal(t, &ThreadStats{ActiveSeconds: 12.5, DurationSeconds: 30.25, StartupSeconds: 1.75}, primary.Stats)
	require.Equal(t, &SessionUsage{
		InputTokens: 1200, OutputTokens: 340, CacheReadInputTokens: 800,
		CacheCreation: &CacheCreation{Ephemeral5mInputTokens: 100, Ephemeral1hInputTokens: 50},
		ActiveSeconds: 12.5, ListCost: &Money{Amount: "3", Currency: "USD"},
		ServerToolUse: &ServerToolUse{WebSearchRequests: 2, WebFetchRequests: 1},
	}, primary.Usage)
	require.Equal(t, parseTS(t, "2026-11-24T10:02:09.114Z"), primary.CreatedAt)
	require.Equal(t, parseTS(t, "2026-11-24T10:03:00Z"), primary.UpdatedAt)
	require.False(t, primary.IsArchived())
	require.JSONEq(t, threadFromPage(t, 0), string(primary.RawJSON()))

	advisor := page.Data[1]
	require.Equal(t, "sthr_011CZkZVWa6oJjw1rgXZpnBt", advisor.ParentThreadID)
	require.Equal(t, SessionStatusIdle, advisor.Status)
	require.Equal(t, SessionAgent{Type: "advisor", Model: ModelConfig{ID: "claude-fable-5-2"}}, advisor.Agent)
	require.Nil(t, advisor.Stats)
	require.Nil(t, advisor.Usage)

	inline := page.Data[2]
	require.Equal(t, SessionStatusTerminated, inline.Status)
	require.Equal(t, "inline", inline.Agent.Type)
	require.Empty(t, inline.Agent.ID)
	require.Equal(t, "csv-writer", inline.Agent.Name)
	require.Equal(t, "Writes the CSV export.", inline.Agent.Description)
	require.Equal(t, ModelConfig{ID: "claude-haiku-5-5"}, inline.Agent.Model)
	require.Equal(t, "wfrun_011CWorkflowA1", inline.WorkflowRunID)
	require.Equal(t, &SessionUsage{InputTokens: 10, OutputTokens: 20}, inline.Usage)
	require.Equal(t, parseTS(t, "2026-11-24T10:05:00Z"), inline.ArchivedAt)
}

func TestSessionThreadListAll(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[{"id":"sthr_1","type":"session_thread","status":"idle","agent":{"type":"agent","id":"agent_1","version":1}}],"next_page":"p2"}`,
		"p2": `{"data":[],"next_page":"p3"}`,
		"p3": `{"data":[{"id":"sthr_2","type":"session_thread","status":"idle","agent":{"type":"advisor","model":"m"},"extra":{"x":1}}],"next_page":"p4"}`,
	}))
	var ids []string
	var errs []error
	for th, err := range c.Sessions.Threads.ListAll(context.Background(), "sesn_1", SessionThreadListParams{Statuses: []SessionStatus{SessionStatusIdle}}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, th.ID)
	}
	require.Equal(t, []string{"sthr_1", "sthr_2"}, ids)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrServer)
	require.Len(t, *reqs, 4)
	require.Equal(t, "page=p2&statuses%5B%5D=idle", (*reqs)[1].RawQuery)
}

func TestSessionThreadValidation(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, `{}`))
	ctx := context.Background()
	_, err := c.Sessions.Threads.Get(ctx, "", "sthr_1", SessionThreadGetParams{})
	requireInvalid(t, err, "session_id")
	_, err = c.Sessions.Threads.Get(ctx, "sesn_1", "", SessionThreadGetParams{})
	requireInvalid(t, err, "thread_id")
	_, err = c.Sessions.Threads.Archive(ctx, "sesn_1", "a/b", SessionThreadArchiveParams{})
	requireInvalid(t, err, "thread_id")
	_, err = c.Sessions.Threads.List(ctx, "sesn_1", SessionThreadListParams{Statuses: []SessionStatus{"done"}})
	requireInvalid(t, err, "statuses[0]")
	_, err = c.Sessions.Threads.List(ctx, "sesn_1", SessionThreadListParams{Limit: -1})
	requireInvalid(t, err, "limit")
	_, err = c.Sessions.Threads.List(ctx, "#", SessionThreadListParams{})
	requireInvalid(t, err, "session_id")
	require.Empty(t, *reqs)
}
