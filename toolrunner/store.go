package toolrunner

import (
	"context"
	"sync"
)

// CallKey names one tool call across runners: its session and its tool-use
// event id.
type CallKey struct {
	SessionID string `json:"session_id"`
	ToolUseID string `json:"tool_use_id"`
}

// CallState is how far a runner got with a call.
type CallState string

// The states of a call, in the order a runner moves through them.
const (
	// CallStarted: the call was claimed and may have run, in part or whole;
	// it must never run again. A runner that finds a call in this state posts
	// an error result saying the call was cut short, without running it.
	CallStarted CallState = "started"
	// CallFinished: the call ran; its result is in the record and may or may
	// not have been posted. A runner that finds a call in this state checks
	// the session's history and posts the result only if it is not there.
	CallFinished CallState = "finished"
	// CallAnswered: the result was posted, or found in the history.
	CallAnswered CallState = "answered"
	// CallAbandoned: the call will never be answered by a runner: it was
	// voided (by an interrupt or the end of its thread) while it ran, or its
	// tool turned out not to be owned.
	CallAbandoned CallState = "abandoned"
)

// CallRecord is what a [Store] keeps of a call.
type CallRecord struct {
	// State is how far the call got.
	State CallState `json:"state"`
	// Result is the call's result, kept while the state is CallFinished.
	Result *ToolResult `json:"result,omitempty"`
}

// Store keeps, per tool call, whether a runner started it: the record that
// makes a call run at most once. A runner claims a call before it runs it and
// records its result before it posts it, so a runner that takes over a
// session (a worker restarted, a work item reclaimed by another worker) with
// the same store never runs a call twice, and posts a result it inherits only
// after checking the session's history. Implementations must be safe for
// concurrent use; to span processes, keep the records in a shared database
// and make Claim atomic (an insert that fails if the key exists). Records may
// expire with their session.
type Store interface {
	// Claim records that the call key is starting (CallStarted), unless a
	// record of key exists. It reports whether it recorded it; when it did
	// not, it returns the existing record.
	Claim(ctx context.Context, key CallKey) (existing CallRecord, claimed bool, err error)
	// Put replaces the record of a claimed call.
	Put(ctx context.Context, key CallKey, rec CallRecord) error
}

// MemoryStore is a [Store] in memory: calls run at most once within a process,
// across the runners that share it. It keeps a small record per call (the
// result only until it is answered); drop it with its runners.
type MemoryStore struct {
	mu   sync.Mutex
	recs map[CallKey]CallRecord
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{recs: map[CallKey]CallRecord{}} }

// Claim records key as CallStarted unless it has a record.
func (s *MemoryStore) Claim(_ context.Context, key CallKey) (CallRecord, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.recs[key]; ok {
		return rec, false, nil
	}
	s.recs[key] = CallRecord{State: CallStarted}
	return CallRecord{}, true, nil
}

// Put replaces the record of key. The result of a record that is not
// CallFinished is not kept.
func (s *MemoryStore) Put(_ context.Context, key CallKey, rec CallRecord) error {
	if rec.State != CallFinished {
		rec.Result = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs[key] = rec
	return nil
}

// Get returns the record of key, if any.
func (s *MemoryStore) Get(key CallKey) (CallRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[key]
	return rec, ok
}
