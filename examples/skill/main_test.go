package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func embeddedSkill(t *testing.T) fs.FS {
	sub, err := fs.Sub(embedded, "invoice-parser")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestRun(t *testing.T) {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(describeSkills))
	defer srv.Close()
	client := srv.Client()
	var out bytes.Buffer
	if err := run(t.Context(), client, managedagents.SkillCreateParams{FS: embeddedSkill(t), DisplayName: "Invoice parser"}, &out); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	for _, want := range []string{
		`Uploaded skill "invoice-parser" (Invoice parser), version skver_`,
		"Agent Bookkeeper loads skill skill_",
		"Agent: I have 1 skill: skill_",
		"Unpacked invoice-parser/SKILL.md\nUnpacked invoice-parser/scripts/parse.py\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	requireCleanedUp(t, client)
}

// A skill directory without a valid SKILL.md is refused before anything is
// created.
func TestRunRefusesABadSkill(t *testing.T) {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	bad := fstest.MapFS{"SKILL.md": {Data: []byte("# no frontmatter\n")}}
	err := run(t.Context(), client, managedagents.SkillCreateParams{FS: bad}, &bytes.Buffer{})
	if !errors.Is(err, managedagents.ErrInvalidParams) {
		t.Errorf("run: %v, want a validation error", err)
	}
	requireCleanedUp(t, client)
}

// Ctrl-C during the turn: run returns after interrupting and deleting the
// session, and deletes the skill.
func TestRunCancelled(t *testing.T) {
	started := make(chan struct{})
	srv := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		close(started)
		_ = turn.Wait(time.Minute) // until interrupted
	}))
	defer srv.Close()
	client := srv.Client()
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	if err := run(ctx, client, managedagents.SkillCreateParams{FS: embeddedSkill(t)}, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("run after Ctrl-C: %v, want context.Canceled", err)
	}
	requireCleanedUp(t, client)
}

// requireCleanedUp fails t if run left a custom skill, a session, an
// environment or an unarchived agent behind.
func requireCleanedUp(t *testing.T, client *managedagents.Client) {
	t.Helper()
	ctx := t.Context()
	skills, err := client.Skills.List(ctx, managedagents.SkillListParams{Source: managedagents.SkillSourceCustom})
	if err != nil || len(skills.Data) > 0 {
		t.Errorf("skills left: %v, %v", skills, err)
	}
	sessions, err := client.Sessions.List(ctx, managedagents.SessionListParams{IncludeArchived: true})
	if err != nil || len(sessions.Data) > 0 {
		t.Errorf("sessions left: %v, %v", sessions, err)
	}
	envs, err := client.Environments.List(ctx, managedagents.EnvironmentListParams{IncludeArchived: true})
	if err != nil || len(envs.Data) > 0 {
		t.Errorf("environments left: %v, %v", envs, err)
	}
	agents, err := client.Agents.List(ctx, managedagents.AgentListParams{})
	if err != nil || len(agents.Data) > 0 {
		t.Errorf("unarchived agents left: %v, %v", agents, err)
	}
}
