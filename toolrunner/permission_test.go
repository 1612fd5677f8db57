package toolrunner_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/toolrunner"
)

// ask: the call waits for the user's confirmation, and runs only after an
// allow. The executor checks, when it runs, that the allow was sent: a
// runner that ran the call early fails the test whatever the timing.
func TestAskWaitsForAllowThenRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]any{"tools": []any{agentToolset("always_ask")}})
	got := make(chan managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		if a, err := turn.CallTool("write", map[string]any{"file_path": "a", "content": "b"}); err == nil {
			got <- a
		}
	})
	var allowed atomic.Bool
	exec := &executor{fn: func(context.Context, string, json.RawMessage) (toolrunner.ToolResult, error) {
		if !allowed.Load() {
			return toolrunner.NewToolResultError("ran before the allow"), nil
		}
		return toolrunner.NewToolResultText("wrote"), nil
	}}
	rr := f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	require.Equal(t, "requires_action", f.waitIdle(t), "the call waits for its confirmation")
	id := f.toolUseIDs(t)[0]
	allowed.Store(true)
	f.send(t, managedagents.NewUserToolConfirmationAllow(id))
	a := recv(t, got)
	require.False(t, a.IsError, a.Text())
	require.Equal(t, "wrote", a.Text())
	st := rr.stop(t)
	require.Equal(t, int64(1), st.Started)
	require.Equal(t, map[string]int{id: 1}, f.results(t))
}

// deny, by the policy or by the user: the call never runs and nothing is
// posted for it; the calls after it run.
func TestDenyPostsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]any{"tools": []any{agentToolset("", "bash")}})
	denied := make(chan error, 1)
	got := make(chan managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		_, err := turn.CallTool("bash", map[string]any{"command": "rm -rf /"})
		denied <- err
		if a, err := turn.CallTool("glob", map[string]any{"pattern": "*"}); err == nil {
			got <- a
		}
	})
	exec := &executor{}
	rr := f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	require.ErrorIs(t, recv(t, denied), managedagentstest.ErrToolDenied)
	require.Equal(t, "glob ran", recv(t, got).Text())
	st := rr.stop(t)
	ids := f.toolUseIDs(t)
	require.Equal(t, map[string]int{ids[1]: 1}, f.results(t), "nothing posted for the denied call")
	require.Equal(t, []string{"glob"}, exec.ran())
	require.Equal(t, int64(1), st.Denied)
}

// A call the user denies after an ask is not run and gets nothing posted;
// the next call runs.
func TestUserDenialPostsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]any{"tools": []any{map[string]any{"type": "agent_toolset_20260401",
		"configs": []any{map[string]any{"name": "edit", "permission_policy": map[string]any{"type": "always_ask"}}}}}})
	denied := make(chan error, 1)
	got := make(chan managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		_, err := turn.CallTool("edit", map[string]any{"file_path": "a", "old_string": "x", "new_string": "y"})
		denied <- err
		if a, err := turn.CallTool("bash", map[string]any{"command": "ls"}); err == nil {
			got <- a
		}
	})
	exec := &executor{}
	rr := f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	require.Equal(t, "requires_action", f.waitIdle(t))
	f.send(t, managedagents.NewUserToolConfirmationDeny(f.toolUseIDs(t)[0], "not now"))
	require.ErrorIs(t, recv(t, denied), managedagentstest.ErrToolDenied)
	require.Equal(t, "bash ran", recv(t, got).Text())
	st := rr.stop(t)
	ids := f.toolUseIDs(t)
	require.Equal(t, map[string]int{ids[1]: 1}, f.results(t))
	require.Equal(t, []string{"bash"}, exec.ran())
	require.Equal(t, int64(1), st.Denied)
}

// An evaluated_permission the runner does not know is held like ask.
func TestUnknownPermissionIsHeld(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ids := make(chan string, 1)
	got := make(chan []managedagentstest.Answer, 1)
	f.script(func(turn *managedagentstest.Turn) {
		id := turn.Emit(map[string]any{"type": "agent.tool_use", "name": "read", "input": map[string]any{"file_path": "a"},
			"evaluated_permission": "maybe_later"})
		ids <- id
		if a, err := turn.AwaitResults(id); err == nil {
			got <- a
		}
	})
	var allowed atomic.Bool
	exec := &executor{fn: func(context.Context, string, json.RawMessage) (toolrunner.ToolResult, error) {
		if !allowed.Load() {
			return toolrunner.ToolResult{}, errors.New("ran before the allow")
		}
		return toolrunner.NewToolResultText("read"), nil
	}}
	f.run(t, toolrunner.Options{Executor: exec})
	f.start(t)
	id := recv(t, ids)
	allowed.Store(true)
	f.send(t, managedagents.NewUserToolConfirmationAllow(id))
	require.Equal(t, "read", recv(t, got)[0].Text())
}
