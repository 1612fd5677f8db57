package managedagents

import (
	"context"
	"iter"
	"net/url"

	"github.com/go-managedagents/managedagents/option"
)

// SessionThread is one thread of a session ("type":"session_thread"): the
// primary thread, or one spawned by a multiagent agent.
type SessionThread struct {
	// ObjectMeta holds the id (sthr_…), the type ("session_thread"), the
	// timestamps and the raw JSON.
	ObjectMeta
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
}

// UnmarshalJSON decodes a thread and keeps its raw JSON.
func (t *SessionThread) UnmarshalJSON(b []byte) error {
	type plain SessionThread
	return decodeObject(b, (*plain)(t), &t.ObjectMeta)
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
	q, err := listQuery(p.Limit, p.Page)
	if err != nil {
		return nil, err
	}
	if err := q.statuses(p.Statuses); err != nil {
		return nil, err
	}
	return url.Values(q), nil
}

// SessionThreadGetParams are the parameters of GET
// /v1/sessions/{session_id}/threads/{thread_id}; it has none yet.
type SessionThreadGetParams struct{}

// SessionThreadArchiveParams are the parameters of POST
// /v1/sessions/{session_id}/threads/{thread_id}/archive; it has none yet.
type SessionThreadArchiveParams struct{}

// Get returns one thread of a session.
//
// GET /v1/sessions/{session_id}/threads/{thread_id}
func (s *SessionThreadService) Get(ctx context.Context, sessionID, threadID string, params SessionThreadGetParams, opts ...option.RequestOption) (*SessionThread, error) {
	return doJSON[SessionThread](ctx, s.client, sessionsThreadsRetrieve.At(sessionID, threadID), opts)
}

// List returns one page of a session's threads, the primary thread included.
//
// GET /v1/sessions/{session_id}/threads
func (s *SessionThreadService) List(ctx context.Context, sessionID string, params SessionThreadListParams, opts ...option.RequestOption) (*Page[*SessionThread], error) {
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
func (s *SessionThreadService) Archive(ctx context.Context, sessionID, threadID string, params SessionThreadArchiveParams, opts ...option.RequestOption) (*SessionThread, error) {
	return doJSON[SessionThread](ctx, s.client, sessionsThreadsArchive.At(sessionID, threadID), opts)
}
