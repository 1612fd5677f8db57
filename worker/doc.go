// Package worker runs the tools of a self-hosted environment's sessions on
// your own machines: a [Worker] polls the environment's work queue, holds
// each work item's lease by heartbeats, runs the session's agent.tool_use
// calls (bash, read, write, edit, glob, grep) in a working directory of the
// item's own with the agent toolset, posts each user.tool_result, and stops
// the item when the session is done (self-hosted.md of the reference).
//
//	client := managedagents.NewClient() // ANTHROPIC_ENVIRONMENT_KEY from the environment
//	w, err := worker.New(client, environmentID, worker.Options{
//		Workdir:            "/var/lib/agent-worker",
//		MaxConcurrentItems: 16,
//		Logger:             slog.Default(),
//	})
//	…
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	if err := w.Start(ctx); err != nil { … }
//	<-w.Stopped() // SIGTERM: drained for Options.DrainTimeout, items stopped
//
// # An item's life
//
// The worker polls only while it has room for one more item (at most
// Options.MaxConcurrentItems at once), paced by its poll budget, and acks
// what it gets at once. For a session's item it then, in order:
//
//  1. sends the first heartbeat (expected_last_heartbeat NO_HEARTBEAT) at
//     once, before any slow setup, and one every half TTL after (at least
//     every second, at most every 30 s), echoing the last heartbeat byte for
//     byte; the heartbeats go on until the item is stopped, cleanup
//     included;
//  2. reads the session with the item's sessions token (a terminated session
//     runs nothing);
//  3. creates the item's working directory, Workdir/<work_id>;
//  4. downloads the session's memory stores into their folders
//     ([MemoryMarkerFile] marks each one), which the file tools may reach;
//  5. downloads the skills of the session's agent into
//     {workdir}/skills/<name> (a skill that fails is logged and skipped);
//  6. runs the session's tool calls with a toolrunner.Runner and an
//     agenttoolset.Toolset of the item's own, until the session ends or idles
//     for Options.MaxIdle after a turn, syncing the memory stores every
//     Options.MemorySyncInterval while calls happen;
//  7. ends the shell and every process it started, syncs the memory stores a
//     last time, and removes the memory folders it made and the working
//     directory, skills included (unless Options.KeepWorkdirs);
//  8. stops the heartbeats, then stops the item (force), unless its lease
//     was lost.
//
// A health check is stopped at once, without a heartbeat; an item of a kind
// the worker does not know is stopped and skipped.
//
// # Leases
//
// The heartbeats' answers decide (self-hosted.md §3.4): a 412, or no
// successful heartbeat for the lease's whole TTL ([LeaseLapsedError]), means
// the lease is lost: the item's context is cancelled with that cause
// (matching managedagents.ErrLeaseLost), its tools are stopped, nothing more
// is posted, and the item is not stopped, for it is not the worker's any
// more. An answer that the item is stopping, or a heartbeat refused for
// good, ends the item the same way, and the worker stops it. A heartbeat
// that fails otherwise is tried again at the next interval. A heartbeat
// whose answer was lost is recovered from the next 412's current_state (see
// managedagents.WorkLease), where the official worker drops a lease it
// holds.
//
// The heartbeats and stops have a rate limiter of their own
// (Options.HeartbeatBudget), and the polls and acks go through one without
// the client's limiter (the poll budget paces them): a 429 answered to a
// poll pauses the polls only, one answered to a session call the client's
// requests only, and neither can make a lease lapse.
//
// # Exactly once
//
// The runner runs each tool call at most once and posts one result per call,
// reconciling a post whose outcome is uncertain against the session's
// history (see package toolrunner). Its record of started calls
// (Options.Store, one toolrunner.MemoryStore per worker by default) is shared
// by the worker's items, so that an item served again after its lease lapsed
// never runs a call twice; give several workers one persistent Store to keep
// that promise across them. The default store stays bounded in a worker that
// runs for months: a session's records go once it ended for good
// (terminated, archived or deleted), and when its last item ends, those of
// the calls its history settled; what stays is what the session could still
// replay (see Options.Store).
//
// # Stopping
//
// Three ways, after River's: the end of [Worker.Start]'s context drains the
// worker for Options.DrainTimeout; [Worker.Stop] drains it until its own
// context ends; [Worker.StopAndCancel] cancels at once. Draining polls no
// more, lets the running tool calls finish and post their results, then
// cancels what is left (killing its processes), and stops every item. An
// item cut short this way ends with [ErrInterrupted], an interruption, not
// a failure. [Worker.Stopped] is closed once every goroutine, heartbeat,
// tool call and process of the worker ended. A poll refused for good (a
// revoked environment key, an environment that is gone) stops the worker
// the same way; [Worker.Err] says why.
//
// # Observing
//
// Options.Logger gets structured logs (ids, states, durations, errors; never
// a secret, a token, a tool's input or output). [Worker.Stats] returns
// counters to export as metrics. Options.ItemMiddleware wraps the serving of
// each item, for example in an anthropic.environment.work span
// (otelmanagedagents' Telemetry.WorkMiddleware); Options.ToolMiddleware wraps
// each tool call (otelmanagedagents' TraceTool).
//
// # Security
//
// The file tools are confined to the item's working directory and its
// memory stores' folders (see package agenttoolset). bash is not: it runs as
// the worker's user, with the worker's network. Its environment holds no
// ANTHROPIC_* variable, and none whose value holds a credential of the
// worker's client (the environment key, the API key, an auth token), the
// item's secret or sessions token, or one of Options.Toolset.Secrets.
// Run the worker as a user with no more rights than its tools need, or give
// Options.Toolset.Shell a sandbox.
//
// # Compared with the official worker
//
// The official SDK's worker (lib/environments) serves one item at a time
// and runs a session's calls one after the other; this one serves
// Options.MaxConcurrentItems items, and runs the calls of different threads
// at once. The official one re-runs a tool whose result post failed after
// reaching the server, may post a result twice, drops a lease whose
// heartbeat answer was lost, and returns at once on a permanent poll error;
// this one does none of these, and drains its items before it stops on a
// refused poll.
package worker
