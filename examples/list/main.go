// Command list pages through the agents and sessions of an organization: all
// of them with ListAll, which fetches the pages as the loop goes, and one page
// at a time with List and the NextPage cursor. It only reads.
//
// With ANTHROPIC_API_KEY set it lists the real organization's agents and
// sessions; without, it seeds the in-memory fake with a few first.
//
//	go run ./examples/list
package main

import (
	"context"
	"fmt"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/internal/exampleenv"
)

// maxShown caps how many items each listing prints.
const maxShown = 20

func main() {
	exampleenv.Main("list", func(ctx context.Context, client *managedagents.Client) error {
		if exampleenv.Offline() {
			if err := seed(ctx, client); err != nil {
				return fmt.Errorf("seeding the fake: %w", err)
			}
		}
		return run(ctx, client)
	})
}

func run(ctx context.Context, client *managedagents.Client) error {

	// ListAll: one loop over every agent, pages fetched on demand; breaking out
	// of the loop stops the fetching.
	fmt.Println("Agents:")
	n := 0
	for agent, err := range client.Agents.ListAll(ctx, managedagents.AgentListParams{Limit: 100}) {
		if err != nil {
			return fmt.Errorf("listing agents: %w", err)
		}
		if n++; n > maxShown {
			fmt.Println("  ...")
			break
		}
		fmt.Printf("  %s  v%d  %s\n", agent.ID, agent.Version, agent.Name)
	}

	// List: one page at a time, following NextPage by hand.
	fmt.Println("Sessions, two per page:")
	params := managedagents.SessionListParams{Limit: 2}
	for page := 1; page <= maxShown/2; page++ {
		sessions, err := client.Sessions.List(ctx, params)
		if err != nil {
			return fmt.Errorf("listing sessions: %w", err)
		}
		for _, s := range sessions.Data {
			fmt.Printf("  page %d: %s  %-10s  %s\n", page, s.ID, s.Status, s.Title)
		}
		if !sessions.HasNextPage() {
			break
		}
		params.Page = sessions.NextPage // all other params unchanged
	}

	// ListAll with filters: here the idle sessions; AgentID, CreatedAt… and
	// IncludeArchived filter too.
	idle := 0
	for _, err := range client.Sessions.ListAll(ctx, managedagents.SessionListParams{
		Statuses: []managedagents.SessionStatus{managedagents.SessionStatusIdle},
	}) {
		if err != nil {
			return fmt.Errorf("listing idle sessions: %w", err)
		}
		idle++
	}
	fmt.Printf("Idle sessions: %d\n", idle)
	return nil
}

// seed creates an environment, three agents and six sessions on the fake.
func seed(ctx context.Context, client *managedagents.Client) error {
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "list-example"})
	if err != nil {
		return err
	}
	for i, name := range []string{"Researcher", "Reviewer", "Coding Assistant"} {
		agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
			Name:  name,
			Model: managedagents.Model("claude-sonnet-5-5"),
		})
		if err != nil {
			return err
		}
		for j := 0; j <= i; j++ {
			_, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
				Agent:         managedagents.AgentID(agent.ID),
				EnvironmentID: env.ID,
				Title:         fmt.Sprintf("%s, task %d", name, j+1),
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
