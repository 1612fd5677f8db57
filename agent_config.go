package managedagents

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
)

// Effort is how hard Claude works on each inference call. On the wire it is the
// object {"type":"high"}; a bare level string is accepted when decoding.
type Effort string

// Effort levels. Not every model accepts every level.
const (
	EffortLow    Effort = "low"
	EffortMedium Effort = "medium"
	EffortHigh   Effort = "high"
	EffortXHigh  Effort = "xhigh"
	EffortMax    Effort = "max"
)

// MarshalJSON encodes e as {"type":e}.
func (e Effort) MarshalJSON() ([]byte, error) { return marshalWithType(string(e), struct{}{}) }

// UnmarshalJSON accepts {"type":"high"} or "high"; null leaves e unchanged.
func (e *Effort) UnmarshalJSON(b []byte) error { return unmarshalTypeObject(b, (*string)(e)) }

// unmarshalTypeObject decodes {"type":…} or a bare string into typ: the values
// the API wraps in an object of their type alone. Null leaves typ unchanged.
func unmarshalTypeObject(b []byte, typ *string) error {
	return decodeStringOrObject(b, func(s string) { *typ = s }, func(b []byte) error {
		var o struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*typ = o.Type
		return nil
	})
}

// Speed is an inference speed mode.
type Speed string

// Speeds. SpeedFast is offered on some models only, at premium pricing.
const (
	SpeedStandard Speed = "standard"
	SpeedFast     Speed = "fast"
)

// ModelConfig is a model and its settings. Requests always send the object form
// {"id","effort"?,"speed"?,"inference_geo"?}; decoding also accepts a bare model
// id string.
type ModelConfig struct {
	// ID is the model id, e.g. "claude-sonnet-5-5". Required.
	ID string `json:"id"`
	// Effort is the effort level; on create the model default when empty. In
	// responses it is always set.
	Effort Effort `json:"effort,omitzero"`
	// Speed is the inference speed; the API's default is SpeedStandard.
	Speed Speed `json:"speed,omitzero"`
	// InferenceGeo is the region for inference, e.g. "us" or "global"; empty uses
	// the workspace default. On agent update, the model is replaced as a whole, so
	// an empty InferenceGeo clears a stored one.
	InferenceGeo string `json:"inference_geo,omitzero"`
}

// UnmarshalJSON accepts the object form or a bare model id string.
func (m *ModelConfig) UnmarshalJSON(b []byte) error {
	type plain ModelConfig
	return decodeStringOrObject(b, func(s string) { *m = ModelConfig{ID: s} }, func(b []byte) error {
		return json.Unmarshal(b, (*plain)(m))
	})
}

func (m ModelConfig) validate(field string) error {
	if m.ID == "" {
		return invalid(field+".id", "is required")
	}
	return nil
}

// PermissionPolicy says whether a tool call needs confirmation. On the wire it
// is the object {"type":"always_allow"}; a bare string is accepted when
// decoding. The zero value is omitted from requests (the server default
// applies).
type PermissionPolicy string

// Permission policies.
const (
	// PolicyAlwaysAllow runs the tool without asking.
	PolicyAlwaysAllow PermissionPolicy = "always_allow"
	// PolicyAlwaysAsk pauses the session for a user.tool_confirmation before each call.
	PolicyAlwaysAsk PermissionPolicy = "always_ask"
	// PolicyAuto lets the server decide per call (allow, ask or deny).
	PolicyAuto PermissionPolicy = "auto"
)

// MarshalJSON encodes p as {"type":p}.
func (p PermissionPolicy) MarshalJSON() ([]byte, error) {
	return marshalWithType(string(p), struct{}{})
}

// UnmarshalJSON accepts {"type":"always_ask"} or "always_ask"; null leaves p
// unchanged.
func (p *PermissionPolicy) UnmarshalJSON(b []byte) error {
	return unmarshalTypeObject(b, (*string)(p))
}

func (p PermissionPolicy) validate(field string) error {
	switch p {
	case "", PolicyAlwaysAllow, PolicyAlwaysAsk, PolicyAuto:
		return nil
	}
	return invalid(field+".type", `must be "always_allow", "always_ask" or "auto", not `+strconv.Quote(string(p)))
}

// MCPServer is an MCP server an agent can reach: {"type":"url","name","url"}. Each
// must be used by an [MCPToolset] with the same name. Credentials come from vaults.
type MCPServer struct {
	// Type is "url" (the default when empty).
	Type string `json:"type"`
	// Name is the server's unique name, referenced by MCPToolset.MCPServerName.
	Name string `json:"name"`
	// URL is the server's endpoint.
	URL string `json:"url"`
}

// NewMCPServerURL returns an MCPServer of type "url".
func NewMCPServerURL(name, url string) MCPServer {
	return MCPServer{Type: "url", Name: name, URL: url}
}

// MarshalJSON sends Type "url" when it is empty.
func (s MCPServer) MarshalJSON() ([]byte, error) {
	type plain MCPServer
	if s.Type == "" {
		s.Type = "url"
	}
	return json.Marshal(plain(s))
}

func validateMCPServers(field string, servers []MCPServer) error {
	seen := make(map[string]int, len(servers))
	for i, s := range servers {
		f := field + "[" + strconv.Itoa(i) + "]"
		if s.Name == "" {
			return invalid(f+".name", "is required")
		}
		if s.URL == "" {
			return invalid(f+".url", "is required")
		}
		if j, dup := seen[s.Name]; dup {
			return invalid(f+".name", "duplicates "+field+"["+strconv.Itoa(j)+"].name "+strconv.Quote(s.Name))
		}
		seen[s.Name] = i
	}
	return nil
}

// validateMCPRefs checks that tools and servers, when both are sent in full,
// match: each MCPToolset names an entry of servers and each server is used by an
// MCPToolset (the API rejects an unused server). prefix is "" or "agent.".
func validateMCPRefs(prefix string, tools []Tool, servers []MCPServer) error {
	used := make(map[string]bool, len(servers))
	for i, t := range tools {
		ts, ok := t.(*MCPToolset)
		if !ok {
			continue
		}
		if !slices.ContainsFunc(servers, func(s MCPServer) bool { return s.Name == ts.MCPServerName }) {
			return invalid(prefix+"tools["+strconv.Itoa(i)+"].mcp_server_name", strconv.Quote(ts.MCPServerName)+" names no entry of "+prefix+"mcp_servers")
		}
		used[ts.MCPServerName] = true
	}
	for i, s := range servers {
		if !used[s.Name] {
			return invalid(prefix+"mcp_servers["+strconv.Itoa(i)+"]", "is used by no mcp_toolset in "+prefix+"tools")
		}
	}
	return nil
}

// SkillRef names a skill to load into an agent: {"type":"anthropic"|"custom",
// "skill_id","version"?}. The skill itself is a [Skill].
type SkillRef struct {
	// Type is "anthropic" (a pre-built skill) or "custom" (skill_…).
	Type string `json:"type"`
	// SkillID is the skill's id, e.g. "xlsx" or "skill_01…".
	SkillID string `json:"skill_id"`
	// Version is the skill version; empty in a request means the latest. Always
	// set in responses.
	Version string `json:"version,omitzero"`
}

// NewSkillRefAnthropic returns the latest version of a pre-built Anthropic skill,
// e.g. "xlsx".
func NewSkillRefAnthropic(skillID string) SkillRef {
	return SkillRef{Type: "anthropic", SkillID: skillID}
}

// NewSkillRefCustom returns the latest version of a custom skill (skill_…).
func NewSkillRefCustom(skillID string) SkillRef { return SkillRef{Type: "custom", SkillID: skillID} }

func validateSkills(field string, skills []SkillRef) error {
	for i, s := range skills {
		f := field + "[" + strconv.Itoa(i) + "]"
		if s.Type == "" {
			return invalid(f+".type", "is required")
		}
		if s.SkillID == "" {
			return invalid(f+".skill_id", "is required")
		}
	}
	return nil
}

// ExecutionIdentity is the principal runs of an agent act as:
// {"type":"service_account"} (the default) or {"type":"aws_role","role_arn"}.
type ExecutionIdentity struct {
	// Type is "service_account" or "aws_role".
	Type string `json:"type"`
	// RoleARN is the AWS role (aws_role only).
	RoleARN string `json:"role_arn,omitzero"`
}

// NewExecutionIdentityServiceAccount returns the default execution identity.
func NewExecutionIdentityServiceAccount() *ExecutionIdentity {
	return &ExecutionIdentity{Type: "service_account"}
}

// NewExecutionIdentityAWSRole returns an execution identity assuming the AWS
// role roleARN.
func NewExecutionIdentityAWSRole(roleARN string) *ExecutionIdentity {
	return &ExecutionIdentity{Type: "aws_role", RoleARN: roleARN}
}

func (e *ExecutionIdentity) validate(field string) error {
	if e == nil {
		return nil
	}
	if e.Type == "" {
		return invalid(field+".type", "is required")
	}
	if e.Type == "aws_role" && e.RoleARN == "" {
		return invalid(field+".role_arn", "is required for aws_role")
	}
	return nil
}

// MetadataPatch changes metadata on update: a key set to a string is upserted, a
// key set to nil is deleted, keys not in the patch are kept. Build it with
// [MetadataPatch.Set] and [MetadataPatch.Delete]:
//
//	patch := managedagents.MetadataPatch{}.Set("team", "support").Delete("old")
type MetadataPatch map[string]*string

// Set upserts key with value and returns the patch (allocated if nil).
func (m MetadataPatch) Set(key, value string) MetadataPatch {
	if m == nil {
		m = MetadataPatch{}
	}
	m[key] = &value
	return m
}

// Delete removes key and returns the patch (allocated if nil).
func (m MetadataPatch) Delete(key string) MetadataPatch {
	if m == nil {
		m = MetadataPatch{}
	}
	m[key] = nil
	return m
}

func validateMetadataKeys[V any](field string, m map[string]V) error {
	for k := range m {
		if k == "" {
			return invalid(field, "must not hold an empty key")
		}
	}
	return nil
}

// decodeStringOrObject decodes b, a field the API accepts either as a bare
// string or as an object: a string goes to str, anything else to obj, and
// null does nothing.
func decodeStringOrObject(b []byte, str func(string), obj func([]byte) error) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		str(s)
		return nil
	}
	return obj(b)
}
