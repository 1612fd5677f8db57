// Package managedagentstest is an in-memory fake of the Claude Managed Agents
// API for tests, in the spirit of net/http/httptest and pubsub's pstest.
//
// [NewServer] starts an httptest server that implements every endpoint the SDK
// covers (agents and their versions, environments, sessions, session events and
// their stream, resources, threads, the work queue of self-hosted
// environments; [Server.Routes] lists them) from the API's
// documented wire contract, not from the SDK's types. [Server.Client] returns
// an SDK client pointed at it; any other client works too: the conformance
// module of this repository drives the fake with the official Go SDK and
// checks every answer against its types.
//
//	srv := managedagentstest.NewServer()
//	defer srv.Close()
//	client := srv.Client()
//	// use client as in production: create an agent, an environment, a session,
//	// open the stream, send a user.message ...
//
// # Behaviour
//
// Every answer is built from the response schema of the API, never by echoing
// the request: an agent's tools list the resolved config of every built-in
// tool, multiagent rosters name each agent version as
// {"type":"agent","id","version"} and a session's copy expands them to agent
// snapshots, optional fields the API answers as null are null, and unknown
// request fields are refused with 400.
//
// The server requires an API key (x-api-key or Authorization: Bearer; 401
// otherwise, and for any key but the one of [WithAPIKey]), anthropic-version
// and the managed-agents-2026-04-01 beta (400 without it; 404 on thread
// endpoints). Unknown ids give 404 not_found_error,
// bad bodies and unknown query parameters 400 invalid_request_error, all with the
// error envelope {"type":"error","error":{...},"request_id":"req_…"} and a
// request-id header. Lists are paginated with opaque next_page cursors (and
// prev_page on sessions). IDs have the API's prefixes (agent_, env_, sesn_,
// sevt_, sthr_, sesrsc_, req_) and come from counters; timestamps are RFC 3339
// UTC with milliseconds from the server's clock ([WithClock], [Server.SetNow],
// [Server.AdvanceClock]).
//
// A stream (GET /v1/sessions/{id}/events/stream) stays open across turns, sends
// heartbeats ([WithHeartbeat]), delivers only events emitted after it opened (no
// replay), in processed_at order, framed as "event: <type>" and "data: <json>",
// and sends event_start/event_delta previews only for the event_deltas[] asked.
// It ends after session.deleted or session.status_terminated. A system.message
// must be the last event of its request, directly after the user.message or
// tool result it accompanies. A session idle with stop_reason budget_reached
// accepts only tool confirmations, tool results and interrupts (not persisted)
// until a session update changes its budget. Sent events are
// processed on receipt and echoed with processed_at set, unless
// [WithQueuedEcho] emulates queued messages.
//
// # Scripted agents
//
// Each user.message starts a turn played by a [Script] ([DefaultScript] unless
// [WithScript] or [Server.SetScript] says otherwise) through a [Turn]: messages,
// thinking, model-request spans, tool uses and results, custom tool uses and
// always_ask confirmations that wait for the client's answer ([Turn.Await]),
// errors, idles with any stop reason, usage, and child threads of a
// multiagent session ([Turn.StartThread]), with their own events and stream. A
// user.interrupt stops the turn.
//
// # Self-hosted work
//
// A session created in a self-hosted environment ({"type":"self_hosted"})
// queues a work item, and so does new input (a user.message, an outcome, a
// confirmation or custom tool result) for a session whose last item
// stopped; [Server.EnqueueHealthcheck] queues a health check. A poll
// (/work/poll) claims the oldest item it may have, blocking up to block_ms
// on the server's clock (a frozen clock releases it when moved past its end
// or when work is queued); an item polled and not acked is handed out again
// after reclaim_older_than_ms (default 5 s). A polled item carries a secret,
// unpadded URL-safe base64 of {"sessions_token":…}, with a new token for each
// claim. The ack starts the lease ([WithWorkLeaseTTL], default 30 s, or
// desired_ttl_seconds); each heartbeat must send the stored heartbeat byte
// for byte (NO_HEARTBEAT before the first), or gets 412
// heartbeat_precondition_failed with details.current_state; stored
// heartbeats are the beat's time, a millisecond apart at least. A lease
// without a heartbeat for its TTL lapses: the item is queued again, and the
// old holder's heartbeat answers lease_extended false, state stopped, until
// another poll takes it (412 after). A stop answers 204 without a body
// (stopped at once with force or when queued, else stopping until its lease
// lapses), and 409 when the item is stopped already. Get, update (metadata
// patch), list and stats (depth, pending, oldest_queued_at, the worker ids
// that polled in the last 30 s) complete the queue. [WithEmptyPoll] picks how
// an empty poll is answered (200 null by default, 204, {} or no body).
//
// Credentials are checked per endpoint as the API does: poll, ack and list
// take only the environment key ([TestEnvironmentKey], or
// [WithEnvironmentKey]) as Authorization: Bearer; heartbeat and stop the
// item's token or the environment key; work get and update only the API key;
// stats the API key or the environment key; a session's endpoints the API
// key, the token of one of the session's items, or, for a self-hosted
// session, the environment key. [Request.Credential] records which kind a
// request carried. [Server.Client] sends the environment key where it is
// taken.
//
// # Faults and inspection
//
// [Server.FailNext], [Server.DropNext] and [Server.Delay] act on routes (the
// Route constants); [Server.AddStreamFault] and its shorthands cut, stall,
// corrupt, pad or duplicate the next stream connection (or the next one to a
// given session, with [StreamFault].SessionID); [Server.CutStreams] ends the
// open ones. [WithRateLimits] emulates the per-minute budgets (429 with
// retry-after), and [Server.RateCount] and [Server.MaxRateCount] tell how close a
// client came. [Server.Requests] is the request log (credentials removed);
// [Server.Events], [Server.Session], [Server.SessionStatus] and
// [Server.WaitIdle] inspect sessions; [Server.Call] seeds data without HTTP.
package managedagentstest
