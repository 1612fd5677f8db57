//go:build linux

package agenttoolset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBashOutputAndStatus(t *testing.T) {
	ts := newToolset(t, Options{})
	tests := []struct {
		name    string
		command string
		want    string
		isError bool
	}{
		// The shape the reference observed: echo hi gives "hi\n\n".
		{"echo", "echo hi", "hi\n\n", false},
		{"no output", "true", noOutput, false},
		{"stderr joins stdout", "echo out; echo err >&2", "out\nerr\n\n", false},
		{"exit status", "echo partial; exit_with() { return $1; }; exit_with 3", "partial\n\n\nexit code: 3", true},
		{"false", "false", "\nexit code: 1", true},
		{"stdin is empty", "cat; echo done", "done\n\n", false},
		{"unbalanced quote is a syntax error, not a hang", "echo 'oops", "unexpected EOF", true},
		{"carriage returns and escapes removed", `printf 'a\r\nb\rc\033[31mred\033[0m\n'`, "a\nbcred\n\n", false},
		{"leading newlines trimmed", `printf '\n\nx\n'`, "x\n\n", false},
		{"here-document", "cat <<'EOF'\nline $HOME\nEOF", "line $HOME\n\n", false},
		{"multibyte text", "echo 'héllo wörld ✓'", "héllo wörld ✓\n\n", false},
		{"command with a NUL byte", "echo a\x00b", "NUL", true},
		{"no command", "", "command is required", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, ts, ToolBash, BashInput{Command: tc.command})
			require.Equal(t, tc.isError, res.IsError, res.Text())
			if tc.isError && !strings.Contains(tc.want, "exit code") {
				require.Contains(t, res.Text(), tc.want)
				return
			}
			require.Equal(t, tc.want, res.Text())
		})
	}
}

func TestBashStatePersists(t *testing.T) {
	ts := newToolset(t, Options{})
	sub := filepath.Join(ts.Workdir(), "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))

	requireOK(t, run(t, ts, ToolBash, BashInput{Command: "cd sub && NAME=agent && greet() { echo hello $1; }"}), noOutput)
	requireOK(t, run(t, ts, ToolBash, BashInput{Command: "pwd; echo $NAME; greet you"}), sub+"\nagent\nhello you\n\n")

	// A restart loses all of it and starts again in the working directory.
	requireOK(t, run(t, ts, ToolBash, BashInput{Restart: true}), "bash session restarted")
	requireOK(t, run(t, ts, ToolBash, BashInput{Command: `pwd; echo "[$NAME]"`}), ts.Workdir()+"\n[]\n\n")
	requireOK(t, run(t, ts, ToolBash, BashInput{Command: "X=1"}), noOutput)
	requireOK(t, run(t, ts, ToolBash, BashInput{Restart: true, Command: `echo "[$X]"`}), "[]\n\n")
}

func TestBashBackgroundOutputStaysOutOfLaterCalls(t *testing.T) {
	ts := newToolset(t, Options{})
	// The job writes before, during and after the next calls.
	run(t, ts, ToolBash, BashInput{Command: "(for i in $(seq 200); do echo background; sleep 0.001; done) &"})
	for range 5 {
		res := run(t, ts, ToolBash, BashInput{Command: "echo foreground"})
		require.False(t, res.IsError)
		require.Contains(t, res.Text(), "foreground\n")
		require.Equal(t, 1, strings.Count(res.Text(), "foreground"))
	}
}

func TestBashOutputCapKeepsTheNewestBytes(t *testing.T) {
	ts := newToolset(t, Options{})
	// 300000 bytes of digits, then a last line.
	res := run(t, ts, ToolBash, BashInput{Command: "head -c 300000 /dev/zero | tr '\\0' 7; echo; echo LAST"})
	require.False(t, res.IsError)
	text := res.Text()
	require.True(t, strings.HasPrefix(text, truncatedNotice+"\n"), text[:40])
	require.True(t, strings.HasSuffix(text, "7\nLAST\n\n"))
	require.Equal(t, len(truncatedNotice)+1+defaultLimits.bashOutput, len(text))

	// The cap holds whatever the volume: memory does not follow the output.
	res = run(t, ts, ToolBash, BashInput{Command: "head -c 20000000 /dev/zero | tr '\\0' x; echo; echo END"})
	require.Equal(t, len(truncatedNotice)+1+defaultLimits.bashOutput, len(res.Text()))
	require.True(t, strings.HasSuffix(res.Text(), "x\nEND\n\n"))
}

func TestBashCapDoesNotSplitARune(t *testing.T) {
	ts := newToolset(t, Options{})
	ts.lim.bashOutput = 10
	// "é" is two bytes: a cut at 10 bytes from the end falls inside one.
	res := run(t, ts, ToolBash, BashInput{Command: "printf 'ééééééééé'"})
	require.Equal(t, truncatedNotice+"\néééé\n", res.Text())
}

func TestBashTimeoutKillsTheWholeGroup(t *testing.T) {
	ts := newToolset(t, Options{})
	pidFile := filepath.Join(ts.Workdir(), "pids")
	// A grandchild in the shell's group, one in a group of its own (set -m),
	// and the command itself, all still running at the timeout.
	command := fmt.Sprintf("sleep 300 & echo $! > %[1]s; set -m; sleep 301 & echo $! >> %[1]s; set +m; echo started; sleep 302", pidFile)
	start := time.Now()
	res := run(t, ts, ToolBash, BashInput{Command: command, TimeoutMS: 300})
	require.Less(t, time.Since(start), 5*time.Second)
	requireFailureText(t, res, "started\n\n[timed out]\nsession restarted after timeout")

	for _, pid := range readPids(t, pidFile) {
		eventually(t, func() bool { return processGone(pid) }, fmt.Sprintf("process %d survived the timeout", pid))
	}
	// The next call gets a new shell, back in the working directory.
	requireOK(t, run(t, ts, ToolBash, BashInput{Command: "pwd"}), ts.Workdir()+"\n\n")
}

func TestBashCancelKillsTheCommand(t *testing.T) {
	ts := newToolset(t, Options{})
	pidFile := filepath.Join(ts.Workdir(), "pid")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ts.Bash(ctx, BashInput{Command: "sleep 300 & echo $! > " + pidFile + "; wait"})
		done <- err
	}()
	eventually(t, func() bool { return len(readPidsIfAny(pidFile)) == 1 }, "the command did not start")
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("Bash did not return after cancel")
	}
	pid := readPids(t, pidFile)[0]
	eventually(t, func() bool { return processGone(pid) }, "the command survived the cancel")
	requireOK(t, run(t, ts, ToolBash, BashInput{Command: "echo again"}), "again\n\n")
}

func TestBashCancelWhileWaitingForTheShell(t *testing.T) {
	ts := newToolset(t, Options{})
	release := make(chan struct{})
	first := make(chan Result, 1)
	go func() {
		res, _ := ts.Bash(context.Background(), BashInput{Command: "read -t 30 x < " + fifo(t, ts, release)})
		first <- res
	}()
	// The second call waits for the first; its context ends the wait.
	eventually(t, func() bool { return len(ts.bash.turn) == 1 }, "the first call did not start")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := ts.Bash(ctx, BashInput{Command: "echo second"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	require.False(t, (<-first).IsError)
}

// fifo makes a named pipe in the working directory and opens it for writing
// (releasing a reader) once release is closed.
func fifo(t *testing.T, ts *Toolset, release chan struct{}) string {
	t.Helper()
	p := filepath.Join(ts.Workdir(), "fifo")
	require.NoError(t, exec.Command("mkfifo", p).Run())
	go func() {
		<-release
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err == nil {
			_, _ = f.WriteString("go\n")
			_ = f.Close()
		}
	}()
	return p
}

func TestBashTimeoutIsCappedAndDefaulted(t *testing.T) {
	ts := newToolset(t, Options{MaxBashTimeout: 200 * time.Millisecond})
	start := time.Now()
	res := run(t, ts, ToolBash, BashInput{Command: "sleep 30", TimeoutMS: 600000})
	require.True(t, res.IsError)
	require.Contains(t, res.Text(), "[timed out]")
	// A value that would overflow a time.Duration is capped too.
	res = run(t, ts, ToolBash, BashInput{Command: "sleep 30", TimeoutMS: 1 << 62})
	require.Contains(t, res.Text(), "[timed out]")
	require.Less(t, time.Since(start), 10*time.Second)
	require.Equal(t, 120*time.Second, defaultBashTimeout)
}

func TestBashShellExitRestarts(t *testing.T) {
	ts := newToolset(t, Options{})
	res := run(t, ts, ToolBash, BashInput{Command: "echo bye; exit 4"})
	requireFailureText(t, res, "bye\n\nshell exited with code 4; session restarted")
	requireOK(t, run(t, ts, ToolBash, BashInput{Command: "echo back"}), "back\n\n")
}

func TestBashCloseLeavesNoProcess(t *testing.T) {
	ts, err := New(t.TempDir(), Options{})
	require.NoError(t, err)
	pidFile := filepath.Join(ts.Workdir(), "pids")
	run(t, ts, ToolBash, BashInput{Command: fmt.Sprintf("echo $$ > %[1]s; sleep 300 & echo $! >> %[1]s; (sleep 301 &) ; set -m; sleep 302 & echo $! >> %[1]s", pidFile)})
	pids := readPids(t, pidFile)
	require.Len(t, pids, 3)
	for _, pid := range pids {
		require.False(t, processGone(pid))
	}

	// A call running when Close comes returns at once.
	done := make(chan error, 1)
	go func() {
		_, err := ts.Bash(context.Background(), BashInput{Command: "sleep 303"})
		done <- err
	}()
	eventually(t, func() bool { return len(ts.bash.turn) == 1 }, "the call did not start")
	require.NoError(t, ts.Close())
	require.ErrorIs(t, <-done, ErrClosed)
	for _, pid := range pids {
		require.True(t, processGone(pid), "process %d survived Close", pid)
	}
	// Nothing in the shell's session is left either.
	require.Empty(t, sessionMembers(pids[0]))

	_, err = ts.Bash(context.Background(), BashInput{Command: "echo"})
	require.ErrorIs(t, err, ErrClosed)
	require.NoError(t, ts.Close())
}

func TestBashEnvironmentHoldsNoCredential(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-api-secret")
	t.Setenv("anthropic_environment_key", "env-key-secret")
	t.Setenv("WORKER_TOKEN", "item-token-secret")
	t.Setenv("OTHER_NAME_SAME_VALUE", "prefix-env-key-secret-suffix")
	t.Setenv("MY_SECRET_NAME", "whatever")
	t.Setenv("BASH_ENV", "/tmp/never-sourced")
	t.Setenv("KEEP_ME", "visible")
	ts := newToolset(t, Options{
		Secrets:  []string{"env-key-secret", "item-token-secret"},
		ScrubEnv: []string{"my_secret_name"},
	})
	res := run(t, ts, ToolBash, BashInput{Command: "env; set"})
	require.False(t, res.IsError)
	for _, leaked := range []string{"secret", "ANTHROPIC", "anthropic", "MY_SECRET_NAME", "BASH_ENV"} {
		require.NotContains(t, res.Text(), leaked)
	}
	require.Contains(t, res.Text(), "KEEP_ME=visible")
	require.Contains(t, res.Text(), "TERM=dumb")

	// An explicit base environment is scrubbed the same way.
	ts2 := newToolset(t, Options{Env: []string{"PATH=/usr/bin:/bin", "ANTHROPIC_BASE_URL=x", "TOKEN=abc-item-token-secret", "A=b"}, Secrets: []string{"item-token-secret"}})
	res = run(t, ts2, ToolBash, BashInput{Command: "env | sort"})
	require.Equal(t, "A=b\nHISTFILE=\nPATH=/usr/bin:/bin\nPWD="+ts2.Workdir()+"\nSHLVL=1\nTERM=dumb\n_=/usr/bin/env\n\n", res.Text())
}

func TestBashRunsThroughTheShellHook(t *testing.T) {
	var gotDir string
	var gotEnv []string
	ts := newToolset(t, Options{
		Env: []string{"PATH=/usr/bin:/bin"},
		Shell: func(dir string, env []string) (*exec.Cmd, error) {
			gotDir, gotEnv = dir, env
			// A wrapper a sandbox would put in front of the shell.
			cmd := exec.Command("/usr/bin/env", "SANDBOXED=yes", "/bin/bash", "--noprofile", "--norc")
			cmd.Dir, cmd.Env = dir, env
			return cmd, nil
		},
	})
	requireOK(t, run(t, ts, ToolBash, BashInput{Command: "echo $SANDBOXED"}), "yes\n\n")
	require.Equal(t, ts.Workdir(), gotDir)
	require.Contains(t, gotEnv, "PATH=/usr/bin:/bin")

	bad := newToolset(t, Options{Shell: func(dir string, env []string) (*exec.Cmd, error) {
		cmd, _ := DefaultShell(dir, env)
		cmd.Stdout = os.Stdout
		return cmd, nil
	}})
	requireFailure(t, run(t, bad, ToolBash, BashInput{Command: "echo"}), ToolBash, "must leave Stdin, Stdout and Stderr unset")

	failing := newToolset(t, Options{Shell: func(string, []string) (*exec.Cmd, error) {
		return nil, errors.New("no sandbox today")
	}})
	requireFailure(t, run(t, failing, ToolBash, BashInput{Command: "echo"}), ToolBash, "cannot start the shell: no sandbox today")
}

func TestBashCallsRunOneAtATime(t *testing.T) {
	ts := newToolset(t, Options{})
	log := filepath.Join(ts.Workdir(), "log")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			res, err := ts.Bash(context.Background(), BashInput{Command: fmt.Sprintf("echo start%d >> %s; sleep 0.02; echo end%d >> %s", i, log, i, log)})
			require.NoError(t, err)
			require.False(t, res.IsError)
		})
	}
	wg.Wait()
	data, err := os.ReadFile(log)
	require.NoError(t, err)
	lines := strings.Fields(string(data))
	require.Len(t, lines, 8)
	for i := 0; i < 8; i += 2 {
		require.Equal(t, strings.TrimPrefix(lines[i], "start"), strings.TrimPrefix(lines[i+1], "end"), "calls interleaved: %v", lines)
	}
}

func TestBashLargeCommand(t *testing.T) {
	ts := newToolset(t, Options{})
	body := strings.Repeat("abcdefghé\n", 30000)
	res := run(t, ts, ToolBash, BashInput{Command: "cat > big.txt <<'EOF'\n" + body + "EOF\nwc -c < big.txt"})
	requireOK(t, res, strconv.Itoa(len(body))+"\n\n")
}

func requireFailureText(t *testing.T, res Result, text string) {
	t.Helper()
	require.True(t, res.IsError, res.Text())
	require.Equal(t, text, res.Text())
}

func readPids(t *testing.T, file string) []int {
	t.Helper()
	pids := readPidsIfAny(file)
	require.NotEmpty(t, pids)
	return pids
}

func readPidsIfAny(file string) []int {
	data, _ := os.ReadFile(file)
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// sessionMembers lists the live processes of session sid.
func sessionMembers(sid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, alive := procSession(pid); alive && s == sid {
			out = append(out, pid)
		}
	}
	return out
}

// TestBashCommandTextArrivesWhole sends every byte but NUL (and the CR and
// ESC the output cleaning removes) through a quoted here-document: what the
// shell runs is exactly what was sent.
func TestBashCommandTextArrivesWhole(t *testing.T) {
	ts := newToolset(t, Options{})
	var text strings.Builder
	for c := 1; c < 256; c++ {
		if c != '\r' && c != 0x1b && c != '\n' {
			text.WriteByte(byte(c))
		}
	}
	text.WriteString("\n'\"`$HOME\\n\\\\ !! $(echo no) é ✓\n")
	res, err := ts.Bash(context.Background(), BashInput{Command: "cat <<'END_OF_TEXT'\n" + text.String() + "END_OF_TEXT"})
	require.NoError(t, err)
	require.False(t, res.IsError, res.Text())
	require.Equal(t, text.String()+"\n", res.Text())

	start := time.Now()
	res = run(t, ts, ToolBash, BashInput{Command: "X=$(cat <<'EOF'\n" + strings.Repeat("0123456789abcdef\n", 60000) + "EOF\n); echo ${#X}"})
	requireOK(t, res, "1019999\n\n")
	t.Logf("a 1 MB command took %v", time.Since(start))
}

// findProcess returns the pid of a live process whose command line is args,
// or 0.
func findProcess(args string) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " ") == args && !processGone(pid) {
			return pid
		}
	}
	return 0
}

// TestBashSessionLeaverNeedsASandbox shows the limit the package documents: a
// process that starts a session of its own outlives Close, unless the shell
// runs in a sandbox with its own PID namespace that ends with it, here
// unshare(1) with --kill-child.
func TestBashSessionLeaverNeedsASandbox(t *testing.T) {
	if err := exec.Command("unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child", "--mount-proc", "true").Run(); err != nil {
		t.Skipf("no unprivileged PID namespaces here: %v", err)
	}
	escaper := fmt.Sprintf("sleep 300.%d", time.Now().UnixNano()%1000000)

	plain, err := New(t.TempDir(), Options{})
	require.NoError(t, err)
	run(t, plain, ToolBash, BashInput{Command: "setsid " + escaper + " >/dev/null 2>&1 &"})
	eventually(t, func() bool { return findProcess(escaper) != 0 }, "the escaper did not start")
	require.NoError(t, plain.Close())
	pid := findProcess(escaper)
	require.NotZero(t, pid, "without a sandbox a setsid process outlives Close (documented)")
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))

	sandboxed, err := New(t.TempDir(), Options{Shell: func(dir string, env []string) (*exec.Cmd, error) {
		cmd := exec.Command("unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child", "--mount-proc",
			"/bin/bash", "--noprofile", "--norc")
		cmd.Dir, cmd.Env = dir, env
		return cmd, nil
	}})
	require.NoError(t, err)
	requireOK(t, run(t, sandboxed, ToolBash, BashInput{Command: "echo $$"}), "1\n\n")
	run(t, sandboxed, ToolBash, BashInput{Command: "setsid " + escaper + " >/dev/null 2>&1 &"})
	eventually(t, func() bool { return findProcess(escaper) != 0 }, "the escaper did not start in the sandbox")
	require.NoError(t, sandboxed.Close())
	eventually(t, func() bool { return findProcess(escaper) == 0 }, "the sandbox did not take the escaper down")
}
