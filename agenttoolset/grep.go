package agenttoolset

import (
	"bytes"
	"context"
	"io/fs"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// Grep searches the files below Path (the working directory by default), or
// the file Path names, for lines matching Pattern, an RE2 regular expression
// (self-hosted.md §5.4). It prints "<absolute path>:<line number>:<line>" for
// each, in walk order (directories depth first, entries sorted by name), or
// "no matches". It skips symbolic links, .git and node_modules directories,
// files that are not regular, files over 8388608 bytes and files with a NUL
// byte in their first 512 bytes (binary); it searches at most 50,000 files.
// The output stops at 102400 bytes with a final "[output truncated]" line.
//
// Files are searched in parallel while the walk goes on; lines past the cap
// are never kept, so memory stays at the cap plus one file per worker.
func (t *Toolset) Grep(ctx context.Context, in GrepInput) (Result, error) {
	if t.isClosed() {
		return Result{}, ErrClosed
	}
	if in.Pattern == "" {
		return failure(ToolGrep, "pattern is required"), nil
	}
	m, err := compileMatcher(in.Pattern)
	if err != nil {
		return failure(ToolGrep, "invalid regex: %v", err), nil
	}
	p := in.Path
	if p == "" {
		p = "."
	}
	tg, err := t.fs.resolve(p)
	if err != nil {
		return failure(ToolGrep, "%v", err), nil
	}
	info, err := tg.root.dir.Stat(tg.rel)
	if err != nil {
		return failure(ToolGrep, "%s: %s", p, fsErrorMessage(err)), nil
	}
	s := newGrepSearch(m, t.lim)
	switch {
	case info.Mode().IsRegular():
		// One file: search it through its directory, as a walk would.
		dir, err := openWalkDir(tg.root.dir, filepath.Dir(tg.rel), filepath.Dir(tg.path))
		if err != nil {
			return failure(ToolGrep, "%s: %s", p, fsErrorMessage(err)), nil
		}
		var w grepWorker
		w.search(s, grepJob{seq: 0, dir: dir, name: filepath.Base(tg.rel)})
		dir.release()
	case info.IsDir():
		top, errResult := t.openSearchDir(ToolGrep, p)
		if top == nil {
			return errResult, nil
		}
		if err := s.walk(ctx, top); err != nil {
			return Result{}, err
		}
	default:
		return failure(ToolGrep, "%s: %s", p, errNotRegular), nil
	}
	return success(s.output()), nil
}

// grepJob is one file to search: the seq-th regular file of the walk.
type grepJob struct {
	seq  int
	dir  *dirHandle
	name string
}

// grepSearch collects the matching lines of the files of one grep, by file,
// and keeps no more of them than the output cap needs.
type grepSearch struct {
	m   *lineMatcher
	lim limits

	mu     sync.Mutex
	blocks map[int][]byte // by file seq: "path:n:line\n" lines
	size   int            // bytes in blocks
	// cutoff: the output is full with the files up to this seq; later ones
	// need not be searched.
	cutoff atomic.Int64
}

func newGrepSearch(m *lineMatcher, lim limits) *grepSearch {
	s := &grepSearch{m: m, lim: lim, blocks: make(map[int][]byte)}
	s.cutoff.Store(1 << 62)
	return s
}

// walk runs the walk in the caller's goroutine and the searches in workers,
// one a CPU; it returns once every worker has ended.
func (s *grepSearch) walk(ctx context.Context, top *dirHandle) error {
	jobs := make(chan grepJob, 256)
	var wg sync.WaitGroup
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			var w grepWorker
			for job := range jobs {
				if ctx.Err() == nil && int64(job.seq) <= s.cutoff.Load() {
					w.search(s, job)
				}
				job.dir.release()
			}
		})
	}
	files := 0
	skip := func(name string) bool { return name == ".git" || name == "node_modules" }
	err := walkTree(ctx, top, struct{}{}, walkFuncs[struct{}]{
		visit: func(dir *dirHandle, _ struct{}, e dirEntry) (struct{}, bool, error) {
			switch {
			case e.typ == fs.ModeDir:
				return struct{}{}, !skip(e.name), nil
			case e.typ != 0:
				return struct{}{}, false, nil // symbolic links, FIFOs, devices, sockets
			}
			if files >= s.lim.grepMaxFiles || int64(files) > s.cutoff.Load() {
				return struct{}{}, false, errStopWalk
			}
			dir.acquire()
			select {
			case jobs <- grepJob{seq: files, dir: dir, name: e.name}:
			case <-ctx.Done():
				dir.release()
				return struct{}{}, false, ctx.Err()
			}
			files++
			return struct{}{}, false, nil
		},
		willDescend: func(_ struct{}, e dirEntry) bool { return !skip(e.name) },
	})
	close(jobs)
	wg.Wait()
	if err == errStopWalk {
		err = nil
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// add records the lines found in file seq and, once they pass the cap,
// drops the files that come after the cap and lowers the cutoff.
func (s *grepSearch) add(seq int, block []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if int64(seq) > s.cutoff.Load() {
		return
	}
	s.blocks[seq] = block
	s.size += len(block)
	if s.size <= s.lim.grepOutput {
		return
	}
	seqs := slices.Sorted(maps.Keys(s.blocks))
	total := 0
	for i, q := range seqs {
		total += len(s.blocks[q])
		if total > s.lim.grepOutput {
			for _, later := range seqs[i+1:] {
				s.size -= len(s.blocks[later])
				delete(s.blocks, later)
			}
			s.cutoff.Store(int64(q))
			return
		}
	}
}

// output joins the lines found, in walk order, up to the cap.
func (s *grepSearch) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.blocks) == 0 {
		return "no matches"
	}
	var out bytes.Buffer
	budget := s.lim.grepOutput
	for _, seq := range slices.Sorted(maps.Keys(s.blocks)) {
		block := s.blocks[seq]
		for len(block) > 0 {
			i := bytes.IndexByte(block, '\n')
			line := block[:i]
			block = block[i+1:]
			budget -= len(line) + 1
			if budget < 0 {
				out.WriteString(truncatedNotice)
				return out.String()
			}
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	return string(bytes.TrimSuffix(out.Bytes(), []byte{'\n'}))
}

// grepWorker searches files, reusing one read buffer.
type grepWorker struct {
	buf []byte
}

// search reads one file through its directory and records its matching
// lines. Files that cannot be read, are not regular, are too big or look
// binary are skipped.
func (w *grepWorker) search(s *grepSearch, job grepJob) {
	data, buf, ok := job.dir.readRegular(job.name, w.buf, s.lim.grepMaxFileBytes)
	w.buf = buf
	if !ok {
		return
	}
	if bytes.IndexByte(data[:min(len(data), 512)], 0) >= 0 {
		return
	}
	var path string // only for a file with a match
	var block []byte
	s.m.eachLine(data, func(n int, line []byte) bool {
		if path == "" {
			path = job.dir.join(job.name)
		}
		block = append(block, path...)
		block = append(block, ':')
		block = strconv.AppendInt(block, int64(n), 10)
		block = append(block, ':')
		block = append(block, line...)
		block = append(block, '\n')
		// Past the cap the rest of the file cannot be printed.
		return len(block) <= s.lim.grepOutput
	})
	if block != nil {
		s.add(job.seq, block)
	}
}
