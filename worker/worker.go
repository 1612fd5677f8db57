package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/agenttoolset"
	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// Defaults of [Options].
const (
	// DefaultMaxConcurrentItems is how many work items a worker serves at
	// once.
	DefaultMaxConcurrentItems = 8
	// DefaultDrainTimeout is how long a worker whose Start context ended lets
	// the running tool calls finish before it cancels them.
	DefaultDrainTimeout = 30 * time.Second
	// DefaultStopTimeout bounds the stop of an item (POST …/stop), which a
	// shutdown does not cancel.
	DefaultStopTimeout = 10 * time.Second
	// DefaultMemorySyncInterval is how often the memory stores of a session
	// are synced back while it runs.
	DefaultMemorySyncInterval = 15 * time.Second
	// MinMemorySyncInterval is the shortest memory sync interval.
	MinMemorySyncInterval = 5 * time.Second
)

// DefaultHeartbeatBudget is the budget of a worker's heartbeats when
// Options.HeartbeatBudget is zero: the API's read budget (600 a minute, 60 back
// to back), on a limiter of its own, so that neither a 429 answered to a poll
// or a session call nor the client's other requests ever delay a heartbeat.
var DefaultHeartbeatBudget = ratelimit.Budget{Limit: 600, Window: time.Minute, Burst: 60}

// Options configures a [Worker]. The zero value of every field but Workdir is
// its documented default.
type Options struct {
	// Workdir is the directory under which each work item gets a working
	// directory of its own, Workdir/<work_id>: created (mode 0700) when the
	// item starts, after removing what a worker that died may have left
	// there, and removed when the item ends unless KeepWorkdirs is set.
	// Workdir itself is created if missing. Required.
	Workdir string
	// KeepWorkdirs keeps each item's working directory when the item ends
	// (for debugging); the next item of the same id starts from an empty one
	// all the same.
	KeepWorkdirs bool
	// MaxConcurrentItems caps the work items served at once; the worker
	// polls only while it has room for one more. 0 means
	// [DefaultMaxConcurrentItems].
	MaxConcurrentItems int
	// MaxConcurrentToolCalls caps the tool calls of one item running at once
	// (calls of different threads of a multiagent session; the calls of one
	// thread run in order). 0 means toolrunner.DefaultMaxConcurrency.
	MaxConcurrentToolCalls int
	// DrainTimeout is how long the running tool calls may finish after the
	// context given to [Worker.Start] ends, before they are cancelled. 0
	// means [DefaultDrainTimeout].
	DrainTimeout time.Duration
	// StopTimeout bounds each stop of a work item. 0 means
	// [DefaultStopTimeout].
	StopTimeout time.Duration

	// Poll configures the worker's polls: worker id, block_ms,
	// reclaim_older_than_ms, budget (managedagents.DefaultPollBudget: at
	// most 30 polls a minute) and backoff. Polls and acks go through a
	// client of their own without the client's rate limiter: the poller's
	// budget paces them, and a 429 answered to a poll pauses only the polls.
	Poll managedagents.WorkPollerOptions
	// HeartbeatBudget caps the heartbeats and stops of all the worker's
	// items, on a limiter of their own (see [DefaultHeartbeatBudget], the
	// default). A 429 answered to a heartbeat pauses the heartbeats only.
	HeartbeatBudget ratelimit.Budget
	// DesiredTTLSeconds asks the server for this lease time to live on every
	// heartbeat; 0 leaves the server's default. Heartbeats are sent every
	// half TTL (at least every second, at most every 30 s).
	DesiredTTLSeconds int

	// Toolset configures the agent toolset of each item (bash's shell and
	// sandbox, its environment, the file size cap). The worker adds to
	// Secrets the credentials its client holds (the environment key, the API
	// key, an auth token) and the item's secret and sessions token, so that
	// no variable holding one reaches the shell, whatever its name; and it
	// adds the session's memory stores to AllowedRoots (and ReadOnlyRoots
	// for read-only ones).
	Toolset agenttoolset.Options
	// CustomTools answer agent.custom_tool_use calls of the items' sessions,
	// by tool name (see toolrunner.Options.CustomTools).
	CustomTools map[string]toolrunner.ToolFunc
	// ToolMiddleware wraps the run of every tool call (a tracing span, a
	// metric), the first outermost.
	ToolMiddleware []toolrunner.Middleware
	// ItemMiddleware wraps the serving of every work item, the first
	// outermost (see [ItemMiddleware]).
	ItemMiddleware []ItemMiddleware
	// Store records which tool calls were started, so that none runs twice,
	// across the items of the worker (a reclaimed item served again) and,
	// when it is persistent and shared, across workers. nil means one
	// toolrunner.MemoryStore for the worker, which stays bounded: a
	// session's records go once the session ended for good, and, when its
	// last item ends, those of the calls its history settled (see
	// toolrunner.MemoryStore); the records of a session that may get another
	// item stay until it ends.
	//
	// The worker takes a session as ended for good when reading it shows it
	// terminated or archived or answers 404, or when its event stream shows
	// session.status_terminated or session.deleted (or answers 404 once
	// read): no call of it can come again, and a persistent Store may expire
	// its records then. Until then, keep the records of a session that
	// merely idled: its next item may replay calls whose result its history
	// does not show.
	Store toolrunner.Store
	// ToolTimeout bounds each tool call; 0 means toolrunner.DefaultToolTimeout.
	ToolTimeout time.Duration
	// MaxIdle is how long an item's session may stay idle after a turn ended
	// before the worker stops the item; 0 means toolrunner.DefaultMaxIdle, a
	// negative value never (the item then ends with its session, or when the
	// server stops it).
	MaxIdle time.Duration

	// MemorySyncInterval is how often the memory stores mounted for a
	// session are synced back while it runs: 0 means
	// [DefaultMemorySyncInterval]; a positive value below
	// [MinMemorySyncInterval] is refused; a negative value mounts no memory
	// store at all.
	MemorySyncInterval time.Duration
	// MountMemoryInWorkdir puts each memory store's folder under the item's
	// working directory ({workdir}/mnt/memory/<name> for the mount path
	// /mnt/memory/<name>) instead of at its mount path: for a worker that may
	// not write there, or whose sandbox binds {workdir}/mnt at /mnt. By
	// default the folders are made at the mount paths the agent is told
	// about, which must not exist when the session starts.
	MountMemoryInWorkdir bool

	// Logger receives structured logs: items claimed, served and stopped,
	// leases lost, errors (ids, states, durations; never a secret, a token,
	// a tool's input or its output). nil means no logs.
	Logger *slog.Logger
	// Clock paces the heartbeats and tells when a lease lapsed (and, unless
	// Poll.Clock is set, paces the polls); nil is the system clock.
	Clock ratelimit.Clock
}

// ItemMiddleware wraps the serving of one work item: it calls next to serve
// it and may look at what it returns, for example to trace it
// (otelmanagedagents' anthropic.environment.work span). ctx is the item's:
// the requests, heartbeats and tool calls of the item run in contexts made
// from the one given to next. next returns nil when the item was served to
// its end (the session ended or idled out, a health check, a terminated
// session), an error matching managedagents.ErrLeaseLost when the lease was
// lost, one matching [ErrInterrupted] when the worker stopped first, and
// else why the item failed.
type ItemMiddleware func(ctx context.Context, item *managedagents.WorkItem, next func(context.Context) error) error

// Errors of the worker.
var (
	// ErrInterrupted is the outcome of a work item cut short because the
	// worker stopped: an interruption, not a failure. It matches
	// context.Canceled as well.
	ErrInterrupted error = interrupted{}
	// ErrAlreadyStarted is returned by a second [Worker.Start].
	ErrAlreadyStarted = errors.New("worker: Start called twice")
)

type interrupted struct{}

func (interrupted) Error() string {
	return "worker: interrupted: the worker stopped before the item ended"
}

func (interrupted) Is(target error) bool { return target == context.Canceled }

// Worker serves the work items of a self-hosted environment: it polls the
// queue when it has room, acks each item at once, holds its lease by
// heartbeats, and runs the session's tool calls in a working directory of
// the item's own until the session ends, then stops the item. Make one with
// [New], run it with [Worker.Start], and stop it with [Worker.Stop],
// [Worker.StopAndCancel] or by ending Start's context. Its methods are safe
// for concurrent use.
type Worker struct {
	client   *managedagents.Client // the user's: session calls
	polls    *managedagents.Client // polls and acks: no client limiter
	beats    *managedagents.Client // heartbeats and stops: their own limiter
	env      string
	opts     Options
	workdir  string // absolute
	poller   *managedagents.WorkPoller
	store    toolrunner.Store
	secrets  []string // the credentials the client holds: never in a shell
	log      *slog.Logger
	clock    ratelimit.Clock
	counters counters

	mu       sync.Mutex
	started  bool
	stopping bool             // polling stopped; no new item starts
	items    map[string]*item // by work id, while served
	err      error            // why the worker stopped on its own
	drained  chan struct{}    // closed once stopping and no item is left

	hardCtx    context.Context // items' contexts are made from it
	hardCancel context.CancelCauseFunc
	pollCancel context.CancelFunc
	pollEnded  chan struct{}  // closed when the poll loop returned
	wg         sync.WaitGroup // the items and their helpers
	stopped    chan struct{}  // closed when everything ended
}

// New returns a worker of self-hosted environment environmentID that makes
// its requests with client, which must hold the environment key
// (option.WithEnvironmentKey or ANTHROPIC_ENVIRONMENT_KEY). Invalid options
// are a *managedagents.ValidationError or a plain error naming the field.
func New(client *managedagents.Client, environmentID string, opts Options) (*Worker, error) {
	switch {
	case client == nil:
		return nil, errors.New("worker: New: nil client")
	case opts.Workdir == "":
		return nil, errors.New("worker: New: Options.Workdir is required")
	case opts.MaxConcurrentItems < 0 || opts.MaxConcurrentToolCalls < 0:
		return nil, errors.New("worker: New: MaxConcurrentItems and MaxConcurrentToolCalls must not be negative")
	case opts.DrainTimeout < 0 || opts.StopTimeout < 0 || opts.ToolTimeout < 0:
		return nil, errors.New("worker: New: DrainTimeout, StopTimeout and ToolTimeout must not be negative")
	case opts.DesiredTTLSeconds < 0:
		return nil, errors.New("worker: New: DesiredTTLSeconds must not be negative")
	case opts.MemorySyncInterval > 0 && opts.MemorySyncInterval < MinMemorySyncInterval:
		return nil, fmt.Errorf("worker: New: MemorySyncInterval %v is shorter than %v (0 for the default, negative to mount no memory store)", opts.MemorySyncInterval, MinMemorySyncInterval)
	}
	if opts.MaxConcurrentItems == 0 {
		opts.MaxConcurrentItems = DefaultMaxConcurrentItems
	}
	if opts.DrainTimeout == 0 {
		opts.DrainTimeout = DefaultDrainTimeout
	}
	if opts.StopTimeout == 0 {
		opts.StopTimeout = DefaultStopTimeout
	}
	if opts.MemorySyncInterval == 0 {
		opts.MemorySyncInterval = DefaultMemorySyncInterval
	}
	if opts.HeartbeatBudget == (ratelimit.Budget{}) {
		opts.HeartbeatBudget = DefaultHeartbeatBudget
	}
	workdir, err := filepath.Abs(opts.Workdir)
	if err != nil {
		return nil, fmt.Errorf("worker: New: Workdir: %w", err)
	}
	clock := opts.Clock
	if clock == nil {
		clock = systemClock{}
	}
	if opts.Poll.Clock == nil {
		opts.Poll.Clock = opts.Clock
	}
	beatLimiter, err := ratelimit.NewChecked(ratelimit.Budgets{Read: opts.HeartbeatBudget}, ratelimit.WithClock(opts.Clock))
	if err != nil {
		return nil, fmt.Errorf("worker: New: HeartbeatBudget: %w", err)
	}
	w := &Worker{
		client:    client,
		env:       environmentID,
		opts:      opts,
		workdir:   workdir,
		store:     opts.Store,
		secrets:   clientSecrets(client),
		clock:     clock,
		items:     map[string]*item{},
		drained:   make(chan struct{}),
		pollEnded: make(chan struct{}),
		stopped:   make(chan struct{}),
	}
	w.polls = client.WithOptions(option.WithoutLimiter(), option.WithMiddleware(w.countPolls))
	w.beats = client.WithOptions(option.WithLimiter(beatLimiter))
	if w.poller, err = managedagents.NewWorkPoller(w.polls, environmentID, opts.Poll); err != nil {
		return nil, err
	}
	if w.store == nil {
		w.store = toolrunner.NewMemoryStore()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w.log = log.With("environment_id", environmentID, "worker_id", w.poller.WorkerID())
	return w, nil
}

// WorkerID returns the id the worker polls with (Anthropic-Worker-ID).
func (w *Worker) WorkerID() string { return w.poller.WorkerID() }

// Start starts the worker and returns at once: it polls the queue and serves
// items in goroutines of its own until it is stopped. When ctx ends, the
// worker stops as [Worker.Stop] does with Options.DrainTimeout as its grace
// period: no more polls, the running tool calls finish (up to the grace
// period; the rest are cancelled, their processes killed), every item is
// stopped, and [Worker.Stopped] is closed. The values of ctx (a trace) are
// kept by every item; its end does not cancel anything at once. Start
// returns an error if Workdir cannot be created, or if called twice.
func (w *Worker) Start(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started {
		return ErrAlreadyStarted
	}
	if err := os.MkdirAll(w.workdir, 0o700); err != nil {
		return fmt.Errorf("worker: Start: creating Workdir: %w", err)
	}
	w.started = true
	w.hardCtx, w.hardCancel = context.WithCancelCause(context.WithoutCancel(ctx))
	pollCtx, pollCancel := context.WithCancel(w.hardCtx)
	w.pollCancel = pollCancel
	w.log.Info("worker: started", "max_concurrent_items", w.opts.MaxConcurrentItems, "workdir", w.workdir)
	go w.pollLoop(pollCtx)
	go w.supervise(ctx)
	return nil
}

// supervise waits for the end of the worker: Start's context, a stop asked
// for, or a poll refused for good; it drains the items in the first and last
// cases (Stop and StopAndCancel drain them themselves), then closes
// w.stopped once every item ended.
func (w *Worker) supervise(startCtx context.Context) {
	select {
	case <-startCtx.Done():
		w.drainFor(w.opts.DrainTimeout)
	case <-w.pollEnded:
		if w.Err() != nil {
			w.drainFor(w.opts.DrainTimeout)
		}
	}
	<-w.pollEnded
	w.wg.Wait()
	w.hardCancel(nil)
	w.log.Info("worker: stopped")
	close(w.stopped)
}

// drainFor stops the worker as Stop does with a grace period of d.
func (w *Worker) drainFor(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	items, _ := w.beginStop()
	for _, it := range items {
		it.drain(ctx)
	}
	select {
	case <-w.drained:
	case <-ctx.Done():
		w.cancelItems()
	}
}

// Stop stops the worker gracefully: it polls no more, lets the running tool
// calls finish and post their results (calls not started yet are left
// unanswered: the item is stopped), stops every item, and returns nil once
// everything ended. When ctx ends first, the running calls are cancelled
// (their processes killed), the items stopped, and Stop returns ctx.Err()
// once everything ended: ctx's deadline is the grace period. Stop before
// Start returns nil; Stop may be called again, and with StopAndCancel.
func (w *Worker) Stop(ctx context.Context) error {
	items, ok := w.beginStop()
	if !ok {
		return nil
	}
	for _, it := range items {
		it.drain(ctx)
	}
	select {
	case <-w.stopped:
		return nil
	case <-ctx.Done():
	}
	w.cancelItems()
	<-w.stopped
	return ctx.Err()
}

// StopAndCancel stops the worker at once: it polls no more, cancels the
// running tool calls (their processes killed; nothing more is posted),
// stops every item, and returns nil once everything ended, or ctx.Err() if
// ctx ends first (the worker goes on stopping). StopAndCancel before Start
// returns nil; it may be called again, and after Stop.
func (w *Worker) StopAndCancel(ctx context.Context) error {
	if _, ok := w.beginStop(); !ok {
		return nil
	}
	w.cancelItems()
	select {
	case <-w.stopped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stopped returns a channel closed once the worker stopped: its poll loop,
// its items, their heartbeats, tool calls and processes all ended. It is
// never closed for a worker that was not started.
func (w *Worker) Stopped() <-chan struct{} { return w.stopped }

// Err returns why the worker stopped on its own: a poll the API refused for
// good (a 401 for a revoked environment key, a 404 for an environment that
// is gone), after which it stopped as Stop does. It is nil while the worker
// runs and after a stop that was asked for.
func (w *Worker) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// beginStop stops the polls and new items, and returns the items being
// served; false when the worker was never started.
func (w *Worker) beginStop() ([]*item, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started {
		return nil, false
	}
	if !w.stopping {
		w.stopping = true
		w.pollCancel()
		w.log.Info("worker: stopping", "items", len(w.items))
		if len(w.items) == 0 {
			close(w.drained)
		}
	}
	items := make([]*item, 0, len(w.items))
	for _, it := range w.items {
		items = append(items, it)
	}
	return items, true
}

// cancelItems cancels every item being served, as interrupted.
func (w *Worker) cancelItems() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, it := range w.items {
		it.cancel(ErrInterrupted)
	}
}

// register adds it to the items served, unless the worker is stopping.
func (w *Worker) register(it *item) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopping {
		return false
	}
	w.items[it.id] = it
	return true
}

// forget removes it from the items served once it ended.
func (w *Worker) forget(it *item) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.items, it.id)
	if w.stopping && len(w.items) == 0 {
		close(w.drained)
	}
}

// failed records the error that stops the worker on its own.
func (w *Worker) failed(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// clientSecrets returns the credentials client holds (its API key, auth
// token, environment key), to keep them out of every item's shell.
func clientSecrets(client *managedagents.Client) []string {
	var out []string
	client.WithOptions(func(c *config.Config) error {
		for _, s := range c.SecretValues() {
			if s != "" {
				out = append(out, s)
			}
		}
		return nil
	})
	return out
}

// systemClock is the ratelimit.Clock of the system.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) NewTimer(d time.Duration) ratelimit.Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }

func (t systemTimer) Stop() bool { return t.t.Stop() }
