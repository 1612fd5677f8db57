package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// secretPrefix starts every signing secret the Console shows.
const secretPrefix = "whsec_"

// Sign returns the headers a sender puts on a delivery of body: webhook-id
// (msgID), webhook-timestamp (timestamp in whole Unix seconds) and
// webhook-signature (one "v1," signature under secret). It is meant for tests:
// sign a body, send it to your handler, and the handler's [Verifier] accepts
// it. A secret that [NewVerifier] would refuse is an error matching
// [ErrInvalidSecret]; an empty msgID is an error too.
func Sign(secret, msgID string, timestamp time.Time, body []byte) (http.Header, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return nil, err
	}
	if msgID == "" {
		return nil, errors.New("webhooks: Sign needs a message id")
	}
	sec := timestamp.Unix()
	h := make(http.Header, 3)
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(sec, 10))
	h.Set(HeaderSignature, "v1,"+string(signature(key, msgID, sec, body)))
	return h, nil
}

// GenerateSecret returns a new random signing secret in the Console's format:
// "whsec_" and the standard base64 of 32 random bytes. Fakes and tests use it.
func GenerateSecret() string {
	var key [32]byte
	_, _ = rand.Read(key[:]) // never fails (crypto/rand)
	return secretPrefix + base64.StdEncoding.EncodeToString(key[:])
}
