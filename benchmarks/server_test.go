package benchmarks

// The stream server of BenchmarkLongStream and BenchmarkConcurrentStreams runs
// in a child process (this test binary, started again with benchServerEnv set),
// so that the heap, goroutines and CPU it uses are not counted as the client's.
// Client and server still talk over loopback TCP.
//
// Routes (the session id selects the behaviour):
//
//	GET /v1/sessions/sesn_long_<n>/events/stream   n events cycled from the
//	    transcript with fresh unique ids, then session.status_terminated.
//	GET /v1/sessions/sesn_idle_<k>/events/stream   a heartbeat (": ping") right
//	    away and every 15 s, nothing else, until the client hangs up.
//	GET /v1/sessions/{id}/events                   an empty history page (the
//	    backfill after a reconnect).

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

const benchServerEnv = "MANAGEDAGENTS_BENCH_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(benchServerEnv) != "" {
		runServer()
		return
	}
	os.Exit(m.Run())
}

// runServer serves until its stdin is closed (the parent exited or is done).
func runServer() {
	loadTranscript() // build it before serving, not inside the first stream
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/sessions/{id}/events/stream", serveStream)
	mux.HandleFunc("GET /v1/sessions/{id}/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":[],"next_page":null}`)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Printf("ADDR %s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

func serveStream(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher := w.(http.Flusher)
	switch {
	case strings.HasPrefix(id, "sesn_long_"):
		n, err := strconv.Atoi(strings.TrimPrefix(id, "sesn_long_"))
		if err != nil {
			return
		}
		writeLongStream(w, n)
		flusher.Flush()
	case strings.HasPrefix(id, "sesn_idle_"):
		tick := time.NewTicker(15 * time.Second)
		defer tick.Stop()
		for {
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return
			}
			flusher.Flush()
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	}
}

// writeLongStream writes n events: the transcript's frames (without its final
// status_terminated) over and over, each persisted event's id rewritten to be
// unique, and a session.status_terminated as the n-th.
func writeLongStream(w io.Writer, n int) {
	t := loadTranscript()
	frames := len(t.Frames) - 1
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf []byte
	for i := range n - 1 {
		k := i % frames
		f := t.Frames[k]
		if at := t.IDAt[k]; at >= 0 {
			// Overwrite the id's last 10 characters with the event number.
			buf = append(buf[:0], f...)
			end := at + idLen
			digits := strconv.AppendInt(nil, int64(i), 10)
			copy(buf[end-10:end], "0000000000")
			copy(buf[end-len(digits):end], digits)
			f = buf
		}
		if _, err := bw.Write(f); err != nil {
			return
		}
	}
	fmt.Fprintf(bw, "event: session.status_terminated\ndata: {\"type\":\"session.status_terminated\",\"id\":\"sevt_011CEnd%014d\",\"processed_at\":\"2026-11-30T00:00:00.000Z\"}\n\n", n)
	bw.Flush()
}

// startServer starts the stream server in a child process and returns its base
// URL. The child ends when the benchmark does.
func startServer(tb testing.TB) string {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), benchServerEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "ADDR ")
	if err != nil || !ok {
		tb.Fatalf("stream server did not start: %q, %v", line, err)
	}
	return "http://" + addr
}
