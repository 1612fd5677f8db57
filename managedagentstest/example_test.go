package managedagentstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

// A fake server with the default agent: seed an agent, an environment and a
// session whose first message is sent at creation, wait for the turn, and read
// its events with the SDK.
func ExampleNewServer() {
	srv := managedagentstest.NewServer(managedagentstest.WithClock(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)))
	defer srv.Close()

	id := func(b json.RawMessage) string {
		var v struct{ ID string }
		_ = json.Unmarshal(b, &v)
		return v.ID
	}
	_, agent := srv.Call("POST", "/v1/agents", map[string]any{"name": "Coder", "model": "claude-sonnet-5-5",
		"tools": []any{map[string]any{"type": "agent_toolset_20260401"}}})
	_, env := srv.Call("POST", "/v1/environments", map[string]any{"name": "py"})
	_, sess := srv.Call("POST", "/v1/sessions", map[string]any{"agent": id(agent), "environment_id": id(env),
		"initial_events": []any{map[string]any{"type": "user.message",
			"content": []any{map[string]any{"type": "text", "text": "Generate the first 20 Fibonacci numbers to fibonacci.txt"}}}}})
	stop, _ := srv.WaitIdle(context.Background(), id(sess))
	fmt.Println("stop reason:", stop)

	client := srv.Client()
	page, err := client.Sessions.Events.List(context.Background(), id(sess), managedagents.SessionEventListParams{
		Types: []managedagents.EventType{"agent.message", "agent.tool_use"}})
	if err != nil {
		panic(err)
	}
	for _, ev := range page.Data {
		var e struct {
			Type    string
			Name    string
			Content []struct{ Text string }
		}
		_ = json.Unmarshal(ev.RawJSON(), &e)
		if e.Name != "" {
			fmt.Println(e.Type, e.Name)
		} else {
			fmt.Println(e.Type, e.Content[0].Text)
		}
	}
	// Output:
	// stop reason: end_turn
	// agent.message I'll generate the first 20 Fibonacci numbers and write them to fibonacci.txt.
	// agent.tool_use write
	// agent.tool_use bash
	// agent.message Here are the first 20 Fibonacci numbers: 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181. They are saved in fibonacci.txt.
}
