package conformance

import (
	"context"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	answers[anthropic.BetaManagedAgentsSessionThread](managedagentstest.RouteGetThread, managedagentstest.RouteArchiveThread)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsSessionThread]](managedagentstest.RouteListThreads)
	answers[pagination.PageCursor[anthropic.BetaManagedAgentsSessionEventUnion]](managedagentstest.RouteListThreadEvents)
	// reference §4.13: parent_thread_id is null for the primary thread,
	// workflow_run_id outside workflows, stats until the first status change,
	// usage until the first idle, archived_at until archived.
	allowNull("BetaManagedAgentsSessionThread.parent_thread_id", "BetaManagedAgentsSessionThread.workflow_run_id",
		"BetaManagedAgentsSessionThread.stats", "BetaManagedAgentsSessionThread.usage", "BetaManagedAgentsSessionThread.archived_at",
		"BetaManagedAgentsSessionThreadCreatedEvent.workflow_run_id")
}

// A coordinator's session with child threads: the primary thread's and a
// child's streams, listed, read and archived threads, and each thread's
// events.
func TestThreads(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	f := newFixture(t, h)
	started, opened := make(chan string, 1), make(chan struct{})
	h.srv.SetScript(f.coordinator.ID, func(turn *managedagentstest.Turn) {
		helper := turn.StartThread(f.helper.ID)
		if helper == nil {
			return
		}
		started <- helper.ID()
		select {
		case <-opened:
		case <-turn.Context().Done():
			return
		}
		helper.Message("The order shipped.")
		helper.Idle()
		turn.StartThread(f.coordinator.ID).Terminate()
		turn.Message("Done.")
	})
	sess := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(f.coordinator.ID)}, EnvironmentID: f.env.ID}))(t)
	threads := h.client.Beta.Sessions.Threads
	primary := must(threads.List(ctx, sess.ID, anthropic.BetaSessionThreadListParams{}))(t).Data[0]
	if primary.Agent.Name != "Coder" || primary.ParentThreadID != "" {
		t.Errorf("primary thread: %s", primary.RawJSON())
	}

	primaryStream := threads.Events.StreamEvents(ctx, primary.ID, anthropic.BetaSessionThreadEventStreamParams{SessionID: sess.ID,
		EventDeltas: []anthropic.BetaManagedAgentsDeltaType{anthropic.BetaManagedAgentsDeltaTypeAgentMessage}})
	defer primaryStream.Close()
	must(h.client.Beta.Sessions.Events.Send(ctx, sess.ID, anthropic.BetaSessionEventSendParams{
		Events: []anthropic.BetaManagedAgentsEventParamsUnion{userText("Check order 1234.")}}))(t)
	childID := <-started
	childStream := threads.Events.StreamEvents(ctx, childID, anthropic.BetaSessionThreadEventStreamParams{SessionID: sess.ID})
	defer childStream.Close()
	close(opened)
	readStream(h, childStream, func(ev anthropic.BetaManagedAgentsStreamSessionThreadEventsUnion) bool {
		return ev.Type == "agent.message"
	})
	seen := map[string]bool{}
	for _, ev := range readStream(h, primaryStream, func(ev anthropic.BetaManagedAgentsStreamSessionThreadEventsUnion) bool {
		return ev.Type == "session.status_idle"
	}) {
		seen[ev.Type] = true
	}
	for _, want := range []string{"session.thread_created", "session.thread_status_running", "session.thread_status_idle",
		"session.thread_status_terminated", "event_delta", "agent.message"} {
		if !seen[want] {
			t.Errorf("the primary thread's stream had no %s", want)
		}
	}

	n := 0
	pager := threads.ListAutoPaging(ctx, sess.ID, anthropic.BetaSessionThreadListParams{Limit: anthropic.Int(2)})
	for pager.Next() {
		n++
	}
	if err := pager.Err(); err != nil || n != 3 {
		t.Errorf("listed %d threads (%v), want 3", n, err)
	}
	idle := must(threads.List(ctx, sess.ID, anthropic.BetaSessionThreadListParams{
		Statuses: []anthropic.BetaManagedAgentsSessionThreadStatus{"idle"}}))(t)
	if len(idle.Data) != 2 {
		t.Errorf("idle threads: %s", idle.RawJSON())
	}
	child := must(threads.Get(ctx, childID, anthropic.BetaSessionThreadGetParams{SessionID: sess.ID}))(t)
	if child.ParentThreadID != primary.ID || child.Agent.Name != "Helper" || child.Status != "idle" {
		t.Errorf("child thread: %s", child.RawJSON())
	}
	archived := must(threads.Archive(ctx, childID, anthropic.BetaSessionThreadArchiveParams{SessionID: sess.ID}))(t)
	if archived.ArchivedAt.IsZero() {
		t.Errorf("archive: %s", archived.RawJSON())
	}
	_, err := threads.Archive(ctx, primary.ID, anthropic.BetaSessionThreadArchiveParams{SessionID: sess.ID})
	h.wantError(err, 400, "invalid_request_error")

	childEvents := must(threads.Events.List(ctx, childID, anthropic.BetaSessionThreadEventListParams{SessionID: sess.ID}))(t)
	if len(childEvents.Data) != 1 || childEvents.Data[0].Type != "agent.message" {
		t.Errorf("child thread events: %s", childEvents.RawJSON())
	}
	n = 0
	events := threads.Events.ListAutoPaging(ctx, primary.ID, anthropic.BetaSessionThreadEventListParams{SessionID: sess.ID, Limit: anthropic.Int(3)})
	for events.Next() {
		n++
	}
	if err := events.Err(); err != nil || n != len(h.srv.Events(sess.ID)) {
		t.Errorf("listed %d primary thread events (%v), want %d", n, err, len(h.srv.Events(sess.ID)))
	}
}
