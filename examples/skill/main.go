// Command skill uploads a skill from a directory, attaches it to an agent,
// asks the agent about it in a session, and downloads the skill back,
// unpacked into a directory; then it cleans up.
//
// The skill is the invoice-parser directory next to this file (SKILL.md and
// a script), built into the program, unless -dir names a skill directory on
// disk (SKILL.md at its top, with a name and a description in its
// frontmatter). With ANTHROPIC_API_KEY set it runs against the real API
// (honouring ANTHROPIC_BASE_URL); without, against the in-memory fake of
// managedagentstest. Ctrl-C interrupts it (exit status 130) after cleaning up.
//
//	go run ./examples/skill [-dir path/to/my-skill]
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

//go:embed invoice-parser
var embedded embed.FS

func main() { os.Exit(exitCode()) }

// exitCode runs the example and returns its exit status: 0, 1 after an error,
// 2 for bad flags, 130 after Ctrl-C.
func exitCode() int {
	dir := flag.String("dir", "", "skill directory to upload (default: the invoice-parser skill built into the program)")
	flag.Parse()
	// Ctrl-C (or SIGTERM) cancels ctx; a second Ctrl-C kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	client := managedagents.NewClient() // reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL
	if os.Getenv("ANTHROPIC_API_KEY") == "" {
		fmt.Fprintln(os.Stderr, "ANTHROPIC_API_KEY is not set: running on the in-memory fake")
		srv := managedagentstest.NewServer(managedagentstest.WithScript(describeSkills))
		defer srv.Close()
		client = srv.Client()
	}

	params := managedagents.SkillCreateParams{Dir: *dir, DisplayName: "Invoice parser (example)"}
	if *dir == "" {
		sub, err := fs.Sub(embedded, "invoice-parser")
		if err != nil {
			fmt.Fprintln(os.Stderr, "skill:", err)
			return 1
		}
		params.FS = sub
	}
	if err := run(ctx, client, params, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "skill:", err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

func run(ctx context.Context, client *managedagents.Client, params managedagents.SkillCreateParams, out io.Writer) (err error) {
	// 1. Upload the skill: SKILL.md is checked first, then every file is
	// streamed as one part named <skill-name>/<path>.
	skill, err := client.Skills.Create(ctx, params)
	if err != nil {
		return fmt.Errorf("uploading the skill: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Skills.Delete(ctx, skill.ID, managedagents.SkillDeleteParams{}) // and its versions
		return err
	})
	version, err := client.Skills.Versions.Get(ctx, skill.ID, skill.LatestVersionID, managedagents.SkillVersionGetParams{})
	if err != nil {
		return fmt.Errorf("reading the skill's version: %w", err)
	}
	fmt.Fprintf(out, "Uploaded skill %q (%s), version %s: %s\n", version.Name, skill.DisplayName, version.ID, strings.TrimSpace(version.Description))

	// 2. Attach it to an agent: the agent loads it, at its latest version.
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{
		Name:   "Bookkeeper",
		Model:  managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools:  []managedagents.Tool{managedagents.NewAgentToolset()},
		Skills: []managedagents.Skill{managedagents.NewSkillCustom(skill.ID)},
	})
	if err != nil {
		return fmt.Errorf("creating the agent: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Agents.Archive(ctx, agent.ID, managedagents.AgentArchiveParams{})
		return err
	})
	for _, s := range agent.Skills {
		fmt.Fprintf(out, "Agent %s loads skill %s (%s, version %s)\n", agent.Name, s.SkillID, s.Type, s.Version)
	}

	// 3. Ask the agent about it in a session.
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{
		Name: "skill-" + strconv.FormatInt(time.Now().UnixNano(), 36),
	})
	if err != nil {
		return fmt.Errorf("creating the environment: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		_, err := client.Environments.Delete(ctx, env.ID, managedagents.EnvironmentDeleteParams{})
		return err
	})
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{
		Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID, Title: "Skill example",
	})
	if err != nil {
		return fmt.Errorf("creating the session: %w", err)
	}
	defer undo(ctx, &err, func(ctx context.Context) error {
		return deleteSession(ctx, client, session.ID)
	})
	result, err := client.Sessions.RunTurn(ctx, session.ID, managedagents.SessionRunTurnParams{
		Events: []managedagents.EventParam{managedagents.NewUserMessage("Which skills do you have? Answer in one sentence.")},
	})
	if err != nil {
		return fmt.Errorf("running the turn: %w", err)
	}
	fmt.Fprintf(out, "Agent: %s\n", result.Text())

	// 4. Download the skill back, unpacked into a new directory (the archive
	// is checked: nothing can land outside it).
	dir, err := os.MkdirTemp("", "skill-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	into := filepath.Join(dir, version.Name)
	if _, err := client.Skills.Versions.Unpack(ctx, skill.ID, managedagents.SkillVersionLatest, managedagents.SkillVersionUnpackParams{Dir: into}); err != nil {
		return fmt.Errorf("unpacking the skill: %w", err)
	}
	return filepath.WalkDir(into, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(out, "Unpacked %s\n", filepath.ToSlash(rel))
		return nil
	})
}

// describeSkills plays the agent on the fake: it names the skills of its
// session's agent.
func describeSkills(turn *managedagentstest.Turn) {
	var agent struct {
		Skills []struct {
			SkillID string `json:"skill_id"`
		} `json:"skills"`
	}
	_ = json.Unmarshal(turn.Agent(), &agent)
	var ids []string
	for _, s := range agent.Skills {
		ids = append(ids, s.SkillID)
	}
	turn.Message("I have " + strconv.Itoa(len(ids)) + " skill: " + strings.Join(ids, ", ") + ", which parses invoices.")
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
