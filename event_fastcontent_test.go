package managedagents

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// fastPathCases are inputs on which the fast path of DecodeEvent must give
// what decodeEventPlain gives: text content in every shape, content it must
// leave to the general path, and keys encoding/json reads in ways a scanner
// could miss (case, escapes, repeats).
var fastPathCases = []string{
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"hi"}],"processed_at":"2026-11-24T10:05:03.910Z"}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"a \"q\" \\ \n\t \u00e9 \ud83d\ude00 é"},{"text":"second","type":"text"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"redacted"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"a"},{"type":"redacted"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[]}`,
	`{"type":"agent.message","id":"sevt_1","content":null}`,
	`{"type":"agent.message","id":"sevt_1"}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":null}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"x","citations":[{"a":1}]}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"future_block","x":1}]}`,
	`{"type":"agent.message","id":"sevt_1","content":["not an object"]}`,
	`{"type":"agent.message","id":"sevt_1","content":[null]}`,
	`{"type":"agent.message","id":"sevt_1","content":{"type":"text"}}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"ok"}],"Content":[{"type":"text","text":"cased"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"image","source":5}],"content":[{"type":"text","text":"later"}]}`,
	`{"type":"agent.message","id":"sevt_1","conten\u0074":[{"type":"image","source":5}],"content":[{"type":"text","text":"x"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","Type":"image","text":"x"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"Type":"image","type":"text","text":"x"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"bad \xff utf-8"}]}`,
	`{"type":"agent.message","Type":"agent.thinking","id":"sevt_1"}`,
	`{"type":"agent.message","type":"session.status_idle","stop_reason":{"type":"end_turn"}}`,
	`{"type":"agent.message","type":null,"content":[]}`,
	`{"type":"agent.mess\xffage","id":"sevt_1"}`,
	`{"type":"","id":"sevt_1"}`,
	`{"typ\u0065":"agent.thinking","type":"agent.message"}`,
	`{"type":1,"id":"sevt_1"}`,
	`{"id":"sevt_1"}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"x"}]} trailing`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"x"}],}`,
	`null`,
	`[{"type":"agent.message"}]`,
	`{"type":"agent.tool_result","id":"sevt_2","tool_use_id":"sevt_1","content":[{"type":"text","text":"out"}],"is_error":true}`,
	`{"type":"agent.tool_result","id":"sevt_2","tool_use_id":"sevt_1","content":[{"type":"image","source":{"type":"url","url":"https://x.example/a.png"}}]}`,
	`{"type":"agent.mcp_tool_result","id":"sevt_2","mcp_tool_use_id":"sevt_1","content":[{"type":"text","text":"out"}],"is_error":null}`,
	`{"type":"agent.thread_message_sent","id":"sevt_2","to_session_thread_id":"sthr_1","to_agent_name":null,"content":[{"type":"text","text":"to"}]}`,
	`{"type":"agent.thread_message_received","id":"sevt_2","from_session_thread_id":"sthr_1","from_agent_name":"w","content":[{"type":"text","text":"from"}]}`,
	`{"type":"user.message","id":"sevt_3","content":[{"type":"text","text":"hello"},{"type":"document","source":{"type":"text","media_type":"text/plain","data":"d"}}],"processed_at":null}`,
	`{"type":"user.custom_tool_result","id":"sevt_4","custom_tool_use_id":"sevt_1","content":[{"type":"text","text":"{\"a\":1}"}],"is_error":false}`,
	`{"type":"user.tool_result","id":"sevt_5","tool_use_id":"sevt_1","content":[{"type":"search_result","source":"https://x","title":"t","content":[{"type":"text","text":"c"}],"citations":{"enabled":true}}]}`,
	`{"type":"system.message","id":"sevt_6","content":[{"type":"text","text":"sys"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"x"}],"processed_at":"not a time"}`,
	`{"type":"agent.message","id":7,"content":[{"type":"text","text":"x"}]}`,
	`{"type":"event_start","event":{"type":"agent.message","id":"sevt_1"}}`,
	`{"type":"event_delta","event_id":"sevt_1","delta":{"type":"content_delta","index":0,"content":{"type":"text","text":"he"}}}`,
}

// assertSameDecode checks that DecodeEvent gives exactly what
// decodeEventPlain, the encoding/json-only decoder, gives: an error for both,
// or equal events.
func assertSameDecode(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := decodeEventPlain(data)
	got, gotErr := DecodeEvent(data)
	if wantErr != nil {
		require.Error(t, gotErr, "%q: the plain decoder fails with %v", data, wantErr)
		return
	}
	require.NoError(t, gotErr, "%q", data)
	require.Equal(t, want, got, "%q", data)
}

// TestDecodeEventFastMatchesPlain runs the differential check on the cases
// above and on every event fixture.
func TestDecodeEventFastMatchesPlain(t *testing.T) {
	t.Parallel()
	cases := append([]string(nil), fastPathCases...)
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		assertSameDecode(t, []byte(c))
	}
}

// TestDecodeEventFastPathTaken checks that the fast path does decode the
// events it is there for, so that the differential check is not won by
// always deferring to the plain decoder.
func TestDecodeEventFastPathTaken(t *testing.T) {
	t.Parallel()
	for _, c := range []string{
		`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"hi"}],"processed_at":"2026-11-24T10:05:03.910Z"}`,
		`{"id":"sevt_2","type":"agent.tool_result","tool_use_id":"sevt_1","content":[{"type":"text","text":"out"}]}`,
		`{"type":"session.status_idle","id":"sevt_3","stop_reason":{"type":"end_turn"}}`,
	} {
		require.NotNil(t, decodeEventFast([]byte(c)), c)
	}
	for _, c := range []string{
		`{"type":"agent.message","Type":"agent.thinking","id":"sevt_1"}`,
		`{"type":"agent.message","content":[{"type":"redacted"}]}`,
		`{"type":"agent.message","content":[],"Content":[]}`,
	} {
		require.Nil(t, decodeEventFast([]byte(c)), c)
	}
}

// FuzzDecodeEventFastMatchesPlain is the differential fuzz target of the fast
// path (event_fastcontent.go, event_scan.go): on any input, DecodeEvent gives
// exactly what encoding/json alone gives. Runs are recorded in
// testdata/fuzz/README.md.
func FuzzDecodeEventFastMatchesPlain(f *testing.F) {
	for _, c := range fastPathCases {
		f.Add([]byte(c))
	}
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		assertSameDecode(t, data)
	})
}
