package agenttoolset

import (
	"fmt"
	"strings"
)

// noOutput is the text of a result that would otherwise be empty: the API
// refuses an empty text block, and the reference's runner posts this instead
// (self-hosted.md §4.5, §5.1).
const noOutput = "(no output)"

// truncatedNotice marks output cut at a cap (self-hosted.md §5.1, §5.4).
const truncatedNotice = "[output truncated]"

// ContentBlock is one block of a tool result. The toolset produces text blocks
// only: Type is "text" and Text is never empty.
type ContentBlock struct {
	// Type is the block type, "text".
	Type string `json:"type"`
	// Text is the block's text.
	Text string `json:"text"`
}

// Result is the outcome of one tool call, in the shape the content and
// is_error fields of a user.tool_result event take: a runner posts it as is
// (see [Result.Event]). A tool that fails (bad input, a path outside the
// working directory, a non-zero exit status, a timeout) returns a Result with
// IsError set and one text block saying why, prefixed by the tool's name.
type Result struct {
	// IsError reports that the tool failed; it is always encoded, also false.
	IsError bool `json:"is_error"`
	// Content holds exactly one text block.
	Content []ContentBlock `json:"content"`
}

// Text returns the text of the result's blocks, joined.
func (r Result) Text() string {
	if len(r.Content) == 1 {
		return r.Content[0].Text
	}
	var b strings.Builder
	for _, c := range r.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}

// Event returns the user.tool_result event answering the agent.tool_use event
// whose id is toolUseID. Encoded with encoding/json it gives the exact element
// of the {"events":[…]} body of POST /v1/sessions/{id}/events.
func (r Result) Event(toolUseID string) ResultEvent {
	return ResultEvent{Type: "user.tool_result", ToolUseID: toolUseID, IsError: r.IsError, Content: r.Content}
}

// ResultEvent is a user.tool_result event, ready to be sent in the events
// array of POST /v1/sessions/{id}/events.
type ResultEvent struct {
	// Type is "user.tool_result".
	Type string `json:"type"`
	// ToolUseID is the event id of the agent.tool_use event answered.
	ToolUseID string `json:"tool_use_id"`
	// IsError reports that the tool failed; always present.
	IsError bool `json:"is_error"`
	// Content is the result's blocks.
	Content []ContentBlock `json:"content"`
}

// success returns a successful result holding text.
func success(text string) Result { return textResult(text, false) }

// failure returns an error result whose text is the tool name, a colon and the
// formatted message.
func failure(tool, format string, args ...any) Result {
	return textResult(tool+": "+fmt.Sprintf(format, args...), true)
}

func textResult(text string, isError bool) Result {
	if text == "" {
		text = noOutput
	}
	return Result{IsError: isError, Content: []ContentBlock{{Type: "text", Text: text}}}
}
