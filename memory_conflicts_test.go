package managedagents

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
)

func conflictBody(typ string) string {
	return `{"type":"error","error":{"type":"` + typ + `","message":"conflict"},"request_id":"req_c"}`
}

// retrying returns the options of a client that retries twice, fast.
func retrying(c *Client) *Client {
	c = c.WithOptions(option.WithMaxRetries(2))
	c.cfg.RetryBackoffBase, c.cfg.RetryBackoffMax = 0, 0
	return c
}

// A refused precondition comes back typed, is never retried, and the
// *APIError stays reachable.
func TestMemoryPreconditionFailed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		status int
		typ    string
		call   func(c *Client) error
	}{
		{"update", 409, ErrorTypeMemoryPreconditionFailed, func(c *Client) error {
			_, err := c.MemoryStores.Memories.Update(ctx, storeID, memoryID, MemoryUpdateParams{Content: new("v2"), Precondition: NewMemoryPreconditionContentSHA256(sampleSHA)})
			return err
		}},
		// The API documents the status, not the type: a 409 to a conditional
		// write is its precondition whatever the type.
		{"update, other type", 409, "invalid_request_error", func(c *Client) error {
			_, err := c.MemoryStores.Memories.Update(ctx, storeID, memoryID, MemoryUpdateParams{Content: new("v2"), Precondition: NewMemoryPreconditionContentSHA256(sampleSHA)})
			return err
		}},
		{"delete", 409, ErrorTypeMemoryPreconditionFailed, func(c *Client) error {
			_, err := c.MemoryStores.Memories.Delete(ctx, storeID, memoryID, MemoryDeleteParams{ExpectedContentSHA256: sampleSHA})
			return err
		}},
		// The official SDK's sync code also takes a 412 as the delete's failed precondition.
		{"delete, 412", 412, "invalid_request_error", func(c *Client) error {
			_, err := c.MemoryStores.Memories.Delete(ctx, storeID, memoryID, MemoryDeleteParams{ExpectedContentSHA256: sampleSHA})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(tc.status, conflictBody(tc.typ)))
			err := tc.call(retrying(c))
			require.Len(t, *reqs, 1, "a failed precondition is the answer: never retried")
			require.ErrorIs(t, err, ErrMemoryPreconditionFailed)
			require.NotErrorIs(t, err, ErrMemoryPathConflict)
			require.NotErrorIs(t, err, ErrDeliveryUncertain)
			var pe *MemoryPreconditionError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, MemoryPreconditionError{MemoryStoreID: storeID, MemoryID: memoryID, ExpectedSHA256: sampleSHA, Err: pe.Err}, *pe)
			var api *APIError
			require.ErrorAs(t, err, &api)
			require.Equal(t, tc.status, api.StatusCode)
			require.Equal(t, "req_c", api.RequestID)
			require.Contains(t, err.Error(), "precondition failed")
			require.Contains(t, err.Error(), sampleSHA)
		})
	}
}

func TestMemoryPathConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name, typ, memoryID string
		call                func(c *Client) error
	}{
		{"create", ErrorTypeMemoryPathConflict, "", func(c *Client) error {
			_, err := c.MemoryStores.Memories.Create(ctx, storeID, MemoryCreateParams{Path: "/taken.md"})
			return err
		}},
		// A create is sent once; its 409 is not uncertain, and a create can
		// only conflict on its path.
		{"create, other type", "conflict_error", "", func(c *Client) error {
			_, err := c.MemoryStores.Memories.Create(ctx, storeID, MemoryCreateParams{Path: "/taken.md"})
			return err
		}},
		{"rename", ErrorTypeMemoryPathConflict, memoryID, func(c *Client) error {
			_, err := c.MemoryStores.Memories.Update(ctx, storeID, memoryID, MemoryUpdateParams{Path: "/taken.md"})
			return err
		}},
		// A conditional rename answered with the path conflict type is a path conflict.
		{"conditional rename", ErrorTypeMemoryPathConflict, memoryID, func(c *Client) error {
			_, err := c.MemoryStores.Memories.Update(ctx, storeID, memoryID, MemoryUpdateParams{Path: "/taken.md", Precondition: NewMemoryPreconditionContentSHA256(sampleSHA)})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Should-Retry", "true") // even so
				replyJSON(409, conflictBody(tc.typ))(w, r)
			})
			err := tc.call(retrying(c))
			require.Len(t, *reqs, 1, "a path conflict is the answer: never retried")
			require.ErrorIs(t, err, ErrMemoryPathConflict)
			require.ErrorIs(t, err, ErrConflict)
			require.NotErrorIs(t, err, ErrMemoryPreconditionFailed)
			var pe *MemoryPathConflictError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "/taken.md", pe.Path)
			require.Equal(t, tc.memoryID, pe.MemoryID)
			require.Contains(t, err.Error(), `"/taken.md"`)
		})
	}
}

// Other answers are left alone: a 409 to a write that has neither a
// precondition nor a path, a 404, and the sentinels match an *APIError by type.
func TestMemoryConflictOtherAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newTestClient(t, replyJSON(409, conflictBody("conflict_error")))
	_, err := c.MemoryStores.Memories.Update(ctx, storeID, memoryID, MemoryUpdateParams{Content: new("x")})
	require.ErrorIs(t, err, ErrConflict)
	require.NotErrorIs(t, err, ErrMemoryPreconditionFailed)
	require.NotErrorIs(t, err, ErrMemoryPathConflict)

	c, _ = newTestClient(t, replyJSON(404, `{"type":"error","error":{"type":"not_found_error","message":"no memory"}}`))
	_, err = c.MemoryStores.Memories.Delete(ctx, storeID, memoryID, MemoryDeleteParams{ExpectedContentSHA256: sampleSHA})
	require.ErrorIs(t, err, ErrNotFound)
	require.NotErrorIs(t, err, ErrMemoryPreconditionFailed)

	require.ErrorIs(t, &APIError{StatusCode: 409, Type: ErrorTypeMemoryPreconditionFailed}, ErrMemoryPreconditionFailed)
	require.ErrorIs(t, &APIError{StatusCode: 409, Type: ErrorTypeMemoryPathConflict}, ErrMemoryPathConflict)
	require.NotErrorIs(t, &APIError{StatusCode: 409, Type: "conflict_error"}, ErrMemoryPathConflict)
}

// A conditional update whose first attempt may have been applied (a 500)
// meets its own write on the retry: the precondition fails. The update reads
// the memory back and, finding what it asked for, succeeds; finding
// something else, it returns the failed precondition, marked uncertain.
func TestMemoryUpdateReconcilesItsOwnWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ours := MemoryContentSHA256("v2")
	for _, tc := range []struct {
		name    string
		current string // content_sha256 of the memory when read back
		path    string
		ok      bool
	}{
		{"applied", ours, "/renamed.md", true},
		{"someone else's content", MemoryContentSHA256("v3"), "/renamed.md", false},
		{"not renamed", ours, "/preferences/formatting.md", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var attempt atomic.Int32
			c, reqs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					replyJSON(200, `{"id":"`+memoryID+`","type":"memory","path":"`+tc.path+`","content":null,"content_sha256":"`+tc.current+`"}`)(w, r)
					return
				}
				if attempt.Add(1) == 1 {
					replyJSON(500, `{"type":"error","error":{"type":"api_error","message":"lost"}}`)(w, r)
					return
				}
				replyJSON(409, conflictBody(ErrorTypeMemoryPreconditionFailed))(w, r)
			})
			m, err := retrying(c).MemoryStores.Memories.Update(ctx, storeID, memoryID, MemoryUpdateParams{
				Path: "/renamed.md", Content: new("v2"), Precondition: NewMemoryPreconditionContentSHA256(sampleSHA)})
			require.Len(t, *reqs, 3, "update, its retry, the read back")
			require.Equal(t, "GET", (*reqs)[2].Method)
			require.Equal(t, "view=basic", (*reqs)[2].RawQuery, "read back in the update's view")
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, ours, m.ContentSHA256)
				return
			}
			require.Nil(t, m)
			require.ErrorIs(t, err, ErrMemoryPreconditionFailed)
			require.ErrorIs(t, err, ErrDeliveryUncertain, "the first attempt may have been applied")
			var del *DeliveryError
			require.ErrorAs(t, err, &del)
			var pe *MemoryPreconditionError
			require.ErrorAs(t, del.Err, &pe)
		})
	}
}

// Without a retry in between, a failed precondition is certain and the
// memory is not read back.
func TestMemoryUpdateNoReadBackWhenCertain(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(409, conflictBody(ErrorTypeMemoryPreconditionFailed)))
	_, err := retrying(c).MemoryStores.Memories.Update(context.Background(), storeID, memoryID, MemoryUpdateParams{
		Content: new("v2"), Precondition: NewMemoryPreconditionContentSHA256(sampleSHA)})
	require.Len(t, *reqs, 1)
	require.True(t, errors.Is(err, ErrMemoryPreconditionFailed) && !errors.Is(err, ErrDeliveryUncertain), "%v", err)
}

// Memory content and paths may be sensitive: the debug log of a memory call
// and its retries names the route, never the path, the prefix or the content.
func TestMemoryDebugLogKeepsContentOut(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var n atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 1 {
			replyJSON(503, `{"type":"error","error":{"type":"api_error","message":"busy"}}`)(w, r)
			return
		}
		replyJSON(200, string(fixture(t, "memory_stores/page_of_memories.json")))(w, r)
	}, option.WithLogger(logger))
	c = retrying(c)
	ctx := context.Background()
	_, err := c.MemoryStores.Memories.List(ctx, storeID, MemoryListParams{PathPrefix: "/patients/jane-doe/"})
	require.NoError(t, err)
	_, _ = c.MemoryStores.Memories.Update(ctx, storeID, memoryID, MemoryUpdateParams{Path: "/patients/jane-doe/x.md", Content: new("diagnosis: private")})
	require.Contains(t, logs.String(), "/v1/memory_stores/{memory_store_id}/memories", "the route is logged")
	for _, secret := range []string{"jane-doe", "diagnosis", "private", "Prefers"} {
		require.NotContains(t, logs.String(), secret)
	}
}
