//go:build !unix

package agenttoolset

import (
	"context"
	"time"
)

// bashTool is unavailable here: the shell needs Unix sessions and process
// groups to be stopped reliably.
type bashTool struct{}

func newBashTool(ShellFunc, string, []string, time.Duration) *bashTool { return &bashTool{} }

func (b *bashTool) run(context.Context, BashInput, int) (Result, error) {
	return failure(ToolBash, "not available on this operating system"), nil
}

func (b *bashTool) close() {}
