package managedagents

import (
	"net/http"

	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// The work endpoints of self-hosted environments (self-hosted.md §2), with
// the credential each takes (§1.1). None creates anything, so all spend the
// Read class (§6 gives no other figure the SDK could enforce; a worker paces
// its polls with a WorkPoller).
//
// Repeatability, endpoint by endpoint (issue 10's rule: Once when a second
// send could do harm):
//   - poll is a GET and Idempotent: a poll whose answer was lost claimed an
//     item nobody acks, which the queue hands out again after
//     reclaim_older_than_ms (5 s by default).
//   - ack is Once: an ack whose answer was lost has made the item ours; a
//     repeat is refused by the server, and an error there would make a worker
//     give up (force-stop) an item it holds. A failure after sending is a
//     *DeliveryError: the ack may have landed, and the first heartbeat tells.
//   - heartbeat is Once: a beat whose answer was lost has stored a new
//     last_heartbeat we never saw; sending it again with the old
//     expected_last_heartbeat gets a 412 that drops a lease we hold
//     (self-hosted.md §7.1). A failure after sending is a *DeliveryError; a
//     WorkLease recovers from it on its next beat.
//   - stop is Idempotent, and a 409 (already stopped) is its success: a stop
//     sent again after a lost answer finds the item stopped.
//   - update patches metadata and is Idempotent like every update; list, get
//     and stats are reads.
var (
	workPoll = transport.Managed.Endpoint("environments.work.poll", "GET /v1/environments/{environment_id}/work/poll", ratelimit.Read, transport.Idempotent).
			Using(transport.EnvironmentCredentials)
	workAck = transport.Managed.Endpoint("environments.work.ack", "POST /v1/environments/{environment_id}/work/{work_id}/ack", ratelimit.Read, transport.Once).
		Using(transport.EnvironmentCredentials)
	workList = transport.Managed.Endpoint("environments.work.list", "GET /v1/environments/{environment_id}/work", ratelimit.Read, transport.Idempotent).
			Using(transport.EnvironmentCredentials)
	workHeartbeat = transport.Managed.Endpoint("environments.work.heartbeat", "POST /v1/environments/{environment_id}/work/{work_id}/heartbeat", ratelimit.Read, transport.Once).
			Using(transport.WorkItemCredentials)
	workStop = transport.Managed.Endpoint("environments.work.stop", "POST /v1/environments/{environment_id}/work/{work_id}/stop", ratelimit.Read, transport.Idempotent).
			Using(transport.WorkItemCredentials).SucceedsOn(http.StatusConflict)
	workRetrieve = transport.Managed.Endpoint("environments.work.retrieve", "GET /v1/environments/{environment_id}/work/{work_id}", ratelimit.Read, transport.Idempotent).
			Using(transport.APIKeyCredentials)
	workUpdate = transport.Managed.Endpoint("environments.work.update", "POST /v1/environments/{environment_id}/work/{work_id}", ratelimit.Read, transport.Idempotent).
			Using(transport.APIKeyCredentials)
	workStats = transport.Managed.Endpoint("environments.work.stats", "GET /v1/environments/{environment_id}/work/stats", ratelimit.Read, transport.Idempotent)
)
