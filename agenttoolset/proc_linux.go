//go:build linux

package agenttoolset

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// waitExited blocks until the process of cmd has exited, without reaping it:
// until cmd.Wait runs, its id (which is also its session's id) cannot be
// given to another process, so killSession cannot hit a stranger.
func waitExited(cmd *exec.Cmd) {
	const pPID = 1     // idtype P_PID of waitid(2)
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(cmd.Process.Pid),
			uintptr(unsafe.Pointer(&info)), syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}

// reap collects the exit status of the process of cmd and releases its id.
func reap(cmd *exec.Cmd) {
	_ = cmd.Wait()
}

// killSession kills every process of session sid but its leader, which the
// caller has killed already, and waits (up to killWait) until none is left
// alive: the jobs a command moved to a process group of their own (set -m,
// timeout, a daemonizing server) are still in the shell's session. A process
// that started a session of its own (setsid) is out of reach: run the shell
// in a sandbox that ends with it for that.
func killSession(sid int) {
	deadline := time.Now().Add(killWait)
	pause := time.Millisecond
	for {
		entries, err := os.ReadDir("/proc")
		if err != nil {
			return
		}
		alive := false
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == sid {
				continue
			}
			if session, ok := procSession(pid); ok && session == sid {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				alive = true
			}
		}
		// A killed process lives on until the kernel has run its exit.
		if !alive || time.Now().After(deadline) {
			return
		}
		time.Sleep(pause)
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// killWait bounds the wait for killed processes to die: only a process stuck
// in the kernel (uninterruptible sleep) takes longer.
const killWait = 5 * time.Second

// procSession returns the session of process pid and whether it is alive
// (neither a zombie nor dead), from /proc/<pid>/stat.
func procSession(pid int) (int, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// pid (comm) state ppid pgrp session …; comm may hold spaces and ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 4 {
		return 0, false
	}
	if state := fields[0]; len(state) == 1 && (state[0] == 'Z' || state[0] == 'X') {
		return 0, false
	}
	session, err := strconv.Atoi(string(fields[3]))
	return session, err == nil
}
