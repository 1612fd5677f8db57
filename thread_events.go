package managedagents

import (
	"context"
	"iter"
	"net/url"
	"time"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/option"
)

// SessionThreadEventService lists and streams the events of one thread of a
// session, as [SessionEventService] does for the whole session. Get it from
// [SessionThreadService.Events].
type SessionThreadEventService struct{ client *Client }

// SessionThreadEventListParams pages through GET
// /v1/sessions/{session_id}/threads/{thread_id}/events.
type SessionThreadEventListParams struct {
	// Limit is the page size; zero means the API's default.
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

func (p SessionThreadEventListParams) values() (url.Values, error) {
	q, err := listQuery(p.Limit, p.Page)
	return url.Values(q), err
}

// List returns one page of the events of a thread of a session. An event that
// does not decode fails the page with a *[ResponseError] wrapping an
// *[EventDecodeError] that names it.
//
// GET /v1/sessions/{session_id}/threads/{thread_id}/events
func (s *SessionThreadEventService) List(ctx context.Context, sessionID, threadID string, params SessionThreadEventListParams, opts ...option.RequestOption) (*Page[Event], error) {
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return s.client.listEvents(ctx, sessionsThreadsEventsList.At(sessionID, threadID).WithQuery(q), opts)
}

// ListAll iterates over the events of a thread from params.Page on, fetching
// pages lazily, and stops at the first error.
//
// GET /v1/sessions/{session_id}/threads/{thread_id}/events
func (s *SessionThreadEventService) ListAll(ctx context.Context, sessionID, threadID string, params SessionThreadEventListParams, opts ...option.RequestOption) iter.Seq2[Event, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[Event], error) {
		p := params
		p.Page = page
		return s.List(ctx, sessionID, threadID, p, opts...)
	})
}

// Stream opens the live event stream of one thread of a session: the full
// detail and the previews of that thread. It behaves as
// [SessionEventService.Stream] in every respect (see [EventStream]), except
// that its backfill lists the thread's whole history (the thread events list
// has no time filter) and keeps the events processed at or after the cursor,
// and that it also ends after session.thread_status_terminated of threadID.
//
// GET /v1/sessions/{session_id}/threads/{thread_id}/stream
func (s *SessionThreadEventService) Stream(ctx context.Context, sessionID, threadID string, params EventStreamParams, opts ...option.RequestOption) (*EventStream, error) {
	return s.client.openStream(ctx, streamTarget{
		stream: sessionsThreadsEventsStream.At(sessionID, threadID),
		list: func(ctx context.Context, cfg *config.Config, _ time.Time, page string) (*eventPage, error) {
			q, err := SessionThreadEventListParams{Page: page}.values()
			if err != nil {
				return nil, err
			}
			return getEventPage(ctx, cfg, sessionsThreadsEventsList.At(sessionID, threadID).WithQuery(q))
		},
		listRoute: sessionsThreadsEventsList.String(),
		thread:    threadID,
	}, params, opts)
}
