// Package managedagents is a Go client for the Claude Managed Agents API (beta
// managed-agents-2026-04-01), with an event stream that survives disconnects,
// creates and sends that are never blindly repeated, and client-side rate
// limiting.
//
// # Services
//
// A [Client] has one service per area of the API:
//
//   - Agents ([AgentService]) and Agents.Versions: agents and their versions.
//   - Environments ([EnvironmentService]) and Environments.Work
//     ([EnvironmentWorkService]): environments, and the work queue of a
//     self-hosted one, with [WorkPoller] and [WorkLease] for its workers.
//   - Sessions ([SessionService]) with Sessions.Events (send, list, stream),
//     Sessions.Resources (mounted repositories, files, memory stores) and
//     Sessions.Threads with Sessions.Threads.Events; [SessionService.RunTurn]
//     runs a whole turn.
//   - Deployments ([DeploymentService]) and DeploymentRuns
//     ([DeploymentRunService]): an agent run on a schedule or on demand, and
//     the record of each run.
//   - Vaults ([VaultService]) and Vaults.Credentials
//     ([VaultCredentialService]): the credentials sessions use.
//   - MemoryStores ([MemoryStoreService]) with MemoryStores.Memories and
//     MemoryStores.MemoryVersions.
//   - Files ([FileService]): uploads, a session's outputs, downloads.
//   - Skills ([SkillService]) and Skills.Versions ([SkillVersionService]).
//
// # Packages
//
// Beside this one, the module has these public packages: option (the
// options of a client and of a call, middleware), ratelimit (the limiter of
// the API's budgets, and the interface to share one), managedagentstest (an
// in-memory fake of the API, and a recorder of real exchanges), agenttoolset
// (the built-in tools of the agent toolset, run on your machine for a
// self-hosted environment), toolrunner (runs a session's tool calls on your
// side and posts their results once), worker (serves a self-hosted
// environment's work queue: polls, leases, runs each item's tools) and
// webhooks (verifies, decodes and serves the API's webhooks). Modules of their own, so that this one depends
// on none of their dependencies: otelmanagedagents (OpenTelemetry tracing and
// metrics), ratelimit/redisrate (one budget shared by many processes, on
// Redis), conformance (the fake and this package checked against the
// official Anthropic SDK) and benchmarks (compared with the official SDK).
//
// # Quick start
//
//	client := managedagents.NewClient() // reads ANTHROPIC_API_KEY
//	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
//		Name:  "Coding Assistant",
//		Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
//		Tools: []managedagents.Tool{managedagents.NewAgentToolset()},
//	})
//	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
//		Name:   "quickstart",
//		Config: &managedagents.CloudConfig{Networking: managedagents.NewNetworkingUnrestricted()},
//	})
//	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
//		Agent:         managedagents.NewAgentRef(agent.ID),
//		EnvironmentID: env.ID,
//	})
//	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
//		Events: []managedagents.EventParam{managedagents.NewUserMessage("Write hello.py and run it")},
//	})
//	fmt.Println(result.StopReason.Type, result.Text())
//
// A *Client is safe for concurrent use.
//
// # The shape of a call
//
// Every method of a service has one shape:
//
//	Method(ctx, ids..., params, opts ...option.RequestOption)
//
// The context comes first, then the ids of the path in its order (session,
// then resource or thread), then a params struct named <Resource><Verb>Params
// (AgentCreateParams, SessionEventSendParams, SessionThreadGetParams…; some
// are empty today, so that a parameter the API adds later is not a breaking
// change; [EventStreamParams] serves the session's and a thread's stream
// alike), then per-call options from package option, which override the
// client's for that call only. A method returns (*T, error), a *[Page] (List),
// an iter.Seq2[T, error] (ListAll) or an *[EventStream] (Stream). Arguments are
// checked before anything is sent: a [*ValidationError] names the field.
//
// # Constructors
//
// A function that builds a value is named New followed by the name of the type
// it returns, less the Param or Params suffix of the types you send:
// [NewAgentToolset] returns an *AgentToolset, [NewTextBlock] a *TextBlock,
// [NewUserMessage] a *UserMessageParam, [NewStaticBearerAuth] a
// *StaticBearerAuthParams, [NewAgentRef] an *AgentRef, [NewSkillRefCustom] a
// SkillRef. When a type has several
// shapes, the shape follows the type's name: [NewImageBlockURL],
// [NewNetworkingLimited], [NewUserToolConfirmationDeny], [NewRubricFile]. A
// type whose values are a fixed set has constants instead ([PolicyAlwaysAsk],
// [EffortHigh], [EventTypeAgentMessage]), and a struct whose fields are all
// yours is written as a literal (ModelConfig{ID: "claude-sonnet-5-5"}).
// Functions that read JSON are Decode followed by the type: [DecodeEvent],
// [DecodeSessionResource].
//
// # Updates
//
// Update params send only the fields that are set: a zero field keeps the
// stored value. To clear a field, name it, as it is named in the API, in the
// params' Clear list; it is sent as null (as "" where the API clears with an
// empty string: a memory store's description, an OAuth credential's scope):
//
//	client.Sessions.Update(ctx, id, managedagents.SessionUpdateParams{
//		Clear: []string{"title", "metadata"},
//	})
//
// Each update params struct lists the fields it can clear; any other name, or a
// field both set and cleared, is a *ValidationError. Metadata is also patched
// key by key with [MetadataPatch], and list fields (tools, MCP servers,
// skills) are replaced as a whole.
//
// # Authentication
//
// [NewClient] reads ANTHROPIC_API_KEY (sent as x-api-key), ANTHROPIC_ENVIRONMENT_KEY
// (a self-hosted environment's key, sent as Authorization: Bearer on the work
// endpoints that take it) and ANTHROPIC_BASE_URL (default
// https://api.anthropic.com); option.WithAPIKey, option.WithAuthToken (sent as
// Authorization: Bearer), option.WithEnvironmentKey and option.WithBaseURL
// override them. Every request carries anthropic-version: 2023-06-01 and
// anthropic-beta: managed-agents-2026-04-01 (memory store requests send
// agent-memory-2026-07-22 instead; files and skills send none), merged with
// the names of option.WithBetas, and exactly one credential, chosen by its
// endpoint. No
// key or token ever appears in an error, a log line, a reconnect notice or a
// formatted value, even when a server or proxy echoes it back (in a header, a
// body, a value that fails to decode: every string from the server is
// redacted), and none is sent along a redirect to another host.
//
// # Secrets
//
// The tokens and secret values of vault credentials and the authorization
// tokens of repository resources are [Secret] values (build them with
// [NewSecret], or with constructors such as [NewStaticBearerAuth]): every fmt
// verb, log/slog and encoding/json show "[redacted]", only the body of the
// request that carries them holds them, and an error answer that echoes one
// has it masked, as the API key is.
//
// # Errors
//
// An error answer of the API is an [*APIError] (status, error type, message,
// request id, retry-after, raw body), classified with errors.Is against
// [ErrNotFound], [ErrRateLimited], [ErrConflict], [ErrOverloaded], [ErrServer] and
// the other sentinels. A cancelled context gives ctx.Err(). A 2xx answer whose
// body cannot be read is a [*ResponseError] matching [ErrMalformedResponse]: the
// request took effect, so do not repeat a create blindly. A stream that gives up
// after its reconnect budget returns a [*StreamError] wrapping the last cause.
//
// Every error type of the package documents its fields and starts its message
// with "managedagents: " once; errors.Is and errors.As see through a
// [*DeliveryError] or a [*StreamError] to the cause, for example the *APIError
// of a 5xx answer and its request id.
//
// # Retries
//
// Failed requests are retried twice by default (option.WithMaxRetries) on
// connection errors and 408, 409, 429, 5xx and 529 answers (but a 409 to a
// memory write, a failed precondition or a path taken, is final); x-should-retry
// overrides the status; retry-after-ms and retry-after are honoured up to
// option.WithMaxRetryAfter (60 s); otherwise the wait is 0.5 s × 2ⁿ (at most 8 s)
// with jitter. No wait runs past the context's deadline. Creates (of every
// kind of resource, uploads included), deployment runs, event sends, and work
// acks and heartbeats are never sent twice: they are retried only on a 429 or
// when the request surely never left; any other failure after sending is a
// [*DeliveryError] matching [ErrDeliveryUncertain].
//
// Each endpoint declares once, where it is defined, whether it may be sent
// again and which rate class it spends; the transport reads nothing else.
// Opening an event stream is a request like the others: its first open
// follows the retry policy and returns its error; the reconnect budget
// (option.WithStreamReconnects) applies only once the stream has been open,
// and reconnects wait by the same backoff, bounded by option.WithStreamBackoff.
//
// # Rate limits
//
// The API allows 60 create and 600 read requests per minute per organization.
// Each client has an in-process limiter (package ratelimit) that keeps every
// sliding minute within those budgets, takes a slot for each attempt, stream
// (re)connect and list page, and pauses every caller of a class after a 429. A
// wait that would outlast the context's deadline fails at once with a
// *ratelimit.WaitError matching [ErrRateLimited]. Share one limiter between
// clients with option.WithLimiter, or share the budget between processes with
// the ratelimit/redisrate module.
//
// The limiter belongs to the client: option.WithRateLimits, option.WithLimiter
// and option.WithoutLimiter are options of [NewClient] and [Client.WithOptions],
// refused with an error when given to one call.
//
// # Middleware
//
// option.WithMiddleware wraps every attempt of every call (stream opens
// included), the first middleware outermost, inside the retry loop. A
// middleware finds the call it belongs to with option.CallFromContext: its
// operation ("sessions.events.send"), route, path parameters, attempt number,
// rate-limiter wait, values kept across attempts, and OnEnd, run once when the
// call ends (for a stream, when its connection ends): enough for one tracing
// span or one metric per call. option.WithResponseInto stores the last HTTP
// response of one call (status, headers, request id); option.WithWorkspaceID
// sends anthropic-workspace-id. Clients built without option.WithHTTPClient
// share one connection pool.
//
// # Pagination
//
// List calls return one [Page] (Data, NextPage); pass NextPage as the Page param
// to get the next. ListAll calls return an iter.Seq2 that fetches pages lazily
// and stops at the first error:
//
//	for agent, err := range client.Agents.ListAll(ctx, managedagents.AgentListParams{}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(agent.ID, agent.Name)
//	}
//
// # Events
//
// Session events are a sealed [Event] interface with one struct per event type;
// [EventType] names them. An event type this package does not know decodes to
// [*UnknownEvent], and every event keeps its raw JSON. The objects of the API
// (agents, sessions, deployments, vaults, files, skills and the others)
// embed [ObjectMeta] as events embed [EventMeta]: id, type, timestamps and
// raw JSON. Send events with
// [SessionEventService.Send] and the constructors [NewUserMessage],
// [NewUserInterrupt], [NewUserToolConfirmationAllow],
// [NewUserToolConfirmationDeny], [NewUserCustomToolResult],
// [NewUserDefineOutcome] and friends.
//
// # Streaming
//
// [SessionEventService.Stream] opens a session's event stream and keeps it
// alive: a dropped connection, a clean end of body without a terminal event, or
// silence beyond the idle timeout (option.WithStreamIdleTimeout, heartbeats
// count) is a disconnect. The stream then backs off, reopens first, backfills
// the events it missed from the events list, and delivers every event exactly
// once and in order. It ends for good at session.status_terminated or
// session.deleted. [SessionThreadEventService.Stream]
// (client.Sessions.Threads.Events) does the same for one thread.
//
//	stream, err := client.Sessions.Events.Stream(ctx, session.ID, managedagents.EventStreamParams{})
//	if err != nil {
//		return err
//	}
//	defer stream.Close()
//	for ev, err := range stream.All() {
//		if err != nil {
//			return err
//		}
//		switch e := ev.(type) {
//		case *managedagents.AgentMessageEvent:
//			fmt.Println(e.Text())
//		case *managedagents.SessionStatusIdleEvent:
//			if !e.StopReason.RequiresAction() {
//				return nil
//			}
//		}
//	}
//
// [SessionService.RunTurn] runs a whole turn on top of it: it opens the stream,
// sends the message, answers custom tool calls and confirmations, and returns the
// turn's stop reason, messages and usage; if its context ends it interrupts the
// session so it does not keep running.
//
// # Self-hosted environments
//
// An environment with config {"type":"self_hosted"} ([SelfHostedConfig]) runs
// its sessions' tools on your machines: each session becomes a [WorkItem] on
// the environment's queue, which a worker claims and serves through
// client.Environments.Work ([EnvironmentWorkService]). Each work endpoint
// sends the credential the API takes for it: the environment key
// (option.WithEnvironmentKey, ANTHROPIC_ENVIRONMENT_KEY) for poll, ack and
// list; the item's sessions token, read from its secret, for heartbeat, stop
// and the session's own calls (a client from [Client.ForWorkItem]); the API
// key for work get and update.
//
//	poller, err := managedagents.NewWorkPoller(client, envID, managedagents.WorkPollerOptions{})
//	item, err := poller.Next(ctx) // paced within the poll budget
//	item, err = client.Environments.Work.Ack(ctx, envID, item.ID, managedagents.EnvironmentWorkAckParams{})
//	lease, err := managedagents.NewWorkLease(client, item, managedagents.WorkLeaseOptions{})
//	hb, err := lease.Beat(ctx) // at once, then every half TTL
//	itemClient := client.ForWorkItem(item) // stream the session, post tool results
//	_, err = itemClient.Environments.Work.Stop(ctx, envID, item.ID, managedagents.EnvironmentWorkStopParams{Force: true})
//
// A poll that finds no work returns a nil item and a nil error, whatever form
// the answer takes. Acks and heartbeats are never sent twice: a heartbeat
// stored with its answer lost would make a blind repeat fail with 412 and
// drop a lease the worker holds; [WorkLease] recovers from it instead. A 412
// is a [*LeaseLostError] matching [ErrLeaseLost]: stop the item's tools and
// do not stop the item. A stop answered 409 (stopped already) succeeds.
//
// # Files and skills
//
// [FileService] (client.Files) uploads files and downloads the files a
// session produced ([FileListParams].ScopeID lists them); [SkillService]
// (client.Skills) uploads skills from a directory or an fs.FS and
// [SkillVersionService.Unpack] installs one. Uploads and downloads stream:
// the body is written from the reader as it is sent, and a download is handed
// over unread as a [*Download], so memory does not grow with the size.
// [FileService.DownloadToFile] writes a file whole or not at all. An upload
// is never sent twice once it may have reached the server. These endpoints
// send no beta header of their own.
//
// # Testing
//
// Package managedagentstest is an in-memory fake of the API for tests: scripted
// agents, fault injection, rate-limit emulation and a settable clock.
package managedagents
