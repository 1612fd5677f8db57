package toolrunner

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/agenttoolset"
)

// ToolsetExecutor is the [Executor] of the agent toolset: it runs the
// built-in tools (bash, read, write, edit, glob, grep) of agent.tool_use calls
// with Toolset, one per work item. A tool name the toolset does not know is
// [ErrNotOwned]; a failed tool is an error result.
type ToolsetExecutor struct {
	// Toolset runs the tools; close it when the work item ends.
	Toolset *agenttoolset.Toolset
}

// Run runs the tool name with input in the toolset.
func (e ToolsetExecutor) Run(ctx context.Context, name string, input json.RawMessage) (ToolResult, error) {
	res, err := e.Toolset.Run(ctx, name, input)
	switch {
	case errors.Is(err, agenttoolset.ErrUnknownTool):
		return ToolResult{}, ErrNotOwned
	case err != nil:
		return ToolResult{}, err
	}
	out := ToolResult{IsError: res.IsError, Content: make(managedagents.ContentBlocks, 0, len(res.Content))}
	for _, b := range res.Content {
		out.Content = append(out.Content, managedagents.NewTextBlock(b.Text))
	}
	return out, nil
}
