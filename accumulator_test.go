package managedagents

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readTranscript parses testdata/streams/name the simple way: each "data:" line
// is one event (the transcript has one data line per message).
func readTranscript(t *testing.T, name string) []Event {
	t.Helper()
	var evs []Event
	sc := bufio.NewScanner(bytes.NewReader(fixture(t, "streams/"+name)))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		ev, err := DecodeEvent([]byte(strings.TrimSpace(line)))
		require.NoError(t, err)
		evs = append(evs, ev)
	}
	require.NoError(t, sc.Err())
	return evs
}

func TestAccumulatorTranscript(t *testing.T) {
	t.Parallel()
	evs := readTranscript(t, "transcript.sse")
	require.Len(t, evs, 25)
	for _, ev := range evs {
		_, unknown := ev.(*UnknownEvent)
		require.False(t, unknown, ev.EventType())
	}

	const (
		first  = "sevt_011CtcSSSS7XhS4D5EVB8Nf4"
		second = "sevt_011CPzWjeuzaTuyZ9bAaZ2xV"
	)
	acc := NewAccumulator(0)
	printed := map[string]string{} // what a UI printing Appended shows
	var finals []PreviewUpdate
	var log []string
	for _, ev := range evs {
		u, ok := acc.Add(ev)
		if !ok {
			continue
		}
		printed[u.ID] += u.Appended
		log = append(log, fmt.Sprintf("%s started=%v done=%v final=%v %q", ev.EventType(), u.Started, u.Done, u.Final, u.Appended))
		if u.Done {
			finals = append(finals, u)
		}
		if d, ok := ev.(*EventDeltaEvent); ok {
			text, open := acc.Text(d.PreviewID)
			require.True(t, open)
			require.Equal(t, u.Text, text)
		}
	}
	require.Equal(t, []string{
		`event_start started=true done=false final=false ""`,
		`event_delta started=false done=false final=false "Let me check the "`,
		`event_delta started=false done=false final=false "shipping playbook and your order."`,
		`agent.message started=false done=true final=true ""`,
		`event_start started=true done=false final=false ""`,
		`event_delta started=false done=false final=false "Your order #1234 is in transit with UPS "`,
		`event_delta started=false done=false final=false "and should arrive on Nov 26. Because it is more than 2 days late, "`,
		`event_delta started=false done=false final=false "you qualify for a refund of the shipping fee."`,
		`agent.message started=false done=true final=true ""`,
	}, log)
	require.Len(t, finals, 2)
	require.Equal(t, first, finals[0].ID)
	require.Equal(t, "Let me check the shipping playbook and your order.", finals[0].Text)
	require.Equal(t, second, finals[1].ID)
	require.Equal(t, "Your order #1234 is in transit with UPS and should arrive on Nov 26. Because it is more than 2 days late, you qualify for a refund of the shipping fee.", finals[1].Text)
	for _, f := range finals {
		require.False(t, f.Replaced)
		require.Equal(t, f.Text, printed[f.ID], "the UI printed exactly the final text")
	}
	require.Zero(t, acc.Len(), "buffered messages close their previews")
}

func TestAccumulatorWithoutPreviews(t *testing.T) {
	t.Parallel()
	// With deltas off (or after a reconnect) an agent.message comes out whole.
	acc := NewAccumulator(0)
	msg := mustDecode(t, `{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"}]}`)
	u, ok := acc.Add(msg)
	require.True(t, ok)
	require.Equal(t, PreviewUpdate{ID: "sevt_1", EventType: EventTypeAgentMessage, Text: "Hi there", Appended: "Hi there", Done: true, Final: true}, u)

	for _, s := range []string{
		`{"type":"agent.thinking","id":"sevt_2"}`,
		`{"type":"session.status_idle","id":"sevt_3","stop_reason":{"type":"end_turn"}}`,
		`{"type":"span.model_request_end","id":"sevt_4"}`,
		`{"type":"event_delta","event_id":"sevt_unknown","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":"x"}}}`,
		`{"type":"event_start","event":{"type":"agent.message","id":""}}`,
	} {
		_, ok := acc.Add(mustDecode(t, s))
		require.False(t, ok, s)
	}
	_, ok = acc.Add(nil)
	require.False(t, ok)
	require.Zero(t, acc.Len())
}

func TestAccumulatorIndexesAndReplacement(t *testing.T) {
	t.Parallel()
	acc := NewAccumulator(0)
	add := func(s string) (PreviewUpdate, bool) { return acc.Add(mustDecode(t, s)) }
	_, ok := add(`{"type":"event_start","event":{"type":"agent.message","id":"m"}}`)
	require.True(t, ok)
	// A repeated event_start for an open id is ignored.
	_, ok = add(`{"type":"event_start","event":{"type":"agent.message","id":"m"}}`)
	require.False(t, ok)
	delta := func(idx int, content string) string {
		return fmt.Sprintf(`{"type":"event_delta","event_id":"m","delta":{"type":"content_delta","index":%d%s}}`, idx, content)
	}
	u, ok := add(delta(0, `,"content":{"type":"text","text":"A"}`))
	require.True(t, ok)
	require.Equal(t, "A", u.Text)
	// A delta without content occupies index 1; index 2 starts a new block.
	_, ok = add(delta(1, ``))
	require.False(t, ok)
	u, ok = add(delta(2, `,"content":{"type":"text","text":"C"}`))
	require.True(t, ok)
	require.Equal(t, "AC", u.Text)
	require.Equal(t, "C", u.Appended)
	// Same index appends; an earlier index appends to its own block.
	u, _ = add(delta(2, `,"content":{"type":"text","text":"c"}`))
	require.Equal(t, "ACc", u.Text)
	u, _ = add(delta(0, `,"content":{"type":"text","text":"a"}`))
	require.Equal(t, "AaCc", u.Text)
	// Out-of-range indexes are ignored, never allocated.
	for _, idx := range []int{-1, maxPreviewBlocks, 1 << 40} {
		_, ok = add(delta(idx, `,"content":{"type":"text","text":"x"}`))
		require.False(t, ok)
	}
	text, open := acc.Text("m")
	require.True(t, open)
	require.Equal(t, "AaCc", text)

	// The buffered message disagrees with the preview: it replaces it.
	u, ok = add(`{"type":"agent.message","id":"m","content":[{"type":"text","text":"Final."}]}`)
	require.True(t, ok)
	require.Equal(t, PreviewUpdate{ID: "m", EventType: EventTypeAgentMessage, Text: "Final.", Appended: "Final.", Done: true, Final: true, Replaced: true}, u)
	_, open = acc.Text("m")
	require.False(t, open)
}

func TestAccumulatorPrefixPreview(t *testing.T) {
	t.Parallel()
	// Deltas may stop early: the buffered message appends the rest.
	acc := NewAccumulator(0)
	acc.Add(mustDecode(t, `{"type":"event_start","event":{"type":"agent.message","id":"m"}}`))
	acc.Add(mustDecode(t, `{"type":"event_delta","event_id":"m","delta":{"type":"content_delta","content":{"type":"text","text":"Hel"}}}`))
	u, ok := acc.Add(mustDecode(t, `{"type":"agent.message","id":"m","content":[{"type":"text","text":"Hello."}]}`))
	require.True(t, ok)
	require.Equal(t, "lo.", u.Appended)
	require.Equal(t, "Hello.", u.Text)
	require.False(t, u.Replaced)
}

func TestAccumulatorThinkingPreview(t *testing.T) {
	t.Parallel()
	acc := NewAccumulator(0)
	u, ok := acc.Add(mustDecode(t, `{"type":"event_start","event":{"type":"agent.thinking","id":"th"}}`))
	require.True(t, ok)
	require.Equal(t, PreviewUpdate{ID: "th", EventType: EventTypeAgentThinking, Started: true}, u)
	u, ok = acc.Add(mustDecode(t, `{"type":"agent.thinking","id":"th"}`))
	require.True(t, ok)
	require.Equal(t, PreviewUpdate{ID: "th", EventType: EventTypeAgentThinking, Done: true, Final: true}, u)
	require.Zero(t, acc.Len())
}

func TestAccumulatorModelRequestEndDropsUnfinished(t *testing.T) {
	t.Parallel()
	acc := NewAccumulator(0)
	acc.Add(mustDecode(t, `{"type":"event_start","event":{"type":"agent.thinking","id":"th"}}`))
	acc.Add(mustDecode(t, `{"type":"event_start","event":{"type":"agent.message","id":"m"}}`))
	acc.Add(mustDecode(t, `{"type":"event_delta","event_id":"m","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":"partial"}}}`))
	u, ok := acc.Add(mustDecode(t, `{"type":"span.model_request_end","id":"sevt_e","is_error":true}`))
	require.True(t, ok)
	require.Equal(t, PreviewUpdate{ID: "m", EventType: EventTypeAgentMessage, Text: "partial", Done: true}, u)
	require.Zero(t, acc.Len())
	// A late delta of a dropped preview is ignored.
	_, ok = acc.Add(mustDecode(t, `{"type":"event_delta","event_id":"m","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":"x"}}}`))
	require.False(t, ok)
}

func TestAccumulatorBoundedAndReset(t *testing.T) {
	t.Parallel()
	acc := NewAccumulator(2)
	for _, id := range []string{"a", "b", "c"} {
		acc.Add(mustDecode(t, `{"type":"event_start","event":{"type":"agent.message","id":"`+id+`"}}`))
	}
	require.Equal(t, 2, acc.Len())
	_, open := acc.Text("a")
	require.False(t, open, "the oldest preview is evicted")
	_, open = acc.Text("c")
	require.True(t, open)
	// Closing one frees a slot without evicting the other.
	acc.Add(mustDecode(t, `{"type":"agent.message","id":"b","content":[]}`))
	acc.Add(mustDecode(t, `{"type":"event_start","event":{"type":"agent.message","id":"d"}}`))
	require.Equal(t, 2, acc.Len())
	_, open = acc.Text("c")
	require.True(t, open)

	acc.Reset()
	require.Zero(t, acc.Len())
	_, ok := acc.Add(mustDecode(t, `{"type":"event_delta","event_id":"c","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":"x"}}}`))
	require.False(t, ok, "a new connection never resumes deltas")

	// Many previews stay bounded.
	big := NewAccumulator(0)
	for i := range 1000 {
		big.Add(mustDecode(t, fmt.Sprintf(`{"type":"event_start","event":{"type":"agent.message","id":"m%d"}}`, i)))
	}
	require.Equal(t, DefaultMaxPreviews, big.Len())

	// The zero Accumulator works too.
	var zero Accumulator
	u, ok := zero.Add(mustDecode(t, `{"type":"event_start","event":{"type":"agent.message","id":"z"}}`))
	require.True(t, ok)
	require.True(t, u.Started)
}

func mustDecode(t *testing.T, s string) Event {
	t.Helper()
	ev, err := DecodeEvent([]byte(s))
	require.NoError(t, err)
	return ev
}

func TestAccumulatorTypedNilEvents(t *testing.T) {
	t.Parallel()
	acc := NewAccumulator(0)
	for _, ev := range []Event{(*EventStartEvent)(nil), (*EventDeltaEvent)(nil), (*AgentMessageEvent)(nil)} {
		_, ok := acc.Add(ev)
		require.False(t, ok)
	}
}
