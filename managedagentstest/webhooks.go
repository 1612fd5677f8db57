package managedagentstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/go-managedagents/managedagents/webhooks"
)

// The ids the fake's webhook events carry in data.organization_id and
// data.workspace_id.
const (
	OrganizationID = "org_011CFakeOrganization"
	WorkspaceID    = "wrkspc_011CFakeWorkspace"
)

// DefaultWebhookTimeout is how long a webhook delivery waits for the
// endpoint's answer (real time) before it counts as failed and is retried.
const DefaultWebhookTimeout = 15 * time.Second

// defaultWebhookBackoff is the wait before each retry of a failed delivery:
// the schedule of the Standard Webhooks reference sender (the API's own is not
// documented).
var defaultWebhookBackoff = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// WithWebhookBackoff sets the waits, on the server's clock, before each retry
// of a webhook delivery that failed: the first retry comes delays[0] after the
// first attempt failed, and so on; after len(delays) retries the delivery is
// given up ([WebhookFailed]). WithWebhookBackoff() with no delays never
// retries. The default is 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, the
// schedule of the Standard Webhooks reference sender. Negative delays count as
// zero.
func WithWebhookBackoff(delays ...time.Duration) ServerOption {
	return func(s *Server) {
		s.webhookHub.backoff = make([]time.Duration, len(delays))
		for i, d := range delays {
			s.webhookHub.backoff[i] = max(d, 0)
		}
	}
}

// WithWebhookTimeout sets how long (real time) a webhook delivery waits for
// the endpoint's answer before it counts as failed. The default is
// [DefaultWebhookTimeout]; zero or less keeps it.
func WithWebhookTimeout(d time.Duration) ServerOption {
	return func(s *Server) {
		if d > 0 {
			s.webhookHub.timeout = d
		}
	}
}

// WebhookState is where a [WebhookDelivery] stands.
type WebhookState int

const (
	// WebhookPending: not answered with a 2xx yet, and not given up: queued,
	// being sent, or waiting for its retry.
	WebhookPending WebhookState = iota
	// WebhookDelivered: the endpoint answered 2xx.
	WebhookDelivered
	// WebhookFailed: every attempt failed, retries included; the server gave
	// up.
	WebhookFailed
)

// String returns "pending", "delivered" or "failed".
func (st WebhookState) String() string {
	switch st {
	case WebhookPending:
		return "pending"
	case WebhookDelivered:
		return "delivered"
	case WebhookFailed:
		return "failed"
	}
	return fmt.Sprintf("WebhookState(%d)", int(st))
}

// WebhookDelivery is the delivery of one webhook event to one registered
// endpoint, as the server's delivery log keeps it ([Server.WebhookDeliveries]).
type WebhookDelivery struct {
	// EndpointID is the endpoint's id, as [Server.RegisterWebhook] returned it.
	EndpointID string
	// MessageID is the webhook-id header (msg_…): the same on every attempt,
	// and for every endpoint the event goes to.
	MessageID string
	// EventID is the envelope's id (whe_…), the same on every attempt too.
	EventID string
	// Type is the event type, the body's data.type.
	Type string
	// Body is the request body, the same on every attempt.
	Body json.RawMessage
	// State tells whether the delivery succeeded, failed or is still going.
	State WebhookState
	// Attempts are the requests made, oldest first.
	Attempts []WebhookAttempt
}

// WebhookAttempt is one request of a [WebhookDelivery].
type WebhookAttempt struct {
	// Time is when it was sent, by the server's clock; it is also its
	// webhook-timestamp.
	Time time.Time
	// Status is the answer's status code, 0 when none came (Err).
	Status int
	// Err says why no answer came: the connection failed, or the endpoint took
	// longer than the timeout ([WithWebhookTimeout]).
	Err error
	// Duplicate marks a copy sent by a [WebhookDuplicate] fault after the
	// delivery was answered 2xx.
	Duplicate bool
}

// WebhookFaultKind is a kind of [WebhookFault].
type WebhookFaultKind int

const (
	// WebhookDuplicate sends the delivery once more right after its first 2xx
	// answer, with the same webhook-id and body, as a sender does when that
	// answer is lost on the way. The copy is retried like any delivery until
	// it gets a 2xx; the delivery counts as delivered then.
	WebhookDuplicate WebhookFaultKind = iota + 1
	// WebhookDelay holds the delivery's first attempt back for
	// WebhookFault.Delay on the server's clock (with [WithClock], until
	// [Server.AdvanceClock] passes it); the deliveries behind it go first.
	WebhookDelay
	// WebhookReorder holds the delivery back until the next delivery to the
	// same endpoint has been attempted, so that the two arrive swapped. When
	// no other delivery follows, it is never sent.
	WebhookReorder
)

// WebhookFault is a misbehaviour of the webhook sender. Queue it with
// [Server.AddWebhookFault]; it applies to the next delivery queued afterwards
// (to the next one of event type Type, if set), one fault per delivery, first
// queued first used.
type WebhookFault struct {
	// Kind is what goes wrong.
	Kind WebhookFaultKind
	// Type limits the fault to a delivery of this event type, e.g.
	// webhooks.TypeSessionStatusIdled; empty means any.
	Type string
	// Delay is how long a [WebhookDelay] holds the delivery back.
	Delay time.Duration
}

// RegisterWebhook registers a workspace webhook endpoint, as the Console does
// (the API has none for workspace endpoints): from then on, every webhook
// event of one of types (of every type when none is given) is POSTed to
// endpointURL, signed with secret as the API signs deliveries (Standard
// Webhooks: headers webhook-id, webhook-timestamp, webhook-signature, from
// [webhooks.Sign]). It returns the endpoint's id, as found in
// [WebhookDelivery.EndpointID].
//
// secret is a signing secret such as [webhooks.GenerateSecret] makes ("whsec_…").
// types are webhook event types ([webhooks.EventTypes]); the session.* events
// come in two families, session.status_run_started / status_idled (the
// documented ones) and session.running / idled / requires_action, and an
// endpoint gets those it subscribes to. An invalid URL or secret and an
// unknown type are errors; errors never show the secret.
//
// Deliveries are asynchronous, one at a time per endpoint, in the order the
// events happened (save for retries and faults). The body is
// {"type":"event","id":"whe_…","created_at":…,"data":{"type","id",
// "organization_id","workspace_id",…}}. Any answer but a 2xx (3xx and 409
// included), a broken connection and a timeout ([WithWebhookTimeout]) fail
// the attempt: the delivery is retried with the same webhook-id and body,
// after the waits of [WithWebhookBackoff] on the server's clock, re-signed
// with the time of each attempt. A server made [WithClock] signs with its
// frozen clock: give the receiver's verifier webhooks.WithNow(srv.Now). See
// [Server.WebhookDeliveries], [Server.WaitWebhooks] and
// [Server.AddWebhookFault]. [Server.Close] stops the deliveries.
func (s *Server) RegisterWebhook(endpointURL, secret string, types ...string) (string, error) {
	u, err := url.Parse(endpointURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("managedagentstest: RegisterWebhook: %q is not an http or https URL", endpointURL)
	}
	if _, err := webhooks.NewVerifier(secret); err != nil {
		return "", fmt.Errorf("managedagentstest: RegisterWebhook: %w", err)
	}
	var subscribed map[string]bool
	if len(types) > 0 {
		known := webhooks.EventTypes()
		subscribed = map[string]bool{}
		for _, typ := range types {
			if _, found := slices.BinarySearch(known, typ); !found {
				return "", fmt.Errorf("managedagentstest: RegisterWebhook: unknown webhook event type %q (see webhooks.EventTypes)", typ)
			}
			subscribed[typ] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return "", errors.New("managedagentstest: RegisterWebhook: the server is closed")
	}
	ep := &webhookEndpoint{
		id: s.newID("ep"), url: endpointURL, secret: secret, types: subscribed,
		client: &http.Client{
			// A connection per attempt: nothing idles after Close. Redirects are
			// answers, and fail the attempt.
			Transport:     &http.Transport{DisableKeepAlives: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		wake: make(chan struct{}, 1),
	}
	s.webhookHub.mu.Lock()
	s.webhookHub.endpoints = append(s.webhookHub.endpoints, ep)
	s.webhookHub.mu.Unlock()
	s.wg.Add(1)
	go s.deliverWebhooks(ep)
	return ep.id, nil
}

// AddWebhookFault queues a misbehaviour of the webhook sender for the next
// delivery (of f.Type, if set).
func (s *Server) AddWebhookFault(f WebhookFault) {
	s.webhookHub.mu.Lock()
	defer s.webhookHub.mu.Unlock()
	s.webhookHub.faults = append(s.webhookHub.faults, f)
}

// WebhookDeliveries returns a copy of the webhook delivery log: every delivery
// to every registered endpoint, in the order the events happened, with its
// attempts so far.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.webhookHub.mu.Lock()
	defer s.webhookHub.mu.Unlock()
	out := make([]WebhookDelivery, len(s.webhookHub.log))
	for i, m := range s.webhookHub.log {
		out[i] = m.d
		out[i].Body = slices.Clone(m.d.Body)
		out[i].Attempts = slices.Clone(m.d.Attempts)
	}
	return out
}

// WaitWebhooks waits until the webhook deliveries queued so far have settled:
// each one is delivered, given up, or waiting for a time the server's clock
// has not reached (a retry, a [WebhookDelay]) or for another delivery (a
// [WebhookReorder]); none is being sent. With [WithClock], call it after an
// event to see its deliveries made, and after [Server.AdvanceClock] to see the
// retries that came due. It returns ctx's error, or [ErrClosed] once the server
// is closed.
func (s *Server) WaitWebhooks(ctx context.Context) error {
	h := &s.webhookHub
	for {
		now, _ := s.webhookClock()
		h.mu.Lock()
		settled := true
		for _, ep := range h.endpoints {
			if m, _ := ep.next(now); m != nil || ep.busy() {
				settled = false
				break
			}
		}
		ch := h.waitChan()
		h.mu.Unlock()
		if settled {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
			return ErrClosed
		}
	}
}
