package managedagents

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEventListReportsTheEventThatDoesNotDecode(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, replyJSON(200, `{"data":[
		{"type":"session.status_running","id":"sevt_1","processed_at":"2026-11-24T10:00:00Z"},
		{"type":"agent.message","id":"sevt_2","processed_at":false},
		{"type":"agent.message","id":"sevt_3","processed_at":null}
	],"next_page":null}`))
	_, err := c.Sessions.Events.List(context.Background(), "sesn_1", SessionEventListParams{})
	var de *EventDecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "sevt_2", de.ID)
	require.Equal(t, EventTypeAgentMessage, de.Type)
	require.Equal(t, 1, de.Index)
	require.NotNil(t, errors.Unwrap(de))
	require.Contains(t, err.Error(), "sevt_2 (agent.message) at index 1")

	var got []string
	var last error
	for ev, err := range c.Sessions.Events.ListAll(context.Background(), "sesn_1", SessionEventListParams{}) {
		if err != nil {
			last = err
			continue
		}
		got = append(got, ev.EventID())
	}
	require.Empty(t, got, "a page that fails yields only the error")
	require.ErrorAs(t, last, &de)
}

func TestEventDecodeErrorWithoutIDOrType(t *testing.T) {
	t.Parallel()
	e := newEventDecodeError(NewClient().cfg, []byte(`{"type":7,"id":["x"]}`), -1, errors.New("boom"))
	require.Empty(t, e.ID)
	require.Empty(t, e.Type)
	require.Equal(t, "managedagents: cannot decode event from the stream: boom", e.Error())
	e = newEventDecodeError(NewClient().cfg, []byte(`{"type":"agent.mess`), -1, errors.New("boom"))
	require.Empty(t, e.ID)
}

func TestEventListDecodesEveryEvent(t *testing.T) {
	t.Parallel()
	_, persisted := transcript(t, "turn.sse")
	body := `{"data":[`
	for i, p := range persisted {
		if i > 0 {
			body += ","
		}
		body += p
	}
	body += `],"next_page":"page_2"}`
	c, reqs := newTestClient(t, replyJSON(200, body))
	p, err := c.Sessions.Events.List(context.Background(), "sesn_1", SessionEventListParams{Limit: 1000, Page: "page_1"})
	require.NoError(t, err)
	require.Len(t, p.Data, len(persisted))
	require.Equal(t, "page_2", p.NextPage)
	for i, ev := range p.Data {
		require.Equal(t, idOf(t, persisted[i]), ev.EventID())
		require.JSONEq(t, persisted[i], string(ev.RawJSON()))
	}
	require.Equal(t, "limit=1000&page=page_1", (*reqs)[0].RawQuery)
}
