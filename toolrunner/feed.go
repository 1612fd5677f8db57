package toolrunner

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/go-managedagents/managedagents"
)

// feedMark says what a feedItem is.
type feedMark int

const (
	// markEvent: an event of the session, delivered once and in order.
	markEvent feedMark = iota
	// markCatchUp: a read of the history begins. Calls seen from here on wait
	// until markCaughtUp, when it is known whether the history answered them.
	markCatchUp
	// markCaughtUp: the history is read up to now; live events follow.
	markCaughtUp
	// markEnd: the feed is over, at the session's end (err nil) or because
	// the API refused a read for good (err).
	markEnd
)

// feedItem is what the feed hands the loop.
type feedItem struct {
	mark feedMark
	ev   managedagents.Event
	err  error
}

// feed delivers a session's events to the loop, each once and in order: the
// history first (every page, ascending), then the live stream, opened with
// the history's last processed_at as its Since, so that the stream's own
// backfill covers what happened in between and nothing falls into a gap. The
// stream reconnects and backfills on its own; when it gives up, the feed reads
// the history from where it was and opens a new one, after a backoff, until
// the session ends, a read is refused for good, or ctx ends.
//
// The loop must not act on a call before it knows whether the history holds
// its answer: a read of the history is framed by markCatchUp and markCaughtUp.
type feed struct {
	r   *Runner
	out chan<- feedItem
	log *slog.Logger

	// lastAt is the latest processed_at delivered, atLast the ids delivered
	// with exactly that processed_at: a read from lastAt (created_at[gte])
	// lists them again.
	lastAt time.Time
	atLast map[string]struct{}
	// read: a read of the session succeeded, so a 404 now means it was
	// deleted (its history goes with it), not a wrong id.
	read bool
}

// run feeds out until the session ends, a read is refused for good, or ctx
// ends (then it sends nothing more).
func (f *feed) run(ctx context.Context) {
	for restart := 0; ; restart++ {
		if !f.send(ctx, feedItem{mark: markCatchUp}) {
			return
		}
		ended, err := f.catchUp(ctx)
		if ctx.Err() != nil {
			return
		}
		if ended || err != nil {
			f.end(ctx, err)
			return
		}
		if !f.send(ctx, feedItem{mark: markCaughtUp}) {
			return
		}
		ended, progressed, err := f.follow(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case ended, permanent(err):
			f.end(ctx, err)
			return
		}
		if progressed {
			restart = 0
		}
		delay := f.r.opts.Backoff(restart)
		f.log.Warn("toolrunner: event stream ended; reading the history and opening it again",
			"error", errText(err), "delay", delay)
		if sleep(ctx, delay) != nil {
			return
		}
	}
}

// end tells the loop the feed is over: at the session's end, or with err, a
// read refused for good. A 404 after the session was read means it was
// deleted: an end, not an error.
func (f *feed) end(ctx context.Context, err error) {
	if f.read && errors.Is(err, managedagents.ErrNotFound) {
		f.log.Info("toolrunner: session deleted", "error", err.Error())
		err = nil
	}
	f.send(ctx, feedItem{mark: markEnd, err: err})
}

// send hands it to the loop; it reports false once ctx ended.
func (f *feed) send(ctx context.Context, it feedItem) bool {
	select {
	case f.out <- it:
		return true
	case <-ctx.Done():
		return false
	}
}

// catchUp reads the history from lastAt (all of it the first time), every
// page, and delivers what it did not deliver yet. A transient failure is
// retried after a backoff, from where the read was. It reports whether the
// session ended (a terminal event was delivered), or the error that refused
// a read for good.
func (f *feed) catchUp(ctx context.Context) (ended bool, err error) {
	for retry := 0; ; retry++ {
		params := managedagents.SessionEventListParams{CreatedAtGTE: f.lastAt, Order: managedagents.OrderAsc, Limit: 1000}
		err = nil
		for ev, lerr := range f.r.client.Sessions.Events.ListAll(ctx, f.r.sessionID, params, f.r.opts.RequestOptions...) {
			if lerr != nil {
				err = lerr
				break
			}
			if !f.deliver(ctx, ev) {
				return false, ctx.Err()
			}
			if managedagents.IsTerminal(ev) {
				return true, nil
			}
		}
		if err == nil {
			f.read = true
		}
		if err == nil || ctx.Err() != nil || permanent(err) {
			return false, err
		}
		delay := f.r.opts.Backoff(retry)
		f.log.Warn("toolrunner: reading the session's history failed; retrying", "error", err.Error(), "delay", delay)
		if sleep(ctx, delay) != nil {
			return false, ctx.Err()
		}
	}
}

// follow opens the live stream from lastAt and delivers its events until it
// ends. It reports whether the session ended, whether any event was
// delivered, and why the stream ended otherwise.
func (f *feed) follow(ctx context.Context) (ended, progressed bool, err error) {
	since := f.lastAt
	if since.IsZero() {
		since = time.Unix(0, 0) // the whole history: the read before found nothing processed
	}
	stream, err := f.r.client.Sessions.Events.Stream(ctx, f.r.sessionID, managedagents.EventStreamParams{
		Since: since,
		OnReconnect: func(rc managedagents.StreamReconnect) {
			f.log.Info("toolrunner: event stream reconnecting", "attempt", rc.Attempt, "delay", rc.Delay, "cause", rc.Cause.Error())
		},
	}, f.r.opts.RequestOptions...)
	if err != nil {
		return false, false, err
	}
	f.read = true
	defer stream.Close()
	for ev, serr := range stream.All() {
		if serr != nil {
			return false, progressed, serr
		}
		progressed = true
		if !f.deliver(ctx, ev) {
			return false, progressed, ctx.Err()
		}
		if managedagents.IsTerminal(ev) {
			return true, progressed, nil
		}
	}
	if ctx.Err() != nil {
		return false, progressed, ctx.Err()
	}
	// All ends without an error only at a terminal event, or once closed.
	return false, progressed, errStreamEnded
}

// errStreamEnded is why follow returns when the stream ended with no error
// and no terminal event (it cannot, unless closed).
var errStreamEnded = errors.New("toolrunner: event stream ended")

// deliver sends ev to the loop unless it was delivered already (listed again
// at lastAt); it reports false once ctx ended.
func (f *feed) deliver(ctx context.Context, ev managedagents.Event) bool {
	id, at := ev.EventID(), ev.EventProcessedAt()
	if _, dup := f.atLast[id]; dup && id != "" && !at.After(f.lastAt) {
		return true
	}
	if !at.IsZero() {
		if at.After(f.lastAt) {
			f.lastAt = at
			clear(f.atLast)
		}
		if at.Equal(f.lastAt) && id != "" {
			f.atLast[id] = struct{}{}
		}
	}
	return f.send(ctx, feedItem{mark: markEvent, ev: ev})
}

// sleep waits d or until ctx ends, and returns ctx's error if it ended.
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d): // collected once unreferenced, fired or not
	case <-ctx.Done():
	}
	return ctx.Err()
}

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
