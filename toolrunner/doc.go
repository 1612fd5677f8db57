// Package toolrunner runs the tool calls of a Managed Agents session on your
// side and posts their results: the built-in tools of a self-hosted
// environment (agent.tool_use, answered with user.tool_result) through an
// [Executor], and your own custom tools (agent.custom_tool_use, answered with
// user.custom_tool_result) through handlers registered by name. A worker of a
// self-hosted environment runs one [Runner] per work item; any program that
// answers custom tools can use one too.
//
//	ts, err := agenttoolset.New(workdir, agenttoolset.Options{Secrets: []string{token}})
//	…
//	defer ts.Close()
//	r, err := toolrunner.New(client, sessionID, toolrunner.Options{
//		Executor:       toolrunner.ToolsetExecutor{Toolset: ts},
//		RequestOptions: []option.RequestOption{option.WithAuthToken(token)},
//	})
//	err = r.Run(ctx) // until the session ends, idles, r.Shutdown, or ctx ends
//
// # What it acts on
//
// The runner follows the session's events (the SDK's [managedagents.EventStream],
// which reconnects, backfills and deduplicates), after reading the whole
// history, as the reference's runner does (self-hosted.md §4):
//   - agent.tool_use and agent.custom_tool_use of the tools it owns run; other
//     tools are left to their owner and reported to Options.OnUnanswered with
//     [ErrNotOwned]; agent.mcp_tool_use is not its business.
//   - evaluated_permission absent or "allow" runs the call; "deny" runs nothing
//     and posts nothing; "ask" (or a value it does not know) holds the call
//     until a user.tool_confirmation for it: "allow" runs it, anything else
//     denies it. The runner never sends confirmations.
//   - a user.interrupt voids the calls processed up to it, of the thread it
//     names or of every thread: held and queued ones never run, a running one
//     is cancelled (its context's cause is [ErrVoided]), nothing is posted for
//     them. session.thread_status_terminated voids the calls of that thread.
//   - a user.tool_result or user.custom_tool_result for a call, posted by
//     anyone, answers it: a call not started yet never starts.
//   - session.status_terminated or session.deleted ends Run; so does an idle
//     of Options.MaxIdle after a turn ended with nothing outstanding.
//
// # Exactly once
//
// The official runner runs a call again when its result post failed after
// reaching the server, and posts results without checking whether an earlier
// attempt landed. This one does neither:
//   - At most one run per tool_use id. Before a call runs, it is claimed in
//     the [Store] (CallStarted); its result is recorded (CallFinished) before
//     the first post; the record becomes CallAnswered once a post succeeded or
//     the history showed a result, and CallReleased when the runner stops
//     before that. A claim that finds a record never runs the call: a
//     released result is posted after checking the history, a call released
//     while it ran is answered with an error result saying it was cut short,
//     and a call another runner is at (or died at) is waited for until it is
//     answered or its time is up. The default store lives in memory; share a
//     persistent one between the runners of a session (a worker restarted, a
//     work item reclaimed) to keep the promise across processes.
//   - One result per call. A post that may have reached the server (a
//     connection reset or timeout after sending, a 408, 409 or 5xx answer: the
//     SDK's [managedagents.ErrDeliveryUncertain]) is never repeated blindly:
//     the runner lists the session's events of the result's type processed
//     since the call (GET /v1/sessions/{id}/events with types[] =
//     user.tool_result and created_at[gte] = the call's processed_at; and the
//     thread's events for a call of a child thread) and posts again only if
//     no result names the call. A post the server
//     surely did not take (a 429) is repeated; one refused for good (another
//     4xx) is checked against the history once, then reported. Posts are
//     retried for Options.SendWindow, paced by Options.Backoff.
//   - Calls are held while the history is read (at the start, and whenever the
//     stream is opened again after it gave up), so that a call whose result
//     the history holds further on never starts; the stream then starts from
//     the last event read, so that nothing falls into a gap and nothing is
//     taken in twice.
//
// # Concurrency
//
// Calls of different threads (a multiagent session's child threads, whose
// calls come with their session_thread_id) run at once, up to
// Options.MaxConcurrency; the calls of one thread run one after the other, in
// their order, each result posted before the next call starts. A call held for
// confirmation holds the calls after it in its thread.
//
// # Stopping
//
// Cancelling Run's context stops at once: running calls are cancelled (their
// context's cause is the cause given to the cancel: a worker that lost its
// lease cancels with its own), nothing more is posted, and Run returns that
// cause. [Runner.Shutdown] stops gracefully: no new call starts, running ones
// finish and post, then Run returns nil. Calls that never started are
// reported with [ErrStopped]; calls cut short are released in the store.
//
// # In a worker
//
// One Runner per work item, on the item's session, with the item's sessions
// token as its credential (RequestOptions: option.WithAuthToken), the item's
// toolset as its Executor (ToolsetExecutor), Options.SendWindow set to the
// lease's TTL, and a Store shared by the worker's items (persistent, to span
// restarts). The worker cancels Run's context with its own cause when the
// lease is lost (a 412, or no good heartbeat within the TTL): the tools stop,
// nothing more is posted, the calls cut short are released; it calls
// [Runner.Shutdown] with its grace period on a drain. When Run returns nil
// the session ended or idled: the worker stops the item.
//
// # Observing
//
// Options.Middleware wraps each call's run. A [ToolCall] is a tool call as the
// otelmanagedagents module's tool span sees it (SessionID, ToolUse,
// Description), so one span per call, anthropic.tool_use <name> or
// anthropic.custom_tool_use <name> with the call's id, session, thread,
// duration and error, is one middleware:
//
//	func(ctx context.Context, call toolrunner.ToolCall, next toolrunner.ToolFunc) (toolrunner.ToolResult, error) {
//		ctx, span := tel.StartTool(ctx, call)
//		res, err := next(ctx, call)
//		if err == nil && res.IsError {
//			span.End(errors.New(res.Content.Text())) // a tool error
//		} else {
//			span.End(err)
//		}
//		return res, err
//	}
//
// [CallFromContext] finds the call in the context of the run and of the
// requests that post its result, so a client middleware (option.WithMiddleware)
// can tag them. Options.Logger gets structured logs (ids, names, durations,
// errors: never inputs, results or credentials), and [Runner.Stats] counts
// what was run, posted, reconciled, retried, voided, denied and left
// unanswered.
package toolrunner
