package webhooks_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/webhooks"
)

func TestSignReproducesTheSample(t *testing.T) {
	t.Parallel()
	want, body := signedSample(t)
	h, err := webhooks.Sign(sampleSecret, sampleID, sampleTime, body)
	require.NoError(t, err)
	require.Equal(t, sampleSignature, h.Get(webhooks.HeaderSignature))
	require.Equal(t, want.Get(webhooks.HeaderSignature), h.Get(webhooks.HeaderSignature))
	require.Equal(t, sampleID, h.Get(webhooks.HeaderID))
	require.Equal(t, "1795521605", h.Get(webhooks.HeaderTimestamp))
	require.Len(t, h, 3)
}

func TestSignRefusesAnEmptyMessageID(t *testing.T) {
	t.Parallel()
	_, err := webhooks.Sign(sampleSecret, "", sampleTime, nil)
	require.Error(t, err)
}

func TestNewSecretIsAFreshWhsecKey(t *testing.T) {
	t.Parallel()
	a, b := webhooks.GenerateSecret(), webhooks.GenerateSecret()
	require.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, "whsec_"))
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	require.NoError(t, err)
	require.Len(t, key, 32)

	body := []byte(`{}`)
	v, err := webhooks.NewVerifier(a, webhooks.WithNow(fixedNow(sampleTime)))
	require.NoError(t, err)
	require.NoError(t, v.Verify(body, sign(t, a, "msg_1", sampleTime, body)))
	require.ErrorIs(t, v.Verify(body, sign(t, b, "msg_1", sampleTime, body)), webhooks.ErrInvalidSignature)
}
