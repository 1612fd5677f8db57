package managedagents

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// DefaultPollBudget is the poll budget of a [WorkPoller] without one: at most
// 30 polls in any minute, 5 of them back to back, then one every 2.4 s. It
// keeps half of the 60 requests a minute that Anthropic's skill files give
// all environment operations (self-hosted.md §6; unverified) for acks,
// heartbeats and stops, and polls about as often as the official worker does
// when idle (one poll every 1 to 4 s).
var DefaultPollBudget = ratelimit.Budget{Limit: 30, Window: time.Minute, Burst: 5}

// Poll backoff after failures: 1 s, doubling, at most DefaultPollMaxBackoff.
const (
	pollBackoffBase       = time.Second
	DefaultPollMaxBackoff = 60 * time.Second
)

// WorkPollerOptions configure a [WorkPoller]. The zero value of each field is
// its documented default.
type WorkPollerOptions struct {
	// WorkerID is sent as Anthropic-Worker-ID on every poll, so that the
	// queue's stats count this worker. Default: the host name and 16 random
	// hex digits, "<hostname>-<hex>".
	WorkerID string
	// BlockMs is how long each poll waits on the server for work, 1 to 999
	// milliseconds. Default 999; a negative value polls without blocking.
	BlockMs int
	// ReclaimOlderThanMs asks for items another worker polled and did not
	// ack for this long; zero leaves the server's default (5000).
	ReclaimOlderThanMs int
	// Budget caps the polls: never more than Budget.Limit in any
	// Budget.Window, at most Budget.Burst back to back (see
	// ratelimit.Budget). Default DefaultPollBudget. The client's own rate
	// limiter applies as well.
	Budget ratelimit.Budget
	// MaxBackoff caps the wait after failed polls: 1 s after the first,
	// doubling with each failure in a row, with jitter, or the server's
	// retry-after when longer. Default DefaultPollMaxBackoff.
	MaxBackoff time.Duration
	// Clock tells the time and times the waits; nil is the system clock.
	// Tests pass a fake one.
	Clock ratelimit.Clock
}

// WorkPoller claims the work items of a self-hosted environment's queue,
// paced so that it never polls more than its budget allows
// (self-hosted.md §6): a worker's poll loop calls [WorkPoller.Next] whenever
// it can take an item, and acks what it gets at once. Empty polls are paced
// by the budget alone; failed polls back off. Its methods are safe for
// concurrent use; polls are made one at a time.
type WorkPoller struct {
	client  *Client
	env     string
	params  EnvironmentWorkPollParams
	limiter *ratelimit.TokenLimiter
	clock   ratelimit.Clock // nil: the system clock
	maxWait time.Duration

	mu       sync.Mutex
	failures int // failed polls in a row
}

// NewWorkPoller returns a poller of environment environmentID's queue that
// polls with client (which must hold the environment key: option.
// WithEnvironmentKey or ANTHROPIC_ENVIRONMENT_KEY). An option that cannot be
// honoured is a *ValidationError.
func NewWorkPoller(client *Client, environmentID string, opts WorkPollerOptions) (*WorkPoller, error) {
	if client == nil {
		return nil, invalid("client", "must not be nil")
	}
	if err := checkID("environment_id", environmentID); err != nil {
		return nil, err
	}
	switch {
	case opts.BlockMs == 0:
		opts.BlockMs = maxBlockMs
	case opts.BlockMs < 0:
		opts.BlockMs = 0
	}
	if opts.WorkerID == "" {
		opts.WorkerID = defaultWorkerID()
	}
	params := EnvironmentWorkPollParams{BlockMs: opts.BlockMs, ReclaimOlderThanMs: opts.ReclaimOlderThanMs, WorkerID: opts.WorkerID}
	if _, err := params.query(); err != nil {
		return nil, err
	}
	if opts.Budget == (ratelimit.Budget{}) {
		opts.Budget = DefaultPollBudget
	}
	switch {
	case opts.MaxBackoff == 0:
		opts.MaxBackoff = DefaultPollMaxBackoff
	case opts.MaxBackoff < 0:
		return nil, invalid("max_backoff", "must not be negative")
	}
	lim, err := ratelimit.NewChecked(ratelimit.Budgets{Read: opts.Budget}, ratelimit.WithClock(opts.Clock))
	if err != nil {
		return nil, invalid("budget", strings.TrimPrefix(err.Error(), "ratelimit: read budget: "))
	}
	return &WorkPoller{client: client, env: environmentID, params: params, limiter: lim, clock: opts.Clock, maxWait: opts.MaxBackoff}, nil
}

// WorkerID returns the id the poller sends as Anthropic-Worker-ID.
func (p *WorkPoller) WorkerID() string { return p.params.WorkerID }

// Next polls until it claims a work item and returns it. The item is not
// acked: ack it at once (within reclaim_older_than_ms, 5 s by default), then
// start its heartbeats. Each poll takes a slot of the poller's budget first
// and is sent once (the client's own retries are off for polls, so that
// every request counts against the budget). A poll that fails for a reason
// a retry can fix (a 5xx, a 429, a network error, an unreadable answer) is
// made again after a backoff; an error a retry cannot fix (another 4xx: a
// bad environment key, an unknown environment; a missing credential) is
// returned at once. When ctx ends, Next returns ctx.Err(); when the next
// slot of the budget would come after ctx's deadline, a
// *ratelimit.WaitError.
//
// GET /v1/environments/{environment_id}/work/poll
func (p *WorkPoller) Next(ctx context.Context) (*WorkItem, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := p.limiter.Acquire(ctx, ratelimit.Read); err != nil {
			return nil, err
		}
		// The poller retries on its own budget and backoff: the client
		// underneath makes each poll once, so that every request is counted.
		item, err := p.client.Environments.Work.Poll(ctx, p.env, p.params, option.WithMaxRetries(0))
		switch {
		case err == nil:
			p.failures = 0
			if item != nil {
				return item, nil
			}
			continue
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case !retryablePollError(err):
			return nil, err
		}
		p.failures++
		if err := p.sleep(ctx, p.backoff(err)); err != nil {
			return nil, err
		}
	}
}

// retryablePollError reports whether a failed poll may succeed if made
// again: network errors, unreadable answers, 408, 409, 429 and 5xx answers.
// Other 4xx answers, invalid arguments and missing credentials are final.
func retryablePollError(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		s := apiErr.StatusCode
		return s == http.StatusRequestTimeout || s == http.StatusConflict || s == http.StatusTooManyRequests || s >= 500
	}
	var wait *ratelimit.WaitError
	return !errors.Is(err, ErrInvalidParams) && !errors.Is(err, ErrMissingCredentials) && !errors.As(err, &wait)
}

// backoff returns the wait after the current run of failures: 1 s × 2ⁿ⁻¹ up
// to the cap, drawn in [d/2, d), or the server's retry-after when longer.
func (p *WorkPoller) backoff(err error) time.Duration {
	d := p.maxWait
	if n := p.failures - 1; n < 30 {
		if b := pollBackoffBase << n; b > 0 && b < d {
			d = b
		}
	}
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > d {
		d = min(apiErr.RetryAfter, p.maxWait)
	}
	return d
}

// sleep waits d on the poller's clock, or until ctx ends.
func (p *WorkPoller) sleep(ctx context.Context, d time.Duration) error {
	var fired <-chan time.Time
	if p.clock == nil {
		t := time.NewTimer(d)
		defer t.Stop()
		fired = t.C
	} else {
		t := p.clock.NewTimer(d)
		defer t.Stop()
		fired = t.C()
	}
	select {
	case <-fired:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// defaultWorkerID returns "<hostname>-<16 hex digits>", or
// "managedagents-go-worker-<16 hex digits>" without a host name.
func defaultWorkerID() string {
	var b [8]byte
	_, _ = crand.Read(b[:])
	suffix := hex.EncodeToString(b[:])
	if host, err := os.Hostname(); err == nil && host != "" {
		return host + "-" + suffix
	}
	return "managedagents-go-worker-" + suffix
}
