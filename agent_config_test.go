package managedagents

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMetadataPatch(t *testing.T) {
	t.Parallel()
	var nilPatch MetadataPatch
	p := nilPatch.Set("a", "1")
	require.Equal(t, "1", *p["a"])
	var nilPatch2 MetadataPatch
	p = nilPatch2.Delete("b").Set("c", "")
	b, err := json.Marshal(p)
	require.NoError(t, err)
	require.JSONEq(t, `{"b":null,"c":""}`, string(b))
}

func TestSchemaFromJSON(t *testing.T) {
	t.Parallel()
	s, err := DecodeInputSchema([]byte(`{"type":"object","properties":{"q":{"type":"string"}},"required":["q"],"additionalProperties":false}`))
	require.NoError(t, err)
	require.Equal(t, InputSchema{
		Type:       "object",
		Properties: map[string]any{"q": map[string]any{"type": "string"}},
		Required:   []string{"q"},
		Extra:      map[string]any{"additionalProperties": false},
	}, s)
	b, err := json.Marshal(s)
	require.NoError(t, err)
	require.JSONEq(t, `{"type":"object","properties":{"q":{"type":"string"}},"required":["q"],"additionalProperties":false}`, string(b))
	_, err = DecodeInputSchema([]byte(`[1]`))
	require.Error(t, err)
	_, err = DecodeInputSchema([]byte(`{"required":"q"}`))
	require.Error(t, err)
}

// An agent read from the API, with a tool type and a multiagent type this SDK
// does not know, can be sent back in an update unchanged.
func TestUpdateSendsUnknownPartsBack(t *testing.T) {
	t.Parallel()
	raw := `{"id":"agent_1","type":"agent","name":"x","model":{"id":"m"},"tools":[{"type":"browser_2027","viewport":{"w":800}}],"multiagent":{"type":"swarm_2027","size":3},"version":4}`
	var a Agent
	require.NoError(t, json.Unmarshal([]byte(raw), &a))
	require.Equal(t, "swarm_2027", a.Multiagent.Type)
	c, reqs := newTestClient(t, replyJSON(200, raw))
	_, err := c.Agents.Update(context.Background(), a.ID, AgentUpdateParams{Tools: a.Tools, Multiagent: a.Multiagent, Version: a.Version})
	require.NoError(t, err)
	require.JSONEq(t, `{"tools":[{"type":"browser_2027","viewport":{"w":800}}],"multiagent":{"type":"swarm_2027","size":3},"version":4}`, string((*reqs)[0].Body))
}

func TestMultiagentAgentDecoding(t *testing.T) {
	t.Parallel()
	var entries []MultiagentAgent
	require.NoError(t, json.Unmarshal([]byte(`["agent_7",{"type":"self"},{"type":"agent","id":"agent_8"}]`), &entries))
	require.Equal(t, []MultiagentAgent{{Type: "agent", ID: "agent_7"}, NewMultiagentAgentSelf(), NewMultiagentAgent("agent_8", 0)}, entries)
	require.Error(t, json.Unmarshal([]byte(`[{"type":"agent","version":"x"}]`), &entries))
}

// Malformed responses give errors, never panics.
func TestMalformedResponses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body string
		call func(c *Client) error
	}{
		{"agent tools not a list", `{"id":"a","tools":{"type":"custom"}}`, func(c *Client) error {
			_, err := c.Agents.Get(context.Background(), "a", AgentGetParams{})
			return err
		}},
		{"custom tool bad schema", `{"id":"a","tools":[{"type":"custom","input_schema":[]}]}`, func(c *Client) error {
			_, err := c.Agents.Get(context.Background(), "a", AgentGetParams{})
			return err
		}},
		{"tool not an object", `{"id":"a","tools":[3]}`, func(c *Client) error {
			_, err := c.Agents.Get(context.Background(), "a", AgentGetParams{})
			return err
		}},
		{"env config not an object", `{"id":"e","config":"cloud"}`, func(c *Client) error {
			_, err := c.Environments.Get(context.Background(), "e", EnvironmentGetParams{})
			return err
		}},
		{"cloud config bad networking", `{"id":"e","config":{"type":"cloud","networking":[]}}`, func(c *Client) error {
			_, err := c.Environments.Get(context.Background(), "e", EnvironmentGetParams{})
			return err
		}},
		{"session resources bad", `{"id":"s","resources":[{"type":"file","file_id":5}]}`, func(c *Client) error {
			_, err := c.Sessions.Get(context.Background(), "s", SessionGetParams{})
			return err
		}},
		{"resource not an object", `"file"`, func(c *Client) error {
			_, err := c.Sessions.Resources.Get(context.Background(), "s", "r", SessionResourceGetParams{})
			return err
		}},
		{"resource page bad", `{"data":{"x":1}}`, func(c *Client) error {
			_, err := c.Sessions.Resources.List(context.Background(), "s", SessionResourceListParams{})
			return err
		}},
		{"thread agent bad", `{"id":"t","agent":{"type":"inline","tools":"x"}}`, func(c *Client) error {
			_, err := c.Sessions.Threads.Get(context.Background(), "s", "t", SessionThreadGetParams{})
			return err
		}},
		{"effort bad", `{"id":"a","model":{"id":"m","effort":[1]}}`, func(c *Client) error {
			_, err := c.Agents.Get(context.Background(), "a", AgentGetParams{})
			return err
		}},
		{"empty body on get", ``, func(c *Client) error {
			_, err := c.Sessions.Get(context.Background(), "s", SessionGetParams{})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newTestClient(t, replyJSON(200, tc.body))
			require.Error(t, tc.call(c))
		})
	}
}

func TestNullsDecodeToZero(t *testing.T) {
	t.Parallel()
	var a Agent
	require.NoError(t, json.Unmarshal([]byte(`{"id":"a","tools":null,"model":null,"multiagent":null,"execution_identity":null,"archived_at":null}`), &a))
	require.Nil(t, a.Tools)
	require.Empty(t, a.Model.ID)
	require.Nil(t, a.Multiagent)
	require.Nil(t, a.ExecutionIdentity)
	var e Environment
	require.NoError(t, json.Unmarshal([]byte(`{"id":"e","config":null}`), &e))
	require.Nil(t, e.Config)
	var s Session
	require.NoError(t, json.Unmarshal([]byte(`{"id":"s","resources":null,"budget":null,"deployment_id":null}`), &s))
	require.Nil(t, s.Resources)
	var mc ModelConfig
	require.NoError(t, json.Unmarshal([]byte(`null`), &mc))
	var eff Effort = EffortLow
	require.NoError(t, json.Unmarshal([]byte(`null`), &eff))
	require.Equal(t, EffortLow, eff)
}
