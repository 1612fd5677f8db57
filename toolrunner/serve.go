package toolrunner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-managedagents/managedagents"
)

// errToolTimeout is the cancellation cause of a call that outlived
// Options.ToolTimeout.
var errToolTimeout = errors.New("toolrunner: tool timed out")

// noOutput is the text of a result that would otherwise be empty
// (self-hosted.md §4.5).
const noOutput = "(no output)"

// serve claims, runs and answers one call, in a goroutine of its own, then
// hands it back to the loop. ctx is the call's: cancelled with ErrVoided when
// the call is voided, and when Run's context ends.
//
// What is recorded when (the at-most-once promise): the call is claimed in
// the Store (CallStarted) before anything runs; its result is recorded
// (CallFinished) before the first post; CallAnswered once a post succeeded or
// the session showed an answer; CallReleased when the runner stops before
// that. A claim that finds a record never runs the call (see inherit).
func (l *loop) serve(ctx context.Context, c *call) {
	defer func() { l.done <- c }()
	r := l.r
	ctx = withCall(ctx, c.ToolCall)
	log := r.callLogger(c.ToolCall)
	key := CallKey{SessionID: r.sessionID, ToolUseID: c.ID}
	rec, claimed, err := r.opts.Store.Claim(ctx, key, CallRecord{State: CallStarted, UpdatedAt: time.Now()})
	if err != nil {
		if ctx.Err() == nil {
			r.unanswered(c.ToolCall, fmt.Errorf("toolrunner: claiming the call in the store: %w", err))
		}
		return
	}
	var res ToolResult
	uncertain := false
	if claimed {
		var ok bool
		if res, ok = l.runCall(ctx, c, key, log); !ok {
			return
		}
	} else {
		var ok bool
		if res, uncertain, ok = l.inherit(ctx, c, key, rec, log); !ok {
			return
		}
	}
	l.putRecord(ctx, key, CallRecord{State: CallFinished, Result: &res}, log)
	l.post(ctx, c, key, res, uncertain, log)
}

// callLogger returns the runner's logger with the attributes of call, or the
// runner's own when it logs nothing (the default), to spare the work.
func (r *Runner) callLogger(call ToolCall) *slog.Logger {
	if !r.log.Enabled(context.Background(), slog.LevelError) {
		return r.log
	}
	return r.log.With("tool_use_id", call.ID, "tool", call.Name, "thread_id", call.ThreadID)
}

// runCall runs c through the middleware chain under Options.ToolTimeout. It
// returns the result to post, or false when there is nothing to post: the
// call was voided, the runner is stopping and the call did not finish, or
// the tool is not owned after all.
func (l *loop) runCall(ctx context.Context, c *call, key CallKey, log *slog.Logger) (ToolResult, bool) {
	r := l.r
	r.stats.started.Add(1)
	ectx, cancel := context.WithTimeoutCause(ctx, r.opts.ToolTimeout, errToolTimeout)
	defer cancel()
	start := time.Now()
	res, err := l.protect(ectx, c.ToolCall, log)
	took := time.Since(start)
	switch {
	case c.void.Load():
		log.Info("toolrunner: voided call ended; posting nothing", "duration", took)
		l.putRecord(ctx, key, CallRecord{State: CallAbandoned}, log)
		return ToolResult{}, false
	case err == nil:
	case errors.Is(err, ErrNotOwned):
		l.putRecord(ctx, key, CallRecord{State: CallAbandoned}, log)
		r.unanswered(c.ToolCall, err)
		return ToolResult{}, false
	case ctx.Err() != nil:
		// Run is ending: the call was cut short, never to run again.
		log.Info("toolrunner: call cancelled as the runner stops", "duration", took)
		l.putRecord(ctx, key, CallRecord{State: CallReleased}, log)
		return ToolResult{}, false
	case context.Cause(ectx) == errToolTimeout:
		res = NewToolResultError(fmt.Sprintf("%s: timed out after %v", c.Name, r.opts.ToolTimeout))
	default:
		res = NewToolResultError(c.Name + ": " + err.Error())
	}
	log.Debug("toolrunner: call ran", "duration", took, "is_error", res.IsError)
	return normalize(res), true
}

// inherit takes over a call another runner claimed, without running it: it
// returns the result to post and whether a post of it may have been made
// already, or false when there is nothing to post. While the owner may still
// be at work (a CallStarted or CallFinished record younger than the call and
// its post can take), it waits, reading the record again at each backoff,
// until the call is answered (seen in the session), voided, or its record
// moves on.
func (l *loop) inherit(ctx context.Context, c *call, key CallKey, rec CallRecord, log *slog.Logger) (ToolResult, bool, bool) {
	r := l.r
	for retry := 0; ; retry++ {
		if c.answered.Load() || c.void.Load() {
			return ToolResult{}, false, false
		}
		switch rec.State {
		case CallAnswered, CallAbandoned:
			return ToolResult{}, false, false
		case CallReleased:
			if rec.Result != nil {
				log.Info("toolrunner: taking over a call another runner ran; posting its result unless the session holds one")
				return normalize(*rec.Result), true, true
			}
			log.Warn("toolrunner: taking over a call another runner cut short; answering it without running it again")
			return cutShort(c), false, true
		case CallFinished:
			if time.Since(rec.UpdatedAt) > r.opts.SendWindow && rec.Result != nil {
				log.Warn("toolrunner: taking over a call whose runner never posted its result; posting it unless the session holds one")
				return normalize(*rec.Result), true, true
			}
		default: // CallStarted, or a state this runner does not know
			if time.Since(rec.UpdatedAt) > r.opts.ToolTimeout+r.opts.SendWindow {
				log.Warn("toolrunner: taking over a call whose runner never finished it; answering it without running it again")
				return cutShort(c), false, true
			}
		}
		if sleep(ctx, r.opts.Backoff(retry)) != nil {
			return ToolResult{}, false, false
		}
		next, _, err := r.opts.Store.Claim(ctx, key, CallRecord{State: CallStarted, UpdatedAt: time.Now()})
		if err != nil {
			log.Warn("toolrunner: reading the call's record failed", "error", err.Error())
			continue
		}
		rec = next
	}
}

// cutShort is the answer to a call a runner stopped in the middle of.
func cutShort(c *call) ToolResult {
	return NewToolResultError(c.Name + ": this call was cut short when the runner running it stopped; it was not run again, so that it does not run twice")
}

// protect runs the middleware chain, turning a panic into an error.
func (l *loop) protect(ctx context.Context, tc ToolCall, log *slog.Logger) (res ToolResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("toolrunner: tool panicked", "panic", fmt.Sprint(p))
			res, err = ToolResult{}, errors.New("the tool failed (it panicked)")
		}
	}()
	return l.r.run(ctx, tc)
}

// execute runs a call with its executor or handler: the innermost step of
// the middleware chain.
func (r *Runner) execute(ctx context.Context, tc ToolCall) (ToolResult, error) {
	if tc.Type == managedagents.EventTypeAgentCustomToolUse {
		h := r.opts.CustomTools[tc.Name]
		if h == nil {
			return ToolResult{}, ErrNotOwned
		}
		return h(ctx, tc)
	}
	if r.opts.Executor == nil || !r.owned[tc.Name] {
		return ToolResult{}, ErrNotOwned
	}
	return r.opts.Executor.Run(ctx, tc.Name, tc.Input)
}

// putRecord records rec in the store; a failure is logged, not fatal (the
// post matters more). The write outlives the cancellation of ctx, so that a
// stopping runner still records what its successor needs.
func (l *loop) putRecord(ctx context.Context, key CallKey, rec CallRecord, log *slog.Logger) {
	rec.UpdatedAt = time.Now()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.r.opts.SendTimeout)
	defer cancel()
	if err := l.r.opts.Store.Put(sctx, key, rec); err != nil {
		log.Warn("toolrunner: recording the call in the store failed", "state", string(rec.State), "error", err.Error())
	}
}

// normalize shapes a result as the API takes it (self-hosted.md §4.5): empty
// text blocks dropped, blocks a tool result cannot hold turned into text
// holding their JSON, and "(no output)" for a result left with no block.
func normalize(res ToolResult) ToolResult {
	out := make(managedagents.ContentBlocks, 0, len(res.Content))
	for _, b := range res.Content {
		switch b := b.(type) {
		case nil:
		case *managedagents.TextBlock:
			if b != nil && b.Text != "" {
				out = append(out, b)
			}
		case *managedagents.ImageBlock:
			if b != nil {
				out = append(out, b)
			}
		case *managedagents.DocumentBlock:
			if b != nil {
				out = append(out, b)
			}
		case *managedagents.SearchResultBlock:
			if b != nil {
				out = append(out, b)
			}
		default:
			if t := blockJSON(b); t != nil {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, managedagents.NewTextBlock(noOutput))
	}
	return ToolResult{Content: out, IsError: res.IsError}
}

// textOnly turns every block of res that is not text into text holding its
// JSON: the fallback for a result the SDK refuses to send.
func textOnly(res ToolResult) ToolResult {
	out := make(managedagents.ContentBlocks, 0, len(res.Content))
	for _, b := range res.Content {
		if t, ok := b.(*managedagents.TextBlock); ok {
			out = append(out, t)
		} else if t := blockJSON(b); t != nil {
			out = append(out, t)
		}
	}
	return normalize(ToolResult{Content: out, IsError: res.IsError})
}

// blockJSON returns a text block holding b's JSON, or nil if it has none.
func blockJSON(b managedagents.ContentBlock) *managedagents.TextBlock {
	data, err := json.Marshal(b)
	if err != nil || len(data) == 0 || string(data) == "null" {
		return nil
	}
	return managedagents.NewTextBlock(string(data))
}
