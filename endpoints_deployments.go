package managedagents

import (
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// The endpoints of deployments and deployment runs (more-resources.md §2),
// declared as in endpoints.go. A create is Once, as is a run: the API has no
// idempotency key, and a run sent again starts a second session. Both spend
// the create class (a run creates a session). Pause, unpause and archive are
// Idempotent: sending one twice leaves the deployment as once.
var (
	deploymentsCreate   = transport.Managed.Endpoint("deployments.create", "POST /v1/deployments", ratelimit.Create, transport.Once)
	deploymentsRetrieve = transport.Managed.Endpoint("deployments.retrieve", "GET /v1/deployments/{deployment_id}", ratelimit.Read, transport.Idempotent)
	deploymentsUpdate   = transport.Managed.Endpoint("deployments.update", "POST /v1/deployments/{deployment_id}", ratelimit.Read, transport.Idempotent)
	deploymentsList     = transport.Managed.Endpoint("deployments.list", "GET /v1/deployments", ratelimit.Read, transport.Idempotent)
	deploymentsArchive  = transport.Managed.Endpoint("deployments.archive", "POST /v1/deployments/{deployment_id}/archive", ratelimit.Read, transport.Idempotent)
	deploymentsPause    = transport.Managed.Endpoint("deployments.pause", "POST /v1/deployments/{deployment_id}/pause", ratelimit.Read, transport.Idempotent)
	deploymentsUnpause  = transport.Managed.Endpoint("deployments.unpause", "POST /v1/deployments/{deployment_id}/unpause", ratelimit.Read, transport.Idempotent)
	deploymentsRun      = transport.Managed.Endpoint("deployments.run", "POST /v1/deployments/{deployment_id}/run", ratelimit.Create, transport.Once)

	deploymentRunsRetrieve = transport.Managed.Endpoint("deployment_runs.retrieve", "GET /v1/deployment_runs/{deployment_run_id}", ratelimit.Read, transport.Idempotent)
	deploymentRunsList     = transport.Managed.Endpoint("deployment_runs.list", "GET /v1/deployment_runs", ratelimit.Read, transport.Idempotent)
)
