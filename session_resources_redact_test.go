package managedagents

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRepositoryTokensArePrintedRedacted(t *testing.T) {
	t.Parallel()
	const token = "ghp_secret_0123456789abcdef"
	repo := &GitHubRepositoryResourceParams{URL: "https://github.com/o/r", AuthorizationToken: token, Checkout: NewCheckoutBranch("main")}
	update := SessionResourceUpdateParams{AuthorizationToken: token}
	create := SessionCreateParams{Agent: NewAgentRef("agent_1"), EnvironmentID: "env_1", Resources: []SessionResourceParams{repo}}

	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Debug("params", "repo", repo, "update", update, "create", create)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{repo, *repo, update, &update, create} {
			out := fmt.Sprintf(verb, v)
			require.NotContains(t, out, token, "%s of %T", verb, v)
			require.Contains(t, out, "[redacted]", "%s of %T: %s", verb, v, out)
		}
	}
	require.NotContains(t, logs.String(), token)
	require.Contains(t, logs.String(), "https://github.com/o/r")

	wire, err := json.Marshal(repo)
	require.NoError(t, err)
	require.Contains(t, string(wire), token, "the API still gets the token")
}
