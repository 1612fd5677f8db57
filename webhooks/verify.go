package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery (Standard Webhooks). Header names are
// case-insensitive; only the first value of a repeated header is used.
const (
	// HeaderID carries the message id, the deduplication key. It is part of the
	// signed content.
	HeaderID = "Webhook-Id"
	// HeaderTimestamp carries the Unix time of the delivery in whole seconds. It
	// is part of the signed content.
	HeaderTimestamp = "Webhook-Timestamp"
	// HeaderSignature carries one or more space-separated "v1,<base64>"
	// signatures.
	HeaderSignature = "Webhook-Signature"

	// headerSignatureAlt is the name one page of the API documentation gives the
	// signature header; it is read only when HeaderSignature is absent.
	headerSignatureAlt = "X-Webhook-Signature"
)

// DefaultTolerance is how far a delivery's timestamp may be from the
// verifier's clock, in either direction: 5 minutes, as the official SDK
// enforces.
const DefaultTolerance = 5 * time.Minute

// Errors of [Verifier.Verify], matched with errors.Is. The returned errors wrap
// them with details; none ever holds a secret.
var (
	// ErrMissingHeaders reports that webhook-id, webhook-timestamp or
	// webhook-signature is absent or empty.
	ErrMissingHeaders = errors.New("webhooks: missing required headers")
	// ErrInvalidTimestamp reports a webhook-timestamp that is not a base-10
	// integer.
	ErrInvalidTimestamp = errors.New("webhooks: invalid webhook-timestamp")
	// ErrTimestampTooOld reports a delivery older than the tolerance: a
	// replay, or a clock out of sync.
	ErrTimestampTooOld = errors.New("webhooks: timestamp too old")
	// ErrTimestampTooNew reports a delivery dated further in the future than
	// the tolerance.
	ErrTimestampTooNew = errors.New("webhooks: timestamp too new")
	// ErrInvalidSignature reports that no "v1" signature of the header matches
	// any secret.
	ErrInvalidSignature = errors.New("webhooks: no matching signature")
	// ErrInvalidSecret reports a signing secret, given to [NewVerifier] or
	// [Sign], that is empty or not standard base64 after its optional whsec_
	// prefix.
	ErrInvalidSecret = errors.New("webhooks: invalid signing secret")
)

// Verifier checks the signature and timestamp of webhook deliveries against
// one or more signing secrets. It is safe for concurrent use. Its secrets never
// appear in its errors or in any formatted value.
type Verifier struct {
	keys      *keyRing
	tolerance time.Duration
	now       func() time.Time
}

// keyRing holds the decoded HMAC keys, each behind a pointer: whichever way a
// Verifier or a struct holding one is formatted, even through fmt's reflection
// of unexported fields or its bad-verb path (which dereferences a top-level
// pointer), a key shows as an address, never as bytes.
type keyRing struct{ keys []*[]byte }

// Option configures a [Verifier].
type Option func(*verifierConfig)

type verifierConfig struct {
	secrets   []string
	tolerance time.Duration
	now       func() time.Time
}

// WithTolerance sets how far a delivery's timestamp may be from now, in either
// direction; exactly the tolerance still passes. It must be positive. The
// default is [DefaultTolerance].
func WithTolerance(d time.Duration) Option {
	return func(c *verifierConfig) { c.tolerance = d }
}

// WithNow sets the clock the timestamp window is checked against, for tests.
// The default is time.Now; nil keeps it.
func WithNow(now func() time.Time) Option {
	return func(c *verifierConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// WithAdditionalSecrets adds signing secrets accepted alongside the one given
// to [NewVerifier]: a delivery passes when it is signed with any of them. Use
// it during a rotation, when deliveries signed with the old secret may still
// arrive (an organization endpoint's regenerate invalidates the old secret at
// once).
func WithAdditionalSecrets(secrets ...string) Option {
	return func(c *verifierConfig) { c.secrets = append(c.secrets, secrets...) }
}

// NewVerifier returns a Verifier for the endpoint's signing secret
// ("whsec_…", as the Console shows it; the prefix is optional and surrounding
// whitespace is ignored). Every secret is decoded once, here: an empty or
// undecodable one is an error matching [ErrInvalidSecret], as is a
// non-positive tolerance.
func NewVerifier(secret string, opts ...Option) (*Verifier, error) {
	cfg := verifierConfig{secrets: []string{secret}, tolerance: DefaultTolerance, now: time.Now}
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.tolerance <= 0 {
		return nil, fmt.Errorf("webhooks: the tolerance must be positive, not %v", cfg.tolerance)
	}
	ring := &keyRing{keys: make([]*[]byte, 0, len(cfg.secrets))}
	for i, s := range cfg.secrets {
		key, err := decodeSecret(s)
		if err != nil {
			if len(cfg.secrets) > 1 {
				return nil, fmt.Errorf("%w (secret %d of %d)", err, i+1, len(cfg.secrets))
			}
			return nil, err
		}
		ring.keys = append(ring.keys, &key)
	}
	return &Verifier{keys: ring, tolerance: cfg.tolerance, now: cfg.now}, nil
}

// decodeSecret turns a "whsec_<standard base64>" secret into the HMAC key. The
// error never quotes the secret.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.TrimPrefix(strings.TrimSpace(secret), secretPrefix)
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidSecret)
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		var pos base64.CorruptInputError
		if errors.As(err, &pos) {
			return nil, fmt.Errorf("%w: not standard base64 with padding (bad character or length at byte %d after the whsec_ prefix)", ErrInvalidSecret, int64(pos))
		}
		return nil, fmt.Errorf("%w: not standard base64", ErrInvalidSecret)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrInvalidSecret)
	}
	return key, nil
}

// String describes the verifier without its secrets.
func (v Verifier) String() string {
	if v.keys == nil {
		return "webhooks.Verifier(no secrets)"
	}
	return fmt.Sprintf("webhooks.Verifier(%d secrets, tolerance %v)", len(v.keys.keys), v.tolerance)
}

// GoString describes the verifier without its secrets.
func (v Verifier) GoString() string { return v.String() }

// Verify checks a delivery: the raw body exactly as received and the request
// headers. It checks, in this order, that webhook-id, webhook-timestamp and
// webhook-signature are present (the signature is read from
// X-Webhook-Signature when webhook-signature is absent), that the timestamp is
// an integer within the tolerance of now, and that one "v1" signature of the
// header is the HMAC-SHA256 of "<id>.<timestamp>.<body>" under one of the
// secrets (compared in constant time; other versions are ignored). It returns
// nil or an error matching one of [ErrMissingHeaders], [ErrInvalidTimestamp],
// [ErrTimestampTooOld], [ErrTimestampTooNew] and [ErrInvalidSignature].
//
// Verify the body before parsing it, and never a re-encoded body: the
// signature covers the exact bytes.
func (v *Verifier) Verify(body []byte, header http.Header) error {
	if v == nil || v.keys == nil {
		return fmt.Errorf("%w: the Verifier was not made by NewVerifier", ErrInvalidSecret)
	}
	id := header.Get(HeaderID)
	ts := header.Get(HeaderTimestamp)
	sigs := header.Get(HeaderSignature)
	if sigs == "" {
		sigs = header.Get(headerSignatureAlt)
	}
	if id == "" || ts == "" || sigs == "" {
		var missing []string
		for _, h := range []struct{ name, value string }{{"webhook-id", id}, {"webhook-timestamp", ts}, {"webhook-signature", sigs}} {
			if h.value == "" {
				missing = append(missing, h.name)
			}
		}
		return fmt.Errorf("%w: %s", ErrMissingHeaders, strings.Join(missing, ", "))
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not a Unix time in seconds", ErrInvalidTimestamp, truncate(ts, 32))
	}
	if err := v.checkWindow(sec); err != nil {
		return err
	}
	if !v.matches(id, sec, body, sigs) {
		return ErrInvalidSignature
	}
	return nil
}

// VerifyEvent verifies a delivery as [Verifier.Verify] does and, when it
// passes, decodes the body with [DecodeEvent].
func (v *Verifier) VerifyEvent(body []byte, header http.Header) (Event, error) {
	if err := v.Verify(body, header); err != nil {
		return nil, err
	}
	return DecodeEvent(body)
}

// checkWindow rejects a timestamp further than the tolerance from now, in
// either direction.
func (v *Verifier) checkWindow(sec int64) error {
	now := v.now()
	// Far-off timestamps are decided on whole seconds, so that no time
	// arithmetic below can overflow, whatever the header says.
	nowSec := now.Unix()
	slack := uint64(v.tolerance/time.Second) + 2
	if sec > nowSec && uint64(sec)-uint64(nowSec) > slack {
		return fmt.Errorf("%w: %d is more than %v ahead", ErrTimestampTooNew, sec, v.tolerance)
	}
	if sec < nowSec && uint64(nowSec)-uint64(sec) > slack {
		return fmt.Errorf("%w: %d is more than %v old", ErrTimestampTooOld, sec, v.tolerance)
	}
	age := now.Sub(time.Unix(sec, 0))
	switch {
	case age > v.tolerance:
		return fmt.Errorf("%w: %d is %v old, more than %v", ErrTimestampTooOld, sec, age, v.tolerance)
	case -age > v.tolerance:
		return fmt.Errorf("%w: %d is %v ahead, more than %v", ErrTimestampTooNew, sec, -age, v.tolerance)
	}
	return nil
}

// matches reports whether one "v1" signature of the header is the expected
// one under any key.
func (v *Verifier) matches(id string, sec int64, body []byte, header string) bool {
	want := make([][]byte, len(v.keys.keys))
	for i, key := range v.keys.keys {
		want[i] = signature(*key, id, sec, body)
	}
	for elem := range strings.SplitSeq(header, " ") {
		version, rest, ok := strings.Cut(elem, ",")
		if !ok || version != "v1" {
			continue
		}
		// The signature is the text up to the next comma, if any (base64 has
		// none), as the Standard Webhooks library reads it.
		sig, _, _ := strings.Cut(rest, ",")
		for _, w := range want {
			if hmac.Equal([]byte(sig), w) {
				return true
			}
		}
	}
	return false
}

// signature returns the base64 HMAC-SHA256 of "<id>.<sec>.<body>" under key.
func signature(key []byte, id string, sec int64, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	var num [24]byte
	mac.Write([]byte(id))
	mac.Write(dot)
	mac.Write(strconv.AppendInt(num[:0], sec, 10))
	mac.Write(dot)
	mac.Write(body)
	var sum [sha256.Size]byte
	out := make([]byte, base64.StdEncoding.EncodedLen(sha256.Size))
	base64.StdEncoding.Encode(out, mac.Sum(sum[:0]))
	return out
}

var dot = []byte{'.'}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
