package managedagentstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
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

// webhookHub holds the webhook endpoints, their queues and the delivery log.
// Its fields are guarded by mu, except backoff and timeout (set by options
// before the server starts) and budgetSent (guarded by Server.mu). Lock order:
// Server.mu, then mu; a goroutine holding mu never takes Server.mu.
type webhookHub struct {
	backoff []time.Duration // nil: defaultWebhookBackoff
	timeout time.Duration   // 0: DefaultWebhookTimeout

	// budgetSent is, by session id, the budget for which session.budget_reached
	// was sent: at most once per budget value.
	budgetSent map[string]string

	mu        sync.Mutex
	endpoints []*webhookEndpoint
	log       []*webhookMessage // every delivery, in the order it was queued
	faults    []WebhookFault
	changed   chan struct{} // closed and replaced on every change; nil until needed
}

// webhookEndpoint is a registered endpoint and its queue.
type webhookEndpoint struct {
	id     string
	url    string
	secret string          // never logged
	types  map[string]bool // nil: every type
	client *http.Client
	wake   chan struct{} // a buffer of one: something changed for the worker
	queue  []*webhookMessage
}

// webhookMessage is one delivery, queued to its endpoint until it settles.
type webhookMessage struct {
	d         WebhookDelivery
	due       time.Time // when the next attempt may be sent, by the server's clock
	inFlight  bool
	failures  int  // failed attempts so far: the next retry's backoff
	duplicate bool // a WebhookDuplicate fault waits for the first 2xx
	copying   bool // the duplicate copy is being sent
	held      bool // a WebhookReorder fault: wait for after's first attempt
	after     *webhookMessage
}

// signal wakes the waiters of WaitWebhooks; h.mu must be held.
func (h *webhookHub) signal() {
	if h.changed != nil {
		close(h.changed)
		h.changed = nil
	}
}

// waitChan returns a channel closed at the next change; h.mu must be held.
func (h *webhookHub) waitChan() <-chan struct{} {
	if h.changed == nil {
		h.changed = make(chan struct{})
	}
	return h.changed
}

// clockMoved tells the delivery workers that the server's clock moved, so
// that deliveries waiting for it are sent. It is called by SetNow and
// AdvanceClock, with Server.mu held.
func (h *webhookHub) clockMoved() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ep := range h.endpoints {
		ep.kick()
	}
	h.signal()
}

func (ep *webhookEndpoint) kick() {
	select {
	case ep.wake <- struct{}{}:
	default:
	}
}

// RegisterWebhook registers a workspace webhook endpoint, as the Console does
// (the API has none for workspace endpoints): from then on, every webhook
// event of one of types (of every type when none is given) is POSTed to
// endpointURL, signed with secret as the API signs deliveries (Standard
// Webhooks: headers webhook-id, webhook-timestamp, webhook-signature, from
// [webhooks.Sign]). It returns the endpoint's id, as found in
// [WebhookDelivery.EndpointID].
//
// secret is a signing secret such as [webhooks.NewSecret] makes ("whsec_…").
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

// webhookClock returns the server's time and whether its clock is frozen.
func (s *Server) webhookClock() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now(), s.fixed
}

// emitWebhook queues the webhook event typ about the object id to every
// endpoint subscribed to typ. extras are the data members beyond type, id,
// organization_id and workspace_id: session_thread_id for the
// session.thread_* events, vault_id for the vault_credential.* ones.
//
// Call it with s.mu held (every handler runs so), once the change is made and
// cannot fail any more, with a webhooks.Type… constant, e.g.
//
//	s.emitWebhook(webhooks.TypeVaultCreated, id, nil)
//	s.emitWebhook(webhooks.TypeVaultCredentialCreated, credID, map[string]string{"vault_id": vaultID})
//
// It costs a lock and a length check when no endpoint is registered.
func (s *Server) emitWebhook(typ, id string, extras map[string]string) {
	h := &s.webhookHub
	h.mu.Lock()
	defer h.mu.Unlock()
	var targets []*webhookEndpoint
	for _, ep := range h.endpoints {
		if ep.types == nil || ep.types[typ] {
			targets = append(targets, ep)
		}
	}
	if len(targets) == 0 {
		return
	}
	now := s.now()
	data := map[string]string{"type": typ, "id": id, "organization_id": OrganizationID}
	if !orgLevelWebhook(typ) {
		data["workspace_id"] = WorkspaceID
	}
	for k, v := range extras {
		data[k] = v
	}
	envelope := struct {
		Type      string            `json:"type"`
		ID        string            `json:"id"`
		CreatedAt string            `json:"created_at"`
		Data      map[string]string `json:"data"`
	}{"event", s.newID("whe"), ts(now), data}
	body, err := json.Marshal(envelope)
	if err != nil {
		panic("managedagentstest: webhook body: " + err.Error())
	}
	msgID := s.newID("msg")
	for _, ep := range targets {
		m := &webhookMessage{d: WebhookDelivery{EndpointID: ep.id, MessageID: msgID, EventID: envelope.ID,
			Type: typ, Body: body}, due: now}
		h.applyFault(m, now)
		for _, held := range ep.queue {
			if held.held && held.after == nil {
				held.after = m
			}
		}
		ep.queue = append(ep.queue, m)
		h.log = append(h.log, m)
		ep.kick()
	}
	h.signal()
}

// orgLevelWebhook reports the organization-level event types, which carry no
// workspace_id.
func orgLevelWebhook(typ string) bool {
	return strings.HasPrefix(typ, "user_profile.") || strings.HasPrefix(typ, "external_key.") ||
		strings.HasPrefix(typ, "external_storage.")
}

// applyFault gives m the first queued fault that applies to it; h.mu must be
// held.
func (h *webhookHub) applyFault(m *webhookMessage, now time.Time) {
	i := slices.IndexFunc(h.faults, func(f WebhookFault) bool { return f.Type == "" || f.Type == m.d.Type })
	if i < 0 {
		return
	}
	f := h.faults[i]
	h.faults = slices.Delete(h.faults, i, i+1)
	switch f.Kind {
	case WebhookDuplicate:
		m.duplicate = true
	case WebhookDelay:
		m.due = now.Add(max(f.Delay, 0))
	case WebhookReorder:
		m.held = true
	}
}

// next returns the first queued delivery that may be sent at now, or nil and
// the earliest time one will be due (zero if none waits for the clock);
// h.mu must be held.
func (ep *webhookEndpoint) next(now time.Time) (*webhookMessage, time.Time) {
	var soonest time.Time
	for _, m := range ep.queue {
		if m.inFlight || (m.held && (m.after == nil || len(m.after.d.Attempts) == 0)) {
			continue
		}
		if !m.due.After(now) {
			return m, time.Time{}
		}
		if soonest.IsZero() || m.due.Before(soonest) {
			soonest = m.due
		}
	}
	return nil, soonest
}

// busy reports whether a delivery is being sent; h.mu must be held.
func (ep *webhookEndpoint) busy() bool {
	return slices.ContainsFunc(ep.queue, func(m *webhookMessage) bool { return m.inFlight })
}

// deliverWebhooks is the worker of one endpoint: it sends its deliveries as
// they come due, one at a time, until the server closes.
func (s *Server) deliverWebhooks(ep *webhookEndpoint) {
	defer s.wg.Done()
	defer ep.client.CloseIdleConnections()
	h := &s.webhookHub
	for {
		now, frozen := s.webhookClock()
		h.mu.Lock()
		m, soonest := ep.next(now)
		if m != nil {
			m.inFlight = true
		}
		h.mu.Unlock()
		if m != nil {
			s.attemptWebhook(ep, m, now)
			continue
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if !soonest.IsZero() && !frozen {
			timer = time.NewTimer(soonest.Sub(now))
			fire = timer.C
		}
		select {
		case <-s.ctx.Done():
		case <-ep.wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if s.ctx.Err() != nil {
			return
		}
	}
}

// attemptWebhook sends m once, at now by the server's clock, and records the
// outcome: delivered, retried later, or given up.
func (s *Server) attemptWebhook(ep *webhookEndpoint, m *webhookMessage, now time.Time) {
	h := &s.webhookHub
	status, err := s.postWebhook(ep, m, now)
	if s.ctx.Err() != nil {
		return // cut by Close: not an answer of the endpoint
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	defer h.signal()
	m.inFlight = false
	m.d.Attempts = append(m.d.Attempts, WebhookAttempt{Time: now, Status: status, Err: err, Duplicate: m.copying})
	switch {
	case status >= 200 && status < 300 && m.duplicate:
		m.duplicate, m.copying, m.due = false, true, now // the copy goes next
	case status >= 200 && status < 300:
		m.d.State = WebhookDelivered
		ep.queue = slices.DeleteFunc(ep.queue, func(q *webhookMessage) bool { return q == m })
	case m.failures < len(h.backoffs()):
		m.due = now.Add(h.backoffs()[m.failures])
		m.failures++
	default:
		m.d.State = WebhookFailed
		ep.queue = slices.DeleteFunc(ep.queue, func(q *webhookMessage) bool { return q == m })
	}
}

// backoffs returns the retry schedule.
func (h *webhookHub) backoffs() []time.Duration {
	if h.backoff == nil {
		return defaultWebhookBackoff
	}
	return h.backoff
}

// postWebhook makes one request of m and returns the answer's status, or the
// error that kept an answer from coming.
func (s *Server) postWebhook(ep *webhookEndpoint, m *webhookMessage, now time.Time) (int, error) {
	header, err := webhooks.Sign(ep.secret, m.d.MessageID, now, m.d.Body)
	if err != nil { // the secret was checked at registration
		return 0, fmt.Errorf("signing: %w", err)
	}
	timeout := s.webhookHub.timeout
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.url, bytes.NewReader(m.d.Body))
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "managedagentstest-webhooks")
	resp, err := ep.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
