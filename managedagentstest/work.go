package managedagentstest

import (
	"slices"
	"time"
)

// TestEnvironmentKey is the environment key the server accepts on the work
// endpoints of every self-hosted environment, unless [WithEnvironmentKey]
// gives another; the clients of [Server.Client] send it there.
const TestEnvironmentKey = "sk-ant-env-fake-0123456789"

// DefaultWorkLeaseTTL is the lease time to live of a work item when the
// heartbeat asks for none; see [WithWorkLeaseTTL].
const DefaultWorkLeaseTTL = 30 * time.Second

// defaultReclaim is how long a polled item waits for its ack before another
// poll may take it, when the poll does not say (reclaim_older_than_ms).
const defaultReclaim = 5 * time.Second

// workersWindow is how long a worker id counts in the stats after its last
// poll.
const workersWindow = 30 * time.Second

// EmptyPoll is how the server answers a poll that finds no work. The API's
// answer varies (self-hosted.md §2.4); a client must take every form as "no
// work".
type EmptyPoll int

const (
	// EmptyPollNull answers 200 with the JSON null (the default).
	EmptyPollNull EmptyPoll = iota
	// EmptyPollNoContent answers 204 without a body.
	EmptyPollNoContent
	// EmptyPollEmptyObject answers 200 with {}.
	EmptyPollEmptyObject
	// EmptyPollEmptyBody answers 200 with an empty body.
	EmptyPollEmptyBody
)

// WithEnvironmentKey sets the environment key the server accepts (as
// Authorization: Bearer only) on the work endpoints that take it, and on the
// session endpoints of self-hosted sessions, in place of
// [TestEnvironmentKey].
func WithEnvironmentKey(key string) ServerOption {
	return func(s *Server) { s.envKey = key }
}

// WithWorkLeaseTTL sets the lease time to live of a work item: from its ack,
// and from each heartbeat that asks for none (desired_ttl_seconds). Default
// [DefaultWorkLeaseTTL].
func WithWorkLeaseTTL(d time.Duration) ServerOption {
	return func(s *Server) {
		if d > 0 {
			s.workTTL = d
		}
	}
}

// WithEmptyPoll sets how a poll that finds no work is answered.
func WithEmptyPoll(form EmptyPoll) ServerOption {
	return func(s *Server) { s.emptyPoll = form }
}

// workRec is a work item of a self-hosted environment's queue.
type workRec struct {
	id, env string
	seq     int64
	data    obj    // {"type":"session"|"healthcheck","id"}
	session string // the session of session work
	state   string // queued, starting, active, stopping, stopped
	meta    obj

	created, queuedAt                                time.Time
	acked, started, latestBeat, stopAsked, stoppedAt time.Time

	polled   bool // polled and not acked (pending) since it was queued
	polledAt time.Time
	lapsed   bool // its lease lapsed and no poll took it since

	stored   string    // the last_heartbeat stored, "" for none
	beatTime time.Time // the time of the last token minted; never goes back
	ttl      time.Duration
	leaseEnd time.Time // when the lease lapses (starting, active, stopping)
}

// live reports whether the item can still be served: not stopped.
func (w *workRec) live() bool { return w.state != "stopped" }

// workState is the server's queue state.
type workState struct {
	items   map[string]*workRec
	tokens  map[string]*workRec             // sessions token -> its item
	workers map[string]map[string]time.Time // environment -> worker id -> last poll
	changed chan struct{}                   // closed and replaced when a poll may find work
}

// workStore returns the queue state, made on first use; s.mu must be held.
func (s *Server) workStore() *workState {
	if s.work == nil {
		s.work = &workState{items: map[string]*workRec{}, tokens: map[string]*workRec{}, workers: map[string]map[string]time.Time{}}
	}
	return s.work
}

// workChanged returns the channel closed at the next change a blocked poll
// waits for; s.mu must be held.
func (s *Server) workChanged() <-chan struct{} {
	ws := s.workStore()
	if ws.changed == nil {
		ws.changed = make(chan struct{})
	}
	return ws.changed
}

// signalWork wakes the blocked polls: work was queued, or the clock moved;
// s.mu must be held.
func (s *Server) signalWork() {
	if s.work != nil && s.work.changed != nil {
		close(s.work.changed)
		s.work.changed = nil
	}
}

// enqueue queues new work in environment env; s.mu must be held.
func (s *Server) enqueue(env string, data obj, session string) *workRec {
	now := s.now()
	w := &workRec{id: s.newID("work"), env: env, seq: s.nextSeq(), data: data, session: session, state: "queued",
		meta: obj{}, created: now, queuedAt: now, ttl: s.workTTL}
	s.workStore().items[w.id] = w
	s.signalWork()
	return w
}

// enqueueSession queues the work of a self-hosted session, unless it has
// live work already: a session's work is queued when it is created, and
// again when it gets new input after its last item stopped (the worker that
// served it is gone); s.mu must be held.
func (s *Server) enqueueSession(sess *sessionRec) {
	if typeOf(sess.env["config"]) != "self_hosted" {
		return
	}
	for _, w := range s.workStore().items {
		if w.session == sess.id && w.live() {
			return
		}
	}
	s.enqueue(sess.v["environment_id"].(string), obj{"type": "session", "id": sess.id}, sess.id)
}

// wakesWork lists the events that give a session new input.
var wakesWork = map[string]bool{"user.message": true, "user.define_outcome": true, "user.tool_confirmation": true, "user.custom_tool_result": true}

// EnqueueHealthcheck queues a health-check item ({"type":"healthcheck"}) in
// self-hosted environment environmentID and returns its id. A worker should
// stop it at once.
func (s *Server) EnqueueHealthcheck(environmentID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	env, err := s.env(environmentID)
	if err != nil {
		return "", err
	}
	if typeOf(env.v["config"]) != "self_hosted" {
		return "", errBadRequest("environment %s is not self-hosted", environmentID)
	}
	w := s.enqueue(environmentID, obj{"type": "healthcheck", "id": s.newID("hlth")}, "")
	return w.id, nil
}

// expireLeases applies the passing of time to the queue: a lease whose time
// to live ran out without a heartbeat lapses (a stopping item stops; any
// other goes back to the queue, where a poll can take it); s.mu must be held.
func (s *Server) expireLeases() {
	now := s.now()
	for _, w := range s.workStore().items {
		switch w.state {
		case "starting", "active", "stopping":
		default:
			continue
		}
		if now.Before(w.leaseEnd) {
			continue
		}
		if w.state == "stopping" {
			w.state, w.stoppedAt = "stopped", w.leaseEnd
			continue
		}
		w.state, w.lapsed, w.polled = "queued", true, false
		w.stored, w.queuedAt = "", w.leaseEnd
		w.acked, w.started, w.latestBeat = time.Time{}, time.Time{}, time.Time{}
	}
}

// claim takes the next item of env a poll may have: queued and not polled,
// or polled and not acked for reclaim or longer; nil when there is none.
// s.mu must be held.
func (s *Server) claim(env string, reclaim time.Duration) *workRec {
	now := s.now()
	var best *workRec
	for _, w := range s.workStore().items {
		if w.env != env || w.state != "queued" || (w.polled && now.Sub(w.polledAt) < reclaim) {
			continue
		}
		if best == nil || w.queuedAt.Before(best.queuedAt) || (w.queuedAt.Equal(best.queuedAt) && w.seq < best.seq) {
			best = w
		}
	}
	if best != nil {
		best.polled, best.polledAt, best.lapsed = true, now, false
	}
	return best
}

// nextWake returns the earliest time after now at which a poll of env may
// find work without anything being queued: a pending item becoming
// reclaimable, a lease lapsing; zero when there is none. s.mu must be held.
func (s *Server) nextWake(env string, reclaim time.Duration) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, w := range s.workStore().items {
		switch {
		case w.env != env:
		case w.state == "queued" && w.polled:
			consider(w.polledAt.Add(reclaim))
		case w.state == "starting" || w.state == "active":
			consider(w.leaseEnd)
		}
	}
	return next
}

// mintToken returns a new sessions token for a claim of w; s.mu must be held.
func (s *Server) mintToken(w *workRec) string {
	tok := "sk-ant-sessions-fake-" + s.newID("tok")
	s.workStore().tokens[tok] = w
	return tok
}

// nextBeat stores a new heartbeat of w and returns it: the time of the beat,
// one millisecond after the previous one if the clock has not moved on, so
// that no two heartbeats of an item are ever the same; s.mu must be held.
func (s *Server) nextBeat(w *workRec) string {
	at := s.now().Truncate(time.Millisecond)
	if !at.After(w.beatTime) {
		at = w.beatTime.Add(time.Millisecond)
	}
	w.beatTime, w.stored, w.latestBeat = at, ts(at), at
	return w.stored
}

// sawWorker records a poll of worker id in env; s.mu must be held.
func (s *Server) sawWorker(env, id string) {
	if id == "" {
		return
	}
	ws := s.workStore()
	if ws.workers[env] == nil {
		ws.workers[env] = map[string]time.Time{}
	}
	ws.workers[env][id] = s.now()
}

// workJSON returns the item as the API answers it, with secret when a poll
// hands it out (null otherwise).
func workJSON(w *workRec, secret any) obj {
	at := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return ts(t)
	}
	return obj{
		"type": "work", "id": w.id, "environment_id": w.env, "data": clone(w.data), "state": w.state,
		"metadata": clone(w.meta), "secret": secret, "created_at": ts(w.created),
		"acknowledged_at": at(w.acked), "started_at": at(w.started), "latest_heartbeat_at": at(w.latestBeat),
		"stop_requested_at": at(w.stopAsked), "stopped_at": at(w.stoppedAt),
	}
}

// workItem returns item id of environment env; s.mu must be held.
func (s *Server) workItem(env, id string) (*workRec, error) {
	w, ok := s.workStore().items[id]
	if !ok || w.env != env {
		return nil, errNotFound("work " + id + " not found")
	}
	return w, nil
}

// envItems returns the items of env, newest first; s.mu must be held.
func (s *Server) envItems(env string) []*workRec {
	var out []*workRec
	for _, w := range s.workStore().items {
		if w.env == env {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b *workRec) int { return int(b.seq - a.seq) })
	return out
}
