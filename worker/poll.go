package worker

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// ackTimeout bounds an ack: an item not acked within reclaim_older_than_ms
// (5 s by default) may be handed to another worker anyway.
const ackTimeout = 5 * time.Second

// pollLoop claims items while the worker has room for one more, acks each
// at once and serves it in a goroutine of its own, until ctx ends (the
// worker stops) or a poll is refused for good (the worker stops on its own).
func (w *Worker) pollLoop(ctx context.Context) {
	defer close(w.pollEnded)
	slots := make(chan struct{}, w.opts.MaxConcurrentItems)
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		polled, err := w.poller.Next(ctx)
		if err != nil {
			<-slots
			if ctx.Err() == nil {
				w.failed(err)
				w.log.Error("worker: polling refused for good; stopping", "error", err.Error())
			}
			return
		}
		it := w.claim(ctx, polled)
		if it == nil {
			<-slots
			continue
		}
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			defer func() { <-slots }()
			it.serve()
			w.forget(it)
		}()
	}
}

// claim acks a polled item and returns it ready to serve, or nil when it is
// not to be served: the worker began to stop (the item is not acked, and
// goes back to the queue once its claim goes stale), or the ack was refused.
// An ack whose answer was lost (a *DeliveryError: it may have landed) is
// taken as made: the first heartbeat tells.
func (w *Worker) claim(ctx context.Context, polled *managedagents.WorkItem) *item {
	log := w.log.With("work_id", polled.ID)
	if ctx.Err() != nil {
		log.Info("worker: item polled as the worker stops; not acked, it goes back to the queue")
		return nil
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	acked, err := w.polls.Environments.Work.Ack(actx, w.env, polled.ID, managedagents.EnvironmentWorkAckParams{})
	cancel()
	switch {
	case err == nil:
	case errors.Is(err, managedagents.ErrDeliveryUncertain):
		log.Warn("worker: ack answer lost; serving the item, whose first heartbeat tells whether it is ours", "error", err.Error())
		acked = polled
	default:
		w.counters.ackErrors.Add(1)
		log.Warn("worker: ack refused; the item goes back to the queue", "error", err.Error())
		return nil
	}
	w.counters.claimed.Add(1)
	it := newItem(w, polled, acked, log)
	it.log.Info("worker: item claimed")
	if !w.register(it) {
		// Acked as the worker began to stop: not served, not heartbeaten, its
		// lease lapses and the queue hands it to another worker.
		log.Info("worker: item acked as the worker stops; its lease will lapse and it goes back to the queue")
		it.cancel(ErrInterrupted)
		return nil
	}
	return it
}

// countPolls is the middleware of the polling client: it counts the poll
// attempts and the failed ones.
func (w *Worker) countPolls(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	if call := option.CallFromContext(req.Context()); call == nil || call.Operation != "environments.work.poll" {
		return next(req)
	}
	w.counters.polls.Add(1)
	resp, err := next(req)
	if err != nil || resp.StatusCode >= 300 && resp.StatusCode != http.StatusNoContent {
		w.counters.pollErrors.Add(1)
	}
	return resp, err
}
