package managedagents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// wantEndpoint is what the API reference says of an endpoint: its method and
// route (managed-agents-api.md §3), its rate class (§2.2) and whether a second
// send could do harm (§1.11: creates and event sends; self-hosted.md §7.1:
// work acks and heartbeats).
type wantEndpoint struct {
	route string
	class ratelimit.Class
	once  bool
}

// wantEndpoints are the Managed Agents endpoints by operation (the official
// SDK's span names, webhooks-telemetry.md §2.5), independent of endpoints.go.
var wantEndpoints = map[string]wantEndpoint{
	"agents.create":        {"POST /v1/agents", ratelimit.Create, true},
	"agents.retrieve":      {"GET /v1/agents/{agent_id}", ratelimit.Read, false},
	"agents.update":        {"POST /v1/agents/{agent_id}", ratelimit.Read, false},
	"agents.list":          {"GET /v1/agents", ratelimit.Read, false},
	"agents.archive":       {"POST /v1/agents/{agent_id}/archive", ratelimit.Read, false},
	"agents.versions.list": {"GET /v1/agents/{agent_id}/versions", ratelimit.Read, false},

	"environments.create":   {"POST /v1/environments", ratelimit.Create, true},
	"environments.retrieve": {"GET /v1/environments/{environment_id}", ratelimit.Read, false},
	"environments.update":   {"POST /v1/environments/{environment_id}", ratelimit.Read, false},
	"environments.list":     {"GET /v1/environments", ratelimit.Read, false},
	"environments.delete":   {"DELETE /v1/environments/{environment_id}", ratelimit.Read, false},
	"environments.archive":  {"POST /v1/environments/{environment_id}/archive", ratelimit.Read, false},

	"sessions.create":   {"POST /v1/sessions", ratelimit.Create, true},
	"sessions.retrieve": {"GET /v1/sessions/{session_id}", ratelimit.Read, false},
	"sessions.update":   {"POST /v1/sessions/{session_id}", ratelimit.Read, false},
	"sessions.list":     {"GET /v1/sessions", ratelimit.Read, false},
	"sessions.delete":   {"DELETE /v1/sessions/{session_id}", ratelimit.Read, false},
	"sessions.archive":  {"POST /v1/sessions/{session_id}/archive", ratelimit.Read, false},

	"sessions.events.list":   {"GET /v1/sessions/{session_id}/events", ratelimit.Read, false},
	"sessions.events.send":   {"POST /v1/sessions/{session_id}/events", ratelimit.Read, true},
	"sessions.events.stream": {"GET /v1/sessions/{session_id}/events/stream", ratelimit.Read, false},

	"sessions.resources.add":      {"POST /v1/sessions/{session_id}/resources", ratelimit.Read, true},
	"sessions.resources.retrieve": {"GET /v1/sessions/{session_id}/resources/{resource_id}", ratelimit.Read, false},
	"sessions.resources.update":   {"POST /v1/sessions/{session_id}/resources/{resource_id}", ratelimit.Read, false},
	"sessions.resources.list":     {"GET /v1/sessions/{session_id}/resources", ratelimit.Read, false},
	"sessions.resources.delete":   {"DELETE /v1/sessions/{session_id}/resources/{resource_id}", ratelimit.Read, false},

	"sessions.threads.retrieve":      {"GET /v1/sessions/{session_id}/threads/{thread_id}", ratelimit.Read, false},
	"sessions.threads.list":          {"GET /v1/sessions/{session_id}/threads", ratelimit.Read, false},
	"sessions.threads.archive":       {"POST /v1/sessions/{session_id}/threads/{thread_id}/archive", ratelimit.Read, false},
	"sessions.threads.events.list":   {"GET /v1/sessions/{session_id}/threads/{thread_id}/events", ratelimit.Read, false},
	"sessions.threads.events.stream": {"GET /v1/sessions/{session_id}/threads/{thread_id}/stream", ratelimit.Read, false},

	// self-hosted.md §2. Ack and heartbeat are Once: a repeat after a lost
	// answer would be refused and cost a worker an item or a lease it holds.
	"environments.work.poll":      {"GET /v1/environments/{environment_id}/work/poll", ratelimit.Read, false},
	"environments.work.ack":       {"POST /v1/environments/{environment_id}/work/{work_id}/ack", ratelimit.Read, true},
	"environments.work.heartbeat": {"POST /v1/environments/{environment_id}/work/{work_id}/heartbeat", ratelimit.Read, true},
	"environments.work.stop":      {"POST /v1/environments/{environment_id}/work/{work_id}/stop", ratelimit.Read, false},
	"environments.work.list":      {"GET /v1/environments/{environment_id}/work", ratelimit.Read, false},
	"environments.work.retrieve":  {"GET /v1/environments/{environment_id}/work/{work_id}", ratelimit.Read, false},
	"environments.work.update":    {"POST /v1/environments/{environment_id}/work/{work_id}", ratelimit.Read, false},
	"environments.work.stats":     {"GET /v1/environments/{environment_id}/work/stats", ratelimit.Read, false},

	// more-resources.md §2.1, §1.4: the run may start a second session when
	// sent again; runs create sessions, so they spend the create class.
	"deployments.create":       {"POST /v1/deployments", ratelimit.Create, true},
	"deployments.retrieve":     {"GET /v1/deployments/{deployment_id}", ratelimit.Read, false},
	"deployments.update":       {"POST /v1/deployments/{deployment_id}", ratelimit.Read, false},
	"deployments.list":         {"GET /v1/deployments", ratelimit.Read, false},
	"deployments.archive":      {"POST /v1/deployments/{deployment_id}/archive", ratelimit.Read, false},
	"deployments.pause":        {"POST /v1/deployments/{deployment_id}/pause", ratelimit.Read, false},
	"deployments.unpause":      {"POST /v1/deployments/{deployment_id}/unpause", ratelimit.Read, false},
	"deployments.run":          {"POST /v1/deployments/{deployment_id}/run", ratelimit.Create, true},
	"deployment_runs.retrieve": {"GET /v1/deployment_runs/{deployment_run_id}", ratelimit.Read, false},
	"deployment_runs.list":     {"GET /v1/deployment_runs", ratelimit.Read, false},

	// more-resources.md §3.1, §1.4; vaults create is a create (§2.2 of the API
	// reference).
	"vaults.create":                         {"POST /v1/vaults", ratelimit.Create, true},
	"vaults.retrieve":                       {"GET /v1/vaults/{vault_id}", ratelimit.Read, false},
	"vaults.update":                         {"POST /v1/vaults/{vault_id}", ratelimit.Read, false},
	"vaults.list":                           {"GET /v1/vaults", ratelimit.Read, false},
	"vaults.delete":                         {"DELETE /v1/vaults/{vault_id}", ratelimit.Read, false},
	"vaults.archive":                        {"POST /v1/vaults/{vault_id}/archive", ratelimit.Read, false},
	"vaults.credentials.create":             {"POST /v1/vaults/{vault_id}/credentials", ratelimit.Create, true},
	"vaults.credentials.retrieve":           {"GET /v1/vaults/{vault_id}/credentials/{credential_id}", ratelimit.Read, false},
	"vaults.credentials.update":             {"POST /v1/vaults/{vault_id}/credentials/{credential_id}", ratelimit.Read, false},
	"vaults.credentials.list":               {"GET /v1/vaults/{vault_id}/credentials", ratelimit.Read, false},
	"vaults.credentials.delete":             {"DELETE /v1/vaults/{vault_id}/credentials/{credential_id}", ratelimit.Read, false},
	"vaults.credentials.archive":            {"POST /v1/vaults/{vault_id}/credentials/{credential_id}/archive", ratelimit.Read, false},
	"vaults.credentials.mcp_oauth_validate": {"POST /v1/vaults/{vault_id}/credentials/{credential_id}/mcp_oauth_validate", ratelimit.Read, false},

	// Memory stores (more-resources.md §4.1; creates conservative per §1.4).
	"memory_stores.create":                   {"POST /v1/memory_stores", ratelimit.Create, true},
	"memory_stores.retrieve":                 {"GET /v1/memory_stores/{memory_store_id}", ratelimit.Read, false},
	"memory_stores.update":                   {"POST /v1/memory_stores/{memory_store_id}", ratelimit.Read, false},
	"memory_stores.list":                     {"GET /v1/memory_stores", ratelimit.Read, false},
	"memory_stores.delete":                   {"DELETE /v1/memory_stores/{memory_store_id}", ratelimit.Read, false},
	"memory_stores.archive":                  {"POST /v1/memory_stores/{memory_store_id}/archive", ratelimit.Read, false},
	"memory_stores.memories.create":          {"POST /v1/memory_stores/{memory_store_id}/memories", ratelimit.Read, true},
	"memory_stores.memories.retrieve":        {"GET /v1/memory_stores/{memory_store_id}/memories/{memory_id}", ratelimit.Read, false},
	"memory_stores.memories.update":          {"POST /v1/memory_stores/{memory_store_id}/memories/{memory_id}", ratelimit.Read, false},
	"memory_stores.memories.list":            {"GET /v1/memory_stores/{memory_store_id}/memories", ratelimit.Read, false},
	"memory_stores.memories.delete":          {"DELETE /v1/memory_stores/{memory_store_id}/memories/{memory_id}", ratelimit.Read, false},
	"memory_stores.memory_versions.list":     {"GET /v1/memory_stores/{memory_store_id}/memory_versions", ratelimit.Read, false},
	"memory_stores.memory_versions.retrieve": {"GET /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}", ratelimit.Read, false},
	"memory_stores.memory_versions.redact":   {"POST /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact", ratelimit.Read, false},

	// Files and skills (more-resources.md §5, §6): outside the Managed Agents
	// budgets, declared Read; uploads create something, so they are Once.
	"files.upload":            {"POST /v1/files", ratelimit.Read, true},
	"files.list":              {"GET /v1/files", ratelimit.Read, false},
	"files.retrieve_metadata": {"GET /v1/files/{file_id}", ratelimit.Read, false},
	"files.download":          {"GET /v1/files/{file_id}/content", ratelimit.Read, false},
	"files.delete":            {"DELETE /v1/files/{file_id}", ratelimit.Read, false},

	"skills.create":            {"POST /v1/skills", ratelimit.Read, true},
	"skills.retrieve":          {"GET /v1/skills/{skill_id}", ratelimit.Read, false},
	"skills.list":              {"GET /v1/skills", ratelimit.Read, false},
	"skills.delete":            {"DELETE /v1/skills/{skill_id}", ratelimit.Read, false},
	"skills.versions.create":   {"POST /v1/skills/{skill_id}/versions", ratelimit.Read, true},
	"skills.versions.retrieve": {"GET /v1/skills/{skill_id}/versions/{version}", ratelimit.Read, false},
	"skills.versions.list":     {"GET /v1/skills/{skill_id}/versions", ratelimit.Read, false},
	"skills.versions.delete":   {"DELETE /v1/skills/{skill_id}/versions/{version}", ratelimit.Read, false},
	"skills.versions.download": {"GET /v1/skills/{skill_id}/versions/{version}/content", ratelimit.Read, false},
}

// serviceCall calls one service method with valid arguments and says which
// endpoints it uses.
type serviceCall struct {
	ops  []string
	call func(ctx context.Context, c *Client) error
}

// first returns the error of the first element of seq, or of its end.
func first[T any](seq func(func(T, error) bool)) error {
	var err error
	n := 0
	for _, e := range seq {
		n++
		err = e
		break
	}
	if n == 0 {
		return errors.New("no element")
	}
	return err
}

// serviceCalls has one entry per exported method of every service of a
// Client, keyed by its path from the Client ("Sessions.Events.Send"); a method
// renamed or added without an entry fails TestEveryServiceMethodIsCovered.
var serviceCalls = map[string]serviceCall{
	"Agents.Create": {[]string{"agents.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.Agents.Create(ctx, AgentCreateParams{Name: "a", Model: ModelConfig{ID: "claude-sonnet-5-5"}})
		return err
	}},
	"Agents.Get": {[]string{"agents.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Agents.Get(ctx, "agent_1", AgentGetParams{})
		return err
	}},
	"Agents.Update": {[]string{"agents.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.Agents.Update(ctx, "agent_1", AgentUpdateParams{Name: "n", Version: 1})
		return err
	}},
	"Agents.List": {[]string{"agents.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Agents.List(ctx, AgentListParams{})
		return err
	}},
	"Agents.ListAll": {[]string{"agents.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Agents.ListAll(ctx, AgentListParams{}))
	}},
	"Agents.Archive": {[]string{"agents.archive"}, func(ctx context.Context, c *Client) error {
		_, err := c.Agents.Archive(ctx, "agent_1", AgentArchiveParams{})
		return err
	}},
	"Agents.Versions.List": {[]string{"agents.versions.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Agents.Versions.List(ctx, "agent_1", AgentVersionListParams{})
		return err
	}},
	"Agents.Versions.ListAll": {[]string{"agents.versions.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Agents.Versions.ListAll(ctx, "agent_1", AgentVersionListParams{}))
	}},

	"Environments.Create": {[]string{"environments.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Create(ctx, EnvironmentCreateParams{Name: "e"})
		return err
	}},
	"Environments.Get": {[]string{"environments.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Get(ctx, "env_1", EnvironmentGetParams{})
		return err
	}},
	"Environments.Update": {[]string{"environments.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Update(ctx, "env_1", EnvironmentUpdateParams{Name: "n"})
		return err
	}},
	"Environments.List": {[]string{"environments.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.List(ctx, EnvironmentListParams{})
		return err
	}},
	"Environments.ListAll": {[]string{"environments.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Environments.ListAll(ctx, EnvironmentListParams{}))
	}},
	"Environments.Delete": {[]string{"environments.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Delete(ctx, "env_1", EnvironmentDeleteParams{})
		return err
	}},
	"Environments.Archive": {[]string{"environments.archive"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Archive(ctx, "env_1", EnvironmentArchiveParams{})
		return err
	}},

	"Environments.Work.Poll": {[]string{"environments.work.poll"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Work.Poll(ctx, "env_1", EnvironmentWorkPollParams{BlockMs: 999, WorkerID: "w"})
		return err
	}},
	"Environments.Work.Ack": {[]string{"environments.work.ack"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Work.Ack(ctx, "env_1", "work_1", EnvironmentWorkAckParams{})
		return err
	}},
	"Environments.Work.Heartbeat": {[]string{"environments.work.heartbeat"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Work.Heartbeat(ctx, "env_1", "work_1", EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: NoHeartbeat})
		return err
	}},
	"Environments.Work.Stop": {[]string{"environments.work.stop"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Work.Stop(ctx, "env_1", "work_1", EnvironmentWorkStopParams{Force: true})
		return err
	}},
	"Environments.Work.List": {[]string{"environments.work.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Work.List(ctx, "env_1", EnvironmentWorkListParams{})
		return err
	}},
	"Environments.Work.ListAll": {[]string{"environments.work.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Environments.Work.ListAll(ctx, "env_1", EnvironmentWorkListParams{}))
	}},
	"Environments.Work.Get": {[]string{"environments.work.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Work.Get(ctx, "env_1", "work_1", EnvironmentWorkGetParams{})
		return err
	}},
	"Environments.Work.Update": {[]string{"environments.work.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Work.Update(ctx, "env_1", "work_1", EnvironmentWorkUpdateParams{Metadata: MetadataPatch{}.Set("k", "v")})
		return err
	}},
	"Environments.Work.Stats": {[]string{"environments.work.stats"}, func(ctx context.Context, c *Client) error {
		_, err := c.Environments.Work.Stats(ctx, "env_1", EnvironmentWorkStatsParams{})
		return err
	}},

	"Sessions.Create": {[]string{"sessions.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Create(ctx, SessionCreateParams{Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1"})
		return err
	}},
	"Sessions.Get": {[]string{"sessions.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Get(ctx, "sesn_1", SessionGetParams{})
		return err
	}},
	"Sessions.Update": {[]string{"sessions.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Update(ctx, "sesn_1", SessionUpdateParams{Title: "t"})
		return err
	}},
	"Sessions.List": {[]string{"sessions.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.List(ctx, SessionListParams{})
		return err
	}},
	"Sessions.ListAll": {[]string{"sessions.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Sessions.ListAll(ctx, SessionListParams{}))
	}},
	"Sessions.Delete": {[]string{"sessions.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Delete(ctx, "sesn_1", SessionDeleteParams{})
		return err
	}},
	"Sessions.Archive": {[]string{"sessions.archive"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Archive(ctx, "sesn_1", SessionArchiveParams{})
		return err
	}},
	"Sessions.RunTurn": {[]string{"sessions.events.stream", "sessions.events.send"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.RunTurn(ctx, "sesn_1", SessionRunTurnParams{Events: []EventParam{NewUserMessage("hi")}})
		return err
	}},

	"Sessions.Events.List": {[]string{"sessions.events.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Events.List(ctx, "sesn_1", SessionEventListParams{})
		return err
	}},
	"Sessions.Events.ListAll": {[]string{"sessions.events.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Sessions.Events.ListAll(ctx, "sesn_1", SessionEventListParams{}))
	}},
	"Sessions.Events.Send": {[]string{"sessions.events.send"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Events.Send(ctx, "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserMessage("hi")}})
		return err
	}},
	"Sessions.Events.Stream": {[]string{"sessions.events.stream"}, func(ctx context.Context, c *Client) error {
		s, err := c.Sessions.Events.Stream(ctx, "sesn_1", EventStreamParams{})
		if err != nil {
			return err
		}
		return s.Close()
	}},

	"Sessions.Resources.Add": {[]string{"sessions.resources.add"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Resources.Add(ctx, "sesn_1", SessionResourceAddParams{FileID: "file_1"})
		return err
	}},
	"Sessions.Resources.Get": {[]string{"sessions.resources.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Resources.Get(ctx, "sesn_1", "sesrsc_1", SessionResourceGetParams{})
		return err
	}},
	"Sessions.Resources.Update": {[]string{"sessions.resources.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Resources.Update(ctx, "sesn_1", "sesrsc_1", SessionResourceUpdateParams{AuthorizationToken: "tok"})
		return err
	}},
	"Sessions.Resources.List": {[]string{"sessions.resources.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Resources.List(ctx, "sesn_1", SessionResourceListParams{})
		return err
	}},
	"Sessions.Resources.ListAll": {[]string{"sessions.resources.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Sessions.Resources.ListAll(ctx, "sesn_1", SessionResourceListParams{}))
	}},
	"Sessions.Resources.Delete": {[]string{"sessions.resources.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Resources.Delete(ctx, "sesn_1", "sesrsc_1", SessionResourceDeleteParams{})
		return err
	}},

	"Sessions.Threads.Get": {[]string{"sessions.threads.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Threads.Get(ctx, "sesn_1", "sthr_1", SessionThreadGetParams{})
		return err
	}},
	"Sessions.Threads.List": {[]string{"sessions.threads.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Threads.List(ctx, "sesn_1", SessionThreadListParams{})
		return err
	}},
	"Sessions.Threads.ListAll": {[]string{"sessions.threads.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Sessions.Threads.ListAll(ctx, "sesn_1", SessionThreadListParams{}))
	}},
	"Sessions.Threads.Archive": {[]string{"sessions.threads.archive"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Threads.Archive(ctx, "sesn_1", "sthr_1", SessionThreadArchiveParams{})
		return err
	}},
	"Sessions.Threads.Events.List": {[]string{"sessions.threads.events.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Sessions.Threads.Events.List(ctx, "sesn_1", "sthr_1", SessionThreadEventListParams{})
		return err
	}},
	"Sessions.Threads.Events.ListAll": {[]string{"sessions.threads.events.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Sessions.Threads.Events.ListAll(ctx, "sesn_1", "sthr_1", SessionThreadEventListParams{}))
	}},
	"Sessions.Threads.Events.Stream": {[]string{"sessions.threads.events.stream"}, func(ctx context.Context, c *Client) error {
		s, err := c.Sessions.Threads.Events.Stream(ctx, "sesn_1", "sthr_1", EventStreamParams{})
		if err != nil {
			return err
		}
		return s.Close()
	}},

	"Deployments.Create": {[]string{"deployments.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.Deployments.Create(ctx, DeploymentCreateParams{Name: "d", Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1",
			InitialEvents: []EventParam{NewUserMessage("go")}})
		return err
	}},
	"Deployments.Get": {[]string{"deployments.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Deployments.Get(ctx, "depl_1", DeploymentGetParams{})
		return err
	}},
	"Deployments.Update": {[]string{"deployments.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.Deployments.Update(ctx, "depl_1", DeploymentUpdateParams{Name: "n"})
		return err
	}},
	"Deployments.List": {[]string{"deployments.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Deployments.List(ctx, DeploymentListParams{})
		return err
	}},
	"Deployments.ListAll": {[]string{"deployments.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Deployments.ListAll(ctx, DeploymentListParams{}))
	}},
	"Deployments.Archive": {[]string{"deployments.archive"}, func(ctx context.Context, c *Client) error {
		_, err := c.Deployments.Archive(ctx, "depl_1", DeploymentArchiveParams{})
		return err
	}},
	"Deployments.Pause": {[]string{"deployments.pause"}, func(ctx context.Context, c *Client) error {
		_, err := c.Deployments.Pause(ctx, "depl_1", DeploymentPauseParams{})
		return err
	}},
	"Deployments.Unpause": {[]string{"deployments.unpause"}, func(ctx context.Context, c *Client) error {
		_, err := c.Deployments.Unpause(ctx, "depl_1", DeploymentUnpauseParams{})
		return err
	}},
	"Deployments.Run": {[]string{"deployments.run"}, func(ctx context.Context, c *Client) error {
		_, err := c.Deployments.Run(ctx, "depl_1", DeploymentRunParams{})
		return err
	}},
	"DeploymentRuns.Get": {[]string{"deployment_runs.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.DeploymentRuns.Get(ctx, "drun_1", DeploymentRunGetParams{})
		return err
	}},
	"DeploymentRuns.List": {[]string{"deployment_runs.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.DeploymentRuns.List(ctx, DeploymentRunListParams{})
		return err
	}},
	"DeploymentRuns.ListAll": {[]string{"deployment_runs.list"}, func(ctx context.Context, c *Client) error {
		return first(c.DeploymentRuns.ListAll(ctx, DeploymentRunListParams{}))
	}},

	"Vaults.Create": {[]string{"vaults.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Create(ctx, VaultCreateParams{DisplayName: "v"})
		return err
	}},
	"Vaults.Get": {[]string{"vaults.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Get(ctx, "vlt_1", VaultGetParams{})
		return err
	}},
	"Vaults.Update": {[]string{"vaults.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Update(ctx, "vlt_1", VaultUpdateParams{DisplayName: "n"})
		return err
	}},
	"Vaults.List": {[]string{"vaults.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.List(ctx, VaultListParams{})
		return err
	}},
	"Vaults.ListAll": {[]string{"vaults.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Vaults.ListAll(ctx, VaultListParams{}))
	}},
	"Vaults.Delete": {[]string{"vaults.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Delete(ctx, "vlt_1", VaultDeleteParams{})
		return err
	}},
	"Vaults.Archive": {[]string{"vaults.archive"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Archive(ctx, "vlt_1", VaultArchiveParams{})
		return err
	}},
	"Vaults.Credentials.Create": {[]string{"vaults.credentials.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Credentials.Create(ctx, "vlt_1", VaultCredentialCreateParams{Auth: NewStaticBearerAuth("https://mcp.example.com/mcp", "tok")})
		return err
	}},
	"Vaults.Credentials.Get": {[]string{"vaults.credentials.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Credentials.Get(ctx, "vlt_1", "vcrd_1", VaultCredentialGetParams{})
		return err
	}},
	"Vaults.Credentials.Update": {[]string{"vaults.credentials.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Credentials.Update(ctx, "vlt_1", "vcrd_1", VaultCredentialUpdateParams{Auth: &StaticBearerAuthParams{Token: NewSecret("t2")}})
		return err
	}},
	"Vaults.Credentials.List": {[]string{"vaults.credentials.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Credentials.List(ctx, "vlt_1", VaultCredentialListParams{})
		return err
	}},
	"Vaults.Credentials.ListAll": {[]string{"vaults.credentials.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Vaults.Credentials.ListAll(ctx, "vlt_1", VaultCredentialListParams{}))
	}},
	"Vaults.Credentials.Delete": {[]string{"vaults.credentials.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Credentials.Delete(ctx, "vlt_1", "vcrd_1", VaultCredentialDeleteParams{})
		return err
	}},
	"Vaults.Credentials.Archive": {[]string{"vaults.credentials.archive"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Credentials.Archive(ctx, "vlt_1", "vcrd_1", VaultCredentialArchiveParams{})
		return err
	}},
	"Vaults.Credentials.MCPOAuthValidate": {[]string{"vaults.credentials.mcp_oauth_validate"}, func(ctx context.Context, c *Client) error {
		_, err := c.Vaults.Credentials.MCPOAuthValidate(ctx, "vlt_1", "vcrd_1", VaultCredentialMCPOAuthValidateParams{})
		return err
	}},

	"MemoryStores.Create": {[]string{"memory_stores.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Create(ctx, MemoryStoreCreateParams{Name: "notes"})
		return err
	}},
	"MemoryStores.Get": {[]string{"memory_stores.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Get(ctx, "memstore_1", MemoryStoreGetParams{})
		return err
	}},
	"MemoryStores.Update": {[]string{"memory_stores.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Update(ctx, "memstore_1", MemoryStoreUpdateParams{Name: "n"})
		return err
	}},
	"MemoryStores.List": {[]string{"memory_stores.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.List(ctx, MemoryStoreListParams{})
		return err
	}},
	"MemoryStores.ListAll": {[]string{"memory_stores.list"}, func(ctx context.Context, c *Client) error {
		return first(c.MemoryStores.ListAll(ctx, MemoryStoreListParams{}))
	}},
	"MemoryStores.Delete": {[]string{"memory_stores.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Delete(ctx, "memstore_1", MemoryStoreDeleteParams{})
		return err
	}},
	"MemoryStores.Archive": {[]string{"memory_stores.archive"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Archive(ctx, "memstore_1", MemoryStoreArchiveParams{})
		return err
	}},
	"MemoryStores.Memories.Create": {[]string{"memory_stores.memories.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Memories.Create(ctx, "memstore_1", MemoryCreateParams{Path: "/a.md", Content: "a"})
		return err
	}},
	"MemoryStores.Memories.Get": {[]string{"memory_stores.memories.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Memories.Get(ctx, "memstore_1", "mem_1", MemoryGetParams{})
		return err
	}},
	"MemoryStores.Memories.Update": {[]string{"memory_stores.memories.update"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Memories.Update(ctx, "memstore_1", "mem_1", MemoryUpdateParams{Content: new("b")})
		return err
	}},
	"MemoryStores.Memories.List": {[]string{"memory_stores.memories.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Memories.List(ctx, "memstore_1", MemoryListParams{})
		return err
	}},
	"MemoryStores.Memories.ListAll": {[]string{"memory_stores.memories.list"}, func(ctx context.Context, c *Client) error {
		return first(c.MemoryStores.Memories.ListAll(ctx, "memstore_1", MemoryListParams{}))
	}},
	"MemoryStores.Memories.Delete": {[]string{"memory_stores.memories.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.Memories.Delete(ctx, "memstore_1", "mem_1", MemoryDeleteParams{})
		return err
	}},
	"MemoryStores.MemoryVersions.List": {[]string{"memory_stores.memory_versions.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.MemoryVersions.List(ctx, "memstore_1", MemoryVersionListParams{})
		return err
	}},
	"MemoryStores.MemoryVersions.ListAll": {[]string{"memory_stores.memory_versions.list"}, func(ctx context.Context, c *Client) error {
		return first(c.MemoryStores.MemoryVersions.ListAll(ctx, "memstore_1", MemoryVersionListParams{}))
	}},
	"MemoryStores.MemoryVersions.Get": {[]string{"memory_stores.memory_versions.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.MemoryVersions.Get(ctx, "memstore_1", "memver_1", MemoryVersionGetParams{})
		return err
	}},
	"MemoryStores.MemoryVersions.Redact": {[]string{"memory_stores.memory_versions.redact"}, func(ctx context.Context, c *Client) error {
		_, err := c.MemoryStores.MemoryVersions.Redact(ctx, "memstore_1", "memver_1", MemoryVersionRedactParams{})
		return err
	}},

	"Files.Upload": {[]string{"files.upload"}, func(ctx context.Context, c *Client) error {
		_, err := c.Files.Upload(ctx, FileUploadParams{Reader: strings.NewReader("a,b\n1,2\n"), Filename: "report.csv"})
		return err
	}},
	"Files.GetMetadata": {[]string{"files.retrieve_metadata"}, func(ctx context.Context, c *Client) error {
		_, err := c.Files.GetMetadata(ctx, "file_1", FileGetMetadataParams{})
		return err
	}},
	"Files.List": {[]string{"files.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Files.List(ctx, FileListParams{ScopeID: "sesn_1"})
		return err
	}},
	"Files.ListAll": {[]string{"files.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Files.ListAll(ctx, FileListParams{}))
	}},
	"Files.Download": {[]string{"files.download"}, func(ctx context.Context, c *Client) error {
		d, err := c.Files.Download(ctx, "file_1", FileDownloadParams{})
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, d)
		return errors.Join(err, d.Close())
	}},
	"Files.DownloadToFile": {[]string{"files.download"}, func(ctx context.Context, c *Client) error {
		dir, err := os.MkdirTemp("", "endpoints-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		_, err = c.Files.DownloadToFile(ctx, "file_1", FileDownloadToFileParams{Path: filepath.Join(dir, "out")})
		return err
	}},
	"Files.Delete": {[]string{"files.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.Files.Delete(ctx, "file_1", FileDeleteParams{})
		return err
	}},

	"Skills.Create": {[]string{"skills.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.Skills.Create(ctx, SkillCreateParams{FS: testSkillFS(), DisplayName: "Invoice parser"})
		return err
	}},
	"Skills.Get": {[]string{"skills.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Skills.Get(ctx, "skill_1", SkillGetParams{})
		return err
	}},
	"Skills.List": {[]string{"skills.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Skills.List(ctx, SkillListParams{Source: SkillSourceCustom})
		return err
	}},
	"Skills.ListAll": {[]string{"skills.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Skills.ListAll(ctx, SkillListParams{}))
	}},
	"Skills.Delete": {[]string{"skills.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.Skills.Delete(ctx, "skill_1", SkillDeleteParams{})
		return err
	}},
	"Skills.Versions.Create": {[]string{"skills.versions.create"}, func(ctx context.Context, c *Client) error {
		_, err := c.Skills.Versions.Create(ctx, "skill_1", SkillVersionCreateParams{FS: testSkillFS()})
		return err
	}},
	"Skills.Versions.Get": {[]string{"skills.versions.retrieve"}, func(ctx context.Context, c *Client) error {
		_, err := c.Skills.Versions.Get(ctx, "skill_1", SkillVersionLatest, SkillVersionGetParams{})
		return err
	}},
	"Skills.Versions.List": {[]string{"skills.versions.list"}, func(ctx context.Context, c *Client) error {
		_, err := c.Skills.Versions.List(ctx, "skill_1", SkillVersionListParams{})
		return err
	}},
	"Skills.Versions.ListAll": {[]string{"skills.versions.list"}, func(ctx context.Context, c *Client) error {
		return first(c.Skills.Versions.ListAll(ctx, "skill_1", SkillVersionListParams{}))
	}},
	"Skills.Versions.Delete": {[]string{"skills.versions.delete"}, func(ctx context.Context, c *Client) error {
		_, err := c.Skills.Versions.Delete(ctx, "skill_1", "skver_1", SkillVersionDeleteParams{})
		return err
	}},
	"Skills.Versions.Download": {[]string{"skills.versions.download"}, func(ctx context.Context, c *Client) error {
		d, err := c.Skills.Versions.Download(ctx, "skill_1", "skver_1", SkillVersionDownloadParams{})
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, d)
		return errors.Join(err, d.Close())
	}},
	"Skills.Versions.Unpack": {[]string{"skills.versions.retrieve", "skills.versions.download"}, func(ctx context.Context, c *Client) error {
		dir, err := os.MkdirTemp("", "endpoints-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		_, err = c.Skills.Versions.Unpack(ctx, "skill_1", SkillVersionLatest, SkillVersionUnpackParams{Dir: filepath.Join(dir, "skill")})
		return err
	}},
}

// serviceMethods returns the path from the Client of every exported method
// of every service reachable from c's fields ("Agents.Versions.List").
func serviceMethods(c *Client) []string {
	var out []string
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := range t.NumMethod() {
			out = append(out, prefix+t.Method(i).Name)
		}
		st := v.Elem()
		for i := range st.NumField() {
			f := st.Type().Field(i)
			if f.IsExported() && f.Type.Kind() == reflect.Pointer && strings.HasSuffix(f.Type.Elem().Name(), "Service") {
				walk(prefix+f.Name+".", st.Field(i))
			}
		}
	}
	cv := reflect.ValueOf(c).Elem()
	for i := range cv.NumField() {
		f := cv.Type().Field(i)
		if f.IsExported() && f.Type.Kind() == reflect.Pointer && strings.HasSuffix(f.Type.Elem().Name(), "Service") {
			walk(f.Name+".", cv.Field(i))
		}
	}
	sort.Strings(out)
	return out
}

func TestEveryServiceMethodIsCovered(t *testing.T) {
	t.Parallel()
	methods := serviceMethods(NewClient())
	require.NotEmpty(t, methods)
	for _, m := range methods {
		_, ok := serviceCalls[m]
		require.True(t, ok, "service method %s has no entry in serviceCalls", m)
	}
	for name, sc := range serviceCalls {
		require.Contains(t, methods, name, "serviceCalls names a method that does not exist")
		for _, op := range sc.ops {
			require.Contains(t, wantEndpoints, op, name)
		}
	}
}

// TestEndpointDeclarations checks every declared endpoint against the API
// reference, and that no endpoint of the reference is left undeclared.
func TestEndpointDeclarations(t *testing.T) {
	t.Parallel()
	declared := map[string]bool{}
	for _, e := range transport.Endpoints() {
		declared[e.Op] = true
		want, ok := wantEndpoints[e.Op]
		require.True(t, ok, "endpoint %s (%s) is not in the reference table", e.Op, e)
		require.Equal(t, want.route, e.String(), e.Op)
		require.Equal(t, want.class, e.Class, e.Op)
		require.Equal(t, want.once, e.Repeat == transport.Once, "%s: a create, an event send, a work ack or heartbeat is Once, nothing else", e.Op)
		require.Equal(t, wantBetas(e.Op), e.Betas, e.Op)
	}
	for op := range wantEndpoints {
		require.True(t, declared[op], "endpoint %s is not declared", op)
	}
}

// wantBetas returns the anthropic-beta names the reference says the
// endpoint op sends (more-resources.md §1.1).
func wantBetas(op string) []string {
	if strings.HasPrefix(op, "memory_stores.") {
		return []string{MemoryBetaHeader} // only the memory beta, not ours merged in
	}
	if strings.HasPrefix(op, "files.") || strings.HasPrefix(op, "skills.") {
		return nil // none: their old betas select older shapes
	}
	return []string{BetaHeader}
}

// cannedAPI is a server that knows the routes of wantEndpoints (not the
// declarations) and answers each with a valid body, except the requests of
// failOp, which fail by fail. It records the operation of every request.
type cannedAPI struct {
	t      *testing.T
	failOp string
	fail   func(w http.ResponseWriter)
	mu     sync.Mutex
	ops    []string
}

func (a *cannedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := matchRoute(r.Method, r.URL.EscapedPath())
	_, _ = io.Copy(io.Discard, r.Body) // the request was read
	a.mu.Lock()
	a.ops = append(a.ops, op)
	a.mu.Unlock()
	w.Header().Set("Request-Id", "req_"+op)
	switch {
	case op == "":
		a.t.Errorf("request to no endpoint of the reference: %s %s", r.Method, r.URL)
		http.Error(w, "no such route", http.StatusNotFound)
	case op == a.failOp:
		a.fail(w)
	case strings.HasSuffix(op, ".stream"):
		w.Header().Set("Content-Type", "text/event-stream")
		for _, ev := range []string{
			cannedEcho,
			`{"type":"session.status_running","id":"sevt_r","processed_at":"2026-11-24T10:05:01Z"}`,
			`{"type":"session.status_idle","id":"sevt_i","processed_at":"2026-11-24T10:05:02Z","stop_reason":{"type":"end_turn"}}`,
		} {
			_, _ = io.WriteString(w, "event: message\ndata: "+ev+"\n\n")
		}
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(cannedBody(a.t, op))
	}
}

func (a *cannedAPI) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.ops)
}

// matchRoute returns the operation of wantEndpoints whose method and route
// match the request, or "". A literal segment beats a parameter, as in
// net/http's patterns: /work/stats is stats, not a work item "stats".
func matchRoute(method, path string) string {
	best, bestParams := "", -1
	for op, e := range wantEndpoints {
		m, route, _ := strings.Cut(e.route, " ")
		if m != method {
			continue
		}
		want, got := strings.Split(route, "/"), strings.Split(path, "/")
		if len(want) != len(got) {
			continue
		}
		ok := true
		for i := range want {
			param := strings.HasPrefix(want[i], "{")
			if param && got[i] == "" || !param && want[i] != got[i] {
				ok = false
				break
			}
		}
		if n := strings.Count(route, "{"); ok && (bestParams < 0 || n < bestParams) {
			best, bestParams = op, n
		}
	}
	return best
}

// cannedEcho is the event a send answers with, and that the canned stream
// delivers processed before the turn's running and end_turn idle.
const cannedEcho = `{"type":"user.message","id":"sevt_u","processed_at":"2026-11-24T10:05:00Z","content":[{"type":"text","text":"hi"}]}`

// cannedBody returns a valid answer of op.
func cannedBody(t *testing.T, op string) []byte {
	page := func(item []byte) []byte { return []byte(`{"data":[` + string(item) + `],"next_page":null}`) }
	var thread struct{ Data []json.RawMessage }
	require.NoError(t, json.Unmarshal(fixture(t, "sessions/page_of_threads.json"), &thread))
	if b := cannedDeployVaultBody(t, op, page); b != nil {
		return b
	}
	switch op {
	case "agents.list", "agents.versions.list":
		return fixture(t, "agents/page_of_agents.json")
	case "environments.list":
		return page(fixture(t, "environments/environment.json"))
	case "environments.delete":
		return fixture(t, "environments/deleted.json")
	case "sessions.list":
		return page(fixture(t, "sessions/session.json"))
	case "sessions.delete":
		return fixture(t, "sessions/deleted.json")
	case "sessions.events.list", "sessions.threads.events.list":
		return page(fixture(t, "events/user.message.json"))
	case "sessions.events.send":
		return []byte(`{"data":[` + cannedEcho + `]}`)
	case "sessions.resources.add":
		return fixture(t, "sessions/resource_file.json")
	case "sessions.resources.retrieve", "sessions.resources.update":
		return fixture(t, "sessions/resource_github.json")
	case "sessions.resources.list":
		return fixture(t, "sessions/page_of_resources.json")
	case "sessions.resources.delete":
		return fixture(t, "sessions/resource_deleted.json")
	case "sessions.threads.list":
		return fixture(t, "sessions/page_of_threads.json")
	case "sessions.threads.retrieve", "sessions.threads.archive":
		return thread.Data[0]
	case "environments.work.list":
		return page(fixture(t, "work/work_item.json"))
	case "environments.work.heartbeat":
		return fixture(t, "work/work_heartbeat.json")
	case "environments.work.stats":
		return fixture(t, "work/work_stats.json")
	case "environments.work.stop":
		return nil // 204 in the API; an empty 200 here
	}
	if strings.HasPrefix(op, "environments.work.") {
		return fixture(t, "work/work_item.json")
	}
	if strings.HasPrefix(op, "memory_stores.") {
		return cannedMemoryBody(t, op)
	}
	switch op {
	case "files.upload":
		return fixture(t, "files/file_upload.json")
	case "files.list":
		return fixture(t, "files/page_of_files.json")
	case "files.delete":
		return fixture(t, "files/deleted.json")
	case "files.download":
		return []byte("a,b\n1,2\n")
	case "files.retrieve_metadata":
		return fixture(t, "files/file_metadata.json")
	case "skills.list":
		return fixture(t, "skills/page_of_skills.json")
	case "skills.delete":
		return fixture(t, "skills/deleted.json")
	case "skills.versions.list":
		return fixture(t, "skills/page_of_versions.json")
	case "skills.versions.delete":
		return fixture(t, "skills/version_deleted.json")
	case "skills.versions.download":
		return fixture(t, "skills/invoice-parser.zip")
	case "skills.versions.create", "skills.versions.retrieve":
		return fixture(t, "skills/skill_version.json")
	case "skills.create", "skills.retrieve":
		return fixture(t, "skills/skill.json")
	}
	switch {
	case strings.HasPrefix(op, "agents."):
		return fixture(t, "agents/agent.json")
	case strings.HasPrefix(op, "environments."):
		return fixture(t, "environments/environment.json")
	case strings.HasPrefix(op, "sessions."):
		return fixture(t, "sessions/session.json")
	}
	t.Fatalf("no canned answer for %s", op)
	return nil
}

// cannedDeployVaultBody returns a valid answer of a deployment or vault op,
// or nil for another op.
func cannedDeployVaultBody(t *testing.T, op string, page func([]byte) []byte) []byte {
	switch op {
	case "deployments.list":
		return page(fixture(t, "deployments/deployment.json"))
	case "deployments.run", "deployment_runs.retrieve":
		return fixture(t, "deployments/run_scheduled.json")
	case "deployment_runs.list":
		return page(fixture(t, "deployments/run_failed.json"))
	case "vaults.list":
		return page(fixture(t, "vaults/vault.json"))
	case "vaults.delete":
		return fixture(t, "vaults/deleted.json")
	case "vaults.credentials.list":
		return page(fixture(t, "vaults/credential_static_bearer.json"))
	case "vaults.credentials.delete":
		return fixture(t, "vaults/credential_deleted.json")
	case "vaults.credentials.mcp_oauth_validate":
		return fixture(t, "vaults/validation_invalid.json")
	}
	switch {
	case strings.HasPrefix(op, "deployments."):
		return fixture(t, "deployments/deployment.json")
	case strings.HasPrefix(op, "vaults.credentials."):
		return fixture(t, "vaults/credential_mcp_oauth.json")
	case strings.HasPrefix(op, "vaults."):
		return fixture(t, "vaults/vault.json")
	}
	return nil
}

// classLimiter records the class of every slot taken.
type classLimiter struct {
	mu      sync.Mutex
	classes []ratelimit.Class
}

func (l *classLimiter) Acquire(_ context.Context, c ratelimit.Class) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.classes = append(l.classes, c)
	return nil
}

func (l *classLimiter) Pause(context.Context, ratelimit.Class, time.Duration) {}

// endpointClient returns a client of api with 2 retries and a 1 ms backoff,
// a recording limiter, and a middleware recording the operation each
// attempt declares.
func endpointClient(t *testing.T, api *cannedAPI) (*Client, *classLimiter, func() []string) {
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	lim := &classLimiter{}
	var mu sync.Mutex
	var declared []string
	c := NewClient(option.WithAPIKey(testAPIKey), option.WithEnvironmentKey(testEnvironmentKey), option.WithBaseURL(srv.URL), option.WithHTTPClient(srv.Client()),
		option.WithLimiter(lim), option.WithMaxRetries(2),
		option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			mu.Lock()
			declared = append(declared, option.CallFromContext(req.Context()).Operation)
			mu.Unlock()
			return next(req)
		}))
	c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = time.Millisecond, time.Millisecond
	return c, lim, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(declared)
	}
}

// TestServiceMethodsHitTheirEndpoints calls every service method against a
// server that knows the reference's routes: each request reaches a route of
// the reference, the operation the client declared for it is the one the
// server matched, the method uses exactly the endpoints its entry names, and
// each attempt spends the endpoint's rate class.
func TestServiceMethodsHitTheirEndpoints(t *testing.T) {
	t.Parallel()
	for name, sc := range serviceCalls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := &cannedAPI{t: t}
			c, lim, declared := endpointClient(t, api)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			require.NoError(t, sc.call(ctx, c))
			seen := api.seen()
			require.Equal(t, seen, declared(), "the declared operation of each attempt is the route the server matched")
			used := slices.Compact(slices.Sorted(slices.Values(seen)))
			want := slices.Sorted(slices.Values(sc.ops))
			require.Equal(t, want, used, "the endpoints the method uses")
			lim.mu.Lock()
			classes := slices.Clone(lim.classes)
			lim.mu.Unlock()
			require.Len(t, classes, len(seen))
			for i, op := range seen {
				require.Equal(t, wantEndpoints[op].class, classes[i], "class spent by %s", op)
			}
		})
	}
}

// TestNoOnceRequestIsSentTwice makes every endpoint of every service method
// fail after the server read the request (a 500 answer, or a connection reset
// without an answer): a request that could create a duplicate (a create, an
// event send) is sent exactly once and fails with a *DeliveryError, any other
// is retried by the retry policy.
func TestNoOnceRequestIsSentTwice(t *testing.T) {
	t.Parallel()
	failures := map[string]func(w http.ResponseWriter){
		"500": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			_, _ = io.WriteString(w, `{"type":"error","error":{"type":"api_error","message":"boom"}}`)
		},
		"reset": func(w http.ResponseWriter) { resetConnection(w) },
	}
	for name, sc := range serviceCalls {
		for _, op := range sc.ops {
			for mode, fail := range failures {
				t.Run(fmt.Sprintf("%s/%s/%s", name, op, mode), func(t *testing.T) {
					t.Parallel()
					api := &cannedAPI{t: t, failOp: op, fail: fail}
					c, _, _ := endpointClient(t, api)
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					err := sc.call(ctx, c)
					require.Error(t, err)
					sent := 0
					for _, o := range api.seen() {
						if o == op {
							sent++
						}
					}
					if wantEndpoints[op].once {
						require.Equal(t, 1, sent, "a request that may have created something is never sent again")
						var del *DeliveryError
						require.ErrorAs(t, err, &del)
						require.ErrorIs(t, err, ErrDeliveryUncertain)
						if mode == "500" {
							var apiErr *APIError
							require.ErrorAs(t, err, &apiErr, "errors.As reaches the answer through the DeliveryError")
							require.Equal(t, 500, apiErr.StatusCode)
							require.Equal(t, "req_"+op, apiErr.RequestID)
							require.ErrorIs(t, err, ErrServer)
						}
						return
					}
					require.GreaterOrEqual(t, sent, 3, "retried by the policy (2 retries)")
					require.NotErrorIs(t, err, ErrDeliveryUncertain)
					if mode == "500" {
						require.Equal(t, 3, sent)
						var apiErr *APIError
						require.ErrorAs(t, err, &apiErr)
						require.Equal(t, "req_"+op, apiErr.RequestID, "the last answer is kept")
					}
				})
			}
		}
	}
}

// resetConnection drops the connection without an answer after the request
// was read.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}
