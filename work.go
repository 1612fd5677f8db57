package managedagents

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/go-managedagents/managedagents/internal/secret"
	"github.com/go-managedagents/managedagents/internal/worksecret"
)

// WorkState is the state of a work item of a self-hosted environment
// (self-hosted.md §2.4): queued → starting (acked) → active (heartbeating)
// → stopping → stopped. A state this SDK does not know is kept as sent.
type WorkState string

// The states of a work item.
const (
	WorkStateQueued   WorkState = "queued"
	WorkStateStarting WorkState = "starting"
	WorkStateActive   WorkState = "active"
	WorkStateStopping WorkState = "stopping"
	WorkStateStopped  WorkState = "stopped"
)

// Ending reports whether s is stopping or stopped: the item is being taken
// from its worker.
func (s WorkState) Ending() bool { return s == WorkStateStopping || s == WorkStateStopped }

// WorkDataType is what a work item asks of its worker: run a session's tools,
// or answer a health check. A type this SDK does not know is kept as sent.
type WorkDataType string

// The kinds of work.
const (
	// WorkDataTypeSession asks the worker to run the tools of session Data.ID.
	WorkDataTypeSession WorkDataType = "session"
	// WorkDataTypeHealthcheck checks that a worker is polling; stop it at once.
	WorkDataTypeHealthcheck WorkDataType = "healthcheck"
)

// WorkData is the work a work item carries: {"type":"session","id":"sesn_…"}
// or {"type":"healthcheck","id":…}. Dispatch on Type; stop an item of a type
// you do not know.
type WorkData struct {
	// Type is WorkDataTypeSession, WorkDataTypeHealthcheck, or a type this SDK
	// does not know.
	Type WorkDataType `json:"type"`
	// ID is the session's id for session work.
	ID string `json:"id"`

	raw json.RawMessage
}

// UnmarshalJSON decodes the data and keeps its raw JSON.
func (d *WorkData) UnmarshalJSON(b []byte) error {
	type plain WorkData
	return decodeKeepingRaw(b, (*plain)(d), &d.raw)
}

// RawJSON returns the data exactly as received, with the members this SDK
// does not know.
func (d WorkData) RawJSON() json.RawMessage { return d.raw }

// IsSession reports whether the item asks to run a session's tools.
func (d WorkData) IsSession() bool { return d.Type == WorkDataTypeSession }

// IsHealthcheck reports whether the item is a health check (also spelled
// "health_check" in places).
func (d WorkData) IsHealthcheck() bool {
	return d.Type == WorkDataTypeHealthcheck || d.Type == "health_check"
}

// WorkSecret is the per-item secret of a work item (self-hosted.md §1.2):
// URL-safe base64 of a JSON object whose sessions_token authorizes the
// item's heartbeat, stop and session calls. Only items returned by a poll
// carry one. It prints, logs and encodes as "[redacted]"; act with it through
// [Client.ForWorkItem] or option.WithWorkItemSecret.
type WorkSecret struct{ s secret.String }

// NewWorkSecret wraps the secret of a work item received some other way, such
// as ANTHROPIC_WORK_SECRET in a process a dispatcher started.
func NewWorkSecret(s string) WorkSecret { return WorkSecret{secret.New(s)} }

// IsSet reports whether the item carries a secret.
func (w WorkSecret) IsSet() bool { return w.s.IsSet() }

// HasSessionsToken reports whether the secret decodes to a sessions token.
// Without one, the item's calls fall back to the environment key.
func (w WorkSecret) HasSessionsToken() bool { return worksecret.SessionsToken(w.s.Reveal()) != "" }

// Reveal returns the secret itself, to hand it to the process that serves the
// item (ANTHROPIC_WORK_SECRET). Never log it.
func (w WorkSecret) Reveal() string { return w.s.Reveal() }

// String returns "[redacted]" (or "" when unset), never the secret.
func (w WorkSecret) String() string { return w.s.String() }

// GoString returns a placeholder, never the secret.
func (w WorkSecret) GoString() string { return "managedagents.WorkSecret(" + w.s.String() + ")" }

// Format prints the placeholder for every verb.
func (w WorkSecret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, w.s.String()) }

// LogValue keeps the secret out of slog output.
func (w WorkSecret) LogValue() slog.Value { return w.s.LogValue() }

// MarshalJSON keeps the secret out of JSON output.
func (w WorkSecret) MarshalJSON() ([]byte, error) { return w.s.MarshalJSON() }

// UnmarshalJSON reads the secret: a string, or null (no secret).
func (w *WorkSecret) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("secret: not a string") // never quote the value
	}
	*w = WorkSecret{}
	if s != nil {
		w.s = secret.New(*s)
	}
	return nil
}

// WorkItem is a work item of a self-hosted environment ("type":"work"):
// the unit a worker polls, acks, holds by heartbeats and stops
// (self-hosted.md §2.1). Timestamps the server sends as null or "" are the
// zero time.
type WorkItem struct {
	// ObjectMeta holds the id (work_…), the type ("work"), CreatedAt and the
	// raw JSON (with the secret replaced by "[redacted]"). A work item has no
	// updated_at or archived_at: they stay zero.
	ObjectMeta
	// EnvironmentID is the environment whose queue holds the item.
	EnvironmentID string `json:"environment_id"`
	// Data is the work: a session to serve or a health check.
	Data WorkData `json:"data"`
	// State is where the item is in its life.
	State WorkState `json:"state"`
	// Metadata holds the user's key-value pairs.
	Metadata map[string]string `json:"metadata"`
	// Secret is set on items returned by a poll only.
	Secret WorkSecret `json:"secret"`
	// AcknowledgedAt is when a worker acked the item.
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	// StartedAt is when the item became active (its first heartbeat).
	StartedAt time.Time `json:"started_at,omitzero"`
	// LatestHeartbeatAt is when the last heartbeat was stored.
	LatestHeartbeatAt time.Time `json:"latest_heartbeat_at,omitzero"`
	// StopRequestedAt is when a stop was asked for.
	StopRequestedAt time.Time `json:"stop_requested_at,omitzero"`
	// StoppedAt is when the item stopped.
	StoppedAt time.Time `json:"stopped_at,omitzero"`
}

// UnmarshalJSON decodes a work item, its timestamps as RFC 3339, null or "",
// and keeps its raw JSON without the secret.
func (w *WorkItem) UnmarshalJSON(b []byte) error {
	type plain WorkItem
	wire := struct {
		*plain
		CreatedAt         wireTime `json:"created_at"`
		AcknowledgedAt    wireTime `json:"acknowledged_at"`
		StartedAt         wireTime `json:"started_at"`
		LatestHeartbeatAt wireTime `json:"latest_heartbeat_at"`
		StopRequestedAt   wireTime `json:"stop_requested_at"`
		StoppedAt         wireTime `json:"stopped_at"`
	}{plain: (*plain)(w)}
	if err := decodeObject(b, &wire, &w.ObjectMeta); err != nil {
		return err
	}
	w.CreatedAt, w.AcknowledgedAt, w.StartedAt = time.Time(wire.CreatedAt), time.Time(wire.AcknowledgedAt), time.Time(wire.StartedAt)
	w.LatestHeartbeatAt, w.StopRequestedAt, w.StoppedAt = time.Time(wire.LatestHeartbeatAt), time.Time(wire.StopRequestedAt), time.Time(wire.StoppedAt)
	if w.Secret.IsSet() {
		w.raw = withoutSecret(w.raw, w.Secret.Reveal())
	}
	return nil
}

// withoutSecret returns raw, a work item's JSON, with its secret replaced by
// "[redacted]", so that RawJSON can be printed.
func withoutSecret(raw json.RawMessage, s string) json.RawMessage {
	if bytes.Contains(raw, []byte(s)) {
		return bytes.ReplaceAll(raw, []byte(s), []byte(redactMask))
	}
	// The secret is escaped in the JSON text: rebuild the object.
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	m["secret"] = json.RawMessage(`"` + redactMask + `"`)
	out, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return out
}

// decodePolledItem decodes the answer of a poll: nil for every shape of "no
// work" (self-hosted.md §2.4): an empty body (204 or 200), null, {} or an
// item without an id.
func decodePolledItem(data []byte) (*WorkItem, error) {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || string(t) == "null" {
		return nil, nil
	}
	var item WorkItem
	if err := json.Unmarshal(t, &item); err != nil {
		return nil, err
	}
	if item.ID == "" {
		return nil, nil
	}
	return &item, nil
}

// NoHeartbeat is the expected_last_heartbeat of the first heartbeat of a
// lease: the server holds no heartbeat yet.
const NoHeartbeat = "NO_HEARTBEAT"

// WorkHeartbeat is the answer to a heartbeat ("type":"work_heartbeat",
// self-hosted.md §2.2).
type WorkHeartbeat struct {
	// Type is "work_heartbeat".
	Type string `json:"type"`
	// LastHeartbeat is the heartbeat just stored: an opaque token to send back
	// byte for byte as the next beat's expected_last_heartbeat. Empty when
	// none is stored.
	LastHeartbeat string `json:"last_heartbeat"`
	// LeaseExtended reports whether the lease was extended by this beat.
	LeaseExtended bool `json:"lease_extended"`
	// State is the item's state.
	State WorkState `json:"state"`
	// TTLSeconds is the lease's time to live from this beat.
	TTLSeconds int `json:"ttl_seconds"`

	raw json.RawMessage
}

// UnmarshalJSON decodes the answer and keeps its raw JSON.
func (h *WorkHeartbeat) UnmarshalJSON(b []byte) error {
	type plain WorkHeartbeat
	return decodeKeepingRaw(b, (*plain)(h), &h.raw)
}

// RawJSON returns the answer exactly as received.
func (h *WorkHeartbeat) RawJSON() json.RawMessage { return h.raw }

// TTL returns TTLSeconds as a duration.
func (h *WorkHeartbeat) TTL() time.Duration { return time.Duration(h.TTLSeconds) * time.Second }

// Held reports whether the worker still holds the item: the lease was
// extended and the item is not stopping or stopped. When it is false, stop
// the item's tools and stop the item (self-hosted.md §3.4).
func (h *WorkHeartbeat) Held() bool { return h.LeaseExtended && !h.State.Ending() }

// WorkQueueStats is the state of an environment's queue
// ("type":"work_queue_stats", self-hosted.md §2.3).
type WorkQueueStats struct {
	// Type is "work_queue_stats".
	Type string `json:"type"`
	// Depth is the number of items waiting to be polled.
	Depth int `json:"depth"`
	// Pending is the number of items polled and not acked.
	Pending int `json:"pending"`
	// OldestQueuedAt is when the oldest waiting or pending item was queued;
	// zero when there is none.
	OldestQueuedAt time.Time `json:"oldest_queued_at,omitzero"`
	// WorkersPolling is the number of worker ids (Anthropic-Worker-ID) seen
	// polling in the last 30 seconds.
	WorkersPolling int `json:"workers_polling"`

	raw json.RawMessage
}

// UnmarshalJSON decodes the stats and keeps their raw JSON.
func (q *WorkQueueStats) UnmarshalJSON(b []byte) error {
	type plain WorkQueueStats
	wire := struct {
		*plain
		OldestQueuedAt wireTime `json:"oldest_queued_at"`
	}{plain: (*plain)(q)}
	if err := decodeKeepingRaw(b, &wire, &q.raw); err != nil {
		return err
	}
	q.OldestQueuedAt = time.Time(wire.OldestQueuedAt)
	return nil
}

// RawJSON returns the stats exactly as received.
func (q *WorkQueueStats) RawJSON() json.RawMessage { return q.raw }

// WorkStopResult is the outcome of a stop. The API answers 204 without a
// body, or 409 when the item was already stopped; both are a success.
type WorkStopResult struct {
	// AlreadyStopped is true when the item had been stopped before (409).
	AlreadyStopped bool
	// Item is the work item when the answer carried one; nil for the 204
	// answer the API sends today.
	Item *WorkItem
}

// decodeKeepingRaw decodes b into v, a value without its UnmarshalJSON
// method, and keeps a copy of b in raw.
func decodeKeepingRaw(b []byte, v any, raw *json.RawMessage) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	*raw = bytes.Clone(b)
	return nil
}

// wireTime is a timestamp that may come as RFC 3339, null or "" (the
// zero time).
type wireTime time.Time

func (t *wireTime) UnmarshalJSON(b []byte) error {
	if s := string(bytes.TrimSpace(b)); s == "null" || s == `""` {
		*t = wireTime{}
		return nil
	}
	return (*time.Time)(t).UnmarshalJSON(b)
}
