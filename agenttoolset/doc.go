// Package agenttoolset runs the built-in tools of agent_toolset_20260401
// (bash, read, write, edit, glob, grep) on your own machine, as a
// self-hosted environment's worker must: it takes the name and the JSON input
// of an agent.tool_use event and returns the content and is_error of the
// user.tool_result that answers it. It stands alone: it needs neither the
// managedagents client nor a network.
//
//	ts, err := agenttoolset.New(workdir, agenttoolset.Options{
//		Secrets: []string{environmentKey, sessionsToken}, // never in the shell
//	})
//	if err != nil { … }
//	defer ts.Close() // ends the shell and everything it started
//
//	res, err := ts.Run(ctx, toolUse.Name, toolUse.Input)
//	switch {
//	case errors.Is(err, agenttoolset.ErrUnknownTool):
//		// not ours: post nothing, leave it to its owner
//	case err != nil:
//		// cancelled or closed: nothing to post
//	default:
//		body := map[string]any{"events": []any{res.Event(toolUse.ID)}}
//		// POST /v1/sessions/{id}/events with body
//	}
//
// Each tool also has a typed method ([Toolset.Bash], [Toolset.Read],
// [Toolset.Write], [Toolset.Edit], [Toolset.Glob], [Toolset.Grep]) for use from
// Go. A tool's failure (bad input, a path outside the working directory, a
// non-zero exit status, a timeout) is a [Result] with IsError set and one text
// block that starts with the tool's name; the error return is kept for the
// cases with nothing to post.
//
// # Confinement of the file tools
//
// read, write, edit, glob and grep reach only the working directory and the
// directories of Options.AllowedRoots. A relative path starts at the working
// directory; an absolute one is taken as is. Before anything is opened, every
// symbolic link of the path (the last one too, even when it dangles) and every
// ".." is resolved as the kernel would resolve them, and a result outside the
// roots is refused with an error result that touches nothing: reading
// /etc/passwd, writing through a link that points outside, "../" anywhere.
// write and edit also refuse Options.ReadOnlyRoots. glob and grep never follow
// a symbolic link.
//
// The check is not the only guard. Every access then goes through a handle
// that opens one path segment at a time without following links out of it:
// an [os.Root] on the root that holds the path, or, for glob and grep, the
// directory being walked (openat with O_NOFOLLOW on Linux, an os.Root
// elsewhere). A directory swapped for a symbolic link between the check and
// the use (by a background job of the shell, say) makes the operation fail
// instead of escaping. What is left: between the check and the use, a link swapped in
// that points elsewhere inside the same root is followed, so write and edit
// could be led into a read-only root that lies inside a writable one.
//
// # What bash can reach
//
// bash is a shell: it is not confined to anything. It runs as the worker's
// user, with the worker's network, and can read and write whatever that user
// can, /etc/passwd included. The toolset only keeps the worker's credentials
// out of its environment: every ANTHROPIC_* variable, BASH_ENV and ENV, the
// names in Options.ScrubEnv and every variable whose value holds one of
// Options.Secrets (the environment key, the per-item sessions token) are
// removed. To confine it, set Options.Shell to a [ShellFunc] that wraps the
// shell in a sandbox (bwrap, nsjail, a container), and run the worker itself
// as a user with no more rights than its tools need.
//
// The shell is /bin/bash --noprofile --norc reading commands on a pipe (no
// terminal: programs see no TTY, and produce no colours or prompts; there is
// no job control, no history expansion), started at the first call in the
// working directory. It lasts for the toolset: cd,
// variables, functions and background jobs persist from call to call. Each
// command runs with stdin from /dev/null and stderr joined to stdout, for at
// most its timeout_ms (default 120 s, capped by Options.MaxBashTimeout, 10
// minutes by default). On a timeout, a cancelled context or a restart, the
// shell's process group is killed with SIGKILL, and so is every other process
// of its session (on Linux, found in /proc: jobs that moved to a group of
// their own, such as those of timeout(1) or set -m); the next call starts a
// new shell. A process that starts a session of its own (setsid) escapes
// both: a sandbox with its own PID namespace that ends with the shell
// catches it (see [ShellFunc]). [Toolset.Close] kills them all and waits for
// them to die: call it when the work item ends.
//
// # Limits
//
// All from self-hosted.md §5 of the reference:
//
//   - bash: output capped at 102400 bytes, the newest kept after an
//     "[output truncated]" line; default timeout 120 s.
//   - read, edit: files up to 262144 bytes (Options.MaxFileBytes); read with
//     view_range streams any size and caps only the selected lines.
//   - glob: at most 50,000 entries visited and 200 paths returned, newest
//     first.
//   - grep: at most 50,000 files searched; files over 8388608 bytes and
//     files with a NUL byte in their first 512 bytes skipped, as are .git and
//     node_modules; output capped at 102400 bytes, then "[output truncated]".
//
// grep always uses its own parallel search (it never runs rg), so its output
// does not depend on what is installed: lines appear in walk order, and the
// same tree gives the same output.
//
// # Skills
//
// [Toolset.InstallSkill] unpacks a skill archive into
// {workdir}/skills/<name>, with the same confinement and with caps on members
// and bytes; [Toolset.RemoveSkills] removes what it installed.
package agenttoolset
