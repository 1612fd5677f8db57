package managedagents

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// VaultCredentialService manages the credentials of vaults. Get it from
// [VaultService.Credentials].
type VaultCredentialService struct{ client *Client }

// VaultCredential is a credential of a vault ("type":"vault_credential"). Its
// secrets are write-only: the API never returns them.
type VaultCredential struct {
	// ObjectMeta holds the id (vcrd_…), the type ("vault_credential"), the
	// timestamps and the raw JSON.
	ObjectMeta
	// VaultID is the vault that holds the credential.
	VaultID string `json:"vault_id"`
	// DisplayName is the credential's name; empty when unset.
	DisplayName string `json:"display_name"`
	// Auth is *MCPOAuthAuth, *StaticBearerAuth, *EnvironmentVariableAuth or
	// *UnknownCredentialAuth.
	Auth CredentialAuth `json:"auth"`
	// Metadata holds the user's key-value pairs.
	Metadata map[string]string `json:"metadata"`
}

// UnmarshalJSON decodes a credential, its auth by type, and keeps its raw
// JSON.
func (c *VaultCredential) UnmarshalJSON(b []byte) error {
	type plain VaultCredential
	w := struct {
		*plain
		Auth json.RawMessage `json:"auth"`
	}{plain: (*plain)(c)}
	if err := decodeObject(b, &w, &c.ObjectMeta); err != nil {
		return err
	}
	auth, err := DecodeCredentialAuth(w.Auth)
	if err != nil {
		return err
	}
	c.Auth = auth
	return nil
}

// VaultCredentialCreateParams is the body of POST
// /v1/vaults/{vault_id}/credentials.
type VaultCredentialCreateParams struct {
	// Auth is the credential: NewMCPOAuthAuth(url, token) (with Refresh),
	// NewStaticBearerAuth(url, token) or NewEnvironmentVariableAuth(name,
	// value, networking). Required.
	Auth CredentialAuthParams `json:"auth"`
	// DisplayName is the credential's name, at most 255 characters.
	DisplayName string `json:"display_name,omitzero"`
	// Metadata holds up to 16 pairs (keys up to 64 characters, values up to
	// 512).
	Metadata map[string]string `json:"metadata,omitzero"`
}

func (p VaultCredentialCreateParams) validate() error {
	if p.Auth == nil {
		return invalid("auth", "is required")
	}
	if err := p.Auth.validate("auth", false); err != nil {
		return err
	}
	if err := validateDisplayName(p.DisplayName, false); err != nil {
		return err
	}
	return validateMetadataLimits("metadata", p.Metadata)
}

// wire returns the body sent, secrets revealed.
func (p VaultCredentialCreateParams) wire() any {
	return struct {
		Auth        map[string]any    `json:"auth"`
		DisplayName string            `json:"display_name,omitzero"`
		Metadata    map[string]string `json:"metadata,omitzero"`
	}{p.Auth.wire(), p.DisplayName, p.Metadata}
}

// VaultCredentialUpdateParams is the body of POST
// /v1/vaults/{vault_id}/credentials/{credential_id}. Zero fields are not sent
// and keep the stored value.
type VaultCredentialUpdateParams struct {
	// DisplayName replaces the name (1 to 255 characters).
	DisplayName string `json:"display_name,omitzero"`
	// Metadata patches the metadata: see [MetadataPatch].
	Metadata MetadataPatch `json:"metadata,omitzero"`
	// Auth changes the auth: of the credential's kind, with only the fields to
	// change set, e.g. &StaticBearerAuthParams{Token: NewSecret(t)} to rotate a
	// token. Fields that cannot change (the MCP server URL, the secret name,
	// the OAuth client id, token endpoint and resource) are refused.
	Auth CredentialAuthParams `json:"auth,omitzero"`
	// Clear names the fields to clear: "auth.refresh.scope" (sent as "", which
	// clears an mcp_oauth credential's scope).
	Clear []string `json:"-"`
}

// credentialClearable are the fields VaultCredentialUpdateParams.Clear accepts.
var credentialClearable = []string{"auth.refresh.scope"}

func (p VaultCredentialUpdateParams) validate() error {
	if err := validateClear(p.Clear, credentialClearable, struct{}{}); err != nil {
		return err
	}
	if i := slices.Index(p.Clear, "auth.refresh.scope"); i >= 0 {
		switch a := p.Auth.(type) {
		case nil:
		case *MCPOAuthAuthParams:
			if a.Refresh != nil && a.Refresh.Scope != "" {
				return invalid("auth.refresh.scope", "cannot be both set and cleared")
			}
		default:
			return invalid("clear["+strconv.Itoa(i)+"]", "auth.refresh.scope belongs to mcp_oauth credentials, not "+string(a.CredentialType()))
		}
	}
	if p.Auth != nil {
		if err := p.Auth.validate("auth", true); err != nil {
			return err
		}
	}
	if err := validateDisplayName(p.DisplayName, false); err != nil {
		return err
	}
	return validateMetadataLimits("metadata", p.Metadata)
}

// wire returns the body sent, secrets revealed.
func (p VaultCredentialUpdateParams) wire() any {
	var auth map[string]any
	if p.Auth != nil {
		auth = p.Auth.wire()
	}
	if slices.Contains(p.Clear, "auth.refresh.scope") {
		if auth == nil {
			auth = (&MCPOAuthAuthParams{}).wire()
		}
		refresh, _ := auth["refresh"].(map[string]any)
		if refresh == nil {
			refresh = map[string]any{}
		}
		refresh["scope"] = ""
		auth["refresh"] = refresh
	}
	return struct {
		Auth        map[string]any `json:"auth,omitzero"`
		DisplayName string         `json:"display_name,omitzero"`
		Metadata    MetadataPatch  `json:"metadata,omitzero"`
	}{auth, p.DisplayName, p.Metadata}
}

// VaultCredentialListParams filters GET /v1/vaults/{vault_id}/credentials.
type VaultCredentialListParams struct {
	// IncludeArchived lists archived credentials too.
	IncludeArchived bool
	// Limit is the page size, at most 100 (the API's default is 20).
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// VaultCredentialGetParams are the parameters of GET
// /v1/vaults/{vault_id}/credentials/{credential_id}; it has none yet.
type VaultCredentialGetParams struct{}

// VaultCredentialDeleteParams are the parameters of DELETE
// /v1/vaults/{vault_id}/credentials/{credential_id}; it has none yet.
type VaultCredentialDeleteParams struct{}

// VaultCredentialArchiveParams are the parameters of POST
// /v1/vaults/{vault_id}/credentials/{credential_id}/archive; it has none yet.
type VaultCredentialArchiveParams struct{}

// VaultCredentialMCPOAuthValidateParams are the parameters of POST
// /v1/vaults/{vault_id}/credentials/{credential_id}/mcp_oauth_validate; it has
// none yet.
type VaultCredentialMCPOAuthValidateParams struct{}

// CredentialValidationStatus is the verdict of a credential validation.
type CredentialValidationStatus string

// Credential validation verdicts.
const (
	// CredentialValidationValid: the MCP server accepted the credential.
	CredentialValidationValid CredentialValidationStatus = "valid"
	// CredentialValidationInvalid: the server rejected it (or no access token is
	// stored) and no refresh recovered it; the user must authorize again.
	CredentialValidationInvalid CredentialValidationStatus = "invalid"
	// CredentialValidationUnknown: the probe could not tell (a network error,
	// or a refresh succeeded but the new token was not probed); validate again.
	CredentialValidationUnknown CredentialValidationStatus = "unknown"
)

// RefreshStatus is the outcome of the refresh a validation tried.
type RefreshStatus string

// Refresh outcomes.
const (
	RefreshSucceeded      RefreshStatus = "succeeded"
	RefreshFailed         RefreshStatus = "failed"
	RefreshConnectError   RefreshStatus = "connect_error"
	RefreshNoRefreshToken RefreshStatus = "no_refresh_token"
)

// VaultCredentialValidation is the result of probing an mcp_oauth credential
// against its MCP server ("type":"vault_credential_validation").
type VaultCredentialValidation struct {
	// Type is "vault_credential_validation".
	Type string `json:"type"`
	// CredentialID is the id of the credential probed.
	CredentialID string `json:"credential_id"`
	// VaultID is the id of its vault.
	VaultID string `json:"vault_id"`
	// Status is the verdict.
	Status CredentialValidationStatus `json:"status"`
	// HasRefreshToken reports whether the credential has a refresh token.
	HasRefreshToken bool `json:"has_refresh_token"`
	// ValidatedAt is when the probe ran.
	ValidatedAt time.Time `json:"validated_at"`
	// MCPProbe is the MCP step that failed; nil when the probe passed or no
	// token was stored.
	MCPProbe *MCPProbe `json:"mcp_probe"`
	// Refresh is the refresh tried after a 401; nil when none was.
	Refresh *RefreshAttempt `json:"refresh"`

	raw json.RawMessage
}

// UnmarshalJSON decodes a validation and keeps its raw JSON.
func (v *VaultCredentialValidation) UnmarshalJSON(b []byte) error {
	type plain VaultCredentialValidation
	if err := json.Unmarshal(b, (*plain)(v)); err != nil {
		return err
	}
	v.raw = slices.Clone(b)
	return nil
}

// RawJSON returns the validation exactly as received, including the fields
// this SDK does not know.
func (v *VaultCredentialValidation) RawJSON() json.RawMessage { return v.raw }

// MCPProbe is the MCP step of a validation that failed.
type MCPProbe struct {
	// Method is the MCP method, e.g. "initialize" or "tools/list".
	Method string `json:"method"`
	// HTTPResponse is the server's error answer; nil after a timeout or a DNS
	// or TLS failure.
	HTTPResponse *ProbeHTTPResponse `json:"http_response"`
}

// RefreshAttempt is the refresh a validation tried.
type RefreshAttempt struct {
	// Status is its outcome.
	Status RefreshStatus `json:"status"`
	// HTTPResponse is the token endpoint's error answer (RefreshFailed only).
	HTTPResponse *ProbeHTTPResponse `json:"http_response"`
}

// ProbeHTTPResponse is an HTTP answer captured by a validation.
type ProbeHTTPResponse struct {
	// StatusCode is the HTTP status.
	StatusCode int `json:"status_code"`
	// ContentType is the Content-Type header.
	ContentType string `json:"content_type"`
	// Body is the body, possibly cut, with sensitive values scrubbed.
	Body string `json:"body"`
	// BodyTruncated reports whether Body was cut.
	BodyTruncated bool `json:"body_truncated"`
}

// Create adds a credential to a vault. The request is never sent twice: when
// it fails after it was sent, the credential may or may not exist.
//
// POST /v1/vaults/{vault_id}/credentials
func (s *VaultCredentialService) Create(ctx context.Context, vaultID string, params VaultCredentialCreateParams, opts ...option.RequestOption) (*VaultCredential, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	r := vaultsCredentialsCreate.At(vaultID).WithBody(params.wire())
	return doJSON[VaultCredential](ctx, s.client, r, withSecrets(opts, params.Auth.secrets()...))
}

// Get returns a credential.
//
// GET /v1/vaults/{vault_id}/credentials/{credential_id}
func (s *VaultCredentialService) Get(ctx context.Context, vaultID, credentialID string, params VaultCredentialGetParams, opts ...option.RequestOption) (*VaultCredential, error) {
	return doJSON[VaultCredential](ctx, s.client, vaultsCredentialsRetrieve.At(vaultID, credentialID), opts)
}

// Update changes a credential: its name, metadata, or the secrets and settings
// of its auth that may change. See [VaultCredentialUpdateParams].
//
// POST /v1/vaults/{vault_id}/credentials/{credential_id}
func (s *VaultCredentialService) Update(ctx context.Context, vaultID, credentialID string, params VaultCredentialUpdateParams, opts ...option.RequestOption) (*VaultCredential, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	var secrets []Secret
	if params.Auth != nil {
		secrets = params.Auth.secrets()
	}
	r := vaultsCredentialsUpdate.At(vaultID, credentialID).WithBody(params.wire())
	return doJSON[VaultCredential](ctx, s.client, r, withSecrets(opts, secrets...))
}

// List returns one page of a vault's credentials.
//
// GET /v1/vaults/{vault_id}/credentials
func (s *VaultCredentialService) List(ctx context.Context, vaultID string, params VaultCredentialListParams, opts ...option.RequestOption) (*Page[*VaultCredential], error) {
	q, err := pageQuery(params.Limit, maxVaultsLimit, params.Page)
	if err != nil {
		return nil, err
	}
	q.bool("include_archived", params.IncludeArchived)
	return doJSON[Page[*VaultCredential]](ctx, s.client, vaultsCredentialsList.At(vaultID).WithQuery(url.Values(q)), opts)
}

// ListAll iterates over a vault's credentials from params.Page on, fetching
// pages lazily, and stops at the first error.
//
// GET /v1/vaults/{vault_id}/credentials
func (s *VaultCredentialService) ListAll(ctx context.Context, vaultID string, params VaultCredentialListParams, opts ...option.RequestOption) iter.Seq2[*VaultCredential, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*VaultCredential], error) {
		p := params
		p.Page = page
		return s.List(ctx, vaultID, p, opts...)
	})
}

// Delete deletes a credential. An empty 2xx answer counts as success.
//
// DELETE /v1/vaults/{vault_id}/credentials/{credential_id}
func (s *VaultCredentialService) Delete(ctx context.Context, vaultID, credentialID string, params VaultCredentialDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	return s.client.deleteResource(ctx, vaultsCredentialsDelete.At(vaultID, credentialID), "vault_credential_deleted", opts)
}

// Archive archives a credential for good.
//
// POST /v1/vaults/{vault_id}/credentials/{credential_id}/archive
func (s *VaultCredentialService) Archive(ctx context.Context, vaultID, credentialID string, params VaultCredentialArchiveParams, opts ...option.RequestOption) (*VaultCredential, error) {
	return doJSON[VaultCredential](ctx, s.client, vaultsCredentialsArchive.At(vaultID, credentialID), opts)
}

// MCPOAuthValidate probes an mcp_oauth credential against its MCP server,
// trying its refresh token after a 401, and returns the verdict. It changes
// nothing that a second probe would not, so it may be retried.
//
// POST /v1/vaults/{vault_id}/credentials/{credential_id}/mcp_oauth_validate
func (s *VaultCredentialService) MCPOAuthValidate(ctx context.Context, vaultID, credentialID string, params VaultCredentialMCPOAuthValidateParams, opts ...option.RequestOption) (*VaultCredentialValidation, error) {
	return doJSON[VaultCredentialValidation](ctx, s.client, vaultsCredentialsMCPOAuthValidate.At(vaultID, credentialID), opts)
}
