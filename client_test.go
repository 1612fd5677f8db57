package managedagents

import (
	"context"
	"errors"
	"testing"

	"github.com/go-managedagents/managedagents/option"
	"github.com/stretchr/testify/require"
)

func TestWireHeaders(t *testing.T) {
	c, reqs := newTestClient(t, replyJSON(200, `{"data":[],"next_page":null}`))
	_, err := c.Sessions.Events.List(context.Background(), "sesn_1", SessionEventListParams{Types: []EventType{"agent.message"}, Order: OrderAsc})
	require.NoError(t, err)
	require.Len(t, *reqs, 1)
	r := (*reqs)[0]
	require.Equal(t, "GET", r.Method)
	require.Equal(t, "/v1/sessions/sesn_1/events", r.Path)
	require.Equal(t, "order=asc&types%5B%5D=agent.message", r.RawQuery)
	require.Equal(t, testAPIKey, r.Header.Get("X-Api-Key"))
	require.Equal(t, "2023-06-01", r.Header.Get("Anthropic-Version"))
	require.Equal(t, "managed-agents-2026-04-01", r.Header.Get("Anthropic-Beta"))
	require.Contains(t, r.Header.Get("User-Agent"), "managedagents-go/")
	require.Empty(t, r.Header.Get("Content-Type"))
}

func TestEmptyIDRejectedBeforeSending(t *testing.T) {
	c, reqs := newTestClient(t, replyJSON(200, `{}`))
	_, err := c.Sessions.Events.List(context.Background(), "", SessionEventListParams{})
	var verr *ValidationError
	require.True(t, errors.As(err, &verr))
	require.Equal(t, "session_id", verr.Field)
	require.ErrorIs(t, err, ErrInvalidParams)
	require.Empty(t, *reqs)
}

func TestWithOptionsLeavesTheOriginalUnchanged(t *testing.T) {
	c, reqs := newTestClient(t, replyJSON(200, `{"data":[{"type":"user.interrupt","id":"sevt_1","processed_at":null}]}`))
	derived := c.WithOptions(option.WithHeader("X-Trace", "abc"), option.WithBetas("files-api-2025-04-14"))
	_, err := derived.Sessions.Events.Send(context.Background(), "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserInterrupt()}})
	require.NoError(t, err)
	_, err = c.Sessions.Events.Send(context.Background(), "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserInterrupt()}})
	require.NoError(t, err)
	require.Len(t, *reqs, 2)
	require.Equal(t, "abc", (*reqs)[0].Header.Get("X-Trace"))
	require.Equal(t, "managed-agents-2026-04-01,files-api-2025-04-14", (*reqs)[0].Header.Get("Anthropic-Beta"))
	require.Empty(t, (*reqs)[1].Header.Get("X-Trace"))
	require.Equal(t, "managed-agents-2026-04-01", (*reqs)[1].Header.Get("Anthropic-Beta"))

	bad := c.WithOptions(option.WithMaxRetries(-1))
	_, err = bad.Sessions.Events.Send(context.Background(), "sesn_1", SessionEventSendParams{Events: []EventParam{NewUserInterrupt()}})
	require.ErrorContains(t, err, "WithMaxRetries")
	require.Len(t, *reqs, 2, "an invalid option sends nothing")
}
