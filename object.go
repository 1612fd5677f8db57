package managedagents

import (
	"bytes"
	"encoding/json"
	"time"
)

// ObjectMeta holds the fields every object of the API has: its id, its type,
// its timestamps, and the JSON it was decoded from. The resources of the API
// embed it ([Agent], [Environment], [Session], [SessionThread], the
// session resources, [Deployment], [DeploymentRun], [Vault],
// [VaultCredential], [MemoryStore], [Memory], [MemoryVersion],
// [FileMetadata], [Skill], [SkillVersion], [WorkItem]), as every event embeds
// [EventMeta]. Timestamps the server sends as null (or does not send) are the
// zero time.
type ObjectMeta struct {
	// ID is the object's id, e.g. agent_…, env_…, sesn_…, sthr_…, sesrsc_….
	ID string `json:"id"`
	// Type is the object's type string, e.g. "agent" or "session".
	Type string `json:"type"`
	// CreatedAt is when the object was created.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the object was last updated.
	UpdatedAt time.Time `json:"updated_at"`
	// ArchivedAt is when the object was archived; zero when it is not (or
	// cannot be) archived.
	ArchivedAt time.Time `json:"archived_at,omitzero"`

	raw json.RawMessage
}

// RawJSON returns the object exactly as received, including the fields this
// SDK does not know; nil for an object built in code.
func (m *ObjectMeta) RawJSON() json.RawMessage { return m.raw }

// IsArchived reports whether the object is archived (read-only).
func (m *ObjectMeta) IsArchived() bool { return !m.ArchivedAt.IsZero() }

// decodeObject decodes b into v, which is the object that embeds meta in a
// form without its UnmarshalJSON method (or a wrapper around one), and keeps a
// copy of b as the object's raw JSON. Unknown fields are ignored.
func decodeObject(b []byte, v any, meta *ObjectMeta) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	meta.raw = bytes.Clone(b)
	return nil
}

// marshalWithType encodes v, a struct in a form without its MarshalJSON
// method, as a JSON object whose first member is "type": typ: the wire form of
// every variant of a union the SDK sends (tools, blocks, sources, resources,
// events, configs).
func marshalWithType(typ string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	t, err := json.Marshal(typ)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(`{"type":,`)+len(t)+len(body))
	out = append(append(out, `{"type":`...), t...)
	if len(body) > len("{}") {
		return append(append(out, ','), body[1:]...), nil
	}
	return append(out, '}'), nil
}
