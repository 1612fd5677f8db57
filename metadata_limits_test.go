package managedagents

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMetadataLimitsCheckedBeforeSending: the metadata of agents,
// environments, deployments, vaults and vault credentials (at most 16 pairs,
// keys of 1 to 64 characters, values of at most 512: the reference's
// AgentCreateParams and Environment, more-resources.md §2.6, §3.1, §3.4) is
// checked before anything is sent, on create and in an update's patch, where
// a deleted key counts for nothing. The limits themselves are accepted.
func TestMetadataLimitsCheckedBeforeSending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pairs := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m["k"+strconv.Itoa(i)] = "v"
		}
		return m
	}
	patch := func(m map[string]string) MetadataPatch {
		p := MetadataPatch{}
		for k, v := range m {
			p = p.Set(k, v)
		}
		return p
	}
	key64, key65 := strings.Repeat("é", 64), strings.Repeat("é", 65)
	val512, val513 := strings.Repeat("é", 512), strings.Repeat("é", 513)

	// Each call sends metadata m (on create) or the patch of m (on update).
	calls := map[string]func(c *Client, m map[string]string) error{
		"Agents.Create": func(c *Client, m map[string]string) error {
			_, err := c.Agents.Create(ctx, AgentCreateParams{Name: "a", Model: ModelConfig{ID: "claude-sonnet-5-5"}, Metadata: m})
			return err
		},
		"Agents.Update": func(c *Client, m map[string]string) error {
			_, err := c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Metadata: patch(m)})
			return err
		},
		"Environments.Create": func(c *Client, m map[string]string) error {
			_, err := c.Environments.Create(ctx, EnvironmentCreateParams{Name: "e", Metadata: m})
			return err
		},
		"Environments.Update": func(c *Client, m map[string]string) error {
			_, err := c.Environments.Update(ctx, "env_1", EnvironmentUpdateParams{Metadata: patch(m)})
			return err
		},
		"Deployments.Create": func(c *Client, m map[string]string) error {
			_, err := c.Deployments.Create(ctx, DeploymentCreateParams{Name: "d", Agent: NewAgentRef("agent_1"),
				EnvironmentID: "env_1", InitialEvents: []EventParam{NewUserMessage("go")}, Metadata: m})
			return err
		},
		"Deployments.Update": func(c *Client, m map[string]string) error {
			_, err := c.Deployments.Update(ctx, "depl_1", DeploymentUpdateParams{Metadata: patch(m)})
			return err
		},
		"Vaults.Create": func(c *Client, m map[string]string) error {
			_, err := c.Vaults.Create(ctx, VaultCreateParams{DisplayName: "v", Metadata: m})
			return err
		},
		"Vaults.Update": func(c *Client, m map[string]string) error {
			_, err := c.Vaults.Update(ctx, "vlt_1", VaultUpdateParams{Metadata: patch(m)})
			return err
		},
		"Vaults.Credentials.Create": func(c *Client, m map[string]string) error {
			_, err := c.Vaults.Credentials.Create(ctx, "vlt_1", VaultCredentialCreateParams{
				Auth: NewStaticBearerAuth("https://mcp.example.com/mcp", "tok"), Metadata: m})
			return err
		},
		"Vaults.Credentials.Update": func(c *Client, m map[string]string) error {
			_, err := c.Vaults.Credentials.Update(ctx, "vlt_1", "vcrd_1", VaultCredentialUpdateParams{Metadata: patch(m)})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				field    string
				metadata map[string]string
			}{
				{"metadata", pairs(17)},
				{"metadata[" + strconv.Quote(key65) + "]", map[string]string{key65: "v"}},
				{`metadata[""]`, map[string]string{"": "v"}},
				{`metadata["k"]`, map[string]string{"k": val513}},
			} {
				c, reqs := newTestClient(t, replyJSON(200, "{}"))
				requireField(t, tc.field, call(c, tc.metadata))
				require.Empty(t, *reqs)
			}
			for _, ok := range []map[string]string{pairs(16), {key64: val512}} {
				c, reqs := newTestClient(t, replyJSON(400, `{"type":"error","error":{"type":"invalid_request_error","message":"x"}}`))
				var verr *ValidationError
				require.NotErrorAs(t, call(c, ok), &verr)
				require.NotEmpty(t, *reqs, "metadata within the limits is sent")
			}
		})
	}

	// A patch that deletes keys counts only the keys it sets.
	c, reqs := newTestClient(t, replyJSON(400, `{"type":"error","error":{"type":"invalid_request_error","message":"x"}}`))
	p := patch(pairs(16))
	for i := range 10 {
		p = p.Delete("old" + strconv.Itoa(i))
	}
	_, err := c.Deployments.Update(ctx, "depl_1", DeploymentUpdateParams{Metadata: p})
	var verr *ValidationError
	require.NotErrorAs(t, err, &verr)
	require.NotEmpty(t, *reqs)
}
