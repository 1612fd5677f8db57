package agenttoolset

import (
	"bytes"
	"encoding/json"
	"errors"
)

// The names of the built-in agent_toolset_20260401 tools, as they appear in
// the name field of an agent.tool_use event.
const (
	ToolBash  = "bash"
	ToolRead  = "read"
	ToolWrite = "write"
	ToolEdit  = "edit"
	ToolGlob  = "glob"
	ToolGrep  = "grep"
)

// BashInput is the input of the bash tool.
type BashInput struct {
	// Command is the command line to run; required unless Restart is set.
	Command string `json:"command,omitzero"`
	// Restart kills the shell (and everything it started) first; with no
	// Command the call only restarts it.
	Restart bool `json:"restart,omitzero"`
	// TimeoutMS bounds the command in milliseconds; zero or negative means
	// the default (120000), and a value above Options.MaxBashTimeout is cut
	// down to it.
	TimeoutMS int64 `json:"timeout_ms,omitzero"`
}

// ReadInput is the input of the read tool.
type ReadInput struct {
	// FilePath is the file to read, relative to the working directory or
	// absolute; required.
	FilePath string `json:"file_path"`
	// ViewRange selects lines [start, end], 1-based and inclusive: a start
	// below 1 means 1, an end of 0 or less means the end of the file. Empty
	// means the whole file; otherwise it must hold exactly two numbers.
	ViewRange []int64 `json:"view_range,omitzero"`
}

// WriteInput is the input of the write tool.
type WriteInput struct {
	// FilePath is the file to create or replace; required.
	FilePath string `json:"file_path"`
	// Content is the whole new content; it may be empty.
	Content string `json:"content"`
}

// EditInput is the input of the edit tool.
type EditInput struct {
	// FilePath is the file to edit; required.
	FilePath string `json:"file_path"`
	// OldString is the text to replace; required and non-empty.
	OldString string `json:"old_string"`
	// NewString replaces it; it may be empty.
	NewString string `json:"new_string"`
	// ReplaceAll replaces every occurrence; without it OldString must occur
	// exactly once.
	ReplaceAll bool `json:"replace_all,omitzero"`
}

// GlobInput is the input of the glob tool.
type GlobInput struct {
	// Pattern is matched against paths relative to Path: "**" is any number
	// of segments, other segments use shell matching (*, ?, [...]) within one
	// segment; required, relative, without a ".." segment.
	Pattern string `json:"pattern"`
	// Path is the directory to search; empty means the working directory.
	Path string `json:"path,omitzero"`
}

// GrepInput is the input of the grep tool.
type GrepInput struct {
	// Pattern is a regular expression in RE2 syntax, matched against each
	// line; required.
	Pattern string `json:"pattern"`
	// Path is the directory or file to search; empty means the working
	// directory.
	Path string `json:"path,omitzero"`
}

// errMissing names a required input field that is absent.
type errMissing string

func (e errMissing) Error() string { return string(e) + " is required" }

// decodeInput decodes raw into dst, tolerating unknown fields, and checks that
// every name in required is present (a required string may still be empty:
// write's content and edit's new_string are). It returns a message fit for
// the model.
func decodeInput(raw json.RawMessage, dst any, required ...string) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		raw = []byte("{}")
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return errors.New("invalid input: " + typeErr.Field + " must be " + jsonKind(typeErr.Type.Kind().String()))
		}
		return errors.New("invalid input: the input must be a JSON object")
	}
	if len(required) == 0 {
		return nil
	}
	var present map[string]json.RawMessage
	if err := json.Unmarshal(raw, &present); err != nil {
		return errors.New("invalid input: the input must be a JSON object")
	}
	for _, name := range required {
		if v, ok := present[name]; !ok || bytes.Equal(v, []byte("null")) {
			return errMissing(name)
		}
	}
	return nil
}

// jsonKind names a Go kind the way a JSON schema would.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice":
		return "an array"
	case "int64", "int":
		return "an integer"
	}
	return "of another type"
}
