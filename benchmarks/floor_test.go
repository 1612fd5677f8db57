package benchmarks

// The floor: the least work any Go decoder of this stream must do. A bufio line
// scan finds the frames; each frame's data is decoded with one json.Unmarshal
// into a fresh concrete struct picked by the SSE event name. No raw JSON is
// kept, no type probe, no interface dispatch, no dedupe: what is left is the
// cost of encoding/json itself, which the SDK is measured against.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Concrete event structs for the floor, one per shape in the transcript. They
// hold the same fields the SDK's typed events hold.
type (
	fBlock struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	fMeta struct {
		Type        string    `json:"type"`
		ID          string    `json:"id"`
		ProcessedAt time.Time `json:"processed_at"`
	}
	fContentEvent struct { // user.message, agent.message
		fMeta
		Content []fBlock `json:"content"`
	}
	fToolUse struct { // agent.tool_use, agent.mcp_tool_use, agent.custom_tool_use
		fMeta
		MCPServerName       string          `json:"mcp_server_name"`
		Name                string          `json:"name"`
		Input               json.RawMessage `json:"input"`
		EvaluatedPermission string          `json:"evaluated_permission"`
		Evaluation          *struct {
			Type                string `json:"type"`
			EvaluatedPermission *struct {
				Type       string `json:"type"`
				ReasonCode string `json:"reason_code"`
			} `json:"evaluated_permission"`
		} `json:"evaluation"`
	}
	fToolResult struct { // agent.tool_result, agent.mcp_tool_result, user.custom_tool_result
		fMeta
		ToolUseID       string   `json:"tool_use_id"`
		MCPToolUseID    string   `json:"mcp_tool_use_id"`
		CustomToolUseID string   `json:"custom_tool_use_id"`
		Content         []fBlock `json:"content"`
		IsError         *bool    `json:"is_error"`
	}
	fModelRequestEnd struct {
		fMeta
		ModelRequestStartID string `json:"model_request_start_id"`
		IsError             bool   `json:"is_error"`
		ModelUsage          struct {
			InputTokens              int64  `json:"input_tokens"`
			OutputTokens             int64  `json:"output_tokens"`
			CacheReadInputTokens     int64  `json:"cache_read_input_tokens"`
			CacheCreationInputTokens int64  `json:"cache_creation_input_tokens"`
			Speed                    string `json:"speed"`
		} `json:"model_usage"`
	}
	fStatusIdle struct {
		fMeta
		StopReason struct {
			Type     string   `json:"type"`
			EventIDs []string `json:"event_ids"`
		} `json:"stop_reason"`
		StopDetails *struct {
			Type        string  `json:"type"`
			Category    *string `json:"category"`
			Explanation *string `json:"explanation"`
		} `json:"stop_details"`
	}
	fSessionError struct {
		fMeta
		Error struct {
			Type        string `json:"type"`
			Message     string `json:"message"`
			RetryStatus struct {
				Type string `json:"type"`
			} `json:"retry_status"`
			MCPServerName string `json:"mcp_server_name"`
		} `json:"error"`
	}
	fSessionUsage struct {
		fMeta
		Usage struct {
			InputTokens          int64 `json:"input_tokens"`
			OutputTokens         int64 `json:"output_tokens"`
			CacheReadInputTokens int64 `json:"cache_read_input_tokens"`
			CacheCreation        *struct {
				Ephemeral5mInputTokens int64 `json:"ephemeral_5m_input_tokens"`
				Ephemeral1hInputTokens int64 `json:"ephemeral_1h_input_tokens"`
			} `json:"cache_creation"`
			ActiveSeconds float64 `json:"active_seconds"`
			ListCost      *struct {
				Amount   string `json:"amount"`
				Currency string `json:"currency"`
			} `json:"list_cost"`
		} `json:"usage"`
		Budget *struct {
			Type        string `json:"type"`
			MaxListCost struct {
				Amount   string `json:"amount"`
				Currency string `json:"currency"`
			} `json:"max_list_cost"`
		} `json:"budget"`
	}
	fEventStart struct {
		Type  string `json:"type"`
		Event struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"event"`
	}
	fEventDelta struct {
		Type    string `json:"type"`
		EventID string `json:"event_id"`
		Delta   struct {
			Type    string  `json:"type"`
			Index   int     `json:"index"`
			Content *fBlock `json:"content"`
		} `json:"delta"`
	}
)

// floorNew returns a fresh struct for an SSE event name.
func floorNew(name []byte) any {
	switch string(name) { // no allocation: the compiler compares in place
	case "user.message", "agent.message":
		return new(fContentEvent)
	case "agent.tool_use", "agent.mcp_tool_use", "agent.custom_tool_use":
		return new(fToolUse)
	case "agent.tool_result", "agent.mcp_tool_result", "user.custom_tool_result":
		return new(fToolResult)
	case "span.model_request_end":
		return new(fModelRequestEnd)
	case "session.status_idle":
		return new(fStatusIdle)
	case "session.error":
		return new(fSessionError)
	case "session.usage":
		return new(fSessionUsage)
	case "event_start":
		return new(fEventStart)
	case "event_delta":
		return new(fEventDelta)
	default: // status events, span starts, agent.thinking
		return new(fMeta)
	}
}

// floorDecode decodes every frame of r and calls yield with each event.
func floorDecode(r io.Reader, yield func(any)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 32<<20)
	var name, data []byte
	multi := false
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if len(data) == 0 {
				name = name[:0]
				continue
			}
			v := floorNew(name)
			if err := json.Unmarshal(data, v); err != nil {
				return fmt.Errorf("floor: %s: %w", name, err)
			}
			yield(v)
			name, data, multi = name[:0], data[:0], false
		case bytes.HasPrefix(line, []byte("data:")):
			line = bytes.TrimPrefix(line[5:], []byte(" "))
			if multi {
				data = append(data, '\n')
			}
			data = append(data, line...)
			multi = true
		case bytes.HasPrefix(line, []byte("event:")):
			name = append(name[:0], bytes.TrimPrefix(line[6:], []byte(" "))...)
		}
	}
	return sc.Err()
}
