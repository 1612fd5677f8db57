package webhooks_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/webhooks"
)

func TestVerifyAcceptsTheSignedSample(t *testing.T) {
	t.Parallel()
	header, body := signedSample(t)
	v, err := webhooks.NewVerifier(sampleSecret, webhooks.WithNow(fixedNow(sampleTime.Add(time.Second))))
	require.NoError(t, err)
	require.NoError(t, v.Verify(body, header))

	ev, err := v.VerifyEvent(body, header)
	require.NoError(t, err)
	idle, ok := ev.(*webhooks.SessionStatusIdledEvent)
	require.True(t, ok, "got %T", ev)
	require.Equal(t, "sesn_011CZkZAtmR3yMPDzynEDxu7", idle.Data.ID)
	require.Equal(t, body, []byte(ev.RawJSON()))
}

func TestVerifyAcceptsAnyV1SignatureOfTheHeader(t *testing.T) {
	t.Parallel()
	header, body := signedSample(t)
	v := sampleVerifier(t)
	for _, sigs := range []string{
		// The sample's own multi-signature header: a bad v1, an unknown version, the good one.
		"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1a,ZmFrZQ== " + sampleSignature,
		sampleSignature + " v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"v2,x  " + sampleSignature, // a doubled space is an empty element
		"nocomma " + sampleSignature,
		sampleSignature + ",trailing", // the signature ends at the next comma
	} {
		h := header.Clone()
		h.Set(webhooks.HeaderSignature, sigs)
		require.NoError(t, v.Verify(body, h), sigs)
	}
}

func TestVerifyRefusesTamperedDeliveries(t *testing.T) {
	t.Parallel()
	header, body := signedSample(t)
	v := sampleVerifier(t)
	other, err := webhooks.NewVerifier(webhooks.GenerateSecret(), webhooks.WithNow(fixedNow(sampleTime)))
	require.NoError(t, err)

	with := func(name, value string) http.Header {
		h := header.Clone()
		if value == "" {
			h.Del(name)
		} else {
			h.Set(name, value)
		}
		return h
	}
	tampered := bytes.Replace(body, []byte("status_idled"), []byte("status_idler"), 1)
	sig := strings.TrimPrefix(sampleSignature, "v1,")
	for _, tc := range []struct {
		name   string
		v      *webhooks.Verifier
		body   []byte
		header http.Header
		want   error
	}{
		{"no webhook-id", v, body, with(webhooks.HeaderID, ""), webhooks.ErrMissingHeaders},
		{"no webhook-timestamp", v, body, with(webhooks.HeaderTimestamp, ""), webhooks.ErrMissingHeaders},
		{"no webhook-signature", v, body, with(webhooks.HeaderSignature, ""), webhooks.ErrMissingHeaders},
		{"no headers", v, body, http.Header{}, webhooks.ErrMissingHeaders},
		{"timestamp not a number", v, body, with(webhooks.HeaderTimestamp, "1795521605.0"), webhooks.ErrInvalidTimestamp},
		{"timestamp overflows", v, body, with(webhooks.HeaderTimestamp, "99999999999999999999"), webhooks.ErrInvalidTimestamp},
		{"body changed", v, tampered, header, webhooks.ErrInvalidSignature},
		{"body re-encoded", v, append(bytes.Clone(body), '\n'), header, webhooks.ErrInvalidSignature},
		{"empty body", v, nil, header, webhooks.ErrInvalidSignature},
		{"id changed", v, body, with(webhooks.HeaderID, sampleID+"x"), webhooks.ErrInvalidSignature},
		{"timestamp changed", v, body, with(webhooks.HeaderTimestamp, "1795521604"), webhooks.ErrInvalidSignature},
		{"signature changed", v, body, with(webhooks.HeaderSignature, "v1,"+sig[:10]+"A"+sig[11:]), webhooks.ErrInvalidSignature},
		{"signature cut", v, body, with(webhooks.HeaderSignature, "v1,"+sig[:43]), webhooks.ErrInvalidSignature},
		{"signature of another version", v, body, with(webhooks.HeaderSignature, "v1a,"+sig), webhooks.ErrInvalidSignature},
		{"version in capitals", v, body, with(webhooks.HeaderSignature, "V1,"+sig), webhooks.ErrInvalidSignature},
		{"signature without version", v, body, with(webhooks.HeaderSignature, sig), webhooks.ErrInvalidSignature},
		{"signature unpadded", v, body, with(webhooks.HeaderSignature, "v1,"+strings.TrimRight(sig, "=")), webhooks.ErrInvalidSignature},
		{"raw hex signature", v, body, with(webhooks.HeaderSignature, "v1,"+fmt.Sprintf("%x", mustB64(t, sig))), webhooks.ErrInvalidSignature},
		{"other secret", other, body, header, webhooks.ErrInvalidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Verify(tc.body, tc.header)
			require.ErrorIs(t, err, tc.want)
			_, err = tc.v.VerifyEvent(tc.body, tc.header)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestVerifyErrorNamesTheMissingHeaders(t *testing.T) {
	t.Parallel()
	v, err := webhooks.NewVerifier(sampleSecret)
	require.NoError(t, err)
	h := http.Header{}
	h.Set(webhooks.HeaderTimestamp, "1")
	err = v.Verify(nil, h)
	require.ErrorIs(t, err, webhooks.ErrMissingHeaders)
	require.EqualError(t, err, "webhooks: missing required headers: webhook-id, webhook-signature")
}

func TestVerifyReadsTheSignatureFromXWebhookSignature(t *testing.T) {
	t.Parallel()
	header, body := signedSample(t)
	v := sampleVerifier(t)
	h := header.Clone()
	h.Del(webhooks.HeaderSignature)
	h.Set("x-webhook-signature", sampleSignature)
	require.NoError(t, v.Verify(body, h))
	// webhook-signature wins when both are there.
	h.Set(webhooks.HeaderSignature, "v1,AAAA")
	require.ErrorIs(t, v.Verify(body, h), webhooks.ErrInvalidSignature)
}

func TestVerifyUsesTheFirstValueOfRepeatedHeaders(t *testing.T) {
	t.Parallel()
	header, body := signedSample(t)
	v := sampleVerifier(t)
	h := header.Clone()
	h.Add(webhooks.HeaderSignature, "v1,AAAA")
	require.NoError(t, v.Verify(body, h))
	h = header.Clone()
	h[webhooks.HeaderSignature] = []string{"v1,AAAA", sampleSignature}
	require.ErrorIs(t, v.Verify(body, h), webhooks.ErrInvalidSignature)
}

func TestVerifySignsTheCanonicalTimestamp(t *testing.T) {
	t.Parallel()
	// The timestamp is signed as the integer it parses to: +01795521605 signs
	// as 1795521605, as the Standard Webhooks library does.
	header, body := signedSample(t)
	v := sampleVerifier(t)
	for _, ts := range []string{"+01795521605", "01795521605", "+1795521605"} {
		h := header.Clone()
		h.Set(webhooks.HeaderTimestamp, ts)
		require.NoError(t, v.Verify(body, h), ts)
	}
}

func TestVerifyWindow(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type":"event","id":"whe_1","created_at":"2026-11-24T12:00:04Z","data":{"type":"session.created","id":"sesn_1"}}`)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	at := func(ts time.Time, opts ...webhooks.Option) error {
		v, err := webhooks.NewVerifier(sampleSecret, append([]webhooks.Option{webhooks.WithNow(fixedNow(now))}, opts...)...)
		require.NoError(t, err)
		return v.Verify(body, sign(t, sampleSecret, "msg_1", ts, body))
	}
	require.NoError(t, at(now))
	require.NoError(t, at(now.Add(-5*time.Minute)), "exactly 5 minutes old passes")
	require.NoError(t, at(now.Add(5*time.Minute)), "exactly 5 minutes ahead passes")
	require.ErrorIs(t, at(now.Add(-5*time.Minute-time.Second)), webhooks.ErrTimestampTooOld)
	require.ErrorIs(t, at(now.Add(5*time.Minute+time.Second)), webhooks.ErrTimestampTooNew)
	require.ErrorIs(t, at(now.Add(-time.Hour)), webhooks.ErrTimestampTooOld)
	require.ErrorIs(t, at(now.Add(24*time.Hour)), webhooks.ErrTimestampTooNew)
	require.ErrorIs(t, at(now.Add(-2*time.Minute), webhooks.WithTolerance(time.Minute)), webhooks.ErrTimestampTooOld)
	require.NoError(t, at(now.Add(-59*time.Minute), webhooks.WithTolerance(time.Hour)))

	// Sub-second clock: the timestamp is whole seconds, the clock is not.
	v, err := webhooks.NewVerifier(sampleSecret, webhooks.WithNow(fixedNow(now.Add(5*time.Minute+time.Nanosecond))))
	require.NoError(t, err)
	require.ErrorIs(t, v.Verify(body, sign(t, sampleSecret, "msg_1", now, body)), webhooks.ErrTimestampTooOld)
	v, err = webhooks.NewVerifier(sampleSecret, webhooks.WithNow(fixedNow(now.Add(-5*time.Minute-time.Nanosecond))))
	require.NoError(t, err)
	require.ErrorIs(t, v.Verify(body, sign(t, sampleSecret, "msg_1", now, body)), webhooks.ErrTimestampTooNew)
}

func TestVerifyWindowOnExtremeTimestamps(t *testing.T) {
	t.Parallel()
	v := sampleVerifier(t)
	for ts, want := range map[int64]error{
		math.MaxInt64:     webhooks.ErrTimestampTooNew,
		math.MaxInt64 - 1: webhooks.ErrTimestampTooNew,
		1 << 62:           webhooks.ErrTimestampTooNew,
		math.MinInt64:     webhooks.ErrTimestampTooOld,
		-1:                webhooks.ErrTimestampTooOld,
		0:                 webhooks.ErrTimestampTooOld,
	} {
		h := http.Header{}
		h.Set(webhooks.HeaderID, "msg_1")
		h.Set(webhooks.HeaderTimestamp, fmt.Sprint(ts))
		h.Set(webhooks.HeaderSignature, "v1,AAAA")
		require.ErrorIs(t, v.Verify(nil, h), want, "timestamp %d", ts)
	}
}

func TestVerifyAcceptsEverySecretOfARotation(t *testing.T) {
	t.Parallel()
	oldSecret, newSecret, strange := webhooks.GenerateSecret(), webhooks.GenerateSecret(), webhooks.GenerateSecret()
	v, err := webhooks.NewVerifier(newSecret, webhooks.WithAdditionalSecrets(oldSecret), webhooks.WithNow(fixedNow(sampleTime)))
	require.NoError(t, err)
	body := sampleBody(t, "webhook_session_status_idled.json")
	require.NoError(t, v.Verify(body, sign(t, newSecret, "msg_1", sampleTime, body)))
	require.NoError(t, v.Verify(body, sign(t, oldSecret, "msg_1", sampleTime, body)))
	require.ErrorIs(t, v.Verify(body, sign(t, strange, "msg_1", sampleTime, body)), webhooks.ErrInvalidSignature)

	// A sender that signs with both during its own rotation.
	h := sign(t, strange, "msg_1", sampleTime, body)
	both := h.Get(webhooks.HeaderSignature) + " " + sign(t, oldSecret, "msg_1", sampleTime, body).Get(webhooks.HeaderSignature)
	h.Set(webhooks.HeaderSignature, both)
	require.NoError(t, v.Verify(body, h))
}

func TestNewVerifierRefusesBadSecrets(t *testing.T) {
	t.Parallel()
	for _, secret := range []string{
		"",
		"   ",
		"whsec_",
		"whsec_!!!!not-base64!!!!",
		"whsec_bWFnby10ZXN0LXdlYmhvb2stc2VjcmV0LTMyYnl0ZXM", // unpadded
		"whsec_-_-_-_-_", // URL-safe alphabet
		"whsec_bWFnby10ZXN0_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-=",
	} {
		_, err := webhooks.NewVerifier(secret)
		require.ErrorIs(t, err, webhooks.ErrInvalidSecret, "%q", secret)
		if len(secret) > 8 {
			require.NotContains(t, err.Error(), strings.TrimPrefix(secret, "whsec_")[:6], "the error quotes the secret")
		}
		_, err = webhooks.NewVerifier(sampleSecret, webhooks.WithAdditionalSecrets(secret))
		require.ErrorIs(t, err, webhooks.ErrInvalidSecret, "%q", secret)
		require.Contains(t, err.Error(), "secret 2 of 2")
		_, err = webhooks.Sign(secret, "msg_1", sampleTime, nil)
		require.ErrorIs(t, err, webhooks.ErrInvalidSecret, "%q", secret)
	}
	_, err := webhooks.NewVerifier(sampleSecret, webhooks.WithTolerance(0))
	require.Error(t, err)
	_, err = webhooks.NewVerifier(sampleSecret, webhooks.WithTolerance(-time.Second))
	require.Error(t, err)
}

func TestNewVerifierAcceptsSecretsWithoutPrefixOrWithNewline(t *testing.T) {
	t.Parallel()
	header, body := signedSample(t)
	for _, secret := range []string{
		strings.TrimPrefix(sampleSecret, "whsec_"),
		sampleSecret + "\n",
		"  " + sampleSecret + "\r\n",
	} {
		v, err := webhooks.NewVerifier(secret, webhooks.WithNow(fixedNow(sampleTime)))
		require.NoError(t, err, "%q", secret)
		require.NoError(t, v.Verify(body, header))
	}
}

func TestVerifyWithAZeroVerifierIsAnError(t *testing.T) {
	t.Parallel()
	header, body := signedSample(t)
	var zero webhooks.Verifier
	require.ErrorIs(t, zero.Verify(body, header), webhooks.ErrInvalidSecret)
	var none *webhooks.Verifier
	require.ErrorIs(t, none.Verify(body, header), webhooks.ErrInvalidSecret)
	_, err := none.VerifyEvent(body, header)
	require.ErrorIs(t, err, webhooks.ErrInvalidSecret)
}

func TestVerifierNeverPrintsItsSecrets(t *testing.T) {
	t.Parallel()
	v, err := webhooks.NewVerifier(sampleSecret, webhooks.WithAdditionalSecrets(webhooks.GenerateSecret()))
	require.NoError(t, err)
	key := mustB64(t, strings.TrimPrefix(sampleSecret, "whsec_"))
	type holder struct {
		V       *webhooks.Verifier
		Val     webhooks.Verifier
		priv    *webhooks.Verifier
		privVal webhooks.Verifier
	}
	h := holder{V: v, Val: *v, priv: v, privVal: *v}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%p", "%T"} {
		fmt.Fprintf(&out, verb+"\n", v)
		fmt.Fprintf(&out, verb+"\n", *v)
		fmt.Fprintf(&out, verb+"\n", h)
		fmt.Fprintf(&out, verb+"\n", &h)
	}
	slog.New(slog.NewTextHandler(&out, nil)).Info("v", "verifier", v, "holder", h)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("v", "verifier", v, "holder", h)
	printed := out.String()
	for _, leak := range []string{
		strings.TrimPrefix(sampleSecret, "whsec_"),
		string(key),
		fmt.Sprintf("%x", key), fmt.Sprintf("%X", key),
		fmt.Sprint(key), fmt.Sprintf("%q", key),
		fmt.Sprint(key[:8])[1:20], // part of a byte slice printed in decimal
	} {
		require.NotContains(t, printed, leak)
	}
	require.Contains(t, printed, "webhooks.Verifier(2 secrets, tolerance 5m0s)")
}

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}
