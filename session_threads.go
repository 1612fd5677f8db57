package managedagents

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// SessionThread is one thread of a session ("type":"session_thread"): the
// primary thread, or one spawned by a multiagent agent. Nullable timestamps are
// the zero time when null.
type SessionThread struct {
	// ID is the thread's id (sthr_…).
	ID string `json:"id"`
	// Type is "session_thread".
	Type string `json:"type"`
	// SessionID is the session the thread belongs to.
	SessionID string `json:"session_id"`
	// ParentThreadID is the thread that spawned this one; empty for the primary
	// thread.
	ParentThreadID string `json:"parent_thread_id,omitzero"`
	// Status is the thread's status.
	Status SessionStatus `json:"status"`
	// Agent is the thread's agent snapshot; its Type is "agent" (a saved agent),
	// "advisor" (Model.ID only) or "inline" (an unsaved agent).
	Agent SessionAgent `json:"agent"`
	// WorkflowRunID is the workflow run that created the thread; empty otherwise.
	WorkflowRunID string `json:"workflow_run_id,omitzero"`
	// Stats are timing statistics; nil until the thread's first status change.
	Stats *ThreadStats `json:"stats,omitzero"`
	// Usage is the thread's cumulative usage; nil until its first idle.
	Usage *SessionUsage `json:"usage,omitzero"`
	// CreatedAt is when the thread was created.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the thread was last updated.
	UpdatedAt time.Time `json:"updated_at"`
	// ArchivedAt is when the thread was archived; zero when it is not.
	ArchivedAt time.Time `json:"archived_at,omitzero"`

	raw json.RawMessage
}

// RawJSON returns the thread exactly as received, including fields this SDK
// does not know.
func (t *SessionThread) RawJSON() json.RawMessage { return t.raw }

// IsArchived reports whether the thread is archived.
func (t *SessionThread) IsArchived() bool { return !t.ArchivedAt.IsZero() }

// UnmarshalJSON decodes a thread and keeps its raw JSON.
func (t *SessionThread) UnmarshalJSON(b []byte) error {
	type plain SessionThread
	if err := json.Unmarshal(b, (*plain)(t)); err != nil {
		return err
	}
	t.raw = append(json.RawMessage(nil), b...)
	return nil
}

// ThreadStats are a thread's timing statistics.
type ThreadStats struct {
	// ActiveSeconds is the thread's running time.
	ActiveSeconds float64 `json:"active_seconds"`
	// DurationSeconds is the wall time since the thread was created.
	DurationSeconds float64 `json:"duration_seconds"`
	// StartupSeconds is the time the thread took to start.
	StartupSeconds float64 `json:"startup_seconds"`
}

// SessionThreadListParams filters GET /v1/sessions/{session_id}/threads.
type SessionThreadListParams struct {
	// Limit is the page size (API default 1000).
	Limit int
	// Page is a cursor from a previous page's NextPage (forward only).
	Page string
	// Statuses keeps threads in these statuses (statuses[]).
	Statuses []SessionStatus
}

func (p SessionThreadListParams) values() (url.Values, error) {
	if p.Limit < 0 {
		return nil, invalid("limit", "must not be negative")
	}
	statuses := make([]string, len(p.Statuses))
	for i, s := range p.Statuses {
		if err := s.check("statuses[" + strconv.Itoa(i) + "]"); err != nil {
			return nil, err
		}
		statuses[i] = string(s)
	}
	q := query{}
	q.int("limit", p.Limit)
	q.str("page", p.Page)
	q.list("statuses", statuses)
	return url.Values(q), nil
}

// Get returns one thread of a session.
//
// GET /v1/sessions/{session_id}/threads/{thread_id}
func (s *SessionThreadService) Get(ctx context.Context, sessionID, threadID string, opts ...option.RequestOption) (*SessionThread, error) {
	if err := checkThreadIDs(sessionID, threadID); err != nil {
		return nil, err
	}
	return doJSON[SessionThread](ctx, s.client, sessionsThreadsRetrieve.At(sessionID, threadID), opts)
}

// List returns one page of a session's threads, the primary thread included.
//
// GET /v1/sessions/{session_id}/threads
func (s *SessionThreadService) List(ctx context.Context, sessionID string, params SessionThreadListParams, opts ...option.RequestOption) (*Page[*SessionThread], error) {
	if err := checkID("session_id", sessionID); err != nil {
		return nil, err
	}
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return doJSON[Page[*SessionThread]](ctx, s.client, sessionsThreadsList.At(sessionID).WithQuery(q), opts)
}

// ListAll iterates over a session's threads from params.Page on, fetching pages
// lazily, and stops at the first error.
//
// GET /v1/sessions/{session_id}/threads
func (s *SessionThreadService) ListAll(ctx context.Context, sessionID string, params SessionThreadListParams, opts ...option.RequestOption) iter.Seq2[*SessionThread, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*SessionThread], error) {
		p := params
		p.Page = page
		return s.List(ctx, sessionID, p, opts...)
	})
}

// Archive archives a thread. Threads have no delete.
//
// POST /v1/sessions/{session_id}/threads/{thread_id}/archive
func (s *SessionThreadService) Archive(ctx context.Context, sessionID, threadID string, opts ...option.RequestOption) (*SessionThread, error) {
	if err := checkThreadIDs(sessionID, threadID); err != nil {
		return nil, err
	}
	return doJSON[SessionThread](ctx, s.client, sessionsThreadsArchive.At(sessionID, threadID), opts)
}

func checkThreadIDs(sessionID, threadID string) error {
	if err := checkID("session_id", sessionID); err != nil {
		return err
	}
	return checkID("thread_id", threadID)
}
