package managedagents

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-managedagents/managedagents/option"
)

// EnvironmentWorkService is the work queue of self-hosted environments:
// the items a worker polls, acks, holds by heartbeats and stops
// (self-hosted.md §2). Get it from [EnvironmentService.Work].
//
// Each endpoint sends the credential the API takes for it, whatever else the
// client holds: Poll, Ack and List the environment key
// (option.WithEnvironmentKey); Heartbeat and Stop the item's sessions token
// (a client from [Client.ForWorkItem]), else the environment key; Get and
// Update the API key. Credentials other than the API key go as
// Authorization: Bearer.
type EnvironmentWorkService struct{ client *Client }

// EnvironmentWorkPollParams are the parameters of a poll.
type EnvironmentWorkPollParams struct {
	// BlockMs is how long the server holds an empty poll open, 1 to 999
	// milliseconds. Zero sends nothing: the poll answers at once (the API
	// refuses an explicit 0, so it is never sent).
	BlockMs int
	// ReclaimOlderThanMs asks for items polled by another worker but not
	// acked for longer than this; zero sends nothing (server default 5000).
	ReclaimOlderThanMs int
	// WorkerID identifies this worker (Anthropic-Worker-ID), so the queue's
	// stats count it; empty sends none.
	WorkerID string
}

// maxBlockMs is the longest block_ms the API accepts.
const maxBlockMs = 999

func (p EnvironmentWorkPollParams) query() (url.Values, error) {
	switch {
	case p.BlockMs < 0 || p.BlockMs > maxBlockMs:
		return nil, invalid("block_ms", "must be from 1 to 999 milliseconds (0 for a poll that does not block), not "+strconv.Itoa(p.BlockMs))
	case p.ReclaimOlderThanMs < 0:
		return nil, invalid("reclaim_older_than_ms", "must not be negative")
	case strings.ContainsAny(p.WorkerID, "\r\n\x00"):
		return nil, invalid("worker_id", "holds a line break or NUL")
	}
	q := query{}
	q.int("block_ms", p.BlockMs)
	q.int("reclaim_older_than_ms", p.ReclaimOlderThanMs)
	return url.Values(q), nil
}

// EnvironmentWorkAckParams are the parameters of an ack; it has none yet.
type EnvironmentWorkAckParams struct{}

// EnvironmentWorkHeartbeatParams are the parameters of a heartbeat.
type EnvironmentWorkHeartbeatParams struct {
	// ExpectedLastHeartbeat is the LastHeartbeat of the previous heartbeat's
	// answer, byte for byte, or [NoHeartbeat] for the first heartbeat of a
	// lease. Required: the server refuses a heartbeat whose value is not the
	// one it stores (412, a *LeaseLostError).
	ExpectedLastHeartbeat string
	// DesiredTTLSeconds asks for a lease time to live; zero sends nothing
	// (the server's default).
	DesiredTTLSeconds int
}

// EnvironmentWorkStopParams are the parameters of a stop.
type EnvironmentWorkStopParams struct {
	// Force stops the item at once; otherwise the stop is graceful (the item
	// goes through stopping).
	Force bool `json:"force,omitzero"`
}

// EnvironmentWorkListParams are the parameters of a work list.
type EnvironmentWorkListParams struct {
	// Limit is the page size; zero takes the server's default.
	Limit int
	// Page is a cursor from a previous page's NextPage.
	Page string
}

// EnvironmentWorkGetParams are the parameters of a work get; it has none yet.
type EnvironmentWorkGetParams struct{}

// EnvironmentWorkUpdateParams are the parameters of a work update.
type EnvironmentWorkUpdateParams struct {
	// Metadata patches the item's metadata (see [MetadataPatch]): a key set to
	// a string is upserted, a key set to nil deleted. It is always sent,
	// empty too (the API requires it).
	Metadata MetadataPatch `json:"metadata"`
}

// EnvironmentWorkStatsParams are the parameters of a stats read; it has none
// yet.
type EnvironmentWorkStatsParams struct{}

// checkWorkIDs checks the path ids of a work call.
func checkWorkIDs(environmentID, workID string) error {
	if err := checkID("environment_id", environmentID); err != nil {
		return err
	}
	return checkID("work_id", workID)
}

// Poll claims the next work item of the environment's queue, waiting up to
// params.BlockMs for one. It returns a nil item and a nil error when there is
// no work, whatever form the answer takes (200 null, an empty 2xx body, 200
// {}, 204, an item without an id). Ack the item at once: an item not acked
// within reclaim_older_than_ms (5 s by default) can be handed to another
// worker. It sends the environment key. A poll whose answer is lost is
// retried: the item it may have claimed is handed out again once its claim
// goes stale.
//
// GET /v1/environments/{environment_id}/work/poll
func (s *EnvironmentWorkService) Poll(ctx context.Context, environmentID string, params EnvironmentWorkPollParams, opts ...option.RequestOption) (*WorkItem, error) {
	if err := checkID("environment_id", environmentID); err != nil {
		return nil, err
	}
	q, err := params.query()
	if err != nil {
		return nil, err
	}
	r := workPoll.At(environmentID).WithQuery(q)
	if params.WorkerID != "" {
		r = r.WithHeader("Anthropic-Worker-ID", params.WorkerID)
	}
	var item *WorkItem
	err = s.client.send(ctx, r, opts, func(data []byte) error {
		var derr error
		item, derr = decodePolledItem(data)
		return derr
	})
	return item, err
}

// Ack confirms that this worker took the polled item; it answers the item in
// state starting. Start heartbeating right after, before any slow setup. It
// sends the environment key. An ack is never sent twice: a failure after
// the request may have reached the server is a *DeliveryError (the ack may
// have landed; the first heartbeat tells).
//
// POST /v1/environments/{environment_id}/work/{work_id}/ack
func (s *EnvironmentWorkService) Ack(ctx context.Context, environmentID, workID string, params EnvironmentWorkAckParams, opts ...option.RequestOption) (*WorkItem, error) {
	if err := checkWorkIDs(environmentID, workID); err != nil {
		return nil, err
	}
	return doJSON[WorkItem](ctx, s.client, workAck.At(environmentID, workID), opts)
}

// Heartbeat extends the lease on a work item. Send the previous answer's
// LastHeartbeat as params.ExpectedLastHeartbeat ([NoHeartbeat] the first
// time). A 412 answer, the lease gone to the queue or another worker, is a
// *LeaseLostError matching [ErrLeaseLost]: stop the item's tools and do not
// stop the item. An answer whose Held is false asks the worker to stop.
//
// It sends the item's token (a client from [Client.ForWorkItem]), else the
// environment key. A heartbeat is never sent twice: a failure after the
// request may have reached the server is a *DeliveryError, since a beat
// stored with its answer lost would make a blind repeat fail with 412 (see
// [WorkLease], which recovers from it).
//
// POST /v1/environments/{environment_id}/work/{work_id}/heartbeat
func (s *EnvironmentWorkService) Heartbeat(ctx context.Context, environmentID, workID string, params EnvironmentWorkHeartbeatParams, opts ...option.RequestOption) (*WorkHeartbeat, error) {
	if err := checkWorkIDs(environmentID, workID); err != nil {
		return nil, err
	}
	switch {
	case params.ExpectedLastHeartbeat == "":
		return nil, invalid("expected_last_heartbeat", "is required: the previous answer's last_heartbeat, or NO_HEARTBEAT for the first beat")
	case params.DesiredTTLSeconds < 0:
		return nil, invalid("desired_ttl_seconds", "must not be negative")
	}
	q := query{}
	q.str("expected_last_heartbeat", params.ExpectedLastHeartbeat)
	q.int("desired_ttl_seconds", params.DesiredTTLSeconds)
	hb, err := doJSON[WorkHeartbeat](ctx, s.client, workHeartbeat.At(environmentID, workID).WithQuery(url.Values(q)), opts)
	if err != nil {
		return nil, asLeaseLost(err)
	}
	return hb, nil
}

// Stop stops a work item, at once with params.Force, else gracefully. The
// API answers 204 without a body, or 409 when the item was stopped already:
// both are a success (see [WorkStopResult]). It sends the item's token (a
// client from [Client.ForWorkItem]), else the environment key. A stop whose
// answer is lost is sent again: the repeat finds the item stopped.
//
// POST /v1/environments/{environment_id}/work/{work_id}/stop
func (s *EnvironmentWorkService) Stop(ctx context.Context, environmentID, workID string, params EnvironmentWorkStopParams, opts ...option.RequestOption) (*WorkStopResult, error) {
	if err := checkWorkIDs(environmentID, workID); err != nil {
		return nil, err
	}
	cfg, err := s.client.config(opts)
	if err != nil {
		return nil, err
	}
	out := &WorkStopResult{}
	err = sendWithStatus(ctx, cfg, workStop.At(environmentID, workID).WithBody(params), func(status int, data []byte) error {
		if status == http.StatusConflict {
			out.AlreadyStopped = true
			return nil
		}
		t := bytes.TrimSpace(data)
		if len(t) == 0 || string(t) == "null" || string(t) == "{}" {
			return nil
		}
		out.Item = &WorkItem{}
		return json.Unmarshal(t, out.Item)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// List returns one page of the environment's work items. It sends the
// environment key.
//
// GET /v1/environments/{environment_id}/work
func (s *EnvironmentWorkService) List(ctx context.Context, environmentID string, params EnvironmentWorkListParams, opts ...option.RequestOption) (*Page[*WorkItem], error) {
	if err := checkID("environment_id", environmentID); err != nil {
		return nil, err
	}
	q, err := listQuery(params.Limit, params.Page)
	if err != nil {
		return nil, err
	}
	return doJSON[Page[*WorkItem]](ctx, s.client, workList.At(environmentID).WithQuery(url.Values(q)), opts)
}

// ListAll iterates over the environment's work items from params.Page on,
// fetching pages lazily, and stops at the first error.
//
// GET /v1/environments/{environment_id}/work
func (s *EnvironmentWorkService) ListAll(ctx context.Context, environmentID string, params EnvironmentWorkListParams, opts ...option.RequestOption) iter.Seq2[*WorkItem, error] {
	return listAll(ctx, params.Page, func(ctx context.Context, page string) (*Page[*WorkItem], error) {
		p := params
		p.Page = page
		return s.List(ctx, environmentID, p, opts...)
	})
}

// Get returns a work item (its Secret is never set here). It sends the API
// key: the API refuses the environment key and item tokens.
//
// GET /v1/environments/{environment_id}/work/{work_id}
func (s *EnvironmentWorkService) Get(ctx context.Context, environmentID, workID string, params EnvironmentWorkGetParams, opts ...option.RequestOption) (*WorkItem, error) {
	if err := checkWorkIDs(environmentID, workID); err != nil {
		return nil, err
	}
	return doJSON[WorkItem](ctx, s.client, workRetrieve.At(environmentID, workID), opts)
}

// Update patches a work item's metadata. It sends the API key: the API
// refuses the environment key and item tokens.
//
// POST /v1/environments/{environment_id}/work/{work_id}
func (s *EnvironmentWorkService) Update(ctx context.Context, environmentID, workID string, params EnvironmentWorkUpdateParams, opts ...option.RequestOption) (*WorkItem, error) {
	if err := checkWorkIDs(environmentID, workID); err != nil {
		return nil, err
	}
	if err := validateMetadataKeys("metadata", params.Metadata); err != nil {
		return nil, err
	}
	if params.Metadata == nil {
		params.Metadata = MetadataPatch{}
	}
	return doJSON[WorkItem](ctx, s.client, workUpdate.At(environmentID, workID).WithBody(params), opts)
}

// Stats returns the state of the environment's queue: items waiting and
// pending, the oldest one's age, the workers polling. It sends the client's
// credential (the API key, else the environment key).
//
// GET /v1/environments/{environment_id}/work/stats
func (s *EnvironmentWorkService) Stats(ctx context.Context, environmentID string, params EnvironmentWorkStatsParams, opts ...option.RequestOption) (*WorkQueueStats, error) {
	if err := checkID("environment_id", environmentID); err != nil {
		return nil, err
	}
	return doJSON[WorkQueueStats](ctx, s.client, workStats.At(environmentID), opts)
}
