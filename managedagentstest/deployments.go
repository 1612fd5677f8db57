package managedagentstest

import (
	"net/http"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // schedules' time zones, whatever the machine has

	"github.com/go-managedagents/managedagents/internal/cron"
	"github.com/go-managedagents/managedagents/webhooks"
)

// deploymentRec is a stored deployment.
type deploymentRec struct {
	id      string
	seq     int64
	created time.Time
	v       obj   // the answer, but upcoming_runs_at (computed when answered)
	events  []any // the initial events as sent, for each session
	res     []any // the resources as sent (tokens included), for each session

	sched   *cron.Schedule // nil: runs only when asked
	loc     *time.Location
	checked time.Time // the schedule's instants up to it were fired or skipped
}

func (d *deploymentRec) archived() bool { return d.v["archived_at"] != nil }

// active reports whether the schedule fires.
func (d *deploymentRec) active() bool {
	return d.sched != nil && !d.archived() && d.v["status"] == "active"
}

// runRec is a stored deployment run.
type runRec struct {
	seq     int64
	created time.Time
	v       obj
}

func (s *Server) deployment(id string) (*deploymentRec, error) {
	d, ok := s.deployments[id]
	if !ok {
		return nil, errNotFound("deployment " + id + " not found")
	}
	return d, nil
}

// deploymentJSON returns the answer form of d: its schedule lists the next
// five instants after now (none once archived).
func (s *Server) deploymentJSON(d *deploymentRec) obj {
	sched, _ := isObj(d.v["schedule"])
	if sched == nil {
		return d.v
	}
	upcoming := []any{}
	if !d.archived() {
		t := s.now()
		for range 5 {
			next, ok := d.sched.Next(t, d.loc)
			if !ok {
				break
			}
			upcoming = append(upcoming, ts(next))
			t = next
		}
	}
	sched["upcoming_runs_at"] = upcoming
	return d.v
}

var deploymentFields = []string{"name", "description", "agent", "environment_id", "initial_events", "resources",
	"vault_ids", "schedule", "budget", "metadata"}

func (s *Server) createDeployment(r *http.Request, body obj) (any, error) {
	if err := onlyKeys(body, "body", deploymentFields...); err != nil {
		return nil, err
	}
	for _, k := range []string{"name", "agent", "environment_id", "initial_events"} {
		if body[k] == nil {
			return nil, errBadRequest("%s: field required", k)
		}
	}
	now := s.now()
	d := &deploymentRec{seq: s.nextSeq(), created: now, checked: now}
	d.v = obj{"type": "deployment", "description": "", "resources": []any{}, "vault_ids": []any{}, "metadata": obj{},
		"schedule": nil, "status": "active", "paused_reason": nil, "budget": nil,
		"created_at": ts(now), "updated_at": ts(now), "archived_at": nil}
	if err := s.applyDeploymentFields(d, body); err != nil {
		return nil, err
	}
	d.id = s.newID("depl")
	d.v["id"] = d.id
	s.deployments[d.id] = d
	s.emitWebhook(webhooks.TypeDeploymentCreated, d.id, nil)
	return s.deploymentJSON(d), nil
}

// applyDeploymentFields checks the fields of a create or an update and sets
// them on d (reference §2.6). On error d is unchanged.
func (s *Server) applyDeploymentFields(d *deploymentRec, body obj) error {
	next := clone(d.v)
	events, res, sched, loc := d.events, d.res, d.sched, d.loc
	for _, k := range []string{"name", "agent", "environment_id", "initial_events"} {
		if v, ok := body[k]; ok && v == nil {
			return errBadRequest("%s: cannot be null", k)
		}
	}
	if v, ok := body["name"]; ok {
		name, _ := v.(string)
		if name == "" {
			return errBadRequest("name: must be a non-empty string")
		}
		next["name"] = name
	}
	if v, ok := body["description"]; ok {
		desc, isStr := v.(string)
		if v != nil && !isStr {
			return errBadRequest("description: must be a string or null")
		}
		next["description"] = desc
	}
	if v, ok := body["agent"]; ok {
		ref, err := s.deploymentAgent(v)
		if err != nil {
			return err
		}
		next["agent"] = ref
	}
	if v, ok := body["environment_id"]; ok {
		id, _ := v.(string)
		env, err := s.env(id)
		if err != nil {
			return err
		}
		if env.archived() {
			return errBadRequest("environment %s is archived", id)
		}
		next["environment_id"] = id
	}
	if v, ok := body["initial_events"]; ok {
		answer, sent, err := s.deploymentEvents(v)
		if err != nil {
			return err
		}
		next["initial_events"], events = answer, sent
	}
	if v, ok := body["resources"]; ok {
		answer, sent, err := s.deploymentResources(v)
		if err != nil {
			return err
		}
		next["resources"], res = answer, sent
	}
	if v, ok := body["vault_ids"]; ok {
		ids := []any{}
		if v != nil {
			list, err := stringList(v, "vault_ids")
			if err != nil {
				return err
			}
			if len(list) > 50 {
				return errBadRequest("vault_ids: at most 50")
			}
			if err := s.checkVaults(list); err != nil {
				return err
			}
			ids = list
		}
		next["vault_ids"] = ids
	}
	if v, ok := body["schedule"]; ok {
		next["schedule"], sched, loc = nil, nil, nil
		if v != nil {
			answer, c, l, err := parseSchedule(v)
			if err != nil {
				return err
			}
			if old, _ := isObj(d.v["schedule"]); old != nil {
				answer["last_run_at"] = old["last_run_at"] // kept across changes
			}
			next["schedule"], sched, loc = answer, c, l
		}
	}
	if v, ok := body["budget"]; ok {
		next["budget"] = nil
		if v != nil {
			b, err := normBudget(v)
			if err != nil {
				return err
			}
			next["budget"] = b
		}
	}
	if v, ok := body["metadata"]; ok {
		md, err := patchMetadata(next["metadata"].(obj), v, false)
		if err != nil {
			return err
		}
		next["metadata"] = md
	}
	d.v, d.events, d.res, d.sched, d.loc = next, events, res, sched, loc
	return nil
}

// deploymentAgent resolves a deployment's agent: a bare id pins the latest
// version now, {"type":"agent","id","version"} the version given (latest
// when omitted).
func (s *Server) deploymentAgent(v any) (obj, error) {
	var id string
	var version int64
	switch a := v.(type) {
	case string:
		id = a
	case map[string]any:
		if err := onlyKeys(a, "agent", "type", "id", "version"); err != nil {
			return nil, err
		}
		if t, ok := a["type"]; ok && t != "agent" {
			return nil, errBadRequest("agent.type: must be agent")
		}
		id, _ = a["id"].(string)
		if n, ok := a["version"]; ok && n != nil {
			var isInt bool
			if version, isInt = intValue(n); !isInt || version < 1 {
				return nil, errBadRequest("agent.version: must be an integer >= 1")
			}
		}
	default:
		return nil, errBadRequest("agent: must be an agent id or {\"type\":\"agent\",\"id\",\"version\"}")
	}
	rec, err := s.agent(id)
	if err != nil {
		return nil, err
	}
	if rec.archived() {
		return nil, errBadRequest("agent %s is archived", id)
	}
	if version > int64(len(rec.versions)) {
		return nil, errNotFound("agent " + id + " has no such version")
	}
	if version == 0 {
		version = int64(len(rec.versions))
	}
	return obj{"type": "agent", "id": id, "version": version}, nil
}

// deploymentEvents checks initial events: 1 to 50 user.message,
// user.define_outcome and system.message (last, right after a user.message).
// It returns their answer form and the events as sent.
func (s *Server) deploymentEvents(v any) ([]any, []any, error) {
	list, ok := isList(v)
	if !ok || len(list) == 0 || len(list) > 50 {
		return nil, nil, errBadRequest("initial_events: must be an array of 1 to 50 events")
	}
	outcomes := s.counters["outc"]
	defer func() { s.counters["outc"] = outcomes }() // answers carry no outcome id
	answer := []any{}
	for i, e := range list {
		where := "initial_events[" + itoa(i) + "]"
		typ := typeOf(e)
		if typ != "user.message" && typ != "user.define_outcome" && typ != "system.message" {
			return nil, nil, errBadRequest("%s.type: must be user.message, user.define_outcome or system.message", where)
		}
		if typ == "system.message" && (i != len(list)-1 || i == 0 || typeOf(list[i-1]) != "user.message") {
			return nil, nil, errBadRequest("%s: a system.message must be the last event, right after a user.message", where)
		}
		ev, err := s.checkSendable(&sessionRec{}, e, where)
		if err != nil {
			return nil, nil, err
		}
		delete(ev, "outcome_id")
		answer = append(answer, ev)
	}
	return answer, clone(list), nil
}

// deploymentResources checks resources (at most 500) as a session create
// would, and returns their configuration as answered (no token, no id, no
// timestamps; optional fields null when not given) and the resources as sent.
func (s *Server) deploymentResources(v any) ([]any, []any, error) {
	if v == nil {
		return []any{}, nil, nil
	}
	list, ok := isList(v)
	if !ok || len(list) > 500 {
		return nil, nil, errBadRequest("resources: must be an array of at most 500 resources")
	}
	ids := s.counters["sesrsc"]
	defer func() { s.counters["sesrsc"] = ids }() // only checked here
	answer := []any{}
	for i, r := range list {
		if _, err := s.newResource(r, "resources["+itoa(i)+"]", false); err != nil {
			return nil, nil, err
		}
		m := r.(obj)
		cfg := obj{"type": m["type"]}
		var keys []string
		switch m["type"] {
		case "github_repository":
			keys = []string{"url", "mount_path", "checkout"}
		case "file":
			keys = []string{"file_id", "mount_path"}
		case "memory_store":
			keys = []string{"memory_store_id", "access", "instructions"}
		}
		for _, k := range keys {
			cfg[k] = m[k]
		}
		if c, ok := m["checkout"]; ok {
			cfg["checkout"], _ = normCheckout(c, "")
		}
		answer = append(answer, cfg)
	}
	return answer, clone(list), nil
}

// parseSchedule checks a schedule, {"type"?:"cron","expression","timezone"},
// and returns its answer form.
func parseSchedule(v any) (obj, *cron.Schedule, *time.Location, error) {
	m, ok := isObj(v)
	if !ok {
		return nil, nil, nil, errBadRequest("schedule: must be an object")
	}
	if err := onlyKeys(m, "schedule", "type", "expression", "timezone"); err != nil {
		return nil, nil, nil, err
	}
	if t, ok := m["type"]; ok && t != "cron" {
		return nil, nil, nil, errBadRequest("schedule.type: must be cron")
	}
	expr, _ := m["expression"].(string)
	c, err := cron.Parse(expr)
	if err != nil {
		return nil, nil, nil, errBadRequest("schedule.expression: %v", err)
	}
	tz, _ := m["timezone"].(string)
	loc, err := time.LoadLocation(tz)
	if tz == "" || strings.EqualFold(tz, "local") || err != nil {
		return nil, nil, nil, errBadRequest("schedule.timezone: %q is not an IANA time zone", tz)
	}
	return obj{"type": "cron", "expression": expr, "timezone": tz, "last_run_at": nil, "upcoming_runs_at": []any{}}, c, loc, nil
}

func (s *Server) getDeployment(r *http.Request, _ obj) (any, error) {
	d, err := s.deployment(r.PathValue("deployment_id"))
	if err != nil {
		return nil, err
	}
	return s.deploymentJSON(d), nil
}

func (s *Server) updateDeployment(r *http.Request, body obj) (any, error) {
	d, err := s.deployment(r.PathValue("deployment_id"))
	if err != nil {
		return nil, err
	}
	if err := onlyKeys(body, "body", deploymentFields...); err != nil {
		return nil, err
	}
	if d.archived() {
		return nil, errBadRequest("deployment %s is archived", d.id)
	}
	if err := s.applyDeploymentFields(d, body); err != nil {
		return nil, err
	}
	now := s.now()
	if _, ok := body["schedule"]; ok {
		d.checked = now // a new schedule fires from now on
	}
	d.v["updated_at"] = ts(now)
	s.emitWebhook(webhooks.TypeDeploymentUpdated, d.id, nil)
	return s.deploymentJSON(d), nil
}

func (s *Server) listDeployments(r *http.Request, _ obj) (any, error) {
	limit, order, c, err := listParams(r, "deployments", 20, 100, "desc", false)
	if err != nil {
		return nil, err
	}
	b, err := boundsParam(r)
	if err != nil {
		return nil, err
	}
	archived, err := boolParam(r, "include_archived")
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	status := q.Get("status")
	switch {
	case status != "" && status != "active" && status != "paused":
		return nil, errBadRequest("status: must be active or paused")
	case status != "" && archived:
		return nil, errBadRequest("status: cannot be combined with include_archived")
	}
	var items []listItem
	for _, d := range s.deployments {
		switch {
		case !archived && d.archived(), !b.contains(d.created),
			status != "" && d.v["status"] != status,
			q.Get("agent_id") != "" && d.v["agent"].(obj)["id"] != q.Get("agent_id"):
			continue
		}
		items = append(items, listItem{t: d.created, seq: d.seq, v: s.deploymentJSON(d)})
	}
	return paginate(items, "deployments", order, limit, c).json(false), nil
}

func (s *Server) archiveDeployment(r *http.Request, _ obj) (any, error) {
	d, err := s.deployment(r.PathValue("deployment_id"))
	if err != nil {
		return nil, err
	}
	if !d.archived() {
		now := ts(s.now())
		// Archived deployments report active, with archived_at set (§2.7).
		d.v["archived_at"], d.v["updated_at"], d.v["status"], d.v["paused_reason"] = now, now, "active", nil
		s.emitWebhook(webhooks.TypeDeploymentArchived, d.id, nil)
	}
	return s.deploymentJSON(d), nil
}

func (s *Server) pauseDeployment(r *http.Request, _ obj) (any, error) {
	d, err := s.deployment(r.PathValue("deployment_id"))
	if err != nil {
		return nil, err
	}
	if d.archived() {
		return nil, errBadRequest("deployment %s is archived", d.id)
	}
	if d.v["status"] != "paused" {
		s.pause(d, obj{"type": "manual"})
	}
	return s.deploymentJSON(d), nil
}

func (s *Server) unpauseDeployment(r *http.Request, _ obj) (any, error) {
	d, err := s.deployment(r.PathValue("deployment_id"))
	if err != nil {
		return nil, err
	}
	if d.archived() {
		return nil, errBadRequest("deployment %s is archived", d.id)
	}
	if d.v["status"] == "paused" {
		now := s.now()
		d.v["status"], d.v["paused_reason"], d.v["updated_at"] = "active", nil, ts(now)
		d.checked = now // the instants missed while paused are not run
		s.emitWebhook(webhooks.TypeDeploymentUnpaused, d.id, nil)
	}
	return s.deploymentJSON(d), nil
}

func (s *Server) runDeployment(r *http.Request, _ obj) (any, error) {
	d, err := s.deployment(r.PathValue("deployment_id"))
	if err != nil {
		return nil, err
	}
	if d.archived() {
		return nil, errBadRequest("deployment %s is archived and cannot run", d.id)
	}
	return s.fire(d, obj{"type": "manual"}).v, nil
}

// fire runs d now: it creates a session as d says, or records why it could
// not, and appends the run.
func (s *Server) fire(d *deploymentRec, trigger obj) *runRec {
	now := s.now()
	run := &runRec{seq: s.nextSeq(), created: now, v: obj{"id": s.newID("drun"), "type": "deployment_run",
		"deployment_id": d.id, "agent": clone(d.v["agent"]), "trigger_context": trigger,
		"session_id": nil, "error": nil, "created_at": ts(now)}}
	if id, code, msg := s.deploymentSession(d); code != "" {
		run.v["error"] = obj{"type": code, "message": msg}
	} else {
		run.v["session_id"] = id
	}
	id := run.v["id"].(string)
	s.runs[id] = run
	s.emitWebhook(webhooks.TypeDeploymentRunStarted, id, nil)
	if run.v["error"] != nil {
		s.emitWebhook(webhooks.TypeDeploymentRunFailed, id, nil)
	} else {
		s.emitWebhook(webhooks.TypeDeploymentRunSucceeded, id, nil)
	}
	return run
}

// pause pauses d for reason; s.mu must be held.
func (s *Server) pause(d *deploymentRec, reason obj) {
	d.v["status"], d.v["paused_reason"], d.v["updated_at"] = "paused", reason, ts(s.now())
	s.emitWebhook(webhooks.TypeDeploymentPaused, d.id, nil)
}

// deploymentSession creates the session of one fire of d and returns its id,
// or the error type and message of a run that could not create it (§2.7,
// §2.8).
func (s *Server) deploymentSession(d *deploymentRec) (id, code, msg string) {
	ref := d.v["agent"].(obj)
	agentID := ref["id"].(string)
	if a, err := s.agent(agentID); err != nil || a.archived() {
		return "", "agent_archived_error", "Agent " + agentID + " is archived."
	}
	envID := d.v["environment_id"].(string)
	env, ok := s.envs[envID]
	switch {
	case !ok:
		return "", "environment_not_found_error", "Environment " + envID + " was not found."
	case env.archived():
		return "", "environment_archived_error", "Environment " + envID + " is archived."
	}
	for _, v := range d.v["vault_ids"].([]any) {
		vault, ok := s.vaults[v.(string)]
		switch {
		case !ok:
			return "", "vault_not_found_error", "Vault " + v.(string) + " was not found."
		case vault.archived():
			return "", "vault_archived_error", "Vault " + v.(string) + " is archived."
		}
	}
	for _, r := range d.res {
		if typeOf(r) != "memory_store" {
			continue
		}
		id, _ := r.(obj)["memory_store_id"].(string)
		store, ok := s.memStores[id]
		switch {
		case !ok:
			return "", "session_resource_not_found_error", "Memory store " + id + " was not found."
		case store.archived():
			return "", "memory_store_archived_error", "Memory store " + id + " is archived."
		}
	}
	if typeOf(env.v["config"]) == "self_hosted" {
		for _, r := range d.res {
			if typeOf(r) != "memory_store" {
				return "", "self_hosted_resources_unsupported_error",
					"Environment " + envID + " is self-hosted and accepts only memory_store resources."
			}
		}
	}
	body := obj{"agent": clone(ref), "environment_id": envID, "vault_ids": clone(d.v["vault_ids"]),
		"resources": clone(d.res), "initial_events": clone(d.events)}
	if b := d.v["budget"]; b != nil {
		body["budget"] = clone(b)
	}
	sess, err := s.openSession(body, d.id)
	if err != nil {
		msg := err.Error()
		if e, ok := err.(*apiError); ok {
			msg = e.msg
		}
		return "", "session_creation_rejected_error", msg
	}
	return sess.id, "", ""
}

// pausingError reports whether a scheduled fire that fails with the run error
// code pauses its deployment (§2.7): all but the rate limit and a rejected
// session do.
func pausingError(code string) bool {
	return code != "session_rate_limited_error" && code != "session_creation_rejected_error"
}

// fireDue fires every instant of every active schedule that the server's
// clock has passed, in the order of the instants, each with the clock set to
// its instant (so the run, the session and its first events carry it). A
// scheduled run that fails with a pausing error pauses its deployment, whose
// later instants are then skipped. s.mu must be held.
func (s *Server) fireDue() {
	now := s.now()
	type due struct {
		at time.Time
		d  *deploymentRec
	}
	var all []due
	for _, d := range s.deployments {
		if !d.active() {
			continue
		}
		for t, ok := d.sched.Next(d.checked, d.loc); ok && !t.After(now); t, ok = d.sched.Next(t, d.loc) {
			all = append(all, due{t, d})
		}
		d.checked = now
	}
	slices.SortFunc(all, func(a, b due) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return int(a.d.seq - b.d.seq)
	})
	fixed, fixedNow := s.fixed, s.fixedNow
	defer func() { s.fixed, s.fixedNow = fixed, fixedNow }()
	for _, f := range all {
		if !f.d.active() {
			continue // paused by an earlier failure
		}
		s.fixed, s.fixedNow = true, f.at
		run := s.fire(f.d, obj{"type": "schedule", "scheduled_at": ts(f.at)})
		f.d.v["schedule"].(obj)["last_run_at"] = ts(f.at)
		if e, _ := isObj(run.v["error"]); e != nil && pausingError(e["type"].(string)) {
			s.pause(f.d, obj{"type": "error", "error": obj{"type": e["type"]}})
		}
	}
}

func (s *Server) getDeploymentRun(r *http.Request, _ obj) (any, error) {
	id := r.PathValue("deployment_run_id")
	run, ok := s.runs[id]
	if !ok {
		return nil, errNotFound("deployment run " + id + " not found")
	}
	return run.v, nil
}

func (s *Server) listDeploymentRuns(r *http.Request, _ obj) (any, error) {
	limit, order, c, err := listParams(r, "deployment_runs", 20, 1000, "desc", false)
	if err != nil {
		return nil, err
	}
	b, err := boundsParam(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	trigger := q.Get("trigger_type")
	if trigger != "" && trigger != "schedule" && trigger != "manual" {
		return nil, errBadRequest("trigger_type: must be schedule or manual")
	}
	hasError := q.Get("has_error")
	if hasError != "" && hasError != "true" && hasError != "false" {
		return nil, errBadRequest("has_error: must be true or false")
	}
	var items []listItem
	for _, run := range s.runs {
		switch {
		case !b.contains(run.created),
			q.Get("deployment_id") != "" && run.v["deployment_id"] != q.Get("deployment_id"),
			trigger != "" && typeOf(run.v["trigger_context"]) != trigger,
			hasError == "true" && run.v["error"] == nil,
			hasError == "false" && run.v["error"] != nil:
			continue
		}
		items = append(items, listItem{t: run.created, seq: run.seq, v: run.v})
	}
	return paginate(items, "deployment_runs", order, limit, c).json(false), nil
}
