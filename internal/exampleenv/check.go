package exampleenv

import (
	"context"
	"fmt"

	"github.com/go-managedagents/managedagents"
)

// CheckCleanedUp reports an error if the account of client has sessions,
// environments or unarchived agents left: the tests of the examples run it on
// the fake after an example, to check that it cleaned up.
func CheckCleanedUp(ctx context.Context, client *managedagents.Client) error {
	for s, err := range client.Sessions.ListAll(ctx, managedagents.SessionListParams{IncludeArchived: true}) {
		if err != nil {
			return err
		}
		return fmt.Errorf("session %s (%s) left", s.ID, s.Status)
	}
	for e, err := range client.Environments.ListAll(ctx, managedagents.EnvironmentListParams{IncludeArchived: true}) {
		if err != nil {
			return err
		}
		return fmt.Errorf("environment %s left", e.ID)
	}
	for a, err := range client.Agents.ListAll(ctx, managedagents.AgentListParams{}) {
		if err != nil {
			return err
		}
		return fmt.Errorf("agent %s left unarchived", a.ID)
	}
	return nil
}
