// Package managedagentstest is an in-memory fake of the Claude Managed Agents
// API for tests, in the spirit of net/http/httptest and pubsub's pstest.
//
// [NewServer] starts an httptest server that implements every endpoint the SDK
// covers (agents and their versions, environments, sessions, session events and
// their stream, resources, threads, deployments and their runs, vaults and
// their credentials, memory stores with their memories and versions, files,
// skills and their versions, the work queue of self-hosted environments;
// [Server.Routes] lists them) from the API's
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
// sevt_, sthr_, sesrsc_, depl_, drun_, vlt_, vcrd_, memstore_, mem_, memver_,
// file_, skill_, skver_, work_, req_) and come from counters; timestamps are RFC 3339
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
// # Files and skills
//
// Files and skills take no beta header (their deprecated betas are refused:
// they would select shapes the fake does not serve). Uploads are multipart,
// streamed and held in memory up to [WithMaxFileSize]; an upload is not
// downloadable (400 file_not_downloadable), an expired file answers 404
// file_expired. A session's outputs come from [Turn.WriteOutput] or
// [Server.WriteOutput]: downloadable files whose scope is the session, listed
// by GET /v1/files?scope_id=…. Skills are built from the uploaded files[]
// parts (one top directory, SKILL.md in it, whose frontmatter gives the name
// and description), with versions, the latest alias on retrieve, and a zip of
// the version under a directory named after the skill as its content; the
// Anthropic skills docx, pdf, pptx and xlsx are listed and read-only.
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
// session, the environment key; a memory store's endpoints the API key or
// the token of an item whose session uses the store; a skill version and
// its content the API key or the token of an item whose session's agent
// loads the skill. [Request.Credential] records which kind a
// request carried. [Server.Client] sends the environment key where it is
// taken.
//
// # Deployments and vaults
//
// A deployment's schedule fires on the server's clock: whenever
// [Server.AdvanceClock] or [Server.SetNow] moves the clock (or, on the real
// clock, when a request finds it moved), every instant of every active
// schedule it passed fires, oldest first, with the clock set to the instant:
// one deployment run and one session per instant, the session made from the
// deployment (its deployment_id set, its initial events sent), no jitter.
// Paused and archived deployments do not fire, unpausing does not run the
// instants missed, and a scheduled run that cannot create its session (an
// archived or deleted agent, environment, vault or memory store, resources a
// self-hosted environment refuses) records the error and pauses the
// deployment with it.
// Run fires at once, paused or not. Credentials keep their secrets
// write-only: no answer and no entry of the request log holds them. A
// session's vault_ids must name live vaults. mcp_oauth_validate judges by
// the clock: a token before its expires_at is valid; after it, a refresh
// token renews it (unknown), and without one the credential is invalid.
//
// # Memory stores
//
// Memory stores, memories and memory versions answer under the
// agent-memory-2026-07-22 beta (or managed-agents-2026-04-01), with the
// reference's rules: paths (start with "/", 1–20 segments, none empty, "." or
// "..", no control or format characters, at most 1,024 bytes), content of at
// most 102,400 bytes (413 beyond), list pages of at most 20 with view=full,
// 409 memory_path_conflict_error for a path taken and 409
// memory_precondition_failed_error for a content hash that no longer holds,
// a version for every write (none for an update that changes nothing),
// redaction, and an archived store that refuses writes and new sessions but
// reads, deletes memories and redacts. A session mounts only existing,
// unarchived stores, at most 8, at /mnt/memory/<slug of the name>. A script
// writes through the mount with [Turn.WriteMemory] (versions by a
// session_actor) and reads with [Turn.ReadMemory]; [MemoryScript] is an agent
// that keeps notes there.
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
//
// # Webhooks
//
// [Server.RegisterWebhook] registers an endpoint, as the Console does for a
// workspace, with its signing secret and the event types it subscribes to;
// the server then POSTs a signed webhook event (package webhooks verifies and
// decodes them) on each state change the API announces: agent.created,
// .updated, .archived; environment.created, .updated, .archived, .deleted;
// session.created, .updated, .archived, .deleted; session.status_run_started,
// .status_idled, .status_rescheduled, .status_terminated, and the other family
// session.running, .idled, .requires_action; session.budget_reached (once per
// budget value); session.outcome_evaluation_ended; session.thread_created,
// .thread_idled, .thread_terminated; the memory_store.*, deployment.*,
// deployment_run.*, vault.* and vault_credential.* events of those resources.
// Deliveries are asynchronous, one at a time per endpoint; an answer other than
// 2xx is retried with the same webhook-id after the waits of
// [WithWebhookBackoff] on the server's clock (with [WithClock],
// [Server.AdvanceClock] brings the retries). A server with a frozen clock signs
// with it: give the receiver's verifier webhooks.WithNow(srv.Now).
// [Server.WebhookDeliveries] is the delivery log, [Server.WaitWebhooks] waits
// for the deliveries to settle, and [Server.AddWebhookFault] duplicates, delays
// or reorders one. [Server.Close] stops them.
//
// # Recorded sessions
//
// The fake plays scripted agents. To test against behaviour captured from the
// real API, a [Recorder] records the traffic of a real run and replays it
// offline, so that the same test passes in CI with no key and no network:
//
//	func TestSummary(t *testing.T) {
//		rec := managedagentstest.NewRecorder(t, "testdata/summary")
//		client := managedagents.NewClient(rec.ClientOptions()...)
//		// the code under test, with client
//	}
//
// Run it once with MANAGEDAGENTS_RECORD=1 ([RecordEnv]) and ANTHROPIC_API_KEY
// set: the requests go to the API, the answers reach the client as they arrive
// (a stream's events too, while it is being recorded), and when the test ends
// the recording is saved to testdata/summary.json, with the raw bytes of each
// stream in testdata/summary.NNN.sse. Commit them. Without the variable the
// test replays them and sends nothing; a missing recording fails the test
// with the command that records it.
//
// Matching. A replay answers each request with the first recorded interaction
// not replayed yet whose method, path, query (the values of each name, in
// order) and body (JSON compared as values) are the same; headers are
// ignored. Identical requests get their recorded answers in turn. [WithMatcher]
// changes the comparison (add [MatchHeader], or leave matchers out). A request
// the recording does not hold fails the test (t.Errorf) with its differences
// from the closest recorded request, one line each, and the client gets a 400
// recording_mismatch_error that it does not retry.
//
// Streams. Each read of a stream is recorded with its time since the stream
// opened and the last write (a request other than GET) made before it. A
// replay delivers the same bytes in the same chunks, never before that write
// was replayed (the events a message caused never come before the message),
// as fast as the client reads ([WithRecordedTiming] keeps the recorded pace),
// and ends as the recorded stream did: at EOF (a disconnect without a
// terminal event included), with an error (a reset), or blocked until the
// client closes it. The SDK's reconnect and backfill run in a replay as they
// did live.
//
// Secrets are removed before anything is written. The values of secret
// headers (X-Api-Key, Authorization, cookies, any header naming a token, a
// secret, an API key, a password, a signature or a credential), of query
// parameters named like them, and of secret JSON members at any depth
// (authorization_token, access_token, refresh_token,
// client_secret, secret_value, sessions_token, session_ingress_token,
// signing_secret, api_key, password, every string of an "auth" object but its
// descriptive members, and the tokens inside a work item's "secret", which
// stays decodable) become "[redacted]". Then every value so found, the values
// of [WithSecrets], and anything shaped like an Anthropic key, a webhook
// signing secret or a GitHub token are removed from everywhere: paths,
// queries, headers, bodies, streams, errors. [WithRedactedFields],
// [WithRedactedHeaders] and hooks ([WithHook] at [AfterCapture], [BeforeSave],
// [BeforeReplay]) extend it. A replay redacts each request the same way before
// matching it, so a test that runs with other credentials still matches.
//
// Format. A recording is a versioned JSON document laid out for review:
// interactions in the order their requests started, bodies as JSON (short
// values on one line), headers sorted; plus one .sse file per stream holding
// its raw bytes. Keep git from changing those bytes with a line
// "*.sse -text" in testdata/.gitattributes.
//
// Why not go-vcr. gopkg.in/dnaeon/go-vcr.v4, the usual Go recorder, reads the
// whole answer with io.ReadAll before it returns it to the client (v4.0.8,
// pkg/recorder/recorder.go, Recorder.requestHandler): a stream recorded
// through it reaches the client only once the server ends it, so the events
// of a session stream, open across turns, would never arrive; a body that
// breaks while it is read fails the request instead of being recorded, so
// disconnects cannot be replayed; and a replay returns the whole body at once,
// after sleeping the whole recorded duration. Its interactions are YAML, read
// by a dependency this module does not take. The Recorder keeps go-vcr's good
// ideas: replay unless asked to record, staged hooks, a replaceable matcher,
// a version in the file, Discard.
package managedagentstest
