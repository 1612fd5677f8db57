//go:build unix

package agenttoolset

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// drainGrace bounds how long a killed shell's output is still read: once
// every process of the session is dead the pipe ends at once, so the wait
// only lasts this long when a process that left the session (setsid) still
// holds the output pipe.
const drainGrace = 250 * time.Millisecond

// shell is one running shell process and the pipes it talks through. The
// shell reads commands on stdin; stdout and stderr share one pipe, read by a
// goroutine of its own so that background jobs never block on a full pipe.
type shell struct {
	cmd   *exec.Cmd
	stdin *os.File
	out   *os.File

	mu     sync.Mutex
	call   *shellCall    // the command running, nil between commands
	notify chan struct{} // signalled after output arrives (capacity 1)

	exited  chan struct{} // closed when the shell process has exited
	drained chan struct{} // closed when the output pipe reader has ended

	killOnce sync.Once
	status   int // the shell's exit status, valid after kill
}

// startShell starts the shell that build describes, in its own session and
// process group, with the given directory and environment.
func startShell(build ShellFunc, dir string, env []string) (*shell, error) {
	cmd, err := build(dir, env)
	if err != nil {
		return nil, err
	}
	if cmd == nil || cmd.Path == "" {
		return nil, errors.New("the shell command is empty")
	}
	if cmd.Stdin != nil || cmd.Stdout != nil || cmd.Stderr != nil {
		return nil, errors.New("the shell command must leave Stdin, Stdout and Stderr unset")
	}
	if cmd.Process != nil {
		return nil, errors.New("the shell command was already started")
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		_, _ = inR.Close(), inW.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, outW
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// A new session makes the shell the leader of its process group and of
	// its session: killing the group kills every command it runs, and the
	// session catches the jobs that moved to a group of their own.
	cmd.SysProcAttr.Setsid = true
	cmd.SysProcAttr.Setpgid = false
	cmd.SysProcAttr.Setctty = false
	err = cmd.Start()
	_, _ = inR.Close(), outW.Close()
	if err != nil {
		_, _ = inW.Close(), outR.Close()
		return nil, err
	}
	s := &shell{
		cmd:     cmd,
		stdin:   inW,
		out:     outR,
		notify:  make(chan struct{}, 1),
		exited:  make(chan struct{}),
		drained: make(chan struct{}),
	}
	go s.drain()
	go s.watch()
	return s, nil
}

// watch closes s.exited when the shell process exits. Where the platform
// allows it the process is not reaped here, so that its id still names its
// session while kill looks for the session's other processes.
func (s *shell) watch() {
	defer close(s.exited)
	waitExited(s.cmd)
}

// drain reads the shell's output until the pipe ends, feeding it to the call
// running; output written between calls (by background jobs) is dropped.
func (s *shell) drain() {
	defer close(s.drained)
	chunk := make([]byte, 32<<10)
	for {
		n, err := s.out.Read(chunk)
		if n > 0 {
			s.mu.Lock()
			if s.call != nil {
				s.call.feed(chunk[:n])
			}
			s.mu.Unlock()
			select {
			case s.notify <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// kill ends the shell and every process of its group and session, closes the
// pipes and reaps the shell; it waits for the two goroutines of s to end.
// Calling it again does nothing.
func (s *shell) kill() {
	s.killOnce.Do(func() {
		pid := s.cmd.Process.Pid
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		killSession(pid)
		_ = s.stdin.Close()
		<-s.exited
		reap(s.cmd)
		s.status = exitStatus(s.cmd)
		select {
		case <-s.drained:
		case <-time.After(drainGrace):
		}
		_ = s.out.Close()
		<-s.drained
	})
}

// exitStatus is the exit status of the reaped process of cmd, 128+n for a
// death by signal n as a shell reports it, -1 when unknown.
func exitStatus(cmd *exec.Cmd) int {
	if cmd.ProcessState == nil {
		return -1
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// outcome says how a command ended.
type outcome int

const (
	outcomeDone      outcome = iota // it ended; status holds its exit status
	outcomeTimedOut                 // the timeout struck first
	outcomeExited                   // the shell itself exited
	outcomeCancelled                // the context ended first
)

// execResult is what one command produced.
type execResult struct {
	outcome   outcome
	status    int
	output    []byte
	truncated bool
}

// exec runs command in the shell and waits for it to end, for the timeout,
// for the shell to exit or for ctx. The command travels as one ANSI-C quoted
// word ($'…', every byte that is not plain printable ASCII escaped), so any
// text (an unbalanced quote, a here-document) arrives whole on one line; eval
// runs it in the shell itself, so that cd, variables and functions persist.
// Its stdin is /dev/null and its stderr goes with its stdout. Markers with a
// random part frame the output and carry the exit status; nothing the
// command prints can forge them. Unless the outcome is outcomeDone the shell
// must be killed and replaced.
func (s *shell) exec(ctx context.Context, command string, timeout time.Duration, limit int) execResult {
	call := newShellCall(limit)
	s.mu.Lock()
	s.call = call
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.call = nil
		s.mu.Unlock()
	}()

	deadline := time.Now().Add(timeout)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	stopWrite := context.AfterFunc(ctx, func() { _ = s.stdin.SetWriteDeadline(time.Unix(1, 0)) })
	defer stopWrite()
	_ = s.stdin.SetWriteDeadline(deadline)
	if _, err := s.stdin.Write(call.script(command)); err != nil {
		switch {
		case ctx.Err() != nil:
			return call.end(outcomeCancelled, 0)
		case errors.Is(err, os.ErrDeadlineExceeded):
			return call.end(outcomeTimedOut, 0)
		}
		s.kill()
		return call.end(outcomeExited, s.status)
	}

	for {
		s.mu.Lock()
		done, status := call.done, call.status
		s.mu.Unlock()
		if done {
			return call.end(outcomeDone, status)
		}
		select {
		case <-s.notify:
		case <-timer.C:
			return s.finish(call, outcomeTimedOut, 0)
		case <-ctx.Done():
			return s.finish(call, outcomeCancelled, 0)
		case <-s.exited:
			s.kill()
			return s.finish(call, outcomeExited, s.status)
		}
	}
}

// finish reads what call collected, under the lock the output reader takes.
// A command whose end marker arrived together with the timeout, the context's
// end or the shell's exit counts as done.
func (s *shell) finish(call *shellCall, o outcome, status int) execResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if call.done {
		return call.end(outcomeDone, call.status)
	}
	return call.end(o, status)
}

// shellCall frames and collects the output of one command.
type shellCall struct {
	startMark []byte
	endMark   []byte
	limit     int

	started bool
	pending []byte // before the start marker: the last few bytes seen
	out     []byte // after the start marker
	scanned int    // out[:scanned] holds no end marker beginning
	dropped bool   // bytes were dropped from the front of out
	done    bool
	status  int
}

func newShellCall(limit int) *shellCall {
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	tag := hex.EncodeToString(nonce[:])
	return &shellCall{
		startMark: []byte("\x1e" + tag + ":begin\x1e"),
		endMark:   []byte("\x1e" + tag + ":end:"),
		limit:     limit,
	}
}

// script is the line sent to the shell for command: print the start marker,
// run the command, print the end marker with its status.
func (c *shellCall) script(command string) []byte {
	var b bytes.Buffer
	b.Grow(len(command) + 200)
	fmt.Fprintf(&b, "builtin printf '%%s' '%s'; { builtin eval ", c.startMark)
	quoteANSIC(&b, command)
	fmt.Fprintf(&b, "; } </dev/null 2>&1; builtin printf '\\n%%s%%d\\n' '%s' \"$?\"\n", c.endMark)
	return b.Bytes()
}

// quoteANSIC writes s as a bash $'…' word: printable ASCII but ' and \ as
// is, every other byte as \xHH.
func quoteANSIC(b *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	b.WriteString("$'")
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\'' && c != '\\' {
			b.WriteByte(c)
			continue
		}
		b.WriteString(`\x`)
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	b.WriteByte('\'')
}

// feed takes output read from the shell. Called with the shell's lock held.
func (c *shellCall) feed(p []byte) {
	if c.done {
		return
	}
	if !c.started {
		c.pending = append(c.pending, p...)
		i := bytes.Index(c.pending, c.startMark)
		if i < 0 {
			if keep := len(c.startMark) - 1; len(c.pending) > keep {
				c.pending = append(c.pending[:0], c.pending[len(c.pending)-keep:]...)
			}
			return
		}
		c.started = true
		p = c.pending[i+len(c.startMark):]
		c.pending = nil
	}
	c.out = append(c.out, p...)
	c.findEnd()
	// Keep the tail only: the limit, plus room for the end marker.
	keep := c.limit + len(c.endMark) + 32
	if !c.done && len(c.out) > 2*keep {
		cut := len(c.out) - keep
		c.out = append(c.out[:0], c.out[cut:]...)
		c.scanned = max(0, c.scanned-cut)
		c.dropped = true
	}
}

// findEnd looks for the end marker and the status line after it.
func (c *shellCall) findEnd() {
	from := max(0, c.scanned)
	i := bytes.Index(c.out[from:], c.endMark)
	if i < 0 {
		c.scanned = max(0, len(c.out)-len(c.endMark)+1)
		return
	}
	i += from
	c.scanned = i
	rest := c.out[i+len(c.endMark):]
	nl := bytes.IndexByte(rest, '\n')
	if nl < 0 {
		return // the status has not arrived yet
	}
	status, err := strconv.Atoi(string(rest[:nl]))
	if err != nil {
		status = -1
	}
	c.out = c.out[:i]
	c.status, c.done = status, true
}

// end returns what the call produced, its output capped at the limit (the
// newest bytes kept).
func (c *shellCall) end(o outcome, status int) execResult {
	out := c.out
	truncated := c.dropped
	if len(out) > c.limit {
		out = out[len(out)-c.limit:]
		truncated = true
	}
	if truncated {
		out = trimPartialRune(out)
	}
	return execResult{outcome: o, status: status, output: bytes.Clone(out), truncated: truncated}
}

// trimPartialRune drops the continuation bytes a cut left at the front of p.
func trimPartialRune(p []byte) []byte {
	for i := 0; i < 3 && len(p) > 0 && p[0]&0xC0 == 0x80; i++ {
		p = p[1:]
	}
	return p
}
