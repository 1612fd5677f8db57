package managedagentstest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
)

// The SDK's own calls against the fake; the lead adds more as the SDK grows.

func TestSDKEventsList(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)))
	_, _, sid := setup(t, srv, nil)
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage(fibPrompt))
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	srv.ClearRequests()

	ctx := context.Background()
	client := srv.Client()
	page, err := client.Sessions.Events.List(ctx, sid, managedagents.SessionEventListParams{Limit: 5})
	require.NoError(t, err)
	require.Len(t, page.Data, 5)
	require.True(t, page.HasNextPage())
	require.Equal(t, managedagents.EventTypeUserMessage, page.Data[0].EventType())
	require.Equal(t, time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC), page.Data[0].EventProcessedAt())

	var all []managedagents.Event
	for ev, err := range client.Sessions.Events.ListAll(ctx, sid, managedagents.SessionEventListParams{Limit: 4}) {
		require.NoError(t, err)
		all = append(all, ev)
	}
	require.Len(t, all, len(srv.Events(sid)))
	for i, ev := range all {
		require.JSONEq(t, string(srv.Events(sid)[i]), string(ev.RawJSON()))
	}

	msgs, err := client.Sessions.Events.List(ctx, sid, managedagents.SessionEventListParams{
		Types: []managedagents.EventType{"agent.message"}, Order: managedagents.OrderDesc,
		CreatedAtGTE: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.Len(t, msgs.Data, 2)
	require.Greater(t, msgs.Data[0].EventProcessedAt(), msgs.Data[1].EventProcessedAt())

	// The SDK's requests as the fake saw them.
	reqs := srv.Requests()
	require.Equal(t, managedagentstest.RouteListEvents, reqs[0].Route)
	require.Equal(t, "limit=5", reqs[0].RawQuery)
	last := reqs[len(reqs)-1]
	require.Equal(t, []string{"agent.message"}, last.Query["types[]"])
	require.Equal(t, "2026-06-01T08:00:00Z", last.Query.Get("created_at[gte]"))
	require.Equal(t, managedagentstest.BetaHeader, last.Header.Get("Anthropic-Beta"))
}

func TestSDKErrors(t *testing.T) {
	t.Parallel()
	srv := start(t)
	client := srv.Client(managedagentsNoRetries...)
	ctx := context.Background()
	_, err := client.Sessions.Events.List(ctx, "sesn_missing", managedagents.SessionEventListParams{})
	require.ErrorIs(t, err, managedagents.ErrNotFound)
	var apiErr *managedagents.APIError
	require.True(t, errors.As(err, &apiErr))
	require.Equal(t, "not_found_error", apiErr.Type)
	require.Equal(t, srv.Requests()[0].RequestID, apiErr.RequestID)

	srv.FailNext(managedagentstest.RouteListEvents, 1, http.StatusTooManyRequests, http.Header{"Retry-After": {"2"}})
	_, err = client.Sessions.Events.List(ctx, "sesn_missing", managedagents.SessionEventListParams{})
	require.ErrorIs(t, err, managedagents.ErrRateLimited)
	require.True(t, errors.As(err, &apiErr))
	require.Equal(t, 2*time.Second, apiErr.RetryAfter)
}

// managedagentsNoRetries turns the client's retries off, so that one injected
// failure gives one error.
var managedagentsNoRetries = []option.RequestOption{option.WithMaxRetries(0)}
