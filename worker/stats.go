package worker

import (
	"context"
	"sync/atomic"

	"github.com/go-managedagents/managedagents/toolrunner"
)

// Stats are counts of what a worker did, for metrics: export them as
// counters (all but ItemsActive, a gauge). Take them with [Worker.Stats].
type Stats struct {
	// Polls counts the poll requests sent (each attempt), and PollErrors
	// those that failed (an error answer or no answer).
	Polls, PollErrors int64
	// ItemsClaimed counts the items polled and acked; AckErrors the acks
	// refused (the item goes back to the queue).
	ItemsClaimed, AckErrors int64
	// ItemsActive is the number of items being served now.
	ItemsActive int64
	// ItemsServed counts the items served to their end: the session ended,
	// idled out or was stopped by the server, and health checks.
	ItemsServed int64
	// ItemsFailed counts the items that could not be served (the session
	// could not be read, a memory store could not be mounted, the stream was
	// refused for good).
	ItemsFailed int64
	// ItemsInterrupted counts the items cut short by the worker's stop.
	ItemsInterrupted int64
	// Healthchecks counts the health-check items stopped; UnknownItems the
	// items of a kind the worker does not serve, stopped as well.
	Healthchecks, UnknownItems int64
	// LeasesLost counts the leases lost (a 412, or no good heartbeat for a
	// TTL): their items were given up without being stopped.
	LeasesLost int64
	// Heartbeats counts the heartbeats answered, HeartbeatErrors those that
	// failed.
	Heartbeats, HeartbeatErrors int64
	// Stops counts the items stopped, StopErrors the stops that failed.
	Stops, StopErrors int64
	// ToolCalls counts the tool calls started, ToolResultsPosted the results
	// posted (both of the items' runners: see toolrunner.Stats).
	ToolCalls, ToolResultsPosted int64
	// SkillsInstalled counts the skills downloaded and unpacked, SkillErrors
	// those that could not be (the item goes on without them).
	SkillsInstalled, SkillErrors int64
	// MemorySyncs counts the syncs of a memory store, MemoryErrors the
	// syncs and uploads that failed.
	MemorySyncs, MemoryErrors int64
}

// counters are the worker's Stats, updated atomically.
type counters struct {
	polls, pollErrors, claimed, ackErrors, active, served, failed, interrupted atomic.Int64
	healthchecks, unknownItems, leasesLost, heartbeats, heartbeatErrors        atomic.Int64
	stops, stopErrors, toolCalls, posted, skills, skillErrors                  atomic.Int64
	memorySyncs, memoryErrors                                                  atomic.Int64
}

// Stats returns the counts so far. It is safe to call at any time.
func (w *Worker) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := &w.counters
	s := Stats{
		Polls: c.polls.Load(), PollErrors: c.pollErrors.Load(),
		ItemsClaimed: c.claimed.Load(), AckErrors: c.ackErrors.Load(),
		ItemsActive: c.active.Load(), ItemsServed: c.served.Load(), ItemsFailed: c.failed.Load(),
		ItemsInterrupted: c.interrupted.Load(),
		Healthchecks:     c.healthchecks.Load(), UnknownItems: c.unknownItems.Load(),
		LeasesLost: c.leasesLost.Load(), Heartbeats: c.heartbeats.Load(), HeartbeatErrors: c.heartbeatErrors.Load(),
		Stops: c.stops.Load(), StopErrors: c.stopErrors.Load(),
		ToolCalls: c.toolCalls.Load(), ToolResultsPosted: c.posted.Load(),
		SkillsInstalled: c.skills.Load(), SkillErrors: c.skillErrors.Load(),
		MemorySyncs: c.memorySyncs.Load(), MemoryErrors: c.memoryErrors.Load(),
	}
	for _, it := range w.items { // the runners still running
		it.mu.Lock()
		if it.runner != nil {
			s.ToolResultsPosted += it.runner.Stats().Posted
		}
		it.mu.Unlock()
	}
	return s
}

// countToolCall is the outermost tool middleware of every item: it counts
// the calls started.
func (w *Worker) countToolCall(ctx context.Context, call toolrunner.ToolCall, next toolrunner.ToolFunc) (toolrunner.ToolResult, error) {
	w.counters.toolCalls.Add(1)
	return next(ctx, call)
}
