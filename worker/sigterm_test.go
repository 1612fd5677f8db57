package worker_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/worker"
)

// The child process of TestSIGTERMDuringAToolDrains is this test binary
// again, with childEnv set: it runs a worker on the fake whose URL it is
// given until SIGTERM, as a worker's main would.
const (
	childEnv     = "WORKER_TEST_CHILD"
	childURL     = "WORKER_TEST_URL"
	childEnvID   = "WORKER_TEST_ENVIRONMENT"
	childWorkdir = "WORKER_TEST_WORKDIR"
)

// runChild runs the child's worker and returns its exit status: 0 once it
// drained after SIGTERM, 1 if it stopped on an error.
func runChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	client := managedagents.NewClient(option.WithBaseURL(os.Getenv(childURL)), option.WithAPIKey(managedagentstest.TestAPIKey),
		option.WithEnvironmentKey(managedagentstest.TestEnvironmentKey))
	w, err := worker.New(client, os.Getenv(childEnvID), worker.Options{
		Workdir: os.Getenv(childWorkdir), Poll: fastPolls, DrainTimeout: testTimeout,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err == nil {
		err = w.Start(ctx)
	}
	if err != nil {
		return 1
	}
	<-w.Stopped()
	if w.Err() != nil {
		return 1
	}
	return 0
}

// SIGTERM while a tool runs: the worker process stops polling, lets the
// tool finish and post its result, stops the item, leaves no process
// behind and exits 0.
func TestSIGTERMDuringAToolDrains(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	answers := make(chan managedagentstest.Answer, 1)
	// The tool runs until the test lets it finish, after the worker began
	// to stop, and leaves a background job running.
	sid := f.session(t, oneCall("bash", map[string]any{"command": "sleep 300 & echo $! > sleep.pid; " +
		"while [ ! -e finish ]; do sleep 0.01; done; echo finished"}, answers), nil, nil)
	f.start(t, sid)
	root := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childURL+"="+f.srv.URL, childEnvID+"="+f.envID, childWorkdir+"="+root)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	stopping := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		var closed bool
		for sc.Scan() {
			if !closed && strings.Contains(sc.Text(), `msg="worker: stopping"`) {
				close(stopping)
				closed = true
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	work := f.workOf(t, sid)
	dir := filepath.Join(root, work)
	pid := pidIn(t, dir, "sleep.pid")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	recv(t, stopping)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "finish"), nil, 0o600))
	select {
	case err := <-exited:
		require.NoError(t, err, "exit status 0")
	case <-time.After(testTimeout):
		t.Fatal("the worker did not exit")
	}
	require.Equal(t, "finished\n\n", recv(t, answers).Text(), "the running tool finished and its result was posted")
	require.Len(t, f.workRequests(managedagentstest.RouteStopWork, work), 1)
	require.True(t, gone(pid), "no process left behind")
	_, err = os.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist)
}
