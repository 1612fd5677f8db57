package toolrunner

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// Defaults of [Options].
const (
	// DefaultMaxConcurrency is how many calls of different threads run at once.
	DefaultMaxConcurrency = 4
	// DefaultToolTimeout bounds one call; the bash tool's own timeout_ms
	// (capped by the toolset) usually ends a command first.
	DefaultToolTimeout = 10 * time.Minute
	// DefaultSendTimeout bounds one attempt to post a result.
	DefaultSendTimeout = 15 * time.Second
	// DefaultSendWindow is how long a result is retried, from its first
	// attempt, before the call is reported as not answered.
	DefaultSendWindow = 5 * time.Minute
	// DefaultMaxIdle is how long the runner waits after a turn ended (an idle
	// whose stop reason is not requires_action) before it returns.
	DefaultMaxIdle = 60 * time.Second
)

// Errors of the runner.
var (
	// ErrStopped is given to Options.OnUnanswered for the calls still waiting
	// (queued, or held for a confirmation) when the runner stopped: they were
	// never started, so another runner may run them.
	ErrStopped = errors.New("toolrunner: runner stopped before the call started")
	// ErrVoided is the cancellation cause of a running call voided by a
	// user.interrupt or the end of its thread: nothing is posted for it.
	ErrVoided = errors.New("toolrunner: call voided by an interrupt or the end of its thread")
	// ErrAlreadyRun is returned by [Runner.Run] called a second time.
	ErrAlreadyRun = errors.New("toolrunner: Run called twice")
)

// Options configures a [Runner]. Zero values mean the documented defaults.
type Options struct {
	// Executor runs the built-in tools of agent.tool_use calls. Nil means the
	// runner answers no agent.tool_use.
	Executor Executor
	// BuiltinTools are the tool names the Executor owns; nil means
	// [BuiltinTools]. agent.tool_use calls of other names are left to their
	// owner.
	BuiltinTools []string
	// CustomTools run agent.custom_tool_use calls, by tool name. Calls of
	// other names are left to their owner.
	CustomTools map[string]ToolFunc
	// Middleware wraps the run of every call, the first outermost (see
	// [Middleware]).
	Middleware []Middleware
	// Store records which calls were started and their results, so that none
	// runs twice; nil means a new [MemoryStore]. Share a persistent store
	// between the runners of a session to keep that promise across processes.
	// A runner on a MemoryStore drops the records it no longer needs when it
	// returns (see [MemoryStore]).
	Store Store
	// MaxConcurrency caps the calls running at once. Calls of one thread
	// always run one after the other, in order; calls of different threads
	// run at once up to this cap. 0 means [DefaultMaxConcurrency].
	MaxConcurrency int
	// ToolTimeout bounds each call; a call that outlives it is answered with
	// an error result saying it timed out. 0 means [DefaultToolTimeout].
	ToolTimeout time.Duration
	// SendTimeout bounds each attempt to post a result. 0 means
	// [DefaultSendTimeout].
	SendTimeout time.Duration
	// SendWindow is how long a result is retried, from its first attempt.
	// 0 means [DefaultSendWindow]; inside a worker, the lease's TTL.
	SendWindow time.Duration
	// Backoff returns the wait before retry n (from 0) of a result post, a
	// history read or a restart of the event stream. Nil means 1 s doubling up
	// to 30 s, drawn at random in [d/2, d).
	Backoff func(retry int) time.Duration
	// MaxIdle is how long Run waits, once a turn ended and no call is
	// outstanding, before it returns. 0 means [DefaultMaxIdle]; a negative
	// value means never (Run then returns at the session's end, on
	// [Runner.Shutdown] or when its context ends).
	MaxIdle time.Duration
	// OnUnanswered, if set, is told of each call the runner will not answer,
	// with why: [ErrNotOwned] (no executor or handler for it), [ErrStopped]
	// (not started when the runner stopped), a post refused by the API, a send
	// window spent, a Store failure. It may be called from several goroutines
	// at once.
	OnUnanswered func(call ToolCall, err error)
	// Logger receives structured logs (session, call and thread ids, tool
	// names, durations, errors; never inputs, results or credentials). Nil
	// means no logs.
	Logger *slog.Logger
	// RequestOptions apply to every request of the runner (stream, history
	// reads, posts): for a worker, option.WithAuthToken with the work item's
	// sessions token.
	RequestOptions []option.RequestOption
}

// Runner runs the tool calls of one session, from its event stream, and posts
// their results: see the package documentation for what it guarantees. Make
// one with [New], call [Runner.Run] once, and stop it by cancelling Run's
// context (at once) or with [Runner.Shutdown] (after the running calls).
type Runner struct {
	client    *managedagents.Client
	sessionID string
	opts      Options
	run       ToolFunc // the middleware chain around the executor or handler
	owned     map[string]bool
	log       *slog.Logger
	stats     counters

	shutdown chan struct{} // closed by Shutdown
	stopOnce sync.Once
	done     chan struct{} // closed when Run returns
	mu       sync.Mutex
	started  bool                    // Run was called
	cancel   context.CancelCauseFunc // Run's context, for Shutdown's deadline
}

// New returns a runner of the tool calls of session sessionID, made through
// client. It needs an Executor or at least one custom tool.
func New(client *managedagents.Client, sessionID string, opts Options) (*Runner, error) {
	switch {
	case client == nil:
		return nil, errors.New("toolrunner: New: nil client")
	case sessionID == "":
		return nil, errors.New("toolrunner: New: empty session id")
	case opts.Executor == nil && len(opts.CustomTools) == 0:
		return nil, errors.New("toolrunner: New: no Executor and no CustomTools: nothing to run")
	case opts.MaxConcurrency < 0 || opts.ToolTimeout < 0 || opts.SendTimeout < 0 || opts.SendWindow < 0:
		return nil, errors.New("toolrunner: New: MaxConcurrency, ToolTimeout, SendTimeout and SendWindow must not be negative")
	}
	for name, h := range opts.CustomTools {
		if h == nil {
			return nil, errors.New("toolrunner: New: nil handler for custom tool " + name)
		}
	}
	if opts.MaxConcurrency == 0 {
		opts.MaxConcurrency = DefaultMaxConcurrency
	}
	if opts.ToolTimeout == 0 {
		opts.ToolTimeout = DefaultToolTimeout
	}
	if opts.SendTimeout == 0 {
		opts.SendTimeout = DefaultSendTimeout
	}
	if opts.SendWindow == 0 {
		opts.SendWindow = DefaultSendWindow
	}
	if opts.MaxIdle == 0 {
		opts.MaxIdle = DefaultMaxIdle
	}
	if opts.Backoff == nil {
		opts.Backoff = defaultBackoff
	}
	if opts.Store == nil {
		opts.Store = NewMemoryStore()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{
		client:    client,
		sessionID: sessionID,
		opts:      opts,
		owned:     map[string]bool{},
		log:       log.With("session_id", sessionID),
		shutdown:  make(chan struct{}),
		done:      make(chan struct{}),
	}
	if opts.Executor != nil {
		names := opts.BuiltinTools
		if names == nil {
			names = BuiltinTools
		}
		for _, n := range names {
			r.owned[n] = true
		}
	}
	r.opts.Middleware = slices.Clone(opts.Middleware)
	r.run = chain(r.execute, r.opts.Middleware)
	return r, nil
}

// defaultBackoff is the reference's: 1 s doubling up to 30 s, drawn in [d/2, d).
func defaultBackoff(retry int) time.Duration {
	d := 30 * time.Second
	if retry < 5 {
		d = time.Second << retry
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)))
}

// Run runs the session's tool calls until the session ends (terminated or
// deleted: a session event, or a 404 once it was read), the runner has been idle for Options.MaxIdle after a turn ended,
// [Runner.Shutdown] is called, or ctx ends. It returns nil in the first three
// cases; when ctx ends it cancels the running calls, posts nothing more, and
// returns context.Cause(ctx) (so a worker that cancels with its own cause,
// say a lost lease, gets that cause back); it returns the error of a stream
// or history read the API refused for good (a 4xx other than 408, 409, 429).
// A stream that gave up after its reconnects is opened again: Run does not
// give up on transient failures. Run may be called once.
func (r *Runner) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.mu.Lock()
	if r.started {
		r.mu.Unlock()
		return ErrAlreadyRun
	}
	r.started, r.cancel = true, cancel
	r.mu.Unlock()
	defer close(r.done)
	l := newLoop(r)
	if ms, ok := r.opts.Store.(*MemoryStore); ok {
		ms.enter(r.sessionID)
		defer func() { ms.leave(r.sessionID, l.inHistory, l.sessionEnded) }()
	}
	err := l.run(ctx)
	if errors.Is(err, ErrStopped) && context.Cause(ctx) == ErrStopped {
		return nil // Shutdown's deadline cancelled the calls
	}
	return err
}

// Shutdown stops the runner gracefully: it starts no more calls, lets the
// running ones finish and post their results, then makes Run return nil. When
// ctx ends first, it cancels the running calls as a cancelled Run context
// would and returns ctx.Err() once Run returned. Calls not started are reported
// to Options.OnUnanswered with [ErrStopped]. Shutdown before Run makes Run
// return at once; a second Shutdown waits like the first.
func (r *Runner) Shutdown(ctx context.Context) error {
	r.stopOnce.Do(func() { close(r.shutdown) })
	r.mu.Lock()
	started, cancel := r.started, r.cancel
	r.mu.Unlock()
	if !started {
		return nil
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
	}
	cancel(ErrStopped)
	<-r.done
	return ctx.Err()
}

// Stats are counts of what a runner did, for metrics.
type Stats struct {
	// Started counts the calls claimed and run.
	Started int64
	// Posted counts the results posted.
	Posted int64
	// Reconciled counts the results found in the session's history after a
	// post whose outcome was uncertain (or inherited from an earlier runner),
	// and so not posted again.
	Reconciled int64
	// Retried counts the post attempts after the first.
	Retried int64
	// Voided counts the calls voided by an interrupt or the end of their
	// thread (before or while they ran).
	Voided int64
	// Denied counts the calls denied, by policy or by the user.
	Denied int64
	// Unanswered counts the calls reported to Options.OnUnanswered.
	Unanswered int64
}

// counters are the runner's Stats, updated atomically.
type counters struct {
	started, posted, reconciled, retried, voided, denied, unanswered atomic.Int64
}

// Stats returns the counts so far. It is safe to call at any time.
func (r *Runner) Stats() Stats {
	return Stats{
		Started:    r.stats.started.Load(),
		Posted:     r.stats.posted.Load(),
		Reconciled: r.stats.reconciled.Load(),
		Retried:    r.stats.retried.Load(),
		Voided:     r.stats.voided.Load(),
		Denied:     r.stats.denied.Load(),
		Unanswered: r.stats.unanswered.Load(),
	}
}

// unanswered reports call to Options.OnUnanswered and the log.
func (r *Runner) unanswered(call ToolCall, err error) {
	r.stats.unanswered.Add(1)
	level := slog.LevelWarn
	if errors.Is(err, ErrNotOwned) {
		level = slog.LevelDebug
	}
	r.log.Log(context.Background(), level, "toolrunner: call not answered",
		"tool_use_id", call.ID, "tool", call.Name, "thread_id", call.ThreadID, "error", err.Error())
	if r.opts.OnUnanswered != nil {
		r.opts.OnUnanswered(call, err)
	}
}
