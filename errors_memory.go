package managedagents

import (
	"errors"
	"fmt"
	"net/http"
)

// Error types of the memory endpoints (APIError.Type), more-resources.md §4.5.
const (
	ErrorTypeMemoryPreconditionFailed = "memory_precondition_failed_error"
	ErrorTypeMemoryPathConflict       = "memory_path_conflict_error"
)

// Sentinels of the memory conflicts, matched with errors.Is by a
// *MemoryPreconditionError, a *MemoryPathConflictError, and an *APIError of
// the matching type. Both also match [ErrConflict].
var (
	// ErrMemoryPreconditionFailed matches a memory update or delete refused
	// because the memory's content no longer has the expected hash.
	ErrMemoryPreconditionFailed = errors.New("managedagents: memory precondition failed")
	// ErrMemoryPathConflict matches a memory create or rename refused because
	// another memory of the store has the path.
	ErrMemoryPathConflict = errors.New("managedagents: memory path conflict")
)

// MemoryPreconditionError reports a conditional memory write (an update with
// a Precondition, a delete with ExpectedContentSHA256) that the server
// refused because the memory's content has changed: nothing was written.
// Read the memory again and decide. It matches [ErrMemoryPreconditionFailed]
// and [ErrConflict], and errors.As reaches the *APIError of the answer
// through it. The memory endpoints never retry it.
type MemoryPreconditionError struct {
	// MemoryStoreID and MemoryID name the memory.
	MemoryStoreID, MemoryID string
	// ExpectedSHA256 is the content hash the write expected.
	ExpectedSHA256 string
	// Err is the answer: a 409 (or 412) of type
	// memory_precondition_failed_error, or of another type the server used.
	Err *APIError
}

// Error names the memory, the hash expected and the answer.
func (e *MemoryPreconditionError) Error() string {
	return fmt.Sprintf("%smemory %s of store %s: precondition failed, its content no longer has sha256 %s: %s",
		errPrefix, e.MemoryID, e.MemoryStoreID, e.ExpectedSHA256, causeText(e.Err))
}

// Unwrap returns the answer.
func (e *MemoryPreconditionError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrMemoryPreconditionFailed].
func (e *MemoryPreconditionError) Is(target error) bool { return target == ErrMemoryPreconditionFailed }

// MemoryPathConflictError reports a memory create or rename that the server
// refused because another memory of the store has the path: nothing was
// written. It matches [ErrMemoryPathConflict] and [ErrConflict], and
// errors.As reaches the *APIError of the answer through it.
type MemoryPathConflictError struct {
	// MemoryStoreID is the store.
	MemoryStoreID string
	// MemoryID is the memory renamed; empty for a create.
	MemoryID string
	// Path is the path asked for.
	Path string
	// Err is the answer: a 409 of type memory_path_conflict_error.
	Err *APIError
}

// Error names the path and the answer.
func (e *MemoryPathConflictError) Error() string {
	what := "creating a memory"
	if e.MemoryID != "" {
		what = "renaming memory " + e.MemoryID
	}
	return fmt.Sprintf("%s%s at %q in store %s: the path is taken: %s", errPrefix, what, e.Path, e.MemoryStoreID, causeText(e.Err))
}

// Unwrap returns the answer.
func (e *MemoryPathConflictError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrMemoryPathConflict].
func (e *MemoryPathConflictError) Is(target error) bool { return target == ErrMemoryPathConflict }

// memoryWrite describes a memory write, to type its conflicts.
type memoryWrite struct {
	storeID, memoryID string
	// path is the path the write asks for (create, rename); empty for none.
	path string
	// expected is the precondition's hash; empty for an unconditional write.
	expected string
}

// memoryConflict returns err with the conflict answer of the write w typed:
// a *MemoryPreconditionError or a *MemoryPathConflictError in place of the
// *APIError, inside the *DeliveryError if there is one. The type of the
// answer decides; an answer of another type is typed by what w could have
// conflicted on: a 409 or 412 to a conditional write is its precondition
// (the API documents the status, not the type), a 409 to an unconditional
// create or rename its path. Any other error is returned as is.
func memoryConflict(err error, w memoryWrite) error {
	var api *APIError
	if !errors.As(err, &api) {
		return err
	}
	conditional := w.expected != ""
	var typed error
	switch {
	case api.Type == ErrorTypeMemoryPathConflict && api.StatusCode == http.StatusConflict,
		api.StatusCode == http.StatusConflict && api.Type != ErrorTypeMemoryPreconditionFailed && !conditional && w.path != "":
		typed = &MemoryPathConflictError{MemoryStoreID: w.storeID, MemoryID: w.memoryID, Path: w.path, Err: api}
	case conditional && (api.StatusCode == http.StatusConflict || api.StatusCode == http.StatusPreconditionFailed):
		typed = &MemoryPreconditionError{MemoryStoreID: w.storeID, MemoryID: w.memoryID, ExpectedSHA256: w.expected, Err: api}
	default:
		return err
	}
	var del *DeliveryError
	if errors.As(err, &del) {
		out := *del
		out.Err = typed
		return &out
	}
	return typed
}
