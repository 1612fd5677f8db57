package managedagentstest

import (
	"bytes"
	"net/http"
	"strings"
	"time"
)

// frame is one SSE message for a stream.
type frame struct {
	name      string
	data      []byte
	event     bool   // a persisted event (not a preview)
	previewOf string // for event_start/event_delta: the previewed event type
	thread    string // the child thread it belongs to, "" for the session's
	all       bool   // for every stream of the session, whatever its thread
	last      bool   // the stream ends after this frame
}

// subscriber is one open stream connection.
type subscriber struct {
	thread string // the child thread streamed, "" for the session or primary thread
	deltas map[string]bool
	queue  []frame // guarded by Server.mu
	notify chan struct{}
	cut    chan struct{}
	cutted bool
}

// broadcast queues f on every stream of sess that wants it; s.mu must be held.
func (s *Server) broadcast(sess *sessionRec, f frame) {
	for sub := range sess.subs {
		if (f.previewOf != "" && !sub.deltas[f.previewOf]) || (!f.all && f.thread != sub.thread) {
			continue
		}
		sub.queue = append(sub.queue, f)
		select {
		case sub.notify <- struct{}{}:
		default:
		}
	}
}

// FaultKind is a kind of [StreamFault].
type FaultKind int

const (
	// FaultCut ends the response body cleanly (EOF without a terminal event).
	FaultCut FaultKind = iota + 1
	// FaultCutMidFrame writes the first half of a frame, then aborts the
	// connection.
	FaultCutMidFrame
	// FaultStall holds every frame back for StreamFault.Stall (real time),
	// sending heartbeats meanwhile only if StreamFault.Heartbeats (at the
	// [WithHeartbeat] interval, so none when heartbeats are off or the stall is
	// shorter than the interval); the held frames follow when the stall ends.
	FaultStall
	// FaultMalformed writes a frame whose data is not JSON, then goes on.
	FaultMalformed
	// FaultOversized pads the data of the next event frame with a "padding" field
	// to StreamFault.Size bytes. The event in the list keeps its normal size.
	FaultOversized
	// FaultDuplicate sends the next event frame twice.
	FaultDuplicate
	// FaultReplay starts the connection by re-sending the last StreamFault.Count
	// events of the session, as a server that broke the no-replay rule would.
	FaultReplay
	// FaultErrorFrame writes an "event: error" frame with the error envelope of
	// type StreamFault.ErrorType (default overloaded_error), then ends the body.
	FaultErrorFrame
)

// StreamFault is a misbehaviour of one stream connection. Queue it with
// [Server.AddStreamFault]; it applies to the next stream connection opened (one
// fault per connection, first queued first used), or, with SessionID, to the
// next one opened on that session.
type StreamFault struct {
	// Kind is what goes wrong.
	Kind FaultKind
	// SessionID, if set, aims the fault at the next connection to that session
	// (its event stream or a thread stream); connections to other sessions
	// leave it queued. Empty means the next connection, whatever its session.
	SessionID string
	// After is how many frames (events and previews; heartbeats do not count) the
	// connection delivers normally before the fault.
	After int
	// Stall is the length of a FaultStall.
	Stall time.Duration
	// Heartbeats keeps heartbeats going during a FaultStall.
	Heartbeats bool
	// Size is the frame size of a FaultOversized.
	Size int
	// Count is the number of events re-sent by a FaultReplay.
	Count int
	// ErrorType is the error.type of a FaultErrorFrame.
	ErrorType string
}

// AddStreamFault queues f for the next stream connection.
func (s *Server) AddStreamFault(f StreamFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streamFaults = append(s.streamFaults, f)
}

// CutStreamAfter makes the next stream connection end its body after n frames.
func (s *Server) CutStreamAfter(n int) { s.AddStreamFault(StreamFault{Kind: FaultCut, After: n}) }

// CutStreamMidFrame makes the next stream connection deliver n frames, write half
// of the next one and abort.
func (s *Server) CutStreamMidFrame(n int) {
	s.AddStreamFault(StreamFault{Kind: FaultCutMidFrame, After: n})
}

// StallStream makes the next stream connection go silent (or send only
// heartbeats) for d after n frames; see [FaultStall].
func (s *Server) StallStream(n int, d time.Duration, heartbeats bool) {
	s.AddStreamFault(StreamFault{Kind: FaultStall, After: n, Stall: d, Heartbeats: heartbeats})
}

// InjectMalformedFrame makes the next stream connection write a frame that is
// not JSON after n frames.
func (s *Server) InjectMalformedFrame(n int) {
	s.AddStreamFault(StreamFault{Kind: FaultMalformed, After: n})
}

// InjectOversizedFrame makes the next stream connection pad its first event
// frame after n frames to size bytes.
func (s *Server) InjectOversizedFrame(n, size int) {
	s.AddStreamFault(StreamFault{Kind: FaultOversized, After: n, Size: size})
}

// DuplicateEvent makes the next stream connection send its first event frame
// after n frames twice.
func (s *Server) DuplicateEvent(n int) { s.AddStreamFault(StreamFault{Kind: FaultDuplicate, After: n}) }

// ReplayOnConnect makes the next stream connection begin with the last count
// events of its session.
func (s *Server) ReplayOnConnect(count int) {
	s.AddStreamFault(StreamFault{Kind: FaultReplay, Count: count})
}

// InjectErrorFrame makes the next stream connection send, after n frames, an
// error frame of type errType (e.g. "overloaded_error") and end.
func (s *Server) InjectErrorFrame(n int, errType string) {
	s.AddStreamFault(StreamFault{Kind: FaultErrorFrame, After: n, ErrorType: errType})
}

// CutStreams ends every open stream connection now, cleanly (EOF).
func (s *Server) CutStreams() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.openStreams {
		if !sub.cutted {
			sub.cutted = true
			close(sub.cut)
		}
	}
}

// OpenStreams returns the number of open stream connections.
func (s *Server) OpenStreams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.openStreams)
}

func encodeFrame(name string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("event: ")
	b.WriteString(name)
	b.WriteString("\ndata: ")
	b.Write(data)
	b.WriteString("\n\n")
	return b.Bytes()
}

// streamEvents serves GET …/events/stream and GET …/threads/{id}/stream.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if k != "beta" && k != "event_deltas[]" {
			writeError(w, errBadRequest("%s: unexpected query parameter", k))
			return
		}
	}
	deltas := map[string]bool{}
	if len(q["event_deltas[]"]) > 100 {
		writeError(w, errBadRequest("event_deltas[]: at most 100 values"))
		return
	}
	for _, d := range q["event_deltas[]"] {
		if d != "agent.message" && d != "agent.thinking" {
			writeError(w, errBadRequest("event_deltas[]: %q is not agent.message or agent.thinking", d))
			return
		}
		deltas[d] = true
	}
	s.mu.Lock()
	var sess *sessionRec
	var th *threadRec
	var err error
	if r.PathValue("thread_id") != "" {
		sess, th, err = s.thread(r)
	} else {
		sess, err = s.session(r.PathValue("session_id"))
	}
	if err != nil {
		s.mu.Unlock()
		writeError(w, err.(*apiError))
		return
	}
	sub := &subscriber{thread: threadKey(th), deltas: deltas, notify: make(chan struct{}, 1), cut: make(chan struct{})}
	var fault *StreamFault
	for i, f := range s.streamFaults {
		if f.SessionID == "" || f.SessionID == sess.id {
			s.streamFaults = append(s.streamFaults[:i:i], s.streamFaults[i+1:]...)
			fault = &f
			break
		}
	}
	if fault != nil && fault.Kind == FaultReplay {
		from := max(0, len(sess.events)-fault.Count)
		for _, e := range sess.events[from:] {
			if e.thread == sub.thread {
				sub.queue = append(sub.queue, frame{name: e.typ, data: e.data, event: true})
			}
		}
		fault = nil
	}
	sess.subs[sub] = struct{}{}
	s.openStreams[sub] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(sess.subs, sub)
		delete(s.openStreams, sub)
		s.mu.Unlock()
	}()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()

	var tick <-chan time.Time
	if s.heartbeat > 0 {
		t := time.NewTicker(s.heartbeat)
		defer t.Stop()
		tick = t.C
	}
	heartbeat := []byte(": ping\n\n")
	if s.heartbeatForm == HeartbeatEvent {
		heartbeat = []byte("event: ping\ndata: {\"type\":\"ping\"}\n\n")
	}
	write := func(b []byte) bool {
		_, err := w.Write(b)
		return err == nil
	}
	done := func() bool {
		select {
		case <-r.Context().Done():
			return true
		case <-s.closing:
			return true
		case <-sub.cut:
			return true
		default:
			return false
		}
	}
	// stall holds the stream for d; it reports false when the stream must end.
	stall := func(d time.Duration, beats bool) bool {
		timer := time.NewTimer(d)
		defer timer.Stop()
		for {
			var beat <-chan time.Time
			if beats {
				beat = tick
			}
			select {
			case <-timer.C:
				select {
				case <-tick: // drop a tick that came during a silent stall
				default:
				}
				return true
			case <-beat:
				if !write(heartbeat) || rc.Flush() != nil {
					return false
				}
			case <-r.Context().Done():
				return false
			case <-s.closing:
				return false
			case <-sub.cut:
				return false
			}
		}
	}
	written := 0
	// pre runs a due fault before a frame (or before waiting, when f is nil). It
	// reports whether the stream goes on.
	pre := func(f *frame) bool {
		if fault == nil || written < fault.After {
			return true
		}
		switch fault.Kind {
		case FaultCut:
			return false
		case FaultErrorFrame:
			typ := fault.ErrorType
			if typ == "" {
				typ = "overloaded_error"
			}
			body := errorBody(&apiError{typ: typ, msg: "injected stream error"}, w.Header().Get("Request-Id"))
			_ = write(encodeFrame("error", body))
			_ = rc.Flush()
			return false
		case FaultStall:
			d, beats := fault.Stall, fault.Heartbeats
			fault = nil
			_ = rc.Flush()
			return stall(d, beats)
		case FaultCutMidFrame:
			if f == nil {
				return true
			}
			b := encodeFrame(f.name, f.data)
			_, _ = w.Write(b[:len(b)/2])
			_ = rc.Flush()
			panic(http.ErrAbortHandler)
		case FaultMalformed:
			if f == nil {
				return true
			}
			fault = nil
			return write([]byte("event: agent.message\ndata: {\"type\":\"agent.message\",\"id\":\"sevt_\n\n"))
		}
		return true
	}
	for {
		if !pre(nil) || done() {
			return
		}
		s.mu.Lock()
		frames := sub.queue
		sub.queue = nil
		s.mu.Unlock()
		for _, f := range frames {
			if !pre(&f) {
				return
			}
			b := encodeFrame(f.name, f.data)
			if fault != nil && written >= fault.After && f.event {
				switch fault.Kind {
				case FaultOversized:
					pad := max(0, fault.Size-len(b)-len(`,"padding":""`))
					data := append(bytes.TrimSuffix(bytes.TrimSpace(f.data), []byte("}")), []byte(`,"padding":"`+strings.Repeat("x", pad)+`"}`)...)
					b = encodeFrame(f.name, data)
					fault = nil
				case FaultDuplicate:
					b = append(b, b...)
					fault = nil
				}
			}
			if !write(b) {
				return
			}
			written++
			if f.last {
				_ = rc.Flush()
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
		if fault != nil && written >= fault.After && (fault.Kind == FaultCut || fault.Kind == FaultStall || fault.Kind == FaultErrorFrame) {
			continue // handled at the top of the loop, before any heartbeat
		}
		select {
		case <-sub.notify:
		case <-tick:
			if !write(heartbeat) {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case <-sub.cut:
			return
		}
	}
}
