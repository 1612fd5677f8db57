package managedagents

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestThreadListEvents(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "" {
			replyJSON(200, `{"data":[{"type":"agent.message","id":"sevt_1","processed_at":"2026-11-24T10:00:00Z"}],"next_page":"p2"}`)(w, r)
			return
		}
		replyJSON(200, `{"data":[{"type":"session.thread_status_idle","id":"sevt_2","processed_at":null}],"next_page":null}`)(w, r)
	})
	p, err := c.Sessions.Threads.Events.List(context.Background(), "sesn_1", "sthr_1", SessionThreadEventListParams{Limit: 5})
	require.NoError(t, err)
	require.Len(t, p.Data, 1)
	require.Equal(t, "p2", p.NextPage)
	require.Equal(t, "/v1/sessions/sesn_1/threads/sthr_1/events", (*reqs)[0].Path)
	require.Equal(t, "limit=5", (*reqs)[0].RawQuery)

	var ids []string
	for ev, err := range c.Sessions.Threads.Events.ListAll(context.Background(), "sesn_1", "sthr_1", SessionThreadEventListParams{Limit: 5}) {
		require.NoError(t, err)
		ids = append(ids, ev.EventID())
	}
	require.Equal(t, []string{"sevt_1", "sevt_2"}, ids)
	require.Equal(t, "limit=5&page=p2", (*reqs)[2].RawQuery)
}

func TestThreadListEventsValidation(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, `{}`))
	for _, tc := range []struct {
		sid, tid string
		params   SessionThreadEventListParams
		field    string
	}{
		{"", "sthr_1", SessionThreadEventListParams{}, "session_id"},
		{"sesn_1", "..", SessionThreadEventListParams{}, "thread_id"},
		{"sesn_1", "sthr_1", SessionThreadEventListParams{Limit: -1}, "limit"},
	} {
		_, err := c.Sessions.Threads.Events.List(context.Background(), tc.sid, tc.tid, tc.params)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr)
		require.Equal(t, tc.field, verr.Field)
	}
	require.Empty(t, *reqs)
}

func TestThreadListEventsDecodeError(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, replyJSON(200, `{"data":[{"type":"agent.message","id":"sevt_9","processed_at":"yesterday"}],"next_page":null}`))
	_, err := c.Sessions.Threads.Events.List(context.Background(), "sesn_1", "sthr_1", SessionThreadEventListParams{})
	var de *EventDecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "sevt_9", de.ID)
	require.Equal(t, 0, de.Index)
}
