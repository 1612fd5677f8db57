package managedagentstest

import (
	"errors"
	"fmt"
	"strings"
)

// MemoryMount is a memory store mounted in a session, as a [Turn] sees it.
type MemoryMount struct {
	// MemoryStoreID is the store.
	MemoryStoreID string
	// MountPath is the store's directory, e.g. /mnt/memory/user-preferences.
	MountPath string
	// ReadOnly is true for a store mounted with access read_only.
	ReadOnly bool
}

// MemoryMounts returns the memory stores mounted in the turn's session, in
// the order of its resources.
func (t *Turn) MemoryMounts() []MemoryMount {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	var out []MemoryMount
	for _, r := range t.sess.resources {
		if typeOf(r.v) != "memory_store" {
			continue
		}
		out = append(out, MemoryMount{MemoryStoreID: r.v["memory_store_id"].(string),
			MountPath: r.v["mount_path"].(string), ReadOnly: r.v["access"] == "read_only"})
	}
	return out
}

// mountedMemory resolves path, a file under a mount of the session, to its
// store and its memory path; s.mu must be held.
func (t *Turn) mountedMemory(path string) (store *memoryStoreRec, memPath string, readOnly bool, err error) {
	for _, r := range t.sess.resources {
		mount, _ := r.v["mount_path"].(string)
		rest, ok := strings.CutPrefix(path, mount)
		if typeOf(r.v) != "memory_store" || !ok || !strings.HasPrefix(rest, "/") {
			continue
		}
		id := r.v["memory_store_id"].(string)
		store, ok := t.s.memStores[id]
		if !ok {
			return nil, "", false, fmt.Errorf("managedagentstest: memory store %s was deleted", id)
		}
		return store, rest, r.v["access"] == "read_only", nil
	}
	return nil, "", false, fmt.Errorf("managedagentstest: %s is under no memory store mounted in session %s", path, t.sess.id)
}

// ReadMemory returns the content of the memory at path, a file under a
// memory store mounted in the session (/mnt/memory/<store>/notes.md), as
// the agent reads it; ok is false when there is no such memory.
func (t *Turn) ReadMemory(path string) (content string, ok bool) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	store, memPath, _, err := t.mountedMemory(path)
	if err != nil {
		return "", false
	}
	for _, m := range store.memories {
		if m.path == memPath {
			return m.content, true
		}
	}
	return "", false
}

// WriteMemory writes content to path, a file under a memory store mounted
// in the session, as the agent's write through the mount does: it creates
// the memory or changes its content, and the version it leaves is by a
// session_actor naming the session (operation "modified" for a change). It
// fails when path is under no mount, the mount is read-only, the store is
// archived or deleted, the path or content breaks the memory rules, or the
// turn was stopped.
func (t *Turn) WriteMemory(path, content string) error {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if err := t.errLocked(); err != nil {
		return err
	}
	store, memPath, readOnly, err := t.mountedMemory(path)
	switch {
	case err != nil:
		return err
	case readOnly:
		return fmt.Errorf("managedagentstest: %s: read-only file system (memory store %s is mounted read_only)", path, store.id)
	case store.archived():
		return fmt.Errorf("managedagentstest: %s: memory store %s is archived", path, store.id)
	}
	if err := checkMemoryPath("path", memPath); err != nil {
		return errors.New("managedagentstest: " + err.Error())
	}
	if _, err := checkContent(content, true); err != nil {
		return errors.New("managedagentstest: " + err.Error())
	}
	var existing *memoryRec
	for _, m := range store.memories {
		if m.path == memPath {
			existing = m
		}
	}
	actor := obj{"type": "session_actor", "session_id": t.sess.id}
	if existing == nil {
		_, err = t.s.putMemory(store, nil, memPath, &content, actor)
	} else {
		_, err = t.s.putMemory(store, existing, "", &content, actor)
	}
	return err
}

// MemoryScript is an agent that keeps notes in the first read-write memory
// store mounted in its session. Each turn it reads <mount>/notes.md (a read
// tool use; the file may not exist yet), appends the user's message to it as
// a line "- <text>" and writes it back (a write tool use, then the write
// through the mount: a memory version by the session), and answers with the
// notes. Tools its agent's toolset does not enable are skipped, and
// always_ask tools wait for the client's confirmation. Without a read-write
// store mounted it plays [DefaultScript].
func MemoryScript(t *Turn) {
	var mount *MemoryMount
	for _, m := range t.MemoryMounts() {
		if !m.ReadOnly {
			mount = &m
			break
		}
	}
	if mount == nil {
		DefaultScript(t)
		return
	}
	path := mount.MountPath + "/notes.md"
	notes, found := t.ReadMemory(path)
	shown := notes
	if !found {
		shown = "File does not exist: " + path
	}
	t.BeginModelRequest()
	t.Message("Let me check my notes.")
	if !memoryTool(t, "read", map[string]any{"file_path": path}, shown, !found) && t.Err() != nil {
		return
	}
	notes += "- " + t.Text() + "\n"
	t.BeginModelRequest()
	wrote := memoryTool(t, "write", map[string]any{"file_path": path, "content": notes}, "File written: "+path, false)
	if t.Err() != nil {
		return
	}
	answer := "I could not update my notes."
	if wrote {
		if err := t.WriteMemory(path, notes); err != nil {
			answer = "I could not update my notes: " + err.Error()
		} else {
			answer = "Noted. My notes now read:\n" + strings.TrimSuffix(notes, "\n")
		}
	}
	t.BeginModelRequest()
	t.Message(answer)
	t.EndModelRequest(ModelUsage{InputTokens: 900, OutputTokens: 60})
	t.Usage()
}

// memoryTool ends the model request begun by the caller with a use of the
// built-in tool name, then answers it with output once confirmed if the
// tool asks for it. It reports whether the tool ran: false when the toolset
// does not enable it, the client denied it, or the turn was stopped.
func memoryTool(t *Turn, name string, input map[string]any, output string, isError bool) bool {
	if t.ToolPolicy(name) == "" {
		t.EndModelRequest(ModelUsage{InputTokens: 700, OutputTokens: 20})
		return false
	}
	id := t.ToolUse(name, input)
	t.EndModelRequest(ModelUsage{InputTokens: 700, OutputTokens: 40})
	if id == "" {
		return false
	}
	if ok, _ := t.confirmed(id, name); !ok {
		return false
	}
	t.ToolResult(id, output, isError)
	return true
}
