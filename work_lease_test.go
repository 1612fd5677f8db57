package managedagents

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// leaseServer is a heartbeat endpoint with the API's exact-echo rule: it
// stores a heartbeat per beat (a second apart on its own clock) and answers
// 412 with current_state to any other expected value. It can lose the
// answer of a beat it stored, as a reset connection does.
type leaseServer struct {
	mu       sync.Mutex
	stored   string
	clock    time.Time
	state    WorkState
	dropNext bool     // store the next beat, then drop the connection
	expected []string // the expected_last_heartbeat of every beat
	tokens   []string // the credential of every beat
}

func newLeaseServer() *leaseServer {
	return &leaseServer{clock: time.Date(2026, 11, 24, 10, 5, 0, 0, time.UTC), state: WorkStateActive}
}

func (s *leaseServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp := r.URL.Query().Get("expected_last_heartbeat")
	s.expected = append(s.expected, exp)
	s.tokens = append(s.tokens, r.Header.Get("Authorization"))
	want := s.stored
	if want == "" {
		want = NoHeartbeat
	}
	if exp != want || s.state != WorkStateActive {
		var last any
		if s.stored != "" {
			last = s.stored
		}
		body, _ := json.Marshal(map[string]any{"type": "error", "error": map[string]any{"type": "invalid_request_error", "message": "precondition failed",
			"details": map[string]any{"error_code": "heartbeat_precondition_failed", "current_state": map[string]any{
				"state": s.state, "last_heartbeat": last, "lease_extended": false, "ttl_seconds": 30}}}})
		replyJSON(412, string(body))(w, r)
		return
	}
	s.clock = s.clock.Add(time.Second)
	s.stored = s.clock.Format("2006-01-02T15:04:05.000Z07:00")
	if s.dropNext {
		s.dropNext = false
		resetConnection(w)
		return
	}
	replyJSON(200, fmt.Sprintf(`{"type":"work_heartbeat","last_heartbeat":%q,"lease_extended":true,"state":"active","ttl_seconds":30}`, s.stored))(w, r)
}

// acked is the ack's answer for the lease's item, with the sample's secret.
func acked(t *testing.T) *WorkItem {
	var item WorkItem
	require.NoError(t, json.Unmarshal(fixture(t, "work/work_item.json"), &item))
	item.State, item.AcknowledgedAt = WorkStateStarting, time.Date(2026, 11, 24, 10, 4, 59, 0, time.UTC)
	return &item
}

// A lease echoes each stored heartbeat, with the item's token, and keeps
// the TTL it is told.
func TestWorkLeaseEchoes(t *testing.T) {
	t.Parallel()
	s := newLeaseServer()
	c, _ := workClient(t, s.serve)
	l, err := NewWorkLease(c, acked(t), WorkLeaseOptions{})
	require.NoError(t, err)
	require.Equal(t, NoHeartbeat, l.LastHeartbeat())
	require.Equal(t, 30*time.Second, l.TTL())
	for range 3 {
		before := time.Now()
		hb, err := l.Beat(context.Background())
		require.NoError(t, err)
		require.True(t, hb.Held())
		require.Equal(t, hb.LastHeartbeat, l.LastHeartbeat())
		require.False(t, l.HeldUntil().Before(before.Add(30*time.Second)))
	}
	require.Equal(t, []string{NoHeartbeat, "2026-11-24T10:05:01.000Z", "2026-11-24T10:05:02.000Z"}, s.expected)
	for _, tok := range s.tokens {
		require.Equal(t, "Bearer "+sampleSessionsToken, tok, "the item's token, though the client was not scoped")
	}

	// A lease handed over by another process starts from its last heartbeat.
	l, err = NewWorkLease(c, acked(t), WorkLeaseOptions{ExpectedLastHeartbeat: "2026-11-24T10:05:03.000Z"})
	require.NoError(t, err)
	_, err = l.Beat(context.Background())
	require.NoError(t, err)
	require.Equal(t, "2026-11-24T10:05:03.000Z", s.expected[3])
}

// A beat whose answer was lost stored a heartbeat the lease never saw: the
// next beat's 412 shows it, stored while the lease ran, and the lease takes
// it and beats again instead of giving up the item.
func TestWorkLeaseRecoversLostAnswer(t *testing.T) {
	t.Parallel()
	for _, first := range []bool{false, true} {
		t.Run(fmt.Sprintf("first beat lost %v", first), func(t *testing.T) {
			t.Parallel()
			s := newLeaseServer()
			c, _ := workClient(t, s.serve)
			l, err := NewWorkLease(c, acked(t), WorkLeaseOptions{})
			require.NoError(t, err)
			ctx := context.Background()
			if !first {
				_, err = l.Beat(ctx)
				require.NoError(t, err)
			}
			known := l.LastHeartbeat()
			s.dropNext = true
			_, err = l.Beat(ctx)
			require.ErrorIs(t, err, ErrDeliveryUncertain, "a heartbeat is not sent again")
			require.Equal(t, known, l.LastHeartbeat())
			hb, err := l.Beat(ctx)
			require.NoError(t, err, "the lost beat was ours")
			require.True(t, hb.Held())
			n := len(s.expected)
			require.Equal(t, []string{known, known, s.expected[n-1]}, s.expected[n-3:], "the old value once, then the stored one")
			require.NotEqual(t, known, s.expected[n-1])
		})
	}
}

// A 412 that is not the shadow of a lost answer ends the lease.
func TestWorkLeaseLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, setup := range map[string]func(s *leaseServer){
		// Another worker beat after the lease could have lapsed.
		"stored after the lease could lapse": func(s *leaseServer) { s.clock = s.clock.Add(time.Minute) },
		"item queued again":                  func(s *leaseServer) { s.state = WorkStateQueued },
		"item stopped":                       func(s *leaseServer) { s.state = WorkStateStopped },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newLeaseServer()
			c, _ := workClient(t, s.serve)
			l, err := NewWorkLease(c, acked(t), WorkLeaseOptions{})
			require.NoError(t, err)
			_, err = l.Beat(ctx)
			require.NoError(t, err)
			s.mu.Lock()
			s.dropNext = true
			setup(s)
			s.mu.Unlock()
			_, err = l.Beat(ctx)
			if name == "stored after the lease could lapse" {
				require.ErrorIs(t, err, ErrDeliveryUncertain)
				_, err = l.Beat(ctx)
			}
			require.ErrorIs(t, err, ErrLeaseLost)
		})
	}

	// Without a beat of uncertain fate, a 412 is the end of the lease at once.
	s := newLeaseServer()
	s.stored = "2026-11-24T10:05:00.500Z"
	c, _ := workClient(t, s.serve)
	l, err := NewWorkLease(c, acked(t), WorkLeaseOptions{})
	require.NoError(t, err)
	_, err = l.Beat(ctx)
	var lost *LeaseLostError
	require.ErrorAs(t, err, &lost)
	require.Equal(t, "2026-11-24T10:05:00.500Z", lost.State.LastHeartbeat)
	require.Len(t, s.expected, 1)

	_, err = NewWorkLease(c, nil, WorkLeaseOptions{})
	requireInvalid(t, err, "item")
	_, err = NewWorkLease(c, &WorkItem{}, WorkLeaseOptions{})
	requireInvalid(t, err, "environment_id")
}
