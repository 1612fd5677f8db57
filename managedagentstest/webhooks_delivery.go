package managedagentstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents/webhooks"
)

// How the server queues, sends and retries webhook deliveries (the API is in
// webhooks.go, what is emitted when in webhooks_emit.go).

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
