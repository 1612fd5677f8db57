package ratelimit

import (
	"context"
	"time"
)

// waitNoticeKey is the context key of the function set by WithWaitNotice.
type waitNoticeKey struct{}

// WithWaitNotice returns a copy of ctx that carries f: an Acquire given the
// returned context (or one derived from it) calls f before each wait for a
// slot, with the class and how long it expects the wait to last, in the
// goroutine that called Acquire. It lets a caller tell its user that a
// request waits for the budget, and how long, before the wait rather than
// after. An Acquire that takes a slot at once calls nothing. If ctx already
// carries a function, both are called, the one of ctx first. f must not
// block for long.
//
// The limiters of this module and of redisrate call it; a Limiter of
// another kind does if it calls [NotifyWait].
func WithWaitNotice(ctx context.Context, f func(c Class, wait time.Duration)) context.Context {
	if outer := waitNotice(ctx); outer != nil {
		inner := f
		f = func(c Class, wait time.Duration) {
			outer(c, wait)
			inner(c, wait)
		}
	}
	return context.WithValue(ctx, waitNoticeKey{}, f)
}

// NotifyWait calls the function that ctx carries (see [WithWaitNotice]), if
// any, with c and wait. A [Limiter] calls it in Acquire just before each
// wait for a slot; a wait that is not positive is not told.
func NotifyWait(ctx context.Context, c Class, wait time.Duration) {
	if f := waitNotice(ctx); f != nil && wait > 0 {
		f(c, wait)
	}
}

func waitNotice(ctx context.Context) func(Class, time.Duration) {
	f, _ := ctx.Value(waitNoticeKey{}).(func(Class, time.Duration))
	return f
}
