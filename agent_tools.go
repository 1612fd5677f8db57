package managedagents

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Tool type strings.
const (
	ToolTypeAgentToolset = "agent_toolset_20260401"
	ToolTypeMCPToolset   = "mcp_toolset"
	ToolTypeCustom       = "custom"
)

// Names of the built-in tools of [AgentToolset].
const (
	ToolBash      = "bash"
	ToolRead      = "read"
	ToolWrite     = "write"
	ToolEdit      = "edit"
	ToolGlob      = "glob"
	ToolGrep      = "grep"
	ToolWebFetch  = "web_fetch"
	ToolWebSearch = "web_search"
)

// Tool is one entry of an agent's tools. It is a sealed interface: the concrete
// types are [*AgentToolset], [*MCPToolset], [*CustomTool], and [*UnknownTool] for
// a type this SDK does not know. Build tools with [NewAgentToolset],
// [NewMCPToolset] and [NewCustomTool]; read them with a type switch.
type Tool interface {
	// ToolType returns the tool's type string, e.g. "custom".
	ToolType() string
	validate(field string) error
}

// ToolsetDefaultConfig is the configuration of every tool of a toolset that has
// no entry in Configs.
type ToolsetDefaultConfig struct {
	// Enabled says whether the tools are on; nil in a request means true.
	Enabled *bool `json:"enabled,omitzero"`
	// PermissionPolicy applies to the tools; zero in a request means the server
	// default.
	PermissionPolicy PermissionPolicy `json:"permission_policy,omitzero"`
}

// AgentToolset (agent_toolset_20260401) is the built-in tools that run in the
// container: bash, read, write, edit, glob, grep, web_fetch, web_search.
type AgentToolset struct {
	// DefaultConfig applies to the tools without an entry in Configs.
	DefaultConfig *ToolsetDefaultConfig `json:"default_config,omitzero"`
	// Configs override the default per tool. Responses list every tool, resolved.
	Configs []ToolConfig `json:"configs,omitzero"`
}

// NewAgentToolset returns the built-in toolset with the given per-tool overrides:
//
//	managedagents.NewAgentToolset(
//		managedagents.NewToolConfigEnabled(managedagents.ToolBash, managedagents.PolicyAlwaysAsk),
//		managedagents.NewToolConfigDisabled(managedagents.ToolWebFetch),
//	)
func NewAgentToolset(configs ...ToolConfig) *AgentToolset {
	return &AgentToolset{Configs: configs}
}

// ToolType returns "agent_toolset_20260401".
func (*AgentToolset) ToolType() string { return ToolTypeAgentToolset }

// MarshalJSON adds the type.
func (t AgentToolset) MarshalJSON() ([]byte, error) {
	type plain AgentToolset
	return marshalWithType(ToolTypeAgentToolset, plain(t))
}

func (t *AgentToolset) validate(field string) error {
	if t == nil {
		return invalid(field, "must not be nil")
	}
	if t.DefaultConfig != nil {
		if err := t.DefaultConfig.PermissionPolicy.validate(field + ".default_config.permission_policy"); err != nil {
			return err
		}
	}
	for i, c := range t.Configs {
		if err := c.validate(field + ".configs[" + strconv.Itoa(i) + "]"); err != nil {
			return err
		}
	}
	return nil
}

// ToolConfig configures one built-in tool of an [AgentToolset]. The web_fetch
// and web_search tools take the extra fields noted below.
type ToolConfig struct {
	// Name is the tool, e.g. ToolBash. Required.
	Name string `json:"name"`
	// Type equals Name in responses; optional in requests.
	Type string `json:"type,omitzero"`
	// Enabled says whether the tool is on; nil in a request means true. Use
	// [ToolConfig.IsEnabled] to read it.
	Enabled *bool `json:"enabled,omitzero"`
	// PermissionPolicy is the tool's policy; zero in a request means the default.
	PermissionPolicy PermissionPolicy `json:"permission_policy,omitzero"`
	// AllowedDomains limits web_fetch and web_search to these domains (1–64;
	// exclusive with BlockedDomains).
	AllowedDomains []string `json:"allowed_domains,omitzero"`
	// BlockedDomains keeps web_fetch and web_search off these domains (1–64).
	BlockedDomains []string `json:"blocked_domains,omitzero"`
	// MaxContentTokens caps the content web_fetch returns; 0 means unset.
	MaxContentTokens int64 `json:"max_content_tokens,omitzero"`
	// URLSources limits where web_fetch URLs may come from; nil means unset.
	URLSources *URLSources `json:"url_sources,omitzero"`
	// UserLocation localizes web_search results; nil means unset.
	UserLocation *UserLocation `json:"user_location,omitzero"`
}

// NewToolConfigEnabled returns a ToolConfig turning the built-in tool name on
// with policy (the zero PermissionPolicy keeps the default).
func NewToolConfigEnabled(name string, policy PermissionPolicy) ToolConfig {
	return ToolConfig{Name: name, Enabled: new(true), PermissionPolicy: policy}
}

// NewToolConfigDisabled returns a ToolConfig turning the built-in tool name off.
func NewToolConfigDisabled(name string) ToolConfig {
	return ToolConfig{Name: name, Enabled: new(false)}
}

// IsEnabled reports whether the tool is on (true when Enabled is nil).
func (c ToolConfig) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

func (c ToolConfig) validate(field string) error {
	if c.Name == "" {
		return invalid(field+".name", "is required")
	}
	if len(c.AllowedDomains) > 0 && len(c.BlockedDomains) > 0 {
		return invalid(field+".blocked_domains", "cannot be set together with allowed_domains")
	}
	if c.MaxContentTokens < 0 {
		return invalid(field+".max_content_tokens", "must not be negative")
	}
	return c.PermissionPolicy.validate(field + ".permission_policy")
}

// URLSources says which sources web_fetch may take URLs from. Nil fields are
// unset.
type URLSources struct {
	// UserInput is {"type":"all"} or {"type":"none"}.
	UserInput *URLSourceFilter `json:"user_input,omitzero"`
	// ClientToolResults filters URLs found in results of client-run tools.
	ClientToolResults *URLSourceFilter `json:"client_tool_results,omitzero"`
	// ServerToolResults filters URLs found in results of server-run tools.
	ServerToolResults *URLSourceFilter `json:"server_tool_results,omitzero"`
}

// URLSourceFilter is {"type":"all"}, {"type":"none"}, or
// {"type":"only"|"except","tools":[…]}.
type URLSourceFilter struct {
	// Type is "all", "none", "only" or "except".
	Type string `json:"type"`
	// Tools names the tools for "only" and "except" (1–128).
	Tools []ToolReference `json:"tools,omitzero"`
}

// ToolReference names a tool: {"type":"tool_reference","name"}.
type ToolReference struct {
	// Type is "tool_reference" (the default when empty).
	Type string `json:"type"`
	// Name is the tool's name.
	Name string `json:"name"`
}

// MarshalJSON sends Type "tool_reference" when it is empty.
func (r ToolReference) MarshalJSON() ([]byte, error) {
	type plain ToolReference
	if r.Type == "" {
		r.Type = "tool_reference"
	}
	return json.Marshal(plain(r))
}

// UserLocation is the approximate location of the user for web_search.
type UserLocation struct {
	// Type is "approximate" (the default when empty).
	Type string `json:"type"`
	// City, e.g. "Paris".
	City string `json:"city,omitzero"`
	// Region, e.g. "Île-de-France".
	Region string `json:"region,omitzero"`
	// Country is an ISO 3166-1 alpha-2 code, e.g. "FR".
	Country string `json:"country,omitzero"`
	// Timezone is an IANA name, e.g. "Europe/Paris".
	Timezone string `json:"timezone,omitzero"`
}

// MarshalJSON sends Type "approximate" when it is empty.
func (l UserLocation) MarshalJSON() ([]byte, error) {
	type plain UserLocation
	if l.Type == "" {
		l.Type = "approximate"
	}
	return json.Marshal(plain(l))
}

// MCPToolset (mcp_toolset) is the tools of one MCP server of the agent's
// MCPServers.
type MCPToolset struct {
	// MCPServerName is the name of an entry of the agent's MCPServers. Required.
	MCPServerName string `json:"mcp_server_name"`
	// DefaultConfig applies to the server's tools without an entry in Configs.
	DefaultConfig *ToolsetDefaultConfig `json:"default_config,omitzero"`
	// Configs override the default per tool.
	Configs []MCPToolConfig `json:"configs,omitzero"`
}

// NewMCPToolset returns the toolset of the MCP server named server, with the
// given per-tool overrides.
func NewMCPToolset(server string, configs ...MCPToolConfig) *MCPToolset {
	return &MCPToolset{MCPServerName: server, Configs: configs}
}

// ToolType returns "mcp_toolset".
func (*MCPToolset) ToolType() string { return ToolTypeMCPToolset }

// MarshalJSON adds the type.
func (t MCPToolset) MarshalJSON() ([]byte, error) {
	type plain MCPToolset
	return marshalWithType(ToolTypeMCPToolset, plain(t))
}

func (t *MCPToolset) validate(field string) error {
	if t == nil {
		return invalid(field, "must not be nil")
	}
	if t.MCPServerName == "" {
		return invalid(field+".mcp_server_name", "is required")
	}
	if t.DefaultConfig != nil {
		if err := t.DefaultConfig.PermissionPolicy.validate(field + ".default_config.permission_policy"); err != nil {
			return err
		}
	}
	for i, c := range t.Configs {
		f := field + ".configs[" + strconv.Itoa(i) + "]"
		if c.Name == "" {
			return invalid(f+".name", "is required")
		}
		if err := c.PermissionPolicy.validate(f + ".permission_policy"); err != nil {
			return err
		}
	}
	return nil
}

// MCPToolConfig configures one tool of an MCP server.
type MCPToolConfig struct {
	// Name is the MCP tool's name (1–128 characters). Required.
	Name string `json:"name"`
	// Enabled says whether the tool is on; nil in a request means true.
	Enabled *bool `json:"enabled,omitzero"`
	// PermissionPolicy is the tool's policy; zero in a request means the default.
	PermissionPolicy PermissionPolicy `json:"permission_policy,omitzero"`
}

// IsEnabled reports whether the tool is on (true when Enabled is nil).
func (c MCPToolConfig) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// CustomTool (custom) is a tool your code runs: the agent emits
// agent.custom_tool_use and waits for user.custom_tool_result.
type CustomTool struct {
	// Name is the tool's name: 1–128 characters of [A-Za-z0-9_-]. Required.
	Name string `json:"name"`
	// Description tells the model what the tool does. Required.
	Description string `json:"description"`
	// InputSchema is the JSON Schema of the tool's input. Required.
	InputSchema InputSchema `json:"input_schema"`
}

// NewCustomTool returns a custom tool.
func NewCustomTool(name, description string, schema InputSchema) *CustomTool {
	return &CustomTool{Name: name, Description: description, InputSchema: schema}
}

// ToolType returns "custom".
func (*CustomTool) ToolType() string { return ToolTypeCustom }

// MarshalJSON adds the type.
func (t CustomTool) MarshalJSON() ([]byte, error) {
	type plain CustomTool
	return marshalWithType(ToolTypeCustom, plain(t))
}

func (t *CustomTool) validate(field string) error {
	if t == nil {
		return invalid(field, "must not be nil")
	}
	switch {
	case t.Name == "":
		return invalid(field+".name", "is required")
	case len(t.Name) > 128:
		return invalid(field+".name", "must be at most 128 characters")
	case strings.ContainsFunc(t.Name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}):
		return invalid(field+".name", "may hold only letters, digits, '_' and '-'")
	case t.Description == "":
		return invalid(field+".description", "is required")
	case t.InputSchema.isZero():
		return invalid(field+".input_schema", `is required (InputSchema{Type: "object"} for a tool without input)`)
	case t.InputSchema.Type != "" && t.InputSchema.Type != "object":
		return invalid(field+".input_schema.type", `must be "object"`)
	}
	return nil
}

// InputSchema is the JSON Schema of a custom tool's input: an object schema.
// Keys other than type, properties and required are kept in Extra.
type InputSchema struct {
	// Type is "object" (the default when empty).
	Type string
	// Properties maps each property name to its JSON Schema.
	Properties map[string]any
	// Required lists the required properties.
	Required []string
	// Extra holds any other JSON Schema keyword, e.g. "additionalProperties".
	Extra map[string]any
}

// DecodeInputSchema decodes a JSON Schema object into an InputSchema.
func DecodeInputSchema(b []byte) (InputSchema, error) {
	var s InputSchema
	err := json.Unmarshal(b, &s)
	return s, err
}

func (s InputSchema) isZero() bool {
	return s.Type == "" && s.Properties == nil && s.Required == nil && s.Extra == nil
}

// MarshalJSON encodes the schema with Extra keys merged in.
func (s InputSchema) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(s.Extra)+3)
	for k, v := range s.Extra {
		m[k] = v
	}
	m["type"] = "object"
	if s.Type != "" {
		m["type"] = s.Type
	}
	if s.Properties != nil {
		m["properties"] = s.Properties
	}
	if s.Required != nil {
		m["required"] = s.Required
	}
	return json.Marshal(m)
}

// UnmarshalJSON decodes a schema object; unknown keywords go to Extra.
func (s *InputSchema) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*s = InputSchema{}
	for k, v := range m {
		var err error
		switch k {
		case "type":
			err = json.Unmarshal(v, &s.Type)
		case "properties":
			err = json.Unmarshal(v, &s.Properties)
		case "required":
			err = json.Unmarshal(v, &s.Required)
		default:
			var x any
			err = json.Unmarshal(v, &x)
			if s.Extra == nil {
				s.Extra = map[string]any{}
			}
			s.Extra[k] = x
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// UnknownTool is a tool whose type this SDK does not know. It is sent back as
// received, so an agent's tools can be round-tripped through an update.
type UnknownTool struct {
	// Type is the tool's type string.
	Type string
	// Raw is the tool's JSON.
	Raw json.RawMessage
}

// ToolType returns the tool's type string.
func (t *UnknownTool) ToolType() string { return t.Type }

// MarshalJSON returns Raw.
func (t UnknownTool) MarshalJSON() ([]byte, error) {
	if len(t.Raw) == 0 {
		return marshalWithType(t.Type, struct{}{})
	}
	return t.Raw, nil
}

func (t *UnknownTool) validate(field string) error {
	if t == nil {
		return invalid(field, "must not be nil")
	}
	if t.Type == "" && len(t.Raw) == 0 {
		return invalid(field+".type", "is required")
	}
	return nil
}

// decodeTool decodes one tool by its type.
func decodeTool(b json.RawMessage) (Tool, error) {
	typ, err := unionType(b)
	if err != nil {
		return nil, err
	}
	var t Tool
	switch typ {
	case ToolTypeAgentToolset:
		t = &AgentToolset{}
	case ToolTypeMCPToolset:
		t = &MCPToolset{}
	case ToolTypeCustom:
		t = &CustomTool{}
	default:
		return &UnknownTool{Type: typ, Raw: append(json.RawMessage(nil), b...)}, nil
	}
	if err := json.Unmarshal(b, t); err != nil {
		return nil, err
	}
	return t, nil
}

// Tools is the tools of an agent as received: a list whose JSON decodes each
// tool into its concrete type ([*AgentToolset], [*MCPToolset], [*CustomTool],
// [*UnknownTool]).
type Tools []Tool

// UnmarshalJSON decodes each tool by its type; null gives nil.
func (l *Tools) UnmarshalJSON(b []byte) error {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil || raws == nil {
		*l = nil
		return err
	}
	out := make([]Tool, 0, len(raws))
	for _, r := range raws {
		t, err := decodeTool(r)
		if err != nil {
			return err
		}
		out = append(out, t)
	}
	*l = out
	return nil
}

func validateTools(field string, tools []Tool) error {
	for i, t := range tools {
		f := field + "[" + strconv.Itoa(i) + "]"
		if t == nil {
			return invalid(f, "must not be nil")
		}
		if err := t.validate(f); err != nil {
			return err
		}
	}
	return nil
}
