package managedagents

import (
	"context"
	"iter"
	"net/url"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/option"
)

// VaultService manages vaults. Get it from [Client.Vaults].
type VaultService struct {
	client *Client
	// Credentials manages the credentials of a vault.
	Credentials *VaultCredentialService
}

// Vault is a named container of credentials ("type":"vault"). Sessions and
// deployments name vaults in their VaultIDs; at run time the platform injects
// the matching credentials into MCP connections or outbound requests.
type Vault struct {
	// ObjectMeta holds the id (vlt_…), the type ("vault"), the timestamps and
	// the raw JSON.
	ObjectMeta
	// DisplayName is the vault's name.
	DisplayName string `json:"display_name"`
	// Metadata holds the user's key-value pairs.
	Metadata map[string]string `json:"metadata"`
}

// UnmarshalJSON decodes a vault and keeps its raw JSON.
func (v *Vault) UnmarshalJSON(b []byte) error {
	type plain Vault
	return decodeObject(b, (*plain)(v), &v.ObjectMeta)
}

// maxDisplayName is the longest display name of a vault or a credential, in
// characters.
const maxDisplayName = 255

// maxVaultsLimit is the largest page of vaults and of credentials.
const maxVaultsLimit = 100

// validateDisplayName checks a display name; required says whether it may be
// empty.
func validateDisplayName(name string, required bool) error {
	switch n := utf8.RuneCountInString(name); {
	case n == 0 && required:
		return invalid("display_name", "is required")
	case n > maxDisplayName:
		return invalid("display_name", "must be at most 255 characters")
	}
	return nil
}

// VaultCreateParams is the body of POST /v1/vaults.
type VaultCreateParams struct {
	// DisplayName is the vault's name, 1 to 255 characters. Required.
	DisplayName string `json:"display_name"`
	// Metadata holds up to 16 pairs (keys up to 64 characters, values up to
	// 512).
	Metadata map[string]string `json:"metadata,omitzero"`
}

// VaultUpdateParams is the body of POST /v1/vaults/{vault_id}. Zero fields are
// not sent and keep the stored value.
type VaultUpdateParams struct {
	// DisplayName replaces the name (1 to 255 characters).
	DisplayName string `json:"display_name,omitzero"`
	// Metadata patches the metadata: see [MetadataPatch].
	Metadata MetadataPatch `json:"metadata,omitzero"`
}

// VaultListParams filters GET /v1/vaults.
type VaultListParams struct {
	// IncludeArchived lists archived vaults too.
	IncludeArchived bool
	// Limit is the page size, at most 100 (the API's default is 20).
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// VaultGetParams are the parameters of GET /v1/vaults/{vault_id}; it has none
// yet.
type VaultGetParams struct{}

// VaultDeleteParams are the parameters of DELETE /v1/vaults/{vault_id}; it has
// none yet.
type VaultDeleteParams struct{}

// VaultArchiveParams are the parameters of POST /v1/vaults/{vault_id}/archive;
// it has none yet.
type VaultArchiveParams struct{}

// Create creates a vault. The request is never sent twice: when it fails after
// it was sent, the vault may or may not exist.
//
// POST /v1/vaults
func (s *VaultService) Create(ctx context.Context, params VaultCreateParams, opts ...option.RequestOption) (*Vault, error) {
	if err := validateDisplayName(params.DisplayName, true); err != nil {
		return nil, err
	}
	if err := validateMetadataLimits("metadata", params.Metadata); err != nil {
		return nil, err
	}
	return doJSON[Vault](ctx, s.client, vaultsCreate.At().WithBody(params), opts)
}

// Get returns a vault.
//
// GET /v1/vaults/{vault_id}
func (s *VaultService) Get(ctx context.Context, vaultID string, params VaultGetParams, opts ...option.RequestOption) (*Vault, error) {
	return doJSON[Vault](ctx, s.client, vaultsRetrieve.At(vaultID), opts)
}

// Update changes a vault's name or metadata; only the fields set in params
// change.
//
// POST /v1/vaults/{vault_id}
func (s *VaultService) Update(ctx context.Context, vaultID string, params VaultUpdateParams, opts ...option.RequestOption) (*Vault, error) {
	if err := validateDisplayName(params.DisplayName, false); err != nil {
		return nil, err
	}
	if err := validateMetadataLimits("metadata", params.Metadata); err != nil {
		return nil, err
	}
	return doJSON[Vault](ctx, s.client, vaultsUpdate.At(vaultID).WithBody(params), opts)
}

// List returns one page of vaults.
//
// GET /v1/vaults
func (s *VaultService) List(ctx context.Context, params VaultListParams, opts ...option.RequestOption) (*Page[*Vault], error) {
	q, err := pageQuery(params.Limit, maxVaultsLimit, params.Page)
	if err != nil {
		return nil, err
	}
	q.bool("include_archived", params.IncludeArchived)
	return doJSON[Page[*Vault]](ctx, s.client, vaultsList.At().WithQuery(url.Values(q)), opts)
}

// ListAll iterates over the vaults from params.Page on, fetching pages lazily,
// and stops at the first error.
//
// GET /v1/vaults
func (s *VaultService) ListAll(ctx context.Context, params VaultListParams, opts ...option.RequestOption) iter.Seq2[*Vault, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*Vault], error) {
		p := params
		p.Page = page
		return s.List(ctx, p, opts...)
	})
}

// Delete deletes a vault and its credentials. Deployments that name it then
// fail to run (vault_not_found_error). An empty 2xx answer counts as success.
//
// DELETE /v1/vaults/{vault_id}
func (s *VaultService) Delete(ctx context.Context, vaultID string, params VaultDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	return s.client.deleteResource(ctx, vaultsDelete.At(vaultID), "vault_deleted", opts)
}

// Archive archives a vault for good. Deployments that name it then fail to
// run (vault_archived_error).
//
// POST /v1/vaults/{vault_id}/archive
func (s *VaultService) Archive(ctx context.Context, vaultID string, params VaultArchiveParams, opts ...option.RequestOption) (*Vault, error) {
	return doJSON[Vault](ctx, s.client, vaultsArchive.At(vaultID), opts)
}
