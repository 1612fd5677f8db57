package managedagentstest

import "strings"

// Fibonacci is the content of the fibonacci.txt that [DefaultScript] writes: the
// first 20 Fibonacci numbers, one per line.
const Fibonacci = "0\n1\n1\n2\n3\n5\n8\n13\n21\n34\n55\n89\n144\n233\n377\n610\n987\n1597\n2584\n4181\n"

// DefaultScript is the deterministic agent of a server without [WithScript].
//
// For a message that mentions "fibonacci" (the quickstart prompt "Generate the
// first 20 Fibonacci numbers to fibonacci.txt") it plays: a model request with
// agent.thinking, a plan message and a write tool use of fibonacci.txt; the tool
// result; a model request with a bash tool use "cat fibonacci.txt" and its result;
// then, if the agent has custom tools, a call of the first one that waits for the
// client's result; a final model request with a message listing the numbers; and
// session.usage. Built-in tools the agent's toolset does not enable are skipped,
// and always_ask tools wait for the client's confirmation (a denial gives an
// error tool result).
//
// For any other message it calls the first custom tool, if any, then answers
// "You said: <text>" in one model request, and emits session.usage.
//
// Texts are fixed, ids come from counters and timestamps from the server's
// clock, so a run on a server [WithClock] is the same every time.
func DefaultScript(t *Turn) {
	text := t.Text()
	if !strings.Contains(strings.ToLower(text), "fibonacci") {
		toolNote := callFirstCustomTool(t, text)
		t.BeginModelRequest()
		t.Message("You said: ", text+toolNote)
		t.EndModelRequest(ModelUsage{InputTokens: 120, OutputTokens: 12})
		t.Usage()
		return
	}
	t.BeginModelRequest()
	t.Thinking()
	t.Message("I'll generate the first 20 Fibonacci numbers ", "and write them to fibonacci.txt.")
	write := ""
	if t.ToolPolicy("write") != "" {
		write = t.ToolUse("write", map[string]any{"file_path": "fibonacci.txt", "content": Fibonacci})
	}
	t.EndModelRequest(ModelUsage{InputTokens: 1830, OutputTokens: 142, CacheCreationInputTokens: 1024})
	if write != "" && !finishTool(t, write, "write", "File created successfully at: fibonacci.txt") {
		return
	}
	if t.ToolPolicy("bash") != "" {
		t.BeginModelRequest()
		id := t.ToolUse("bash", map[string]any{"command": "cat fibonacci.txt"})
		t.EndModelRequest(ModelUsage{InputTokens: 2004, OutputTokens: 38, CacheReadInputTokens: 1024})
		if !finishTool(t, id, "bash", Fibonacci) {
			return
		}
	}
	toolNote := callFirstCustomTool(t, text)
	t.BeginModelRequest()
	t.Message("Here are the first 20 Fibonacci numbers: ",
		strings.Join(strings.Fields(Fibonacci), ", ")+". ",
		"They are saved in fibonacci.txt."+toolNote)
	t.EndModelRequest(ModelUsage{InputTokens: 2150, OutputTokens: 96, CacheReadInputTokens: 1024})
	t.Usage()
}

// finishTool waits for a confirmation when the tool asks for one, then emits the
// tool result. It reports false when the turn was stopped.
func finishTool(t *Turn, id, name, output string) bool {
	if id == "" {
		return false
	}
	ok, err := t.confirmed(id, name)
	if err != nil {
		return false
	}
	if ok {
		t.ToolResult(id, output, false)
	}
	return true
}

// callFirstCustomTool calls the agent's first custom tool, if any, with a string
// for each required property, and returns a note on its result for the final
// message.
func callFirstCustomTool(t *Turn, text string) string {
	names := t.CustomTools()
	if len(names) == 0 {
		return ""
	}
	tool := t.customTool(names[0])
	input := map[string]any{}
	if schema, ok := isObj(tool["input_schema"]); ok {
		req, _ := isList(schema["required"])
		for _, r := range req {
			if k, ok := r.(string); ok {
				input[k] = "example"
			}
		}
	}
	t.BeginModelRequest()
	id := t.CustomToolUse(names[0], input)
	t.EndModelRequest(ModelUsage{InputTokens: 640, OutputTokens: 24})
	if id == "" {
		return ""
	}
	answers, err := t.Await(id)
	if err != nil {
		return ""
	}
	result := answers[0].Text()
	if result == "" && len(answers[0].Content) > 0 {
		result = string(answers[0].Content)
	}
	if answers[0].IsError {
		return " (" + names[0] + " failed: " + result + ")"
	}
	return " (" + names[0] + " returned: " + result + ")"
}
