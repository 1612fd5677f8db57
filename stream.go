package managedagents

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-managedagents/managedagents/internal/clock"
	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/sseread"
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
	sse "github.com/tmaxmax/go-sse"
)

// maxEventDeltas is the largest number of event_deltas[] values the API accepts.
const maxEventDeltas = 100

// streamHealthyAfter is how long a connection must stay open to count as
// healthy (and reset the reconnect budget and backoff) when it delivered no new
// event.
const streamHealthyAfter = 5 * time.Second

// EventStreamParams are the options of [SessionEventService.Stream] and
// [SessionThreadEventService.Stream].
type EventStreamParams struct {
	// EventDeltas asks for stream-only previews (event_start, event_delta) of
	// these event types, sent as event_deltas[]: [EventTypeAgentMessage] (an
	// event_start, then event_delta fragments of its text) and
	// [EventTypeAgentThinking] (an event_start only); at most 100 values.
	// Previews have an empty EventID, are never deduplicated, and are not
	// replayed after a reconnect.
	EventDeltas []EventType

	// Since, when set, makes the stream deliver past events first: once the
	// stream is open (so that nothing falls into a gap), it lists the events
	// processed at or after Since, then goes on live, deduplicating the overlap.
	// Use it to follow a session created with initial events, which may start
	// before any stream can be opened. Any time before the session's creation
	// (for example time.Unix(0, 0)) gives the whole history. The zero value
	// means live events only.
	Since time.Time

	// OnReconnect, if set, is called in the goroutine reading the stream before
	// each wait that precedes a reconnect, so that a UI can drop previews that
	// will never be completed. It must not block for long; it must not call
	// methods of the stream other than Close.
	OnReconnect func(StreamReconnect)

	// OnBackfill, if set, is called in the goroutine reading the stream each
	// time a backfill ends (after a reconnect, or the replay of Since; see
	// [EventStream]), however it ended, with what it passed on. It lets
	// telemetry count the events recovered from the history. It must not
	// block for long; it must not call methods of the stream other than Close.
	OnBackfill func(StreamBackfill)
}

func (p EventStreamParams) values() (url.Values, error) {
	if len(p.EventDeltas) > maxEventDeltas {
		return nil, invalid("event_deltas", "must hold at most "+strconv.Itoa(maxEventDeltas)+" values, not "+strconv.Itoa(len(p.EventDeltas)))
	}
	deltas := make([]string, len(p.EventDeltas))
	for i, d := range p.EventDeltas {
		if d != EventTypeAgentMessage && d != EventTypeAgentThinking {
			return nil, invalid("event_deltas", `values must be "agent.message" or "agent.thinking", not `+strconv.Quote(string(d)))
		}
		deltas[i] = string(d)
	}
	q := query{}
	q.list("event_deltas", deltas)
	return url.Values(q), nil
}

// StreamReconnect describes a reconnect an [EventStream] is about to make. It
// is passed to [EventStreamParams.OnReconnect] before the wait.
type StreamReconnect struct {
	// Attempt counts the reconnects in a row without a healthy connection
	// between them, from 1; it never exceeds the budget set by
	// option.WithStreamReconnects.
	Attempt int
	// Cause is why the previous connection ended or the previous attempt failed:
	// [ErrStreamEnded], [ErrStreamIdle] (also for a backfill page not answered
	// within the idle timeout), [ErrEventTooLarge], an *[EventDecodeError], an
	// *[APIError] (a 408, 409, 429 or 5xx answer, or a temporary error frame),
	// a *[ResponseError] (a reopen or a backfill page answered 2xx with a body
	// that cannot be read), or a network error. Like every error of the
	// package, it never holds the client's credentials, even when the server
	// echoed them.
	Cause error
	// Delay is how long the stream waits before it reconnects.
	Delay time.Duration
}

// StreamBackfill describes a backfill of an [EventStream] from the events
// list, once it ended. It is passed to [EventStreamParams.OnBackfill].
type StreamBackfill struct {
	// Since is the cursor it listed from (created_at[gte]); zero when it
	// listed the whole history.
	Since time.Time
	// Pages is the number of list pages it fetched.
	Pages int
	// Events is the number of events it passed on to the reader: the listed
	// events less the duplicates, the previews and those processed before Since.
	Events int
}

// Reasons for a reconnect, found in [StreamReconnect.Cause] and, wrapped in a
// *[StreamError], in the error of a stream that gave up.
var (
	// ErrStreamEnded means the server ended the response without a terminal
	// event (a clean end of body, possibly in the middle of a frame).
	ErrStreamEnded = errors.New("managedagents: event stream ended without a terminal event")
	// ErrStreamIdle means no byte (not even a heartbeat) arrived within the idle
	// timeout (option.WithStreamIdleTimeout, default 90 s), or a backfill page
	// was not answered within it.
	ErrStreamIdle = errors.New("managedagents: event stream idle: no byte received within the idle timeout")
	// ErrEventTooLarge means a frame was larger than the maximum event size
	// (option.WithMaxEventSize, default 32 MiB); the event is recovered from the
	// events list after the reconnect.
	ErrEventTooLarge = errors.New("managedagents: stream frame larger than the maximum event size")
)

// errStreamClosed is the cancellation cause of a stream ended by Close.
var errStreamClosed = errors.New("managedagents: event stream closed")

// Stream opens the live event stream of a session and returns it once the
// server has answered with 200. The stream reconnects on its own; see
// [EventStream] for what it guarantees.
//
// An error opening the stream comes back from Stream itself, as for any
// call: the first open follows the client's retry policy (retries, backoff,
// retry-after, x-should-retry, as option.WithMaxRetries and
// option.WithMaxRetryAfter set them; each attempt's wait for the response
// headers is bounded by the stream idle timeout), and its last error is
// returned (an *[APIError], or a network error). A 200 that is not an event
// stream (a proxy's login page) is a *[ResponseError] at once: on the first
// open it means a misconfiguration, where on a reconnect it is a passing
// fault. The reconnect budget (option.WithStreamReconnects) applies only once
// the stream has been open.
//
// GET /v1/sessions/{session_id}/events/stream
func (s *SessionEventService) Stream(ctx context.Context, sessionID string, params EventStreamParams, opts ...option.RequestOption) (*EventStream, error) {
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	return s.client.openStream(ctx, streamTarget{
		stream: sessionsEventsStream.At(sessionID),
		list: func(ctx context.Context, cfg *config.Config, from time.Time, page string) (*eventPage, error) {
			q, err := SessionEventListParams{CreatedAtGTE: from, Order: OrderAsc, Page: page}.values()
			if err != nil {
				return nil, err
			}
			return getEventPage(ctx, cfg, sessionsEventsList.At(sessionID).WithQuery(q))
		},
		listRoute: sessionsEventsList.String(),
	}, params, opts)
}

// streamTarget says where a stream connects and how it lists its history.
type streamTarget struct {
	// stream is the request that opens the stream (its query is added by
	// openStream).
	stream transport.Request
	// list fetches one page of the history, ascending, of events processed at
	// or after from (when the endpoint can filter; the stream filters again).
	list func(ctx context.Context, cfg *config.Config, from time.Time, page string) (*eventPage, error)
	// listRoute names the list's endpoint ("GET /v1/…"), for errors.
	listRoute string
	// thread is the thread whose stream this is; empty for a session's.
	thread string
}

// EventStream is a live stream of a session's (or a thread's) events that
// survives disconnects. Read it with Next, Current and Err, or with All. All
// its work happens while the reader waits in Next or in All's loop: All runs in
// the caller's goroutine, Next drives the same loop through iter.Pull2 (a
// coroutine that runs only inside Next), and nothing runs in the background
// between two events. Close it when done (not needed once Next returned false
// or All's loop ended).
//
// What it delivers: every persisted event once, in the order received, and the
// previews (event_start, event_delta, whose EventID is "") of the current
// connection. It ends without error after delivering session.status_terminated
// or session.deleted (see [IsTerminal]), or, on a thread's stream,
// session.thread_status_terminated of that thread, whether that came live or
// from the history. (The reference does not say whether the server closes a
// thread's stream when the thread terminates; nothing more can come for it, so
// the stream ends there rather than wait for the session's end.)
//
// Disconnects. The end of the body without a terminal event (even in the middle
// of a frame), a network error, a frame over the maximum size, a frame that does
// not decode, a temporary error frame (overloaded_error, api_error,
// rate_limit_error, timeout_error, or an error frame that is not the JSON
// envelope), and no byte at all for the idle timeout (heartbeats, comment lines
// or ping frames, count as bytes; the time the reader spends between two
// events does not count) are disconnects, not the end. So are, on a reconnect
// or a backfill, a 2xx answer that cannot be read (a proxy's HTML maintenance
// page, JSON cut short, a reopen answered with another content type than
// text/event-stream) and a backfill page not answered within the idle timeout.
// Every wait is bounded: each open attempt's wait for the response headers
// and each backfill page (its retries included) by the idle timeout, the live
// read by the idle watchdog, the backoff by its maximum and
// option.WithMaxRetryAfter. On a disconnect the stream:
//  1. calls OnReconnect and waits, by the backoff of request retries with the
//     reconnect bounds: it starts at the configured minimum
//     (option.WithStreamBackoff, default 0.5 s), doubles per failure up to the
//     maximum (default 10 s), less a random jitter of up to a quarter; a
//     retry-after (or retry-after-ms) of an answer is waited instead, up to
//     option.WithMaxRetryAfter, beyond which the stream ends with that error;
//  2. reopens the stream first, so that nothing falls into a gap;
//  3. then backfills from the events list: ascending, every page, the events
//     processed at or after the cursor (created_at[gte]), where the cursor is the
//     largest processed_at delivered (a queued event's once its processed copy
//     came), or, before any, [EventStreamParams.Since]
//     or else the server's Date when the stream was first opened (second
//     precision: a backfill may deliver events of that second that preceded
//     the stream; without a Date header, the whole history is listed);
//  4. then continues live.
//
// Each failed open and each connection that was not healthy counts against the
// budget (option.WithStreamReconnects, default 10, in a row); a connection is
// healthy, and resets the count and the backoff, once it delivered a new
// persisted event (live or from its backfill) or, its backfill done, stayed
// open 5 s. When the
// budget is spent the stream ends with a *[StreamError]. A 4xx other than 408,
// 409 and 429 on a reconnect or a backfill page, and any other error frame, end
// the stream with that *[APIError].
//
// Dedupe. Events are deduplicated by id, whatever the number of events between
// two copies, in memory bounded by what can still come back, not by a count:
// the ids processed exactly at the cursor (created_at[gte] lists them again);
// the ids delivered as a queued copy (processed_at null) until their processed
// copy comes; and, after a reopen, the ids its backfill listed that the new
// connection may carry too (those processed at or after the connection's Date
// header minus 10 s), however many, until the live stream is past them. On a
// reopened connection, an event processed before the cursor at the reopen is
// a replay and is dropped. Nothing else can come back, since a list starts at
// the cursor and a stream sends events in the order processed and never
// replays, so a stream of any length holds a flat amount of memory. (A server
// that broke this, repeating an older event later on the same connection, or
// whose Date ran more than 10 s ahead of its processed_at clock, would see
// such events delivered twice.) The first copy
// of an event wins: a queued copy already delivered is not delivered again when
// its processed copy arrives. Previews are never deduplicated, and are dropped
// from a backfill (lists do not have them); a live preview of an event already
// delivered (by the backfill that preceded the connection's frames) is
// dropped too, since nothing would ever close it.
//
// Bad frames. A frame over the maximum size, or whose JSON does not decode, is
// not dropped: the stream reconnects (the cause says why) and recovers the event
// from the backfill. If the list's copy does not decode either, or the event
// (when its id could be read) is not in the list, the stream ends with an
// *[EventDecodeError] naming it.
//
// Ending. Close, or the end of the context given to Stream, ends everything the
// stream started at once (the body is closed, timers stopped). After Close,
// Next returns false and Err returns nil; after the context ends, Err returns
// its error.
type EventStream struct {
	userCtx     context.Context
	ctx         context.Context // ended by Close or userCtx
	cancel      context.CancelCauseFunc
	cfg         *config.Config
	clock       clock.Clock
	target      streamTarget
	onReconnect func(StreamReconnect)
	onBackfill  func(StreamBackfill)
	closing     atomic.Bool
	// onDuplicate, if set (by RunTurn, before reading), sees each copy of a
	// persisted event that is dropped as a duplicate, such as the processed
	// copy of a queued event, in the reading goroutine.
	onDuplicate func(Event)

	// Loop state, used only by the goroutine running the loop.
	dd     *dedupe
	floor  time.Time // the backfill cursor before any event was delivered
	replay bool      // backfill once the first connection is open (Since)
	fails  int       // failures in a row
	lost   *EventDecodeError

	mu      sync.Mutex
	first   *streamConn // the connection Stream opened, until the loop takes it
	started bool        // the loop was started
	inNext  bool
	done    bool
	next    func() (Event, error, bool)
	stop    func()
	cur     Event
	err     error
}

// openStream opens a stream's first connection, retrying it by the client's
// retry policy like any call.
func (c *Client) openStream(ctx context.Context, target streamTarget, params EventStreamParams, opts []option.RequestOption) (*EventStream, error) {
	if ctx == nil {
		return nil, invalid("ctx", "must not be nil")
	}
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	cfg, err := c.config(opts)
	if err != nil {
		return nil, err
	}
	target.stream = target.stream.WithQuery(q)
	s := &EventStream{
		userCtx:     ctx,
		cfg:         cfg,
		clock:       clock.Or(cfg.StreamClock),
		target:      target,
		onReconnect: params.OnReconnect,
		onBackfill:  params.OnBackfill,
		dd:          &dedupe{},
	}
	s.ctx, s.cancel = context.WithCancelCause(ctx)
	conn, err := s.open(cfg.MaxRetries)
	if cfg.ResponseInto != nil {
		// The first open filled it; reconnects and backfill pages must not.
		s.cfg = cfg.Clone()
		s.cfg.ResponseInto = nil
	}
	if err != nil {
		s.cancel(nil)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if !params.Since.IsZero() {
		s.floor, s.replay = params.Since, true
	} else if t, err := http.ParseTime(conn.resp.Header.Get("Date")); err == nil {
		s.floor = t
	}
	s.first = conn
	return s, nil
}

// Next advances to the next event and reports whether there is one. It blocks
// until an event arrives, the stream ends, fails, or is closed. It must not be
// called from two goroutines at once (the second call returns false).
func (s *EventStream) Next() bool {
	s.mu.Lock()
	if s.done || s.inNext { // ended, or Next is already running in another goroutine
		s.mu.Unlock()
		return false
	}
	if s.next == nil {
		if s.started { // All is reading the stream
			s.mu.Unlock()
			return false
		}
		s.next, s.stop = iter.Pull2(s.loop(s.start()))
	}
	s.inNext = true
	s.mu.Unlock()

	ev, err, ok := s.next()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.inNext = false
	switch {
	case s.closing.Load() || !ok:
		s.finish()
		return false
	case err != nil:
		s.err = err
		s.finish()
		return false
	}
	s.cur = ev
	return true
}

// Current returns the event Next advanced to.
func (s *EventStream) Current() Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Err returns the error that ended the stream, or nil if it ended normally
// (terminal event or Close) or has not ended.
func (s *EventStream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// All returns an iterator over the stream's events. It yields (event, nil) or,
// once at the end, (nil, err), never both, and stops after the first error; an
// end without error (terminal event, Close) yields no error. A stream can be
// iterated only once.
func (s *EventStream) All() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		s.mu.Lock()
		if !s.started && !s.done {
			conn := s.start()
			s.mu.Unlock()
			s.loop(conn)(func(ev Event, err error) bool {
				if err != nil {
					s.mu.Lock()
					s.err = err
					s.mu.Unlock()
				}
				return yield(ev, err)
			})
			s.mu.Lock()
			s.done = true
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		for s.Next() {
			if !yield(s.Current(), nil) {
				return
			}
		}
		if err := s.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// Close ends the stream and everything it started: the open response body, the
// timers, a pending wait. It is idempotent, and safe to call from another
// goroutine while Next blocks (Next then returns false). It always returns nil.
func (s *EventStream) Close() error {
	s.closing.Store(true)
	s.cancel(errStreamClosed)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first != nil {
		s.first.close()
		s.first = nil
	}
	if !s.inNext {
		s.finish()
	}
	return nil
}

// start hands the first connection to the loop. s.mu is held.
func (s *EventStream) start() *streamConn {
	s.started = true
	c := s.first
	s.first = nil
	return c
}

// finish marks the stream done and unwinds a suspended loop. s.mu is held.
func (s *EventStream) finish() {
	s.done = true
	s.cur = nil
	if s.stop != nil {
		s.stop()
	}
}

// streamConn is one connection of a stream.
type streamConn struct {
	ctx      context.Context
	cancel   context.CancelCauseFunc
	resp     *http.Response
	body     io.Reader
	wd       *sseread.Watchdog
	opened   time.Time // on the stream's clock
	progress bool      // a new persisted event was delivered during this connection
	live     bool      // its frames were read (its backfill, if any, succeeded)
}

func (c *streamConn) close() {
	c.wd.Stop()
	c.cancel(nil)
	_ = c.resp.Body.Close()
}

// healthy reports whether the connection counts as healthy at now: it
// delivered a new persisted event, or its frames were read and it stayed open
// streamHealthyAfter. A connection whose backfill failed without delivering
// anything new is not healthy, however long the backfill took.
func (c *streamConn) healthy(now time.Time) bool {
	return c.progress || (c.live && now.Sub(c.opened) >= streamHealthyAfter)
}

// open opens a connection of the stream, with at most retries retries of
// the retry policy (the transport bounds each attempt's wait for the
// headers by the idle timeout). The idle watchdog of the connection is armed
// while its frames are read.
func (s *EventStream) open(retries int) (*streamConn, error) {
	actx, cancel := context.WithCancelCause(s.ctx)
	resp, err := openStreamConn(actx, s.cfg, s.target.stream, retries)
	if err != nil {
		cancel(nil)
		if s.ctx.Err() != nil {
			return nil, s.ctx.Err()
		}
		return nil, err
	}
	wd := sseread.New(s.clock, s.cfg.StreamIdleTimeout, func() { cancel(ErrStreamIdle) })
	return &streamConn{ctx: actx, cancel: cancel, resp: resp, body: wd.Reader(resp.Body), wd: wd, opened: s.clock.Now()}, nil
}

// fatal reports whether err ends the stream rather than causing a reconnect.
func (s *EventStream) fatal(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if apiErr.StatusCode == 0 { // an error frame
			switch apiErr.Type {
			case "overloaded_error", "api_error", "rate_limit_error", "timeout_error", "":
				return false
			}
			return true
		}
		switch code := apiErr.StatusCode; {
		case code == http.StatusRequestTimeout, code == http.StatusConflict, code == http.StatusTooManyRequests, code >= 500:
			return false
		}
		return true
	}
	// A *ResponseError (a 2xx answer that cannot be read: a proxy's page, JSON
	// cut short, a reopen answered with another content type) is a transient
	// fault here, as a proxy's maintenance page passes; only the first open,
	// whose error Stream returns, treats it as final.
	var wait *ratelimit.WaitError
	return errors.As(err, &wait) || errors.Is(err, ErrInvalidParams) || errors.Is(err, ErrMissingCredentials)
}

// reconnect waits and reopens the stream until it is open, the budget is spent
// or a failure is fatal. cause is why the previous connection or attempt ended.
// Each reopen is one attempt (the loop paces them itself), so the retry
// policy and the reconnect budget never multiply.
func (s *EventStream) reconnect(cause error) (*streamConn, error) {
	budget := max(s.cfg.StreamReconnects, 0)
	for {
		s.fails++
		if s.fails > budget {
			return nil, &StreamError{Attempts: s.fails - 1, Err: cause}
		}
		delay, ok := s.delay(cause)
		if !ok {
			return nil, cause
		}
		if s.onReconnect != nil {
			s.onReconnect(StreamReconnect{Attempt: s.fails, Cause: cause, Delay: delay})
		}
		if l := s.cfg.Logger; l != nil {
			l.Debug("managedagents: event stream reconnecting", "route", s.target.stream.Endpoint.Route, "attempt", s.fails, "delay", delay, "cause", s.cfg.Redact(cause.Error()))
		}
		if !clock.Sleep(s.clock, delay, s.ctx.Done()) {
			return nil, s.ctx.Err()
		}
		c, err := s.open(0)
		if err == nil {
			return c, nil
		}
		if s.ctx.Err() != nil || s.fatal(err) {
			return nil, err
		}
		cause = err
	}
}

// delay returns the wait before reconnect number s.fails, and false when the
// server asked for a longer wait than option.WithMaxRetryAfter allows: the
// backoff of request retries, with the reconnect bounds.
func (s *EventStream) delay(cause error) (time.Duration, bool) {
	var serverWait time.Duration
	var apiErr *APIError
	if errors.As(cause, &apiErr) {
		serverWait = apiErr.RetryAfter
	}
	b := transport.Backoff{Base: s.cfg.StreamBackoffMin, Max: s.cfg.StreamBackoffMax}
	d, over := b.Delay(s.fails-1, serverWait, s.cfg.MaxRetryAfter)
	return d, !over
}

// loop returns the stream's reconnect loop, starting on the connection conn.
// It runs in the reader's goroutine: pushed by All, pulled by Next.
func (s *EventStream) loop(conn *streamConn) func(yield func(Event, error) bool) {
	return func(yield func(Event, error) bool) {
		yield = s.guard(yield)
		c := conn
		defer func() {
			if c != nil {
				c.close()
			}
			s.cancel(nil)
		}()
		if c == nil { // closed before the loop started
			s.yieldEnd(yield, nil)
			return
		}
		backfill := s.replay
		for {
			var cause error
			var stop bool
			if backfill {
				cause, stop = s.backfill(c, yield)
			}
			if !stop && cause == nil {
				cause, stop = s.readLive(c, yield)
			}
			healthy := c.healthy(s.clock.Now())
			c.close()
			c = nil
			if stop {
				return
			}
			if s.ctx.Err() != nil || s.fatal(cause) {
				s.yieldEnd(yield, cause)
				return
			}
			if healthy {
				s.fails = 0
			}
			var err error
			if c, err = s.reconnect(cause); err != nil {
				s.yieldEnd(yield, err)
				return
			}
			backfill = true
		}
	}
}

// guard wraps yield so that nothing is delivered once the stream's context
// has ended (Close, or the caller's context), not even an event already read
// (the rest of a backfill page, frames buffered by the parser): the end is
// yielded instead (see yieldEnd), and the loop stops.
func (s *EventStream) guard(yield func(Event, error) bool) func(Event, error) bool {
	return func(ev Event, err error) bool {
		if s.ctx.Err() != nil {
			s.yieldEnd(yield, err)
			return false
		}
		return yield(ev, err)
	}
}

// yieldEnd yields the error that ends the stream: nothing after Close, the
// context's error once it ended, err otherwise.
func (s *EventStream) yieldEnd(yield func(Event, error) bool, err error) {
	switch {
	case s.closing.Load():
		return
	case s.userCtx.Err() != nil:
		yield(nil, s.userCtx.Err())
	case err != nil:
		yield(nil, err)
	}
}

// readLive delivers the frames of connection c until it ends. It reads with
// go-sse's parser only: go-sse's Connection treats a 429 or 5xx on reconnect
// as permanent and resets its backoff on every handshake, so the stream runs
// its own reconnect loop. It returns the
// cause of the disconnect, or stop when the stream is over (terminal event, the
// consumer stopped).
func (s *EventStream) readLive(c *streamConn, yield func(Event, error) bool) (cause error, stop bool) {
	c.live = true
	c.wd.Arm()
	defer c.wd.Disarm()
	for fr, err := range sse.Read(c.body, &sse.ReadConfig{MaxEventSize: s.cfg.MaxEventSize}) {
		if err != nil {
			return s.readError(c, err), false
		}
		if fr.Data == "" || fr.Type == "ping" {
			continue
		}
		data := []byte(fr.Data) // the event keeps it as its raw JSON
		if fr.Type == "error" {
			return errorFrame(s.cfg, data), false
		}
		ev, err := DecodeEvent(data)
		if err != nil {
			de := newEventDecodeError(s.cfg, data, -1, err)
			if de.ID != "" && s.dd.seen(de.ID) {
				continue // a copy of an event already delivered
			}
			if de.ID != "" && !isPreview(de.Type) {
				s.lost = de
			}
			return de, false
		}
		if ev.EventID() == "" {
			switch ev.EventType() {
			case "ping":
				continue
			case "error":
				return errorFrame(s.cfg, data), false
			}
		}
		c.wd.Disarm()
		if !s.offer(c, ev, false, time.Time{}, yield) {
			return nil, true
		}
		c.wd.Arm()
	}
	if s.ctx.Err() != nil {
		return s.ctx.Err(), false
	}
	return ErrStreamEnded, false
}

// readError names the reason a read of connection c failed.
func (s *EventStream) readError(c *streamConn, err error) error {
	switch {
	case s.ctx.Err() != nil:
		return s.ctx.Err()
	case context.Cause(c.ctx) == ErrStreamIdle:
		return ErrStreamIdle
	case errors.Is(err, bufio.ErrTooLong):
		return fmt.Errorf("%w (%d bytes)", ErrEventTooLarge, s.cfg.MaxEventSize)
	}
	return redactErr(fmt.Errorf("managedagents: reading event stream: %w", err), s.cfg)
}

// backfill delivers the events missed while disconnected, from the events
// list, after connection c was opened and before its frames are read.
func (s *EventStream) backfill(c *streamConn, yield func(Event, error) bool) (cause error, stop bool) {
	from := s.dd.cursor
	if from.IsZero() {
		from = s.floor
	}
	s.dd.reopened(from, serverDate(c.resp))
	done := StreamBackfill{Since: from}
	if s.onBackfill != nil {
		inner := yield
		yield = func(ev Event, err error) bool {
			if err == nil {
				done.Events++
			}
			return inner(ev, err)
		}
		defer func() { s.onBackfill(done) }()
	}
	page := ""
	var trail pageTrail
	for {
		p, err := s.listPage(c, from, page)
		if err == nil {
			done.Pages++
			err = trail.follow(page, p.NextPage)
		}
		if err != nil {
			if s.ctx.Err() != nil {
				return s.ctx.Err(), false
			}
			return err, false
		}
		for i, raw := range p.Data {
			ev, err := decodeListed(s.cfg, raw, i)
			if err != nil {
				de := err.(*EventDecodeError)
				if isPreview(de.Type) || (de.ID != "" && s.dd.seen(de.ID)) || processedBefore(raw, from) {
					continue
				}
				yield(nil, de)
				return nil, true
			}
			if !s.offer(c, ev, true, from, yield) {
				return nil, true
			}
		}
		if p.NextPage == "" {
			break
		}
		page = p.NextPage
	}
	if de := s.lost; de != nil {
		s.lost = nil
		yield(nil, de)
		return nil, true
	}
	return nil, false
}

// errPageIdle cancels a backfill page that was not answered within the idle
// timeout.
var errPageIdle = errors.New("backfill page not answered within the stream idle timeout")

// listPage fetches one page of the backfill of connection c. The whole page,
// its retries included, is bounded by the idle timeout on the stream's
// clock, as the live read is: a page that never answers ends the connection
// with a *pageIdleError (which matches ErrStreamIdle), a reconnect cause.
func (s *EventStream) listPage(c *streamConn, from time.Time, page string) (*eventPage, error) {
	ctx, cancel := context.WithCancelCause(c.ctx)
	defer cancel(nil)
	bound := s.clock.AfterFunc(s.cfg.StreamIdleTimeout, func() { cancel(errPageIdle) })
	defer bound.Stop()
	p, err := s.target.list(ctx, s.cfg, from, page)
	if err != nil && s.ctx.Err() == nil && context.Cause(ctx) == errPageIdle {
		return nil, &pageIdleError{route: s.target.listRoute, after: s.cfg.StreamIdleTimeout}
	}
	return p, err
}

// pageIdleError is the reconnect cause of a backfill page not answered within
// the idle timeout. It matches ErrStreamIdle.
type pageIdleError struct {
	route string
	after time.Duration
}

func (e *pageIdleError) Error() string {
	return fmt.Sprintf("%sbackfill page %s not answered within the stream idle timeout (%s)", errPrefix, e.route, e.after)
}

// Is reports whether target is ErrStreamIdle.
func (e *pageIdleError) Is(target error) bool { return target == ErrStreamIdle }

// offer delivers ev unless it is a duplicate, or, from a list (listed), a
// preview or an event processed before from. It returns false when the stream
// is over: the consumer stopped, or ev was terminal.
func (s *EventStream) offer(c *streamConn, ev Event, listed bool, from time.Time, yield func(Event, error) bool) bool {
	id := ev.EventID()
	if id == "" {
		// A preview, or a malformed event without an id: delivered live only,
		// and a terminal one still ends the stream. A preview of an event
		// already delivered (by a backfill, before this connection got to it)
		// is stale: its buffered copy, a duplicate, would never close it.
		if p, ok := ev.(PreviewEvent); ok && p.PreviewedEventID() != "" && s.dd.seen(p.PreviewedEventID()) {
			return true
		}
		return listed || (yield(ev, nil) && !s.ends(ev))
	}
	at := ev.EventProcessedAt()
	if listed && !at.IsZero() && at.Before(from) {
		return true
	}
	if !s.dd.admit(id, at, listed) {
		if s.onDuplicate != nil {
			s.onDuplicate(ev)
		}
		return true
	}
	c.progress = true
	if s.lost != nil && s.lost.ID == id {
		s.lost = nil
	}
	return yield(ev, nil) && !s.ends(ev)
}

// isPreview reports whether typ is a stream-only preview type.
func isPreview(typ EventType) bool { return typ == EventTypeEventStart || typ == EventTypeEventDelta }

// processedBefore reports whether the event raw has a processed_at before from.
func processedBefore(raw []byte, from time.Time) bool {
	var probe struct {
		ProcessedAt json.RawMessage `json:"processed_at"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return false
	}
	var at time.Time
	return json.Unmarshal(probe.ProcessedAt, &at) == nil && !at.IsZero() && at.Before(from)
}
