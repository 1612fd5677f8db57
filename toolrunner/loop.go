package toolrunner

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// callStatus is where a call is in the loop.
type callStatus int

const (
	statusHeld    callStatus = iota // waiting for a user.tool_confirmation
	statusQueued                    // waiting for its turn in its thread
	statusRunning                   // handed to serve
	statusSettled                   // out of the loop's hands
)

// call is a call the loop has not settled.
type call struct {
	ToolCall
	status callStatus // the loop's only
	// Set by the loop, read by serve.
	void     atomic.Bool // voided: post nothing
	answered atomic.Bool // a result for it is in the session
	cancel   context.CancelCauseFunc
}

// loop is one Run of a Runner: the state of the session's calls, owned by the
// goroutine of Run. Events come from the feed, call completions from serve,
// in channels; nothing else touches the state.
type loop struct {
	r   *Runner
	ctx context.Context // Run's

	items   chan feedItem
	done    chan *call
	reqOpts []option.RequestOption // of posts and reconciling reads

	calls    map[string]*call    // calls not settled, by id
	settled  map[string]struct{} // ids of tool uses settled: never again
	queues   map[string][]*call  // calls held or queued, per thread, in order
	busy     map[string]bool     // threads with a running call
	children map[string]bool     // ids of child threads
	ended    map[string]bool     // ids of terminated threads
	seenInt  map[string]bool     // ids of interrupts applied

	waiting int // calls held or queued
	running int // calls in serve

	catchingUp bool
	// unowned are the calls not owned seen while catching up, reported once
	// caught up unless the history answered them (then removed).
	unowned  map[string]ToolCall
	draining bool // Shutdown: start nothing more

	// inHistory are the calls settled in the session's history: answered
	// there, or of a child thread it shows terminated. A runner that starts
	// later reads them so before it runs anything: their records in a
	// MemoryStore may go once no runner of the session runs.
	inHistory map[string]struct{}
	// threadCalls are the ids of the calls of each child thread not ended.
	threadCalls map[string][]string
	// sessionEnded: the session ended for good (a terminal event, or a 404
	// once read).
	sessionEnded bool

	turnOver bool        // the last significant event ended a turn
	idle     *time.Timer // armed while the turn is over and nothing is outstanding
	idleC    <-chan time.Time
}

func newLoop(r *Runner) *loop {
	return &loop{
		r:        r,
		reqOpts:  r.requestOptions(),
		items:    make(chan feedItem),
		done:     make(chan *call),
		calls:    map[string]*call{},
		settled:  map[string]struct{}{},
		queues:   map[string][]*call{},
		busy:     map[string]bool{},
		children: map[string]bool{},
		ended:    map[string]bool{},
		seenInt:  map[string]bool{},
		unowned:  map[string]ToolCall{},

		inHistory:   map[string]struct{}{},
		threadCalls: map[string][]string{},
	}
}

// run runs the loop until the session ends, the runner idles out, Shutdown
// drained it, or ctx ends.
func (l *loop) run(ctx context.Context) error {
	l.ctx = ctx
	feedCtx, stopFeed := context.WithCancel(ctx)
	fed := make(chan struct{})
	f := &feed{r: l.r, out: l.items, log: l.r.log, atLast: map[string]struct{}{}}
	go func() {
		defer close(fed)
		f.run(feedCtx)
	}()
	l.r.log.Info("toolrunner: started")
	graceful, err := l.serveEvents(ctx)
	stopFeed()
	if !graceful {
		for _, c := range l.calls {
			if c.status == statusRunning && c.cancel != nil {
				c.cancel(context.Cause(ctx))
			}
		}
	}
	for l.running > 0 {
		l.complete(<-l.done)
	}
	<-fed
	if l.idle != nil {
		l.idle.Stop()
	}
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	if err != nil || l.draining {
		for _, q := range l.queues {
			for _, c := range q {
				if c.status != statusSettled {
					l.r.unanswered(c.ToolCall, ErrStopped)
				}
			}
		}
	}
	l.r.log.Info("toolrunner: stopped", "error", errText(err))
	return err
}

// serveEvents handles events and completions until the loop must end. It
// returns whether running calls may finish (true) or must be cancelled, and
// the error Run returns (nil for an end that is not a failure).
func (l *loop) serveEvents(ctx context.Context) (graceful bool, err error) {
	shutdown := l.r.shutdown
	select {
	case <-shutdown: // Shutdown before Run
		l.draining = true
		return true, nil
	default:
	}
	for {
		select {
		case it := <-l.items:
			switch it.mark {
			case markEvent:
				if l.handle(it.ev) {
					l.r.log.Info("toolrunner: session ended", "event", string(it.ev.EventType()))
					l.sessionEnded = true
					return false, nil
				}
			case markCatchUp:
				l.catchingUp = true
			case markCaughtUp:
				l.caughtUp()
			case markEnd:
				l.sessionEnded = it.err == nil // the feed ends without an error only at the session's end
				return false, it.err
			}
		case c := <-l.done:
			l.complete(c)
			if l.draining && l.running == 0 {
				return true, nil
			}
		case <-l.idleC:
			l.r.log.Info("toolrunner: idle after the end of a turn", "max_idle", l.r.opts.MaxIdle)
			return true, nil
		case <-shutdown:
			shutdown = nil
			l.draining = true
			if l.running == 0 {
				return true, nil
			}
		case <-ctx.Done():
			return false, context.Cause(ctx)
		}
		l.checkIdle()
	}
}

// caughtUp ends a read of the history: what it left owed is known, so the
// calls it holds may start, and the calls not owned it left unanswered are
// reported.
func (l *loop) caughtUp() {
	l.catchingUp = false
	for _, tc := range l.unowned {
		l.r.unanswered(tc, ErrNotOwned)
	}
	clear(l.unowned)
	l.pump()
}

// handle applies one event to the state; it reports whether the session ended.
func (l *loop) handle(ev managedagents.Event) (ended bool) {
	switch e := ev.(type) {
	case *managedagents.AgentToolUseEvent:
		l.toolUse(ToolCall{ID: e.ID, Type: e.Type, Name: e.Name, Input: e.Input, session: l.r.sessionID,
			ThreadID: e.SessionThreadID, ProcessedAt: e.ProcessedAt, Event: e}, e.EvaluatedPermission)
	case *managedagents.AgentCustomToolUseEvent:
		l.toolUse(ToolCall{ID: e.ID, Type: e.Type, Name: e.Name, Input: e.Input, session: l.r.sessionID,
			ThreadID: e.SessionThreadID, ProcessedAt: e.ProcessedAt, Event: e}, managedagents.EvaluatedPermissionAllow)
	case *managedagents.UserToolConfirmationEvent:
		l.confirm(e)
		return false
	case *managedagents.UserToolResultEvent:
		l.answer(e.ToolUseID)
	case *managedagents.UserCustomToolResultEvent:
		l.answer(e.CustomToolUseID)
	case *managedagents.UserInterruptEvent:
		l.interrupt(e)
		return false
	case *managedagents.SessionThreadCreatedEvent:
		l.children[e.SessionThreadID] = true
	case *managedagents.SessionThreadStatusTerminatedEvent:
		l.threadEnded(e.SessionThreadID)
		return false
	case *managedagents.SessionStatusIdleEvent:
		l.turnOver = !e.StopReason.RequiresAction()
		return false
	case *managedagents.SessionStatusTerminatedEvent, *managedagents.SessionDeletedEvent:
		return true
	}
	// Any other event means the session is at work again (self-hosted.md §4.6).
	l.turnOver = false
	return false
}

// toolUse takes in a tool-use event.
func (l *loop) toolUse(tc ToolCall, perm managedagents.EvaluatedPermission) {
	if _, seen := l.settled[tc.ID]; seen || l.calls[tc.ID] != nil {
		return
	}
	if tc.ThreadID != "" {
		l.children[tc.ThreadID] = true
	}
	log := l.r.callLogger(tc)
	switch {
	case l.ended[tc.ThreadID] && tc.ThreadID != "":
		l.settled[tc.ID] = struct{}{}
		l.inHistory[tc.ID] = struct{}{}
		return
	case tc.ThreadID != "":
		l.threadCalls[tc.ThreadID] = append(l.threadCalls[tc.ThreadID], tc.ID)
	}
	switch {
	case !l.owns(tc):
		// Left to its owner; reported once it is known not to be answered.
		l.settled[tc.ID] = struct{}{}
		if l.catchingUp {
			l.unowned[tc.ID] = tc
		} else {
			l.r.unanswered(tc, ErrNotOwned)
		}
		return
	case perm == managedagents.EvaluatedPermissionDeny:
		log.Debug("toolrunner: call denied by policy")
		l.r.stats.denied.Add(1)
		l.settled[tc.ID] = struct{}{}
		return
	}
	c := &call{ToolCall: tc, status: statusQueued}
	if perm != "" && perm != managedagents.EvaluatedPermissionAllow {
		c.status = statusHeld // ask, or a value this runner does not know
		log.Debug("toolrunner: call held for confirmation")
	}
	l.calls[tc.ID] = c
	l.queues[tc.ThreadID] = append(l.queues[tc.ThreadID], c)
	l.waiting++
	l.pump()
}

// owns reports whether the runner answers tc.
func (l *loop) owns(tc ToolCall) bool {
	if tc.Type == managedagents.EventTypeAgentCustomToolUse {
		return l.r.opts.CustomTools[tc.Name] != nil
	}
	return l.r.owned[tc.Name]
}

// confirm applies a user.tool_confirmation: an allowed call queues, any other
// verdict denies it (post nothing).
func (l *loop) confirm(e *managedagents.UserToolConfirmationEvent) {
	c := l.calls[e.ToolUseID]
	if c == nil || c.status != statusHeld {
		return
	}
	if e.Result == managedagents.ToolConfirmationAllow {
		c.status = statusQueued
		l.pump()
		return
	}
	l.r.stats.denied.Add(1)
	l.r.log.Debug("toolrunner: call denied by the user", "tool_use_id", c.ID)
	l.settle(c)
	l.pump()
}

// answer applies a result of call id, ours or another client's: a call not
// started is dropped; a running one posts nothing more.
func (l *loop) answer(id string) {
	delete(l.unowned, id)
	l.inHistory[id] = struct{}{}
	c := l.calls[id]
	if c == nil {
		l.settled[id] = struct{}{}
		return
	}
	c.answered.Store(true)
	if c.status != statusRunning {
		l.settle(c)
		l.pump()
	}
}

// interrupt applies a user.interrupt: the calls processed up to it, of the
// thread it names or of all threads, are void.
func (l *loop) interrupt(e *managedagents.UserInterruptEvent) {
	if e.ID != "" {
		if l.seenInt[e.ID] {
			return
		}
		l.seenInt[e.ID] = true
	}
	for _, c := range l.calls {
		if !l.inThread(c, e.SessionThreadID) {
			continue
		}
		if !e.ProcessedAt.IsZero() && !c.ProcessedAt.IsZero() && c.ProcessedAt.After(e.ProcessedAt) {
			continue
		}
		l.voidCall(c, "interrupt")
	}
	l.pump()
}

// inThread reports whether c belongs to thread ("" meaning every thread). A
// thread id that is not a known child thread names the primary thread, whose
// calls carry no thread id.
func (l *loop) inThread(c *call, thread string) bool {
	switch {
	case thread == "":
		return true
	case l.children[thread]:
		return c.ThreadID == thread
	}
	return c.ThreadID == "" || c.ThreadID == thread
}

// threadEnded applies session.thread_status_terminated: the thread's calls
// are void, now and later.
func (l *loop) threadEnded(thread string) {
	if thread == "" {
		return
	}
	l.ended[thread] = true
	for _, id := range l.threadCalls[thread] {
		l.inHistory[id] = struct{}{}
	}
	delete(l.threadCalls, thread)
	for _, c := range l.calls {
		if c.ThreadID == thread {
			l.voidCall(c, "thread terminated")
		}
	}
	l.pump()
}

// voidCall voids c: never run, nothing posted, cancelled if running.
func (l *loop) voidCall(c *call, why string) {
	if c.void.Swap(true) {
		return
	}
	l.r.stats.voided.Add(1)
	l.r.log.Info("toolrunner: call voided", "tool_use_id", c.ID, "tool", c.Name, "thread_id", c.ThreadID,
		"by", why, "running", c.status == statusRunning)
	if c.status == statusRunning {
		c.cancel(ErrVoided)
		return
	}
	l.settle(c)
}

// settle takes c out of the loop for good. A held or queued call leaves its
// thread's queue when it reaches the head (see pump).
func (l *loop) settle(c *call) {
	switch c.status {
	case statusSettled:
		return
	case statusHeld, statusQueued:
		l.waiting--
	}
	c.status = statusSettled
	delete(l.calls, c.ID)
	l.settled[c.ID] = struct{}{}
}

// pump starts the calls whose turn it is: the head of each thread's queue,
// unless the thread has a call running, the head waits for a confirmation,
// the cap of running calls is reached, the history is being read, or the
// runner is draining.
func (l *loop) pump() {
	if l.catchingUp || l.draining {
		return
	}
	for thread, q := range l.queues {
		for len(q) > 0 && q[0].status == statusSettled {
			q = q[1:]
		}
		if len(q) == 0 {
			delete(l.queues, thread)
			continue
		}
		l.queues[thread] = q
		if l.busy[thread] || q[0].status != statusQueued || l.running >= l.r.opts.MaxConcurrency {
			continue
		}
		c := q[0]
		l.queues[thread] = q[1:]
		c.status = statusRunning
		l.waiting--
		l.running++
		l.busy[thread] = true
		var cctx context.Context
		cctx, c.cancel = context.WithCancelCause(l.ctx)
		go l.serve(cctx, c)
	}
}

// complete takes back a call serve is done with.
func (l *loop) complete(c *call) {
	l.running--
	delete(l.busy, c.ThreadID)
	c.cancel(nil)
	c.status = statusSettled
	delete(l.calls, c.ID)
	l.settled[c.ID] = struct{}{}
	l.pump()
}

// checkIdle arms the idle timer while the turn is over, the history read and
// no call outstanding, and disarms it otherwise.
func (l *loop) checkIdle() {
	want := l.r.opts.MaxIdle > 0 && l.turnOver && !l.catchingUp && l.waiting == 0 && l.running == 0
	switch {
	case want && l.idleC == nil:
		if l.idle == nil {
			l.idle = time.NewTimer(l.r.opts.MaxIdle)
		} else {
			l.idle.Reset(l.r.opts.MaxIdle)
		}
		l.idleC = l.idle.C
	case !want && l.idleC != nil:
		l.idle.Stop()
		l.idleC = nil
	}
}
