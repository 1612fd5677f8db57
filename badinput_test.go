package managedagents

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
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

// validParams are params, by type, whose zero value is refused: a method
// that takes one is called with it, so that only its path ids can be wrong.
func validParams(t *testing.T) map[reflect.Type]any {
	events := []EventParam{NewUserMessage("hi")}
	ps := []any{
		SessionEventSendParams{Events: events},
		SessionRunTurnParams{Events: events},
		SessionResourceAddParams{FileID: "file_1"},
		SessionResourceUpdateParams{AuthorizationToken: NewSecret("t")},
		VaultCredentialCreateParams{Auth: NewStaticBearerAuth("https://mcp.example.com/mcp", "t")},
		MemoryCreateParams{Path: "/a.md", Content: "a"},
		MemoryUpdateParams{Content: new("a")},
		EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: NoHeartbeat},
		SkillVersionCreateParams{FS: testSkillFS()},
		SkillVersionUnpackParams{Dir: filepath.Join(t.TempDir(), "skill")},
		FileDownloadToFileParams{Path: filepath.Join(t.TempDir(), "out")},
	}
	m := map[reflect.Type]any{}
	for _, p := range ps {
		m[reflect.TypeOf(p)] = p
	}
	return m
}

// serviceMethod returns the method at path ("Sessions.Events.Send") of c.
func serviceMethod(c *Client, path string) reflect.Value {
	v := reflect.ValueOf(c)
	names := strings.Split(path, ".")
	for _, f := range names[:len(names)-1] {
		v = v.Elem().FieldByName(f)
	}
	return v.MethodByName(names[len(names)-1])
}

// callWithIDs calls m with ids in the place of its path ids, params (the
// zero value unless given) and no options, and returns its error: for a
// ListAll, the error of its first element; a stream or download opened is
// closed.
func callWithIDs(m reflect.Value, ids []string, params map[reflect.Type]any) error {
	mt := m.Type()
	args := []reflect.Value{reflect.ValueOf(context.Background())}
	for _, id := range ids {
		args = append(args, reflect.ValueOf(id))
	}
	pt := mt.In(len(ids) + 1)
	p := reflect.New(pt).Elem()
	if v, ok := params[pt]; ok {
		p = reflect.ValueOf(v)
	}
	out := m.Call(append(args, p))
	last := out[len(out)-1]
	if last.Kind() == reflect.Func { // iter.Seq2[T, error]
		var err error
		yield := reflect.MakeFunc(last.Type().In(0), func(a []reflect.Value) []reflect.Value {
			err, _ = a[1].Interface().(error)
			return []reflect.Value{reflect.ValueOf(false)}
		})
		last.Call([]reflect.Value{yield})
		return err
	}
	if c, ok := out[0].Interface().(io.Closer); ok && !out[0].IsNil() {
		_ = c.Close()
	}
	err, _ := last.Interface().(error)
	return err
}

// routeParams returns the names of the path parameters of route, in order.
func routeParams(route string) []string {
	var names []string
	for rest := route; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(rest[i:], '}')
		names = append(names, rest[i+1:i+j])
		rest = rest[i+j:]
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

// TestBadIDsNeverSent: every service method rejects every bad ID in each
// of its path ids, naming the ID's field as its route does, before anything
// is sent: lists and their iterators, streams, uploads, downloads and turns
// alike.
func TestBadIDsNeverSent(t *testing.T) {
	t.Parallel()
	c, n := countingClient(t, nil)
	params := validParams(t)
	checked := 0
	for _, name := range serviceMethods(c) {
		route := wantEndpoints[serviceCalls[name].ops[0]].route
		fields := routeParams(route)
		m := serviceMethod(c, name)
		require.Equal(t, len(fields)+3, m.Type().NumIn(), "%s: ctx, the ids of %s, params, opts", name, route)
		for i, field := range fields {
			for _, bad := range badIDs {
				ids := []string{"id_1", "id_2", "id_3"}[:len(fields)]
				ids[i] = bad
				requireValidation(t, callWithIDs(m, ids, params), field, "%s(%q) in %s", name, bad, field)
				checked++
			}
		}
	}
	require.Zero(t, n.Load(), "nothing sent")
	require.Greater(t, checked, 100*len(badIDs))
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
