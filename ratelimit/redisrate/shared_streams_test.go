package redisrate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// The herd of TestThousandStreamsShareOneBudget runs on real time, twenty
// times faster than the API's: the documented budgets (60 creates and 600
// reads per minute) with a window of 3 s, kept by the workers in Redis and
// emulated by the fake over the same window; the stream's timings scaled
// alike (backoff 25 ms to 0.5 s instead of 0.5 s to 10 s, idle timeout 4.5 s
// instead of 90 s), and the sessions' messages every 3 s instead of every
// minute. Same arithmetic: a burst of 60 reads, then one every 5.6 ms
// instead of 111 ms.
const (
	herdScale   = 20
	herdWindow  = time.Minute / herdScale
	herdStreams = 1000
	herdWorkers = 3
)

var herdBudgets = ratelimit.Budgets{
	Create: ratelimit.Budget{Limit: 60, Window: herdWindow},
	Read:   ratelimit.Budget{Limit: 600, Window: herdWindow},
}

// Environment of the worker processes of TestThousandStreamsShareOneBudget.
const (
	herdWorkerEnv   = "REDISRATE_HERD_WORKER"   // "1" in a worker
	herdOrgEnv      = "REDISRATE_HERD_ORG"      // organization key
	herdURLEnv      = "REDISRATE_HERD_URL"      // the fake's base URL
	herdSessionsEnv = "REDISRATE_HERD_SESSIONS" // the worker's sessions, comma-separated
)

// herdScript plays the agent of the herd's sessions: a reply to each
// message, and the end of the session on "end".
func herdScript(t *managedagentstest.Turn) {
	if t.Text() == "end" {
		t.Terminate()
		return
	}
	t.Message("ok")
}

// herdWorker is the parent's view of one worker process.
type herdWorker struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // the worker's "herd …" lines

	mu  sync.Mutex
	log bytes.Buffer // the rest of its output: the test binary's
}

// output returns what the worker printed besides its herd lines.
func (w *herdWorker) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.String()
}

// say sends a command to the worker.
func (w *herdWorker) say(t testing.TB, cmd string) {
	t.Helper()
	_, err := io.WriteString(w.stdin, cmd+"\n")
	require.NoError(t, err)
}

// expect reads the worker's lines until one starts with want, and returns
// its fields after the first two ("herd", want); others go to other.
func (w *herdWorker) expect(t testing.TB, ctx context.Context, want string, other func([]string)) []string {
	t.Helper()
	for {
		select {
		case line, ok := <-w.lines:
			if !ok {
				t.Fatalf("worker ended before %q: %v\n%s", want, w.cmd.Wait(), w.output())
			}
			f := strings.Fields(line)
			if len(f) >= 2 && f[1] == want {
				return f[2:]
			}
			if other != nil {
				other(f)
			}
		case <-ctx.Done():
			t.Fatalf("waiting for %q from a worker: %v\n%s", want, ctx.Err(), w.output())
		}
	}
}

// sharedReport is what a run of the shared herd measured.
type sharedReport struct {
	// opening is the time the first opens took; recovery, the time from the
	// cut until the last stream was live again; median, the median stream's.
	opening, recovery, median time.Duration
	// reopens and pages count the stream opens and backfill pages answered
	// after the cut; throttled, the 429s of the whole run.
	reopens, pages, throttled int
	// busiest is the fake's busiest window of reads answered; offered, of
	// reads sent (429s too).
	busiest, offered int
	// notices counts the OnReconnect notices after the cut; limited, those
	// of a wait for the limiter, the longest of which was maxWait.
	notices, limited int
	maxWait          time.Duration
	// heapLive and heapRecovered are the heap per stream in the workers
	// (the client alone) once every stream was live and once recovered;
	// goroutines, the goroutines per stream.
	heapLive, heapRecovered, goroutines float64
}

// runSharedHerd runs the herd of TestThousandStreamsShareOneBudget: it checks
// that each stream delivered its session's history exactly once, in order,
// and returns the figures.
func runSharedHerd(t testing.TB) sharedReport {
	addr := redisAddr(t)
	org := orgKey(t)
	srv := managedagentstest.NewServer(
		managedagentstest.WithRateLimits(60, 600),
		managedagentstest.WithRateWindow(herdWindow),
		managedagentstest.WithScript(herdScript))
	t.Cleanup(srv.Close)
	agentID := seed(t, srv, "/v1/agents", map[string]any{"name": "herd", "model": "claude-sonnet-5-5"})
	envID := seed(t, srv, "/v1/environments", map[string]any{"name": "herd"})
	ids := make([]string, herdStreams)
	for i := range ids {
		ids[i] = seed(t, srv, "/v1/sessions", map[string]any{"agent": agentID, "environment_id": envID})
	}
	send := func(id, text string) {
		body := map[string]any{"events": []any{map[string]any{"type": "user.message", "content": []any{map[string]any{"type": "text", "text": text}}}}}
		if status, resp := srv.Call(http.MethodPost, "/v1/sessions/"+id+"/events", body); status != http.StatusOK {
			t.Errorf("send to %s: %d %s", id, status, resp)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	workers := make([]*herdWorker, herdWorkers)
	for k := range workers {
		mine := ids[k*herdStreams/herdWorkers : (k+1)*herdStreams/herdWorkers]
		w := &herdWorker{lines: make(chan string, 4*herdStreams)}
		w.cmd = exec.Command(os.Args[0], "-test.run=^TestThousandStreamsWorker$", "-test.count=1")
		w.cmd.Env = append(os.Environ(), herdWorkerEnv+"=1", "REDIS_ADDR="+addr, herdOrgEnv+"="+org,
			herdURLEnv+"="+srv.URL, herdSessionsEnv+"="+strings.Join(mine, ","))
		w.cmd.Stderr = &lockedWriter{mu: &w.mu, w: &w.log}
		var err error
		w.stdin, err = w.cmd.StdinPipe()
		require.NoError(t, err)
		out, err := w.cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, w.cmd.Start())
		go func() {
			defer close(w.lines)
			sc := bufio.NewScanner(out)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "herd ") {
					w.lines <- sc.Text()
					continue
				}
				w.mu.Lock()
				fmt.Fprintln(&w.log, sc.Text())
				w.mu.Unlock()
			}
		}()
		workers[k] = w
	}
	t.Cleanup(func() {
		for _, w := range workers {
			_ = w.cmd.Process.Kill()
			_ = w.cmd.Wait()
		}
	})

	realStart := time.Now()
	for _, w := range workers {
		w.expect(t, ctx, "open", nil)
	}
	opening := time.Since(realStart)
	ticking := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		for {
			for _, id := range ids {
				send(id, "tick")
			}
			select {
			case <-time.After(herdWindow):
			case <-ticking:
				return
			}
		}
	}()
	for _, w := range workers {
		w.expect(t, ctx, "warm", nil)
	}
	for _, w := range workers {
		w.say(t, "cut")
		w.expect(t, ctx, "ack", nil)
	}
	cutAt := time.Now()
	srv.CutStreams()
	var recovered []time.Duration
	for _, w := range workers {
		w.expect(t, ctx, "recovered", func(f []string) {
			if f[1] == "live" {
				at, err := strconv.ParseInt(f[3], 10, 64)
				require.NoError(t, err)
				recovered = append(recovered, time.Unix(0, at).Sub(cutAt))
			}
		})
	}
	close(ticking)
	<-ticked
	for _, id := range ids {
		send(id, "end")
	}
	delivered := map[string][]string{}
	var r sharedReport
	for _, w := range workers {
		w.expect(t, ctx, "done", func(f []string) {
			switch f[1] {
			case "ids":
				delivered[f[2]] = nil
				if len(f) > 3 {
					delivered[f[2]] = strings.Split(f[3], ",")
				}
			case "stats":
				r.addWorker(t, f[2:])
			}
		})
		require.NoError(t, w.cmd.Wait(), "worker: %s", w.output())
	}

	for _, id := range ids {
		var want []string
		for _, raw := range srv.Events(id) {
			var probe struct {
				ID string `json:"id"`
			}
			require.NoError(t, json.Unmarshal(raw, &probe))
			want = append(want, probe.ID)
		}
		require.Equal(t, want, delivered[id], "session %s: its history exactly once, in order", id)
	}
	require.Len(t, recovered, herdStreams)
	slices.Sort(recovered)
	var offered []time.Time // every read that reached the fake, 429s too
	for _, q := range srv.Requests() {
		if q.Route == managedagentstest.RouteStreamEvents || q.Route == managedagentstest.RouteListEvents {
			offered = append(offered, q.Time)
		}
		switch {
		case q.Status == http.StatusTooManyRequests:
			r.throttled++
		case q.Time.Before(cutAt):
		case q.Route == managedagentstest.RouteStreamEvents:
			r.reopens++
		case q.Route == managedagentstest.RouteListEvents:
			r.pages++
		}
	}
	r.opening, r.recovery, r.median = opening, recovered[len(recovered)-1], recovered[len(recovered)/2]
	r.busiest, r.offered = srv.MaxRateCount(managedagentstest.RateRead), mostInWindowOf(offered, herdWindow)
	t.Logf("%d streams in %d processes opened in %s; cut at once, all live again after %s (median %s); "+
		"%d reopens, %d backfill pages, %d answers 429; busiest %s: %d reads answered, %d sent; "+
		"%d reconnect notices, %d of them limiter waits (longest %s); per stream in the workers: %.1f goroutines, %.1f KiB of heap live, %.1f KiB once recovered",
		herdStreams, herdWorkers, r.opening.Round(time.Millisecond), r.recovery.Round(time.Millisecond), r.median.Round(time.Millisecond),
		r.reopens, r.pages, r.throttled, herdWindow, r.busiest, r.offered,
		r.notices, r.limited, r.maxWait.Round(time.Millisecond), r.goroutines, r.heapLive/1024, r.heapRecovered/1024)
	return r
}

// addWorker adds the figures of a worker's stats line, fields key=value.
func (r *sharedReport) addWorker(t testing.TB, fields []string) {
	t.Helper()
	v := map[string]float64{}
	for _, f := range fields {
		k, num, _ := strings.Cut(f, "=")
		x, err := strconv.ParseFloat(num, 64)
		require.NoError(t, err, "stats field %q", f)
		v[k] = x
	}
	share := v["streams"] / herdStreams
	r.notices += int(v["notices"])
	r.limited += int(v["limited"])
	r.maxWait = max(r.maxWait, time.Duration(v["longest-wait-ns"]))
	r.heapLive += v["heap-live"] / v["streams"] * share
	r.heapRecovered += v["heap-recovered"] / v["streams"] * share
	r.goroutines += v["goroutines"] / v["streams"] * share
}

// TestThousandStreamsShareOneBudget: three processes follow 1,000 sessions of
// one fake between them (333, 333 and 334 streams), each with its own client
// whose limiter keeps the organization's read budget in one Redis. Every
// stream is cut at the same moment while the sessions go on producing; all
// recover with every event delivered once, in order, while the three
// together stay within the budget that the fake emulates over the same
// window: one reopen and one page per stream, each told its waits once,
// recovery in about the time the budget needs. The budget is scaled twenty
// times (see herdScale), so the six minutes of budget the herd needs pass in
// about twenty seconds; the slots then come every 5.6 ms, closer than the
// jitter of four busy processes on loopback (under the race detector more
// so), and a request admitted at the end of a window now and then reaches
// the fake in the next one: a few 429s (0 or 1 of 3,000 reads without -race
// on this machine, 8 with it), each of which pauses all three, are allowed.
func TestThousandStreamsShareOneBudget(t *testing.T) {
	r := runSharedHerd(t)
	reads := r.reopens + r.pages
	require.LessOrEqual(t, r.busiest, 600, "the fake's busiest window of answered reads is within the budget")
	require.LessOrEqual(t, r.throttled, reads/100, "at most 1% of the reads answered 429")
	require.GreaterOrEqual(t, r.reopens, herdStreams)
	require.LessOrEqual(t, r.reopens, herdStreams+r.throttled, "one reopen per stream, and one per 429")
	require.GreaterOrEqual(t, r.pages, herdStreams)
	require.LessOrEqual(t, r.pages, herdStreams+r.throttled, "one backfill page per stream, and one per 429")
	// Each stream is told its backoff, then its two waits for the budget
	// (its reopen's, its page's), and one more for each pause that pushed
	// them back: not a notice each time another waiter takes a slot.
	require.LessOrEqual(t, r.limited, (2+r.throttled)*herdStreams, "each limiter wait is told once")
	// 2,000 reads after the cut: the burst of 60 at once, then 180 a second.
	budget := time.Duration(2*herdStreams-60) * herdWindow / 540
	require.Less(t, r.recovery, budget+time.Duration(r.throttled+1)*time.Second, "recovery takes about what the budget needs (a second more per 429)")
}

// BenchmarkThousandStreamsShareOneBudget runs the herd of
// TestThousandStreamsShareOneBudget and reports its figures, with the times
// scaled back to the API's budget (×20). Run it with -benchtime 1x.
func BenchmarkThousandStreamsShareOneBudget(b *testing.B) {
	for b.Loop() {
		r := runSharedHerd(b)
		b.ReportMetric(r.recovery.Seconds()*herdScale, "recovery-s")
		b.ReportMetric(r.median.Seconds()*herdScale, "median-recovery-s")
		b.ReportMetric(float64(r.reopens+r.pages)/herdStreams, "reads/stream")
		b.ReportMetric(float64(r.offered), "peak-sent-reads/window")
		b.ReportMetric(float64(r.throttled), "429s")
		b.ReportMetric(r.heapLive/1024, "KiB/stream-live")
		b.ReportMetric(r.heapRecovered/1024, "KiB/stream-recovered")
		b.ReportMetric(r.goroutines, "goroutines/stream")
	}
}

// lockedWriter writes to w under mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// mostInWindowOf returns the largest number of times in a window of length w.
func mostInWindowOf(times []time.Time, w time.Duration) int {
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	most, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= w {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

// seed creates an object on srv without HTTP and returns its id.
func seed(t testing.TB, srv *managedagentstest.Server, path string, body any) string {
	t.Helper()
	status, raw := srv.Call(http.MethodPost, path, body)
	require.Equal(t, http.StatusOK, status, "%s: %s", path, raw)
	var probe struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(raw, &probe))
	return probe.ID
}
