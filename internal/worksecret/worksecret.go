// Package worksecret reads the per-item secret of a self-hosted work item
// (self-hosted.md §1.2): URL-safe base64, with or without padding, of a JSON
// object whose sessions_token is the item's bearer credential.
package worksecret

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// SessionsToken returns the sessions_token that secret carries, or "" when
// it carries none: an empty secret, one that is not URL-safe base64, not a
// JSON object, or without a non-empty sessions_token string. The caller then
// falls back to the environment key. Neither the secret nor the token ever
// appears in an error, since there is none.
func SessionsToken(secret string) string {
	if secret == "" {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(secret, "="))
	if err != nil {
		return ""
	}
	var payload struct {
		SessionsToken json.RawMessage `json:"sessions_token"`
	}
	if json.Unmarshal(raw, &payload) != nil {
		return ""
	}
	var token string
	if json.Unmarshal(payload.SessionsToken, &token) != nil {
		return "" // absent, null, or not a string
	}
	return token
}

// Encode returns the secret of a payload holding token, unpadded, as the API
// sends it: the inverse of SessionsToken, for fakes and tests.
func Encode(token string) string {
	b, _ := json.Marshal(map[string]string{"sessions_token": token})
	return base64.RawURLEncoding.EncodeToString(b)
}
