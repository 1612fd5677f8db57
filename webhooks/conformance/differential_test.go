package conformance

import (
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/go-managedagents/managedagents/webhooks"
)

// verdict is the outcome of a verification, named alike for both verifiers.
type verdict string

const (
	accepted         verdict = "accepted"
	missingHeaders   verdict = "missing headers"
	invalidTimestamp verdict = "invalid timestamp"
	tooOld           verdict = "too old"
	tooNew           verdict = "too new"
	noMatch          verdict = "no matching signature"
)

func ours(err error) verdict {
	switch {
	case err == nil:
		return accepted
	case errors.Is(err, webhooks.ErrMissingHeaders):
		return missingHeaders
	case errors.Is(err, webhooks.ErrInvalidTimestamp):
		return invalidTimestamp
	case errors.Is(err, webhooks.ErrTimestampTooOld):
		return tooOld
	case errors.Is(err, webhooks.ErrTimestampTooNew):
		return tooNew
	case errors.Is(err, webhooks.ErrInvalidSignature):
		return noMatch
	}
	return verdict("unexpected: " + err.Error())
}

func theirs(err error) verdict {
	switch {
	case err == nil:
		return accepted
	case errors.Is(err, standardwebhooks.ErrRequiredHeaders):
		return missingHeaders
	case errors.Is(err, standardwebhooks.ErrInvalidHeaders):
		return invalidTimestamp
	case errors.Is(err, standardwebhooks.ErrMessageTooOld):
		return tooOld
	case errors.Is(err, standardwebhooks.ErrMessageTooNew):
		return tooNew
	case errors.Is(err, standardwebhooks.ErrNoMatchingSignature):
		return noMatch
	}
	return verdict("unexpected: " + err.Error())
}

// libraryOverflow is the first timestamp the library misjudges: time.Unix
// overflows its internal seconds from there on, so it calls a timestamp
// billions of years ahead "too old". Both refuse it; only the reason differs.
const libraryOverflow = math.MaxInt64 - 62135596800 + 1

// delivery is what both verifiers are given.
type delivery struct {
	body   []byte
	header http.Header
}

func headers(id, ts, sigs string) http.Header {
	h := http.Header{}
	for name, value := range map[string]string{"webhook-id": id, "webhook-timestamp": ts, "webhook-signature": sigs} {
		if value != "" {
			h.Set(name, value)
		}
	}
	return h
}

// compare verifies d with our verifier over secrets and with the library
// under each secret, and fails when the verdicts differ: ours accepts when
// the library accepts under any secret, and otherwise refuses for the reason
// the library gives under the first.
func compare(t *testing.T, name string, d delivery, secrets ...string) verdict {
	t.Helper()
	v, err := webhooks.NewVerifier(secrets[0], webhooks.WithAdditionalSecrets(secrets[1:]...))
	if err != nil {
		t.Fatal(err)
	}
	got := ours(v.Verify(d.body, d.header))
	want := verdict("")
	for _, s := range secrets {
		lib, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			t.Fatal(err)
		}
		w := theirs(lib.Verify(d.body, d.header))
		if want == "" || w == accepted {
			want = w
		}
	}
	if got != want {
		if ts, err := strconv.ParseInt(d.header.Get("webhook-timestamp"), 10, 64); err == nil &&
			ts >= libraryOverflow && got == tooNew && want == tooOld {
			return got
		}
		t.Errorf("%s: ours %q, Standard Webhooks %q (headers %v, body %q)", name, got, want, d.header, d.body)
	}
	return got
}

// libSign signs with the library, so that the signatures do not come from the
// code under test.
func libSign(t testing.TB, secret, id string, ts time.Time, body []byte) string {
	t.Helper()
	lib, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := lib.Sign(id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestDifferentialTable(t *testing.T) {
	t.Parallel()
	secret, old, stranger := webhooks.GenerateSecret(), webhooks.GenerateSecret(), webhooks.GenerateSecret()
	body := []byte(`{"type":"event","id":"whe_1","created_at":"2026-11-24T12:00:04Z","data":{"type":"session.status_idled","id":"sesn_1","organization_id":"org_1","workspace_id":"wrkspc_1"}}`)
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	good := libSign(t, secret, "msg_1", now, body)
	goodOld := libSign(t, old, "msg_1", now, body)
	bad := "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	at := func(d time.Duration) (string, string) {
		when := now.Add(d)
		return strconv.FormatInt(when.Unix(), 10), libSign(t, secret, "msg_1", when, body)
	}
	ts4mOld, sig4mOld := at(-4 * time.Minute)
	ts4mNew, sig4mNew := at(4 * time.Minute)
	ts10mOld, sig10mOld := at(-10 * time.Minute)
	ts10mNew, sig10mNew := at(10 * time.Minute)
	tsYear, sigYear := at(-365 * 24 * time.Hour)
	flipped := []byte(good)
	flipped[10] ^= 1
	repeated := headers("msg_1", ts, good)
	repeated.Add("webhook-signature", bad)
	repeatedBadFirst := headers("msg_1", ts, bad)
	repeatedBadFirst.Add("webhook-signature", good)

	for _, tc := range []struct {
		name    string
		d       delivery
		want    verdict
		secrets []string
	}{
		{"valid", delivery{body, headers("msg_1", ts, good)}, accepted, nil},
		{"valid 4 minutes old", delivery{body, headers("msg_1", ts4mOld, sig4mOld)}, accepted, nil},
		{"valid 4 minutes ahead", delivery{body, headers("msg_1", ts4mNew, sig4mNew)}, accepted, nil},
		{"expired 10 minutes", delivery{body, headers("msg_1", ts10mOld, sig10mOld)}, tooOld, nil},
		{"expired a year", delivery{body, headers("msg_1", tsYear, sigYear)}, tooOld, nil},
		{"future 10 minutes", delivery{body, headers("msg_1", ts10mNew, sig10mNew)}, tooNew, nil},
		{"epoch", delivery{body, headers("msg_1", "0", good)}, tooOld, nil},
		{"negative", delivery{body, headers("msg_1", "-1", good)}, tooOld, nil},
		{"max int64", delivery{body, headers("msg_1", strconv.FormatInt(math.MaxInt64, 10), good)}, tooNew, nil},
		{"min int64", delivery{body, headers("msg_1", strconv.FormatInt(math.MinInt64, 10), good)}, tooOld, nil},
		{"tampered body", delivery{append([]byte(body[:len(body)-2]), `x}}`...), headers("msg_1", ts, good)}, noMatch, nil},
		{"body with a trailing newline", delivery{append(append([]byte{}, body...), '\n'), headers("msg_1", ts, good)}, noMatch, nil},
		{"empty body", delivery{nil, headers("msg_1", ts, good)}, noMatch, nil},
		{"tampered id", delivery{body, headers("msg_2", ts, good)}, noMatch, nil},
		{"tampered timestamp", delivery{body, headers("msg_1", strconv.FormatInt(now.Unix()-1, 10), good)}, noMatch, nil},
		{"tampered signature", delivery{body, headers("msg_1", ts, string(flipped))}, noMatch, nil},
		{"truncated signature", delivery{body, headers("msg_1", ts, good[:len(good)-1])}, noMatch, nil},
		{"unpadded signature", delivery{body, headers("msg_1", ts, strings.TrimRight(good, "="))}, noMatch, nil},
		{"signature without version", delivery{body, headers("msg_1", ts, strings.TrimPrefix(good, "v1,"))}, noMatch, nil},
		{"signature of version v1a", delivery{body, headers("msg_1", ts, "v1a,"+strings.TrimPrefix(good, "v1,"))}, noMatch, nil},
		{"signature of version V1", delivery{body, headers("msg_1", ts, "V1,"+strings.TrimPrefix(good, "v1,"))}, noMatch, nil},
		{"canonical timestamp +0…", delivery{body, headers("msg_1", "+0"+ts, good)}, accepted, nil},
		{"timestamp with a space", delivery{body, headers("msg_1", ts+" ", good)}, invalidTimestamp, nil},
		{"timestamp in milliseconds", delivery{body, headers("msg_1", ts+"000", good)}, tooNew, nil},
		{"timestamp as a decimal", delivery{body, headers("msg_1", ts+".0", good)}, invalidTimestamp, nil},
		{"timestamp overflowing int64", delivery{body, headers("msg_1", "9223372036854775808", good)}, invalidTimestamp, nil},
		{"no id", delivery{body, headers("", ts, good)}, missingHeaders, nil},
		{"no timestamp", delivery{body, headers("msg_1", "", good)}, missingHeaders, nil},
		{"no signature", delivery{body, headers("msg_1", ts, "")}, missingHeaders, nil},
		{"no headers, bad timestamp", delivery{body, headers("", "x", "")}, missingHeaders, nil},
		{"multi: bad, other version, good", delivery{body, headers("msg_1", ts, bad+" v1a,ZmFrZQ== "+good)}, accepted, nil},
		{"multi: good then bad", delivery{body, headers("msg_1", ts, good+" "+bad)}, accepted, nil},
		{"multi: doubled space", delivery{body, headers("msg_1", ts, bad+"  "+good)}, accepted, nil},
		{"multi: tab separated", delivery{body, headers("msg_1", ts, bad+"\t"+good)}, noMatch, nil},
		{"multi: comma separated", delivery{body, headers("msg_1", ts, bad+","+good)}, noMatch, nil},
		{"multi: no good one", delivery{body, headers("msg_1", ts, bad+" v2,"+strings.TrimPrefix(good, "v1,")+" junk")}, noMatch, nil},
		{"signature then a comma and more", delivery{body, headers("msg_1", ts, good+",extra")}, accepted, nil},
		{"repeated header, good first", delivery{body, repeated}, accepted, nil},
		{"repeated header, bad first", delivery{body, repeatedBadFirst}, noMatch, nil},
		{"rotation: signed with the old secret", delivery{body, headers("msg_1", ts, goodOld)}, accepted, []string{secret, old}},
		{"rotation: signed with the new secret", delivery{body, headers("msg_1", ts, good)}, accepted, []string{secret, old}},
		{"rotation: both signatures", delivery{body, headers("msg_1", ts, goodOld+" "+good)}, accepted, []string{stranger, old}},
		{"rotation: a third secret", delivery{body, headers("msg_1", ts, libSign(t, stranger, "msg_1", now, body))}, noMatch, []string{secret, old}},
		{"rotation: expired", delivery{body, headers("msg_1", ts10mOld, sig10mOld)}, tooOld, []string{old, secret}},
		{"secret without whsec_", delivery{body, headers("msg_1", ts, good)}, accepted, []string{strings.TrimPrefix(secret, "whsec_")}},
	} {
		secrets := tc.secrets
		if secrets == nil {
			secrets = []string{secret}
		}
		if got := compare(t, tc.name, tc.d, secrets...); got != tc.want {
			t.Errorf("%s: both said %q, the test expects %q", tc.name, got, tc.want)
		}
	}
}

// otherVersions are signature versions that look like v1 and are not.
var otherVersions = []string{"v1a", "v2", "v0", "V1", "v", "v10", "1", " v1", "v1 ", "v1\x00", ""}

// FuzzDifferential builds a delivery from fuzzed parts (key, body, id,
// timestamp, signature header, changes after signing) and checks that our
// verifier and the Standard Webhooks library agree on it, with one secret
// and with two (a rotation). The timestamp is relative to the real clock,
// which the library reads itself; deliveries within 10 seconds of the window's
// edges are skipped, as the two calls do not see the same instant.
func FuzzDifferential(f *testing.F) {
	body := []byte(`{"type":"event","id":"whe_1","created_at":"2026-11-24T12:00:04Z","data":{"type":"session.status_idled","id":"sesn_1"}}`)
	key := []byte("mago-test-webhook-secret-32bytes")
	f.Add(key, []byte(nil), body, "msg_1", int64(0), "", "", "", uint8(0))
	f.Add(key, []byte("old-key"), body, "msg_1", int64(-240), "", "v1,AAAA", "v1a,ZmFrZQ==", uint8(1))
	f.Add(key, []byte("old-key"), body, "msg.1", int64(600), "", "", "", uint8(2))
	f.Add(key, []byte(nil), []byte{}, "m", int64(-601), "", "v1,", "v2,x  v1,y", uint8(3))
	f.Add([]byte{0}, []byte(nil), []byte("\x00\xff"), "msg_1", int64(0), "+01", "", "", uint8(4))
	f.Add(key, []byte(nil), body, "msg_1", int64(0), "9223372036854775807", "", "", uint8(5))
	f.Add(key, []byte(nil), body, "msg_1", int64(0), "-9223372036854775808", "", "", uint8(6))
	f.Add(key, []byte(nil), body, "", int64(0), "", "", "", uint8(7))
	f.Add(key, []byte("k2"), body, "msg_1", int64(10), "", "", "", uint8(8|16))
	f.Fuzz(func(t *testing.T, key, key2, body []byte, id string, offset int64, rawTS, sigPrefix, sigSuffix string, change uint8) {
		if len(key) == 0 {
			return // our verifier refuses an empty key; the library would take it
		}
		secret := "whsec_" + base64.StdEncoding.EncodeToString(key)
		secrets := []string{secret}
		if len(key2) > 0 {
			secrets = append(secrets, base64.StdEncoding.EncodeToString(key2))
		}

		now := time.Now().Unix()
		ts := strconv.FormatInt(now+offset%1000, 10)
		if rawTS != "" {
			ts = rawTS
		}
		if sec, err := strconv.ParseInt(ts, 10, 64); err == nil {
			if d := now - sec; (d >= 290 && d <= 310) || (d >= -310 && d <= -290) {
				return // too close to the edge of the window to compare
			}
		}

		// Sign with the library (under the second secret when bit 3 is
		// set), at the timestamp if it is one, else at now.
		signer := secret
		if change&8 != 0 && len(secrets) > 1 {
			signer = secrets[1]
		}
		signAt := time.Unix(now, 0)
		if sec, err := strconv.ParseInt(ts, 10, 64); err == nil {
			signAt = time.Unix(sec, 0)
		}
		good := "v1,"
		if id != "" {
			good = libSign(t, signer, id, signAt, body)
		}

		sigs := good
		switch change % 8 {
		case 1: // another good signature among fuzzed ones
			sigs = sigPrefix + " " + good + " " + sigSuffix
		case 2: // body changed after signing
			body = append(append([]byte{}, body...), 'x')
		case 3: // id changed after signing
			id += "x"
		case 4: // a fuzzed signature header only
			sigs = sigPrefix + sigSuffix
		case 5: // one signature character changed
			if i := 3 + int(offset&0x7fffffff)%max(1, len(good)-3); i < len(good) {
				b := []byte(good)
				b[i] ^= byte(1 + change>>5)
				sigs = string(b)
			}
		case 6: // the signature cut short
			sigs = good[:len(good)/2]
		case 7: // the good signature under another version
			version := otherVersions[uint64(offset)%uint64(len(otherVersions))]
			if sigPrefix != "" {
				version = sigPrefix
			}
			sigs = strings.Replace(good, "v1,", version+",", 1)
		}
		if change&16 != 0 {
			sigs = strings.ReplaceAll(sigs, " ", "  ")
		}
		compare(t, "fuzz", delivery{body, headers(id, ts, sigs)}, secrets...)
	})
}
