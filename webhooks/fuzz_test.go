package webhooks_test

import (
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/webhooks"
)

// FuzzDecodeEvent checks that DecodeEvent never panics, never changes its
// input, and returns an event of the type its data.type names.
func FuzzDecodeEvent(f *testing.F) {
	for _, name := range []string{"webhook_session_status_idled.json", "webhook_session_thread_idled.json"} {
		f.Add(sampleBody(f, name))
	}
	for _, tc := range everyType {
		f.Add(payload(tc.typ))
	}
	f.Add([]byte(`{"data":{"type":"session.created","Type":"vault.created"}}`))
	f.Add([]byte(`{"data":{"type":"session.created"},"DATA":{"type":"agent.created"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		orig := bytes.Clone(body)
		ev, err := webhooks.DecodeEvent(body)
		if !bytes.Equal(orig, body) {
			t.Fatal("DecodeEvent changed its input")
		}
		if err != nil {
			if ev != nil {
				t.Fatal("an event and an error")
			}
			return
		}
		if !bytes.Equal(ev.RawJSON(), body) {
			t.Fatal("raw JSON differs from the input")
		}
		name := reflect.TypeOf(ev).Elem().Name()
		if _, unknown := ev.(*webhooks.UnknownEvent); !unknown && name != pascal(ev.EventType())+"Event" {
			t.Fatalf("type %q decoded to %s", ev.EventType(), name)
		}
		obj, ok := webhooks.ObjectOf(ev)
		if _, unknown := ev.(*webhooks.UnknownEvent); ok == unknown || (ok && obj.Kind == "") {
			t.Fatalf("ObjectOf(%T) = %+v, %v", ev, obj, ok)
		}
	})
}

// FuzzVerify checks that Verify never panics on any header and body, accepts
// what Sign signs, and refuses it once the body, id or timestamp changes. The
// agreement with the Standard Webhooks library is fuzzed in the nested module
// webhooks/conformance.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(`{"type":"event"}`), "msg_1", "1795521605", sampleSignature, int64(0), byte(0))
	f.Add([]byte{}, "a.b", "+01795521605", "v1,x v1a,y  v1,", int64(-301), byte(1))
	f.Add([]byte("\x00\xff"), "msg", "-9223372036854775808", "v1,,,", int64(1<<40), byte(2))
	v := sampleVerifier(f)
	f.Fuzz(func(t *testing.T, body []byte, id, ts, sigs string, offset int64, change byte) {
		// Arbitrary headers: any verdict, no panic.
		h := http.Header{}
		h.Set(webhooks.HeaderID, id)
		h.Set(webhooks.HeaderTimestamp, ts)
		h.Set(webhooks.HeaderSignature, sigs)
		_ = v.Verify(body, h)

		// A signed delivery passes, and no longer once changed.
		if id == "" {
			return
		}
		at := sampleTime.Add(time.Duration(offset%600) * time.Second)
		signed, err := webhooks.Sign(sampleSecret, id, at, body)
		if err != nil {
			t.Fatal(err)
		}
		err = v.Verify(body, signed)
		inWindow := offset%600 >= -300 && offset%600 <= 300
		if inWindow != (err == nil) {
			t.Fatalf("offset %ds: %v", offset%600, err)
		}
		if !inWindow {
			return
		}
		switch change % 4 {
		case 0:
			body = append(bytes.Clone(body), ' ')
		case 1:
			signed.Set(webhooks.HeaderID, id+"x")
		case 2:
			signed.Set(webhooks.HeaderTimestamp, "1"+signed.Get(webhooks.HeaderTimestamp))
		case 3:
			sig := signed.Get(webhooks.HeaderSignature)
			signed.Set(webhooks.HeaderSignature, strings.Replace(sig, "v1,", "v2,", 1)+" "+sigs)
			if strings.Contains(" "+sigs, " "+sig) {
				return // sigs itself holds the good signature
			}
		}
		if err := v.Verify(body, signed); err == nil {
			t.Fatalf("change %d was accepted", change%4)
		}
	})
}
