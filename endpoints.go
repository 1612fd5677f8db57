package managedagents

import (
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// The endpoints of the Managed Agents API, each declared once: operation (the
// official SDK's span name without "anthropic."), method and route, the
// rate-limit class each attempt spends, and whether the request may be sent
// again after it may have reached the server. The area gives the beta header.
// A service method sends a request only through one of these (see
// Client.send), so a new endpoint cannot be added without saying its class and
// its repeatability; endpoints_test.go checks each against the API reference
// and each service method against its endpoints.
//
// Creates and event sends are declared Once: the API has no idempotency key,
// so sending one again after a failure that may have reached the server could
// create a duplicate. Updates, archives and deletes are Idempotent.
var (
	agentsCreate       = transport.Managed.Endpoint("agents.create", "POST /v1/agents", ratelimit.Create, transport.Once)
	agentsRetrieve     = transport.Managed.Endpoint("agents.retrieve", "GET /v1/agents/{agent_id}", ratelimit.Read, transport.Idempotent)
	agentsUpdate       = transport.Managed.Endpoint("agents.update", "POST /v1/agents/{agent_id}", ratelimit.Read, transport.Idempotent)
	agentsList         = transport.Managed.Endpoint("agents.list", "GET /v1/agents", ratelimit.Read, transport.Idempotent)
	agentsArchive      = transport.Managed.Endpoint("agents.archive", "POST /v1/agents/{agent_id}/archive", ratelimit.Read, transport.Idempotent)
	agentsVersionsList = transport.Managed.Endpoint("agents.versions.list", "GET /v1/agents/{agent_id}/versions", ratelimit.Read, transport.Idempotent)
)

var (
	environmentsCreate   = transport.Managed.Endpoint("environments.create", "POST /v1/environments", ratelimit.Create, transport.Once)
	environmentsRetrieve = transport.Managed.Endpoint("environments.retrieve", "GET /v1/environments/{environment_id}", ratelimit.Read, transport.Idempotent)
	environmentsUpdate   = transport.Managed.Endpoint("environments.update", "POST /v1/environments/{environment_id}", ratelimit.Read, transport.Idempotent)
	environmentsList     = transport.Managed.Endpoint("environments.list", "GET /v1/environments", ratelimit.Read, transport.Idempotent)
	environmentsDelete   = transport.Managed.Endpoint("environments.delete", "DELETE /v1/environments/{environment_id}", ratelimit.Read, transport.Idempotent)
	environmentsArchive  = transport.Managed.Endpoint("environments.archive", "POST /v1/environments/{environment_id}/archive", ratelimit.Read, transport.Idempotent)
)

var (
	sessionsCreate   = transport.Managed.Endpoint("sessions.create", "POST /v1/sessions", ratelimit.Create, transport.Once)
	sessionsRetrieve = transport.Managed.Endpoint("sessions.retrieve", "GET /v1/sessions/{session_id}", ratelimit.Read, transport.Idempotent)
	sessionsUpdate   = transport.Managed.Endpoint("sessions.update", "POST /v1/sessions/{session_id}", ratelimit.Read, transport.Idempotent)
	sessionsList     = transport.Managed.Endpoint("sessions.list", "GET /v1/sessions", ratelimit.Read, transport.Idempotent)
	sessionsDelete   = transport.Managed.Endpoint("sessions.delete", "DELETE /v1/sessions/{session_id}", ratelimit.Read, transport.Idempotent)
	sessionsArchive  = transport.Managed.Endpoint("sessions.archive", "POST /v1/sessions/{session_id}/archive", ratelimit.Read, transport.Idempotent)

	sessionsEventsList   = transport.Managed.Endpoint("sessions.events.list", "GET /v1/sessions/{session_id}/events", ratelimit.Read, transport.Idempotent)
	sessionsEventsSend   = transport.Managed.Endpoint("sessions.events.send", "POST /v1/sessions/{session_id}/events", ratelimit.Read, transport.Once)
	sessionsEventsStream = transport.Managed.Endpoint("sessions.events.stream", "GET /v1/sessions/{session_id}/events/stream", ratelimit.Read, transport.Idempotent)

	sessionsResourcesAdd      = transport.Managed.Endpoint("sessions.resources.add", "POST /v1/sessions/{session_id}/resources", ratelimit.Read, transport.Once)
	sessionsResourcesRetrieve = transport.Managed.Endpoint("sessions.resources.retrieve", "GET /v1/sessions/{session_id}/resources/{resource_id}", ratelimit.Read, transport.Idempotent)
	sessionsResourcesUpdate   = transport.Managed.Endpoint("sessions.resources.update", "POST /v1/sessions/{session_id}/resources/{resource_id}", ratelimit.Read, transport.Idempotent)
	sessionsResourcesList     = transport.Managed.Endpoint("sessions.resources.list", "GET /v1/sessions/{session_id}/resources", ratelimit.Read, transport.Idempotent)
	sessionsResourcesDelete   = transport.Managed.Endpoint("sessions.resources.delete", "DELETE /v1/sessions/{session_id}/resources/{resource_id}", ratelimit.Read, transport.Idempotent)

	sessionsThreadsRetrieve     = transport.Managed.Endpoint("sessions.threads.retrieve", "GET /v1/sessions/{session_id}/threads/{thread_id}", ratelimit.Read, transport.Idempotent)
	sessionsThreadsList         = transport.Managed.Endpoint("sessions.threads.list", "GET /v1/sessions/{session_id}/threads", ratelimit.Read, transport.Idempotent)
	sessionsThreadsArchive      = transport.Managed.Endpoint("sessions.threads.archive", "POST /v1/sessions/{session_id}/threads/{thread_id}/archive", ratelimit.Read, transport.Idempotent)
	sessionsThreadsEventsList   = transport.Managed.Endpoint("sessions.threads.events.list", "GET /v1/sessions/{session_id}/threads/{thread_id}/events", ratelimit.Read, transport.Idempotent)
	sessionsThreadsEventsStream = transport.Managed.Endpoint("sessions.threads.events.stream", "GET /v1/sessions/{session_id}/threads/{thread_id}/stream", ratelimit.Read, transport.Idempotent)
)
