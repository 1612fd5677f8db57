// Package otelmanagedagents traces and measures a managedagents client with
// OpenTelemetry. It is a module of its own, so that the SDK itself depends on
// no OpenTelemetry package.
//
//	tel := otelmanagedagents.New() // the global providers and propagator
//	client := managedagents.NewClient(option.WithMiddleware(tel.Middleware()))
//
// [Telemetry.Middleware] (or [Middleware]) goes on the client, first among its
// middlewares: every API call then gets one CLIENT span, whatever its
// retries, named as the official Anthropic SDK names it
// (anthropic.sessions.create, anthropic.sessions.events.stream, ...), with
// the official SDK's attributes; the trace context goes out in the headers
// of each attempt. [Telemetry.Stream], [Telemetry.ThreadStream],
// [Telemetry.RunTurn], [Telemetry.ToolMiddleware] (a session tool runner's)
// and [TraceTool] add the spans that no single call makes: a stream's whole
// life with its reconnects, a turn, a tool call.
//
// # Spans of calls
//
// A call's span starts when the call does, before its first wait for the
// client-side rate limiter, and ends when it returns, or, for an event
// stream's connection, when the connection ends. Its parent is the span in
// the call's context.
//
//   - At the start (seen by samplers): gen_ai.provider.name "anthropic",
//     server.address, server.port, http.request.method, http.route (the
//     route template, /v1/sessions/{session_id}), the ids of the path under
//     the reference's keys (gen_ai.agent.id, anthropic.session.id,
//     anthropic.vault.credential.id, ...; a placeholder the package does not
//     know, from an endpoint added later, gets anthropic.<name>.id), and
//     gen_ai.conversation.id on a thread's calls. A session create also
//     starts with gen_ai.agent.id and anthropic.session.environment.id.
//   - From the first attempt: url.scheme, url.path, url.query (the
//     parameters of the endpoint only, as sent) and url.full (without user
//     information); both left out when the query holds content (email,
//     path_prefix, expected_content_sha256, a memories list's page).
//   - At the end: http.response.status_code, http.request.resend_count (the
//     retries, when any), anthropic.request.id, anthropic.organization.id and
//     anthropic.workspace.id (from the answer's headers, errors included),
//     anthropic.rate_limiter.wait (seconds waited for the client-side limiter,
//     all attempts), and a create's new id under its key (a session create
//     adds gen_ai.agent.name and gen_ai.request.model of its agent).
//   - Events: anthropic.request.retry at each retry, with the resend count and
//     the failed attempt's status code or error.type.
//   - Status: OK; ERROR with error.type (the API's error type such as
//     not_found_error, else the status code, else client_timeout_error,
//     connection_error, client_rate_limit_error or client_error); unset when
//     the application canceled. A stream's connection never ends OK: a
//     Managed Agents stream has no last event, so its end by the server or
//     the application leaves the status unset, and only a failed read fails it.
//
// A call that the rate limiter refuses before its first attempt has no span:
// the middleware only runs for attempts.
//
// # Other spans
//
//   - anthropic.event_stream (INTERNAL, [Telemetry.Stream],
//     [Telemetry.ThreadStream]): a stream's life across reconnects, parent of
//     its connections and backfill pages, with anthropic.stream.reconnect
//     events (attempt, delay, error.type of the cause),
//     anthropic.stream.rate_limiter.wait events (attempt,
//     anthropic.rate_limiter.wait: a reconnect's wait for the client-side
//     limiter) and anthropic.stream.backfill events (pages, events), and at
//     its end the counts anthropic.stream.events, anthropic.stream.reconnects
//     and anthropic.stream.backfilled.
//   - anthropic.sessions.run_turn (INTERNAL, [Telemetry.RunTurn]):
//     gen_ai.operation.name invoke_agent, anthropic.session.id,
//     anthropic.turn.stop_reason and counts; the turn's stream reports on it.
//   - anthropic.tool_use <name>, anthropic.custom_tool_use <name>,
//     anthropic.mcp_tool_use <name> (INTERNAL, [Telemetry.ToolMiddleware]
//     for a session tool runner, [Telemetry.StartTool], [TraceTool]): gen_ai.operation.name execute_tool, gen_ai.tool.name,
//     gen_ai.tool.call.id, gen_ai.tool.type, gen_ai.tool.description,
//     anthropic.session.id and the thread; ERROR tool_error on failure.
//   - anthropic.environment.work (INTERNAL, [Telemetry.WorkMiddleware]): one
//     work item of a self-hosted worker (package worker), with
//     anthropic.environment.id, anthropic.environment.work.id, its data
//     type and session; ERROR lease_lost or work_error, unset when the
//     worker's stop interrupted it.
//
// No span holds a credential, a tool's input or result, or any request body
// field but the agent and environment ids of a session create.
//
// # Metrics
//
// The official SDK has none. Attributes are bounded: operations
// (anthropic.operation.name, "sessions.create"), methods, statuses, error
// types, event types, stop reasons, tool names; never an id.
//
//	anthropic.managed_agents.client.call.duration      histogram, s   per call (a stream: until open)
//	anthropic.managed_agents.client.requests           counter        per attempt, by status or error.type
//	anthropic.managed_agents.client.rate_limiter.wait  histogram, s   per call
//	anthropic.managed_agents.stream.active             up-down        streams open
//	anthropic.managed_agents.stream.events             counter        events passed on, by anthropic.event.type
//	anthropic.managed_agents.stream.reconnects         counter        by error.type of the cause
//	anthropic.managed_agents.stream.backfilled_events  counter        events recovered from the history
//	anthropic.managed_agents.tool.duration             histogram, s   by gen_ai.tool.name, anthropic.tool.kind
//	anthropic.managed_agents.turn.duration             histogram, s   by anthropic.turn.stop_reason
//
// # Failures of the telemetry
//
// A panic of a tracer, span, propagator or meter is recovered and handed to
// otel.Handle: it never fails a call, a stream, a turn or a tool.
package otelmanagedagents
