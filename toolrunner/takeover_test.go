package toolrunner_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// raceGate makes two runners take over one call at the same moment: the
// first two reads of the call's record return once both are made, and every result
// post waits until the race is decided either way: both runners read the
// history or posted (each took the call over), or a takeover lost its Swap.
type raceGate struct {
	toolrunner.Store
	key toolrunner.CallKey

	mu                         sync.Mutex
	claims, lists, posts, lost int
	both, decided              chan struct{}
}

func newRaceGate(store toolrunner.Store, key toolrunner.CallKey) *raceGate {
	return &raceGate{Store: store, key: key, both: make(chan struct{}), decided: make(chan struct{})}
}

// count adds one to *n under the lock and closes decided when the race is
// decided.
func (g *raceGate) count(n *int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	*n++
	if g.lost == 1 || g.lists == 2 || g.posts == 2 {
		select {
		case <-g.decided:
		default:
			close(g.decided)
		}
	}
	return *n
}

func (g *raceGate) Claim(ctx context.Context, key toolrunner.CallKey, rec toolrunner.CallRecord) (toolrunner.CallRecord, bool, error) {
	existing, claimed, err := g.Store.Claim(ctx, key, rec)
	if key == g.key {
		switch g.count(&g.claims) {
		case 1:
			select {
			case <-g.both:
			case <-ctx.Done():
			}
		case 2:
			close(g.both)
		}
	}
	return existing, claimed, err
}

func (g *raceGate) Swap(ctx context.Context, key toolrunner.CallKey, old, rec toolrunner.CallRecord) (bool, error) {
	ok, err := g.Store.Swap(ctx, key, old, rec)
	if key == g.key && err == nil && !ok {
		g.count(&g.lost)
	}
	return ok, err
}

// middleware counts the history reads once answered, and holds the result
// posts until the race is decided.
func (g *raceGate) middleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	switch {
	case req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/events") && req.URL.Query().Has("types[]"):
		resp, err := next(req)
		g.count(&g.lists)
		return resp, err
	case req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/events"):
		if _, ok := toolrunner.CallFromContext(req.Context()); ok {
			g.count(&g.posts)
			select {
			case <-g.decided:
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
		}
	}
	return next(req)
}

// Two runners (two workers holding the same session for a moment) find the
// same call released by a runner that stopped, at the same moment: one of
// them takes it over and posts its answer, the other finds it taken (the
// store's Swap) and posts nothing. Before Swap, both posted: two results for
// one call.
func TestTwoRunnersTakingOverOneCallPostOnce(t *testing.T) {
	t.Parallel()
	for name, left := range map[string]toolrunner.CallRecord{
		"released with its result": {State: toolrunner.CallReleased, Result: new(toolrunner.NewToolResultText("ran before"))},
		"cut short":                {State: toolrunner.CallReleased},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			ids := make(chan string, 1)
			got := make(chan managedagentstest.Answer, 1)
			f.script(func(turn *managedagentstest.Turn) {
				id := turn.ToolUse("bash", map[string]any{"command": "x"})
				ids <- id
				if a, err := turn.AwaitResults(id); err == nil {
					got <- a[0]
				}
			})
			f.start(t)
			key := toolrunner.CallKey{SessionID: f.sessionID, ToolUseID: recv(t, ids)}
			store := toolrunner.NewMemoryStore()
			ctx := context.Background()
			_, claimed, err := store.Claim(ctx, key, toolrunner.CallRecord{State: toolrunner.CallStarted})
			require.NoError(t, err)
			require.True(t, claimed)
			require.NoError(t, store.Put(ctx, key, left))

			gate := newRaceGate(store, key)
			f.client = f.client.WithOptions(option.WithMiddleware(gate.middleware))
			exec := &executor{}
			r1 := f.run(t, toolrunner.Options{Executor: exec, Store: gate})
			r2 := f.run(t, toolrunner.Options{Executor: exec, Store: gate})
			answer := recv(t, got)
			if left.Result != nil {
				require.Equal(t, "ran before", answer.Text())
			} else {
				require.Contains(t, answer.Text(), "cut short")
			}
			s1, s2 := r1.stop(t), r2.stop(t)
			require.Empty(t, exec.ran(), "never run again")
			require.Equal(t, map[string]int{key.ToolUseID: 1}, f.results(t), "one result for the call")
			require.Equal(t, int64(1), s1.Posted+s2.Posted)
			rec, ok := store.Get(key)
			require.True(t, ok)
			require.Equal(t, toolrunner.CallAnswered, rec.State)
		})
	}
}

// Swap replaces a record only at the version it was read at.
func TestMemoryStoreSwap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := toolrunner.NewMemoryStore()
	key := toolrunner.CallKey{SessionID: "sesn_1", ToolUseID: "sevt_1"}
	ok, err := s.Swap(ctx, key, toolrunner.CallRecord{}, toolrunner.CallRecord{State: toolrunner.CallFinished})
	require.NoError(t, err)
	require.False(t, ok, "no record: nothing to swap")

	_, claimed, err := s.Claim(ctx, key, toolrunner.CallRecord{State: toolrunner.CallStarted})
	require.NoError(t, err)
	require.True(t, claimed)
	read, _, err := s.Claim(ctx, key, toolrunner.CallRecord{State: toolrunner.CallStarted})
	require.NoError(t, err)
	require.Equal(t, int64(1), read.Version)

	require.NoError(t, s.Put(ctx, key, toolrunner.CallRecord{State: toolrunner.CallReleased}))
	ok, err = s.Swap(ctx, key, read, toolrunner.CallRecord{State: toolrunner.CallFinished})
	require.NoError(t, err)
	require.False(t, ok, "the record moved on since it was read")

	read, _, _ = s.Claim(ctx, key, toolrunner.CallRecord{})
	require.Equal(t, toolrunner.CallReleased, read.State)
	require.Equal(t, int64(2), read.Version)
	ok, err = s.Swap(ctx, key, read, toolrunner.CallRecord{State: toolrunner.CallFinished, Result: new(toolrunner.NewToolResultText("r"))})
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.Swap(ctx, key, read, toolrunner.CallRecord{State: toolrunner.CallFinished})
	require.NoError(t, err)
	require.False(t, ok, "the second swap from the same version loses")
	rec, _ := s.Get(key)
	require.Equal(t, int64(3), rec.Version)
	require.Equal(t, "r", rec.Result.Content.Text())
}
