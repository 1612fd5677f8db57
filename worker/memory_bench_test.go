package worker_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/worker"
)

// fakeEnv makes the test binary serve the fake in a process of its own, for
// BenchmarkWorkerMemoryPerItem: the worker's process then holds the worker
// alone.
const fakeEnv = "WORKER_BENCH_FAKE"

// benchItems is how many items the worker serves at once in the benchmark.
const benchItems = 100

// runFake serves the fake until its stdin closes: every agent calls bash
// once, then ends its turn. It prints the fake's URL first.
func runFake() int {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		if _, err := turn.CallTool("bash", map[string]any{"command": "echo ready"}); err != nil {
			return
		}
		turn.Message("done")
	}))
	defer srv.Close()
	fmt.Println(srv.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// BenchmarkWorkerMemoryPerItem measures what serving one more item at once
// costs the worker: 100 sessions, each of whose agents ran one bash command
// through the worker and then idled, are held by one worker at the same
// time (their runners on their event streams, their heartbeats, their
// toolsets and shells alive; MaxIdle never ends them). The fake runs in a
// process of its own, so that the worker's process holds the worker only.
//
// Reported: the Go heap in use plus goroutine stacks per item, after a GC,
// over the worker process's figure before the worker started (what the
// items add; it is what grows with the number of items, and does not count
// memory the runtime keeps but does not use); the worker process's RSS with
// the 100 items; goroutines per item; and the proportional set size of one
// item's bash shell (a process of its own, most of its pages shared with
// the others).
func BenchmarkWorkerMemoryPerItem(b *testing.B) {
	for b.Loop() {
		measureItems(b)
	}
}

func measureItems(b *testing.B) {
	fake := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	fake.Env = append(os.Environ(), fakeEnv+"=1")
	stdin, err := fake.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := fake.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := fake.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = stdin.Close()
		_ = fake.Wait()
	}()
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	client := managedagents.NewClient(option.WithBaseURL(strings.TrimSpace(url)), option.WithAPIKey(managedagentstest.TestAPIKey),
		option.WithEnvironmentKey(managedagentstest.TestEnvironmentKey), option.WithoutLimiter())
	ctx := context.Background()
	agent, err := client.Agents.Create(ctx, managedagents.AgentCreateParams{Name: "bench", Model: managedagents.ModelConfig{ID: "claude-sonnet-5-5"},
		Tools: []managedagents.Tool{managedagents.NewAgentToolset()}})
	if err != nil {
		b.Fatal(err)
	}
	env, err := client.Environments.Create(ctx, managedagents.EnvironmentCreateParams{Name: "bench", Config: &managedagents.SelfHostedConfig{}})
	if err != nil {
		b.Fatal(err)
	}
	for range benchItems {
		s, err := client.Sessions.Create(ctx, managedagents.SessionCreateParams{Agent: managedagents.NewAgentRef(agent.ID), EnvironmentID: env.ID})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := client.Sessions.Events.Send(ctx, s.ID, managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("go")}}); err != nil {
			b.Fatal(err)
		}
	}
	before := goMemory()
	goroutines := runtime.NumGoroutine()

	w, err := worker.New(client, env.ID, worker.Options{Workdir: b.TempDir(), MaxConcurrentItems: benchItems, MaxIdle: -1,
		Poll: fastPolls, HeartbeatBudget: fastPolls.Budget})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		_ = w.StopAndCancel(sctx)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for w.Stats().ToolResultsPosted < benchItems {
		if time.Now().After(deadline) {
			b.Fatalf("served %+v", w.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the turns end; the items idle
	if s := w.Stats(); s.ItemsActive != benchItems {
		b.Fatalf("%d items active, want %d", s.ItemsActive, benchItems)
	}
	after := goMemory()
	b.ReportMetric(float64(after-before)/benchItems/1024, "KiB/item")
	b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/benchItems, "goroutines/item")
	b.ReportMetric(float64(rss(os.Getpid()))/(1<<20), "worker-RSS-MiB")
	b.ReportMetric(float64(shellsPSS())/benchItems/1024, "shell-PSS-KiB/item")
}

// goMemory returns the Go heap in use plus the goroutine stacks, after a GC.
func goMemory() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// rss returns the resident set size of process pid, in bytes.
func rss(pid int) uint64 { return statusField(pid, "status", "VmRSS:") }

// statusField returns the kB figure of field in /proc/<pid>/<file>, in bytes.
func statusField(pid int, file, field string) uint64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/" + file)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// shellsPSS returns the proportional set size of this process's bash
// children, in bytes.
func shellsPSS() uint64 {
	entries, _ := os.ReadDir("/proc")
	var total uint64
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || !strings.Contains(s[:i], "(bash") {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) > 1 && fields[1] == self {
			total += statusField(pid, "smaps_rollup", "Pss:")
		}
	}
	return total
}
