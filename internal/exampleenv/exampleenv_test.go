package exampleenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
)

// A second Ctrl-C while the example cleans up after the first kills it,
// instead of waiting for the cleanup (up to 30 s) to end.
func TestSecondInterruptKills(t *testing.T) {
	if os.Getenv("EXAMPLEENV_HELPER") == "1" {
		Main("helper", func(ctx context.Context, _ *managedagents.Client) error {
			fmt.Println("ready")
			<-ctx.Done()
			fmt.Println("cleaning")
			time.Sleep(5 * time.Second) // a slow cleanup
			return ctx.Err()
		})
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondInterruptKills$")
	cmd.Env = append(os.Environ(), "EXAMPLEENV_HELPER=1", "ANTHROPIC_API_KEY=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	waitFor := func(want string) {
		t.Helper()
		for lines.Scan() {
			if lines.Text() == want {
				return
			}
		}
		t.Fatalf("the helper did not print %q", want)
	}
	waitFor("ready")
	start := time.Now()
	_ = cmd.Process.Signal(os.Interrupt)
	waitFor("cleaning")
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			var exit *exec.ExitError
			if !errors.As(err, &exit) || !exit.Sys().(syscall.WaitStatus).Signaled() {
				t.Fatalf("the helper ended with %v after %v, want killed by the second Ctrl-C", err, time.Since(start))
			}
			return
		case <-tick.C:
			_ = cmd.Process.Signal(os.Interrupt)
		}
	}
}
