package managedagentstest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents/internal/worksecret"
)

// The work endpoints of self-hosted environments (self-hosted.md §2).

// workRoutes registers the work endpoints; the poll (which blocks) and the
// stop (which answers 204) write their answers themselves (handleRaw).
func (s *Server) workRoutes() {
	s.handleRaw(RoutePollWork, s.pollWork, "block_ms", "reclaim_older_than_ms")
	s.handle(RouteAckWork, s.ackWork)
	s.handle(RouteHeartbeatWork, s.heartbeatWork, "expected_last_heartbeat", "desired_ttl_seconds")
	s.handleRaw(RouteStopWork, s.stopWork)
	s.handle(RouteListWork, s.listWork, "limit", "page")
	s.handle(RouteGetWork, s.getWork)
	s.handle(RouteUpdateWork, s.updateWork)
	s.handle(RouteWorkStats, s.workStats)
}

// selfHostedEnv returns environment id if it is self-hosted; s.mu must be
// held.
func (s *Server) selfHostedEnv(id string) error {
	env, err := s.env(id)
	if err != nil {
		return err
	}
	if typeOf(env.v["config"]) != "self_hosted" {
		return errBadRequest("environment %s is not self-hosted: it has no work queue", id)
	}
	return nil
}

// queue returns the id of the environment whose queue r acts on, after the
// passing of time has been applied to it; s.mu must be held.
func (s *Server) queue(r *http.Request) (string, error) {
	envID := r.PathValue("environment_id")
	if err := s.selfHostedEnv(envID); err != nil {
		return "", err
	}
	s.expireLeases()
	return envID, nil
}

// requestedWork returns the work item r acts on; s.mu must be held.
func (s *Server) requestedWork(r *http.Request) (*workRec, error) {
	envID, err := s.queue(r)
	if err != nil {
		return nil, err
	}
	return s.workItem(envID, r.PathValue("work_id"))
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// pollWork claims the oldest item a poll may have, waiting up to block_ms
// of the server's clock for one: with a frozen clock the poll waits until
// the clock is moved past its end or work is queued.
func (s *Server) pollWork(w http.ResponseWriter, r *http.Request) {
	block, err := intParam(r, "block_ms", 0, 1, 999)
	if err != nil {
		writeError(w, err.(*apiError))
		return
	}
	reclaimMs, err := intParam(r, "reclaim_older_than_ms", int(defaultReclaim/time.Millisecond), 0, 1<<31-1)
	if err != nil {
		writeError(w, err.(*apiError))
		return
	}
	reclaim := time.Duration(reclaimMs) * time.Millisecond
	s.mu.Lock()
	envID, err := s.queue(r)
	if err != nil {
		s.mu.Unlock()
		writeError(w, err.(*apiError))
		return
	}
	s.sawWorker(envID, r.Header.Get("Anthropic-Worker-ID"))
	deadline := s.now().Add(time.Duration(block) * time.Millisecond)
	for {
		s.expireLeases()
		if item := s.claim(envID, reclaim); item != nil {
			out := workJSON(item, worksecret.Encode(s.mintToken(item)))
			s.mu.Unlock()
			writeJSON(w, http.StatusOK, out)
			return
		}
		now := s.now()
		if !now.Before(deadline) {
			s.mu.Unlock()
			s.answerNoWork(w)
			return
		}
		changed := s.workChanged()
		var timer *time.Timer
		var fired <-chan time.Time
		if !s.fixed {
			wake := deadline
			if next := s.nextWake(envID, reclaim); !next.IsZero() && next.Before(wake) {
				wake = next
			}
			timer = time.NewTimer(wake.Sub(now))
			fired = timer.C
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-fired:
		case <-r.Context().Done():
		case <-s.closing:
		}
		if timer != nil {
			timer.Stop()
		}
		if r.Context().Err() != nil || s.ctx.Err() != nil {
			return
		}
		s.mu.Lock()
	}
}

// answerNoWork answers a poll that found nothing, in the server's form.
func (s *Server) answerNoWork(w http.ResponseWriter) {
	switch s.emptyPoll {
	case EmptyPollNoContent:
		w.WriteHeader(http.StatusNoContent)
	case EmptyPollEmptyObject:
		writeJSON(w, http.StatusOK, obj{})
	case EmptyPollEmptyBody:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	default:
		writeJSON(w, http.StatusOK, nil)
	}
}

// ackWork confirms a poll's claim: the item starts, and its lease runs from
// now. An item not polled, or acked already, is a 409.
func (s *Server) ackWork(r *http.Request, body obj) (any, error) {
	if len(body) > 0 {
		return nil, errBadRequest("ack takes no request body")
	}
	w, err := s.requestedWork(r)
	if err != nil {
		return nil, err
	}
	switch {
	case w.state == "queued" && w.polled:
	case w.state == "queued":
		return nil, errConflict("work %s has not been polled", w.id)
	case w.live():
		return nil, errConflict("work %s is already acknowledged (%s)", w.id, w.state)
	default:
		return nil, errConflict("work %s is stopped", w.id)
	}
	now := s.now()
	w.state, w.polled, w.acked = "starting", false, now
	w.ttl, w.leaseEnd = s.workTTL, now.Add(s.workTTL)
	return workJSON(w, nil), nil
}

// heartbeatWork extends the lease when expected_last_heartbeat is exactly
// the heartbeat stored (NO_HEARTBEAT when none is): 412 with current_state
// otherwise. A stopping or stopped item is not compared; an item whose lease
// lapsed and that no poll took since answers lease_extended false, state
// stopped.
func (s *Server) heartbeatWork(r *http.Request, _ obj) (any, error) {
	q := r.URL.Query()
	expected, ok := q["expected_last_heartbeat"]
	if !ok || expected[0] == "" {
		return nil, errBadRequest("expected_last_heartbeat: field required (NO_HEARTBEAT for the first heartbeat)")
	}
	ttlSecs, err := intParam(r, "desired_ttl_seconds", 0, 1, 3600)
	if err != nil {
		return nil, err
	}
	w, err := s.requestedWork(r)
	if err != nil {
		return nil, err
	}
	answer := func(extended bool, state string) obj {
		return obj{"type": "work_heartbeat", "last_heartbeat": w.stored, "lease_extended": extended,
			"state": state, "ttl_seconds": int64(w.ttl / time.Second)}
	}
	switch {
	case w.state == "stopping" || w.state == "stopped":
		return answer(false, w.state), nil
	case w.state == "queued" && w.lapsed:
		return answer(false, "stopped"), nil
	}
	want := w.stored
	if want == "" {
		want = "NO_HEARTBEAT"
	}
	if w.state == "queued" || expected[0] != want {
		var last any
		if w.stored != "" {
			last = w.stored
		}
		return nil, &apiError{status: http.StatusPreconditionFailed, typ: "invalid_request_error", code: "heartbeat_precondition_failed",
			msg: "Heartbeat precondition failed: expected_last_heartbeat does not match the stored heartbeat.",
			details: obj{"current_state": obj{"state": w.state, "last_heartbeat": last, "lease_extended": false,
				"ttl_seconds": int64(w.ttl / time.Second)}}}
	}
	now := s.now()
	if ttlSecs > 0 {
		w.ttl = time.Duration(ttlSecs) * time.Second
	}
	s.nextBeat(w)
	if w.started.IsZero() {
		w.started = now
	}
	w.state, w.leaseEnd = "active", now.Add(w.ttl)
	return answer(true, "active"), nil
}

// stopWork stops an item, answering 204 without a body: at once with
// force, or a queued item; otherwise gracefully (stopping, until its lease
// lapses or a forced stop). A stopped item answers 409.
func (s *Server) stopWork(w http.ResponseWriter, r *http.Request) {
	var body obj
	if r.Body != nil {
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			writeError(w, errBadRequest("request body must be a JSON object"))
			return
		}
	}
	for k := range body {
		if k != "force" {
			writeError(w, errBadRequest("%s: unknown field", k))
			return
		}
	}
	force, isBool := body["force"].(bool)
	if v, ok := body["force"]; ok && v != nil && !isBool {
		writeError(w, errBadRequest("force: must be a boolean"))
		return
	}
	s.mu.Lock()
	item, err := s.requestedWork(r)
	if err != nil {
		s.mu.Unlock()
		writeError(w, err.(*apiError))
		return
	}
	if item.state == "stopped" {
		s.mu.Unlock()
		writeError(w, errConflict("work %s is already stopped", item.id))
		return
	}
	now := s.now()
	if item.stopAsked.IsZero() {
		item.stopAsked = now
	}
	if force || item.state == "queued" {
		item.state, item.stoppedAt, item.polled = "stopped", now, false
	} else {
		item.state = "stopping"
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listWork(r *http.Request, _ obj) (any, error) {
	envID, err := s.queue(r)
	if err != nil {
		return nil, err
	}
	limit, order, c, err := listParams(r, "work:"+envID, 20, 100, "desc", false)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, w := range s.envItems(envID) {
		items = append(items, listItem{t: w.created, seq: w.seq, v: workJSON(w, nil)})
	}
	return paginate(items, "work:"+envID, order, limit, c).json(false), nil
}

func (s *Server) getWork(r *http.Request, _ obj) (any, error) {
	w, err := s.requestedWork(r)
	if err != nil {
		return nil, err
	}
	return workJSON(w, nil), nil
}

// updateWork patches the item's metadata: a string upserts, null deletes.
func (s *Server) updateWork(r *http.Request, body obj) (any, error) {
	w, err := s.requestedWork(r)
	if err != nil {
		return nil, err
	}
	if err := onlyKeys(body, "body", "metadata"); err != nil {
		return nil, err
	}
	m, ok := body["metadata"]
	if !ok || m == nil {
		return nil, errBadRequest("metadata: field required")
	}
	md, err := patchMetadata(w.meta, m, false)
	if err != nil {
		e := err.(*apiError)
		e.code = "invalid_metadata"
		return nil, e
	}
	w.meta = md
	return workJSON(w, nil), nil
}

// workStats counts the queue: depth (waiting), pending (polled, not acked),
// the oldest of both, and the worker ids seen polling in the last 30 s.
func (s *Server) workStats(r *http.Request, _ obj) (any, error) {
	envID, err := s.queue(r)
	if err != nil {
		return nil, err
	}
	depth, pending := 0, 0
	var oldest time.Time
	for _, w := range s.envItems(envID) {
		if w.state != "queued" {
			continue
		}
		if w.polled {
			pending++
		} else {
			depth++
		}
		if oldest.IsZero() || w.queuedAt.Before(oldest) {
			oldest = w.queuedAt
		}
	}
	now := s.now()
	var workers []string
	for id, at := range s.workStore().workers[envID] {
		if now.Sub(at) < workersWindow {
			workers = append(workers, id)
		}
	}
	slices.Sort(workers)
	out := obj{"type": "work_queue_stats", "depth": depth, "pending": pending, "oldest_queued_at": nil, "workers_polling": len(workers)}
	if !oldest.IsZero() {
		out["oldest_queued_at"] = ts(oldest)
	}
	return out, nil
}
