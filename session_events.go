package managedagents

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/transport"
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

// SessionEventListParams filters GET /v1/sessions/{session_id}/events. The
// created_at bounds compare with the events' processed_at.
type SessionEventListParams struct {
	// Types keeps only events of these types (types[]).
	Types []EventType
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

func (p SessionEventListParams) values() (url.Values, error) {
	if err := p.Order.check("order"); err != nil {
		return nil, err
	}
	q, err := listQuery(p.Limit, p.Page)
	if err != nil {
		return nil, err
	}
	for _, t := range p.Types {
		if t == "" {
			return nil, invalid("types", "must not hold an empty type")
		}
		url.Values(q).Add("types[]", string(t))
	}
	q.time("created_at[gt]", p.CreatedAtGT)
	q.time("created_at[gte]", p.CreatedAtGTE)
	q.time("created_at[lt]", p.CreatedAtLT)
	q.time("created_at[lte]", p.CreatedAtLTE)
	q.str("order", string(p.Order))
	return url.Values(q), nil
}

// List returns one page of a session's events. An event that does not decode
// fails the page with a *[ResponseError] wrapping an *[EventDecodeError] that
// names it (id, type, index).
//
// GET /v1/sessions/{session_id}/events
func (s *SessionEventService) List(ctx context.Context, sessionID string, params SessionEventListParams, opts ...option.RequestOption) (*Page[Event], error) {
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return s.client.listEvents(ctx, sessionsEventsList.At(sessionID).WithQuery(q), opts)
}

// ListAll iterates over the events of a session from params.Page on, fetching
// pages lazily, and stops at the first error.
//
// GET /v1/sessions/{session_id}/events
func (s *SessionEventService) ListAll(ctx context.Context, sessionID string, params SessionEventListParams, opts ...option.RequestOption) iter.Seq2[Event, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[Event], error) {
		p := params
		p.Page = page
		return s.List(ctx, sessionID, p, opts...)
	})
}

// listEvents fetches and decodes one page of an events list. A page with an
// event that does not decode is an answer that cannot be read: a
// *ResponseError (with the answer's status and request id) wrapping the
// *EventDecodeError.
func (c *Client) listEvents(ctx context.Context, r transport.Request, opts []option.RequestOption) (*Page[Event], error) {
	cfg, err := c.config(opts)
	if err != nil {
		return nil, err
	}
	var page *Page[Event]
	err = sendWith(ctx, cfg, r, func(data []byte) error {
		var raw eventPage
		if err := jsonInto(&raw)(data); err != nil {
			return err
		}
		page, err = raw.decode(cfg)
		return err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// eventPage is a page of events as JSON, not yet decoded.
type eventPage struct {
	Data     []json.RawMessage `json:"data"`
	NextPage string            `json:"next_page"`
}

// getEventPage fetches one page of an events list (through the retrying
// transport, with a read slot from the limiter).
func getEventPage(ctx context.Context, cfg *config.Config, r transport.Request) (*eventPage, error) {
	var page eventPage
	if err := sendWith(ctx, cfg, r, jsonInto(&page)); err != nil {
		return nil, err
	}
	return &page, nil
}

// decode decodes every event of the page. The first event that does not decode
// fails the page with an *EventDecodeError naming it (cfg's credentials
// redacted).
func (p *eventPage) decode(cfg *config.Config) (*Page[Event], error) {
	out := make([]Event, 0, len(p.Data))
	for i, raw := range p.Data {
		ev, err := decodeListed(cfg, raw, i)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return &Page[Event]{Data: out, NextPage: p.NextPage}, nil
}

// decodeListed decodes the event at index i of a list page; on failure it
// returns an *EventDecodeError naming the event.
func decodeListed(cfg *config.Config, raw json.RawMessage, i int) (Event, error) {
	ev, err := DecodeEvent(raw)
	if err != nil {
		return nil, newEventDecodeError(cfg, raw, i, err)
	}
	return ev, nil
}

// EventDecodeError reports an event that could not be decoded: an element of a
// list page, or a stream frame that could not be recovered from the events
// list either. The other events of the page or stream are not at fault.
type EventDecodeError struct {
	// ID is the event's id, when it could be read; empty otherwise.
	ID string
	// Type is the event's type, when it could be read; empty otherwise.
	Type EventType
	// Index is the event's position in its list page (from 0), or -1 for a
	// stream frame.
	Index int
	// Err is the decoding error.
	Err error
}

// Error describes the event and the decoding error.
func (e *EventDecodeError) Error() string {
	var b strings.Builder
	b.WriteString("managedagents: cannot decode event")
	if e.ID != "" {
		b.WriteString(" " + e.ID)
	}
	if e.Type != "" {
		b.WriteString(" (" + string(e.Type) + ")")
	}
	if e.Index >= 0 {
		b.WriteString(" at index " + strconv.Itoa(e.Index) + " of its page")
	} else {
		b.WriteString(" from the stream")
	}
	if e.Err != nil {
		b.WriteString(": " + causeText(e.Err))
	}
	return b.String()
}

// Unwrap returns the decoding error.
func (e *EventDecodeError) Unwrap() error { return e.Err }

// newEventDecodeError reads what it can of the id and type of an event that
// did not decode, with cfg's credentials redacted from them and from err.
func newEventDecodeError(cfg *config.Config, raw []byte, index int, err error) *EventDecodeError {
	e := &EventDecodeError{Index: index, Err: redactErr(err, cfg)}
	var probe struct {
		ID   json.RawMessage `json:"id"`
		Type json.RawMessage `json:"type"`
	}
	if json.Unmarshal(raw, &probe) == nil {
		_ = json.Unmarshal(probe.ID, &e.ID)
		_ = json.Unmarshal(probe.Type, &e.Type)
	}
	e.ID, e.Type = cfg.Redact(e.ID), EventType(cfg.Redact(string(e.Type)))
	return e
}
