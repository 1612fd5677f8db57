package managedagents_test

import (
	"context"
	"fmt"
	"log"

	"github.com/go-managedagents/managedagents"
)

func ExampleDecodeEvent() {
	frames := []string{
		`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"Checking."}],"processed_at":"2026-11-24T10:05:03.910Z"}`,
		`{"type":"session.status_idle","id":"sevt_2","stop_reason":{"type":"requires_action","event_ids":["sevt_3"]},"processed_at":"2026-11-24T10:05:06.140Z"}`,
		`{"type":"session.teleported","id":"sevt_4"}`,
	}
	for _, f := range frames {
		ev, err := managedagents.DecodeEvent([]byte(f))
		if err != nil {
			log.Fatal(err)
		}
		switch e := ev.(type) {
		case *managedagents.AgentMessageEvent:
			fmt.Println("agent:", e.Text())
		case *managedagents.SessionStatusIdleEvent:
			if e.StopReason.RequiresAction() {
				fmt.Println("waiting for", e.StopReason.EventIDs)
			}
		case *managedagents.UnknownEvent:
			fmt.Println("unknown event type", e.Type)
		}
	}
	// Output:
	// agent: Checking.
	// waiting for [sevt_3]
	// unknown event type session.teleported
}

func ExampleAccumulator() {
	frames := []string{
		`{"type":"event_start","event":{"type":"agent.message","id":"sevt_1"}}`,
		`{"type":"event_delta","event_id":"sevt_1","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":"Your order "}}}`,
		`{"type":"event_delta","event_id":"sevt_1","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":"is in transit"}}}`,
		`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"Your order is in transit."}]}`,
	}
	acc := managedagents.NewAccumulator(0)
	for _, f := range frames {
		ev, err := managedagents.DecodeEvent([]byte(f))
		if err != nil {
			log.Fatal(err)
		}
		if u, ok := acc.Add(ev); ok && u.EventType == managedagents.EventTypeAgentMessage {
			fmt.Printf("%q\n", u.Appended)
			if u.Done {
				fmt.Println("final:", u.Text)
			}
		}
	}
	// Output:
	// ""
	// "Your order "
	// "is in transit"
	// "."
	// final: Your order is in transit.
}

func ExampleSessionEventService_Send() {
	client := managedagents.NewClient()
	ctx := context.Background()

	// Start a turn.
	if _, err := client.Sessions.Events.Send(ctx, "sesn_011abc", managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserMessage("Where is my order #1234?")}}); err != nil {
		log.Fatal(err)
	}

	// Later, answer the tool calls listed by a requires_action idle.
	_, err := client.Sessions.Events.Send(ctx, "sesn_011abc", managedagents.SessionEventSendParams{Events: []managedagents.EventParam{managedagents.NewUserCustomToolResult("sevt_011custom", managedagents.NewTextBlock(`{"status":"in_transit"}`)), managedagents.NewUserToolConfirmationDeny("sevt_011bash", "Not on production.")}})
	if err != nil {
		log.Fatal(err)
	}
}
