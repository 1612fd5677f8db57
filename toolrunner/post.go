package toolrunner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// post posts the result of c, once (self-hosted.md §7.6). A post that may
// have reached the server (ErrDeliveryUncertain: a reset or timeout after
// sending; a 408, 409 or 5xx) is never repeated blindly: the session's history
// is read first (reconcile), and the result is posted again only if no result
// for c is there. A post the server surely did not take (a 429) is repeated. A
// post refused for good (another 4xx) is checked against the history once,
// then reported. Attempts are paced by Options.Backoff for Options.SendWindow
// from the first one; past it, c is reported as not answered. uncertain says
// that a post may have been made before (a result inherited from an earlier
// runner): the history is read before the first attempt.
func (l *loop) post(ctx context.Context, c *call, key CallKey, res ToolResult, uncertain bool, log *slog.Logger) {
	r := l.r
	deadline := time.Now().Add(r.opts.SendWindow)
	var lastErr, refused error
	textual := false
	for retry := 0; ; retry++ {
		if ctx.Err() != nil || c.void.Load() {
			l.stopPosting(ctx, c, key, res, log)
			return
		}
		if uncertain {
			// The history, not the stream, settles whether a post landed.
			found, err := l.reconcile(ctx, c)
			switch {
			case ctx.Err() != nil:
				continue
			case err != nil:
				log.Warn("toolrunner: reading the history to reconcile a result failed", "error", err.Error())
				lastErr = err
			case found:
				r.stats.reconciled.Add(1)
				log.Info("toolrunner: result found in the session's history; not posted again")
				l.putRecord(ctx, key, CallRecord{State: CallAnswered}, log)
				return
			case refused != nil:
				l.putRecord(ctx, key, CallRecord{State: CallAbandoned}, log)
				r.unanswered(c.ToolCall, fmt.Errorf("toolrunner: result refused: %w", refused))
				return
			default:
				uncertain = false
			}
		} else if c.answered.Load() {
			log.Info("toolrunner: call answered by another client; posting nothing")
			l.putRecord(ctx, key, CallRecord{State: CallAnswered}, log)
			return
		}
		if !uncertain {
			if retry > 0 {
				r.stats.retried.Add(1)
			}
			err := l.send(ctx, c, res)
			if err == nil {
				r.stats.posted.Add(1)
				log.Debug("toolrunner: result posted", "is_error", res.IsError)
				l.putRecord(ctx, key, CallRecord{State: CallAnswered}, log)
				return
			}
			if ctx.Err() != nil {
				continue
			}
			lastErr = err
			switch classifySend(err) {
			case sendInvalid:
				if textual {
					l.putRecord(ctx, key, CallRecord{State: CallAbandoned}, log)
					r.unanswered(c.ToolCall, fmt.Errorf("toolrunner: result cannot be sent: %w", err))
					return
				}
				log.Warn("toolrunner: result refused by the SDK; posting its blocks as text", "error", err.Error())
				res, textual = textOnly(res), true
				continue
			case sendRefused:
				log.Warn("toolrunner: result refused; checking the history for another client's answer", "error", err.Error())
				refused, uncertain = err, true
				continue
			case sendUncertain:
				log.Warn("toolrunner: result post uncertain; checking the history before posting again", "error", err.Error())
				uncertain = true
			case sendNotDelivered:
				log.Warn("toolrunner: result not delivered; posting again", "error", err.Error())
			}
		}
		delay := r.opts.Backoff(retry)
		if time.Now().Add(delay).After(deadline) {
			// Released with its result: a successor may post it, after
			// checking the history.
			l.putRecord(ctx, key, CallRecord{State: CallReleased, Result: &res}, log)
			r.unanswered(c.ToolCall, fmt.Errorf("toolrunner: result not delivered within the send window (%v): %w", r.opts.SendWindow, lastErr))
			return
		}
		_ = sleep(ctx, delay)
	}
}

// stopPosting records why the result of c will not be posted by this runner:
// voided (nobody posts it), or the runner is stopping (a successor with the
// same store posts it, after checking the history, since a post may have
// landed).
func (l *loop) stopPosting(ctx context.Context, c *call, key CallKey, res ToolResult, log *slog.Logger) {
	if c.void.Load() {
		log.Info("toolrunner: call voided before its result was posted; posting nothing")
		l.putRecord(ctx, key, CallRecord{State: CallAbandoned}, log)
		return
	}
	log.Info("toolrunner: runner stopping; the result is left to a successor")
	l.putRecord(ctx, key, CallRecord{State: CallReleased, Result: &res}, log)
}

// send posts the result of c: a user.tool_result or a user.custom_tool_result,
// in one request, each attempt bounded by Options.SendTimeout.
func (l *loop) send(ctx context.Context, c *call, res ToolResult) error {
	var ev managedagents.EventParam
	if c.Type == managedagents.EventTypeAgentCustomToolUse {
		ev = &managedagents.UserCustomToolResultParam{CustomToolUseID: c.ID, Content: res.Content, IsError: res.IsError}
	} else {
		ev = &managedagents.UserToolResultParam{ToolUseID: c.ID, Content: res.Content, IsError: res.IsError}
	}
	_, err := l.r.client.Sessions.Events.Send(ctx, l.r.sessionID,
		managedagents.SessionEventSendParams{Events: []managedagents.EventParam{ev}}, l.reqOpts...)
	return err
}

// reconcile reports whether the session's history holds a result for c: the
// events of its result type (types[]) processed since c (created_at[gte]),
// ascending; and, for a call of a child thread, that thread's events too.
func (l *loop) reconcile(ctx context.Context, c *call) (bool, error) {
	r := l.r
	typ := managedagents.EventTypeUserToolResult
	if c.Type == managedagents.EventTypeAgentCustomToolUse {
		typ = managedagents.EventTypeUserCustomToolResult
	}
	params := managedagents.SessionEventListParams{Types: []managedagents.EventType{typ},
		CreatedAtGTE: c.ProcessedAt, Order: managedagents.OrderAsc, Limit: 1000}
	for ev, err := range r.client.Sessions.Events.ListAll(ctx, r.sessionID, params, l.reqOpts...) {
		if err != nil {
			return false, err
		}
		if answers(ev, c.ID) {
			return true, nil
		}
	}
	if c.ThreadID == "" {
		return false, nil
	}
	for ev, err := range r.client.Sessions.Threads.Events.ListAll(ctx, r.sessionID, c.ThreadID,
		managedagents.SessionThreadEventListParams{Limit: 1000}, l.reqOpts...) {
		if err != nil {
			return false, err
		}
		if answers(ev, c.ID) {
			return true, nil
		}
	}
	return false, nil
}

// answers reports whether ev is a result of the call id.
func answers(ev managedagents.Event, id string) bool {
	switch e := ev.(type) {
	case *managedagents.UserToolResultEvent:
		return e.ToolUseID == id
	case *managedagents.UserCustomToolResultEvent:
		return e.CustomToolUseID == id
	}
	return false
}

// requestOptions are the options of a runner's posts and reconciling reads:
// Options.RequestOptions, each attempt bounded by Options.SendTimeout.
func (r *Runner) requestOptions() []option.RequestOption {
	opts := make([]option.RequestOption, 0, len(r.opts.RequestOptions)+1)
	opts = append(opts, r.opts.RequestOptions...)
	return append(opts, option.WithRequestTimeout(r.opts.SendTimeout))
}
