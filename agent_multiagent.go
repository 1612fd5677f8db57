package managedagents

import (
	"encoding/json"
	"strconv"
)

// Multiagent types.
const (
	// MultiagentCoordinator is the roster form: {"type":"coordinator","agents":[…]}.
	MultiagentCoordinator = "coordinator"
	// Multiagent20261001 is the advisor/subagents/workflows form.
	Multiagent20261001 = "multiagent_20261001"
)

// Multiagent is an agent's multiagent orchestration configuration, one of two
// forms told apart by Type:
//
//   - "coordinator": Agents is the roster of agents the coordinator may spawn as
//     session threads.
//   - "multiagent_20261001": Advisor, Subagents and Workflows are each enabled or
//     disabled. On agent update it is merged level by level with a stored
//     configuration of the same type.
//
// An unknown type decodes with only Type set; [Multiagent.RawJSON] keeps the rest.
// A nil *Multiagent means single-threaded.
type Multiagent struct {
	// Type is MultiagentCoordinator or Multiagent20261001.
	Type string `json:"type"`
	// Agents is the coordinator roster (1–20 entries).
	Agents []MultiagentAgent `json:"agents,omitzero"`
	// Advisor says whether the primary thread may consult an advisor model.
	Advisor *MultiagentAdvisor `json:"advisor,omitzero"`
	// Subagents says whether the agent may spawn session threads.
	Subagents *MultiagentMembers `json:"subagents,omitzero"`
	// Workflows says whether the agent may start workflow runs.
	Workflows *MultiagentMembers `json:"workflows,omitzero"`

	raw json.RawMessage
}

// NewMultiagentCoordinator returns a coordinator configuration with the given
// roster.
func NewMultiagentCoordinator(agents ...MultiagentAgent) *Multiagent {
	return &Multiagent{Type: MultiagentCoordinator, Agents: agents}
}

// RawJSON returns the configuration as received; nil for one built in code.
func (m *Multiagent) RawJSON() json.RawMessage { return m.raw }

// MarshalJSON encodes the fields set; an unknown decoded type is sent back as
// received.
func (m Multiagent) MarshalJSON() ([]byte, error) {
	if m.Type != MultiagentCoordinator && m.Type != Multiagent20261001 && len(m.raw) > 0 {
		return m.raw, nil
	}
	type plain Multiagent
	return json.Marshal(plain(m))
}

// UnmarshalJSON decodes the configuration and keeps its raw JSON.
func (m *Multiagent) UnmarshalJSON(b []byte) error {
	type plain Multiagent
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = Multiagent(p)
	m.raw = append(json.RawMessage(nil), b...)
	return nil
}

func (m *Multiagent) validate(field string) error {
	if m == nil {
		return nil
	}
	if m.Type == "" {
		return invalid(field+".type", "is required")
	}
	for i, a := range m.Agents {
		if err := a.validate(field + ".agents[" + strconv.Itoa(i) + "]"); err != nil {
			return err
		}
	}
	if m.Advisor != nil {
		switch {
		case m.Advisor.Type == "":
			return invalid(field+".advisor.type", "is required")
		case m.Advisor.Type == "enabled" && m.Advisor.Model == "":
			return invalid(field+".advisor.model", `is required for type "enabled"`)
		}
	}
	for _, part := range []struct {
		name string
		mm   *MultiagentMembers
	}{{"subagents", m.Subagents}, {"workflows", m.Workflows}} {
		name, mm := part.name, part.mm
		if mm == nil {
			continue
		}
		if mm.Type == "" {
			return invalid(field+"."+name+".type", "is required")
		}
		for i, a := range mm.PredefinedAgents {
			if err := a.validate(field + "." + name + ".predefined_agents[" + strconv.Itoa(i) + "]"); err != nil {
				return err
			}
		}
		if mm.InlineAgents != nil && mm.InlineAgents.Type == "" {
			return invalid(field+"."+name+".inline_agents.type", "is required")
		}
	}
	return nil
}

// MultiagentAdvisor is {"type":"enabled","model"} or {"type":"disabled"}.
type MultiagentAdvisor struct {
	// Type is "enabled" or "disabled".
	Type string `json:"type"`
	// Model is the advisor model (enabled only).
	Model string `json:"model,omitzero"`
}

// MultiagentMembers configures subagents or workflows: {"type":"disabled"} or
// {"type":"enabled","predefined_agents":[…],"inline_agents":{"type":…}}.
type MultiagentMembers struct {
	// Type is "enabled" or "disabled".
	Type string `json:"type"`
	// PredefinedAgents are saved agents that may be spawned (at most 20). In
	// sessions each entry carries the full agent snapshot.
	PredefinedAgents []MultiagentAgent `json:"predefined_agents,omitzero"`
	// InlineAgents says whether unsaved agents may be defined when spawning.
	InlineAgents *MultiagentSwitch `json:"inline_agents,omitzero"`
}

// MultiagentSwitch is {"type":"enabled"} or {"type":"disabled"}.
type MultiagentSwitch struct {
	// Type is "enabled" or "disabled".
	Type string `json:"type"`
}

// NewMultiagentMembersEnabled returns MultiagentMembers of type "enabled" with
// the given predefined agents.
func NewMultiagentMembersEnabled(predefined ...MultiagentAgent) *MultiagentMembers {
	return &MultiagentMembers{Type: "enabled", PredefinedAgents: predefined}
}

// NewMultiagentMembersDisabled returns MultiagentMembers of type "disabled".
func NewMultiagentMembersDisabled() *MultiagentMembers { return &MultiagentMembers{Type: "disabled"} }

// MultiagentAgent is one roster or predefined-agent entry. Type is:
//
//   - "agent": a saved agent, ID and Version (0 in a request = latest);
//   - "self": the agent that owns the configuration (requests only);
//   - "advisor": an advisor model, Model.
//
// In sessions, "agent" entries also carry the resolved agent in Snapshot.
type MultiagentAgent struct {
	// Type is "agent", "self" or "advisor".
	Type string
	// ID is the agent id ("agent").
	ID string
	// Version is the agent version ("agent"); always set in responses.
	Version int64
	// Model is the advisor model id ("advisor").
	Model string
	// Snapshot is the full resolved agent, set in session objects only.
	Snapshot *SessionAgent
}

// NewMultiagentAgent returns an "agent" entry: a saved agent at version
// (0 means the latest).
func NewMultiagentAgent(id string, version int64) MultiagentAgent {
	return MultiagentAgent{Type: "agent", ID: id, Version: version}
}

// NewMultiagentAgentSelf returns a "self" entry: the agent that owns the
// configuration.
func NewMultiagentAgentSelf() MultiagentAgent { return MultiagentAgent{Type: "self"} }

// NewMultiagentAgentAdvisor returns an "advisor" entry for the model id.
func NewMultiagentAgentAdvisor(model string) MultiagentAgent {
	return MultiagentAgent{Type: "advisor", Model: model}
}

// MarshalJSON encodes the entry's request form.
func (a MultiagentAgent) MarshalJSON() ([]byte, error) {
	type wire struct {
		Type    string `json:"type"`
		ID      string `json:"id,omitzero"`
		Version int64  `json:"version,omitzero"`
		Model   string `json:"model,omitzero"`
	}
	return json.Marshal(wire{Type: a.Type, ID: a.ID, Version: a.Version, Model: a.Model})
}

// UnmarshalJSON decodes a reference, an advisor, an expanded agent snapshot, or a
// bare agent id string.
func (a *MultiagentAgent) UnmarshalJSON(b []byte) error {
	return decodeStringOrObject(b, func(id string) { *a = MultiagentAgent{Type: "agent", ID: id} }, func(b []byte) error {
		var s SessionAgent
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = MultiagentAgent{Type: s.Type, ID: s.ID, Version: s.Version, Model: s.Model.ID}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(b, &keys); err == nil {
			if _, ok := keys["name"]; ok && s.Type == "agent" {
				a.Model = ""
				a.Snapshot = &s
			}
		}
		return nil
	})
}

func (a MultiagentAgent) validate(field string) error {
	switch a.Type {
	case "":
		return invalid(field+".type", "is required")
	case "agent":
		if a.ID == "" {
			return invalid(field+".id", "is required")
		}
		if a.Version < 0 {
			return invalid(field+".version", "must not be negative")
		}
	case "advisor":
		if a.Model == "" {
			return invalid(field+".model", "is required")
		}
	}
	return nil
}
