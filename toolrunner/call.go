package toolrunner

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/go-managedagents/managedagents"
)

// BuiltinTools are the tools of agent_toolset_20260401, the names an
// [Executor] owns unless Options.BuiltinTools says otherwise.
var BuiltinTools = []string{"bash", "read", "write", "edit", "glob", "grep"}

// ErrNotOwned is returned by an [Executor] or a [ToolFunc] for a call that is
// not theirs to answer. The runner then posts nothing for it, leaving it to its
// owner, and reports it to Options.OnUnanswered; the call counts as not run.
// It is also the error Options.OnUnanswered gets for a tool the runner has no
// executor or handler for.
var ErrNotOwned = errors.New("toolrunner: tool not owned by this runner")

// ToolCall is one tool call of a session: an agent.tool_use of a built-in
// tool, run by the [Executor], or an agent.custom_tool_use, run by the
// [ToolFunc] registered for its name. With its methods SessionID, ToolUse and
// Description it is a tool call as a tracing span sees it (the
// otelmanagedagents module's ToolCall).
type ToolCall struct {
	// ID is the tool-use event's id (sevt_…): the id its result answers.
	ID string
	// Type is the tool-use event's type: managedagents.EventTypeAgentToolUse
	// (answered with user.tool_result) or
	// managedagents.EventTypeAgentCustomToolUse (answered with
	// user.custom_tool_result).
	Type managedagents.EventType
	// Name is the tool's name, e.g. "bash".
	Name string
	// Input is the tool's input, a JSON object.
	Input json.RawMessage
	// ThreadID is the session thread of a call cross-posted from a child
	// thread (its session_thread_id); empty for the primary thread.
	ThreadID string
	// ProcessedAt is when the server processed the tool-use event.
	ProcessedAt time.Time
	// Event is the *managedagents.AgentToolUseEvent or
	// *managedagents.AgentCustomToolUseEvent itself.
	Event managedagents.Event

	session string
}

// SessionID returns the id of the session the call belongs to.
func (c ToolCall) SessionID() string { return c.session }

// ToolUse returns the event that asked for the call, c.Event.
func (c ToolCall) ToolUse() managedagents.Event { return c.Event }

// Description returns "": the runner does not read the tools' definitions.
func (c ToolCall) Description() string { return "" }

// ToolResult is the result of a tool call, posted as the content and is_error
// of its user.tool_result or user.custom_tool_result. It encodes to JSON (and
// decodes back) so that a [Store] can keep it.
type ToolResult struct {
	// Content holds text, image, document and search_result blocks. Empty text
	// blocks are dropped and other blocks become text holding their JSON; a
	// result left with no block is posted as the text "(no output)".
	Content managedagents.ContentBlocks `json:"content"`
	// IsError reports that the tool failed; it is always sent, also false.
	IsError bool `json:"is_error"`
}

// NewToolResult returns a successful result holding blocks.
func NewToolResult(blocks ...managedagents.ContentBlock) ToolResult {
	return ToolResult{Content: managedagents.ContentBlocks(blocks)}
}

// NewToolResultText returns a successful result holding text.
func NewToolResultText(text string) ToolResult {
	return NewToolResult(managedagents.NewTextBlock(text))
}

// NewToolResultError returns a failed result (is_error true) holding the
// message text.
func NewToolResultError(text string) ToolResult {
	return ToolResult{Content: managedagents.ContentBlocks{managedagents.NewTextBlock(text)}, IsError: true}
}

// Executor runs the built-in tools (bash, read, write, edit, glob, grep) of
// agent.tool_use calls, with the name and the JSON input of the event. A
// tool's failure is a ToolResult with IsError set; a returned error is posted
// as an error result holding its message, except [ErrNotOwned] (nothing is
// posted) and the context's error once ctx ended (the call was cancelled). It
// must return soon after ctx ends, and be safe for concurrent use: calls of
// different threads run at once.
//
// [ToolsetExecutor] runs them with the agenttoolset package.
type Executor interface {
	Run(ctx context.Context, name string, input json.RawMessage) (ToolResult, error)
}

// ExecutorFunc is an [Executor] written as a function.
type ExecutorFunc func(ctx context.Context, name string, input json.RawMessage) (ToolResult, error)

// Run calls f.
func (f ExecutorFunc) Run(ctx context.Context, name string, input json.RawMessage) (ToolResult, error) {
	return f(ctx, name, input)
}

// ToolFunc runs one tool call: a custom tool's handler (Options.CustomTools),
// or the next step of a [Middleware]. Its results and errors are read as an
// [Executor]'s.
type ToolFunc func(ctx context.Context, call ToolCall) (ToolResult, error)

// Middleware wraps the run of each tool call, built-in or custom: it calls
// next to run the call and may look at (or change) what it returns. A tracing
// span per call (anthropic.tool_use <name>, with the call's id, session and
// thread, its duration and error) is one middleware. It runs in the goroutine
// of the call; it does not wrap the posting of the result (whose requests
// carry the call too: see [CallFromContext]).
type Middleware func(ctx context.Context, call ToolCall, next ToolFunc) (ToolResult, error)

// callKey is the context key of the call a context belongs to.
type callKey struct{}

// CallFromContext returns the tool call a context belongs to: the context a
// [Middleware], an [Executor] or a [ToolFunc] gets, and the context of the
// requests that post or reconcile the call's result, so that an
// option.WithMiddleware of the client can tag them with the call.
func CallFromContext(ctx context.Context) (ToolCall, bool) {
	c, ok := ctx.Value(callKey{}).(ToolCall)
	return c, ok
}

// withCall returns ctx carrying call.
func withCall(ctx context.Context, call ToolCall) context.Context {
	return context.WithValue(ctx, callKey{}, call)
}

// chain returns run wrapped in mws, the first outermost.
func chain(run ToolFunc, mws []Middleware) ToolFunc {
	for i := len(mws) - 1; i >= 0; i-- {
		mw, next := mws[i], run
		run = func(ctx context.Context, call ToolCall) (ToolResult, error) { return mw(ctx, call, next) }
	}
	return run
}
