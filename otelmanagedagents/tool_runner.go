package otelmanagedagents

import (
	"context"
	"errors"

	"github.com/go-managedagents/managedagents/toolrunner"
)

// ToolMiddleware returns a toolrunner.Middleware that runs each tool call of a
// session tool runner (package toolrunner), built-in or custom, in its span,
// as [Telemetry.StartTool] describes it: "anthropic.tool_use <name>" or
// "anthropic.custom_tool_use <name>", a child of the span in the runner's
// context, the executor or handler running inside it. Give it to the runner,
// first among its middlewares so that the span covers the others:
//
//	toolrunner.Options{Middleware: []toolrunner.Middleware{tel.ToolMiddleware()}}
//
// The span's status is OK when the call returned a result, ERROR with
// error.type tool_error when it returned an error or a result the tool
// reported as failed (ToolResult.IsError), or when it panicked, and unset
// when it was canceled. Neither the tool's input nor its result is recorded.
func (t *Telemetry) ToolMiddleware() toolrunner.Middleware {
	return func(ctx context.Context, call toolrunner.ToolCall, next toolrunner.ToolFunc) (toolrunner.ToolResult, error) {
		res, err := TraceTool(ctx, t, call, func(ctx context.Context) (toolrunner.ToolResult, error) {
			res, err := next(ctx, call)
			if err == nil && res.IsError {
				return res, errToolResultIsError // for the span only
			}
			return res, err
		})
		if err == errToolResultIsError {
			err = nil
		}
		return res, err
	}
}

// errToolResultIsError ends the span of a tool call whose result reports a
// failure.
var errToolResultIsError = errors.New("otelmanagedagents: the tool's result is an error")
