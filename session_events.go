package managedagents

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// Order is a list order.
type Order string

// Orders.
const (
	OrderAsc  Order = "asc"
	OrderDesc Order = "desc"
)

func (o Order) check(field string) error {
	switch o {
	case "", OrderAsc, OrderDesc:
		return nil
	}
	return invalid(field, `must be "asc" or "desc", not "`+string(o)+`"`)
}

// EventListParams filters GET /v1/sessions/{session_id}/events. The created_at
// bounds compare with the events' processed_at.
type EventListParams struct {
	// Types keeps only events of these types (types[]).
	Types []string
	// CreatedAtGT, CreatedAtGTE, CreatedAtLT and CreatedAtLTE bound processed_at
	// (created_at[gt], created_at[gte], created_at[lt], created_at[lte]).
	CreatedAtGT, CreatedAtGTE, CreatedAtLT, CreatedAtLTE time.Time
	// Order is the order by processed_at; the API's default is ascending.
	Order Order
	// Limit is the page size (the API's default is 1000).
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

func (p EventListParams) values() (url.Values, error) {
	if err := p.Order.check("order"); err != nil {
		return nil, err
	}
	if p.Limit < 0 {
		return nil, invalid("limit", "must not be negative")
	}
	for _, t := range p.Types {
		if t == "" {
			return nil, invalid("types", "must not hold an empty type")
		}
	}
	q := query{}
	q.list("types", p.Types)
	q.time("created_at[gt]", p.CreatedAtGT)
	q.time("created_at[gte]", p.CreatedAtGTE)
	q.time("created_at[lt]", p.CreatedAtLT)
	q.time("created_at[lte]", p.CreatedAtLTE)
	q.str("order", string(p.Order))
	q.int("limit", p.Limit)
	q.str("page", p.Page)
	return url.Values(q), nil
}

// List returns one page of a session's events.
//
// GET /v1/sessions/{session_id}/events
func (s *SessionEventService) List(ctx context.Context, sessionID string, params EventListParams, opts ...option.RequestOption) (*Page[Event], error) {
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	return s.client.listEvents(ctx, path("sessions", sessionID, "events"), params, opts)
}

// ListAll iterates over the events of a session from params.Page on, fetching
// pages lazily, and stops at the first error.
func (s *SessionEventService) ListAll(ctx context.Context, sessionID string, params EventListParams, opts ...option.RequestOption) iter.Seq2[Event, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[Event], error) {
		p := params
		p.Page = page
		return s.List(ctx, sessionID, p, opts...)
	})
}

func (c *Client) listEvents(ctx context.Context, p string, params EventListParams, opts []option.RequestOption) (*Page[Event], error) {
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	var page struct {
		Data     eventList `json:"data"`
		NextPage string    `json:"next_page"`
	}
	if err := c.get(ctx, p, q, &page, opts); err != nil {
		return nil, err
	}
	return &Page[Event]{Data: page.Data, NextPage: page.NextPage}, nil
}

// eventList is a page of events as JSON, decoded event by event.
type eventList []Event

// UnmarshalJSON decodes each element with DecodeEvent.
func (l *eventList) UnmarshalJSON(b []byte) error {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return err
	}
	out := make([]Event, 0, len(raws))
	for _, r := range raws {
		ev, err := DecodeEvent(r)
		if err != nil {
			return err
		}
		out = append(out, ev)
	}
	*l = out
	return nil
}
