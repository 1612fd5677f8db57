package managedagentstest

import "github.com/go-managedagents/managedagents/webhooks"

// The webhook events the fake emits, and when (reference webhooks-telemetry.md
// §1.6). Each state change calls one of the functions below, or
// [Server.emitWebhook] directly, with s.mu held:
//
//   - agents: agent.created, agent.updated (a new version), agent.archived;
//   - environments: environment.created, .updated, .archived, .deleted;
//   - sessions: session.created; session.updated when the session.updated
//     event is emitted (a field changed); session.archived, with
//     session.status_terminated first unless the session had terminated
//     already; session.deleted;
//   - session status, from the session's events (sessionEventWebhooks):
//     running gives session.status_run_started and session.running; idle
//     gives session.status_idled and session.idled, plus
//     session.requires_action when it waits for the client and
//     session.budget_reached (once per budget value) when the budget stopped
//     it; rescheduling gives session.status_rescheduled; terminated gives
//     session.status_terminated; an outcome evaluation's end gives
//     session.outcome_evaluation_ended;
//   - threads: session.thread_created, session.thread_idled,
//     session.thread_terminated (when a thread terminates, or is archived
//     before it did), with data.id the session and session_thread_id the
//     thread.
//   - memory stores: memory_store.created, .archived (once), .deleted.
//   - deployments: deployment.created, .updated, .paused (by hand, or by a
//     scheduled run that failed), .unpaused, .archived (once); their runs:
//     deployment_run.started, then .succeeded or .failed;
//   - vaults: vault.created, .archived (once, then vault_credential.archived
//     for each credential it archives), .deleted (then
//     vault_credential.deleted for each credential); credentials:
//     vault_credential.created, .archived (once), .deleted, with vault_id.
//
// Not emitted: session.pending (no documented trigger; the fake has no pending
// state), agent.deleted and deployment.deleted (the API deletes neither),
// vault_credential.refresh_failed (the fake's refreshes succeed), and the
// events of areas the fake does not serve.

// sessionEventWebhooks emits the webhooks that the session event ev (of type
// typ, just persisted) announces; s.mu must be held.
func (s *Server) sessionEventWebhooks(sess *sessionRec, typ string, ev obj) {
	switch typ {
	case "session.status_running":
		s.emitWebhook(webhooks.TypeSessionStatusRunStarted, sess.id, nil)
		s.emitWebhook(webhooks.TypeSessionRunning, sess.id, nil)
	case "session.status_idle":
		s.emitWebhook(webhooks.TypeSessionStatusIdled, sess.id, nil)
		s.emitWebhook(webhooks.TypeSessionIdled, sess.id, nil)
		switch typeOf(ev["stop_reason"]) {
		case "requires_action":
			s.emitWebhook(webhooks.TypeSessionRequiresAction, sess.id, nil)
		case "budget_reached":
			budget := jsonString(sess.v["budget"])
			if sent, ok := s.webhookHub.budgetSent[sess.id]; !ok || sent != budget {
				if s.webhookHub.budgetSent == nil {
					s.webhookHub.budgetSent = map[string]string{}
				}
				s.webhookHub.budgetSent[sess.id] = budget
				s.emitWebhook(webhooks.TypeSessionBudgetReached, sess.id, nil)
			}
		}
	case "session.status_rescheduled":
		s.emitWebhook(webhooks.TypeSessionStatusRescheduled, sess.id, nil)
	case "session.status_terminated":
		s.emitWebhook(webhooks.TypeSessionStatusTerminated, sess.id, nil)
	case "session.updated":
		s.emitWebhook(webhooks.TypeSessionUpdated, sess.id, nil)
	case "span.outcome_evaluation_end":
		s.emitWebhook(webhooks.TypeSessionOutcomeEvaluationEnded, sess.id, nil)
	case "session.thread_created":
		s.threadWebhook(webhooks.TypeSessionThreadCreated, sess, ev)
	case "session.thread_status_idle":
		s.threadWebhook(webhooks.TypeSessionThreadIdled, sess, ev)
	case "session.thread_status_terminated":
		s.threadWebhook(webhooks.TypeSessionThreadTerminated, sess, ev)
	}
}

// threadWebhook emits typ for the thread the event ev names; s.mu must be
// held.
func (s *Server) threadWebhook(typ string, sess *sessionRec, ev obj) {
	thread, _ := ev["session_thread_id"].(string)
	s.emitWebhook(typ, sess.id, map[string]string{"session_thread_id": thread})
}

// threadArchivedWebhook emits session.thread_terminated for a thread being
// archived, unless its termination announced it already; s.mu must be held.
func (s *Server) threadArchivedWebhook(sess *sessionRec, th *threadRec) {
	if th.status != "terminated" {
		s.emitWebhook(webhooks.TypeSessionThreadTerminated, sess.id, map[string]string{"session_thread_id": th.id})
	}
}

// sessionArchivedWebhooks emits the webhooks of a session being archived:
// session.status_terminated (unless it had terminated already) and
// session.archived; s.mu must be held.
func (s *Server) sessionArchivedWebhooks(sess *sessionRec) {
	if sess.status() != "terminated" {
		s.emitWebhook(webhooks.TypeSessionStatusTerminated, sess.id, nil)
	}
	s.emitWebhook(webhooks.TypeSessionArchived, sess.id, nil)
}

// sessionDeletedWebhook emits session.deleted and forgets the session's
// webhook state; s.mu must be held.
func (s *Server) sessionDeletedWebhook(sess *sessionRec) {
	delete(s.webhookHub.budgetSent, sess.id)
	s.emitWebhook(webhooks.TypeSessionDeleted, sess.id, nil)
}
