package managedagents

// ends reports whether ev ends the stream for good: a terminal event of the
// session ([IsTerminal]) or, on a thread's stream, the termination of that
// thread.
func (s *EventStream) ends(ev Event) bool {
	if IsTerminal(ev) {
		return true
	}
	t, ok := ev.(*SessionThreadStatusTerminatedEvent)
	return ok && s.target.thread != "" && t.SessionThreadID == s.target.thread
}
