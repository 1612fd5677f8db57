package otelmanagedagents

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/go-managedagents/managedagents/option"
)

// idCases are endpoints of the API reference (webhooks-telemetry section 2.5,
// the official SDK's resource ids) with the id attributes of their spans:
// the path's, in order, and a create's new id. They cover the areas added
// after this package (vaults, memory stores, deployments, files, skills,
// environment work, organization webhooks): the attributes come from the
// route's placeholders, so a new endpoint needs no code here.
var idCases = []struct {
	endpoint string // "op METHOD /route"
	path     []attribute.Key
	created  attribute.Key
}{
	{"agents.create POST /v1/agents", nil, "gen_ai.agent.id"},
	{"agents.retrieve GET /v1/agents/{agent_id}", []attribute.Key{"gen_ai.agent.id"}, ""},
	{"agents.versions.list GET /v1/agents/{agent_id}/versions", []attribute.Key{"gen_ai.agent.id"}, ""},
	{"environments.create POST /v1/environments", nil, "anthropic.environment.id"},
	{"environments.archive POST /v1/environments/{environment_id}/archive", []attribute.Key{"anthropic.environment.id"}, ""},
	{"environments.work.poll GET /v1/environments/{environment_id}/work/poll", []attribute.Key{"anthropic.environment.id"}, ""},
	{"environments.work.ack POST /v1/environments/{environment_id}/work/{work_id}/ack", []attribute.Key{"anthropic.environment.id", "anthropic.environment.work.id"}, ""},
	{"environments.work.heartbeat POST /v1/environments/{environment_id}/work/{work_id}/heartbeat", []attribute.Key{"anthropic.environment.id", "anthropic.environment.work.id"}, ""},
	{"sessions.create POST /v1/sessions", nil, "anthropic.session.id"},
	{"sessions.events.send POST /v1/sessions/{session_id}/events", []attribute.Key{"anthropic.session.id"}, ""},
	{"sessions.resources.add POST /v1/sessions/{session_id}/resources", []attribute.Key{"anthropic.session.id"}, "anthropic.session.resource.id"},
	{"sessions.resources.update POST /v1/sessions/{session_id}/resources/{resource_id}", []attribute.Key{"anthropic.session.id", "anthropic.session.resource.id"}, ""},
	{"sessions.threads.events.stream GET /v1/sessions/{session_id}/threads/{thread_id}/stream", []attribute.Key{"anthropic.session.id", "anthropic.session.thread.id"}, ""},
	{"vaults.create POST /v1/vaults", nil, "anthropic.vault.id"},
	{"vaults.credentials.create POST /v1/vaults/{vault_id}/credentials", []attribute.Key{"anthropic.vault.id"}, "anthropic.vault.credential.id"},
	{"vaults.credentials.mcp_oauth_validate POST /v1/vaults/{vault_id}/credentials/{credential_id}/mcp_oauth_validate", []attribute.Key{"anthropic.vault.id", "anthropic.vault.credential.id"}, ""},
	{"memory_stores.create POST /v1/memory_stores", nil, "gen_ai.memory.store.id"},
	{"memory_stores.memories.create POST /v1/memory_stores/{memory_store_id}/memories", []attribute.Key{"gen_ai.memory.store.id"}, "gen_ai.memory.record.id"},
	{"memory_stores.memories.update POST /v1/memory_stores/{memory_store_id}/memories/{memory_id}", []attribute.Key{"gen_ai.memory.store.id", "gen_ai.memory.record.id"}, ""},
	{"memory_stores.memory_versions.redact POST /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact", []attribute.Key{"gen_ai.memory.store.id", "anthropic.memory_store.memory_version.id"}, ""},
	{"deployments.create POST /v1/deployments", nil, "anthropic.deployment.id"},
	{"deployments.run POST /v1/deployments/{deployment_id}/run", []attribute.Key{"anthropic.deployment.id"}, ""},
	{"deployment_runs.retrieve GET /v1/deployment_runs/{deployment_run_id}", []attribute.Key{"anthropic.deployment_run.id"}, ""},
	{"files.upload POST /v1/files", nil, "anthropic.file.id"},
	{"files.download GET /v1/files/{file_id}/content", []attribute.Key{"anthropic.file.id"}, ""},
	{"skills.create POST /v1/skills", nil, "anthropic.skill.id"},
	{"skills.versions.create POST /v1/skills/{skill_id}/versions", []attribute.Key{"anthropic.skill.id"}, "anthropic.skill.version.id"},
	{"skills.versions.download GET /v1/skills/{skill_id}/versions/{version}/content", []attribute.Key{"anthropic.skill.id", "anthropic.skill.version.id"}, ""},
	{"organization.webhooks.create POST /v1/organizations/webhooks", nil, "anthropic.organization.webhook.id"},
	{"organization.webhooks.regenerate_signing_secret POST /v1/organizations/webhooks/{webhook_endpoint_id}/regenerate_signing_secret", []attribute.Key{"anthropic.organization.webhook.id"}, ""},
	// Endpoints the reference does not list follow the SDK's rule for its
	// newer resources.
	{"tunnels.create POST /v1/tunnels", nil, "anthropic.tunnel.id"},
	{"user_profiles.retrieve GET /v1/user_profiles/{user_profile_id}", []attribute.Key{"anthropic.user_profile.id"}, ""},
}

// callOf returns the option.Call of endpoint ("op METHOD /route"), each path
// parameter's value being its name in capitals.
func callOf(endpoint string) *option.Call {
	f := strings.Fields(endpoint)
	c := &option.Call{Operation: f[0], Method: f[1], Route: f[2]}
	for seg := range strings.SplitSeq(f[2], "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			c.PathParams = append(c.PathParams, option.PathParam{Name: name, Value: strings.ToUpper(name)})
		}
	}
	return c
}

// TestIDAttributesComeFromThePlaceholders: every endpoint's path ids and a
// create's new id get the reference's attribute, also for the areas added in
// parallel, with no code per endpoint.
func TestIDAttributesComeFromThePlaceholders(t *testing.T) {
	for _, tc := range idCases {
		call := callOf(tc.endpoint)
		var got []attribute.Key
		for _, kv := range pathIDAttributes(call.PathParams) {
			if kv.Key != keyConversationID {
				got = append(got, kv.Key)
			}
		}
		require.Equal(t, tc.path, got, tc.endpoint)
		created, ok := createdIDKey(call)
		require.Equal(t, tc.created != "", ok, tc.endpoint)
		require.Equal(t, tc.created, created, tc.endpoint)
	}
}

// TestThreadCallsNameTheConversation: a call on a thread has the thread as
// gen_ai.conversation.id, as the official SDK's spans do.
func TestThreadCallsNameTheConversation(t *testing.T) {
	call := callOf("sessions.threads.retrieve GET /v1/sessions/{session_id}/threads/{thread_id}")
	require.Contains(t, pathIDAttributes(call.PathParams), keyConversationID.String("THREAD_ID"))
	call = callOf("sessions.retrieve GET /v1/sessions/{session_id}")
	for _, kv := range pathIDAttributes(call.PathParams) {
		require.NotEqual(t, keyConversationID, kv.Key)
	}
}

// TestEveryPlaceholderOfTheReferenceIsMapped: the reference's placeholders
// have their own keys, never the fallback.
func TestEveryPlaceholderOfTheReferenceIsMapped(t *testing.T) {
	for _, name := range []string{"agent_id", "environment_id", "work_id", "session_id", "resource_id", "thread_id",
		"vault_id", "credential_id", "memory_store_id", "memory_id", "memory_version_id", "deployment_id",
		"deployment_run_id", "file_id", "skill_id", "version", "webhook_endpoint_id"} {
		_, ok := pathIDKeys[name]
		require.True(t, ok, name)
	}
}
