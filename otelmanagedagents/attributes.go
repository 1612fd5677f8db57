package otelmanagedagents

import "go.opentelemetry.io/otel/attribute"

// Every attribute key this package writes, in one place. The keys of the
// official SDK's spans (webhooks-telemetry reference, section 2.7) are copied
// as strings, not imported from a semconv package, so that no semantic
// convention version is pinned; the keys of this package's own additions are
// marked "ours".
const (
	// Every span.
	keyProviderName   = attribute.Key("gen_ai.provider.name")
	keyConversationID = attribute.Key("gen_ai.conversation.id")

	// Request spans: start.
	keyServerAddress    = attribute.Key("server.address")
	keyServerPort       = attribute.Key("server.port")
	keyHTTPMethod       = attribute.Key("http.request.method")
	keyHTTPRoute        = attribute.Key("http.route")
	keyURLScheme        = attribute.Key("url.scheme")
	keyURLPath          = attribute.Key("url.path")
	keyURLQuery         = attribute.Key("url.query")
	keyURLFull          = attribute.Key("url.full")
	keyAgentID          = attribute.Key("gen_ai.agent.id")
	keyAgentName        = attribute.Key("gen_ai.agent.name")
	keyRequestModel     = attribute.Key("gen_ai.request.model")
	keySessionEnvID     = attribute.Key("anthropic.session.environment.id")
	keySessionID        = attribute.Key("anthropic.session.id")
	keySessionThreadID  = attribute.Key("anthropic.session.thread.id")
	keyHTTPStatusCode   = attribute.Key("http.response.status_code")
	keyResendCount      = attribute.Key("http.request.resend_count")
	keyErrorType        = attribute.Key("error.type")
	keyRequestID        = attribute.Key("anthropic.request.id")
	keyOrganizationID   = attribute.Key("anthropic.organization.id")
	keyWorkspaceID      = attribute.Key("anthropic.workspace.id")
	keyLimiterWait      = attribute.Key("anthropic.rate_limiter.wait") // ours: seconds waited for the client-side limiter, all attempts
	keyOperationName    = attribute.Key("anthropic.operation.name")    // ours, metrics only: "sessions.create"
	keyGenAIOperation   = attribute.Key("gen_ai.operation.name")
	keyTurnStopReason   = attribute.Key("anthropic.turn.stop_reason")         // ours
	keyTurnMessages     = attribute.Key("anthropic.turn.messages")            // ours
	keyTurnToolUses     = attribute.Key("anthropic.turn.tool_uses")           // ours
	keyTurnErrors       = attribute.Key("anthropic.turn.errors")              // ours
	keyStreamEvents     = attribute.Key("anthropic.stream.events")            // ours: events passed on to the reader
	keyStreamReconnects = attribute.Key("anthropic.stream.reconnects")        // ours
	keyStreamBackfilled = attribute.Key("anthropic.stream.backfilled")        // ours: events recovered from the history
	keyReconnectAttempt = attribute.Key("anthropic.stream.reconnect.attempt") // ours, reconnect events
	keyReconnectDelay   = attribute.Key("anthropic.stream.reconnect.delay")   // ours, seconds
	keyBackfillPages    = attribute.Key("anthropic.stream.backfill.pages")    // ours, backfill events
	keyBackfillEvents   = attribute.Key("anthropic.stream.backfill.events")   // ours, backfill events
	keyEventType        = attribute.Key("anthropic.event.type")               // ours, metrics only
	keyToolName         = attribute.Key("gen_ai.tool.name")
	keyToolCallID       = attribute.Key("gen_ai.tool.call.id")
	keyToolType         = attribute.Key("gen_ai.tool.type")
	keyToolDescription  = attribute.Key("gen_ai.tool.description")
	keyToolKind         = attribute.Key("anthropic.tool.kind") // ours, metrics only: tool_use, custom_tool_use, mcp_tool_use
)

// providerAnthropic is gen_ai.provider.name of every span.
var providerAnthropic = keyProviderName.String("anthropic")

// pathIDKeys maps a route placeholder to the attribute of its value: the
// official SDK's keys for every placeholder of the API (reference section 2.5).
// A placeholder not listed here, from an endpoint added later, gets
// anthropic.<name less _id>.id ([idKey]), the SDK's rule for its own newer
// resources (anthropic.tunnel.id for {tunnel_id}).
var pathIDKeys = map[string]attribute.Key{
	"agent_id":            "gen_ai.agent.id",
	"environment_id":      "anthropic.environment.id",
	"work_id":             "anthropic.environment.work.id",
	"session_id":          "anthropic.session.id",
	"resource_id":         "anthropic.session.resource.id",
	"thread_id":           "anthropic.session.thread.id",
	"vault_id":            "anthropic.vault.id",
	"credential_id":       "anthropic.vault.credential.id",
	"memory_store_id":     "gen_ai.memory.store.id",
	"memory_id":           "gen_ai.memory.record.id",
	"memory_version_id":   "anthropic.memory_store.memory_version.id",
	"deployment_id":       "anthropic.deployment.id",
	"deployment_run_id":   "anthropic.deployment_run.id",
	"file_id":             "anthropic.file.id",
	"skill_id":            "anthropic.skill.id",
	"version":             "anthropic.skill.version.id",
	"webhook_endpoint_id": "anthropic.organization.webhook.id",
}

// collectionIDs maps the last segment of a create's route (the collection it
// adds to) to the placeholder that names one of its members, whose attribute
// gets the created object's id. A collection not listed here gets its name
// less a final "s", plus "_id".
var collectionIDs = map[string]string{
	"agents":          "agent_id",
	"environments":    "environment_id",
	"work":            "work_id",
	"sessions":        "session_id",
	"resources":       "resource_id",
	"threads":         "thread_id",
	"vaults":          "vault_id",
	"credentials":     "credential_id",
	"memory_stores":   "memory_store_id",
	"memories":        "memory_id",
	"memory_versions": "memory_version_id",
	"deployments":     "deployment_id",
	"deployment_runs": "deployment_run_id",
	"files":           "file_id",
	"skills":          "skill_id",
	"versions":        "version",
	"webhooks":        "webhook_endpoint_id",
}

// contentQueryParams are query parameters whose values are content (a search,
// a stored content's hash): a query holding one is left off url.query and
// url.full, as the official SDK does outside its content mode.
var contentQueryParams = []string{"email", "expected_content_sha256", "path_prefix"}

// contentQueryParamsOf are the query parameters that are content on one
// operation only: page on the memories list is a path.
var contentQueryParamsOf = map[string][]string{
	"memory_stores.memories.list": {"page"},
}
