// Command tail follows the events of a Claude Managed Agents session: its
// history first, then the live stream, one line per event, until the session
// terminates or is deleted, or Ctrl-C. It survives disconnects: the stream
// reconnects and recovers what it missed on its own (reconnects are reported on
// stderr), and prints every event once.
//
// Usage:
//
//	tail [-n N] [-history] [-json] [-t] SESSION_ID
//
// Each line begins with the event's id and type, followed by a summary:
//
//	sevt_011C…  user.message               Generate the first 20 Fibonacci numbers to fibonacci.txt
//	sevt_011C…  agent.tool_use             bash {"command":"cat fibonacci.txt"}
//	sevt_011C…  session.status_idle        end_turn
//
// The flags (-n as in coreutils' tail; following is the default):
//
//	-n N      start with the last N events of the history (default: all of it)
//	-history  print the history and exit, do not follow
//	-json     print each event as its JSON, one per line
//	-t        add each event's processed_at time after its type
//
// It reads ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL). Without a key and
// without SESSION_ID it follows a demo session on the in-memory fake of
// managedagentstest to its end. The exit status is 0 when the session ended or
// the history was printed, 1 on an error, 2 on a usage error, 130 after Ctrl-C.
//
// Install it with
//
//	go install github.com/go-managedagents/managedagents/examples/tail@latest
//
// (the binary is named tail: if $GOBIN comes before /usr/bin in $PATH, it
// hides the coreutils tail; build it under another name with go build -o).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	ma "github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// stderr receives the notes on what tail does (reconnects); tests silence it.
var stderr io.Writer = os.Stderr

// options are the command-line flags.
type options struct {
	last    int  // -n: the number of history events to start with; negative: all
	history bool // -history
	json    bool // -json
	times   bool // -t
}

func main() { os.Exit(exitCode()) }

// exitCode parses the command line, runs tail and returns its exit status.
func exitCode() int {
	var opts options
	flag.IntVar(&opts.last, "n", -1, "start with the last `N` events of the history; -1: all of it")
	flag.BoolVar(&opts.history, "history", false, "print the history and exit, do not follow")
	flag.BoolVar(&opts.json, "json", false, "print each event as its JSON, one per line")
	flag.BoolVar(&opts.times, "t", false, "add each event's processed_at time after its type")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: tail [-n N] [-history] [-json] [-t] SESSION_ID\n\n"+
			"Follows a session's events, history first, then live, until the session ends.\n"+
			"Without ANTHROPIC_API_KEY and SESSION_ID, follows a demo session on the in-memory fake.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	sessionID := flag.Arg(0)
	offline := os.Getenv("ANTHROPIC_API_KEY") == ""
	switch {
	case flag.NArg() > 1:
		return usageError("too many arguments: give one SESSION_ID")
	case sessionID == "" && !offline:
		return usageError("missing SESSION_ID")
	case sessionID != "" && offline:
		return usageError("ANTHROPIC_API_KEY is not set: set it to follow " + sessionID +
			" (without SESSION_ID, tail follows a demo session on the in-memory fake)")
	}

	// Ctrl-C (or SIGTERM) cancels ctx; a second Ctrl-C kills the program.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	var err error
	if offline {
		srv := managedagentstest.NewServer(managedagentstest.WithScript(demoAgent))
		defer srv.Close()
		err = demo(ctx, srv.Client(), os.Stdout, opts)
	} else {
		client := ma.NewClient() // reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL
		err = tail(ctx, client, sessionID, os.Stdout, opts)
	}
	switch {
	case err == nil:
		return 0
	case ctx.Err() != nil:
		return 130
	}
	fmt.Fprintln(os.Stderr, "tail:", err)
	return 1
}

func usageError(msg string) int {
	fmt.Fprintf(stderr, "tail: %s\n", msg)
	flag.Usage()
	return 2
}

// tail prints the events of session id to out: the last opts.last events of
// its history (all of them when negative), then, unless opts.history, the live
// events, until the session ends or ctx is done.
func tail(ctx context.Context, client *ma.Client, id string, out io.Writer, opts options) error {
	w := bufio.NewWriter(out)
	defer w.Flush()
	if opts.history {
		return explain(ctx, printHistory(ctx, client, id, w, opts), id)
	}

	// The stream lists the history from since once it is open, then goes on
	// live, delivering each event once (EventStreamParams.Since).
	since, first, err := startAt(ctx, client, id, opts.last)
	if err != nil {
		return explain(ctx, err, id)
	}
	opened := false
	stream, err := client.Sessions.Events.Stream(ctx, id, ma.EventStreamParams{
		Since: since,
		OnReconnect: func(r ma.StreamReconnect) {
			if r.RateLimited {
				fmt.Fprintf(stderr, "tail: waiting %v for the rate limit\n", r.Delay.Round(time.Millisecond))
				return
			}
			what := "connection lost"
			if !opened {
				what = "cannot open the stream"
			}
			fmt.Fprintf(stderr, "tail: %s (%v); retrying in %v\n", what, r.Cause, r.Delay.Round(time.Millisecond))
		},
	})
	if err != nil {
		return explain(ctx, err, id)
	}
	opened = true
	defer stream.Close()
	for ev, err := range stream.All() {
		if err != nil {
			// The stream opened, so the session existed: a 404 now (a
			// backfill page after a reconnect) means it was deleted since.
			if errors.Is(err, ma.ErrNotFound) && ctx.Err() == nil {
				fmt.Fprintf(stderr, "tail: session %s was deleted\n", id)
				return nil
			}
			return explain(ctx, err, id)
		}
		if first.skip(ev) {
			continue
		}
		if err := printEvent(w, ev, opts); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return nil // the session terminated or was deleted
}

// boundary holds back the events of the history that come before the first
// one -n asks for: those processed at the same time as it but not among the
// last n. It holds at most n ids, and none once a later event came.
type boundary struct {
	at   time.Time
	keep []string // the ids of the last n events processed at `at`
}

// skip reports whether ev comes before the first event to print.
func (b *boundary) skip(ev ma.Event) bool {
	if b.keep == nil {
		return false
	}
	if at := ev.EventProcessedAt(); !at.Equal(b.at) {
		b.keep = nil // past the boundary: nothing more to hold back
		return false
	}
	return !slices.Contains(b.keep, ev.EventID())
}

// startAt returns the time the stream's history starts at for -n last, and
// the boundary that holds back the events of that time not among the last
// ones: the whole history when last is negative, live events only when it is 0.
func startAt(ctx context.Context, client *ma.Client, id string, last int) (time.Time, *boundary, error) {
	switch {
	case last < 0:
		return time.Unix(0, 0), &boundary{}, nil
	case last == 0:
		return time.Time{}, &boundary{}, nil
	}
	lastN, err := lastEvents(ctx, client, id, last)
	if err != nil || len(lastN) < last {
		return time.Unix(0, 0), &boundary{}, err // the history is shorter: all of it
	}
	b := &boundary{at: lastN[0].EventProcessedAt()}
	if b.at.IsZero() {
		return time.Unix(0, 0), &boundary{}, nil // queued events have no time to start at
	}
	for _, ev := range lastN {
		if ev.EventProcessedAt().Equal(b.at) {
			b.keep = append(b.keep, ev.EventID())
		}
	}
	return b.at, b, nil
}

// lastEvents returns the last n events of the session's history, oldest first.
func lastEvents(ctx context.Context, client *ma.Client, id string, n int) ([]ma.Event, error) {
	if n <= 0 {
		return nil, nil
	}
	var evs []ma.Event
	for ev, err := range client.Sessions.Events.ListAll(ctx, id, ma.SessionEventListParams{Order: ma.OrderDesc, Limit: min(n, 1000)}) {
		if err != nil {
			return nil, err
		}
		if evs = append(evs, ev); len(evs) == n {
			break
		}
	}
	slices.Reverse(evs)
	return evs, nil
}

// printHistory prints the last opts.last events of the history (all of them
// when negative).
func printHistory(ctx context.Context, client *ma.Client, id string, w io.Writer, opts options) error {
	if opts.last >= 0 {
		evs, err := lastEvents(ctx, client, id, opts.last)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if err := printEvent(w, ev, opts); err != nil {
				return err
			}
		}
		return nil
	}
	for ev, err := range client.Sessions.Events.ListAll(ctx, id, ma.SessionEventListParams{Order: ma.OrderAsc}) {
		if err != nil {
			return err
		}
		if err := printEvent(w, ev, opts); err != nil {
			return err
		}
	}
	return nil
}

// printEvent writes one line for ev.
func printEvent(w io.Writer, ev ma.Event, opts options) error {
	if opts.json {
		var b bytes.Buffer
		if err := json.Compact(&b, ev.RawJSON()); err != nil {
			b.Reset()
			b.Write(ev.RawJSON())
		}
		b.WriteByte('\n')
		_, err := w.Write(b.Bytes())
		return err
	}
	id := ev.EventID()
	if id == "" {
		id = "-" // user.interrupt events may come without an id
	}
	line := fmt.Sprintf("%s  %-25s", id, ev.EventType())
	if opts.times {
		t := "queued"
		if at := ev.EventProcessedAt(); !at.IsZero() {
			t = at.Local().Format("15:04:05.000")
		}
		line += fmt.Sprintf("  %-12s", t)
	}
	if s := summary(ev); s != "" {
		line += "  " + s
	}
	_, err := fmt.Fprintln(w, strings.TrimRight(line, " "))
	return err
}

// explain turns an error of the session's list or stream into the message for
// the user; ctx's error when ctx ended (Ctrl-C).
func explain(ctx context.Context, err error, id string) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ma.ErrNotFound):
		return fmt.Errorf("no session %s", id)
	case errors.Is(err, ma.ErrUnauthorized):
		return fmt.Errorf("the API refused the key (check ANTHROPIC_API_KEY): %w", err)
	}
	var invalid *ma.ValidationError
	if errors.As(err, &invalid) {
		return fmt.Errorf("%q is not a session id: %w", id, err)
	}
	return err
}
