package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// childEnv makes the test binary run the command itself (with the
// arguments in childArgs), for the signal tests.
const (
	childEnv  = "EXAMPLE_WORKER_CHILD"
	childArgs = "EXAMPLE_WORKER_ARGS"
)

// TestMain fails the package's tests if they leave goroutines behind, and
// runs the command in the child process of drainsOn.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(exitCode(strings.Fields(os.Getenv(childArgs)), os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m)
}

func TestDemo(t *testing.T) {
	t.Setenv("ANTHROPIC_ENVIRONMENT_KEY", "")
	var out, logs bytes.Buffer
	if code := exitCode(nil, &out, &logs); code != 0 {
		t.Fatalf("exit status %d\n%s", code, logs.String())
	}
	const want = "The worker serves self-hosted environment env_011CFake1111111111111112.\n" +
		"[write] fib.sh\n" +
		"  -> wrote 85 bytes to fib.sh\n" +
		"[bash] bash fib.sh\n" +
		"  -> 0 1 1 2 3 5 8 13 21 34\n" +
		"Agent: I'll write the script, then run it.\n" +
		"The script printed: 0 1 1 2 3 5 8 13 21 34\n" +
		"worker: 1 item, 2 tool calls, 2 results posted\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestBadCommandLine(t *testing.T) {
	t.Setenv("ANTHROPIC_ENVIRONMENT_KEY", "sk-ant-env-test")
	for _, args := range [][]string{{"-workdir", t.TempDir()}, {"-environment", "env_1"}, {"-concurrency", "0"}, {"-bogus"}} {
		var out, errOut bytes.Buffer
		if code := exitCode(args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit status %d, want 2", args, code)
		}
	}
}

// SIGTERM while a tool runs: the command stops polling, lets the tool
// finish and post its result, stops the item and exits 0.
func TestSIGTERMDrains(t *testing.T) { drainsOn(t, syscall.SIGTERM, 0) }

// Ctrl-C (SIGINT) drains the same way, and exits 130 as every example does
// after Ctrl-C.
func TestCtrlCDrainsWithStatus130(t *testing.T) { drainsOn(t, syscall.SIGINT, 130) }

// drainsOn sends sig to the command while a tool runs, and checks that it
// stops polling, lets the tool finish and post its result, stops the item
// and exits with status.
func drainsOn(t *testing.T, sig syscall.Signal, status int) {
	srv := managedagentstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "a", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{managedagents.NewAgentToolset()}})
	if err != nil {
		t.Fatal(err)
	}
	answer := make(chan managedagentstest.Answer, 1)
	srv.SetScript(agent.ID, func(turn *managedagentstest.Turn) {
		// The tool runs until the test lets it finish, after SIGTERM.
		a, err := turn.CallTool("bash", map[string]any{"command": "echo $$ > shell.pid; while [ ! -e finish ]; do sleep 0.01; done; echo finished"})
		if err == nil {
			answer <- a
		}
	})
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "e", Config: &managedagents.SelfHostedConfig{}})
	if err != nil {
		t.Fatal(err)
	}
	session, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Sessions.Events.Send(ctx, session.ID, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("go")}}); err != nil {
		t.Fatal(err)
	}

	root := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childArgs+"=-environment "+env.ID+" -workdir "+root+" -grace 20s",
		"ANTHROPIC_ENVIRONMENT_KEY="+managedagentstest.TestEnvironmentKey, "ANTHROPIC_BASE_URL="+srv.URL)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	stopping := make(chan struct{})
	exited := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `msg="worker: stopping"`) {
				close(stopping)
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		exited <- cmd.Wait()
	}()

	shell := waitForFile(t, root, "shell.pid")
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopping:
	case <-time.After(20 * time.Second):
		t.Fatal("the worker did not begin to stop")
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(shell), "finish"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if got := cmd.ProcessState.ExitCode(); got != status {
			t.Fatalf("the worker exited with status %d, want %d", got, status)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the worker did not exit")
	}
	if a := <-answer; a.Text() != "finished\n\n" {
		t.Errorf("the tool's result: %q", a.Text())
	}
	if got := stdout.String(); got != "served 0 items (1 interrupted, 0 failed), 1 tool calls\n" {
		t.Errorf("output: %q", got)
	}
	if _, err := os.Stat(filepath.Dir(shell)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the item's working directory is left: %v", err)
	}
}

// waitForFile waits for a file name in a directory below root to hold a
// line, and returns its path.
func waitForFile(t *testing.T, root, name string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		matches, _ := filepath.Glob(filepath.Join(root, "*", name))
		for _, m := range matches {
			if b, err := os.ReadFile(m); err == nil && bytes.HasSuffix(b, []byte("\n")) {
				if _, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
					return m
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s under %s", name, root)
	return ""
}
