package toolrunner

import (
	"context"
	"sync"
	"time"
)

// CallKey names one tool call across runners: its session and its tool-use
// event id.
type CallKey struct {
	// SessionID is the session's id.
	SessionID string `json:"session_id"`
	// ToolUseID is the id of the agent.tool_use or agent.custom_tool_use
	// event.
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
	// Version is the record's version in its store, set by the store: 1
	// when the call is claimed, one more at each Put or Swap. A runner reads
	// it and hands it back to Swap; it never sets it.
	Version int64 `json:"version"`
}

// Store keeps, per tool call, whether a runner started it and how far it got:
// the record that makes a call run at most once. A runner claims a call before
// it runs it, records its result before it posts it, and releases it when it
// stops before answering it; so a runner that takes over a session (a worker
// restarted, a work item reclaimed by another worker) with the same store
// never runs a call twice, and posts a result it inherits only after checking
// the session's history. A runner takes over a call another runner left with
// Swap, so that of two runners taking over the same call at the same moment
// only one posts its result. Implementations must be safe for concurrent use;
// to span processes, keep the records in a shared database and make Claim
// and Swap atomic (an insert that fails if the key exists; an update
// conditioned on the version). Records may expire with their session, once
// it ended for good: terminated (session.status_terminated), archived, or
// deleted (session.deleted, or a 404 once it was read). Until then keep
// them, also for a session that only went idle: a runner that starts on it
// later claims every call whose result the session's event stream does not
// show (a child thread's call may be answered only in its thread), and the
// record alone keeps such a call from running twice.
type Store interface {
	// Claim stores rec (a CallStarted record) for key unless a record of key
	// exists, and reports whether it stored it; when it did not, it returns
	// the existing record and changes nothing. A runner also calls it to read
	// a record again.
	Claim(ctx context.Context, key CallKey, rec CallRecord) (existing CallRecord, claimed bool, err error)
	// Put replaces the record of a claimed call, and gives it the next
	// version.
	Put(ctx context.Context, key CallKey, rec CallRecord) error
	// Swap replaces the record of key with rec, giving it the next version,
	// only if the stored record still has old's Version, and reports whether
	// it did. It changes nothing when the record moved on since old was read
	// (another runner took the call over first) or when key has no record.
	Swap(ctx context.Context, key CallKey, old, rec CallRecord) (swapped bool, err error)
}

// MemoryStore is a [Store] in memory: calls run at most once within a
// process, across the runners that share it. It keeps a small record per call
// (about 190 bytes; the result only while it may have to be posted), and
// drops the records that can no longer matter, so that a store shared by a
// long-running process stays bounded by the sessions that may still call:
//
//   - every record of a session, once it ended for good: a runner of it saw
//     session.status_terminated or session.deleted, or a 404 after reading
//     it, or [MemoryStore.Forget] was called;
//   - when the last runner of a session on the store returns (the session
//     idled out, the runner was stopped), the records of the calls whose
//     result the runners saw in the session's event stream, and of the calls
//     of child threads they saw terminated: a runner that starts on the
//     session later reads the same history before it runs anything, finds
//     those calls settled there, and never claims them.
//
// A session that only went idle may get a new work item later, so the other
// records of it stay until it ends: calls whose result the session's stream
// does not show (a child thread's call answered only in its thread, a result
// refused, a call abandoned or cut short), for which the record alone keeps
// a call from running twice. Records are never dropped while a runner of
// their session runs on the store.
type MemoryStore struct {
	mu       sync.Mutex
	sessions map[string]*sessionRecords
	n        int // records held, over all sessions
}

// sessionRecords are a MemoryStore's records of one session, and the runners
// of it running on the store.
type sessionRecords struct {
	recs    map[string]CallRecord // by tool-use id
	runners int                   // runners of the session in Run
	ended   bool                  // ended for good: drop every record once runners is 0
	settled map[string]struct{}   // calls settled in the history: drop once runners is 0
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{sessions: map[string]*sessionRecords{}}
}

// Claim stores rec for key unless key has a record.
func (s *MemoryStore) Claim(_ context.Context, key CallKey, rec CallRecord) (CallRecord, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.get(key); ok {
		return old, false, nil
	}
	rec.Version = 0
	s.store(key, rec)
	return CallRecord{}, true, nil
}

// Put replaces the record of key. The result of a record that no longer
// needs it (answered, abandoned) is not kept.
func (s *MemoryStore) Put(_ context.Context, key CallKey, rec CallRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store(key, rec)
	return nil
}

// Swap replaces the record of key with rec if its version is still
// old.Version.
func (s *MemoryStore) Swap(_ context.Context, key CallKey, old, rec CallRecord) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.get(key); !ok || cur.Version != old.Version {
		return false, nil
	}
	s.store(key, rec)
	return true, nil
}

// get returns the record of key; s.mu is held.
func (s *MemoryStore) get(key CallKey) (CallRecord, bool) {
	sr := s.sessions[key.SessionID]
	if sr == nil {
		return CallRecord{}, false
	}
	rec, ok := sr.recs[key.ToolUseID]
	return rec, ok
}

// store writes rec as the next version of key's record, without the result
// when it no longer needs one (answered, abandoned); s.mu is held.
func (s *MemoryStore) store(key CallKey, rec CallRecord) {
	if rec.State != CallFinished && rec.State != CallReleased {
		rec.Result = nil
	}
	sr := s.session(key.SessionID)
	old, ok := sr.recs[key.ToolUseID]
	if !ok {
		s.n++
	}
	rec.Version = old.Version + 1
	sr.recs[key.ToolUseID] = rec
}

// session returns the records of session id, made if missing; s.mu is held.
func (s *MemoryStore) session(id string) *sessionRecords {
	sr := s.sessions[id]
	if sr == nil {
		sr = &sessionRecords{recs: map[string]CallRecord{}}
		s.sessions[id] = sr
	}
	return sr
}

// Get returns the record of key, if any.
func (s *MemoryStore) Get(key CallKey) (CallRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(key)
}

// Len returns how many records the store holds, over all sessions.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Forget drops every record of session sessionID. Call it once the session
// ended for good (terminated, archived or deleted), when no call of it can
// come again; a runner of the session that sees its end forgets it by
// itself. While runners of the session still run on the store, the records
// are dropped when the last of them returns, so that none of them runs a
// call twice in the meantime.
func (s *MemoryStore) Forget(sessionID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sr := s.sessions[sessionID]
	if sr == nil {
		return
	}
	sr.ended = true
	s.prune(sessionID, sr)
}

// enter counts a runner of session id in Run on the store.
func (s *MemoryStore) enter(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.session(id).runners++
}

// leave uncounts a runner of session id whose Run returns. settled are the
// calls whose result (or end) it saw in the session's history, which a later
// runner finds there before it runs anything; ended says it saw the session
// end for good. Both take effect once the last runner of the session left.
func (s *MemoryStore) leave(id string, settled map[string]struct{}, ended bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sr := s.session(id)
	sr.runners--
	sr.ended = sr.ended || ended
	if !sr.ended && len(settled) > 0 {
		if sr.settled == nil {
			sr.settled = make(map[string]struct{}, len(settled))
		}
		for tid := range settled {
			if _, ok := sr.recs[tid]; ok || sr.runners > 0 {
				sr.settled[tid] = struct{}{}
			}
		}
	}
	s.prune(id, sr)
}

// prune drops what session id's records no longer need once no runner of
// it runs: all of them when it ended, else those of the settled calls; a
// session left with no record is dropped too. s.mu is held.
func (s *MemoryStore) prune(id string, sr *sessionRecords) {
	if sr.runners > 0 {
		return
	}
	if sr.ended {
		s.n -= len(sr.recs)
		delete(s.sessions, id)
		return
	}
	for tid := range sr.settled {
		if _, ok := sr.recs[tid]; ok {
			delete(sr.recs, tid)
			s.n--
		}
	}
	sr.settled = nil
	if len(sr.recs) == 0 {
		delete(s.sessions, id)
	}
}
