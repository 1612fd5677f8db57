package webhooks_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-managedagents/managedagents/webhooks"
)

// TestMain fails the package when a test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The made-up test secret of testdata/webhook_signed.txt and what it signs.
const (
	sampleSecret    = "whsec_bWFnby10ZXN0LXdlYmhvb2stc2VjcmV0LTMyYnl0ZXM="
	sampleID        = "msg_2Kq9cXb7TtRZbV1mWc8yJp4LfDe"
	sampleTimestamp = 1795521605
	sampleSignature = "v1,rSlRkkafFkLMEG1pjhgyuyKvzEGm5WTY1SLBPnT0K88="
)

// sampleTime is the sample's webhook-timestamp.
var sampleTime = time.Unix(sampleTimestamp, 0)

// signedSample reads testdata/webhook_signed.txt: a complete signed request
// after its comment lines.
func signedSample(t testing.TB) (http.Header, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "webhook_signed.txt"))
	require.NoError(t, err)
	start := bytes.Index(raw, []byte("\nPOST "))
	require.Positive(t, start, "no request line in the sample")
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw[start+1:])))
	require.NoError(t, err)
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	require.Len(t, body, 270)
	return req.Header, body
}

// fixedNow returns a clock stopped at t.
func fixedNow(t time.Time) func() time.Time { return func() time.Time { return t } }

// sampleVerifier returns a verifier of the sample secret on a clock stopped
// at the sample's timestamp.
func sampleVerifier(t testing.TB) *webhooks.Verifier {
	t.Helper()
	v, err := webhooks.NewVerifier(sampleSecret, webhooks.WithNow(fixedNow(sampleTime)))
	require.NoError(t, err)
	return v
}

// sign signs body with secret, failing the test on error.
func sign(t testing.TB, secret, id string, ts time.Time, body []byte) http.Header {
	t.Helper()
	h, err := webhooks.Sign(secret, id, ts, body)
	require.NoError(t, err)
	return h
}

// sampleBody reads one of the JSON samples of testdata.
func sampleBody(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}
