package agenttoolset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"time"

	"github.com/go-managedagents/managedagents/internal/skillarchive"
)

// Timeouts and file caps of the tools, from self-hosted.md §5.
const (
	// defaultBashTimeout applies when timeout_ms is absent or not positive.
	defaultBashTimeout = 120 * time.Second
	// defaultMaxBashTimeout caps timeout_ms unless Options.MaxBashTimeout
	// says otherwise.
	defaultMaxBashTimeout = 10 * time.Minute
	// defaultMaxFileBytes caps read (without view_range) and edit.
	defaultMaxFileBytes = 262144
)

// limits are the fixed caps of the tools (self-hosted.md §3.6 and §5); a
// field of the Toolset so that tests can lower them.
type limits struct {
	bashOutput       int   // bytes of a command's output kept (the newest)
	grepOutput       int   // bytes of grep output kept (the first lines)
	grepMaxFileBytes int64 // larger files are not searched
	grepMaxFiles     int   // files one grep searches
	globMaxEntries   int   // entries one glob visits
	globMaxResults   int   // paths glob returns
	skillMaxMembers  int   // members of a skill archive
	skillMaxBytes    int64 // bytes of a skill archive, decompressed and not
}

var defaultLimits = limits{
	bashOutput:       102400,
	grepOutput:       102400,
	grepMaxFileBytes: 8388608,
	grepMaxFiles:     50000,
	globMaxEntries:   50000,
	globMaxResults:   200,
	skillMaxMembers:  skillarchive.MaxMembers,
	skillMaxBytes:    skillarchive.MaxBytes,
}

// ErrUnknownTool is returned by [Toolset.Run] for a tool name that is not one
// of the toolset's: the call belongs to someone else, and nothing should be
// posted for it.
var ErrUnknownTool = errors.New("agenttoolset: unknown tool")

// ErrClosed is returned by the tools of a closed [Toolset].
var ErrClosed = errors.New("agenttoolset: toolset closed")

// ShellFunc builds the command that runs the bash tool's shell: bash (3.2 or
// later) reading commands on its standard input, started in dir with exactly
// env (the scrubbed environment). It must leave Stdin, Stdout and Stderr
// unset; the toolset connects them, and sets SysProcAttr.Setsid so that the
// process leads a session and a process group of its own. Wrap the default
// command (see [DefaultShell]) in a sandbox of your choosing (bwrap, nsjail,
// a container); for example, in a PID namespace of its own that ends with it,
// so that not even a process that leaves the session outlives the shell:
//
//	opts.Shell = func(dir string, env []string) (*exec.Cmd, error) {
//		cmd := exec.Command("unshare", "--user", "--map-root-user", "--pid", "--fork",
//			"--kill-child", "--mount-proc", "/bin/bash", "--noprofile", "--norc")
//		cmd.Dir, cmd.Env = dir, env
//		return cmd, nil
//	}
//
// Whatever the command, killing its process group must end everything it
// runs.
type ShellFunc func(dir string, env []string) (*exec.Cmd, error)

// DefaultShell is the [ShellFunc] used when Options.Shell is nil: /bin/bash
// --noprofile --norc in dir with env.
func DefaultShell(dir string, env []string) (*exec.Cmd, error) {
	cmd := exec.Command("/bin/bash", "--noprofile", "--norc")
	cmd.Dir = dir
	cmd.Env = env
	return cmd, nil
}

// Options configures a [Toolset]. The zero value is ready to use.
type Options struct {
	// AllowedRoots are directories outside the working directory the file
	// tools may also reach (a worker adds the session's memory-store
	// folders). Each must exist; it is resolved once, by New.
	AllowedRoots []string
	// ReadOnlyRoots are directories write and edit refuse to change.
	ReadOnlyRoots []string
	// MaxFileBytes caps the bytes read loads without view_range and edit
	// loads: 0 means 262144, a negative value means no cap.
	MaxFileBytes int64

	// Env is the base environment of the shell, as KEY=value strings; nil
	// means the process's own. Whatever the base, every ANTHROPIC_* variable
	// (any case), BASH_ENV, ENV, every variable named in ScrubEnv and every
	// variable whose value holds one of Secrets is removed, and PS1, PS2,
	// TERM=dumb and HISTFILE are set.
	Env []string
	// ScrubEnv names more variables to keep out of the shell (compared
	// without case), for example the worker's own credentials under other
	// names.
	ScrubEnv []string
	// Secrets are values that must never reach the shell's environment: the
	// environment key, the per-item sessions token. A variable holding one
	// is removed, whatever its name.
	Secrets []string
	// Shell builds the shell's command; nil means [DefaultShell].
	Shell ShellFunc
	// MaxBashTimeout caps the timeout_ms a bash call may ask for; 0 means
	// 10 minutes.
	MaxBashTimeout time.Duration
}

// Toolset runs the built-in agent_toolset_20260401 tools (bash, read, write,
// edit, glob, grep) for one working directory: one per work item. Its
// methods are safe for concurrent use; bash calls run one at a time in the
// toolset's one shell. Close it to end the shell and everything the shell
// started.
type Toolset struct {
	fs           *confinement
	maxFileBytes int64 // negative: no cap
	lim          limits
	bash         *bashTool

	mu     sync.Mutex
	closed bool
	skills []string // skill directories installed, removed by RemoveSkills
}

// New returns a toolset bound to workdir, an existing directory. The shell
// starts at the first bash call.
func New(workdir string, opts Options) (*Toolset, error) {
	fs, err := newConfinement(workdir, opts.AllowedRoots, opts.ReadOnlyRoots)
	if err != nil {
		return nil, err
	}
	maxFile := opts.MaxFileBytes
	if maxFile == 0 {
		maxFile = defaultMaxFileBytes
	}
	build := opts.Shell
	if build == nil {
		build = DefaultShell
	}
	maxTimeout := opts.MaxBashTimeout
	if maxTimeout <= 0 {
		maxTimeout = defaultMaxBashTimeout
	}
	env := shellEnv(opts.Env, opts.ScrubEnv, opts.Secrets)
	return &Toolset{
		fs:           fs,
		maxFileBytes: maxFile,
		lim:          defaultLimits,
		bash:         newBashTool(build, fs.workdir(), env, maxTimeout),
	}, nil
}

// Workdir returns the working directory, resolved (absolute, without
// symbolic links).
func (t *Toolset) Workdir() string { return t.fs.workdir() }

// Close kills the shell and every process of its session, waits for a bash
// call still running to return, and releases the directories. Calls after
// Close return [ErrClosed]. Closing again does nothing. Skill directories stay:
// see [Toolset.RemoveSkills].
func (t *Toolset) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.mu.Unlock()
	t.bash.close()
	t.fs.close()
	return nil
}

func (t *Toolset) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// Run runs the tool name with the JSON input of an agent.tool_use event and
// returns the result to post. A tool's failure is a Result with IsError set;
// the error is non-nil only when there is nothing to post: [ErrUnknownTool]
// for a name the toolset does not own, [ErrClosed], or the context's error
// when ctx ended first (a cancelled bash command's shell is restarted).
func (t *Toolset) Run(ctx context.Context, name string, input json.RawMessage) (Result, error) {
	switch name {
	case ToolBash:
		return runJSON(ctx, name, input, t.Bash)
	case ToolRead:
		return runJSON(ctx, name, input, t.Read, "file_path")
	case ToolWrite:
		return runJSON(ctx, name, input, t.Write, "file_path", "content")
	case ToolEdit:
		return runJSON(ctx, name, input, t.Edit, "file_path", "old_string", "new_string")
	case ToolGlob:
		return runJSON(ctx, name, input, t.Glob, "pattern")
	case ToolGrep:
		return runJSON(ctx, name, input, t.Grep, "pattern")
	}
	return Result{}, fmt.Errorf("%w %q", ErrUnknownTool, name)
}

// runJSON decodes the input of tool into its typed form, checking the
// required fields, and runs it.
func runJSON[In any](ctx context.Context, tool string, input json.RawMessage, run func(context.Context, In) (Result, error), required ...string) (Result, error) {
	var in In
	if err := decodeInput(input, &in, required...); err != nil {
		return failure(tool, "%v", err), nil
	}
	return run(ctx, in)
}

// Bash runs a command in the toolset's persistent shell (self-hosted.md §5.1).
// The working directory, variables and background jobs persist from call to
// call. The output (stdout and stderr together) is cleaned of terminal escapes
// and carriage returns and capped at 102400 bytes, the newest kept after an
// "[output truncated]" line. A non-zero exit status is an error result ending
// in "exit code: N"; a timeout kills the shell's whole process group and
// session, and the next call starts a new shell. bash is not confined to the
// working directory: see the package documentation.
func (t *Toolset) Bash(ctx context.Context, in BashInput) (Result, error) {
	if t.isClosed() {
		return Result{}, ErrClosed
	}
	return t.bash.run(ctx, in, t.lim.bashOutput)
}
