package managedagents

import (
	"bytes"
	"encoding/json"
	"time"
)

// CredentialType is the kind of a vault credential: the type of its auth.
type CredentialType string

// Credential kinds.
const (
	// CredentialTypeMCPOAuth: an OAuth access token for an MCP server, refreshed
	// by the platform when a refresh token is given.
	CredentialTypeMCPOAuth CredentialType = "mcp_oauth"
	// CredentialTypeStaticBearer: a fixed bearer token (an API key, a personal
	// access token) for an MCP server.
	CredentialTypeStaticBearer CredentialType = "static_bearer"
	// CredentialTypeEnvironmentVariable: a secret substituted into the agent's
	// outbound requests to allowed hosts, named like an environment variable.
	CredentialTypeEnvironmentVariable CredentialType = "environment_variable"
)

// TokenEndpointAuthType is how an OAuth refresh authenticates to the token
// endpoint.
type TokenEndpointAuthType string

// Token endpoint authentication methods.
const (
	// TokenEndpointAuthTypeNone: a public client, no client secret.
	TokenEndpointAuthTypeNone TokenEndpointAuthType = "none"
	// TokenEndpointAuthTypeClientSecretBasic: the client secret in HTTP Basic
	// authentication.
	TokenEndpointAuthTypeClientSecretBasic TokenEndpointAuthType = "client_secret_basic"
	// TokenEndpointAuthTypeClientSecretPost: the client secret in the POST body.
	TokenEndpointAuthTypeClientSecretPost TokenEndpointAuthType = "client_secret_post"
)

// CredentialAuth is the auth of a credential as the API reports it: never its
// secrets. It is a sealed interface: the concrete types are [*MCPOAuthAuth],
// [*StaticBearerAuth], [*EnvironmentVariableAuth], and
// [*UnknownCredentialAuth] for a kind this SDK does not know.
type CredentialAuth interface {
	// CredentialType returns the credential's kind, e.g. CredentialTypeMCPOAuth.
	CredentialType() CredentialType
	isCredentialAuth()
}

// MCPOAuthAuth (mcp_oauth) is an OAuth credential for an MCP server; its
// access and refresh tokens and client secret are never returned.
type MCPOAuthAuth struct {
	// MCPServerURL is the MCP server the credential authenticates against.
	MCPServerURL string `json:"mcp_server_url"`
	// ExpiresAt is when the access token expires; zero when unknown.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Refresh is how the platform refreshes the token; nil without refresh.
	Refresh *MCPOAuthRefresh `json:"refresh"`
}

// MCPOAuthRefresh is the refresh configuration of an mcp_oauth credential.
type MCPOAuthRefresh struct {
	// ClientID is the OAuth client id (it cannot change).
	ClientID string `json:"client_id"`
	// TokenEndpoint is the URL the refresh is sent to.
	TokenEndpoint string `json:"token_endpoint"`
	// TokenEndpointAuth is how the refresh authenticates.
	TokenEndpointAuth TokenEndpointAuth `json:"token_endpoint_auth"`
	// Resource is the OAuth resource indicator; empty when none.
	Resource string `json:"resource,omitzero"`
	// Scope is the OAuth scope of the refresh; empty when none.
	Scope string `json:"scope,omitzero"`
}

// TokenEndpointAuth is the token endpoint authentication of a credential, as
// reported: its method, never its client secret.
type TokenEndpointAuth struct {
	// Type is the method, e.g. TokenEndpointAuthTypeClientSecretPost.
	Type TokenEndpointAuthType `json:"type"`
}

// StaticBearerAuth (static_bearer) is a bearer token for an MCP server; the
// token is never returned.
type StaticBearerAuth struct {
	// MCPServerURL is the MCP server the credential authenticates against.
	MCPServerURL string `json:"mcp_server_url"`
}

// EnvironmentVariableAuth (environment_variable) is a secret substituted into
// the agent's outbound requests; the secret value is never returned.
type EnvironmentVariableAuth struct {
	// SecretName is the environment variable's name (it cannot change).
	SecretName string `json:"secret_name"`
	// InjectionLocation says where in a request the secret is substituted.
	InjectionLocation InjectionLocation `json:"injection_location"`
	// Networking is where the secret may go: {"type":"unrestricted"} or
	// {"type":"limited","allowed_hosts"}.
	Networking Networking `json:"networking"`
}

// InjectionLocation says where in an outbound request a secret is
// substituted.
type InjectionLocation struct {
	// Body: in the request body.
	Body bool `json:"body"`
	// Header: in header values.
	Header bool `json:"header"`
}

// UnknownCredentialAuth is the auth of a kind this SDK does not know.
type UnknownCredentialAuth struct {
	// Type is the auth's type string.
	Type CredentialType
	// Raw is the auth's JSON.
	Raw json.RawMessage
}

// CredentialType returns "mcp_oauth".
func (*MCPOAuthAuth) CredentialType() CredentialType { return CredentialTypeMCPOAuth }

// CredentialType returns "static_bearer".
func (*StaticBearerAuth) CredentialType() CredentialType { return CredentialTypeStaticBearer }

// CredentialType returns "environment_variable".
func (*EnvironmentVariableAuth) CredentialType() CredentialType {
	return CredentialTypeEnvironmentVariable
}

// CredentialType returns the auth's type string.
func (a *UnknownCredentialAuth) CredentialType() CredentialType { return a.Type }

func (*MCPOAuthAuth) isCredentialAuth()            {}
func (*StaticBearerAuth) isCredentialAuth()        {}
func (*EnvironmentVariableAuth) isCredentialAuth() {}
func (*UnknownCredentialAuth) isCredentialAuth()   {}

// MarshalJSON adds the type.
func (a MCPOAuthAuth) MarshalJSON() ([]byte, error) {
	type plain MCPOAuthAuth
	return marshalWithType(string(CredentialTypeMCPOAuth), plain(a))
}

// MarshalJSON adds the type.
func (a StaticBearerAuth) MarshalJSON() ([]byte, error) {
	type plain StaticBearerAuth
	return marshalWithType(string(CredentialTypeStaticBearer), plain(a))
}

// MarshalJSON adds the type.
func (a EnvironmentVariableAuth) MarshalJSON() ([]byte, error) {
	type plain EnvironmentVariableAuth
	return marshalWithType(string(CredentialTypeEnvironmentVariable), plain(a))
}

// MarshalJSON returns Raw, or the type alone for an auth built in code.
func (a UnknownCredentialAuth) MarshalJSON() ([]byte, error) {
	if len(a.Raw) == 0 {
		return marshalWithType(string(a.Type), struct{}{})
	}
	return a.Raw, nil
}

// DecodeCredentialAuth decodes the auth of a credential by its type; null or
// empty input gives nil, an unknown type *UnknownCredentialAuth.
func DecodeCredentialAuth(b []byte) (CredentialAuth, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, jsonNull) {
		return nil, nil
	}
	typ, err := unionType(b)
	if err != nil {
		return nil, err
	}
	var a CredentialAuth
	switch CredentialType(typ) {
	case CredentialTypeMCPOAuth:
		a = &MCPOAuthAuth{}
	case CredentialTypeStaticBearer:
		a = &StaticBearerAuth{}
	case CredentialTypeEnvironmentVariable:
		a = &EnvironmentVariableAuth{}
	default:
		return &UnknownCredentialAuth{Type: CredentialType(typ), Raw: bytes.Clone(b)}, nil
	}
	if err := json.Unmarshal(b, a); err != nil {
		return nil, err
	}
	return a, nil
}
