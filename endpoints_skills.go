package managedagents

import (
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// The Skills endpoints (more-resources.md §6), in the area of the Files
// endpoints (no beta header of their own) and, like them, declared Read.
// Creating a skill or a version is Once: a retried upload may create a second
// skill or version.
var (
	skillsCreate   = filesAndSkills.Endpoint("skills.create", "POST /v1/skills", ratelimit.Read, transport.Once).Uploads()
	skillsRetrieve = filesAndSkills.Endpoint("skills.retrieve", "GET /v1/skills/{skill_id}", ratelimit.Read, transport.Idempotent)
	skillsList     = filesAndSkills.Endpoint("skills.list", "GET /v1/skills", ratelimit.Read, transport.Idempotent)
	skillsDelete   = filesAndSkills.Endpoint("skills.delete", "DELETE /v1/skills/{skill_id}", ratelimit.Read, transport.Idempotent)

	skillsVersionsCreate   = filesAndSkills.Endpoint("skills.versions.create", "POST /v1/skills/{skill_id}/versions", ratelimit.Read, transport.Once).Uploads()
	skillsVersionsRetrieve = filesAndSkills.Endpoint("skills.versions.retrieve", "GET /v1/skills/{skill_id}/versions/{version}", ratelimit.Read, transport.Idempotent)
	skillsVersionsList     = filesAndSkills.Endpoint("skills.versions.list", "GET /v1/skills/{skill_id}/versions", ratelimit.Read, transport.Idempotent)
	skillsVersionsDelete   = filesAndSkills.Endpoint("skills.versions.delete", "DELETE /v1/skills/{skill_id}/versions/{version}", ratelimit.Read, transport.Idempotent)
	skillsVersionsDownload = filesAndSkills.Endpoint("skills.versions.download", "GET /v1/skills/{skill_id}/versions/{version}/content", ratelimit.Read, transport.Idempotent).Downloads()
)
