package managedagentstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

const fibPrompt = "Generate the first 20 Fibonacci numbers to fibonacci.txt"

func TestDefaultAgentTurnOnStream(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, nil)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream?event_deltas%5B%5D=agent.message")
	sent := ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage(fibPrompt))
	echo := sent["data"].([]any)[0].(map[string]any)
	require.True(t, strings.HasPrefix(echo["id"].(string), "sevt_"))
	require.NotNil(t, echo["processed_at"])

	frames := st.untilIdle(t)
	require.Equal(t, []string{
		"user.message", "session.status_running",
		"span.model_request_start", "agent.thinking", "event_start", "event_delta", "event_delta", "agent.message", "agent.tool_use", "span.model_request_end",
		"agent.tool_result",
		"span.model_request_start", "agent.tool_use", "span.model_request_end", "agent.tool_result",
		"span.model_request_start", "event_start", "event_delta", "event_delta", "event_delta", "agent.message", "span.model_request_end",
		"session.usage", "session.status_idle",
	}, names(frames))
	require.Equal(t, echo["id"], frames[0].JSON(t)["id"])
	require.Equal(t, "end_turn", stopReason(t, frames[len(frames)-1])["type"])

	// Previews carry the id of the message they preview; the message is their concatenation.
	start := frames[4].JSON(t)
	msg := frames[7].JSON(t)
	require.Equal(t, map[string]any{"type": "agent.message", "id": msg["id"]}, start["event"])
	d := frames[5].JSON(t)
	require.Equal(t, msg["id"], d["event_id"])
	require.Equal(t, "I'll generate the first 20 Fibonacci numbers and write them to fibonacci.txt.",
		msg["content"].([]any)[0].(map[string]any)["text"])
	write := frames[8].JSON(t)
	require.Equal(t, "write", write["name"])
	require.Equal(t, map[string]any{"file_path": "fibonacci.txt", "content": managedagentstest.Fibonacci}, write["input"])
	require.Equal(t, "allow", write["evaluated_permission"])
	require.Equal(t, write["id"], frames[10].JSON(t)["tool_use_id"])
	end := frames[9].JSON(t)
	require.Equal(t, frames[2].JSON(t)["id"], end["model_request_start_id"])
	require.EqualValues(t, 1830, end["model_usage"].(map[string]any)["input_tokens"])

	// Streamed events equal the persisted ones; previews are not persisted; processed_at increases.
	var persisted []string
	for _, f := range frames {
		if f.Name != "event_start" && f.Name != "event_delta" {
			persisted = append(persisted, f.Data)
		}
	}
	var listed []string
	last := ""
	for _, e := range srv.Events(sid) {
		listed = append(listed, string(e))
	}
	require.Equal(t, persisted, listed)
	for _, f := range frames {
		if p, ok := f.JSON(t)["processed_at"].(string); ok {
			require.Greater(t, p, last)
			last = p
		}
	}
	stop, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, "end_turn", stop)
	s := ok(t, srv, "GET", "/v1/sessions/"+sid, nil)
	require.Equal(t, "idle", s["status"])
	require.EqualValues(t, 1830+2004+2150, s["usage"].(map[string]any)["input_tokens"])
}

func TestStreamWithoutDeltasAndNoReplay(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithHeartbeat(20*time.Millisecond, managedagentstest.HeartbeatEvent))
	_, _, sid := setup(t, srv, nil)
	first := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("hello"))
	frames := first.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "span.model_request_start", "agent.message",
		"span.model_request_end", "session.usage", "session.status_idle"}, names(frames))
	require.Equal(t, "You said: hello", frames[3].JSON(t)["content"].([]any)[0].(map[string]any)["text"])

	// A new connection gets nothing of the past: only heartbeats, then new events.
	second := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	beats := 0
	for beats < 3 {
		f := <-second.frames
		require.Equal(t, "ping", f.Name, "got %+v", f)
		require.Equal(t, `{"type":"ping"}`, f.Data)
		beats++
	}
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("again"))
	require.Equal(t, "user.message", second.next(t).Name)
	require.Equal(t, "session.status_running", second.next(t).Name)
	// The first stream stays open across turns.
	require.Equal(t, "user.message", first.next(t).Name)
}

func TestEventsListFilters(t *testing.T) {
	t.Parallel()
	srv := start(t, managedagentstest.WithClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)))
	_, _, sid := setup(t, srv, nil)
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("one"))
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	all := srv.Events(sid)
	require.Len(t, all, 7)

	list := func(q string) []any { return ok(t, srv, "GET", "/v1/sessions/"+sid+"/events?"+q, nil)["data"].([]any) }
	require.Len(t, list(""), 7)
	msgs := list("types%5B%5D=agent.message&types%5B%5D=user.message")
	require.Len(t, msgs, 2)
	desc := list("order=desc")
	require.Equal(t, "session.status_idle", desc[0].(map[string]any)["type"])
	// With a frozen clock the events are 1 ms apart; the bounds apply to processed_at.
	third := desc[4].(map[string]any)["processed_at"].(string)
	require.Len(t, list("created_at%5Bgte%5D="+third), 5)
	require.Len(t, list("created_at%5Bgt%5D="+third), 4)
	require.Len(t, list("created_at%5Blte%5D="+third), 3)
	require.Len(t, list("created_at%5Blt%5D="+third), 2)
	p := ok(t, srv, "GET", "/v1/sessions/"+sid+"/events?limit=4", nil)
	require.Len(t, p["data"], 4)
	p2 := ok(t, srv, "GET", "/v1/sessions/"+sid+"/events?limit=4&page="+p["next_page"].(string), nil)
	require.Len(t, p2["data"], 3)
	require.Nil(t, p2["next_page"])
}

func TestCustomToolWaitsForResult(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, map[string]any{"tools": []any{map[string]any{"type": "custom", "name": "lookup_order",
		"description": "Look up an order", "input_schema": map[string]any{"type": "object",
			"properties": map[string]any{"order_number": map[string]any{"type": "string"}}, "required": []any{"order_number"}}}}})
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("Where is my order?"))
	frames := st.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "span.model_request_start", "agent.custom_tool_use",
		"span.model_request_end", "session.status_idle"}, names(frames))
	use := frames[3].JSON(t)
	require.Equal(t, map[string]any{"order_number": "example"}, use["input"])
	sr := stopReason(t, frames[5])
	require.Equal(t, "requires_action", sr["type"])
	require.Equal(t, []any{use["id"]}, sr["event_ids"])
	stop, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, "requires_action", stop)
	require.Equal(t, "idle", srv.SessionStatus(sid))

	// Nothing happens until the result comes.
	select {
	case f := <-st.frames:
		require.NotEqual(t, "", f.Name, "unexpected frame %+v", f)
		require.Failf(t, "unexpected frame", "%+v", f)
	case <-time.After(50 * time.Millisecond):
	}
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{map[string]any{
		"type": "user.custom_tool_result", "custom_tool_use_id": use["id"],
		"content": []any{map[string]any{"type": "text", "text": "in transit"}}}}})
	frames = st.untilIdle(t)
	require.Equal(t, []string{"user.custom_tool_result", "session.status_running", "span.model_request_start", "agent.message",
		"span.model_request_end", "session.usage", "session.status_idle"}, names(frames))
	require.Equal(t, "You said: Where is my order? (lookup_order returned: in transit)",
		frames[3].JSON(t)["content"].([]any)[0].(map[string]any)["text"])
	require.Equal(t, "end_turn", stopReason(t, frames[6])["type"])
}

// TestWaitIdleAfterAnAnswerWaitsForTheTurnToGoOn: WaitIdle called right after
// the answer to a turn idle with requires_action waits for the turn it wakes,
// instead of taking the idle the answer ends for settled. (The window between
// the answer and the turn waking is short: the test plays it many times.)
func TestWaitIdleAfterAnAnswerWaitsForTheTurnToGoOn(t *testing.T) {
	t.Parallel()
	srv := start(t)
	_, _, sid := setup(t, srv, map[string]any{"tools": []any{map[string]any{"type": "custom", "name": "lookup",
		"description": "d", "input_schema": map[string]any{"type": "object"}}}})
	ctx := context.Background()
	for i := range 50 {
		ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("again"))
		stop, err := srv.WaitIdle(ctx, sid)
		require.NoError(t, err)
		require.Equal(t, "requires_action", stop, "turn %d", i)
		ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{map[string]any{
			"type": "user.custom_tool_result", "custom_tool_use_id": lastEventID(t, srv, sid, "agent.custom_tool_use")}}})
		stop, err = srv.WaitIdle(ctx, sid)
		require.NoError(t, err)
		require.Equal(t, "end_turn", stop, "turn %d: WaitIdle right after the answer", i)
	}
}

func TestToolConfirmation(t *testing.T) {
	t.Parallel()
	for _, allow := range []bool{true, false} {
		t.Run(map[bool]string{true: "allow", false: "deny"}[allow], func(t *testing.T) {
			t.Parallel()
			srv := start(t)
			_, _, sid := setup(t, srv, map[string]any{"tools": []any{map[string]any{"type": "agent_toolset_20260401",
				"configs": []any{map[string]any{"name": "bash", "permission_policy": map[string]any{"type": "always_ask"}}}}}})
			st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
			ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage(fibPrompt))
			frames := st.untilIdle(t)
			idle := frames[len(frames)-1]
			sr := stopReason(t, idle)
			require.Equal(t, "requires_action", sr["type"])
			bash := frames[len(frames)-3].JSON(t)
			require.Equal(t, "agent.tool_use", bash["type"])
			require.Equal(t, "bash", bash["name"])
			require.Equal(t, "ask", bash["evaluated_permission"])
			require.Equal(t, map[string]any{"type": "always_ask"}, bash["evaluation"])
			require.Equal(t, []any{bash["id"]}, sr["event_ids"])

			answer := map[string]any{"type": "user.tool_confirmation", "tool_use_id": bash["id"], "result": "allow"}
			if !allow {
				answer["result"] = "deny"
				answer["deny_message"] = "not now"
			}
			ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{answer}})
			frames = st.untilIdle(t)
			require.Equal(t, []string{"user.tool_confirmation", "session.status_running", "agent.tool_result"}, names(frames)[:3])
			res := frames[2].JSON(t)
			require.Equal(t, bash["id"], res["tool_use_id"])
			require.Equal(t, !allow, res["is_error"])
			text := res["content"].([]any)[0].(map[string]any)["text"].(string)
			if allow {
				require.Equal(t, managedagentstest.Fibonacci, text)
			} else {
				require.Contains(t, text, "not now")
			}
			require.Equal(t, "end_turn", stopReason(t, frames[len(frames)-1])["type"])
		})
	}
}

func TestInterrupt(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 2)
	results := make(chan error, 2)
	srv := start(t, managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		if turn.Text() != "go" {
			turn.Message("second turn")
			return
		}
		turn.Message("working")
		started <- struct{}{}
		results <- turn.Wait(time.Minute)
		if turn.Message("never sent") != "" {
			results <- errors.New("a message was emitted after the interrupt")
		}
		close(results)
	}))
	_, _, sid := setup(t, srv, nil)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
	<-started
	require.Equal(t, "running", srv.SessionStatus(sid))
	// Delete and archive are refused while running.
	requireError(t, call(t, srv, "DELETE", "/v1/sessions/"+sid, nil, nil), 400, "invalid_request_error")
	requireError(t, call(t, srv, "POST", "/v1/sessions/"+sid+"/archive", nil, nil), 400, "invalid_request_error")
	// Interrupt plus a new message: the redirect pattern.
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{
		map[string]any{"type": "user.interrupt"},
		map[string]any{"type": "user.message", "content": []any{map[string]any{"type": "text", "text": "instead"}}},
	}})
	frames := st.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "agent.message", "user.interrupt", "user.message", "session.status_idle"}, names(frames))
	require.Equal(t, "end_turn", stopReason(t, frames[5])["type"])
	var errs []error
	for err := range results {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], managedagentstest.ErrInterrupted)
	// The next turn plays the queued message.
	frames = st.untilIdle(t)
	require.Equal(t, []string{"session.status_running", "agent.message", "session.status_idle"}, names(frames))
	stop, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, "end_turn", stop)
	require.Equal(t, map[string]any{"id": sid, "type": "session_deleted"}, ok(t, srv, "DELETE", "/v1/sessions/"+sid, nil))
}

func TestInterruptWhileWaitingForResult(t *testing.T) {
	t.Parallel()
	errc := make(chan error, 1)
	srv := start(t, managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		_, err := turn.CallCustomTool("lookup", map[string]any{})
		errc <- err
	}))
	_, _, sid := setup(t, srv, nil)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
	require.Equal(t, "requires_action", stopReason(t, st.untilIdle(t)[3])["type"])
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{map[string]any{"type": "user.interrupt"}}})
	require.ErrorIs(t, <-errc, managedagentstest.ErrInterrupted)
	frames := st.untilIdle(t)
	require.Equal(t, []string{"user.interrupt", "session.status_idle"}, names(frames))
	require.Equal(t, "end_turn", stopReason(t, frames[1])["type"])
}

func TestScriptErrorsIdlesAndEarlyAnswers(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, eid, _ := setup(t, srv, nil)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		switch turn.Text() {
		case "overloaded":
			turn.Error("model_overloaded_error", "Overloaded", "retrying")
			turn.Error("model_overloaded_error", "Overloaded", "exhausted")
			turn.Idle("retries_exhausted")
			turn.Message("ignored after the idle")
		case "refuse":
			turn.Idle("refusal")
		case "two":
			a := turn.CustomToolUse("a", map[string]any{})
			b := turn.CustomToolUse("b", map[string]any{})
			answers, err := turn.Await(a, b)
			if err == nil {
				turn.Message(answers[0].Text() + answers[1].Text())
			}
		case "panic":
			panic("boom")
		case "end":
			turn.Terminate()
		}
	})
	sid := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": aid, "environment_id": eid})["id"].(string)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	send := func(text string) { ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage(text)) }

	send("overloaded")
	frames := st.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "session.error", "session.error", "session.status_idle"}, names(frames))
	e := frames[3].JSON(t)["error"].(map[string]any)
	require.Equal(t, map[string]any{"type": "model_overloaded_error", "message": "Overloaded", "retry_status": map[string]any{"type": "exhausted"}}, e)
	require.Equal(t, "retries_exhausted", stopReason(t, frames[4])["type"])

	send("refuse")
	frames = st.untilIdle(t)
	idle := frames[len(frames)-1].JSON(t)
	require.Equal(t, "refusal", idle["stop_reason"].(map[string]any)["type"])
	require.Equal(t, "refusal", idle["stop_details"].(map[string]any)["type"])

	// Two pending uses: a partial answer re-emits the idle with the rest.
	send("two")
	frames = st.untilIdle(t)
	ids := stopReason(t, frames[len(frames)-1])["event_ids"].([]any)
	require.Len(t, ids, 2)
	result := func(id any, text string) map[string]any {
		return map[string]any{"type": "user.custom_tool_result", "custom_tool_use_id": id, "content": []any{map[string]any{"type": "text", "text": text}}}
	}
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{result(ids[1], "B")}})
	frames = st.untilIdle(t)
	require.Equal(t, []any{ids[0]}, stopReason(t, frames[len(frames)-1])["event_ids"])
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{result(ids[0], "A")}})
	frames = st.untilIdle(t)
	require.Equal(t, []string{"user.custom_tool_result", "session.status_running", "agent.message", "session.status_idle"}, names(frames))
	require.Equal(t, "AB", frames[2].JSON(t)["content"].([]any)[0].(map[string]any)["text"])

	// A panicking script is reported as an error.
	send("panic")
	frames = st.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "session.error", "session.status_idle"}, names(frames))
	require.Contains(t, frames[2].Data, "boom")
	require.Equal(t, "retries_exhausted", stopReason(t, frames[3])["type"])

	// Terminate: the stream ends, later sends are refused.
	send("end")
	st.until(t, "session.status_terminated")
	require.Equal(t, "terminated", srv.SessionStatus(sid))
	requireError(t, call(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("more"), nil), 400, "invalid_request_error")
}

func TestAnswerBeforeIdle(t *testing.T) {
	t.Parallel()
	used := make(chan string, 1)
	proceed := make(chan struct{})
	srv := start(t, managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		id := turn.CustomToolUse("lookup", map[string]any{})
		used <- id
		<-proceed
		answers, err := turn.Await(id)
		if err == nil {
			turn.Message(answers[0].Text())
		}
	}))
	_, _, sid := setup(t, srv, nil)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
	id := <-used
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", map[string]any{"events": []any{map[string]any{
		"type": "user.custom_tool_result", "custom_tool_use_id": id, "content": []any{map[string]any{"type": "text", "text": "early"}}}}})
	close(proceed)
	frames := st.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "agent.custom_tool_use", "user.custom_tool_result", "agent.message", "session.status_idle"}, names(frames))
	require.Equal(t, "end_turn", stopReason(t, frames[5])["type"])
}

func TestInitialEventsAndDeterminism(t *testing.T) {
	t.Parallel()
	run := func() []string {
		srv := managedagentstest.NewServer(managedagentstest.WithClock(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)))
		defer srv.Close()
		aid, _ := srv.Call("POST", "/v1/agents", map[string]any{"name": "a", "model": "m", "tools": []any{map[string]any{"type": "agent_toolset_20260401"}}})
		require.Equal(t, 200, aid)
		_, agent := srv.Call("POST", "/v1/agents", map[string]any{"name": "b", "model": "m", "tools": []any{map[string]any{"type": "agent_toolset_20260401"}}})
		_, env := srv.Call("POST", "/v1/environments", map[string]any{"name": "e"})
		status, sess := srv.Call("POST", "/v1/sessions", []byte(`{"agent":`+field(t, agent, "id")+`,"environment_id":`+field(t, env, "id")+
			`,"initial_events":[{"type":"user.message","content":[{"type":"text","text":"`+fibPrompt+`"}]}]}`))
		require.Equal(t, 200, status, "%s", sess)
		sid := strings.Trim(field(t, sess, "id"), `"`)
		_, err := srv.WaitIdle(context.Background(), sid)
		require.NoError(t, err)
		var out []string
		for _, e := range srv.Events(sid) {
			out = append(out, string(e))
		}
		return out
	}
	a, b := run(), run()
	require.Equal(t, a, b)
	require.Len(t, a, 17)
	require.Contains(t, a[0], `"processed_at":"2026-04-01T00:00:00.000Z"`)
}

func TestQueuedEcho(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := start(t, managedagentstest.WithQueuedEcho(), managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		if turn.Text() == "first" {
			select {
			case <-release:
			case <-turn.Context().Done():
			}
		}
		turn.Message("done " + turn.Text())
	}))
	_, _, sid := setup(t, srv, nil)
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	first := ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("first"))["data"].([]any)[0].(map[string]any)
	require.NotNil(t, first["processed_at"], "sent while idle: processed at once")
	require.Equal(t, []string{"user.message", "session.status_running"}, names([]sseFrame{st.next(t), st.next(t)}))

	second := ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("second"))["data"].([]any)[0].(map[string]any)
	require.Nil(t, second["processed_at"])
	queued := st.next(t).JSON(t)
	require.Equal(t, second["id"], queued["id"])
	require.Nil(t, queued["processed_at"])
	require.Len(t, srv.Events(sid), 2, "not persisted while queued")

	close(release)
	frames := st.untilIdle(t)
	require.Equal(t, []string{"agent.message", "session.status_idle"}, names(frames))
	frames = st.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "agent.message", "session.status_idle"}, names(frames))
	processed := frames[0].JSON(t)
	require.Equal(t, second["id"], processed["id"])
	require.NotNil(t, processed["processed_at"])
	require.Len(t, srv.Events(sid), 8)
}

// A built-in tool the toolset does not enable is denied by the server: the
// call does not run and its result is an error (reference §4.4, §5.3).
func TestRunToolNotEnabled(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, _, sid := setup(t, srv, map[string]any{"tools": []any{map[string]any{"type": "agent_toolset_20260401",
		"configs": []any{map[string]any{"name": "bash", "enabled": false}}}}})
	type outcome struct {
		ran bool
		err error
	}
	done := make(chan outcome, 1)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		ran, err := turn.RunTool("bash", map[string]any{"command": "ls"}, "a.txt")
		done <- outcome{ran, err}
	})
	st := openStream(t, srv, "/v1/sessions/"+sid+"/events/stream")
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("list"))
	frames := st.untilIdle(t)
	require.Equal(t, []string{"user.message", "session.status_running", "agent.tool_use", "agent.tool_result", "session.status_idle"}, names(frames))
	use := frames[2].JSON(t)
	require.Equal(t, "deny", use["evaluated_permission"])
	require.NotContains(t, use, "evaluation")
	res := frames[3].JSON(t)
	require.Equal(t, use["id"], res["tool_use_id"])
	require.Equal(t, true, res["is_error"])
	o := <-done
	require.NoError(t, o.err)
	require.False(t, o.ran, "a denied tool does not run")
}

// Turn.Error gives each error type the fields the API's error object of that
// type requires, taken from the session (reference §5.6).
func TestErrorFieldsByType(t *testing.T) {
	t.Parallel()
	srv := start(t)
	aid, eid, _ := setup(t, srv, map[string]any{
		"mcp_servers": []any{map[string]any{"type": "url", "name": "tickets", "url": "https://mcp.example.com"}},
		"tools":       []any{map[string]any{"type": "mcp_toolset", "mcp_server_name": "tickets"}}})
	vid := ok(t, srv, "POST", "/v1/vaults", map[string]any{"display_name": "v"})["id"].(string)
	cid := ok(t, srv, "POST", "/v1/vaults/"+vid+"/credentials", map[string]any{"auth": map[string]any{"type": "environment_variable",
		"secret_name": "K", "secret_value": "v", "networking": map[string]any{"type": "unrestricted"}}})["id"].(string)
	sid := ok(t, srv, "POST", "/v1/sessions", map[string]any{"agent": aid, "environment_id": eid, "vault_ids": []any{vid},
		"resources": []any{map[string]any{"type": "github_repository", "url": "https://github.com/o/r"}}})["id"].(string)
	srv.SetScript(aid, func(turn *managedagentstest.Turn) {
		for _, typ := range []string{"mcp_connection_failed_error", "credential_host_unreachable_error", "repository_clone_error", "model_overloaded_error"} {
			turn.Error(typ, "failed", "retrying")
		}
	})
	ok(t, srv, "POST", "/v1/sessions/"+sid+"/events", userMessage("go"))
	_, err := srv.WaitIdle(context.Background(), sid)
	require.NoError(t, err)
	var errs []map[string]any
	for _, raw := range srv.Events(sid) {
		var ev map[string]any
		require.NoError(t, json.Unmarshal(raw, &ev))
		if ev["type"] == "session.error" {
			e := ev["error"].(map[string]any)
			delete(e, "message")
			delete(e, "retry_status")
			errs = append(errs, e)
		}
	}
	require.Equal(t, []map[string]any{
		{"type": "mcp_connection_failed_error", "mcp_server_name": "tickets"},
		{"type": "credential_host_unreachable_error", "vault_id": vid, "credential_id": cid},
		{"type": "repository_clone_error", "repository_url": "https://github.com/o/r"},
		{"type": "model_overloaded_error"},
	}, errs)
}
