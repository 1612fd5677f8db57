package agenttoolset

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Glob lists the paths below Path (the working directory by default) whose
// path relative to it matches Pattern (self-hosted.md §5.3): absolute paths,
// one a line, newest modification first, at most 200; "no matches" when none
// does. Directories match too; hidden entries are included; symbolic links
// are listed but never followed. The walk visits at most 50,000 entries, and
// skips the directories below which nothing can match.
func (t *Toolset) Glob(ctx context.Context, in GlobInput) (Result, error) {
	if t.isClosed() {
		return Result{}, ErrClosed
	}
	if in.Pattern == "" {
		return failure(ToolGlob, "pattern is required"), nil
	}
	pattern, err := compileGlob(in.Pattern)
	if err != nil {
		return failure(ToolGlob, "%v", err), nil
	}
	top, errResult := t.openSearchDir(ToolGlob, in.Path)
	if top == nil {
		return errResult, nil
	}
	type match struct {
		path  string
		mtime int64
	}
	var matches []match
	visited := 0
	err = walkTree(ctx, top, pattern.start(), walkFuncs[globState]{
		visit: func(dir *dirHandle, s globState, e dirEntry) (globState, bool, error) {
			visited++
			if visited > t.lim.globMaxEntries {
				return 0, false, errStopWalk
			}
			next := pattern.step(s, e.name)
			if pattern.matched(next) {
				matches = append(matches, match{path: dir.join(e.name)})
			}
			return next, pattern.alive(next), nil
		},
		willDescend: func(s globState, e dirEntry) bool { return pattern.alive(pattern.step(s, e.name)) },
	})
	if err != nil && err != errStopWalk {
		return Result{}, err
	}
	if len(matches) == 0 {
		return success("no matches"), nil
	}
	statAll(matches, func(m *match) { m.mtime = modTime(m.path) })
	// Newest first; the walk's order among equals.
	slices.SortStableFunc(matches, func(a, b match) int { return cmp.Compare(b.mtime, a.mtime) })
	var out strings.Builder
	for i, m := range matches[:min(len(matches), t.lim.globMaxResults)] {
		if i > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(m.path)
	}
	return success(out.String()), nil
}

// statAll calls stat for every match, spread over one goroutine a CPU.
func statAll[T any](items []T, stat func(*T)) {
	workers := min(runtime.GOMAXPROCS(0), (len(items)+255)/256)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(items); i += workers {
				stat(&items[i])
			}
		})
	}
	wg.Wait()
}

// openSearchDir resolves the directory glob or grep searches (the working
// directory when p is empty) and opens it for a walk. On failure it returns
// nil and the error result.
func (t *Toolset) openSearchDir(tool, p string) (*dirHandle, Result) {
	if p == "" {
		p = "."
	}
	tg, err := t.fs.resolve(p)
	if err != nil {
		return nil, failure(tool, "%v", err)
	}
	dir, err := openWalkDir(tg.root.dir, tg.rel, tg.path)
	if err != nil {
		return nil, failure(tool, "%s: %s", p, fsErrorMessage(err))
	}
	return dir, Result{}
}
