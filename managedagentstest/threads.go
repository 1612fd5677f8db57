package managedagentstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// threadRec is a session thread: the primary one, made with the session, or
// a child one started by [Turn.StartThread].
type threadRec struct {
	id        string
	parent    string // the primary thread's id for a child, "" for the primary
	seq       int64
	agent     obj    // a child's agent snapshot; the primary runs the session's agent
	agentName string // a child's agent name, as in its status events
	status    string
	created   time.Time
	updated   time.Time
	archived  time.Time
	// moved and idled count the status transitions and idles: stats are null
	// before the first transition, usage before the first idle (reference §4.13).
	moved, idled int
	running      time.Time // when the current running period began
	active       time.Duration
	usage        ModelUsage // a child's own usage; the primary's is the session's
}

// primary returns the primary thread of sess.
func (sess *sessionRec) primary() *threadRec { return sess.threads[0] }

// setStatus records a status change of th at at.
func (th *threadRec) setStatus(status string, at time.Time) {
	if th.status == "running" && status != "running" {
		th.active += at.Sub(th.running)
	} else if th.status != "running" && status == "running" {
		th.running = at
	}
	if status != th.status {
		th.moved++
	}
	if status == "idle" {
		th.idled++
	}
	th.status, th.updated = status, at
}

// threadJSON returns th as answered (reference §4.13); s.mu must be held.
func (s *Server) threadJSON(sess *sessionRec, th *threadRec) obj {
	v := obj{"id": th.id, "type": "session_thread", "session_id": sess.id, "parent_thread_id": nil,
		"status": th.status, "workflow_run_id": nil, "stats": nil, "usage": nil,
		"created_at": ts(th.created), "updated_at": ts(th.updated), "archived_at": nil}
	usage := th.usage
	agent := th.agent
	if th.parent == "" {
		usage = sess.usage
		agent = threadAgent(sess.v["agent"].(obj))
	} else {
		v["parent_thread_id"] = th.parent
	}
	v["agent"] = clone(agent)
	if !th.archived.IsZero() {
		v["archived_at"] = ts(th.archived)
	}
	end := s.now()
	if th.status == "terminated" {
		end = th.updated
	}
	active := th.active
	if th.status == "running" {
		active += end.Sub(th.running)
	}
	if th.moved > 0 {
		v["stats"] = obj{"active_seconds": active.Seconds(), "duration_seconds": max(0, end.Sub(th.created).Seconds()),
			"startup_seconds": 0.0}
	}
	if th.idled > 0 {
		u := usageJSON(usage)
		u["active_seconds"] = active.Seconds()
		v["usage"] = u
	}
	return v
}

// usageJSON is the usage object of a session or thread with usage u.
func usageJSON(u ModelUsage) obj {
	return obj{"input_tokens": u.InputTokens, "output_tokens": u.OutputTokens,
		"cache_read_input_tokens": u.CacheReadInputTokens,
		"cache_creation":          obj{"ephemeral_5m_input_tokens": u.CacheCreationInputTokens, "ephemeral_1h_input_tokens": int64(0)}}
}

// thread returns the session and thread a request names.
func (s *Server) thread(r *http.Request) (*sessionRec, *threadRec, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, nil, err
	}
	id := r.PathValue("thread_id")
	for _, th := range sess.threads {
		if th.id == id {
			return sess, th, nil
		}
	}
	return nil, nil, errNotFound("thread " + id + " not found")
}

func (s *Server) listThreads(r *http.Request, _ obj) (any, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, err
	}
	lq, err := listParams(r, "threads:"+sess.id, 1000, 1000, "asc", false)
	if err != nil {
		return nil, err
	}
	statuses, err := statusesParam(r)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, th := range sess.threads {
		if len(statuses) == 0 || statuses[th.status] {
			items = append(items, listItem{t: th.created, seq: th.seq, v: s.threadJSON(sess, th)})
		}
	}
	return lq.page(items).json(false), nil
}

func (s *Server) getThread(r *http.Request, _ obj) (any, error) {
	sess, th, err := s.thread(r)
	if err != nil {
		return nil, err
	}
	return s.threadJSON(sess, th), nil
}

func (s *Server) archiveThread(r *http.Request, _ obj) (any, error) {
	sess, th, err := s.thread(r)
	if err != nil {
		return nil, err
	}
	switch {
	case th.parent == "":
		return nil, errBadRequest("the primary thread of a session cannot be archived")
	case th.status == "running" || th.status == "rescheduling":
		return nil, errBadRequest("thread %s is %s; it can be archived once idle or terminated", th.id, th.status)
	}
	if th.archived.IsZero() {
		th.archived = s.now()
		th.updated = th.archived
		s.threadArchivedWebhook(sess, th)
	}
	return s.threadJSON(sess, th), nil
}

func (s *Server) listThreadEvents(r *http.Request, _ obj) (any, error) {
	sess, th, err := s.thread(r)
	if err != nil {
		return nil, err
	}
	list := "thread_events:" + th.id
	lq, err := listParams(r, list, 1000, 1000, "asc", false)
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, e := range sess.events {
		if e.thread == threadKey(th) {
			items = append(items, listItem{t: e.at, seq: e.seq, v: json.RawMessage(e.data)})
		}
	}
	return lq.page(items).json(false), nil
}

// threadKey is the thread an event or stream of th is filed under: "" for
// the primary thread, which shares the session's, or the child's id.
func threadKey(th *threadRec) string {
	if th == nil || th.parent == "" {
		return ""
	}
	return th.id
}

// Thread is a child thread of a session, started by [Turn.StartThread]. Its
// methods emit into the thread (its stream and event list) and return the new
// event's id, or "" once the turn that started it is stopped. A Thread must
// only be used by its script's goroutine.
type Thread struct {
	turn *Turn
	rec  *threadRec
}

// StartThread starts a child thread running agentID, an agent of the session
// agent's multiagent config (the roster of a coordinator, or the predefined
// agents of its subagents or workflows), as the primary thread would spawn
// it: it emits session.thread_created and session.thread_status_running. It
// returns nil when the turn is stopped, and panics (which ends the turn with a
// session.error) if agentID is not such an agent. Threads still running when
// the turn ends go idle first.
func (t *Turn) StartThread(agentID string) *Thread {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	agent := rosterAgent(t.sess.v["agent"].(obj)["multiagent"], agentID)
	if agent == nil {
		panic(fmt.Sprintf("managedagentstest: StartThread: agent %q is not in the multiagent config of the session's agent", agentID))
	}
	if t.stopped || t.ended || t.errLocked() != nil {
		return nil
	}
	now := t.s.now()
	th := &threadRec{id: t.s.newID("sthr"), parent: t.sess.primary().id, seq: t.s.nextSeq(), agent: agent,
		agentName: agent["name"].(string), status: "idle", created: now, updated: now}
	t.sess.threads = append(t.sess.threads, th)
	t.emitLocked(obj{"type": "session.thread_created", "session_thread_id": th.id, "agent_name": th.agentName,
		"workflow_run_id": nil})
	t.emitLocked(obj{"type": "session.thread_status_running", "session_thread_id": th.id, "agent_name": th.agentName})
	return &Thread{turn: t, rec: th}
}

// rosterAgent finds agentID among the expanded agents of a session's
// multiagent config.
func rosterAgent(m any, agentID string) obj {
	cfg, _ := isObj(m)
	lists := []any{cfg["agents"]}
	for _, k := range []string{"subagents", "workflows"} {
		level, _ := isObj(cfg[k])
		lists = append(lists, level["predefined_agents"])
	}
	for _, l := range lists {
		list, _ := isList(l)
		for _, e := range list {
			if a, ok := isObj(e); ok && a["id"] == agentID && a["name"] != nil {
				return clone(a)
			}
		}
	}
	return nil
}

// ID returns the thread's id (sthr_…).
func (th *Thread) ID() string { return th.rec.id }

// Message emits agent.message with text in the thread.
func (th *Thread) Message(text string) string {
	t := th.turn
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if t.stopped || t.errLocked() != nil || th.rec.status == "terminated" {
		return ""
	}
	return t.s.emitInThread(t.sess, th.rec, obj{"type": "agent.message",
		"content": []any{obj{"type": "text", "text": text}}})["id"].(string)
}

// Idle ends the thread's turn: session.thread_status_idle with stop_reason
// end_turn.
func (th *Thread) Idle() string {
	t := th.turn
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.threadStatusLocked(th.rec, "idle")
}

// Terminate ends the thread for good: session.thread_status_terminated.
func (th *Thread) Terminate() string {
	t := th.turn
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.threadStatusLocked(th.rec, "terminated")
}

// threadStatusLocked emits the session.thread_status_<status> of th; s.mu
// must be held.
func (t *Turn) threadStatusLocked(th *threadRec, status string) string {
	if th.status == status || th.status == "terminated" || t.stopped || t.errLocked() != nil {
		return ""
	}
	return t.s.threadStatus(t.sess, th, status)
}

// threadStatus emits the session.thread_status_<status> event of child
// thread th; s.mu must be held.
func (s *Server) threadStatus(sess *sessionRec, th *threadRec, status string) string {
	ev := obj{"type": "session.thread_status_" + status, "session_thread_id": th.id, "agent_name": th.agentName}
	if status == "idle" {
		ev["stop_reason"] = obj{"type": "end_turn"}
		ev["stop_details"] = nil
	}
	return s.emitLocked(sess, ev)["id"].(string)
}
