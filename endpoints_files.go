package managedagents

import (
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// filesAndSkills is the area of the Files and Skills endpoints. They send no
// anthropic-beta of their own, as the official SDK v2.15.0 does not: their
// old beta names (files-api-2025-04-14, skills-2025-10-02) make the server
// answer with older, different shapes (more-resources.md §1.1). The names of
// option.WithBetas are still sent.
var filesAndSkills = transport.Area{}

// The Files endpoints (more-resources.md §5). They are outside the Managed
// Agents budgets (standard tier limits); they are declared Read so that the
// client's limiter paces them without spending the scarce create budget. An
// upload is Once: the API has no idempotency key, and a retried upload may
// store the file twice. Uploads stream their multipart body (Uploads);
// downloads hand their content over unread (Downloads).
var (
	filesUpload           = filesAndSkills.Endpoint("files.upload", "POST /v1/files", ratelimit.Read, transport.Once).Uploads()
	filesList             = filesAndSkills.Endpoint("files.list", "GET /v1/files", ratelimit.Read, transport.Idempotent)
	filesRetrieveMetadata = filesAndSkills.Endpoint("files.retrieve_metadata", "GET /v1/files/{file_id}", ratelimit.Read, transport.Idempotent)
	filesDownload         = filesAndSkills.Endpoint("files.download", "GET /v1/files/{file_id}/content", ratelimit.Read, transport.Idempotent).Downloads()
	filesDelete           = filesAndSkills.Endpoint("files.delete", "DELETE /v1/files/{file_id}", ratelimit.Read, transport.Idempotent)
)
