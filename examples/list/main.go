// Command list pages through the agents and sessions of an organization: all
// of them with ListAll, which fetches the pages as the loop goes, and one page
// at a time with List and the NextPage cursor. It only reads.
//
// With ANTHROPIC_API_KEY set it lists the real organization's agents and
// sessions; without, it seeds the in-memory fake of managedagentstest with a
// few first. Ctrl-C interrupts it (exit status 130).
//
//	go run ./examples/list
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// maxShown caps how many items each listing prints.
const maxShown = 20

func main() { os.Exit(exitCode()) }

// exitCode runs the example and returns its exit status: 0, 1 after an error,
// 130 after Ctrl-C.
func exitCode() int {
	// Ctrl-C (or SIGTERM) cancels ctx; a second Ctrl-C kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	client := managedagents.NewClient() // reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL
	if os.Getenv("ANTHROPIC_API_KEY") == "" {
		fmt.Fprintln(os.Stderr, "ANTHROPIC_API_KEY is not set: running on the in-memory fake")
		srv := managedagentstest.NewServer()
		defer srv.Close()
		client = srv.Client()
		if err := seed(ctx, client); err != nil {
			fmt.Fprintln(os.Stderr, "list: seeding the fake:", err)
			return 1
		}
	}

	if err := run(ctx, client, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "list:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

func run(ctx context.Context, client *managedagents.Client, out io.Writer) error {
	// ListAll: one loop over every agent, pages fetched on demand; breaking out
	// of the loop stops the fetching.
	fmt.Fprintln(out, "Agents:")
	n := 0
	for agent, err := range client.Agents.ListAll(ctx, managedagents.AgentListParams{Limit: 100}) {
		if err != nil {
			return fmt.Errorf("listing agents: %w", err)
		}
		if n++; n > maxShown {
			fmt.Fprintln(out, "  ...")
			break
		}
		fmt.Fprintf(out, "  %s  v%d  %s\n", agent.ID, agent.Version, agent.Name)
	}

	// List: one page at a time, following NextPage by hand.
	fmt.Fprintln(out, "Sessions, two per page:")
	params := managedagents.SessionListParams{Limit: 2}
	for page := 1; page <= maxShown/2; page++ {
		sessions, err := client.Sessions.List(ctx, params)
		if err != nil {
			return fmt.Errorf("listing sessions: %w", err)
		}
		for _, s := range sessions.Data {
			fmt.Fprintf(out, "  page %d: %s  %-10s  %s\n", page, s.ID, s.Status, s.Title)
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
	fmt.Fprintf(out, "Idle sessions: %d\n", idle)
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
			Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		})
		if err != nil {
			return err
		}
		for j := 0; j <= i; j++ {
			_, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
				Agent:         managedagents.NewAgentRef(agent.ID),
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
