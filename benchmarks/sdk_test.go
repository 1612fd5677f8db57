package benchmarks

// The sdk variants of the benchmarks: this library, through its public API only.

import (
	"context"
	"fmt"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// netHTTPAgent is the typed agent the nethttp variant decodes into: the SDK's.
type netHTTPAgent = managedagents.Agent

// noWait is a limiter budget so large it never waits: the sdk variants keep the
// limiter on their path without being throttled by it.
var noWait = option.WithRateLimits(ratelimit.Budgets{
	Create: ratelimit.Budget{Limit: 1 << 30, Window: 1e9, Burst: 1 << 29},
	Read:   ratelimit.Budget{Limit: 1 << 30, Window: 1e9, Burst: 1 << 29},
})

func setupSDKRequest(baseURL string) func(context.Context) error {
	client := managedagents.NewClient(
		option.WithBaseURL(baseURL),
		option.WithAPIKey("sk-ant-bench"),
		option.WithHTTPClient(newHTTPClient()),
		noWait,
	)
	return func(ctx context.Context) error {
		a, err := client.Agents.Get(ctx, agentID, managedagents.AgentGetParams{})
		if err != nil {
			return err
		}
		if a.ID != agentID {
			return fmt.Errorf("sdk: got agent %q", a.ID)
		}
		return nil
	}
}
