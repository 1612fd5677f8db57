package managedagents

import (
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// The endpoints of vaults and vault credentials (more-resources.md §3),
// declared as in endpoints.go. Creates are Once and spend the create class;
// mcp_oauth_validate only probes the credential, so it may be sent again.
var (
	vaultsCreate   = transport.Managed.Endpoint("vaults.create", "POST /v1/vaults", ratelimit.Create, transport.Once)
	vaultsRetrieve = transport.Managed.Endpoint("vaults.retrieve", "GET /v1/vaults/{vault_id}", ratelimit.Read, transport.Idempotent)
	vaultsUpdate   = transport.Managed.Endpoint("vaults.update", "POST /v1/vaults/{vault_id}", ratelimit.Read, transport.Idempotent)
	vaultsList     = transport.Managed.Endpoint("vaults.list", "GET /v1/vaults", ratelimit.Read, transport.Idempotent)
	vaultsDelete   = transport.Managed.Endpoint("vaults.delete", "DELETE /v1/vaults/{vault_id}", ratelimit.Read, transport.Idempotent)
	vaultsArchive  = transport.Managed.Endpoint("vaults.archive", "POST /v1/vaults/{vault_id}/archive", ratelimit.Read, transport.Idempotent)

	vaultsCredentialsCreate           = transport.Managed.Endpoint("vaults.credentials.create", "POST /v1/vaults/{vault_id}/credentials", ratelimit.Create, transport.Once)
	vaultsCredentialsRetrieve         = transport.Managed.Endpoint("vaults.credentials.retrieve", "GET /v1/vaults/{vault_id}/credentials/{credential_id}", ratelimit.Read, transport.Idempotent)
	vaultsCredentialsUpdate           = transport.Managed.Endpoint("vaults.credentials.update", "POST /v1/vaults/{vault_id}/credentials/{credential_id}", ratelimit.Read, transport.Idempotent)
	vaultsCredentialsList             = transport.Managed.Endpoint("vaults.credentials.list", "GET /v1/vaults/{vault_id}/credentials", ratelimit.Read, transport.Idempotent)
	vaultsCredentialsDelete           = transport.Managed.Endpoint("vaults.credentials.delete", "DELETE /v1/vaults/{vault_id}/credentials/{credential_id}", ratelimit.Read, transport.Idempotent)
	vaultsCredentialsArchive          = transport.Managed.Endpoint("vaults.credentials.archive", "POST /v1/vaults/{vault_id}/credentials/{credential_id}/archive", ratelimit.Read, transport.Idempotent)
	vaultsCredentialsMCPOAuthValidate = transport.Managed.Endpoint("vaults.credentials.mcp_oauth_validate", "POST /v1/vaults/{vault_id}/credentials/{credential_id}/mcp_oauth_validate", ratelimit.Read, transport.Idempotent)
)
