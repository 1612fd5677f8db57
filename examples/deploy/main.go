// Command deploy runs an agent on a schedule: it creates an agent, an
// environment and a deployment that fires every weekday at 09:00 in New York,
// prints the next instants of the schedule, runs the deployment once now,
// waits for the agent's reply, and lists the deployment's runs. It cleans up
// at the end: the deployment is archived (so it never fires again), its
// sessions and the environment deleted, the agent archived.
//
// With ANTHROPIC_API_KEY set it runs against the real API (honouring
// ANTHROPIC_BASE_URL), where the schedule's instants are days away. Without,
// against the in-memory fake of managedagentstest, whose clock the program
// moves to the first instant, so that the schedule fires too. Ctrl-C
// interrupts it (exit status 130) after cleaning up.
//
//	go run ./examples/deploy
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func main() { os.Exit(exitCode()) }

// exitCode runs the example and returns its exit status: 0, 1 after an error,
// 130 after Ctrl-C.
func exitCode() int {
	// Ctrl-C (or SIGTERM) cancels ctx; a second Ctrl-C kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	client := managedagents.NewClient() // reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL
	var skipTo func(time.Time)          // the real API's clock cannot be moved
	if os.Getenv("ANTHROPIC_API_KEY") == "" {
		fmt.Fprintln(os.Stderr, "ANTHROPIC_API_KEY is not set: running on the in-memory fake")
		srv := managedagentstest.NewServer()
		defer srv.Close()
		client = srv.Client()
		skipTo = srv.SetNow // the fake's schedules fire as its clock passes them
	}

	if err := run(ctx, client, os.Stdout, skipTo); err != nil {
		fmt.Fprintln(os.Stderr, "deploy:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

// run deploys an agent on a schedule, runs it now, and lists its runs. When
// skipTo is not nil it moves the server's clock, and run uses it to let the
// schedule fire once.
func run(ctx context.Context, client *managedagents.Client, out io.Writer, skipTo func(time.Time)) (err error) {
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:   "Standup writer",
		Model:  managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		System: "You write short, friendly standup notes.",
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID, managedagents.AgentArchiveParams{}) // agents have no delete
		return err
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name:   "deploy-" + strconv.FormatInt(time.Now().UnixNano(), 36), // unique in the organization
		Config: &managedagents.CloudConfig{Networking: managedagents.NewNetworkingUnrestricted()},
	})
	if err != nil {
		return fmt.Errorf("creating the environment: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Environments.Delete(ctx, env.ID, managedagents.EnvironmentDeleteParams{})
		return err
	})

	// The deployment pins the agent's current version; each fire creates a
	// session and sends it the initial events.
	deployment, err := client.Deployments.Create(ctx, managedagents.DeploymentCreateParams{
		Name:          "Weekday standup notes",
		Agent:         managedagents.NewAgentRef(agent.ID),
		EnvironmentID: env.ID,
		InitialEvents: []managedagents.EventParam{managedagents.NewUserMessage("Write today's standup notes in three bullet points.")},
		Schedule:      managedagents.NewScheduleCron("0 9 * * 1-5", "America/New_York"),
		Metadata:      map[string]string{"example": "deploy"},
	})
	if err != nil {
		return fmt.Errorf("creating the deployment: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error { return retire(ctx, client, deployment.ID) })
	fmt.Fprintf(out, "Deployment %s runs agent %s v%d at %q (%s); next runs:\n", deployment.ID,
		deployment.Agent.ID, deployment.Agent.Version, deployment.Schedule.Expression, deployment.Schedule.Timezone)
	for _, at := range deployment.Schedule.UpcomingRunsAt {
		fmt.Fprintf(out, "  %s\n", at.UTC().Format(time.RFC1123))
	}

	// Run it now, whatever the schedule says. A run is never sent twice: if
	// it fails in transit, list the runs to learn whether it started.
	now, err := client.Deployments.Run(ctx, deployment.ID, managedagents.DeploymentRunParams{})
	if err != nil {
		return fmt.Errorf("running the deployment: %w", err)
	}
	if err := report(ctx, client, out, now); err != nil {
		return err
	}

	if skipTo != nil && len(deployment.Schedule.UpcomingRunsAt) > 0 {
		next := deployment.Schedule.UpcomingRunsAt[0]
		fmt.Fprintf(out, "[fake] moving the clock to %s: the schedule fires\n", next.UTC().Format(time.RFC1123))
		skipTo(next)
		scheduled, err := client.DeploymentRuns.List(ctx, managedagents.DeploymentRunListParams{
			DeploymentID: deployment.ID, TriggerType: managedagents.TriggerTypeSchedule, Limit: 1,
		})
		if err != nil {
			return fmt.Errorf("listing the scheduled runs: %w", err)
		}
		for _, r := range scheduled.Data {
			if err := report(ctx, client, out, r); err != nil {
				return err
			}
		}
	}

	fmt.Fprintln(out, "Runs of the deployment, newest first:")
	for r, err := range client.DeploymentRuns.ListAll(ctx, managedagents.DeploymentRunListParams{DeploymentID: deployment.ID}) {
		if err != nil {
			return fmt.Errorf("listing the runs: %w", err)
		}
		outcome := "session " + r.SessionID
		if r.Error != nil {
			outcome = "failed: " + string(r.Error.Type)
		}
		fmt.Fprintf(out, "  %s  %-8s %s  %s\n", r.ID, r.TriggerContext.Type, r.CreatedAt.UTC().Format(time.RFC3339), outcome)
	}
	return nil
}

// report prints a run and, once its session's first turn is over, the agent's
// reply.
func report(ctx context.Context, client *managedagents.Client, out io.Writer, r *managedagents.DeploymentRun) error {
	if r.Error != nil {
		return fmt.Errorf("run %s created no session: %s (%s)", r.ID, r.Error.Message, r.Error.Type)
	}
	fmt.Fprintf(out, "Run %s (%s) started session %s\n", r.ID, r.TriggerContext.Type, r.SessionID)
	text, err := firstReply(ctx, client, r.SessionID)
	if err != nil {
		return fmt.Errorf("session %s: %w", r.SessionID, err)
	}
	fmt.Fprintf(out, "  agent: %s\n", text)
	return nil
}

// firstReply waits for the first turn of a session to end and returns the
// agent's last message of it, checking the session's events with a growing
// pause between checks.
func firstReply(ctx context.Context, client *managedagents.Client, sessionID string) (string, error) {
	pause := 100 * time.Millisecond
	for {
		text := ""
		for ev, err := range client.Sessions.Events.ListAll(ctx, sessionID, managedagents.SessionEventListParams{}) {
			if err != nil {
				return "", err
			}
			switch e := ev.(type) {
			case *managedagents.AgentMessageEvent:
				text = e.Text()
			case *managedagents.SessionStatusIdleEvent:
				if e.StopReason.Type != managedagents.StopReasonEndTurn {
					return "", fmt.Errorf("the agent stopped: %s", e.StopReason.Type)
				}
				return text, nil
			case *managedagents.SessionStatusTerminatedEvent:
				return "", errors.New("the session ended before the agent replied")
			}
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
}

// retire archives a deployment, so that its schedule never fires again, and
// deletes the sessions it created.
func retire(ctx context.Context, client *managedagents.Client, deploymentID string) error {
	if _, err := client.Deployments.Archive(ctx, deploymentID, managedagents.DeploymentArchiveParams{}); err != nil {
		return err
	}
	var ids []string
	for s, err := range client.Sessions.ListAll(ctx, managedagents.SessionListParams{DeploymentID: deploymentID, IncludeArchived: true}) {
		if err != nil {
			return err
		}
		ids = append(ids, s.ID)
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, deleteSession(ctx, client, id))
	}
	return errors.Join(errs...)
}

// deleteSession deletes a session. The API refuses to delete a running
// session, so one still running (after an error or Ctrl-C) is interrupted
// first and waited for.
func deleteSession(ctx context.Context, client *managedagents.Client, sessionID string) error {
	for interrupted := false; ; interrupted = true {
		s, err := client.Sessions.Get(ctx, sessionID, managedagents.SessionGetParams{})
		if err != nil {
			return err
		}
		if s.Status != managedagents.SessionStatusRunning && s.Status != managedagents.SessionStatusRescheduling {
			break
		}
		if !interrupted {
			_, err := client.Sessions.Events.Send(ctx, sessionID, managedagents.SessionEventSendParams{
				Events: []managedagents.EventParam{managedagents.NewUserInterrupt()},
			})
			if err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	_, err := client.Sessions.Delete(ctx, sessionID, managedagents.SessionDeleteParams{})
	return err
}

// undo runs a cleanup step with a context that survives the cancellation of
// ctx (Ctrl-C) for up to 30 s, and adds its error to *err.
func undo(ctx context.Context, err *error, step func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if e := step(ctx); e != nil {
		*err = errors.Join(*err, fmt.Errorf("cleaning up: %w", e))
	}
}
