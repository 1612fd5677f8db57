package managedagentstest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// eventRec is a persisted event.
type eventRec struct {
	id     string
	typ    string
	at     time.Time
	seq    int64
	data   []byte
	thread string // the child thread it belongs to, "" for the session's (and primary thread's)
}

// persistedTypes are the event types that are stored and listable (types[]).
var persistedTypes = map[string]bool{}

func init() {
	for _, t := range []string{
		"user.message", "user.interrupt", "user.tool_confirmation", "user.custom_tool_result", "user.tool_result",
		"user.define_outcome", "system.message", "agent.message", "agent.thinking", "agent.tool_use",
		"agent.tool_result", "agent.mcp_tool_use", "agent.mcp_tool_result", "agent.custom_tool_use",
		"agent.thread_context_compacted", "agent.thread_message_sent", "agent.thread_message_received",
		"session.status_running", "session.status_idle", "session.status_rescheduled", "session.status_terminated",
		"session.error", "session.updated", "session.usage", "session.thread_created",
		"session.thread_status_running", "session.thread_status_idle", "session.thread_status_rescheduled",
		"session.thread_status_terminated", "span.model_request_start", "span.model_request_end",
		"span.outcome_evaluation_start", "span.outcome_evaluation_ongoing", "span.outcome_evaluation_end",
		"workflow_run.created", "workflow_run.status_running", "workflow_run.status_idle", "workflow_run.status_ended",
		"workflow_run.error", "workflow_run.phase_started", "workflow_run.phase_ended",
	} {
		persistedTypes[t] = true
	}
}

// emitLocked persists ev in sess (setting id, unless set, and processed_at),
// applies its effect on the status of the session and its threads and sends it
// to the open streams. s.mu must be held. It returns ev.
func (s *Server) emitLocked(sess *sessionRec, ev obj) obj {
	return s.emitInThread(sess, nil, ev)
}

// emitInThread is emitLocked for an event of child thread th (nil for the
// session's own events): it goes to th's event list and streams only.
func (s *Server) emitInThread(sess *sessionRec, th *threadRec, ev obj) obj {
	if id, _ := ev["id"].(string); id == "" {
		ev["id"] = s.newID("sevt")
	}
	at := s.now().Truncate(time.Millisecond)
	if !at.After(sess.lastTS) {
		at = sess.lastTS.Add(time.Millisecond)
	}
	sess.lastTS = at
	ev["processed_at"] = ts(at)
	typ, _ := ev["type"].(string)
	data, err := json.Marshal(ev)
	if err != nil {
		panic("managedagentstest: event is not JSON: " + err.Error())
	}
	key := threadKey(th)
	sess.events = append(sess.events, &eventRec{id: ev["id"].(string), typ: typ, at: at, seq: s.nextSeq(), data: data, thread: key})
	switch typ {
	case "agent.tool_use", "agent.mcp_tool_use", "agent.custom_tool_use":
		sess.toolUses[ev["id"].(string)] = typ
	}
	status := ""
	switch typ {
	case "session.status_running":
		status = "running"
	case "session.status_idle":
		status = "idle"
		sess.lastStop = typeOf(ev["stop_reason"])
	case "session.status_rescheduled":
		status = "rescheduling"
	case "session.status_terminated":
		status = "terminated"
	}
	if status != "" {
		if sess.status() == "running" && status != "running" {
			sess.active += at.Sub(sess.running)
		} else if sess.status() != "running" && status == "running" {
			sess.running = at
		}
		sess.budgetPaused = status == "idle" && sess.lastStop == "budget_reached"
		sess.v["status"] = status
		sess.v["updated_at"] = ts(at)
		sess.primary().setStatus(status, at)
	}
	if child, ok := strings.CutPrefix(typ, "session.thread_status_"); ok {
		if child == "rescheduled" {
			child = "rescheduling"
		}
		for _, t := range sess.threads {
			if t.id == ev["session_thread_id"] && t.parent != "" {
				t.setStatus(child, at)
			}
		}
	}
	s.sessionEventWebhooks(sess, typ, ev)
	end := typ == "session.status_terminated"
	s.broadcast(sess, frame{name: typ, data: data, event: true, thread: key, all: end, last: end})
	sess.signal()
	return ev
}

// preview sends a stream-only event_start/event_delta for an event of type of,
// to the streams that asked for deltas of that type; s.mu must be held.
func (s *Server) preview(sess *sessionRec, of string, ev obj) {
	data, _ := json.Marshal(ev)
	s.broadcast(sess, frame{name: ev["type"].(string), data: data, previewOf: of})
}

// sendableFields lists the fields a client may set, by event type.
var sendableFields = map[string][]string{
	"user.message":            {"content"},
	"user.interrupt":          {"session_thread_id"},
	"user.tool_confirmation":  {"tool_use_id", "result", "deny_message", "session_thread_id"},
	"user.custom_tool_result": {"custom_tool_use_id", "content", "is_error", "session_thread_id"},
	"user.tool_result":        {"tool_use_id", "content", "is_error", "session_thread_id"},
	"user.define_outcome":     {"description", "rubric", "max_iterations"},
	"system.message":          {"content"},
}

// settleEvents are the events a session paused at its budget accepts.
var settleEvents = map[string]bool{"user.tool_confirmation": true, "user.tool_result": true,
	"user.custom_tool_result": true, "user.interrupt": true}

// checkSendable validates one event a client sends and returns it as it will
// be persisted (without id and processed_at).
func (s *Server) checkSendable(sess *sessionRec, v any, where string) (obj, error) {
	m, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("%s: must be an object", where)
	}
	typ := typeOf(m)
	fields, ok := sendableFields[typ]
	if !ok {
		return nil, errBadRequest("%s.type: %q cannot be sent", where, typ)
	}
	if err := onlyKeys(m, where, append([]string{"type"}, fields...)...); err != nil {
		return nil, err
	}
	// The event is answered in the response form of its type: content blocks
	// resolved, optional fields only when given, server fields added.
	out := obj{"type": typ}
	for _, k := range []string{"tool_use_id", "custom_tool_use_id", "result", "description"} {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	for _, k := range []string{"is_error", "session_thread_id", "deny_message"} {
		v, ok := m[k]
		if !ok || v == nil {
			continue
		}
		_, isBool := v.(bool)
		_, isStr := v.(string)
		if (k == "is_error" && !isBool) || (k != "is_error" && !isStr) {
			return nil, errBadRequest("%s.%s: wrong type", where, k)
		}
		out[k] = v
	}
	if th, ok := out["session_thread_id"]; ok && !hasThread(sess, th) {
		return nil, errBadRequest("%s.session_thread_id: %v is not a thread of this session", where, th)
	}
	var err error
	switch typ {
	case "user.message":
		out["content"], err = normBlocks(m["content"], where+".content", true, messageBlocks)
	case "system.message":
		out["content"], err = normBlocks(m["content"], where+".content", true, systemBlocks)
	case "user.tool_confirmation":
		id, _ := m["tool_use_id"].(string)
		if t := sess.toolUses[id]; t != "agent.tool_use" && t != "agent.mcp_tool_use" {
			return nil, errBadRequest("%s.tool_use_id: %q is not a tool use of this session", where, id)
		}
		switch m["result"] {
		case "allow":
			if d, ok := m["deny_message"]; ok && d != nil {
				return nil, errBadRequest("%s.deny_message: only allowed with result deny", where)
			}
		case "deny":
		default:
			return nil, errBadRequest("%s.result: must be allow or deny", where)
		}
	case "user.custom_tool_result", "user.tool_result":
		idKey, want := "custom_tool_use_id", "agent.custom_tool_use"
		if typ == "user.tool_result" {
			if typeOf(sess.env["config"]) != "self_hosted" {
				return nil, errBadRequest("%s: user.tool_result is only accepted by sessions in self_hosted environments", where)
			}
			idKey, want = "tool_use_id", "agent.tool_use"
		}
		if id, _ := m[idKey].(string); sess.toolUses[id] != want {
			return nil, errBadRequest("%s.%s: %q is not a %s of this session", where, idKey, id, want)
		}
		if c, ok := m["content"]; ok && c != nil {
			out["content"], err = normBlocks(c, where+".content", false, resultBlocks)
		}
	case "user.define_outcome":
		if d, _ := m["description"].(string); d == "" {
			return nil, errBadRequest("%s.description: field required", where)
		}
		rb, _ := isObj(m["rubric"])
		key := map[string]string{"text": "content", "file": "file_id"}[typeOf(rb)]
		val, _ := rb[key].(string)
		if key == "" || onlyKeys(rb, where+".rubric", "type", key) != nil || val == "" || len(val) > 262144 {
			return nil, errBadRequest("%s.rubric: must be {type:text,content} (at most 262144 characters) or {type:file,file_id}", where)
		}
		out["rubric"] = obj{"type": typeOf(rb), key: val}
		out["max_iterations"] = int64(3)
		if v, ok := m["max_iterations"]; ok && v != nil {
			n, ok := intValue(v)
			if !ok || n < 1 || n > 20 {
				return nil, errBadRequest("%s.max_iterations: must be an integer from 1 to 20", where)
			}
			out["max_iterations"] = n
		}
		out["outcome_id"] = s.newID("outc")
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// acceptEvent persists a client event and acts on it; s.mu must be held.
func (s *Server) acceptEvent(sess *sessionRec, ev obj) obj {
	typ := ev["type"].(string)
	if wakesWork[typ] {
		s.enqueueSession(sess) // new input for a self-hosted session without a worker (work.go)
	}
	if typ == "user.interrupt" {
		// Flush the queue; queued messages not yet persisted are kept in history.
		for _, q := range sess.inbox {
			if q["processed_at"] == nil {
				s.emitLocked(sess, q)
			}
		}
		sess.inbox = nil
		if sess.turn != nil {
			sess.turn.stop()
		}
	}
	if typ == "user.message" && s.queuedEcho && sess.runner {
		// Queued behind a turn: echo now with processed_at null, persist when its
		// turn starts (the stream then shows the same id again, processed).
		ev["id"] = s.newID("sevt")
		ev["processed_at"] = nil
		data, _ := json.Marshal(ev)
		s.broadcast(sess, frame{name: typ, data: data, event: true})
		sess.inbox = append(sess.inbox, clone(ev))
		return ev
	}
	s.emitLocked(sess, ev)
	switch typ {
	case "user.message":
		sess.inbox = append(sess.inbox, ev)
		s.startRunner(sess)
	case "user.tool_confirmation", "user.custom_tool_result", "user.tool_result":
		id, _ := ev["tool_use_id"].(string)
		if typ == "user.custom_tool_result" {
			id, _ = ev["custom_tool_use_id"].(string)
		}
		data, _ := json.Marshal(ev)
		a := Answer{ToolUseID: id, Type: typ, Event: data}
		a.Allowed = ev["result"] == "allow"
		a.DenyMessage, _ = ev["deny_message"].(string)
		a.IsError, _ = ev["is_error"].(bool)
		if c, ok := ev["content"]; ok && c != nil {
			a.Content, _ = json.Marshal(c)
		}
		sess.answers[id] = a
		if w := sess.pending[id]; w != nil {
			w.woken = true
			select {
			case w.ch <- struct{}{}:
			default:
			}
		}
	case "user.define_outcome":
		evals, _ := isList(sess.v["outcome_evaluations"])
		sess.v["outcome_evaluations"] = append(evals, obj{
			"type": "outcome_evaluation", "outcome_id": ev["outcome_id"], "description": ev["description"],
			"result": "pending", "iteration": int64(0), "explanation": "", "completed_at": nil,
		})
	}
	return ev
}

func (s *Server) sendEvents(r *http.Request, body obj) (any, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, errBadRequest("a request body is required")
	}
	for k := range body {
		if k != "events" {
			return nil, errBadRequest("%s: unknown field", k)
		}
	}
	list, ok := isList(body["events"])
	if !ok || len(list) == 0 {
		return nil, errBadRequest("events: must be a non-empty array")
	}
	if sess.v["archived_at"] != nil {
		return nil, errBadRequest("session %s is archived", sess.id)
	}
	if sess.status() == "terminated" {
		return nil, errBadRequest("session %s is terminated", sess.id)
	}
	var evs []obj
	for i, v := range list {
		ev, err := s.checkSendable(sess, v, "events["+itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		typ := ev["type"].(string)
		if typ == "system.message" {
			if i != len(list)-1 {
				return nil, errBadRequest("events[%d]: a system.message must be the last event of the request", i)
			}
			if prev := typeOf(list[max(i-1, 0)]); i == 0 || (prev != "user.message" && prev != "user.tool_result" && prev != "user.custom_tool_result") {
				return nil, errBadRequest("events[%d]: a system.message must directly follow the user.message, user.tool_result or user.custom_tool_result it accompanies", i)
			}
		}
		if sess.budgetPaused && !settleEvents[typ] {
			return nil, errBadRequest("events[%d]: session %s is paused at its budget (budget_reached): only tool confirmations, tool results and interrupts are accepted until the budget is raised or removed", i, sess.id)
		}
		evs = append(evs, ev)
	}
	data := []any{}
	for _, ev := range evs {
		if sess.budgetPaused && ev["type"] == "user.interrupt" {
			// Accepted, ignored and never persisted.
			ev["id"], ev["processed_at"] = s.newID("sevt"), nil
			data = append(data, ev)
			continue
		}
		data = append(data, s.acceptEvent(sess, ev))
	}
	return obj{"data": data}, nil
}

func (s *Server) listEvents(r *http.Request, _ obj) (any, error) {
	sess, err := s.session(r.PathValue("session_id"))
	if err != nil {
		return nil, err
	}
	if r.URL.Query().Has("after_id") {
		return nil, errBadRequest("after_id: unexpected query parameter")
	}
	lq, err := listParams(r, "events:"+sess.id, 1000, 1000, "asc", true)
	if err != nil {
		return nil, err
	}
	types := map[string]bool{}
	for _, t := range r.URL.Query()["types[]"] {
		if !persistedTypes[t] {
			return nil, errBadRequest("types[]: unknown event type %q", t)
		}
		types[t] = true
	}
	var items []listItem
	for _, e := range sess.events {
		if e.thread != "" || (len(types) > 0 && !types[e.typ]) || !lq.created.contains(e.at) {
			continue
		}
		items = append(items, listItem{t: e.at, seq: e.seq, v: json.RawMessage(e.data)})
	}
	return lq.page(items).json(false), nil
}

// hasThread reports whether id names a thread of sess.
func hasThread(sess *sessionRec, id any) bool {
	for _, th := range sess.threads {
		if th.id == id {
			return true
		}
	}
	return false
}
