package managedagents

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CredentialAuthParams is the auth of a credential to create or update. It is
// a sealed interface: the concrete types are [*MCPOAuthAuthParams],
// [*StaticBearerAuthParams] and [*EnvironmentVariableAuthParams], one per
// kind, each used for both: a create needs the fields its doc says are
// required; an update sends only the fields set, and refuses (with a
// *ValidationError, before sending) the fields that cannot change after
// create. The kind of a credential never changes: an update's auth must be of
// the credential's kind.
//
// Their tokens are [Secret] values: printed, logged or encoded to JSON by
// anything but the SDK's request, they show "[redacted]".
type CredentialAuthParams interface {
	// CredentialType returns the kind, e.g. CredentialTypeStaticBearer.
	CredentialType() CredentialType
	validate(field string, update bool) error
	// wire returns the JSON object sent, secrets revealed.
	wire() map[string]any
	// secrets returns the secrets set, which error answers must not repeat.
	secrets() []Secret
}

// MCPOAuthAuthParams (mcp_oauth) is an OAuth credential for an MCP server.
type MCPOAuthAuthParams struct {
	// MCPServerURL is the MCP server to authenticate against. Required on
	// create; it cannot change.
	MCPServerURL string `json:"mcp_server_url,omitzero"`
	// AccessToken is the OAuth access token. Required on create; on update, a
	// new token replaces the stored one (send its ExpiresAt too, or it keeps
	// the old expiry).
	AccessToken Secret `json:"access_token,omitzero"`
	// ExpiresAt is when the access token expires; the API refuses a time that
	// is not in the future by its clock (not checked here: clocks differ).
	// Zero is not sent (on update: keeps the stored expiry).
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Refresh lets the platform refresh the access token. On update only its
	// RefreshToken, Scope and TokenEndpointAuth's client secret can change.
	Refresh *MCPOAuthRefreshParams `json:"refresh,omitzero"`
}

// NewMCPOAuthAuth returns the mcp_oauth auth of a credential to create: the
// access token of the MCP server at mcpServerURL.
func NewMCPOAuthAuth(mcpServerURL, accessToken string) *MCPOAuthAuthParams {
	return &MCPOAuthAuthParams{MCPServerURL: mcpServerURL, AccessToken: NewSecret(accessToken)}
}

// MCPOAuthRefreshParams is the refresh configuration of an mcp_oauth
// credential.
type MCPOAuthRefreshParams struct {
	// ClientID is the OAuth client id. Required on create; it cannot change.
	ClientID string `json:"client_id,omitzero"`
	// RefreshToken is the refresh token. Required on create; on update, a new
	// token replaces the stored one.
	RefreshToken Secret `json:"refresh_token,omitzero"`
	// TokenEndpoint is the URL refreshes are sent to. Required on create; it
	// cannot change.
	TokenEndpoint string `json:"token_endpoint,omitzero"`
	// TokenEndpointAuth is how refreshes authenticate:
	// NewTokenEndpointAuthNone(), NewTokenEndpointAuthClientSecretBasic(secret)
	// or NewTokenEndpointAuthClientSecretPost(secret). Required on create; on
	// update only the client secret of a credential that has one can change
	// (its method stays as stored).
	TokenEndpointAuth *TokenEndpointAuthParams `json:"token_endpoint_auth,omitzero"`
	// Resource is the OAuth resource indicator. Create only; it cannot change.
	Resource string `json:"resource,omitzero"`
	// Scope is the OAuth scope of refreshes; to clear it on update, name
	// "auth.refresh.scope" in Clear.
	Scope string `json:"scope,omitzero"`
}

// TokenEndpointAuthParams is how refreshes authenticate to the token
// endpoint, with the client secret.
type TokenEndpointAuthParams struct {
	// Type is the method. Required.
	Type TokenEndpointAuthType `json:"type"`
	// ClientSecret is the OAuth client secret: required on create for the
	// client_secret methods, never sent with "none".
	ClientSecret Secret `json:"client_secret,omitzero"`
}

// NewTokenEndpointAuthNone returns the method of a public OAuth client.
func NewTokenEndpointAuthNone() *TokenEndpointAuthParams {
	return &TokenEndpointAuthParams{Type: TokenEndpointAuthTypeNone}
}

// NewTokenEndpointAuthClientSecretBasic returns the method that sends
// clientSecret with HTTP Basic authentication.
func NewTokenEndpointAuthClientSecretBasic(clientSecret string) *TokenEndpointAuthParams {
	return &TokenEndpointAuthParams{Type: TokenEndpointAuthTypeClientSecretBasic, ClientSecret: NewSecret(clientSecret)}
}

// NewTokenEndpointAuthClientSecretPost returns the method that sends
// clientSecret in the POST body.
func NewTokenEndpointAuthClientSecretPost(clientSecret string) *TokenEndpointAuthParams {
	return &TokenEndpointAuthParams{Type: TokenEndpointAuthTypeClientSecretPost, ClientSecret: NewSecret(clientSecret)}
}

// StaticBearerAuthParams (static_bearer) is a bearer token for an MCP server.
type StaticBearerAuthParams struct {
	// MCPServerURL is the MCP server to authenticate against. Required on
	// create; it cannot change.
	MCPServerURL string `json:"mcp_server_url,omitzero"`
	// Token is the bearer token, e.g. an API key or a personal access token.
	// Required on create; on update, a new token replaces the stored one.
	Token Secret `json:"token,omitzero"`
}

// NewStaticBearerAuth returns the static_bearer auth of a credential to
// create: token, for the MCP server at mcpServerURL.
func NewStaticBearerAuth(mcpServerURL, token string) *StaticBearerAuthParams {
	return &StaticBearerAuthParams{MCPServerURL: mcpServerURL, Token: NewSecret(token)}
}

// EnvironmentVariableAuthParams (environment_variable) is a secret the
// platform substitutes into the agent's outbound requests to the hosts
// Networking allows.
type EnvironmentVariableAuthParams struct {
	// SecretName is the environment variable's name (letters, digits and
	// underscores, not starting with a digit). Required on create; it cannot
	// change.
	SecretName string `json:"secret_name,omitzero"`
	// SecretValue is the secret. Required on create; on update, a new value
	// replaces the stored one.
	SecretValue Secret `json:"secret_value,omitzero"`
	// Networking is where the secret may be sent: NewNetworkingLimited(hosts...)
	// (up to 16 bare hostnames, IPv4 addresses or "*.example.com" wildcards,
	// which do not match the apex) or NewNetworkingUnrestricted() (any host the
	// environment allows). Required on create; on update it replaces the stored
	// one as a whole. AllowMCPServers and AllowPackageManagers do not apply.
	Networking *Networking `json:"networking,omitzero"`
	// InjectionLocation says where the secret is substituted; nil takes the
	// API's default on create and keeps the stored value on update, where each
	// location set replaces that location alone. At least one must stay
	// enabled.
	InjectionLocation *InjectionLocationParams `json:"injection_location,omitzero"`
}

// NewEnvironmentVariableAuth returns the environment_variable auth of a
// credential to create: secretValue, named secretName, sent only where
// networking allows.
func NewEnvironmentVariableAuth(secretName, secretValue string, networking *Networking) *EnvironmentVariableAuthParams {
	return &EnvironmentVariableAuthParams{SecretName: secretName, SecretValue: NewSecret(secretValue), Networking: networking}
}

// InjectionLocationParams sets where a secret is substituted; nil fields are
// not sent.
type InjectionLocationParams struct {
	// Body substitutes the secret in request bodies, e.g. new(true).
	Body *bool `json:"body,omitzero"`
	// Header substitutes the secret in header values.
	Header *bool `json:"header,omitzero"`
}

// CredentialType returns "mcp_oauth".
func (*MCPOAuthAuthParams) CredentialType() CredentialType { return CredentialTypeMCPOAuth }

// CredentialType returns "static_bearer".
func (*StaticBearerAuthParams) CredentialType() CredentialType { return CredentialTypeStaticBearer }

// CredentialType returns "environment_variable".
func (*EnvironmentVariableAuthParams) CredentialType() CredentialType {
	return CredentialTypeEnvironmentVariable
}

// MarshalJSON encodes the auth with its type and its secrets redacted; the
// SDK's requests carry the secrets.
func (p MCPOAuthAuthParams) MarshalJSON() ([]byte, error) {
	type plain MCPOAuthAuthParams
	return marshalWithType(string(CredentialTypeMCPOAuth), plain(p))
}

// MarshalJSON encodes the auth with its type and its token redacted; the
// SDK's requests carry the token.
func (p StaticBearerAuthParams) MarshalJSON() ([]byte, error) {
	type plain StaticBearerAuthParams
	return marshalWithType(string(CredentialTypeStaticBearer), plain(p))
}

// MarshalJSON encodes the auth with its type and its secret value redacted;
// the SDK's requests carry the value.
func (p EnvironmentVariableAuthParams) MarshalJSON() ([]byte, error) {
	type plain EnvironmentVariableAuthParams
	return marshalWithType(string(CredentialTypeEnvironmentVariable), plain(p))
}

// cannotChange is the problem of an immutable field set on update.
const cannotChange = "cannot change after the credential is created; leave it unset"

func (p *MCPOAuthAuthParams) validate(field string, update bool) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if update {
		if p.MCPServerURL != "" {
			return invalid(field+".mcp_server_url", cannotChange)
		}
	} else {
		if err := checkURL(field+".mcp_server_url", p.MCPServerURL); err != nil {
			return err
		}
		if !p.AccessToken.IsSet() {
			return invalid(field+".access_token", "is required")
		}
	}
	if p.Refresh != nil {
		return p.Refresh.validate(field+".refresh", update)
	}
	return nil
}

func (p *MCPOAuthRefreshParams) validate(field string, update bool) error {
	if update {
		switch {
		case p.ClientID != "":
			return invalid(field+".client_id", cannotChange)
		case p.TokenEndpoint != "":
			return invalid(field+".token_endpoint", cannotChange)
		case p.Resource != "":
			return invalid(field+".resource", cannotChange)
		}
		if a := p.TokenEndpointAuth; a != nil {
			switch a.Type {
			case TokenEndpointAuthTypeClientSecretBasic, TokenEndpointAuthTypeClientSecretPost:
			case TokenEndpointAuthTypeNone:
				return invalid(field+".token_endpoint_auth.type", `cannot be "none" on update: only a client secret can be replaced, and the method stays as stored`)
			default:
				return invalid(field+".token_endpoint_auth.type", `must be "client_secret_basic" or "client_secret_post", not `+strconv.Quote(string(a.Type)))
			}
		}
		return nil
	}
	switch {
	case p.ClientID == "":
		return invalid(field+".client_id", "is required")
	case !p.RefreshToken.IsSet():
		return invalid(field+".refresh_token", "is required")
	case p.TokenEndpointAuth == nil:
		return invalid(field+".token_endpoint_auth", "is required (NewTokenEndpointAuthNone, NewTokenEndpointAuthClientSecretBasic or NewTokenEndpointAuthClientSecretPost)")
	}
	if err := checkURL(field+".token_endpoint", p.TokenEndpoint); err != nil {
		return err
	}
	a, f := p.TokenEndpointAuth, field+".token_endpoint_auth"
	switch a.Type {
	case TokenEndpointAuthTypeNone:
		if a.ClientSecret.IsSet() {
			return invalid(f+".client_secret", `is not sent with type "none"`)
		}
	case TokenEndpointAuthTypeClientSecretBasic, TokenEndpointAuthTypeClientSecretPost:
		if !a.ClientSecret.IsSet() {
			return invalid(f+".client_secret", "is required with type "+strconv.Quote(string(a.Type)))
		}
	default:
		return invalid(f+".type", `must be "none", "client_secret_basic" or "client_secret_post", not `+strconv.Quote(string(a.Type)))
	}
	return nil
}

func (p *StaticBearerAuthParams) validate(field string, update bool) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if update {
		if p.MCPServerURL != "" {
			return invalid(field+".mcp_server_url", cannotChange)
		}
		return nil
	}
	if err := checkURL(field+".mcp_server_url", p.MCPServerURL); err != nil {
		return err
	}
	if !p.Token.IsSet() {
		return invalid(field+".token", "is required")
	}
	return nil
}

func (p *EnvironmentVariableAuthParams) validate(field string, update bool) error {
	if p == nil {
		return invalid(field, "must not be nil")
	}
	if update {
		if p.SecretName != "" {
			return invalid(field+".secret_name", cannotChange)
		}
	} else {
		if err := checkEnvName(field+".secret_name", p.SecretName); err != nil {
			return err
		}
		if !p.SecretValue.IsSet() {
			return invalid(field+".secret_value", "is required")
		}
		if p.Networking == nil {
			return invalid(field+".networking", "is required (NewNetworkingLimited(hosts...) or NewNetworkingUnrestricted())")
		}
	}
	if p.Networking != nil {
		if err := validateCredentialNetworking(field+".networking", p.Networking); err != nil {
			return err
		}
	}
	if l := p.InjectionLocation; l != nil && l.Body != nil && l.Header != nil && !*l.Body && !*l.Header {
		return invalid(field+".injection_location", "must keep body or header enabled")
	}
	return nil
}

// maxAllowedHosts is the most hosts a credential's limited networking allows.
const maxAllowedHosts = 16

// validateCredentialNetworking checks the networking of an
// environment_variable credential.
func validateCredentialNetworking(field string, n *Networking) error {
	if n.AllowMCPServers != nil {
		return invalid(field+".allow_mcp_servers", "applies to environments, not credentials")
	}
	if n.AllowPackageManagers != nil {
		return invalid(field+".allow_package_managers", "applies to environments, not credentials")
	}
	switch n.Type {
	case NetworkingUnrestricted:
		if len(n.AllowedHosts) > 0 {
			return invalid(field+".allowed_hosts", `is allowed only with type "limited"`)
		}
		return nil
	case NetworkingLimited:
	default:
		return invalid(field+".type", `must be "unrestricted" or "limited", not `+strconv.Quote(n.Type))
	}
	if len(n.AllowedHosts) == 0 || len(n.AllowedHosts) > maxAllowedHosts {
		return invalid(field+".allowed_hosts", "must hold 1 to 16 hosts, not "+strconv.Itoa(len(n.AllowedHosts)))
	}
	for i, h := range n.AllowedHosts {
		if problem := allowedHostProblem(h); problem != "" {
			return invalid(field+".allowed_hosts["+strconv.Itoa(i)+"]", problem)
		}
	}
	return nil
}

// allowedHostProblem says what is wrong with an allowed host ("" if nothing):
// it must be a bare hostname, an IPv4 address or a "*." wildcard of a
// hostname, without scheme, port or path.
func allowedHostProblem(h string) string {
	switch {
	case h == "":
		return "must not be empty"
	case strings.Contains(h, "://") || strings.ContainsAny(h, "/?#@"):
		return "must be a bare host such as api.example.com, not a URL"
	case strings.Contains(h, ":"):
		return "must not carry a port, and IPv6 addresses are not accepted"
	}
	name, wildcard := strings.CutPrefix(h, "*.")
	if strings.Contains(name, "*") {
		return `may hold a wildcard only as a leading "*."`
	}
	if ip := net.ParseIP(name); ip != nil {
		if wildcard {
			return "a wildcard needs a hostname, not an IP address"
		}
		return ""
	}
	if len(name) > 253 {
		return "is longer than 253 characters"
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' ||
			strings.ContainsFunc(label, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
			}) {
			return "is not a valid hostname"
		}
	}
	return ""
}

// checkURL checks a required absolute http or https URL.
func checkURL(field, u string) error {
	if u == "" {
		return invalid(field, "is required")
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return invalid(field, "must be an absolute http(s) URL")
	}
	return nil
}

// checkEnvName checks the name of an environment variable.
func checkEnvName(field, name string) error {
	if name == "" {
		return invalid(field, "is required")
	}
	for i, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return invalid(field, "must be an environment variable name: letters, digits and underscores, not starting with a digit")
		}
	}
	return nil
}

// The wire forms, secrets revealed. Keys are sent only when set.

func (p *MCPOAuthAuthParams) wire() map[string]any {
	m := map[string]any{"type": CredentialTypeMCPOAuth}
	putString(m, "mcp_server_url", p.MCPServerURL)
	putSecret(m, "access_token", p.AccessToken)
	if !p.ExpiresAt.IsZero() {
		m["expires_at"] = p.ExpiresAt
	}
	if r := p.Refresh; r != nil {
		rm := map[string]any{}
		putString(rm, "client_id", r.ClientID)
		putSecret(rm, "refresh_token", r.RefreshToken)
		putString(rm, "token_endpoint", r.TokenEndpoint)
		if a := r.TokenEndpointAuth; a != nil {
			am := map[string]any{"type": a.Type}
			putSecret(am, "client_secret", a.ClientSecret)
			rm["token_endpoint_auth"] = am
		}
		putString(rm, "resource", r.Resource)
		putString(rm, "scope", r.Scope)
		m["refresh"] = rm
	}
	return m
}

func (p *StaticBearerAuthParams) wire() map[string]any {
	m := map[string]any{"type": CredentialTypeStaticBearer}
	putString(m, "mcp_server_url", p.MCPServerURL)
	putSecret(m, "token", p.Token)
	return m
}

func (p *EnvironmentVariableAuthParams) wire() map[string]any {
	m := map[string]any{"type": CredentialTypeEnvironmentVariable}
	putString(m, "secret_name", p.SecretName)
	putSecret(m, "secret_value", p.SecretValue)
	if p.Networking != nil {
		m["networking"] = p.Networking
	}
	if p.InjectionLocation != nil {
		m["injection_location"] = p.InjectionLocation
	}
	return m
}

func putString(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}

func putSecret(m map[string]any, key string, s Secret) {
	if s.IsSet() {
		m[key] = s.reveal()
	}
}

func (p *MCPOAuthAuthParams) secrets() []Secret {
	out := []Secret{p.AccessToken}
	if r := p.Refresh; r != nil {
		out = append(out, r.RefreshToken)
		if r.TokenEndpointAuth != nil {
			out = append(out, r.TokenEndpointAuth.ClientSecret)
		}
	}
	return out
}

func (p *StaticBearerAuthParams) secrets() []Secret { return []Secret{p.Token} }

func (p *EnvironmentVariableAuthParams) secrets() []Secret { return []Secret{p.SecretValue} }
