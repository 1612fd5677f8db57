package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/agenttoolset"
	"github.com/go-managedagents/managedagents/internal/worksecret"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// item is one work item being served.
type item struct {
	w      *Worker
	polled *managedagents.WorkItem // as the poll returned it, with its secret
	acked  *managedagents.WorkItem // as the ack returned it (the polled one when its answer was lost)
	id     string
	log    *slog.Logger          // with the item's ids
	runLog *slog.Logger          // with its work id only: the runner adds the session's
	ic     *managedagents.Client // the item's session calls: its token, the client's limiter
	hc     *managedagents.Client // its heartbeats and stop: its token, the heartbeat limiter
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	runner   *toolrunner.Runner // while its tool calls run
	draining bool               // the worker stops: no runner starts
	ended    bool               // no more helper goroutines
}

func newItem(w *Worker, polled, acked *managedagents.WorkItem, log *slog.Logger) *item {
	ctx, cancel := context.WithCancelCause(w.hardCtx)
	return &item{
		w: w, polled: polled, acked: acked, id: polled.ID, runLog: log,
		log: log.With("data_type", string(polled.Data.Type), "session_id", polled.Data.ID),
		ic:  w.client.ForWorkItem(polled), hc: w.beats.ForWorkItem(polled),
		ctx: ctx, cancel: cancel,
	}
}

// serve serves the item through the item middlewares, and records how it
// ended.
func (it *item) serve() {
	w := it.w
	w.counters.active.Add(1)
	defer w.counters.active.Add(-1)
	start := time.Now()
	next := it.run
	for i := len(w.opts.ItemMiddleware) - 1; i >= 0; i-- {
		mw, inner := w.opts.ItemMiddleware[i], next
		next = func(ctx context.Context) error { return mw(ctx, it.polled, inner) }
	}
	err := it.protect(next)
	it.mu.Lock()
	it.ended = true
	it.mu.Unlock()
	it.cancel(nil)
	took := time.Since(start).Round(time.Millisecond)
	switch {
	case err == nil:
		w.counters.served.Add(1)
		it.log.Info("worker: item served", "duration", took)
	case errors.Is(err, ErrInterrupted):
		w.counters.interrupted.Add(1)
		it.log.Info("worker: item interrupted by the worker's stop", "duration", took)
	case errors.Is(err, managedagents.ErrLeaseLost):
		it.log.Info("worker: item given up with its lease", "duration", took)
	default:
		w.counters.failed.Add(1)
		it.log.Error("worker: item failed", "duration", took, "error", err.Error())
	}
}

// protect runs next with the item's context, turning a panic of a
// middleware into an error.
func (it *item) protect(next func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("worker: serving the item panicked: %v", p)
		}
	}()
	return next(it.ctx)
}

// run serves the item: a health check or an item of an unknown type is
// stopped at once; a session's is held by heartbeats from the start, its
// tools run until the session ends, and it is stopped unless its lease was
// lost.
func (it *item) run(ctx context.Context) error {
	data := it.polled.Data
	switch {
	case data.IsHealthcheck():
		it.w.counters.healthchecks.Add(1)
		it.log.Info("worker: health check; stopping it")
		it.stop(ctx)
		return nil
	case !data.IsSession() || data.ID == "":
		it.w.counters.unknownItems.Add(1)
		it.log.Warn("worker: an item of a kind this worker does not serve; stopping it")
		it.stop(ctx)
		return nil
	}
	lease, err := managedagents.NewWorkLease(it.hc, it.acked, managedagents.WorkLeaseOptions{DesiredTTLSeconds: it.w.opts.DesiredTTLSeconds})
	if err != nil {
		it.stop(ctx)
		return err
	}
	beats := it.startHeartbeats(ctx, lease)
	err = it.session(ctx, lease, beats)
	if lost := beats.stop(); lost != nil {
		return lost // the lease is gone: the item is not ours to stop
	}
	it.stop(ctx)
	switch {
	case it.interrupted():
		return ErrInterrupted
	case errors.Is(context.Cause(ctx), errStopRequested):
		return nil
	}
	return err
}

// interrupted reports whether the worker's stop cut the item short.
func (it *item) interrupted() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.draining || errors.Is(context.Cause(it.ctx), ErrInterrupted)
}

// session sets the item's session up (working directory, memory stores,
// toolset, skills), runs its tool calls until the session ends or the item's
// context does, and cleans up, all under the lease.
func (it *item) session(ctx context.Context, lease *managedagents.WorkLease, beats *heartbeats) error {
	w := it.w
	sessionID := it.polled.Data.ID
	sess, err := it.ic.Sessions.Get(ctx, sessionID, managedagents.SessionGetParams{})
	if err != nil {
		it.forgetIfGone(err)
		return cancelled(ctx, fmt.Errorf("worker: reading session %s: %w", sessionID, err))
	}
	if sess.Status == managedagents.SessionStatusTerminated || !sess.ArchivedAt.IsZero() {
		it.log.Info("worker: the session is terminated; nothing to run", "status", string(sess.Status))
		it.forgetSession()
		return nil
	}
	dir, err := it.makeWorkdir()
	if err != nil {
		return err
	}
	defer it.removeWorkdir(dir)
	memory, err := mountMemoryStores(ctx, it, sess, dir)
	if err != nil {
		return cancelled(ctx, err)
	}
	clean := false
	defer func() { memory.finish(ctx, clean) }()
	opts := w.opts.Toolset
	opts.Secrets = slices.Concat(opts.Secrets, w.secrets, it.secrets())
	opts.AllowedRoots = append(slices.Clone(opts.AllowedRoots), memory.roots()...)
	opts.ReadOnlyRoots = append(slices.Clone(opts.ReadOnlyRoots), memory.readOnlyRoots()...)
	ts, err := agenttoolset.New(dir, opts)
	if err != nil {
		return fmt.Errorf("worker: making the toolset: %w", err)
	}
	defer it.closeToolset(ts)
	it.installSkills(ctx, ts, sess)

	select { // the lease's first answer, and its TTL, before any tool runs
	case <-beats.first:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	r, err := toolrunner.New(it.ic, sessionID, toolrunner.Options{
		Executor:       toolrunner.ToolsetExecutor{Toolset: ts},
		CustomTools:    w.opts.CustomTools,
		Middleware:     append([]toolrunner.Middleware{w.countToolCall, memory.afterToolCall}, w.opts.ToolMiddleware...),
		Store:          w.store,
		MaxConcurrency: w.opts.MaxConcurrentToolCalls,
		ToolTimeout:    w.opts.ToolTimeout,
		SendWindow:     lease.TTL(),
		MaxIdle:        w.opts.MaxIdle,
		Logger:         it.runLog,
	})
	if err != nil {
		return fmt.Errorf("worker: making the tool runner: %w", err)
	}
	if !it.setRunner(r) {
		return ErrInterrupted
	}
	stopSync := memory.startSync(ctx)
	err = r.Run(ctx)
	stopSync()
	it.forgetIfGone(err)
	it.retireRunner(r)
	clean = err == nil && !it.interrupted()
	return err
}

// forgetIfGone forgets the item's session when err says it is gone (a
// 404: deleted). The runner forgets a session it saw end by itself.
func (it *item) forgetIfGone(err error) {
	if errors.Is(err, managedagents.ErrNotFound) {
		it.forgetSession()
	}
}

// forgetSession drops the records of the item's session, which ended for
// good (terminated, archived or deleted), from the worker's store when it is
// a toolrunner.MemoryStore: no call of it can come again.
func (it *item) forgetSession() {
	if ms, ok := it.w.store.(*toolrunner.MemoryStore); ok {
		ms.Forget(it.polled.Data.ID)
	}
}

// cancelled returns the cause of ctx when it ended, else err.
func cancelled(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// secrets returns the item's secret and sessions token, to keep them out of
// the shell's environment.
func (it *item) secrets() []string {
	s := it.polled.Secret.Reveal()
	if s == "" {
		return nil
	}
	if tok := worksecret.SessionsToken(s); tok != "" {
		return []string{s, tok}
	}
	return []string{s}
}

// setRunner sets the runner of the item's tool calls (nil once it
// returned); false when the worker began to stop before it started.
func (it *item) setRunner(r *toolrunner.Runner) bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if r != nil && it.draining {
		return false
	}
	it.runner = r
	return true
}

// retireRunner moves the counts of the runner that returned into the
// worker's, at once for Stats.
func (it *item) retireRunner(r *toolrunner.Runner) {
	it.w.mu.Lock()
	defer it.w.mu.Unlock()
	it.mu.Lock()
	defer it.mu.Unlock()
	it.w.counters.posted.Add(r.Stats().Posted)
	it.runner = nil
}

// drain stops the item gracefully for the worker's stop: its running tool
// calls finish and post their results, until ctx ends (then they are
// cancelled); an item not running its tools yet is cancelled at once.
func (it *item) drain(ctx context.Context) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.ended {
		return
	}
	it.draining = true
	r := it.runner
	if r == nil {
		it.cancel(ErrInterrupted)
		return
	}
	it.w.wg.Add(1) // the item's own count is held: ended is false
	go func() {
		defer it.w.wg.Done()
		_ = r.Shutdown(ctx)
	}()
}

// stop stops the item (force), with the item's token, bounded by
// StopTimeout and not cancelled by the worker's stop. A 409 (already
// stopped) is a success.
func (it *item) stop(ctx context.Context) {
	w := it.w
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.opts.StopTimeout)
	defer cancel()
	res, err := it.hc.Environments.Work.Stop(sctx, w.env, it.id, managedagents.EnvironmentWorkStopParams{Force: true})
	if err != nil {
		w.counters.stopErrors.Add(1)
		it.log.Error("worker: stopping the item failed", "error", err.Error())
		return
	}
	w.counters.stops.Add(1)
	it.log.Debug("worker: item stopped", "already_stopped", res.AlreadyStopped)
}

// makeWorkdir creates the item's working directory, Workdir/<work_id>,
// empty (what a worker that died left there is removed first).
func (it *item) makeWorkdir() (string, error) {
	if it.id == "" || it.id == "." || it.id == ".." || strings.ContainsAny(it.id, `/\`+"\x00") {
		return "", fmt.Errorf("worker: work id %q cannot name a directory", it.id)
	}
	dir := filepath.Join(it.w.workdir, it.id)
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("worker: clearing the working directory: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", fmt.Errorf("worker: creating the working directory: %w", err)
	}
	return dir, nil
}

// removeWorkdir removes the item's working directory, unless
// Options.KeepWorkdirs.
func (it *item) removeWorkdir(dir string) {
	if it.w.opts.KeepWorkdirs {
		return
	}
	if err := os.RemoveAll(dir); err != nil {
		it.log.Warn("worker: removing the working directory failed", "error", err.Error())
	}
}

// closeToolset ends the item's shell and every process it started, and
// waits for them to die. The skills it installed go with the working
// directory.
func (it *item) closeToolset(ts *agenttoolset.Toolset) { _ = ts.Close() }
