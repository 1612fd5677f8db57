package managedagents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/option"
)

// ErrSessionEnded is returned by [SessionService.RunTurn] when the session was
// terminated or deleted during the turn. The *TurnResult holds what the turn did
// until then; a terminal session.error, if one came first, is wrapped too.
var ErrSessionEnded = errors.New("managedagents: session ended during the turn")

// errStreamEndedEarly is RunTurn's error when its stream ended without error
// before the turn did (it was closed, or ended at a terminal event RunTurn
// did not see).
var errStreamEndedEarly = errors.New("managedagents: RunTurn: the event stream ended before the turn did")

// interruptTimeout bounds the user.interrupt RunTurn sends after its context ended.
const interruptTimeout = 10 * time.Second

// ToolHandler runs a custom tool for [SessionService.RunTurn]. It returns the
// content of the user.custom_tool_result; a returned error is sent to the agent
// as the result's text with is_error set, and the turn goes on.
type ToolHandler func(ctx context.Context, call *AgentCustomToolUseEvent) ([]ContentBlock, error)

// ToolCall is a call of a built-in or MCP tool that waits for the user's
// confirmation (evaluated_permission "ask").
type ToolCall struct {
	// ID is the tool-use event's id, the id the confirmation answers.
	ID string
	// Name is the tool's name, e.g. "bash".
	Name string
	// MCPServerName is the MCP server of an MCP tool; empty for built-in tools.
	MCPServerName string
	// Input is the tool's input, a JSON object.
	Input json.RawMessage
	// Event is the *AgentToolUseEvent or *AgentMCPToolUseEvent itself.
	Event Event
}

// ConfirmFunc decides a tool call waiting for confirmation: allow it, or deny it
// with a message for the agent (may be empty).
type ConfirmFunc func(ctx context.Context, call ToolCall) (allow bool, denyMessage string)

// AllowAll is a ConfirmFunc that allows every call.
func AllowAll(context.Context, ToolCall) (bool, string) { return true, "" }

// SessionRunTurnParams configures [SessionService.RunTurn].
type SessionRunTurnParams struct {
	// Events start the turn, e.g. NewUserMessage("…"). Required; they must not be
	// interrupts only (send those with [SessionEventService.Send]).
	Events []EventParam
	// Tools runs agent.custom_tool_use calls by tool name. A call of a tool with
	// no handler is answered with an error result, so the session never waits on
	// a handler that does not exist.
	Tools map[string]ToolHandler
	// Confirm decides the tool calls that wait for confirmation (tools with the
	// always_ask policy, or auto policies that resolved to ask). Nil denies them,
	// telling the agent that no confirmation policy was set.
	Confirm ConfirmFunc
	// OnEvent, if set, sees every event of the turn in order, previews included
	// when EventDeltas asks for them. It runs in RunTurn's goroutine.
	OnEvent func(Event)
	// EventDeltas asks the stream for previews: EventTypeAgentMessage,
	// EventTypeAgentThinking (see [EventStreamParams]).
	EventDeltas []EventType
	// OnReconnect, if set, is told of each reconnect of the turn's stream.
	OnReconnect func(StreamReconnect)
	// OnBackfill, if set, is told of each backfill of the turn's stream (see
	// [EventStreamParams.OnBackfill]).
	OnBackfill func(StreamBackfill)
}

// TurnResult is what a turn did.
type TurnResult struct {
	// StopReason is the reason of the idle that ended the turn (end_turn,
	// retries_exhausted, budget_reached, refusal); zero when the session ended.
	StopReason StopReason
	// StopDetails explains a refusal; nil otherwise.
	StopDetails *StopDetails
	// Sent are the events RunTurn sent to start the turn, as echoed by the server.
	Sent []Event
	// Messages are the agent's messages of the turn, in order.
	Messages []*AgentMessageEvent
	// ToolUses are the built-in, MCP and custom tool calls of the turn, in order.
	ToolUses []Event
	// Errors are the session.error events of the turn, retried ones included.
	Errors []*SessionErrorEvent
	// Usage is the last usage snapshot (session.usage) seen; nil if none came.
	Usage *SessionUsage
}

// Text returns the text of the agent's messages, one message per line.
func (r *TurnResult) Text() string {
	var b strings.Builder
	for i, m := range r.Messages {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(m.Text())
	}
	return b.String()
}

// RunTurn runs one turn of a session to its end: it opens the session's event
// stream first (so no event is missed), sends params.Events, answers the calls
// the agent waits on when the session goes idle with requires_action (custom
// tools through params.Tools, confirmations through params.Confirm), and returns
// when the session goes idle for another reason. A session.error does not end the
// turn unless the session then terminates; the stream reconnects on its own.
//
// Events sent while earlier work is in progress are queued (echoed with no
// processed_at); the idles, and the calls waiting for an answer, of that
// earlier work are not this turn's: the turn starts when its last event is
// processed (a processed copy on the stream or, failing that, its processed_at
// in the history, read at an idle).
//
// If sending fails with [ErrDeliveryUncertain], RunTurn returns that error at
// once: the events may have been accepted and the turn may be running, so look
// at the session's events before sending them again.
//
// If ctx ends first, RunTurn sends a user.interrupt (with a fresh 10 s deadline)
// so the session is not left running and billed, and returns ctx.Err().
// If the session is terminated or deleted, the error matches [ErrSessionEnded].
// Once the stream is open, the *TurnResult is never nil: with an error it holds
// what the turn did until then.
//
// GET /v1/sessions/{session_id}/events/stream, POST
// /v1/sessions/{session_id}/events, and GET /v1/sessions/{session_id}/events
// for a backfill or the turn's history
func (s *SessionService) RunTurn(ctx context.Context, sessionID string, params SessionRunTurnParams, opts ...option.RequestOption) (*TurnResult, error) {
	if err := validateEvents("events", params.Events); err != nil {
		return nil, err
	}
	if onlyInterrupts(params.Events) {
		return nil, invalid("events", "holds only interrupts, which start no turn: send them with Events.Send")
	}
	stream, err := s.Events.Stream(ctx, sessionID, EventStreamParams{EventDeltas: params.EventDeltas, OnReconnect: params.OnReconnect, OnBackfill: params.OnBackfill}, opts...)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	t := &turn{
		client:    s.client,
		cfg:       stream.cfg,
		sessionID: sessionID,
		params:    params,
		opts:      opts,
		result:    &TurnResult{},
		toolUses:  map[string]Event{},
		answered:  map[string]bool{},
	}
	res, err := s.Events.Send(ctx, sessionID, SessionEventSendParams{Events: params.Events}, opts...)
	if err != nil {
		return t.result, t.abort(ctx, err)
	}
	sent := res.Data
	t.result.Sent = sent
	if len(sent) > 0 {
		t.awaitEcho = sent[len(sent)-1].EventID()
		t.echo = sent[len(sent)-1]
	}
	t.started = t.awaitEcho == ""
	stream.onDuplicate = t.duplicate
	for stream.Next() {
		done, err := t.handle(ctx, stream.Current())
		if err != nil {
			return t.result, t.abort(ctx, err)
		}
		if done {
			return t.result, nil
		}
	}
	err = stream.Err()
	if err == nil {
		err = errStreamEndedEarly
	}
	if errors.Is(err, ErrSessionEnded) {
		return t.result, err
	}
	return t.result, t.abort(ctx, err)
}

// turn is the state of one RunTurn.
type turn struct {
	client    *Client
	cfg       *config.Config // the stream's, for redaction
	sessionID string
	params    SessionRunTurnParams
	opts      []option.RequestOption
	result    *TurnResult
	// awaitEcho is the id of the last event sent; idles seen before its echo
	// belong to earlier work and do not end the turn.
	awaitEcho string
	// echo is the last event sent, as the send answer echoed it.
	echo Event
	// started is true once the last event sent is known to be processed: its
	// echo (or a later copy of it) came with a processed_at. A queued event
	// (processed_at null) waits behind earlier work, whose running and idle
	// events are not this turn's.
	started bool
	// startedAt is the processed_at of the last event sent, once started.
	startedAt time.Time
	// lastRunningAt is the processed_at of the last session.status_running
	// seen after the echo.
	lastRunningAt time.Time
	// running is true once session.status_running came after the last event
	// sent was processed: only an idle after it ends the turn (an interrupted
	// turn's idle can come after the echo of the message that redirects it).
	running  bool
	toolUses map[string]Event
	answered map[string]bool
	fatal    *SessionErrorEvent
}

// handle takes one event; done is true when the turn is over.
func (t *turn) handle(ctx context.Context, ev Event) (done bool, err error) {
	if t.params.OnEvent != nil {
		t.params.OnEvent(ev)
	}
	if t.awaitEcho != "" && ev.EventID() == t.awaitEcho {
		t.awaitEcho = ""
		t.duplicate(ev)
	}
	switch e := ev.(type) {
	case *AgentMessageEvent:
		t.result.Messages = append(t.result.Messages, e)
	case *AgentToolUseEvent, *AgentMCPToolUseEvent, *AgentCustomToolUseEvent:
		t.toolUses[ev.EventID()] = ev
		t.result.ToolUses = append(t.result.ToolUses, ev)
	case *SessionErrorEvent:
		t.result.Errors = append(t.result.Errors, e)
		if e.Error.IsTerminal() {
			t.fatal = e
		}
	case *SessionUsageEvent:
		u := e.Usage
		t.result.Usage = &u
	case *SessionStatusRunningEvent:
		if t.awaitEcho == "" {
			t.lastRunningAt = e.ProcessedAt
			if t.started {
				t.running = true
			}
		}
	case *SessionStatusIdleEvent:
		if t.awaitEcho != "" {
			return false, nil
		}
		if !t.started {
			if err := t.resolveStart(ctx); err != nil {
				return false, err
			}
			if !t.started || e.ProcessedAt.Before(t.startedAt) {
				return false, nil // earlier work's idle: the turn's events still waited
			}
		}
		// Once the turn's events are processed, a requires_action idle is always
		// answered: tool results that answer only some calls re-emit it with no
		// session.status_running in between.
		if e.StopReason.RequiresAction() {
			return false, t.answer(ctx, e.StopReason.EventIDs)
		}
		if !t.running {
			return false, nil
		}
		t.result.StopReason = e.StopReason
		t.result.StopDetails = e.StopDetails
		return true, nil
	case *SessionStatusTerminatedEvent, *SessionDeletedEvent:
		if t.fatal != nil {
			cause := redactSessionError(t.fatal.Error, t.cfg)
			return true, &turnError{
				msg:  ErrSessionEnded.Error() + " (" + string(ev.EventType()) + "): " + causeText(cause),
				errs: []error{ErrSessionEnded, cause},
			}
		}
		return true, fmt.Errorf("%w (%s)", ErrSessionEnded, ev.EventType())
	}
	return false, nil
}

// duplicate takes a copy of an event: when it is the last event sent and has
// a processed_at, the turn's events are being processed.
func (t *turn) duplicate(ev Event) {
	if !t.started && t.echo != nil && ev.EventID() == t.echo.EventID() && !ev.EventProcessedAt().IsZero() {
		t.start(ev.EventProcessedAt())
	}
}

// start records that the turn's events were processed at at, and drops from
// the result what earlier work did before.
func (t *turn) start(at time.Time) {
	t.started, t.startedAt = true, at
	// A session.status_running may come before the processed copy.
	t.running = !t.lastRunningAt.IsZero() && !t.lastRunningAt.Before(at)
	keep := func(ev Event) bool { return !ev.EventProcessedAt().Before(at) }
	r := t.result
	r.Messages = slices.DeleteFunc(r.Messages, func(m *AgentMessageEvent) bool { return !keep(m) })
	r.ToolUses = slices.DeleteFunc(r.ToolUses, func(ev Event) bool { return !keep(ev) })
	r.Errors = slices.DeleteFunc(r.Errors, func(e *SessionErrorEvent) bool { return !keep(e) })
}

// resolveStart is called at an idle that came while the last event sent was
// only seen queued, in case the server did not send its processed copy on the
// stream: it reads the event's processed_at from the history and, if it is
// set, starts the turn there. The idle is then the turn's if it came at or
// after that time and a session.status_running came in between.
func (t *turn) resolveStart(ctx context.Context) error {
	params := SessionEventListParams{Types: []EventType{t.echo.EventType()}, Order: OrderDesc}
	for ev, err := range t.client.Sessions.Events.ListAll(ctx, t.sessionID, params, t.opts...) {
		if err != nil {
			return err
		}
		if ev.EventID() != t.echo.EventID() {
			continue
		}
		if at := ev.EventProcessedAt(); !at.IsZero() {
			t.start(at)
		}
		return nil
	}
	return nil
}

// answer answers every call in ids not answered yet, in one request.
func (t *turn) answer(ctx context.Context, ids []string) error {
	var replies []EventParam
	for _, id := range ids {
		if t.answered[id] {
			continue
		}
		call, err := t.lookup(ctx, id)
		if err != nil {
			return err
		}
		reply, err := t.reply(ctx, call)
		if err != nil {
			return err
		}
		replies = append(replies, reply)
	}
	if len(replies) == 0 {
		return nil
	}
	if _, err := t.client.Sessions.Events.Send(ctx, t.sessionID, SessionEventSendParams{Events: replies}, t.opts...); err != nil {
		return err
	}
	for _, id := range ids {
		t.answered[id] = true
	}
	return nil
}

// reply builds the answer to one waiting call.
func (t *turn) reply(ctx context.Context, call Event) (EventParam, error) {
	switch c := call.(type) {
	case *AgentCustomToolUseEvent:
		handler := t.params.Tools[c.Name]
		if handler == nil {
			return NewUserCustomToolResult(c.ID, NewTextBlock(fmt.Sprintf("no handler is registered for the custom tool %q", c.Name))).AsError(), nil
		}
		content, err := handler(ctx, c)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return NewUserCustomToolResult(c.ID, NewTextBlock(err.Error())).AsError(), nil
		}
		return NewUserCustomToolResult(c.ID, content...), nil
	case *AgentToolUseEvent:
		return t.confirm(ctx, ToolCall{ID: c.ID, Name: c.Name, Input: c.Input, Event: c}), nil
	case *AgentMCPToolUseEvent:
		return t.confirm(ctx, ToolCall{ID: c.ID, Name: c.Name, MCPServerName: c.MCPServerName, Input: c.Input, Event: c}), nil
	}
	return nil, fmt.Errorf("managedagents: RunTurn: the session waits on %s %s, which it cannot answer", t.cfg.Redact(string(call.EventType())), t.cfg.Redact(call.EventID()))
}

func (t *turn) confirm(ctx context.Context, call ToolCall) EventParam {
	if t.params.Confirm == nil {
		return NewUserToolConfirmationDeny(call.ID, "the client set no confirmation policy for this tool")
	}
	if allow, msg := t.params.Confirm(ctx, call); !allow {
		return NewUserToolConfirmationDeny(call.ID, msg)
	}
	return NewUserToolConfirmationAllow(call.ID)
}

// lookup returns the tool-use event id: from the stream, or else (it came before
// the stream opened) from the session's history.
func (t *turn) lookup(ctx context.Context, id string) (Event, error) {
	if ev, ok := t.toolUses[id]; ok {
		return ev, nil
	}
	params := SessionEventListParams{Types: []EventType{EventTypeAgentCustomToolUse, EventTypeAgentToolUse, EventTypeAgentMCPToolUse}, Order: OrderDesc}
	for ev, err := range t.client.Sessions.Events.ListAll(ctx, t.sessionID, params, t.opts...) {
		if err != nil {
			return nil, err
		}
		if ev.EventID() == id {
			t.toolUses[id] = ev
			return ev, nil
		}
	}
	return nil, fmt.Errorf("managedagents: RunTurn: the session waits on event %s, which is not in its history", t.cfg.Redact(id))
}

// onlyInterrupts reports whether events hold nothing but interrupts.
func onlyInterrupts(events []EventParam) bool {
	for _, e := range events {
		if _, ok := e.(*UserInterruptParam); !ok {
			return false
		}
	}
	return true
}

// abort sends a user.interrupt when ctx has ended, so the session does not keep
// running, and returns err (ctx.Err() then).
func (t *turn) abort(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), interruptTimeout)
	defer cancel()
	if _, ierr := t.client.Sessions.Events.Send(ictx, t.sessionID, SessionEventSendParams{Events: []EventParam{NewUserInterrupt()}}, t.opts...); ierr != nil {
		return &turnError{
			msg:  errPrefix + "RunTurn: " + ctx.Err().Error() + ", and interrupting the session failed: " + causeText(ierr),
			errs: []error{ctx.Err(), ierr},
		}
	}
	return ctx.Err()
}

// turnError is an error of RunTurn that quotes another: the terminal
// session.error before ErrSessionEnded, or the failed interrupt after the
// context ended. errors.Is and errors.As see both; the message says the
// package's prefix once.
type turnError struct {
	msg  string
	errs []error
}

// Error returns the message.
func (e *turnError) Error() string { return e.msg }

// Unwrap returns the errors quoted.
func (e *turnError) Unwrap() []error { return e.errs }

// redactSessionError returns e with cfg's credentials removed from its texts,
// for an error of RunTurn: the event itself keeps what the server sent.
func redactSessionError(e SessionError, cfg *config.Config) SessionError {
	e.Type, e.Message = SessionErrorType(cfg.Redact(string(e.Type))), cfg.Redact(e.Message)
	e.RetryStatus.Type = RetryStatusType(cfg.Redact(string(e.RetryStatus.Type)))
	e.MCPServerName, e.CredentialID = cfg.Redact(e.MCPServerName), cfg.Redact(e.CredentialID)
	e.VaultID, e.RepositoryURL = cfg.Redact(e.VaultID), cfg.Redact(e.RepositoryURL)
	return e
}
