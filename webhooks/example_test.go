package webhooks_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-managedagents/managedagents/webhooks"
)

// A handler that acts when a session goes idle, tested end to end with a
// delivery signed by Sign.
func ExampleNewHandler() {
	secret := webhooks.GenerateSecret() // in production: the endpoint's whsec_… secret
	verifier, err := webhooks.NewVerifier(secret)
	if err != nil {
		log.Fatal(err)
	}
	handler := webhooks.NewHandler(verifier, func(ctx context.Context, ev webhooks.Event) error {
		switch e := ev.(type) {
		case *webhooks.SessionStatusIdledEvent:
			fmt.Println("idle:", e.Data.ID)
		case *webhooks.SessionThreadIdledEvent:
			fmt.Println("thread idle:", e.Data.SessionThreadID, "of", e.Data.ID)
		}
		return nil // acknowledge every other type
	})

	body := []byte(`{"type":"event","id":"whe_1","created_at":"2026-11-24T12:00:04Z",` +
		`"data":{"type":"session.status_idled","id":"sesn_1","organization_id":"org_1","workspace_id":"wrkspc_1"}}`)
	header, err := webhooks.Sign(secret, "msg_1", time.Now(), body)
	if err != nil {
		log.Fatal(err)
	}
	for range 2 { // the second delivery is a duplicate: acknowledged, not processed
		req := httptest.NewRequest(http.MethodPost, "/webhooks/anthropic", bytes.NewReader(body))
		req.Header = header
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// idle: sesn_1
	// 200
	// 200
}

// Verifying and decoding a delivery by hand, in a handler of your own.
func ExampleVerifier_VerifyEvent() {
	verifier, err := webhooks.NewVerifier("whsec_bWFnby10ZXN0LXdlYmhvb2stc2VjcmV0LTMyYnl0ZXM=",
		// The delivery below is signed at 2026-11-24T12:00:05Z; a real
		// verifier uses the clock.
		webhooks.WithNow(func() time.Time { return time.Unix(1795521605, 0) }))
	if err != nil {
		log.Fatal(err)
	}
	body := []byte(`{"type":"event","id":"whe_7c1d2e3f4a5b69788796a5b4c3d2e1aa","created_at":"2026-11-24T12:00:04Z","data":{"type":"session.status_idled","id":"sesn_011CZkZAtmR3yMPDzynEDxu7","organization_id":"org_011CZkZZAe0sMna4vkBdtrfx","workspace_id":"wrkspc_011CZkZaBF1tNoB5wlCeusgy"}}`)
	header := http.Header{}
	header.Set("webhook-id", "msg_2Kq9cXb7TtRZbV1mWc8yJp4LfDe")
	header.Set("webhook-timestamp", "1795521605")
	header.Set("webhook-signature", "v1,rSlRkkafFkLMEG1pjhgyuyKvzEGm5WTY1SLBPnT0K88=")

	ev, err := verifier.VerifyEvent(body, header)
	if err != nil {
		log.Fatal(err)
	}
	obj, _ := webhooks.ObjectOf(ev)
	fmt.Println(ev.EventType(), obj.Kind, obj.ID)

	_, err = verifier.VerifyEvent(append(body, ' '), header)
	fmt.Println(errors.Is(err, webhooks.ErrInvalidSignature))
	// Output:
	// session.status_idled session sesn_011CZkZAtmR3yMPDzynEDxu7
	// true
}

// Fetching the object a thin payload names, with getters filled in from a
// client (here a map standing in for it).
func ExampleGetters_Fetch() {
	sessions := map[string]string{"sesn_1": "idle, 3 events"}
	getters := webhooks.Getters{
		Session: func(ctx context.Context, id string) (any, error) {
			// In a service: return client.Sessions.Get(ctx, id, managedagents.SessionGetParams{})
			s, ok := sessions[id]
			if !ok {
				return nil, errors.New("not found")
			}
			return s, nil
		},
	}
	for _, typ := range []string{"session.status_idled", "session.deleted"} {
		ev, err := webhooks.DecodeEvent([]byte(`{"type":"event","id":"whe_1","data":{"type":"` + typ + `","id":"sesn_1"}}`))
		if err != nil {
			log.Fatal(err)
		}
		obj, err := getters.Fetch(context.Background(), ev)
		fmt.Println(typ, "→", obj, errors.Is(err, webhooks.ErrDeleted))
	}
	// Output:
	// session.status_idled → idle, 3 events false
	// session.deleted → <nil> true
}
