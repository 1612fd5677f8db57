// Command tail follows the events of a Claude Managed Agents session: its
// history first, then the live stream, one line per event, until the session
// terminates or is deleted, or Ctrl-C. It survives disconnects: the stream
// reconnects and recovers what it missed on its own (reconnects are reported on
// stderr).
//
// Usage:
//
//	tail [-n] [-json] [-t] SESSION_ID
//
// Each line begins with the event's id and type, followed by a summary:
//
//	sevt_011C…  user.message               Generate the first 20 Fibonacci numbers to fibonacci.txt
//	sevt_011C…  agent.tool_use             bash {"command":"cat fibonacci.txt"}
//	sevt_011C…  session.status_idle        end_turn
//
// The flags:
//
//	-n     print the history only, do not follow
//	-json  print each event as its JSON, one per line
//	-t     add each event's processed_at time after its type
//
// It reads ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL). Without a key and
// without SESSION_ID it follows a demo session on the in-memory fake to its
// end. The exit status is 0 when the session ended, the history was printed or
// Ctrl-C stopped it, 1 on an error, 2 on a usage error.
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
	"strings"
	"time"

	ma "github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/internal/exampleenv"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// stderr receives the notes on what tail does (reconnects, the switch to live
// events); tests silence it.
var stderr io.Writer = os.Stderr

// options are the command-line flags.
type options struct {
	historyOnly bool // -n
	json        bool // -json
	times       bool // -t
}

func main() {
	var opts options
	flag.BoolVar(&opts.historyOnly, "n", false, "print the history only, do not follow")
	flag.BoolVar(&opts.json, "json", false, "print each event as its JSON, one per line")
	flag.BoolVar(&opts.times, "t", false, "add each event's processed_at time after its type")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: tail [-n] [-json] [-t] SESSION_ID\n\n"+
			"Follows a session's events, history first, then live, until the session ends.\n"+
			"Without ANTHROPIC_API_KEY and SESSION_ID, follows a demo session on the in-memory fake.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	sessionID := flag.Arg(0)
	switch {
	case flag.NArg() > 1:
		usageError("too many arguments: give one SESSION_ID")
	case sessionID == "" && !exampleenv.Offline():
		usageError("missing SESSION_ID")
	case sessionID != "" && exampleenv.Offline():
		usageError("ANTHROPIC_API_KEY is not set: set it to follow " + sessionID +
			" (without SESSION_ID, tail follows a demo session on the in-memory fake)")
	}
	exampleenv.Main("tail", func(ctx context.Context, client *ma.Client) error {
		if sessionID == "" {
			return demo(ctx, client, os.Stdout, opts)
		}
		return tail(ctx, client, sessionID, os.Stdout, opts)
	}, managedagentstest.WithScript(demoAgent))
}

func usageError(msg string) {
	fmt.Fprintf(stderr, "tail: %s\n", msg)
	flag.Usage()
	os.Exit(2)
}

// tail prints the events of session id to out: the history, then (unless
// opts.historyOnly) the live stream, until the session ends or ctx is done.
func tail(ctx context.Context, client *ma.Client, id string, out io.Writer, opts options) error {
	w := bufio.NewWriter(out)
	defer w.Flush()

	// Open the stream before listing the history, so that no event falls
	// between the two; the events in both are printed once.
	var stream *ma.EventStream
	if !opts.historyOnly {
		opened := false
		var err error
		stream, err = client.Sessions.Events.Stream(ctx, id, ma.EventStreamParams{
			OnReconnect: func(r ma.StreamReconnect) {
				what := "connection lost"
				if !opened {
					what = "cannot open the stream"
				}
				fmt.Fprintf(stderr, "tail: %s (%v); retrying in %v\n", what, r.Cause, r.Delay.Round(time.Millisecond))
			},
		})
		if err != nil {
			return explain(ctx, err, id, false)
		}
		opened = true
		defer stream.Close()
	}

	seen := make(map[string]bool)
	for ev, err := range client.Sessions.Events.ListAll(ctx, id, ma.EventListParams{Order: ma.OrderAsc}) {
		if err != nil {
			if stream != nil && errors.Is(err, ma.ErrNotFound) && ctx.Err() == nil {
				break // deleted since the stream opened: the stream has the end
			}
			return explain(ctx, err, id, false)
		}
		seen[ev.EventID()] = true
		if err := printEvent(w, ev, opts); err != nil {
			return err
		}
		if ma.IsTerminal(ev) {
			return nil
		}
	}
	if err := w.Flush(); err != nil || stream == nil {
		return err
	}

	fmt.Fprintln(stderr, "-- live: waiting for new events (Ctrl-C to stop) --")
	for ev, err := range stream.All() {
		if err != nil {
			return explain(ctx, err, id, true)
		}
		if evID := ev.EventID(); evID != "" {
			if seen[evID] {
				continue // already printed from the history
			}
			seen[evID] = true
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
// the user; nil when ctx ended (Ctrl-C) or when a session being followed was
// deleted (followed: the stream was read before).
func explain(ctx context.Context, err error, id string, followed bool) error {
	switch {
	case ctx.Err() != nil:
		return nil
	case errors.Is(err, ma.ErrNotFound) && followed:
		fmt.Fprintf(stderr, "tail: session %s was deleted\n", id)
		return nil
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
