package ratelimit

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// TokenLimiter is the default in-process Limiter: one token bucket per class
// on golang.org/x/time/rate, each behind a gate that a 429 closes for every
// caller of the class. It is safe for concurrent use, and one TokenLimiter
// may be shared by several clients (option.WithLimiter) so that together they
// stay within one budget.
type TokenLimiter struct {
	clock        Clock
	budgets      Budgets
	create, read bucket
}

// bucket is the state of one class. mu orders every use of lim so that the
// times given to it never go back: x/time/rate counts the refill between two
// times twice if a later call passes an earlier time.
type bucket struct {
	mu      sync.Mutex
	lim     *rate.Limiter
	last    time.Time // latest time given to lim
	until   time.Time // the 429 gate: nothing is admitted before it
	paused  chan struct{}
	pending map[*waiter]struct{}
	pause   time.Duration // the pause when the server gave no retry-after
}

// waiter is an Acquire waiting for its reservation's time.
type waiter struct {
	r   *rate.Reservation
	act time.Time
	// gone is set when the reservation was cancelled on the waiter's behalf.
	gone bool
}

// New returns a TokenLimiter with budgets b (a zero Budget means the class's
// default). New is meant for budgets known to be valid, such as
// DefaultBudgets or constants; it never panics: a Budget that NewChecked
// would reject gets the default burst (a tenth of Limit, at least 1) if only
// its Burst is wrong, and otherwise the class's built-in default (60 or 600
// per minute). Use NewChecked, as option.WithRateLimits does, for budgets
// that come from configuration.
func New(b Budgets, opts ...Option) *TokenLimiter {
	return newLimiter(Budgets{Create: b.Create.lenient(Create), Read: b.Read.lenient(Read)}, opts)
}

// NewChecked is New that returns an error instead of repairing a Budget it
// cannot honour: Window not positive, Limit below 2, Burst negative, or Burst
// not below Limit.
func NewChecked(b Budgets, opts ...Option) (*TokenLimiter, error) {
	create, errC := b.Create.normalize(Create)
	read, errR := b.Read.normalize(Read)
	if err := errors.Join(errC, errR); err != nil {
		return nil, err
	}
	return newLimiter(Budgets{Create: create, Read: read}, opts), nil
}

func newLimiter(b Budgets, opts []Option) *TokenLimiter {
	s := settings{clock: systemClock{}}
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	l := &TokenLimiter{clock: s.clock, budgets: b}
	l.create.init(b.Create)
	l.read.init(b.Read)
	return l
}

func (k *bucket) init(b Budget) {
	r := rate.Limit(float64(b.Limit-b.Burst) / b.Window.Seconds())
	k.lim = rate.NewLimiter(r, b.Burst)
	k.paused = make(chan struct{})
	k.pending = make(map[*waiter]struct{})
	k.pause = max(time.Second, b.interval())
}

// Budgets returns the budgets in force, with defaults filled in.
func (l *TokenLimiter) Budgets() Budgets { return l.budgets }

func (l *TokenLimiter) bucket(c Class) *bucket {
	if c == Create {
		return &l.create
	}
	return &l.read
}

// Acquire implements Limiter. It waits for the class's 429 gate, then for a
// token of its bucket, and tells each wait to the function of
// WithWaitNotice before it begins. If the wait would end at or after ctx's deadline it
// returns at once a *WaitError and takes nothing. If ctx ends while waiting
// it returns ctx.Err() and gives the token back (in full unless later callers
// have queued behind it: their places are kept, so the bucket never runs
// ahead of the budget). Any class other than Create is counted as Read.
func (l *TokenLimiter) Acquire(ctx context.Context, c Class) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c != Create {
		c = Read
	}
	k := l.bucket(c)
	start := l.clock.Now()
	for {
		w, now, paused, ok := k.reserve(l.clock)
		if ok {
			return nil
		}
		if dl, has := ctx.Deadline(); has && !w.act.Before(dl) {
			k.release(w, l.clock)
			return &WaitError{Class: c, Wait: w.act.Sub(start)}
		}
		// Told before the timer starts: whoever bounds the call by the
		// waits it is told (a stream's backfill page) moves its bound first.
		NotifyWait(ctx, c, w.act.Sub(now))
		t := l.clock.NewTimer(w.act.Sub(now))
		select {
		case <-t.C():
			if k.admit(w, l.clock) {
				return nil
			}
		case <-paused:
			t.Stop()
			k.release(w, l.clock)
		case <-ctx.Done():
			t.Stop()
			k.release(w, l.clock)
			return ctx.Err()
		}
	}
}

// reserve takes a token at the later of now and the gate. ok reports that the
// token may be used at once; otherwise w is registered as pending and paused
// is closed if the gate moves before w's time.
func (k *bucket) reserve(clock Clock) (w *waiter, now time.Time, paused <-chan struct{}, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now = clock.Now()
	t := latest(now, k.until, k.last)
	k.last = t
	if !t.After(now) && k.lim.AllowN(t, 1) {
		return nil, now, nil, true
	}
	r := k.lim.ReserveN(t, 1)
	act := t
	if r.OK() { // always, as the burst is at least 1 and the rate above zero
		act = t.Add(r.DelayFrom(t))
	}
	if !act.After(now) {
		return nil, now, nil, true
	}
	w = &waiter{r: r, act: act}
	k.pending[w] = struct{}{}
	return w, now, k.paused, false
}

// admit reports whether w, whose time has come, may go: not if a Pause took
// its token back or the gate is closed, in which case w must queue again.
func (k *bucket) admit(w *waiter, clock Clock) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := clock.Now()
	if w.gone || k.until.After(now) {
		k.releaseLocked(w, now)
		return false
	}
	delete(k.pending, w)
	return true
}

// release gives w's token back as far as x/time/rate can.
func (k *bucket) release(w *waiter, clock Clock) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.releaseLocked(w, clock.Now())
}

func (k *bucket) releaseLocked(w *waiter, now time.Time) {
	delete(k.pending, w)
	if w.gone {
		return
	}
	w.gone = true
	k.last = latest(now, k.last)
	w.r.CancelAt(k.last)
}

// Pause implements Limiter: no request of class c is admitted until
// retryAfter has passed. A zero or negative retryAfter (the server gave none)
// pauses for one second or the time one token takes to refill, whichever is
// longer. Pauses do not add up: the gate opens at the latest time asked for.
// Callers already waiting for a token give it back and queue again behind
// the gate, so that they do not all go at once when it opens.
func (l *TokenLimiter) Pause(ctx context.Context, c Class, retryAfter time.Duration) {
	k := l.bucket(c)
	k.mu.Lock()
	defer k.mu.Unlock()
	now := l.clock.Now()
	if retryAfter <= 0 {
		retryAfter = k.pause
	}
	until := now.Add(retryAfter)
	if !until.After(k.until) {
		return
	}
	k.until = until
	// Take back the tokens of every pending reservation, so that the waiters
	// queue again behind the gate in the order they come. Rebuilding the bucket
	// is exact where Reservation.CancelAt restores a token only while no later
	// reservation is outstanding.
	t := latest(now, k.last)
	x := k.lim.TokensAt(t) + float64(len(k.pending))
	for w := range k.pending {
		w.gone = true
	}
	clear(k.pending)
	k.rebuild(min(x, float64(k.lim.Burst())), t)
	close(k.paused)
	k.paused = make(chan struct{})
}

// rebuild replaces the bucket by one of the same rate and burst that holds x
// tokens (x at most the burst, maybe negative) at t. The new bucket is emptied
// at t0 = t - (x+m)/rate and m more tokens are taken, m being the whole
// tokens of the deficit; t0 is rounded up to the nanosecond so that the
// bucket never holds more than x at t.
func (k *bucket) rebuild(x float64, t time.Time) {
	r, b := k.lim.Limit(), k.lim.Burst()
	lim := rate.NewLimiter(r, b)
	if x < float64(b) {
		m := max(0, math.Ceil(-x))
		back := time.Duration(math.Floor((x + m) / float64(r) * float64(time.Second)))
		t0 := t.Add(-back)
		lim.ReserveN(t0, b)
		for n := int(m); n > 0; n -= min(n, b) {
			lim.ReserveN(t0, min(n, b))
		}
	}
	k.lim = lim
	k.last = t
}

func latest(t time.Time, ts ...time.Time) time.Time {
	for _, u := range ts {
		if u.After(t) {
			t = u
		}
	}
	return t
}
