package managedagents_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/go-managedagents/managedagents"
)

// Follow a session until it ends, surviving disconnects. Events missed while
// reconnecting are backfilled from the history, and none is delivered twice.
func ExampleSessionEventService_Stream() {
	client := managedagents.NewClient() // reads ANTHROPIC_API_KEY
	ctx := context.Background()

	stream, err := client.Sessions.Events.Stream(ctx, "sesn_011CZkZaBF1tNoB5wlCeusgy", managedagents.EventStreamParams{
		EventDeltas: []managedagents.EventType{managedagents.EventTypeAgentMessage},
		OnReconnect: func(r managedagents.StreamReconnect) {
			// Previews in progress will not be completed: drop them here.
			log.Printf("stream reconnect %d in %s: %v", r.Attempt, r.Delay, r.Cause)
		},
	})
	if err != nil {
		log.Fatal(err) // for example managedagents.ErrNotFound
	}
	defer stream.Close()

	for ev, err := range stream.All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.EventType(), ev.EventID())
	}
	// The loop ended: session.status_terminated or session.deleted arrived.
}

// Read a stream with Next, and replay the history of a session created with
// initial events (which may start before a stream can be opened).
func ExampleEventStream_Next() {
	client := managedagents.NewClient()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	stream, err := client.Sessions.Events.Stream(ctx, "sesn_011CZkZaBF1tNoB5wlCeusgy", managedagents.EventStreamParams{
		Since: time.Unix(0, 0), // the whole history first, then live events
	})
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()
	for stream.Next() {
		ev := stream.Current()
		fmt.Println(ev.EventProcessedAt().Format(time.RFC3339), ev.EventType())
	}
	if err := stream.Err(); err != nil {
		log.Fatal(err)
	}
}
