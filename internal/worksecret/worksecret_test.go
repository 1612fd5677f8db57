package worksecret

import (
	"encoding/base64"
	"testing"
)

func TestSessionsToken(t *testing.T) {
	t.Parallel()
	// The payload of samples/work_item.json (self-hosted.md §1.2).
	const sample = "eyJzZXNzaW9uc190b2tlbiI6IkVYQU1QTEUtcGVyLWl0ZW0tc2Vzc2lvbnMtdG9rZW4tbm90LWEtcmVhbC1jcmVkZW50aWFsIn0"
	const want = "EXAMPLE-per-item-sessions-token-not-a-real-credential"
	enc := func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name, secret, want string
	}{
		{"sample, unpadded", sample, want},
		{"padded", enc(`{"sessions_token":"tok-1"}`), "tok-1"},
		{"other members ignored", enc(`{"session_ingress_token":"x","auth":[{"type":"anthropic_oauth","token":"y"}],"sessions_token":"tok-2"}`), "tok-2"},
		{"URL-safe alphabet", base64.RawURLEncoding.EncodeToString([]byte(`{"sessions_token":"a>?b"}`)), "a>?b"},
		{"empty", "", ""},
		{"standard alphabet is not URL-safe", base64.StdEncoding.EncodeToString([]byte(`{"sessions_token":"a>?b"}`)), ""},
		{"not base64", "not base64!", ""},
		{"not JSON", enc("sessions_token=x"), ""},
		{"a JSON array", enc(`["x"]`), ""},
		{"no token", enc(`{"session_ingress_token":"x"}`), ""},
		{"null token", enc(`{"sessions_token":null}`), ""},
		{"number token", enc(`{"sessions_token":12}`), ""},
		{"empty token", enc(`{"sessions_token":""}`), ""},
	} {
		if got := SessionsToken(tc.secret); got != tc.want {
			t.Errorf("%s: SessionsToken = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := SessionsToken(Encode("round-trip")); got != "round-trip" {
		t.Errorf("Encode does not round-trip: %q", got)
	}
}
