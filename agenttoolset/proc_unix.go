//go:build unix && !linux

package agenttoolset

import "os/exec"

// waitExited blocks until the process of cmd has exited, and reaps it: without
// waitid's WNOWAIT here there is no waiting without reaping.
func waitExited(cmd *exec.Cmd) {
	_ = cmd.Wait()
}

// reap does nothing here: waitExited has reaped the process.
func reap(*exec.Cmd) {}

// killSession does nothing where /proc is not available: killing the shell's
// process group is what ends its commands there.
func killSession(int) {}
