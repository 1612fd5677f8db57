package managedagentstest

import (
	"context"
	"encoding/json"
)

// Events returns the persisted events of a session in processed_at order, as
// JSON, or nil for an unknown session: those GET /v1/sessions/{id}/events
// lists, without stream-only previews or the events of child threads.
func (s *Server) Events(sessionID string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[sessionID]
	if !ok {
		return nil
	}
	out := []json.RawMessage{}
	for _, e := range sess.events {
		if e.thread == "" {
			out = append(out, json.RawMessage(e.data))
		}
	}
	return out
}

// Session returns a session as GET /v1/sessions/{id} would, or nil for an
// unknown or deleted session.
func (s *Server) Session(sessionID string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, err := s.session(sessionID)
	if err != nil {
		return nil
	}
	b, _ := json.Marshal(s.sessionJSON(sess))
	return b
}

// SessionStatus returns the status of a session ("idle", "running",
// "rescheduling", "terminated"), or "" for an unknown or deleted session.
func (s *Server) SessionStatus(sessionID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, err := s.session(sessionID)
	if err != nil {
		return ""
	}
	return sess.status()
}

// WaitIdle waits until a session has settled: it is not running, no sent
// user.message waits for its turn, and no answer sent to a turn waiting for
// the client (idle with requires_action, which counts as settled) is still
// unread by it. It returns the stop_reason type of
// the last session.status_idle ("" if none), or [ErrClosed] if the session is
// unknown or deleted, or ctx's error.
func (s *Server) WaitIdle(ctx context.Context, sessionID string) (string, error) {
	for {
		s.mu.Lock()
		sess, ok := s.sessions[sessionID]
		if !ok || sess.deleted || s.ctx.Err() != nil {
			s.mu.Unlock()
			return "", ErrClosed
		}
		st := sess.status()
		if st != "running" && st != "rescheduling" && len(sess.inbox) == 0 && !sess.answerUnread() {
			stop := sess.lastStop
			s.mu.Unlock()
			return stop, nil
		}
		ch := sess.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return "", ctx.Err()
		case <-s.closing:
			return "", ErrClosed
		}
	}
}

// answerUnread reports whether an answer woke a turn's Await that has not
// looked at it yet; s.mu is held.
func (sess *sessionRec) answerUnread() bool {
	for _, w := range sess.pending {
		if w.woken {
			return true
		}
	}
	return false
}
