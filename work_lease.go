package managedagents

import (
	"context"
	"errors"
	"sync"
	"time"
)

// assumedTTL is the lease time to live a WorkLease assumes before a
// heartbeat tells it (the official worker's assumption, self-hosted.md §3.1).
const assumedTTL = 30 * time.Second

// WorkLeaseOptions configure a [WorkLease].
type WorkLeaseOptions struct {
	// ExpectedLastHeartbeat continues a lease another process started: the
	// last LastHeartbeat it received (ANTHROPIC_WORK_LAST_HEARTBEAT). Empty
	// starts the lease with [NoHeartbeat].
	ExpectedLastHeartbeat string
	// DesiredTTLSeconds is sent with every heartbeat; zero leaves the
	// server's default.
	DesiredTTLSeconds int
}

// WorkLease holds the lease on one claimed work item by heartbeats: it sends
// each beat with the last heartbeat the server stored, byte for byte
// ([NoHeartbeat] the first time), and keeps the new one. Call
// [WorkLease.Beat] right after the ack, before any slow setup, then every
// half TTL or so. Its methods are safe for concurrent use; beats are sent
// one at a time.
//
// A heartbeat is never sent twice (see [EnvironmentWorkService.Heartbeat]).
// When a beat fails after it may have reached the server (a *DeliveryError),
// the server may have stored a heartbeat whose answer was lost, and the next
// beat, sent with the old value, gets a 412. The official worker then drops
// a lease it holds (self-hosted.md §7.1). A WorkLease instead reads the 412's
// current_state: if the item is still starting or active and the heartbeat
// stored is newer than the last one it knows and was stored before the
// lease it knew could lapse, no other worker can have stored it (nobody can
// claim an item while its lease runs), so the lost beat was its own: it
// takes that value and beats again, once. Any other 412 is the end of the
// lease: a *LeaseLostError.
type WorkLease struct {
	work *EnvironmentWorkService // of a client acting for the item
	env  string
	id   string
	ttl  int // DesiredTTLSeconds

	mu        sync.Mutex
	last      string        // the expected_last_heartbeat of the next beat
	known     time.Time     // when the server stored last (its clock); zero if unknown
	leaseTTL  time.Duration // the lease's time to live, as last told
	held      time.Time     // when the lease lapses without a beat (local clock)
	uncertain bool          // the last beat may have been stored without our seeing it
}

// NewWorkLease returns the lease of item, a work item this worker polled and
// acked (pass the Ack's answer, whose acknowledged_at dates the lease). Its
// heartbeats carry the item's token: client is scoped to the item with
// [Client.ForWorkItem] unless it acts for one already.
func NewWorkLease(client *Client, item *WorkItem, opts WorkLeaseOptions) (*WorkLease, error) {
	switch {
	case client == nil:
		return nil, invalid("client", "must not be nil")
	case item == nil:
		return nil, invalid("item", "must not be nil")
	case opts.DesiredTTLSeconds < 0:
		return nil, invalid("desired_ttl_seconds", "must not be negative")
	}
	if err := checkWorkIDs(item.EnvironmentID, item.ID); err != nil {
		return nil, err
	}
	c := client
	if cfg, err := client.config(nil); err == nil && !cfg.WorkItem {
		c = client.ForWorkItem(item)
	}
	l := &WorkLease{work: c.Environments.Work, env: item.EnvironmentID, id: item.ID, ttl: opts.DesiredTTLSeconds,
		last: NoHeartbeat, known: item.AcknowledgedAt, leaseTTL: assumedTTL, held: time.Now().Add(assumedTTL)}
	if opts.ExpectedLastHeartbeat != "" {
		l.last = opts.ExpectedLastHeartbeat
		l.known, _ = time.Parse(time.RFC3339Nano, opts.ExpectedLastHeartbeat)
	}
	return l, nil
}

// Beat sends one heartbeat and returns its answer. When the answer's Held is
// false (the item is stopping or stopped, or the lease was not extended),
// stop the item's tools, then stop the item. A *LeaseLostError (matching
// [ErrLeaseLost]) means the lease belongs to the queue or another worker:
// stop the item's tools and do not stop the item. A *DeliveryError means
// the beat may or may not have been stored: beat again at the next interval,
// which sorts it out. Other errors leave the lease as it was.
//
// POST /v1/environments/{environment_id}/work/{work_id}/heartbeat
func (l *WorkLease) Beat(ctx context.Context) (*WorkHeartbeat, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	hb, err := l.beat(ctx)
	var lost *LeaseLostError
	if errors.As(err, &lost) && l.uncertain && l.ownBeat(lost.State) {
		l.last, l.uncertain = lost.State.LastHeartbeat, false
		hb, err = l.beat(ctx)
	}
	return hb, err
}

// beat sends one heartbeat with l.last and records its outcome; l.mu is held.
func (l *WorkLease) beat(ctx context.Context) (*WorkHeartbeat, error) {
	hb, err := l.work.Heartbeat(ctx, l.env, l.id, EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: l.last, DesiredTTLSeconds: l.ttl})
	switch {
	case err == nil:
		l.last, l.uncertain = hb.LastHeartbeat, false
		l.known, _ = time.Parse(time.RFC3339Nano, hb.LastHeartbeat)
		if hb.TTLSeconds > 0 {
			l.leaseTTL = hb.TTL()
		}
		l.held = time.Now().Add(l.leaseTTL)
	default:
		// Only an answer of the server says for sure that the beat was not
		// stored; after anything else (a lost answer, a cancelled context) the
		// next 412 is looked at (ownBeat), and taken only on the server's word.
		var answer *APIError
		if !errors.As(err, &answer) || errors.Is(err, ErrDeliveryUncertain) {
			l.uncertain = true
		}
	}
	return hb, err
}

// ownBeat reports whether the heartbeat a 412 reports can only be the one of
// this lease's beat whose answer was lost: the item is starting or active,
// and the heartbeat stored is newer than the last one known, and was stored
// before the lease known could lapse; l.mu is held.
func (l *WorkLease) ownBeat(s WorkLeaseState) bool {
	if s.State != WorkStateActive && s.State != WorkStateStarting || l.known.IsZero() {
		return false
	}
	stored, err := time.Parse(time.RFC3339Nano, s.LastHeartbeat)
	return err == nil && stored.After(l.known) && stored.Before(l.known.Add(l.leaseTTL))
}

// LastHeartbeat returns the heartbeat the next beat will send: the last one
// the server stored, as far as the lease knows. Hand it to a process that
// continues the lease (ANTHROPIC_WORK_LAST_HEARTBEAT).
func (l *WorkLease) LastHeartbeat() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// TTL returns the lease's time to live as the last heartbeat told it (30 s
// until one has).
func (l *WorkLease) TTL() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.leaseTTL
}

// HeldUntil returns when the lease lapses without another successful beat,
// on the local clock: the last successful beat (or the lease's creation)
// plus the TTL. A worker that cannot beat until then must assume the lease
// lost: stop the item's tools and do not stop the item.
func (l *WorkLease) HeldUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}
