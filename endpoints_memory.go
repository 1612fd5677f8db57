package managedagents

import (
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// MemoryBetaHeader is the beta name sent in anthropic-beta on every request
// of the memory store endpoints, instead of [BetaHeader] (as the official SDK
// does; the API accepts either). The names of option.WithBetas come after it.
const MemoryBetaHeader = "agent-memory-2026-07-22"

// memoryArea is the area of the memory store endpoints: they send only their
// own beta (more-resources.md §1.1).
var memoryArea = transport.Area{Betas: []string{MemoryBetaHeader}}

// The memory store endpoints (more-resources.md §4.1), declared as in
// endpoints.go. The creates of a store and of a memory are Once, as the
// official SDK treats them (§1.4). Memory updates are Idempotent: without a
// precondition a second send writes the same content again (an update that
// changes nothing writes no version); with one, a second send cannot apply
// twice. Redaction is Idempotent: it is one-way, a second send leaves the
// version as the first left it.
//
// Creating a store spends the create budget, as creating any resource does
// (managed-agents-api.md §2.2); writing a memory spends the read ("all other
// operations") budget, as sending an event into a session does: a sync that
// writes many memories is not paced like one that creates resources.
//
// The 409 answers of the memory writes are final (ConflictIsFinal): a failed
// precondition or a path already taken is the server's verdict, and retrying
// it, as the official SDK does with every 409, only repeats it.
var (
	memoryStoresCreate   = memoryArea.Endpoint("memory_stores.create", "POST /v1/memory_stores", ratelimit.Create, transport.Once)
	memoryStoresRetrieve = memoryArea.Endpoint("memory_stores.retrieve", "GET /v1/memory_stores/{memory_store_id}", ratelimit.Read, transport.Idempotent)
	memoryStoresUpdate   = memoryArea.Endpoint("memory_stores.update", "POST /v1/memory_stores/{memory_store_id}", ratelimit.Read, transport.Idempotent)
	memoryStoresList     = memoryArea.Endpoint("memory_stores.list", "GET /v1/memory_stores", ratelimit.Read, transport.Idempotent)
	memoryStoresDelete   = memoryArea.Endpoint("memory_stores.delete", "DELETE /v1/memory_stores/{memory_store_id}", ratelimit.Read, transport.Idempotent)
	memoryStoresArchive  = memoryArea.Endpoint("memory_stores.archive", "POST /v1/memory_stores/{memory_store_id}/archive", ratelimit.Read, transport.Idempotent)

	memoriesCreate   = memoryArea.Endpoint("memory_stores.memories.create", "POST /v1/memory_stores/{memory_store_id}/memories", ratelimit.Read, transport.Once).ConflictIsFinal()
	memoriesRetrieve = memoryArea.Endpoint("memory_stores.memories.retrieve", "GET /v1/memory_stores/{memory_store_id}/memories/{memory_id}", ratelimit.Read, transport.Idempotent)
	memoriesUpdate   = memoryArea.Endpoint("memory_stores.memories.update", "POST /v1/memory_stores/{memory_store_id}/memories/{memory_id}", ratelimit.Read, transport.Idempotent).ConflictIsFinal()
	memoriesList     = memoryArea.Endpoint("memory_stores.memories.list", "GET /v1/memory_stores/{memory_store_id}/memories", ratelimit.Read, transport.Idempotent)
	memoriesDelete   = memoryArea.Endpoint("memory_stores.memories.delete", "DELETE /v1/memory_stores/{memory_store_id}/memories/{memory_id}", ratelimit.Read, transport.Idempotent).ConflictIsFinal()

	memoryVersionsList     = memoryArea.Endpoint("memory_stores.memory_versions.list", "GET /v1/memory_stores/{memory_store_id}/memory_versions", ratelimit.Read, transport.Idempotent)
	memoryVersionsRetrieve = memoryArea.Endpoint("memory_stores.memory_versions.retrieve", "GET /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}", ratelimit.Read, transport.Idempotent)
	memoryVersionsRedact   = memoryArea.Endpoint("memory_stores.memory_versions.redact", "POST /v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact", ratelimit.Read, transport.Idempotent)
)
