package toolrunner

import (
	"context"
	"sync"
	"time"
)

// CallKey names one tool call across runners: its session and its tool-use
// event id.
type CallKey struct {
	SessionID string `json:"session_id"`
	ToolUseID string `json:"tool_use_id"`
}

// CallState is how far the runners of a session got with a call.
type CallState string

// The states of a call. A runner that finds a call claimed never runs it; what
// it does instead depends on the state.
const (
	// CallStarted: a runner claimed the call and runs it (or died running
	// it). Another runner waits for the call to be answered or its record to
	// move on, for as long as the call and its post can take
	// (Options.ToolTimeout plus Options.SendWindow from UpdatedAt); past
	// that it takes the owner for dead and answers the call as cut short.
	CallStarted CallState = "started"
	// CallFinished: the call ran and its owner posts Result (or died
	// posting it). Another runner waits for the answer for Options.SendWindow
	// from UpdatedAt; past that it posts Result, unless the session's history
	// holds a result.
	CallFinished CallState = "finished"
	// CallReleased: the owner stopped (its context ended: a lost lease, a
	// shutdown's deadline) before it answered the call. With a Result, the
	// call ran: another runner posts it at once, unless the history holds a
	// result. Without, the call was cut short while it ran: another runner
	// answers it at once with an error result saying so, so that the agent
	// can go on.
	CallReleased CallState = "released"
	// CallAnswered: the result was posted, or found in the session.
	CallAnswered CallState = "answered"
	// CallAbandoned: no runner will answer the call: it was voided (by an
	// interrupt or the end of its thread) while it ran, its result was
	// refused, or its tool turned out not to be owned.
	CallAbandoned CallState = "abandoned"
)

// CallRecord is what a [Store] keeps of a call.
type CallRecord struct {
	// State is how far the call got.
	State CallState `json:"state"`
	// Result is the call's result, kept while it may still have to be posted
	// (CallFinished, CallReleased).
	Result *ToolResult `json:"result,omitempty"`
	// UpdatedAt is when the runner wrote the record, by its clock.
	UpdatedAt time.Time `json:"updated_at"`
}

// Store keeps, per tool call, whether a runner started it and how far it got:
// the record that makes a call run at most once. A runner claims a call before
// it runs it, records its result before it posts it, and releases it when it
// stops before answering it; so a runner that takes over a session (a worker
// restarted, a work item reclaimed by another worker) with the same store
// never runs a call twice, and posts a result it inherits only after checking
// the session's history. Implementations must be safe for concurrent use; to
// span processes, keep the records in a shared database and make Claim atomic
// (an insert that fails if the key exists). Records may expire with their
// session.
type Store interface {
	// Claim stores rec (a CallStarted record) for key unless a record of key
	// exists, and reports whether it stored it; when it did not, it returns
	// the existing record and changes nothing. A runner also calls it to read
	// a record again.
	Claim(ctx context.Context, key CallKey, rec CallRecord) (existing CallRecord, claimed bool, err error)
	// Put replaces the record of a claimed call.
	Put(ctx context.Context, key CallKey, rec CallRecord) error
}

// MemoryStore is a [Store] in memory: calls run at most once within a
// process, across the runners that share it. It keeps a small record per call
// (the result only while it may have to be posted); drop it with its runners.
type MemoryStore struct {
	mu   sync.Mutex
	recs map[CallKey]CallRecord
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{recs: map[CallKey]CallRecord{}} }

// Claim stores rec for key unless key has a record.
func (s *MemoryStore) Claim(_ context.Context, key CallKey, rec CallRecord) (CallRecord, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.recs[key]; ok {
		return old, false, nil
	}
	s.recs[key] = rec
	return CallRecord{}, true, nil
}

// Put replaces the record of key. The result of a record that no longer
// needs it (answered, abandoned) is not kept.
func (s *MemoryStore) Put(_ context.Context, key CallKey, rec CallRecord) error {
	if rec.State != CallFinished && rec.State != CallReleased {
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
