package main

import (
	"bytes"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/option"
)

func TestRun(t *testing.T) {
	srv := managedagentstest.NewServer(managedagentstest.WithScript(fakeAgent))
	defer srv.Close()
	client := srv.Client()
	var out bytes.Buffer
	if err := run(t.Context(), client, &out); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	const want = "[get_weather {\"city\":\"Paris\"}] 18°C and partly cloudy in Paris\n" +
		"Agent: Right now it is 18°C and partly cloudy in Paris.\n" +
		"Turn ended: end_turn, 1 tool call(s)\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	requireCleanedUp(t, client)
}

// recording is a run of this example captured from the API:
// testdata/weather_turn.json and its stream testdata/weather_turn.NNN.sse.
// Record it again with
//
//	MANAGEDAGENTS_RECORD=1 ANTHROPIC_API_KEY=sk-ant-... go test -run TestRunRecorded ./examples/custom-tools/
//
// Without a key, recording runs against the fake standing in for the API (the
// committed recording was made so, as this repository has no key). Without
// MANAGEDAGENTS_RECORD the test replays the recording: no key, no network.
const recording = "testdata/weather_turn"

// TestRunRecorded is TestRun on behaviour captured from the API rather than
// scripted: it passes on any recording of a correct run, whatever the model
// said.
func TestRunRecorded(t *testing.T) {
	rec := managedagentstest.NewRecorder(t, recording, managedagentstest.WithMatcher(ignoreEnvironmentName))
	opts := rec.ClientOptions()
	if rec.Mode() == managedagentstest.ModeRecord && os.Getenv("ANTHROPIC_API_KEY") == "" {
		api := managedagentstest.NewServer(managedagentstest.WithScript(fakeAgent))
		defer api.Close()
		opts = append(opts, option.WithBaseURL(api.URL), option.WithAPIKey(managedagentstest.TestAPIKey))
	}
	client := managedagents.NewClient(opts...)
	var out bytes.Buffer
	if err := run(t.Context(), client, &out); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	want := regexp.MustCompile(`^(\[get_weather \{"city":"[^"]+"\}\] .+\n)+Agent: .+\nTurn ended: end_turn, [1-9]\d* tool call\(s\)\n$`)
	if !want.MatchString(out.String()) {
		t.Errorf("output:\n%s\nwant %s", out.String(), want)
	}
	if rec.Mode() == managedagentstest.ModeReplay {
		if left := rec.Unplayed(); len(left) > 0 {
			t.Errorf("%d recorded requests were not made, the first: %s %s", len(left), left[0].Request.Method, left[0].Request.Path)
		}
	}
}

// ignoreEnvironmentName matches requests as the recorder does by default, but
// for the environment's name, which differs on every run (it holds the time).
func ignoreEnvironmentName(live, recorded *managedagentstest.RecordedRequest) []string {
	diffs := managedagentstest.MatchDefault(live, recorded)
	if live.Method == http.MethodPost && strings.HasSuffix(live.Path, "/v1/environments") {
		diffs = slices.DeleteFunc(diffs, func(d string) bool { return strings.HasPrefix(d, "body.name:") })
	}
	return diffs
}

// requireCleanedUp fails t if run left a session, an environment or an
// unarchived agent behind.
func requireCleanedUp(t *testing.T, client *managedagents.Client) {
	t.Helper()
	ctx := t.Context()
	sessions, err := client.Sessions.List(ctx, managedagents.SessionListParams{IncludeArchived: true})
	if err != nil || len(sessions.Data) > 0 {
		t.Errorf("sessions left: %v, %v", sessions, err)
	}
	envs, err := client.Environments.List(ctx, managedagents.EnvironmentListParams{IncludeArchived: true})
	if err != nil || len(envs.Data) > 0 {
		t.Errorf("environments left: %v, %v", envs, err)
	}
	agents, err := client.Agents.List(ctx, managedagents.AgentListParams{})
	if err != nil || len(agents.Data) > 0 {
		t.Errorf("unarchived agents left: %v, %v", agents, err)
	}
}
