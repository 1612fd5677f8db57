package managedagents

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decodeGeneral decodes data the general way, without the fast content path:
// what DecodeEvent must give whatever path it takes.
func decodeGeneral(data []byte) (Event, error) {
	typ, found, err := scanType(data)
	if err != nil || !found {
		return DecodeEvent(data) // the same error paths
	}
	ev := newEvent(typ)
	if err := json.Unmarshal(data, ev); err != nil {
		return nil, err
	}
	if ev.EventType() != string(typ) {
		ev.setType(string(typ))
	}
	ev.setRaw(data)
	return ev, nil
}

var fastContentCases = []string{
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
	`{"type":"agent.message","id":"sevt_1","content":{"type":"text"}}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"ok"}],"Content":[{"type":"text","text":"cased"}]}`,
	`{"type":"agent.message","id":"sevt_1","content":[{"type":"text","text":"bad \xff utf-8"}]}`,
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
}

// TestDecodeContentFastMatchesGeneral checks that the fast content path gives
// what the general path gives, on edge cases and on every event fixture.
func TestDecodeContentFastMatchesGeneral(t *testing.T) {
	t.Parallel()
	cases := append([]string(nil), fastContentCases...)
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

func assertSameDecode(t *testing.T, data []byte) {
	t.Helper()
	if oddTypeKeys(data) {
		return // the documented difference: see event_fastcontent.go
	}
	want, wantErr := decodeGeneral(data)
	got, gotErr := DecodeEvent(data)
	if wantErr != nil {
		require.Error(t, gotErr, "%s", data)
		return
	}
	require.NoError(t, gotErr, "%s", data)
	require.Equal(t, want, got, "%s", data)
}

func FuzzDecodeContentFast(f *testing.F) {
	for _, c := range fastContentCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		assertSameDecode(t, data)
	})
}

// oddTypeKeys reports whether some object in data has a key that reads as
// "type" case-insensitively but is not spelled "type", or two "type" keys.
func oddTypeKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object, wantKey bool
		types           int
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.object && top.wantKey
		if top != nil && top.object {
			top.wantKey = !top.wantKey
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{':
				stack = append(stack, &frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].wantKey = true
				}
			}
		case string:
			if isKey && strings.EqualFold(tok, "type") {
				if tok != "type" {
					return true
				}
				if top.types++; top.types > 1 {
					return true
				}
			}
		}
	}
}
