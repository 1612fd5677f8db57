package exampleenv

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents"
)

// UniqueName returns prefix followed by a suffix unique to this run, for
// resources whose names must be unique in an organization (environments).
func UniqueName(prefix string) string {
	return prefix + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// NewSession creates an agent from agent, a cloud environment with unrestricted
// networking and a session of the two, titled title, adding to cleanup the steps
// that undo them: delete the session and the environment, archive the agent
// (agents cannot be deleted).
func NewSession(ctx context.Context, client *managedagents.Client, cleanup *Cleanup, agent managedagents.AgentCreateParams, title string) (*managedagents.Session, error) {
	a, err := client.Agents.Create(ctx, agent)
	if err != nil {
		return nil, err
	}
	cleanup.Add("archiving agent "+a.ID, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, a.ID)
		return err
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name:   UniqueName("example-env"),
		Config: &managedagents.CloudConfig{Networking: managedagents.UnrestrictedNetwork()},
	})
	if err != nil {
		return nil, err
	}
	cleanup.Add("deleting environment "+env.ID, func(ctx context.Context) error {
		_, err := client.Environments.Delete(ctx, env.ID)
		return err
	})
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent:         managedagents.AgentID(a.ID),
		EnvironmentID: env.ID,
		Title:         title,
	})
	if err != nil {
		return nil, err
	}
	cleanup.Add("deleting session "+session.ID, func(ctx context.Context) error {
		return DeleteSession(ctx, client, session.ID)
	})
	return session, nil
}

// DeleteSession deletes a session. The API refuses to delete a running session,
// so one still running (after an error or Ctrl-C) is interrupted first, and
// DeleteSession waits for it to stop. A session already gone is not an error.
func DeleteSession(ctx context.Context, client *managedagents.Client, sessionID string) error {
	for interrupted := false; ; interrupted = true {
		s, err := client.Sessions.Get(ctx, sessionID)
		if errors.Is(err, managedagents.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if s.Status != managedagents.SessionStatusRunning && s.Status != managedagents.SessionStatusRescheduling {
			break
		}
		if !interrupted {
			if _, err := client.Sessions.Events.Send(ctx, sessionID, managedagents.Interrupt()); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if _, err := client.Sessions.Delete(ctx, sessionID); err != nil && !errors.Is(err, managedagents.ErrNotFound) {
		return err
	}
	return nil
}
