package managedagents

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// ErrLeaseLost matches a *LeaseLostError: a heartbeat found that the worker
// no longer holds the item's lease.
var ErrLeaseLost = errors.New("managedagents: work lease lost")

// LeaseLostError reports a heartbeat refused with 412
// heartbeat_precondition_failed: the heartbeat the server stores is not the
// expected_last_heartbeat sent, because the item was queued again or another
// worker holds it (self-hosted.md §2). The lease is gone: stop running the
// item's tools and posting its results, and do not stop the item, which is
// no longer yours. It matches [ErrLeaseLost]; errors.As reaches the
// *[APIError] of the answer through it.
type LeaseLostError struct {
	// State is the server's view of the item (error.details.current_state);
	// zero when the answer carried none.
	State WorkLeaseState
	// Err is the 412 answer.
	Err *APIError
}

// WorkLeaseState is the state of a work item's lease that a 412 answer to a
// heartbeat reports.
type WorkLeaseState struct {
	// State is the item's state.
	State WorkState `json:"state"`
	// LastHeartbeat is the heartbeat the server stores; empty when none (sent
	// as null).
	LastHeartbeat string `json:"last_heartbeat"`
	// LeaseExtended is always false in a 412 answer.
	LeaseExtended bool `json:"lease_extended"`
	// TTLSeconds is the lease's time to live.
	TTLSeconds int `json:"ttl_seconds"`
	// LeaseUpdatedAt is when the lease last changed; zero when not sent.
	LeaseUpdatedAt time.Time `json:"lease_updated_at,omitzero"`
}

// Error names the request, the answer and the server's view of the lease.
func (e *LeaseLostError) Error() string {
	var b strings.Builder
	b.WriteString(errPrefix + "work lease lost")
	if e.State.State != "" {
		b.WriteString(" (item " + string(e.State.State))
		if e.State.LastHeartbeat != "" {
			b.WriteString(", last heartbeat " + e.State.LastHeartbeat)
		}
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": " + causeText(e.Err))
	}
	return b.String()
}

// Unwrap returns the 412 answer.
func (e *LeaseLostError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// Is reports whether target is [ErrLeaseLost].
func (e *LeaseLostError) Is(target error) bool { return target == ErrLeaseLost }

// heartbeatPreconditionFailed is the error_code of a 412 answer to a heartbeat.
const heartbeatPreconditionFailed = "heartbeat_precondition_failed"

// leaseLost returns the *LeaseLostError of a, a 412 answer, with the
// current_state of its details.
func leaseLost(a *APIError) *LeaseLostError {
	e := &LeaseLostError{Err: a}
	var body struct {
		Error struct {
			Details struct {
				CurrentState *struct {
					WorkLeaseState
					LeaseUpdatedAt wireTime `json:"lease_updated_at"` // may be ""
				} `json:"current_state"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(a.Body, &body) == nil {
		if cs := body.Error.Details.CurrentState; cs != nil {
			e.State = cs.WorkLeaseState // a null last_heartbeat stays ""
			e.State.LeaseUpdatedAt = time.Time(cs.LeaseUpdatedAt)
		}
	}
	return e
}

// asLeaseLost returns err as a *LeaseLostError when it is a 412 answer to a
// heartbeat that fromWire did not recognise by its error code.
func asLeaseLost(err error) error {
	var a *APIError
	var lost *LeaseLostError
	if errors.As(err, &lost) || !errors.As(err, &a) || a.StatusCode != http.StatusPreconditionFailed {
		return err
	}
	return leaseLost(a)
}
