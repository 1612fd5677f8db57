package managedagents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
)

// TestWorkSecretsNeverLeak: the environment key, a work item's secret and
// its sessions token appear in no error, no debug log line, no formatting of
// the item, its secret, the client or the errors, and no JSON of them, even
// with a server that echoes the request headers.
func TestWorkSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	const envKey = "sk-ant-env-harden-Zq8xW2vR7nT4kP9mL6jH3gF5dS1aB0cE-AA"
	sample, err := os.ReadFile("testdata/work/work_item.json")
	require.NoError(t, err)
	var wire struct{ Secret string }
	require.NoError(t, json.Unmarshal(sample, &wire))
	const token = "EXAMPLE-per-item-sessions-token-not-a-real-credential"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/poll"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(sample)
		default:
			// A proxy that echoes what it got, credentials included, in a
			// 412 the SDK decodes into a *LeaseLostError, and in a 502.
			var b strings.Builder
			_ = r.Header.Write(&b)
			status := http.StatusBadGateway
			if strings.HasSuffix(r.URL.Path, "/heartbeat") {
				status = http.StatusPreconditionFailed
			}
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, b.String())
		}
	}))
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := managedagents.NewClient(option.WithAPIKey(""), option.WithEnvironmentKey(envKey), option.WithBaseURL(srv.URL),
		option.WithHTTPClient(srv.Client()), option.WithoutLimiter(), option.WithMaxRetries(1), option.WithLogger(logger))
	ctx := context.Background()
	item, err := c.Environments.Work.Poll(ctx, "env_1", managedagents.EnvironmentWorkPollParams{})
	require.NoError(t, err)
	ic := c.ForWorkItem(item)
	_, hbErr := ic.Environments.Work.Heartbeat(ctx, "env_1", item.ID, managedagents.EnvironmentWorkHeartbeatParams{ExpectedLastHeartbeat: managedagents.NoHeartbeat})
	require.ErrorIs(t, hbErr, managedagents.ErrLeaseLost)
	_, stopErr := ic.Environments.Work.Stop(ctx, "env_1", item.ID, managedagents.EnvironmentWorkStopParams{})
	require.ErrorIs(t, stopErr, managedagents.ErrServer)
	_, ackErr := c.Environments.Work.Ack(ctx, "env_1", item.ID, managedagents.EnvironmentWorkAckParams{})
	require.ErrorIs(t, ackErr, managedagents.ErrServer)
	_, sessErr := ic.Sessions.Get(ctx, item.Data.ID, managedagents.SessionGetParams{})
	require.Error(t, sessErr)

	dump := dumpAll(t, item, *item, item.Secret, hbErr, stopErr, ackErr, sessErr) + dumpFormats(c, ic) + logs.String() + string(item.RawJSON())
	for _, s := range []string{envKey, wire.Secret, token} {
		require.NotContains(t, dump, s)
	}
	require.Contains(t, dump, "[redacted]", "the echoed credentials were redacted, not dropped")
}
