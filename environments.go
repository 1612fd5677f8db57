package managedagents

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"

	"github.com/go-managedagents/managedagents/option"
)

// Environment is a container template ("type":"environment").
type Environment struct {
	// ObjectMeta holds the id (env_…), the type ("environment"), the timestamps
	// and the raw JSON.
	ObjectMeta
	// Name is the environment's name, unique in the organization.
	Name string `json:"name"`
	// Description is empty when unset (null).
	Description string `json:"description"`
	// Config is *CloudConfig, *SelfHostedConfig or *UnknownEnvironmentConfig.
	Config EnvironmentConfig `json:"config"`
	// Metadata holds the user's key-value pairs.
	Metadata map[string]string `json:"metadata"`
	// Scope is "organization" or "account"; empty when not reported.
	Scope string `json:"scope,omitzero"`
}

// UnmarshalJSON decodes an environment, its config by type, and keeps its raw
// JSON.
func (e *Environment) UnmarshalJSON(b []byte) error {
	type plain Environment
	w := struct {
		*plain
		Config json.RawMessage `json:"config"`
	}{plain: (*plain)(e)}
	if err := decodeObject(b, &w, &e.ObjectMeta); err != nil {
		return err
	}
	cfg, err := DecodeEnvironmentConfig(w.Config)
	if err != nil {
		return err
	}
	e.Config = cfg
	return nil
}

// Environment config type strings.
const (
	EnvironmentTypeCloud      = "cloud"
	EnvironmentTypeSelfHosted = "self_hosted"
)

// EnvironmentConfig is an environment's configuration. It is a sealed interface:
// the concrete types are [*CloudConfig], [*SelfHostedConfig], and
// [*UnknownEnvironmentConfig] for a type this SDK does not know.
type EnvironmentConfig interface {
	// ConfigType returns the config's type string, e.g. "cloud".
	ConfigType() string
	validate(field string) error
}

// CloudConfig (cloud) runs sessions in Anthropic-hosted containers. In requests
// nil fields are not sent: on create they take the server default, on update
// they keep the stored value.
type CloudConfig struct {
	// Networking is the container's network policy.
	Networking *Networking `json:"networking,omitzero"`
	// Packages are installed in the container.
	Packages *Packages `json:"packages,omitzero"`
}

// ConfigType returns "cloud".
func (*CloudConfig) ConfigType() string { return EnvironmentTypeCloud }

// MarshalJSON adds the type.
func (c CloudConfig) MarshalJSON() ([]byte, error) {
	type plain CloudConfig
	return marshalWithType(EnvironmentTypeCloud, plain(c))
}

func (c *CloudConfig) validate(field string) error {
	if c == nil {
		return invalid(field, "must not be nil")
	}
	if n := c.Networking; n != nil {
		switch n.Type {
		case NetworkingUnrestricted, NetworkingLimited:
		default:
			return invalid(field+".networking.type", `must be "unrestricted" or "limited", not `+strconv.Quote(n.Type))
		}
		for i, h := range n.AllowedHosts {
			if h == "" {
				return invalid(field+".networking.allowed_hosts["+strconv.Itoa(i)+"]", "must not be empty")
			}
		}
	}
	return nil
}

// Networking types.
const (
	NetworkingUnrestricted = "unrestricted"
	NetworkingLimited      = "limited"
)

// Networking is a cloud container's network policy: {"type":"unrestricted"} or
// {"type":"limited","allowed_hosts","allow_mcp_servers","allow_package_managers"}
// (deny by default). The two booleans are pointers because false is meaningful:
// nil is not sent, which means false on create and "keep the stored value" on
// update; responses always carry both.
type Networking struct {
	// Type is NetworkingUnrestricted or NetworkingLimited.
	Type string `json:"type"`
	// AllowedHosts are the hosts reachable under "limited".
	AllowedHosts []string `json:"allowed_hosts,omitzero"`
	// AllowMCPServers lets the container reach the agent's MCP servers
	// ("limited" only), e.g. new(true).
	AllowMCPServers *bool `json:"allow_mcp_servers,omitzero"`
	// AllowPackageManagers lets the container reach package registries; needed
	// to install Packages under "limited".
	AllowPackageManagers *bool `json:"allow_package_managers,omitzero"`
}

// NewNetworkingUnrestricted returns the policy allowing all egress.
func NewNetworkingUnrestricted() *Networking { return &Networking{Type: NetworkingUnrestricted} }

// NewNetworkingLimited returns a deny-by-default policy allowing hosts.
func NewNetworkingLimited(hosts ...string) *Networking {
	return &Networking{Type: NetworkingLimited, AllowedHosts: hosts}
}

// MarshalJSON sends only the type for "unrestricted".
func (n Networking) MarshalJSON() ([]byte, error) {
	if n.Type == NetworkingUnrestricted {
		return marshalWithType(n.Type, struct{}{})
	}
	type plain Networking
	return json.Marshal(plain(n))
}

// Packages are packages installed in a cloud container, per package manager.
// Entries may pin versions in the manager's syntax ("pandas==2.2.3"). Nil lists
// are not sent.
type Packages struct {
	// Type is "packages" (the default when empty).
	Type string `json:"type"`
	// Apt packages.
	Apt []string `json:"apt,omitzero"`
	// Cargo crates.
	Cargo []string `json:"cargo,omitzero"`
	// Gem gems.
	Gem []string `json:"gem,omitzero"`
	// Go modules.
	Go []string `json:"go,omitzero"`
	// Npm packages.
	Npm []string `json:"npm,omitzero"`
	// Pip packages.
	Pip []string `json:"pip,omitzero"`
}

// MarshalJSON sends Type "packages" when it is empty.
func (p Packages) MarshalJSON() ([]byte, error) {
	type plain Packages
	if p.Type == "" {
		p.Type = "packages"
	}
	return json.Marshal(plain(p))
}

// SelfHostedConfig (self_hosted) runs tools on your own workers.
type SelfHostedConfig struct{}

// ConfigType returns "self_hosted".
func (*SelfHostedConfig) ConfigType() string { return EnvironmentTypeSelfHosted }

// MarshalJSON encodes {"type":"self_hosted"}.
func (SelfHostedConfig) MarshalJSON() ([]byte, error) {
	return []byte(`{"type":"self_hosted"}`), nil
}

func (*SelfHostedConfig) validate(string) error { return nil }

// UnknownEnvironmentConfig is a config whose type this SDK does not know. It is
// sent back as received.
type UnknownEnvironmentConfig struct {
	// Type is the config's type string.
	Type string
	// Raw is the config's JSON.
	Raw json.RawMessage
}

// ConfigType returns the config's type string.
func (c *UnknownEnvironmentConfig) ConfigType() string { return c.Type }

// MarshalJSON returns Raw.
func (c UnknownEnvironmentConfig) MarshalJSON() ([]byte, error) {
	if len(c.Raw) == 0 {
		return marshalWithType(c.Type, struct{}{})
	}
	return c.Raw, nil
}

func (c *UnknownEnvironmentConfig) validate(field string) error {
	if c == nil || c.Type == "" {
		return invalid(field+".type", "is required")
	}
	return nil
}

// DecodeEnvironmentConfig decodes an environment config by its type; null or
// empty input gives nil, an unknown type *UnknownEnvironmentConfig.
func DecodeEnvironmentConfig(b []byte) (EnvironmentConfig, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil, nil
	}
	typ, err := unionType(b)
	if err != nil {
		return nil, err
	}
	switch typ {
	case EnvironmentTypeCloud:
		var c CloudConfig
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, err
		}
		return &c, nil
	case EnvironmentTypeSelfHosted:
		return &SelfHostedConfig{}, nil
	}
	return &UnknownEnvironmentConfig{Type: typ, Raw: append(json.RawMessage(nil), b...)}, nil
}

// EnvironmentCreateParams is the body of POST /v1/environments.
type EnvironmentCreateParams struct {
	// Name is the environment's name, unique in the organization. Required.
	Name string `json:"name"`
	// Description is optional.
	Description string `json:"description,omitzero"`
	// Config is &CloudConfig{…} or &SelfHostedConfig{}; nil takes the server
	// default.
	Config EnvironmentConfig `json:"config,omitzero"`
	// Metadata holds the user's key-value pairs.
	Metadata map[string]string `json:"metadata,omitzero"`
	// Scope is "organization" or "account" (API organizations support only
	// "organization"); empty takes the default.
	Scope string `json:"scope,omitzero"`
}

func (p EnvironmentCreateParams) validate() error {
	if p.Name == "" {
		return invalid("name", "is required")
	}
	if p.Config != nil {
		if err := p.Config.validate("config"); err != nil {
			return err
		}
	}
	return validateMetadataLimits("metadata", p.Metadata)
}

// EnvironmentUpdateParams is the body of POST /v1/environments/{environment_id}.
// Zero fields are not sent and keep the stored value; Clear names the fields to
// clear. Changes apply to new containers only.
type EnvironmentUpdateParams struct {
	// Name replaces the name.
	Name string `json:"name,omitzero"`
	// Description replaces the description.
	Description string `json:"description,omitzero"`
	// Config updates the config; its nil sub-fields keep their value. The config
	// type cannot change (400 invalid_config_type_change).
	Config EnvironmentConfig `json:"config,omitzero"`
	// Metadata patches the metadata: see [MetadataPatch] (a key set to "" is
	// deleted too).
	Metadata MetadataPatch `json:"metadata,omitzero"`
	// Scope replaces the scope.
	Scope string `json:"scope,omitzero"`
	// Clear names the fields to clear, sent as null: "description". A field
	// cannot be both set and cleared.
	Clear []string `json:"-"`
}

// environmentClearable are the fields EnvironmentUpdateParams.Clear accepts.
var environmentClearable = []string{"description"}

// MarshalJSON encodes the fields set, and null for each field of Clear.
func (p EnvironmentUpdateParams) MarshalJSON() ([]byte, error) {
	type plain EnvironmentUpdateParams
	return marshalUpdate(plain(p), p.Clear)
}

func (p EnvironmentUpdateParams) validate() error {
	if p.Config != nil {
		if err := p.Config.validate("config"); err != nil {
			return err
		}
	}
	if err := validateMetadataLimits("metadata", p.Metadata); err != nil {
		return err
	}
	type plain EnvironmentUpdateParams
	return validateClear(p.Clear, environmentClearable, plain(p))
}

// EnvironmentListParams filters GET /v1/environments.
type EnvironmentListParams struct {
	// IncludeArchived lists archived environments too.
	IncludeArchived bool
	// Limit is the page size.
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// EnvironmentGetParams are the parameters of GET
// /v1/environments/{environment_id}; it has none yet.
type EnvironmentGetParams struct{}

// EnvironmentDeleteParams are the parameters of DELETE
// /v1/environments/{environment_id}; it has none yet.
type EnvironmentDeleteParams struct{}

// EnvironmentArchiveParams are the parameters of POST
// /v1/environments/{environment_id}/archive; it has none yet.
type EnvironmentArchiveParams struct{}

// Create creates an environment.
//
// POST /v1/environments
func (s *EnvironmentService) Create(ctx context.Context, params EnvironmentCreateParams, opts ...option.RequestOption) (*Environment, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	return doJSON[Environment](ctx, s.client, environmentsCreate.At().WithBody(params), opts)
}

// Get returns an environment.
//
// GET /v1/environments/{environment_id}
func (s *EnvironmentService) Get(ctx context.Context, environmentID string, params EnvironmentGetParams, opts ...option.RequestOption) (*Environment, error) {
	return doJSON[Environment](ctx, s.client, environmentsRetrieve.At(environmentID), opts)
}

// Update changes an environment; only the fields set in params change. See
// [EnvironmentUpdateParams].
//
// POST /v1/environments/{environment_id}
func (s *EnvironmentService) Update(ctx context.Context, environmentID string, params EnvironmentUpdateParams, opts ...option.RequestOption) (*Environment, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	return doJSON[Environment](ctx, s.client, environmentsUpdate.At(environmentID).WithBody(params), opts)
}

// List returns one page of environments.
//
// GET /v1/environments
func (s *EnvironmentService) List(ctx context.Context, params EnvironmentListParams, opts ...option.RequestOption) (*Page[*Environment], error) {
	q, err := listQuery(params.Limit, params.Page)
	if err != nil {
		return nil, err
	}
	q.bool("include_archived", params.IncludeArchived)
	return doJSON[Page[*Environment]](ctx, s.client, environmentsList.At().WithQuery(url.Values(q)), opts)
}

// ListAll iterates over the environments from params.Page on, fetching pages
// lazily, and stops at the first error.
//
// GET /v1/environments
func (s *EnvironmentService) ListAll(ctx context.Context, params EnvironmentListParams, opts ...option.RequestOption) iter.Seq2[*Environment, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*Environment], error) {
		p := params
		p.Page = page
		return s.List(ctx, p, opts...)
	})
}

// Delete deletes an environment. An empty 2xx answer counts as success.
//
// DELETE /v1/environments/{environment_id}
func (s *EnvironmentService) Delete(ctx context.Context, environmentID string, params EnvironmentDeleteParams, opts ...option.RequestOption) (*DeletedObject, error) {
	return s.client.deleteResource(ctx, environmentsDelete.At(environmentID), "environment_deleted", opts)
}

// Archive archives an environment for good: new sessions cannot use it;
// existing ones continue.
//
// POST /v1/environments/{environment_id}/archive
func (s *EnvironmentService) Archive(ctx context.Context, environmentID string, params EnvironmentArchiveParams, opts ...option.RequestOption) (*Environment, error) {
	return doJSON[Environment](ctx, s.client, environmentsArchive.At(environmentID), opts)
}
