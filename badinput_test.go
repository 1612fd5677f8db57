package managedagents

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
)

// badIDs are IDs that must never reach the server: empty, dot segments, and
// anything that would change the URL path or query.
var badIDs = []string{
	"", ".", "..", "../x", "..%2Fx", "a/b", "/abs", "%2F", "a%2Fb", `a\b`, "a?b", "a#b",
	"a b", "a\x00b", "a\nb", "a\tb", "\x7f", "x/../../v1/agents",
}

// idCall calls one method that takes an ID, with id in the place of the ID
// named field and valid values elsewhere.
type idCall struct {
	name, field string
	call        func(ctx context.Context, c *Client, id string) error
}

func idCalls() []idCall {
	return []idCall{
		{"Agents.Get", "agent_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Agents.Get(ctx, id, AgentGetParams{})
			return err
		}},
		{"Agents.Update", "agent_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Agents.Update(ctx, id, AgentUpdateParams{Name: "n"})
			return err
		}},
		{"Agents.Archive", "agent_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Agents.Archive(ctx, id, AgentArchiveParams{})
			return err
		}},
		{"Agents.Versions.List", "agent_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Agents.Versions.List(ctx, id, AgentVersionListParams{})
			return err
		}},
		{"Agents.Versions.ListAll", "agent_id", func(ctx context.Context, c *Client, id string) error {
			for _, err := range c.Agents.Versions.ListAll(ctx, id, AgentVersionListParams{}) {
				return err
			}
			return nil
		}},
		{"Environments.Get", "environment_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Environments.Get(ctx, id, EnvironmentGetParams{})
			return err
		}},
		{"Environments.Update", "environment_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Environments.Update(ctx, id, EnvironmentUpdateParams{Name: "n"})
			return err
		}},
		{"Environments.Delete", "environment_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Environments.Delete(ctx, id, EnvironmentDeleteParams{})
			return err
		}},
		{"Environments.Archive", "environment_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Environments.Archive(ctx, id, EnvironmentArchiveParams{})
			return err
		}},
		{"Sessions.Get", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Get(ctx, id, SessionGetParams{})
			return err
		}},
		{"Sessions.Update", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Update(ctx, id, SessionUpdateParams{Title: "t"})
			return err
		}},
		{"Sessions.Delete", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Delete(ctx, id, SessionDeleteParams{})
			return err
		}},
		{"Sessions.Archive", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Archive(ctx, id, SessionArchiveParams{})
			return err
		}},
		{"Sessions.Events.List", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Events.List(ctx, id, SessionEventListParams{})
			return err
		}},
		{"Sessions.Events.ListAll", "session_id", func(ctx context.Context, c *Client, id string) error {
			for _, err := range c.Sessions.Events.ListAll(ctx, id, SessionEventListParams{}) {
				return err
			}
			return nil
		}},
		{"Sessions.Events.Send", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Events.Send(ctx, id, SessionEventSendParams{Events: []EventParam{NewUserMessage("hi")}})
			return err
		}},
		{"Sessions.Resources.Add", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Resources.Add(ctx, id, SessionResourceAddParams{FileID: "file_1"})
			return err
		}},
		{"Sessions.Resources.List", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Resources.List(ctx, id, SessionResourceListParams{})
			return err
		}},
		{"Sessions.Resources.Get/session", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Resources.Get(ctx, id, "sesrsc_1", SessionResourceGetParams{})
			return err
		}},
		{"Sessions.Resources.Get", "resource_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Resources.Get(ctx, "sesn_1", id, SessionResourceGetParams{})
			return err
		}},
		{"Sessions.Resources.Update", "resource_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Resources.Update(ctx, "sesn_1", id, SessionResourceUpdateParams{AuthorizationToken: "t"})
			return err
		}},
		{"Sessions.Resources.Delete", "resource_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Resources.Delete(ctx, "sesn_1", id, SessionResourceDeleteParams{})
			return err
		}},
		{"Sessions.Threads.List", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Threads.List(ctx, id, SessionThreadListParams{})
			return err
		}},
		{"Sessions.Threads.Get", "thread_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Threads.Get(ctx, "sesn_1", id, SessionThreadGetParams{})
			return err
		}},
		{"Sessions.Events.Stream", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Events.Stream(ctx, id, EventStreamParams{})
			return err
		}},
		{"Sessions.Threads.Stream/session", "session_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Threads.Events.Stream(ctx, id, "sthr_1", EventStreamParams{})
			return err
		}},
		{"Sessions.Threads.Stream", "thread_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Threads.Events.Stream(ctx, "sesn_1", id, EventStreamParams{})
			return err
		}},
		{"Sessions.Threads.ListEvents", "thread_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Threads.Events.List(ctx, "sesn_1", id, SessionThreadEventListParams{})
			return err
		}},
		{"Sessions.Threads.Archive", "thread_id", func(ctx context.Context, c *Client, id string) error {
			_, err := c.Sessions.Threads.Archive(ctx, "sesn_1", id, SessionThreadArchiveParams{})
			return err
		}},
	}
}

// countingClient returns a client whose server answers every request with
// handler (a 500 without one) and counts them.
func countingClient(t *testing.T, handler http.HandlerFunc, opts ...option.RequestOption) (*Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	if handler == nil {
		handler = replyJSON(500, `{"type":"error","error":{"type":"api_error","message":"must not be called"}}`)
	}
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		handler(w, r)
	}, opts...)
	return c, &n
}

// requireValidation checks that err is a *ValidationError for field, matches
// ErrInvalidParams, and reads clearly.
func requireValidation(t *testing.T, err error, field string, msgAndArgs ...any) {
	t.Helper()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve, msgAndArgs...)
	require.Equal(t, field, ve.Field, msgAndArgs...)
	require.NotEmpty(t, ve.Problem, msgAndArgs...)
	require.ErrorIs(t, err, ErrInvalidParams, msgAndArgs...)
	require.True(t, strings.HasPrefix(err.Error(), "managedagents: invalid "+field+": "), "%q", err.Error())
}

// TestBadIDsNeverSent: every method rejects every bad ID, naming the ID's
// field, before anything is sent.
func TestBadIDsNeverSent(t *testing.T) {
	t.Parallel()
	c, n := countingClient(t, nil)
	ctx := context.Background()
	for _, ic := range idCalls() {
		for _, id := range badIDs {
			requireValidation(t, ic.call(ctx, c, id), ic.field, "%s(%q)", ic.name, id)
		}
	}
	require.Zero(t, n.Load(), "nothing sent")
}

// TestOddIDsStayInTheirSegment: IDs the API could hand out with characters
// that need escaping are sent escaped, inside their own path segment.
func TestOddIDsStayInTheirSegment(t *testing.T) {
	t.Parallel()
	var paths []string
	c, reqs := newTestClient(t, replyJSON(200, `{"id":"x","type":"agent"}`))
	for _, id := range []string{"agent_é", "a:b", "a;b", "a+b", "a&b=c", "...", ".a", "a."} {
		_, err := c.Agents.Get(context.Background(), id, AgentGetParams{})
		require.NoError(t, err, id)
	}
	for _, r := range *reqs {
		paths = append(paths, r.Path)
		require.Empty(t, r.RawQuery)
	}
	require.Equal(t, []string{
		"/v1/agents/agent_%C3%A9", "/v1/agents/a:b", "/v1/agents/a%3Bb", "/v1/agents/a+b",
		"/v1/agents/a&b=c", "/v1/agents/...", "/v1/agents/.a", "/v1/agents/a.",
	}, paths)
}

// TestBadParamsNeverSent: missing required fields, nil content and values
// outside an enum are rejected before sending, naming the field.
func TestBadParamsNeverSent(t *testing.T) {
	t.Parallel()
	c, n := countingClient(t, nil)
	ctx := context.Background()
	cases := []struct {
		name, field string
		call        func() error
	}{
		{"agent without name", "name", func() error {
			_, err := c.Agents.Create(ctx, AgentCreateParams{Model: ModelConfig{ID: "m"}})
			return err
		}},
		{"agent without model", "model.id", func() error {
			_, err := c.Agents.Create(ctx, AgentCreateParams{Name: "a"})
			return err
		}},
		{"agent with a nil tool", "tools[0]", func() error {
			_, err := c.Agents.Create(ctx, AgentCreateParams{Name: "a", Model: ModelConfig{ID: "m"}, Tools: []Tool{nil}})
			return err
		}},
		{"agent with a typed nil tool", "tools[0]", func() error {
			_, err := c.Agents.Create(ctx, AgentCreateParams{Name: "a", Model: ModelConfig{ID: "m"}, Tools: []Tool{(*CustomTool)(nil)}})
			return err
		}},
		{"custom tool without schema", "tools[0].input_schema", func() error {
			_, err := c.Agents.Create(ctx, AgentCreateParams{Name: "a", Model: ModelConfig{ID: "m"}, Tools: []Tool{&CustomTool{Name: "t", Description: "d"}}})
			return err
		}},
		{"permission policy outside the enum", "tools[0].default_config.permission_policy.type", func() error {
			ts := NewAgentToolset()
			ts.DefaultConfig = &ToolsetDefaultConfig{PermissionPolicy: PermissionPolicy("sometimes")}
			_, err := c.Agents.Create(ctx, AgentCreateParams{Name: "a", Model: ModelConfig{ID: "m"}, Tools: []Tool{ts}})
			return err
		}},
		{"agent update negative version", "version", func() error {
			_, err := c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Version: -1})
			return err
		}},
		{"agent get negative version", "version", func() error {
			_, err := c.Agents.Get(ctx, "agent_1", AgentGetParams{Version: -1})
			return err
		}},
		{"agent list negative limit", "limit", func() error {
			_, err := c.Agents.List(ctx, AgentListParams{Limit: -1})
			return err
		}},
		{"environment without name", "name", func() error {
			_, err := c.Environments.Create(ctx, EnvironmentCreateParams{})
			return err
		}},
		{"networking outside the enum", "config.networking.type", func() error {
			_, err := c.Environments.Create(ctx, EnvironmentCreateParams{Name: "e", Config: &CloudConfig{Networking: &Networking{Type: "open"}}})
			return err
		}},
		{"session without agent", "agent", func() error {
			_, err := c.Sessions.Create(ctx, SessionCreateParams{EnvironmentID: "env_1"})
			return err
		}},
		{"session without environment", "environment_id", func() error {
			_, err := c.Sessions.Create(ctx, SessionCreateParams{Agent: NewAgentRef("agent_1")})
			return err
		}},
		{"session with an empty agent id", "agent.id", func() error {
			_, err := c.Sessions.Create(ctx, SessionCreateParams{Agent: NewAgentRef(""), EnvironmentID: "env_1"})
			return err
		}},
		{"session with a nil initial event", "initial_events[0]", func() error {
			_, err := c.Sessions.Create(ctx, SessionCreateParams{Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1", InitialEvents: []EventParam{nil}})
			return err
		}},
		{"session with a typed nil initial event", "initial_events[0]", func() error {
			_, err := c.Sessions.Create(ctx, SessionCreateParams{Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1", InitialEvents: []EventParam{(*UserMessageParam)(nil)}})
			return err
		}},
		{"session with an empty initial message", "initial_events[0].content", func() error {
			_, err := c.Sessions.Create(ctx, SessionCreateParams{Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1", InitialEvents: []EventParam{NewUserMessageBlocks()}})
			return err
		}},
		{"session update with budget and RemoveBudget", "budget", func() error {
			_, err := c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Budget: NewBudgetLimit("1", "USD"), Clear: []string{"budget"}})
			return err
		}},
		{"send nothing", "events", func() error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{})
			return err
		}},
		{"send a nil event", "events[0]", func() error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{nil}})
			return err
		}},
		{"send a typed nil message", "events[0]", func() error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{(*UserMessageParam)(nil)}})
			return err
		}},
		{"send nil content", "events[0].content", func() error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{&UserMessageParam{}}})
			return err
		}},
		{"send a nil block", "events[0].content[0]", func() error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessageBlocks(nil)}})
			return err
		}},
		{"send a typed nil block", "events[0].content[0]", func() error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessageBlocks((*TextBlock)(nil))}})
			return err
		}},
		{"second event nil", "events[1]", func() error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessage("a"), nil}})
			return err
		}},
		{"confirmation outside the enum", "events[0].result", func() error {
			_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{&UserToolConfirmationParam{ToolUseID: "toolu_1", Result: "maybe"}}})
			return err
		}},
		{"events list order outside the enum", "order", func() error {
			_, err := c.Sessions.Events.List(ctx, "sesn_1", SessionEventListParams{Order: "sideways"})
			return err
		}},
		{"events list empty type", "types", func() error {
			_, err := c.Sessions.Events.List(ctx, "sesn_1", SessionEventListParams{Types: []EventType{""}})
			return err
		}},
		{"stream deltas outside the enum", "event_deltas", func() error {
			_, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{EventDeltas: []EventType{"agent.tool_use"}})
			return err
		}},
		{"resource without file", "file_id", func() error {
			_, err := c.Sessions.Resources.Add(ctx, "sesn_1", SessionResourceAddParams{})
			return err
		}},
		{"resource with a relative mount path", "mount_path", func() error {
			_, err := c.Sessions.Resources.Add(ctx, "sesn_1", SessionResourceAddParams{FileID: "file_1", MountPath: "../etc"})
			return err
		}},
		{"resource update without token", "authorization_token", func() error {
			_, err := c.Sessions.Resources.Update(ctx, "sesn_1", "sesrsc_1", SessionResourceUpdateParams{})
			return err
		}},
	}
	for _, tc := range cases {
		var err error
		require.NotPanics(t, func() { err = tc.call() }, tc.name)
		requireValidation(t, err, tc.field, tc.name)
	}
	require.Zero(t, n.Load(), "nothing sent")
}

// badAnswer is a server answer that is not what the API promises.
type badAnswer struct {
	name        string
	status      int
	contentType string
	body        string
}

var badAnswers = []badAnswer{
	{"HTML error page", 502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"},
	{"plain text error", 500, "text/plain", "upstream connect error or disconnect/reset before headers"},
	{"truncated JSON error", 503, "application/json", `{"type":"error","error":{"type":"overloaded_er`},
	{"JSON error of another shape", 400, "application/json", `{"errors":[{"code":1}]}`},
	{"empty error body", 404, "application/json", ""},
	{"HTML with 200", 200, "text/html", "<html><body>Please log in to the captive portal</body></html>"},
	{"not JSON with 200", 200, "text/plain", "ok"},
	{"truncated JSON with 200", 200, "application/json", `{"id":"x","type":"ag`},
	{"empty body with 200", 200, "application/json", ""},
	{"JSON of the wrong shape with 200", 200, "application/json", `[1,2,3]`},
	{"null with 200", 200, "application/json", `null`},
}

// call is one public method, repeatable or not, with valid arguments.
type call struct {
	name       string
	repeatable bool
	run        func(ctx context.Context, c *Client) error
}

var answerCalls = []call{
	{"Agents.Create", false, func(ctx context.Context, c *Client) error {
		_, err := c.Agents.Create(ctx, AgentCreateParams{Name: "a", Model: ModelConfig{ID: "m"}})
		return err
	}},
	{"Environments.Create", false, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Create(ctx, EnvironmentCreateParams{Name: "e"})
		return err
	}},
	{"Sessions.Create", false, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Create(ctx, SessionCreateParams{Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1"})
		return err
	}},
	{"Sessions.Events.Send", false, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessage("hi")}})
		return err
	}},
	{"Sessions.Resources.Add", false, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Resources.Add(ctx, "sesn_1", SessionResourceAddParams{FileID: "file_1"})
		return err
	}},
	{"Agents.Get", true, func(ctx context.Context, c *Client) error {
		_, err := c.Agents.Get(ctx, "agent_1", AgentGetParams{})
		return err
	}},
	{"Sessions.Events.List", true, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Events.List(ctx, "sesn_1", SessionEventListParams{})
		return err
	}},
	{"Sessions.Resources.Get", true, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Resources.Get(ctx, "sesn_1", "sesrsc_1", SessionResourceGetParams{})
		return err
	}},
}

// TestBadAnswers: every call meets every kind of bad answer with a clear error
// (an *APIError for an error status), never a panic, and a non-repeatable call
// is sent exactly once, even with retries on.
func TestBadAnswers(t *testing.T) {
	t.Parallel()
	for _, a := range badAnswers {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			handler := func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", a.contentType)
				w.Header().Set("Request-Id", "req_bad")
				w.Header().Set("Retry-After-Ms", "1")
				w.WriteHeader(a.status)
				_, _ = w.Write([]byte(a.body))
			}
			for _, cl := range answerCalls {
				c, n := countingClient(t, handler, option.WithMaxRetries(2))
				var err error
				require.NotPanics(t, func() { err = cl.run(context.Background(), c) }, cl.name)
				require.Error(t, err, cl.name)
				msg := err.Error()
				require.True(t, strings.HasPrefix(msg, "managedagents: "), "%s: %q", cl.name, msg)
				require.NotContains(t, msg, testAPIKey)

				want := 1
				if cl.repeatable && a.status >= 500 {
					want = 3 // retried; 5xx answers are transient
				}
				require.EqualValues(t, want, n.Load(), "%s: requests", cl.name)

				if a.status/100 != 2 {
					var apiErr *APIError
					require.ErrorAs(t, err, &apiErr, cl.name)
					require.Equal(t, a.status, apiErr.StatusCode)
					require.Equal(t, "req_bad", apiErr.RequestID)
					require.NotEmpty(t, apiErr.Message)
					if !cl.repeatable && a.status >= 500 {
						require.ErrorIs(t, err, ErrDeliveryUncertain, "%s: a 5xx after sending a create", cl.name)
					}
					continue
				}
				// A 2xx answer that cannot be read: the request took effect, so
				// the error must not look like a refusal or a validation error.
				require.NotErrorIs(t, err, ErrInvalidParams)
				var apiErr *APIError
				require.False(t, errors.As(err, &apiErr), "%s: %v", cl.name, err)
				require.ErrorIs(t, err, ErrMalformedResponse, cl.name)
				var re *ResponseError
				require.ErrorAs(t, err, &re, cl.name)
				if re.StatusCode != 0 {
					// Decoded by the transport, which saw the answer's headers
					// (a resource decoded afterwards has only the path).
					require.Equal(t, "req_bad", re.RequestID, cl.name)
					require.Equal(t, a.contentType, re.ContentType, cl.name)
					require.Contains(t, msg, "req_bad", cl.name)
				}
			}
		})
	}
}

// TestListAllBadPage: a bad page in the middle of a list ends the iteration
// with one clear error after the items before it; a page of the wrong shape is
// a *ResponseError; an empty page with no cursor ends it quietly.
func TestListAllBadPage(t *testing.T) {
	t.Parallel()
	pages := map[string]badAnswer{
		"":   {status: 200, contentType: "application/json", body: `{"data":[{"id":"agent_1","type":"agent"},{"id":"agent_2","type":"agent"}],"next_page":"p2"}`},
		"p2": {status: 502, contentType: "text/html", body: "<html><title>Bad Gateway</title></html>"},
		"p3": {status: 200, contentType: "application/json", body: `{"data":[{"id":"agent_3","type":"agent"}],"next_page":7}`},
		"p4": {status: 200, contentType: "application/json", body: `{"data":null,"next_page":""}`},
	}
	c, n := countingClient(t, func(w http.ResponseWriter, r *http.Request) {
		a := pages[r.URL.Query().Get("page")]
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("Retry-After-Ms", "1")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}, option.WithMaxRetries(1))
	collect := func(from string) (ids []string, errs []error) {
		for a, err := range c.Agents.ListAll(context.Background(), AgentListParams{Page: from}) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ids = append(ids, a.ID)
		}
		return ids, errs
	}
	ids, errs := collect("")
	require.Equal(t, []string{"agent_1", "agent_2"}, ids)
	require.Len(t, errs, 1)
	var apiErr *APIError
	require.ErrorAs(t, errs[0], &apiErr)
	require.Equal(t, 502, apiErr.StatusCode)
	require.EqualValues(t, 3, n.Load(), "page 1, page 2 and its retry")

	ids, errs = collect("p3")
	require.Empty(t, ids)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrMalformedResponse)

	ids, errs = collect("p4")
	require.Empty(t, ids)
	require.Empty(t, errs)
}

// TestBadStreamAnswers: a stream open answered with an error status, or with a
// 200 that is not an event stream (a proxy's page, JSON), fails at once with a
// typed error, after one request: no reconnect loop hides it.
func TestBadStreamAnswers(t *testing.T) {
	t.Parallel()
	for _, a := range []badAnswer{
		{"HTML 404", 404, "text/html", "<html><title>Not Found</title></html>"},
		{"401 JSON", 401, "application/json", `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`},
		{"JSON instead of a stream", 200, "application/json", `{"data":[],"next_page":""}`},
		{"HTML instead of a stream", 200, "text/html; charset=utf-8", "<html><body>Please log in</body></html>"},
		{"plain text instead of a stream", 200, "text/plain", "event: x\ndata: {}\n\n"},
	} {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			c, n := countingClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", a.contentType)
				w.Header().Set("Request-Id", "req_stream")
				w.WriteHeader(a.status)
				_, _ = w.Write([]byte(a.body))
			}, option.WithStreamBackoff(time.Millisecond, time.Millisecond))
			var err error
			require.NotPanics(t, func() {
				var st *EventStream
				st, err = c.Sessions.Events.Stream(context.Background(), "sesn_1", EventStreamParams{})
				if st != nil {
					_ = st.Close()
				}
			})
			require.Error(t, err)
			require.EqualValues(t, 1, n.Load(), "requests")
			if a.status != 200 {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				require.Equal(t, a.status, apiErr.StatusCode)
				return
			}
			require.ErrorIs(t, err, ErrMalformedResponse)
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			require.Equal(t, a.contentType, re.ContentType)
			require.Equal(t, "req_stream", re.RequestID)
			require.Contains(t, err.Error(), "not an event stream")
		})
	}
}

// TestNilContext: a nil context is a *ValidationError for "ctx", never a
// panic, and nothing is sent.
func TestNilContext(t *testing.T) {
	t.Parallel()
	c, n := countingClient(t, nil)
	var nilCtx context.Context
	calls := map[string]func() error{
		"Agents.Get": func() error {
			_, err := c.Agents.Get(nilCtx, "agent_1", AgentGetParams{})
			return err
		},
		"Agents.Create": func() error {
			_, err := c.Agents.Create(nilCtx, AgentCreateParams{Name: "a", Model: ModelConfig{ID: "m"}})
			return err
		},
		"Agents.ListAll": func() error {
			for _, err := range c.Agents.ListAll(nilCtx, AgentListParams{}) {
				return err
			}
			return nil
		},
		"Sessions.Events.Send": func() error {
			_, err := c.Sessions.Events.Send(nilCtx, "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessage("hi")}})
			return err
		},
		"Sessions.Events.Stream": func() error {
			_, err := c.Sessions.Events.Stream(nilCtx, "sesn_1", EventStreamParams{})
			return err
		},
		"Sessions.Threads.Stream": func() error {
			_, err := c.Sessions.Threads.Events.Stream(nilCtx, "sesn_1", "sthr_1", EventStreamParams{})
			return err
		},
	}
	for name, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		requireValidation(t, err, "ctx", name)
	}
	require.Zero(t, n.Load(), "nothing sent")
}
