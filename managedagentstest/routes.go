package managedagentstest

import (
	"net/http"
	"slices"
)

// Routes, as given to [Server.FailNext], [Server.DropNext], [Server.Delay] and
// found in [Request.Route]: the method and the path pattern of each endpoint.
// [AnyRoute] matches every request.
const (
	AnyRoute = "*"

	RouteCreateAgent       = "POST /v1/agents"
	RouteGetAgent          = "GET /v1/agents/{agent_id}"
	RouteUpdateAgent       = "POST /v1/agents/{agent_id}"
	RouteListAgents        = "GET /v1/agents"
	RouteArchiveAgent      = "POST /v1/agents/{agent_id}/archive"
	RouteListAgentVersions = "GET /v1/agents/{agent_id}/versions"

	RouteCreateEnvironment  = "POST /v1/environments"
	RouteGetEnvironment     = "GET /v1/environments/{environment_id}"
	RouteUpdateEnvironment  = "POST /v1/environments/{environment_id}"
	RouteListEnvironments   = "GET /v1/environments"
	RouteDeleteEnvironment  = "DELETE /v1/environments/{environment_id}"
	RouteArchiveEnvironment = "POST /v1/environments/{environment_id}/archive"

	RouteCreateSession  = "POST /v1/sessions"
	RouteGetSession     = "GET /v1/sessions/{session_id}"
	RouteUpdateSession  = "POST /v1/sessions/{session_id}"
	RouteListSessions   = "GET /v1/sessions"
	RouteDeleteSession  = "DELETE /v1/sessions/{session_id}"
	RouteArchiveSession = "POST /v1/sessions/{session_id}/archive"

	RouteListEvents   = "GET /v1/sessions/{session_id}/events"
	RouteSendEvents   = "POST /v1/sessions/{session_id}/events"
	RouteStreamEvents = "GET /v1/sessions/{session_id}/events/stream"

	RouteListResources  = "GET /v1/sessions/{session_id}/resources"
	RouteAddResource    = "POST /v1/sessions/{session_id}/resources"
	RouteGetResource    = "GET /v1/sessions/{session_id}/resources/{resource_id}"
	RouteUpdateResource = "POST /v1/sessions/{session_id}/resources/{resource_id}"
	RouteDeleteResource = "DELETE /v1/sessions/{session_id}/resources/{resource_id}"

	RouteListThreads      = "GET /v1/sessions/{session_id}/threads"
	RouteGetThread        = "GET /v1/sessions/{session_id}/threads/{thread_id}"
	RouteArchiveThread    = "POST /v1/sessions/{session_id}/threads/{thread_id}/archive"
	RouteListThreadEvents = "GET /v1/sessions/{session_id}/threads/{thread_id}/events"
	RouteStreamThread     = "GET /v1/sessions/{session_id}/threads/{thread_id}/stream"

	RoutePollWork      = "GET /v1/environments/{environment_id}/work/poll"
	RouteAckWork       = "POST /v1/environments/{environment_id}/work/{work_id}/ack"
	RouteHeartbeatWork = "POST /v1/environments/{environment_id}/work/{work_id}/heartbeat"
	RouteStopWork      = "POST /v1/environments/{environment_id}/work/{work_id}/stop"
	RouteListWork      = "GET /v1/environments/{environment_id}/work"
	RouteGetWork       = "GET /v1/environments/{environment_id}/work/{work_id}"
	RouteUpdateWork    = "POST /v1/environments/{environment_id}/work/{work_id}"
	RouteWorkStats     = "GET /v1/environments/{environment_id}/work/stats"
)

// Routes of deployments and deployment runs.
const (
	RouteCreateDeployment   = "POST /v1/deployments"
	RouteGetDeployment      = "GET /v1/deployments/{deployment_id}"
	RouteUpdateDeployment   = "POST /v1/deployments/{deployment_id}"
	RouteListDeployments    = "GET /v1/deployments"
	RouteArchiveDeployment  = "POST /v1/deployments/{deployment_id}/archive"
	RoutePauseDeployment    = "POST /v1/deployments/{deployment_id}/pause"
	RouteUnpauseDeployment  = "POST /v1/deployments/{deployment_id}/unpause"
	RouteRunDeployment      = "POST /v1/deployments/{deployment_id}/run"
	RouteGetDeploymentRun   = "GET /v1/deployment_runs/{deployment_run_id}"
	RouteListDeploymentRuns = "GET /v1/deployment_runs"
)

// Routes of vaults and vault credentials.
const (
	RouteCreateVault        = "POST /v1/vaults"
	RouteGetVault           = "GET /v1/vaults/{vault_id}"
	RouteUpdateVault        = "POST /v1/vaults/{vault_id}"
	RouteListVaults         = "GET /v1/vaults"
	RouteDeleteVault        = "DELETE /v1/vaults/{vault_id}"
	RouteArchiveVault       = "POST /v1/vaults/{vault_id}/archive"
	RouteCreateCredential   = "POST /v1/vaults/{vault_id}/credentials"
	RouteGetCredential      = "GET /v1/vaults/{vault_id}/credentials/{credential_id}"
	RouteUpdateCredential   = "POST /v1/vaults/{vault_id}/credentials/{credential_id}"
	RouteListCredentials    = "GET /v1/vaults/{vault_id}/credentials"
	RouteDeleteCredential   = "DELETE /v1/vaults/{vault_id}/credentials/{credential_id}"
	RouteArchiveCredential  = "POST /v1/vaults/{vault_id}/credentials/{credential_id}/archive"
	RouteValidateCredential = "POST /v1/vaults/{vault_id}/credentials/{credential_id}/mcp_oauth_validate"
)

// Memory store routes.
const (
	RouteCreateMemoryStore  = "POST /v1/memory_stores"
	RouteGetMemoryStore     = "GET /v1/memory_stores/{memory_store_id}"
	RouteUpdateMemoryStore  = "POST /v1/memory_stores/{memory_store_id}"
	RouteListMemoryStores   = "GET /v1/memory_stores"
	RouteDeleteMemoryStore  = "DELETE /v1/memory_stores/{memory_store_id}"
	RouteArchiveMemoryStore = "POST /v1/memory_stores/{memory_store_id}/archive"

	RouteCreateMemory = "POST /v1/memory_stores/{memory_store_id}/memories"
	RouteGetMemory    = "GET /v1/memory_stores/{memory_store_id}/memories/{memory_id}"
	RouteUpdateMemory = "POST /v1/memory_stores/{memory_store_id}/memories/{memory_id}"
	RouteListMemories = "GET /v1/memory_stores/{memory_store_id}/memories"
	RouteDeleteMemory = "DELETE /v1/memory_stores/{memory_store_id}/memories/{memory_id}"

	RouteListMemoryVersions  = "GET /v1/memory_stores/{memory_store_id}/memory_versions"
	RouteGetMemoryVersion    = "GET /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}"
	RouteRedactMemoryVersion = "POST /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact"
)

// Routes of the Files and Skills endpoints, which take no anthropic-beta.
const (
	RouteUploadFile      = "POST /v1/files"
	RouteListFiles       = "GET /v1/files"
	RouteGetFileMetadata = "GET /v1/files/{file_id}"
	RouteDownloadFile    = "GET /v1/files/{file_id}/content"
	RouteDeleteFile      = "DELETE /v1/files/{file_id}"

	RouteCreateSkill          = "POST /v1/skills"
	RouteGetSkill             = "GET /v1/skills/{skill_id}"
	RouteListSkills           = "GET /v1/skills"
	RouteDeleteSkill          = "DELETE /v1/skills/{skill_id}"
	RouteCreateSkillVersion   = "POST /v1/skills/{skill_id}/versions"
	RouteGetSkillVersion      = "GET /v1/skills/{skill_id}/versions/{version}"
	RouteListSkillVersions    = "GET /v1/skills/{skill_id}/versions"
	RouteDeleteSkillVersion   = "DELETE /v1/skills/{skill_id}/versions/{version}"
	RouteDownloadSkillVersion = "GET /v1/skills/{skill_id}/versions/{version}/content"
)

// Query keys accepted by the list endpoints.
var (
	timeBounds = []string{"created_at[gt]", "created_at[gte]", "created_at[lt]", "created_at[lte]"}
)

// Routes returns the routes the server serves, one of the Route constants each,
// in a fixed order: the endpoints a test suite may cover.
func (s *Server) Routes() []string { return slices.Clone(s.served) }

// handleStream registers the stream handler on pattern.
func (s *Server) handleStream(pattern string) {
	s.served = append(s.served, pattern)
	s.mux.HandleFunc(pattern, s.streamEvents)
}

func (s *Server) routes() {
	h := s.handle
	h(RouteCreateAgent, s.createAgent)
	h(RouteGetAgent, s.getAgent, "version")
	h(RouteUpdateAgent, s.updateAgent)
	h(RouteListAgents, s.listAgents, "created_at[gte]", "created_at[lte]", "include_archived", "limit", "page")
	h(RouteArchiveAgent, s.archiveAgent)
	h(RouteListAgentVersions, s.listAgentVersions, "limit", "page")

	h(RouteCreateEnvironment, s.createEnvironment)
	h(RouteGetEnvironment, s.getEnvironment)
	h(RouteUpdateEnvironment, s.updateEnvironment)
	h(RouteListEnvironments, s.listEnvironments, "include_archived", "limit", "page")
	h(RouteDeleteEnvironment, s.deleteEnvironment)
	h(RouteArchiveEnvironment, s.archiveEnvironment)

	h(RouteCreateSession, s.createSession)
	h(RouteGetSession, s.getSession)
	h(RouteUpdateSession, s.updateSession)
	h(RouteListSessions, s.listSessions, append([]string{"agent_id", "agent_version", "deployment_id",
		"include_archived", "limit", "memory_store_id", "order", "page", "statuses[]"}, timeBounds...)...)
	h(RouteDeleteSession, s.deleteSession)
	h(RouteArchiveSession, s.archiveSession)

	h(RouteListEvents, s.listEvents, append([]string{"types[]", "order", "limit", "page"}, timeBounds...)...)
	h(RouteSendEvents, s.sendEvents)
	s.handleStream(RouteStreamEvents)

	h(RouteListResources, s.listResources, "limit", "page")
	h(RouteAddResource, s.addResource)
	h(RouteGetResource, s.getResource)
	h(RouteUpdateResource, s.updateResource)
	h(RouteDeleteResource, s.deleteResource)

	h(RouteListThreads, s.listThreads, "limit", "page", "statuses[]")
	h(RouteGetThread, s.getThread)
	h(RouteArchiveThread, s.archiveThread)
	h(RouteListThreadEvents, s.listThreadEvents, "limit", "page")
	s.handleStream(RouteStreamThread)

	s.workRoutes()
	s.memoryRoutes()

	h(RouteCreateDeployment, s.createDeployment)
	h(RouteGetDeployment, s.getDeployment)
	h(RouteUpdateDeployment, s.updateDeployment)
	h(RouteListDeployments, s.listDeployments, "agent_id", "created_at[gte]", "created_at[lte]", "include_archived", "limit", "page", "status")
	h(RouteArchiveDeployment, s.archiveDeployment)
	h(RoutePauseDeployment, s.pauseDeployment)
	h(RouteUnpauseDeployment, s.unpauseDeployment)
	h(RouteRunDeployment, s.runDeployment)
	h(RouteGetDeploymentRun, s.getDeploymentRun)
	h(RouteListDeploymentRuns, s.listDeploymentRuns, append([]string{"deployment_id", "has_error", "limit", "page", "trigger_type"}, timeBounds...)...)

	h(RouteCreateVault, s.createVault)
	h(RouteGetVault, s.getVault)
	h(RouteUpdateVault, s.updateVault)
	h(RouteListVaults, s.listVaults, "include_archived", "limit", "page")
	h(RouteDeleteVault, s.deleteVault)
	h(RouteArchiveVault, s.archiveVault)
	h(RouteCreateCredential, s.createCredential)
	h(RouteGetCredential, s.getCredential)
	h(RouteUpdateCredential, s.updateCredential)
	h(RouteListCredentials, s.listCredentials, "include_archived", "limit", "page")
	h(RouteDeleteCredential, s.deleteCredential)
	h(RouteArchiveCredential, s.archiveCredential)
	h(RouteValidateCredential, s.validateCredential)

	s.fileRoutes()
	s.skillRoutes()

	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound("no route for "+r.Method+" "+r.URL.Path))
	})
}
