package conformance

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/lib/environments"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/go-managedagents/managedagents/managedagentstest"
)

func init() {
	for _, route := range []string{managedagentstest.RoutePollWork, managedagentstest.RouteAckWork, managedagentstest.RouteGetWork,
		managedagentstest.RouteUpdateWork, managedagentstest.RouteStopWork} {
		schemas[route] = decodeWorkAnswer
	}
	answers[anthropic.BetaSelfHostedWorkHeartbeatResponse](managedagentstest.RouteHeartbeatWork)
	answers[pagination.PageCursor[anthropic.BetaSelfHostedWork]](managedagentstest.RouteListWork)
	answers[anthropic.BetaSelfHostedWorkQueueStats](managedagentstest.RouteWorkStats)
	// self-hosted.md §2.1: the secret is null but on a poll, the timestamps
	// until their event; §2.3: oldest_queued_at is null when the queue is empty.
	allowNull("BetaSelfHostedWork.secret", "BetaSelfHostedWork.acknowledged_at", "BetaSelfHostedWork.started_at",
		"BetaSelfHostedWork.latest_heartbeat_at", "BetaSelfHostedWork.stop_requested_at", "BetaSelfHostedWork.stopped_at",
		"BetaSelfHostedWorkQueueStats.oldest_queued_at")
}

// noWork stands for an answer without a work item: an empty poll, a stop's
// 204.
type noWork struct{}

// decodeWorkAnswer decodes an answer that is a work item, or nothing (an
// empty poll: null, {}, no body; a stop: 204). The official type models
// session work only (self-hosted.md §2.1): the data of a health check is
// checked as the SDK's BetaHealthCheckWorkData, and the rest of the item as
// BetaSelfHostedWork.
func decodeWorkAnswer(b []byte) (any, error) {
	if t := bytes.TrimSpace(b); len(t) == 0 || string(t) == "null" || string(t) == "{}" {
		return &noWork{}, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	var probe struct{ Type string }
	_ = json.Unmarshal(raw["data"], &probe)
	out := []any{}
	if probe.Type == "healthcheck" {
		hc := new(anthropic.BetaHealthCheckWorkData)
		if err := json.Unmarshal(raw["data"], hc); err != nil {
			return nil, err
		}
		out = append(out, hc)
		raw["data"] = json.RawMessage(`{"type":"session","id":"` + hc.ID + `"}`)
		b, _ = json.Marshal(raw)
	}
	work := new(anthropic.BetaSelfHostedWork)
	if err := json.Unmarshal(b, work); err != nil {
		return nil, err
	}
	return append(out, work), nil
}

// asEnvironment are the options of a call with the environment key, as the
// official worker sends it: a bearer, and no x-api-key.
func asEnvironment() []option.RequestOption {
	return []option.RequestOption{option.WithHeaderDel("X-Api-Key"), option.WithAuthToken(managedagentstest.TestEnvironmentKey)}
}

// asItem are the options of a call with the sessions token of a polled
// item's secret (self-hosted.md §1.2).
func asItem(t *testing.T, work *anthropic.BetaSelfHostedWork) []option.RequestOption {
	t.Helper()
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(work.Secret, "="))
	if err != nil {
		t.Fatalf("secret: %v", err)
	}
	var secret struct {
		SessionsToken string `json:"sessions_token"`
	}
	if err := json.Unmarshal(payload, &secret); err != nil || secret.SessionsToken == "" {
		t.Fatalf("secret without a sessions token: %v", err)
	}
	return []option.RequestOption{option.WithHeaderDel("X-Api-Key"), option.WithAuthToken(secret.SessionsToken)}
}

// selfHostedSession creates a self-hosted environment, an agent with the
// built-in toolset, every tool allowed without confirmation, and a session of
// it.
func selfHostedSession(t *testing.T, h *harness) (*anthropic.BetaEnvironment, *anthropic.BetaManagedAgentsSession) {
	t.Helper()
	ctx := context.Background()
	env := must(h.client.Beta.Environments.New(ctx, anthropic.BetaEnvironmentNewParams{Name: "workers-" + t.Name(),
		Config: anthropic.BetaEnvironmentNewParamsConfigUnion{OfSelfHosted: &anthropic.BetaSelfHostedConfigParams{}}}))(t)
	agent := must(h.client.Beta.Agents.New(ctx, anthropic.BetaAgentNewParams{Name: "Coder",
		Model: anthropic.BetaManagedAgentsModelConfigParams{ID: "claude-sonnet-5-5"},
		Tools: []anthropic.BetaAgentNewParamsToolUnion{{OfAgentToolset20260401: &anthropic.BetaManagedAgentsAgentToolset20260401Params{
			DefaultConfig: anthropic.BetaManagedAgentsAgentToolsetDefaultConfigParams{PermissionPolicy: anthropic.BetaManagedAgentsAgentToolsetDefaultConfigParamsPermissionPolicyUnion{
				OfAlwaysAllow: &anthropic.BetaManagedAgentsAlwaysAllowPolicyParam{}}}}}},
	}))(t)
	session := must(h.client.Beta.Sessions.New(ctx, anthropic.BetaSessionNewParams{
		Agent: anthropic.BetaSessionNewParamsAgentUnion{OfString: anthropic.String(agent.ID)}, EnvironmentID: env.ID}))(t)
	return env, session
}

// Every work endpoint, driven by the official SDK with the credential the
// official worker uses for it: poll, ack and list with the environment key,
// heartbeat and stop with the item's token, get, update and stats with the
// API key; the 412 of a stale heartbeat and the 409 of a second stop; a
// health-check item.
func TestWork(t *testing.T) {
	t.Parallel()
	h := newHarness(t, managedagentstest.WithClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)))
	ctx := context.Background()
	env, session := selfHostedSession(t, h)
	work := h.client.Beta.Environments.Work
	inEnv := anthropic.BetaEnvironmentWorkGetParams{EnvironmentID: env.ID}

	stats := must(work.Stats(ctx, env.ID, anthropic.BetaEnvironmentWorkStatsParams{}))(t)
	if stats.Depth != 1 || stats.OldestQueuedAt == "" {
		t.Errorf("a new session queues work: %s", stats.RawJSON())
	}
	item := must(work.Poll(ctx, env.ID, anthropic.BetaEnvironmentWorkPollParams{BlockMs: anthropic.Int(999),
		AnthropicWorkerID: anthropic.String("conformance-1")}, asEnvironment()...))(t)
	if item.Data.ID != session.ID || item.State != anthropic.BetaSelfHostedWorkStateQueued {
		t.Fatalf("poll: %s", item.RawJSON())
	}
	if empty := must(work.Poll(ctx, env.ID, anthropic.BetaEnvironmentWorkPollParams{}, asEnvironment()...))(t); empty != nil && empty.ID != "" {
		t.Errorf("a second poll finds the item pending: %s", empty.RawJSON())
	}
	acked := must(work.Ack(ctx, item.ID, anthropic.BetaEnvironmentWorkAckParams{EnvironmentID: env.ID}, asEnvironment()...))(t)
	if acked.State != anthropic.BetaSelfHostedWorkStateStarting || acked.AcknowledgedAt == "" {
		t.Errorf("ack: %s", acked.RawJSON())
	}
	asItem := asItem(t, item)
	hb := must(work.Heartbeat(ctx, item.ID, anthropic.BetaEnvironmentWorkHeartbeatParams{EnvironmentID: env.ID,
		ExpectedLastHeartbeat: anthropic.String("NO_HEARTBEAT"), DesiredTTLSeconds: anthropic.Int(120)}, asItem...))(t)
	if !hb.LeaseExtended || hb.TTLSeconds != 120 || hb.State != anthropic.BetaSelfHostedWorkHeartbeatResponseStateActive {
		t.Errorf("heartbeat: %s", hb.RawJSON())
	}
	h.srv.AdvanceClock(time.Second)
	next := must(work.Heartbeat(ctx, item.ID, anthropic.BetaEnvironmentWorkHeartbeatParams{EnvironmentID: env.ID,
		ExpectedLastHeartbeat: anthropic.String(hb.LastHeartbeat)}, asItem...))(t)
	_, err := work.Heartbeat(ctx, item.ID, anthropic.BetaEnvironmentWorkHeartbeatParams{EnvironmentID: env.ID,
		ExpectedLastHeartbeat: anthropic.String(hb.LastHeartbeat)}, asItem...)
	stale := h.wantError(err, http.StatusPreconditionFailed, "invalid_request_error")
	var details struct {
		Error struct {
			Details struct {
				ErrorCode    string `json:"error_code"`
				CurrentState struct {
					LastHeartbeat string `json:"last_heartbeat"`
				} `json:"current_state"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(stale.RawJSON()), &details); details.Error.Details.ErrorCode != "heartbeat_precondition_failed" ||
		details.Error.Details.CurrentState.LastHeartbeat != next.LastHeartbeat {
		t.Errorf("412 details: %s", stale.RawJSON())
	}

	page := must(work.List(ctx, env.ID, anthropic.BetaEnvironmentWorkListParams{Limit: anthropic.Int(10)}, asEnvironment()...))(t)
	if len(page.Data) != 1 || page.Data[0].ID != item.ID {
		t.Errorf("list: %s", page.RawJSON())
	}
	got := must(work.Get(ctx, item.ID, inEnv))(t)
	if got.State != anthropic.BetaSelfHostedWorkStateActive || got.StartedAt == "" {
		t.Errorf("get: %s", got.RawJSON())
	}
	updated := must(work.Update(ctx, item.ID, anthropic.BetaEnvironmentWorkUpdateParams{EnvironmentID: env.ID,
		BetaSelfHostedWorkUpdateRequest: anthropic.BetaSelfHostedWorkUpdateRequestParam{Metadata: map[string]string{"team": "core"}}}))(t)
	if updated.Metadata["team"] != "core" {
		t.Errorf("update: %s", updated.RawJSON())
	}

	// The API answers a stop with 204 and no body, which the official SDK
	// reads only through WithResponseBodyInto (as its worker does).
	stop := func(id string, opts []option.RequestOption) error {
		var raw *http.Response
		_, err := work.Stop(ctx, id, anthropic.BetaEnvironmentWorkStopParams{EnvironmentID: env.ID,
			BetaSelfHostedWorkStopRequest: anthropic.BetaSelfHostedWorkStopRequestParam{Force: anthropic.Bool(true)}},
			append(slices.Clone(opts), option.WithResponseBodyInto(&raw))...)
		if raw != nil {
			if err == nil && raw.StatusCode != http.StatusNoContent {
				t.Errorf("stop answered %d", raw.StatusCode)
			}
			raw.Body.Close()
		}
		return err
	}
	if err := stop(item.ID, asItem); err != nil {
		t.Fatal(err)
	}
	h.wantError(stop(item.ID, asItem), http.StatusConflict, "invalid_request_error")

	hcID, err := h.srv.EnqueueHealthcheck(env.ID)
	if err != nil {
		t.Fatal(err)
	}
	hc := must(work.Poll(ctx, env.ID, anthropic.BetaEnvironmentWorkPollParams{}, asEnvironment()...))(t)
	if hc.ID != hcID || !strings.Contains(hc.RawJSON(), `"type":"healthcheck"`) {
		t.Errorf("health check: %s", hc.RawJSON())
	}
	must(work.Ack(ctx, hc.ID, anthropic.BetaEnvironmentWorkAckParams{EnvironmentID: env.ID}, asEnvironment()...))(t)
	if err := stop(hc.ID, asEnvironment()); err != nil {
		t.Fatal(err)
	}
}

// The official SDK's own worker (lib/environments) runs a session on the
// fake to the end, and a health check: it polls with its worker id, acks,
// heartbeats with the item's token from NO_HEARTBEAT, reads the session and
// its events with the token, runs the agent's write and bash calls in its
// working directory and posts their user.tool_result, and once the turn has
// ended and its runner is idle, force-stops each item with its token.
func TestOfficialWorker(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var results []managedagentstest.Answer
	h := newHarness(t, managedagentstest.WithScript(func(turn *managedagentstest.Turn) {
		for _, call := range []struct {
			name  string
			input map[string]any
		}{
			{"write", map[string]any{"file_path": "hello.txt", "content": "hello from the fake\n"}},
			{"bash", map[string]any{"command": "cat hello.txt"}},
		} {
			answer, err := turn.CallTool(call.name, call.input)
			if err != nil {
				return
			}
			mu.Lock()
			results = append(results, answer)
			mu.Unlock()
		}
		turn.Message("Done.")
	}))
	ctx := context.Background()
	env, session := selfHostedSession(t, h)
	must(h.client.Beta.Sessions.Events.Send(ctx, session.ID, anthropic.BetaSessionEventSendParams{
		Events: []anthropic.BetaManagedAgentsEventParamsUnion{userText("Write hello.txt and show it.")}}))(t)
	hcID, err := h.srv.EnqueueHealthcheck(env.ID)
	if err != nil {
		t.Fatal(err)
	}
	workdir := t.TempDir()
	maxIdle := 100 * time.Millisecond
	worker := environments.NewEnvironmentWorker(h.client, environments.EnvironmentWorkerOptions{
		EnvironmentID:  env.ID,
		EnvironmentKey: managedagentstest.TestEnvironmentKey,
		WorkerID:       "official-worker-1",
		Workdir:        workdir,
		MaxIdle:        &maxIdle,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- worker.Run(runCtx) }()

	stopped := func() bool {
		n := 0
		for _, r := range h.srv.Requests() {
			if r.Route == managedagentstest.RouteStopWork && r.Status == http.StatusNoContent {
				n++
			}
		}
		return n == 2
	}
	deadline := time.Now().Add(20 * time.Second)
	for !stopped() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v", err)
	}
	if !stopped() {
		t.Fatal("the official worker did not stop both items")
	}

	var sessionWork string
	var trail []string
	for _, r := range h.srv.Requests() {
		switch r.Route {
		case managedagentstest.RoutePollWork:
			if r.Header.Get("Anthropic-Worker-ID") != "official-worker-1" || r.Credential != managedagentstest.CredentialEnvironmentKey {
				t.Errorf("poll without the worker id or the environment key: %+v", r)
			}
			if len(trail) == 0 || trail[len(trail)-1] != "poll" {
				trail = append(trail, "poll")
			}
		case managedagentstest.RouteAckWork, managedagentstest.RouteHeartbeatWork, managedagentstest.RouteStopWork:
			op := r.Route[strings.LastIndex(r.Route, "/")+1:]
			id := strings.Split(r.Path, "/")[5]
			if op == "ack" && id != hcID {
				sessionWork = id
			}
			if op == "heartbeat" {
				op += " " + r.Query.Get("expected_last_heartbeat")
			}
			if op == "stop" {
				op += " " + strings.TrimSpace(string(r.Body))
			}
			who := "session"
			if id == hcID {
				who = "healthcheck"
				if strings.HasPrefix(op, "heartbeat") {
					continue // the worker stops a health check at once: its first beat races the stop
				}
			}
			trail = append(trail, who+" "+op+" ("+string(r.Credential)+")")
		case managedagentstest.RouteGetSession, managedagentstest.RouteStreamEvents, managedagentstest.RouteListEvents, managedagentstest.RouteSendEvents:
			if r.Method == http.MethodPost && r.Credential == managedagentstest.CredentialAPIKey {
				continue // the test's own user.message
			}
			if r.Credential != managedagentstest.CredentialWorkToken {
				t.Errorf("a session call of the worker without the item's token: %s %s (%s)", r.Method, r.Path, r.Credential)
			}
		}
	}
	want := []string{"poll", "session ack (environment_key)", "session heartbeat NO_HEARTBEAT (work_token)",
		`session stop {"force":true} (work_token)`, "poll", "healthcheck ack (environment_key)",
		`healthcheck stop {"force":true} (work_token)`}
	if !slices.Equal(trail[:min(len(trail), len(want))], want) {
		t.Errorf("the worker's calls:\n  %s\nwant:\n  %s", strings.Join(trail, "\n  "), strings.Join(want, "\n  "))
	}
	if sessionWork == "" {
		t.Error("the session's item was never acked")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(results) != 2 || results[0].IsError || results[1].IsError || !strings.Contains(results[1].Text(), "hello from the fake") {
		t.Errorf("the worker's tool results: %+v", results)
	}
	if data, err := os.ReadFile(filepath.Join(workdir, "hello.txt")); err != nil || string(data) != "hello from the fake\n" {
		t.Errorf("the file the agent wrote through the worker: %q, %v", data, err)
	}
	for _, route := range []string{managedagentstest.RouteGetSession, managedagentstest.RouteStreamEvents, managedagentstest.RouteListEvents,
		managedagentstest.RouteSendEvents} {
		if !slices.ContainsFunc(h.srv.Requests(), func(r managedagentstest.Request) bool { return r.Route == route }) {
			t.Errorf("the worker never called %s", route)
		}
	}
}
