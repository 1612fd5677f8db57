//go:build unix

package agenttoolset

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// bashTool runs commands in one persistent shell, started on first use and
// replaced after a timeout, a cancellation or its own exit. Calls run one at a
// time.
type bashTool struct {
	build      ShellFunc
	dir        string
	env        []string
	maxTimeout time.Duration

	turn chan struct{} // held by the running call

	mu     sync.Mutex
	sh     *shell
	closed bool
}

func newBashTool(build ShellFunc, dir string, env []string, maxTimeout time.Duration) *bashTool {
	return &bashTool{build: build, dir: dir, env: env, maxTimeout: maxTimeout, turn: make(chan struct{}, 1)}
}

func (b *bashTool) run(ctx context.Context, in BashInput, outputLimit int) (Result, error) {
	select {
	case b.turn <- struct{}{}:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	defer func() { <-b.turn }()

	if in.Restart {
		b.replace(nil)
		if in.Command == "" {
			return success("bash session restarted"), nil
		}
	}
	if in.Command == "" {
		return failure(ToolBash, "command is required"), nil
	}
	if strings.IndexByte(in.Command, 0) >= 0 {
		return failure(ToolBash, "command contains a NUL byte"), nil
	}
	sh, err := b.shell()
	if err != nil {
		if err == ErrClosed {
			return Result{}, err
		}
		return failure(ToolBash, "cannot start the shell: %v", err), nil
	}
	timeout := min(defaultBashTimeout, b.maxTimeout)
	if in.TimeoutMS > 0 {
		timeout = b.maxTimeout
		if in.TimeoutMS < int64(b.maxTimeout/time.Millisecond) {
			timeout = time.Duration(in.TimeoutMS) * time.Millisecond
		}
	}

	res := sh.exec(ctx, in.Command, timeout, outputLimit)
	if res.outcome != outcomeDone {
		b.replace(sh)
	}
	if b.isClosed() {
		return Result{}, ErrClosed
	}
	out := cleanOutput(res.output, res.truncated)
	switch res.outcome {
	case outcomeCancelled:
		return Result{}, ctx.Err()
	case outcomeTimedOut:
		return textResult(out+"\n[timed out]\nsession restarted after timeout", true), nil
	case outcomeExited:
		return textResult(fmt.Sprintf("%s\nshell exited with code %d; session restarted", out, res.status), true), nil
	}
	if res.status != 0 {
		return textResult(fmt.Sprintf("%s\nexit code: %d", out, res.status), true), nil
	}
	return success(out), nil
}

// shell returns the running shell, starting one if there is none.
func (b *bashTool) shell() (*shell, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	if b.sh == nil {
		sh, err := startShell(b.build, b.dir, b.env)
		if err != nil {
			return nil, err
		}
		b.sh = sh
	}
	return b.sh, nil
}

// replace kills the running shell (or only old, when it is not nil and still
// the running one); the next call starts a new one.
func (b *bashTool) replace(old *shell) {
	b.mu.Lock()
	sh := b.sh
	if old == nil || old == sh {
		b.sh = nil
	}
	if old != nil {
		sh = old
	}
	b.mu.Unlock()
	if sh != nil {
		sh.kill()
	}
}

func (b *bashTool) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// close kills the shell and everything it started, then waits for a call
// still running to return.
func (b *bashTool) close() {
	b.mu.Lock()
	b.closed = true
	sh := b.sh
	b.sh = nil
	b.mu.Unlock()
	if sh != nil {
		sh.kill()
	}
	b.turn <- struct{}{}
	<-b.turn
}

// ansiEscape matches terminal control sequences: CSI, OSC and two-byte
// escapes.
var ansiEscape = regexp.MustCompile(`\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])`)

// cleanOutput removes terminal escapes and carriage returns (CRLF becomes LF)
// and leading newlines, and marks a cut output (self-hosted.md §5.1).
func cleanOutput(raw []byte, truncated bool) string {
	out := raw
	if bytes.IndexByte(out, 0x1b) >= 0 {
		out = ansiEscape.ReplaceAll(out, nil)
	}
	if bytes.IndexByte(out, '\r') >= 0 {
		out = bytes.ReplaceAll(out, []byte("\r\n"), []byte("\n"))
		out = bytes.ReplaceAll(out, []byte("\r"), nil)
	}
	out = bytes.TrimLeft(out, "\n")
	if truncated {
		return truncatedNotice + "\n" + string(out)
	}
	return string(out)
}
