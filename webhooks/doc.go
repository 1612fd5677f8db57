// Package webhooks receives the webhooks of the Claude Managed Agents API:
// it verifies deliveries (Standard Webhooks, signature scheme v1), decodes
// them into typed events, and serves them with an http.Handler that drops
// duplicates. Besides the standard library it depends only on the root
// package, for [ClientGetters]; the root package never imports it.
//
// # Quick start
//
//	verifier, err := webhooks.NewVerifier(os.Getenv("ANTHROPIC_WEBHOOK_SIGNING_KEY"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	http.Handle("POST /webhooks/anthropic", webhooks.NewHandler(verifier,
//		func(ctx context.Context, ev webhooks.Event) error {
//			switch e := ev.(type) {
//			case *webhooks.SessionStatusIdledEvent:
//				return onIdle(ctx, e.Data.ID) // fetch the session, act on its state
//			}
//			return nil // acknowledge what you do not handle
//		}))
//
// # Verifying
//
// A delivery is a POST whose headers webhook-id, webhook-timestamp and
// webhook-signature sign its raw body with the endpoint's secret ("whsec_…",
// shown once in the Console): HMAC-SHA256 over "<id>.<timestamp>.<body>",
// standard base64, "v1," in front; several space-separated signatures may
// come, one of which must match. [NewVerifier] decodes the secret once;
// [Verifier.Verify] checks the headers, a ±5 minute window around the
// timestamp ([WithTolerance]) and the signatures in constant time, and returns
// errors matching [ErrMissingHeaders], [ErrInvalidTimestamp],
// [ErrTimestampTooOld], [ErrTimestampTooNew] or [ErrInvalidSignature]. During a
// rotation, accept the old secret too with [WithAdditionalSecrets].
//
// # Events
//
// Payloads are thin: the event type and ids, never the object. [DecodeEvent]
// (or [Verifier.VerifyEvent]) returns a sealed [Event]: one struct per event
// type (51, from session.status_idled to external_storage.recovered), with the
// envelope in the embedded [EventMeta] and the ids in a Data field typed per
// family ([SessionData], [SessionThreadData], [VaultCredentialData], …). A type
// this package does not know decodes to [*UnknownEvent], never an error.
// Webhook types are their own namespace: the stream's session.status_idle is
// the webhook session.status_idled, session.status_running is
// session.status_run_started, and for the session.thread_* events Data.ID is
// the session while Data.SessionThreadID is the thread.
//
// Deliveries are at least once, may come late and out of order: fetch the
// object an event names and act on its current state. [ObjectOf] tells which
// object that is; [Getters.Fetch] fetches it, with [ClientGetters] (sessions,
// threads, agents, environments, memory stores, vaults and credentials,
// deployments and their runs, through a *managedagents.Client) or with
// functions of your own.
//
// # Handler
//
// [NewHandler] serves deliveries: it reads at most 1 MiB ([WithMaxBodyBytes];
// larger bodies get 413 without being read), verifies before it parses
// (failures get 400 or 401), and calls your function once per webhook-id. The
// function runs before the answer, with a 10 s timeout ([WithTimeout]): nil
// answers 200, an error answers 500 so that the sender retries. A delivery
// whose id was processed already answers 200 at once; one whose id is being
// processed answers 409. Ids are kept in a bounded [MemoryStore] (100,000 ids
// for a day by default) or in your own [Store], shared by replicas.
//
// # Testing
//
// [Sign] produces the headers of a delivery for a body, so that a test can
// post a signed request to its handler; [NewSecret] makes a random secret.
// End to end, the fake of package managedagentstest delivers signed events to
// an endpoint a test registers, on every state change, with retries, a
// delivery log and injected duplicates, delays and reorders:
//
//	srv := managedagentstest.NewServer()
//	ts := httptest.NewServer(webhooks.NewHandler(verifier, fn)) // verifier of secret
//	_, err := srv.RegisterWebhook(ts.URL, secret, webhooks.TypeSessionStatusIdled)
//	// drive a session with srv.Client(), then srv.WaitWebhooks(ctx)
package webhooks
