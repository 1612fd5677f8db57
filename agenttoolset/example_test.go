package agenttoolset_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/go-managedagents/managedagents/agenttoolset"
)

// A runner hands each agent.tool_use event's name and input to Run and posts
// the result as the user.tool_result that answers the event.
func ExampleToolset_Run() {
	workdir, err := os.MkdirTemp("", "work")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(workdir)

	ts, err := agenttoolset.New(workdir, agenttoolset.Options{
		// The worker's credentials: never in the shell's environment.
		Secrets: []string{os.Getenv("ANTHROPIC_ENVIRONMENT_KEY")},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer ts.Close() // ends the shell and everything it started

	toolUses := []struct {
		ID, Name string
		Input    json.RawMessage
	}{
		{"sevt_1", "write", json.RawMessage(`{"file_path":"hello.sh","content":"echo hello from $0\n"}`)},
		{"sevt_2", "bash", json.RawMessage(`{"command":"bash hello.sh && cat nope.txt"}`)},
		{"sevt_3", "read", json.RawMessage(`{"file_path":"../etc/passwd"}`)},
		{"sevt_4", "web_fetch", json.RawMessage(`{}`)},
	}
	for _, use := range toolUses {
		res, err := ts.Run(context.Background(), use.Name, use.Input)
		if errors.Is(err, agenttoolset.ErrUnknownTool) {
			fmt.Println(use.ID, "not ours: nothing posted")
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		body, _ := json.Marshal(map[string]any{"events": []any{res.Event(use.ID)}})
		fmt.Println(string(body)) // POST /v1/sessions/{id}/events
	}
	// Output:
	// {"events":[{"type":"user.tool_result","tool_use_id":"sevt_1","is_error":false,"content":[{"type":"text","text":"wrote 19 bytes to hello.sh"}]}]}
	// {"events":[{"type":"user.tool_result","tool_use_id":"sevt_2","is_error":true,"content":[{"type":"text","text":"hello from hello.sh\ncat: nope.txt: No such file or directory\n\n\nexit code: 1"}]}]}
	// {"events":[{"type":"user.tool_result","tool_use_id":"sevt_3","is_error":true,"content":[{"type":"text","text":"read: path \"../etc/passwd\" is outside the working directory"}]}]}
	// sevt_4 not ours: nothing posted
}

// Tools run from Go with their typed inputs too.
func ExampleToolset_Grep() {
	workdir, err := os.MkdirTemp("", "work")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(workdir)
	ts, err := agenttoolset.New(workdir, agenttoolset.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer ts.Close()

	ctx := context.Background()
	if _, err := ts.Write(ctx, agenttoolset.WriteInput{FilePath: "notes.txt", Content: "one\nTODO: two\nthree\n"}); err != nil {
		log.Fatal(err)
	}
	res, err := ts.Grep(ctx, agenttoolset.GrepInput{Pattern: `^TODO`, Path: "notes.txt"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.IsError, strings.TrimPrefix(res.Text(), ts.Workdir()+"/"))
	// Output: false notes.txt:2:TODO: two
}
