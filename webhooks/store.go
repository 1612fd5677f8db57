package webhooks

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Claim is the answer of [Store.Claim].
type Claim int

const (
	// ClaimAcquired means the id is new (or its record expired): the caller
	// processes the delivery, then calls Complete or Release.
	ClaimAcquired Claim = iota
	// ClaimAlreadyDone means a delivery with this id was processed:
	// acknowledge it without processing it again.
	ClaimAlreadyDone
	// ClaimInProgress means another delivery with this id is being processed
	// right now: the handler answers 409 so that the sender tries again later.
	ClaimInProgress
)

// String returns the claim's name.
func (c Claim) String() string {
	switch c {
	case ClaimAcquired:
		return "acquired"
	case ClaimAlreadyDone:
		return "already done"
	case ClaimInProgress:
		return "in progress"
	}
	return "unknown"
}

// Store records which deliveries, by webhook-id, are being processed or are
// done, so that a [Handler] processes each one once. [MemoryStore] is the
// default; implement Store over a shared database when several replicas
// receive the same endpoint's deliveries. With Redis, for example: Claim is
// SET id "busy" NX PX lease, answering from the existing value when the key
// exists; Complete is SET id "done" PX retention; Release deletes the key
// while it still says "busy".
//
// A Store must be safe for concurrent use. An error from Claim makes the
// handler answer 503 (the sender retries later), so a store that is down never
// lets a delivery through twice.
type Store interface {
	// Claim marks id as in progress for at most lease, unless it is done or
	// in progress already.
	Claim(ctx context.Context, id string, lease time.Duration) (Claim, error)
	// Complete marks id as done; the store keeps it as long as it is
	// configured to (a day or more is advised: deliveries are retried for
	// hours).
	Complete(ctx context.Context, id string) error
	// Release forgets an in-progress id whose processing failed, so that the
	// sender's retry is processed.
	Release(ctx context.Context, id string) error
}

// Defaults of [NewMemoryStore].
const (
	// DefaultStoreCapacity is how many ids a MemoryStore keeps by default.
	DefaultStoreCapacity = 100_000
	// DefaultStoreRetention is how long a MemoryStore keeps a done id by
	// default.
	DefaultStoreRetention = 24 * time.Hour
)

// MemoryStore is a [Store] in memory, for a single process: a set of at most
// capacity ids, each kept until its retention (done ids) or its lease
// (in-progress ids) ends, the least recently used dropped first when full. It
// is safe for concurrent use and never returns an error.
type MemoryStore struct {
	capacity  int
	retention time.Duration
	now       func() time.Time

	mu    sync.Mutex
	byID  map[string]*list.Element
	order list.List // of *storeEntry, most recently used first
}

type storeEntry struct {
	id      string
	done    bool
	expires time.Time
}

// NewMemoryStore returns a MemoryStore that keeps at most capacity ids, done
// ones for retention. Zero or negative values take [DefaultStoreCapacity] and
// [DefaultStoreRetention]. Each id costs about 165 bytes with ids of 30 bytes
// (BenchmarkMemoryStoreBytesPerID), so the default capacity holds 16 MB at
// most.
func NewMemoryStore(capacity int, retention time.Duration) *MemoryStore {
	if capacity <= 0 {
		capacity = DefaultStoreCapacity
	}
	if retention <= 0 {
		retention = DefaultStoreRetention
	}
	return &MemoryStore{capacity: capacity, retention: retention, now: time.Now, byID: make(map[string]*list.Element)}
}

// Claim implements [Store].
func (s *MemoryStore) Claim(_ context.Context, id string, lease time.Duration) (Claim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if el, ok := s.byID[id]; ok {
		e := el.Value.(*storeEntry)
		if now.Before(e.expires) {
			if e.done {
				return ClaimAlreadyDone, nil
			}
			return ClaimInProgress, nil
		}
		e.done, e.expires = false, now.Add(lease)
		s.order.MoveToFront(el)
		return ClaimAcquired, nil
	}
	s.insert(&storeEntry{id: id, expires: now.Add(lease)}, now)
	return ClaimAcquired, nil
}

// Complete implements [Store].
func (s *MemoryStore) Complete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if el, ok := s.byID[id]; ok {
		e := el.Value.(*storeEntry)
		e.done, e.expires = true, now.Add(s.retention)
		s.order.MoveToFront(el)
		return nil
	}
	s.insert(&storeEntry{id: id, done: true, expires: now.Add(s.retention)}, now)
	return nil
}

// Release implements [Store]. A done id stays done.
func (s *MemoryStore) Release(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byID[id]; ok && !el.Value.(*storeEntry).done {
		s.remove(el)
	}
	return nil
}

// Len returns how many ids the store holds, expired ones not yet dropped
// included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

// insert adds e as the most recently used entry, first dropping expired
// entries from the least recently used end, then the least recently used ones
// while the store is full.
func (s *MemoryStore) insert(e *storeEntry, now time.Time) {
	for back := s.order.Back(); back != nil && !now.Before(back.Value.(*storeEntry).expires); back = s.order.Back() {
		s.remove(back)
	}
	for len(s.byID) >= s.capacity {
		s.remove(s.order.Back())
	}
	s.byID[e.id] = s.order.PushFront(e)
}

func (s *MemoryStore) remove(el *list.Element) {
	delete(s.byID, el.Value.(*storeEntry).id)
	s.order.Remove(el)
}
