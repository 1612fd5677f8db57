package conformance

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/pagination"
	"github.com/anthropics/anthropic-sdk-go/v2/shared"
)

// The checker finds each kind of wrong answer, at its path, and nothing in a
// right one: it is what makes the suite fail, so it is tested on answers
// made wrong on purpose.
func TestCheckerFindsWrongAnswers(t *testing.T) {
	t.Parallel()
	const agent = `{"id":"agent_1","type":"agent","name":"A","description":"","system":"",
		"model":{"id":"m","effort":{"type":"high"},"speed":"standard"},
		"tools":[{"type":"custom","name":"t","description":"d","input_schema":{"type":"object","additionalProperties":false}}],
		"mcp_servers":[],"skills":[],"execution_identity":{"type":"service_account"},"multiagent":null,
		"metadata":{},"version":1,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","archived_at":null}`
	tests := []struct {
		name   string
		edit   func(map[string]any)
		inList bool     // check it as the first item of a page
		wants  []string // each a substring of one problem, sorted
	}{
		{"right", func(map[string]any) {}, false, nil},
		{"missing required", func(m map[string]any) { delete(m, "version") }, false, []string{"$.version: required field missing"}},
		{"null where never null", func(m map[string]any) { m["name"] = nil }, false, []string{"$.name: required field is null"}},
		{"wrong JSON type", func(m map[string]any) { m["version"] = "one" }, false, []string{`$.version: "one" does not decode`}},
		{"unknown field", func(m map[string]any) { m["colour"] = "red" }, false, []string{"$.colour: field unknown"}},
		{"unknown variant", func(m map[string]any) { m["execution_identity"] = map[string]any{"type": "robot"} },
			false, []string{"$.execution_identity: BetaManagedAgentsExecutionIdentityUnion: no variant for type robot"}},
		{"deep in a list and a union", func(m map[string]any) {
			delete(m["tools"].([]any)[0].(map[string]any), "description")
		}, true, []string{"$.data[0].tools[0].description: required field missing (BetaManagedAgentsCustomTool.Description)"}},
		{"every problem", func(m map[string]any) { delete(m, "id"); delete(m, "system") },
			false, []string{"$.id: required field missing", "$.system: required field missing"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal([]byte(agent), &m); err != nil {
				t.Fatal(err)
			}
			tc.edit(m)
			body, _ := json.Marshal(m)
			var page pagination.PageCursor[anthropic.BetaManagedAgentsAgent]
			var a anthropic.BetaManagedAgentsAgent
			var v any = &a
			if tc.inList {
				body, _ = json.Marshal(map[string]any{"data": []any{m}, "next_page": nil})
				v = &page
			}
			if err := json.Unmarshal(body, v); err != nil {
				t.Fatal(err)
			}
			c := Checker{Nullable: map[string]bool{"BetaManagedAgentsAgent.archived_at": true, "BetaManagedAgentsAgent.multiagent": true}}
			c.Check("$", v)
			slices.Sort(c.Problems)
			if len(c.Problems) != len(tc.wants) {
				t.Fatalf("problems %q, want %d", c.Problems, len(tc.wants))
			}
			for i, want := range tc.wants {
				if !strings.Contains(c.Problems[i], want) {
					t.Errorf("problem %q, want %q", c.Problems[i], want)
				}
			}
			if c.Objects == 0 || c.Fields == 0 {
				t.Errorf("checked %d objects, %d fields", c.Objects, c.Fields)
			}
		})
	}

	// An extra field the reference documents passes only when allowed.
	var env shared.ErrorResponse
	body := `{"type":"error","error":{"type":"not_found_error","message":"no","details":{"error_code":"x"}},"request_id":"req_1"}`
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatal(err)
	}
	c := Checker{Extra: map[string]bool{"*ErrorObject.details": true}}
	c.Check("$", &env)
	if len(c.Problems) != 0 {
		t.Errorf("problems in an allowed error envelope: %q", c.Problems)
	}
	c = Checker{}
	c.Check("$", &env)
	if len(c.Problems) != 1 || !strings.Contains(c.Problems[0], "$.error.details: field unknown") {
		t.Errorf("an undocumented extra field went unseen: %q", c.Problems)
	}

	// A union type the SDK's enum names but its union lacks passes only when allowed.
	body = `{"type":"error","error":{"type":"memory_path_conflict_error","message":"taken"},"request_id":"req_1"}`
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatal(err)
	}
	c = Checker{Variants: map[string]bool{"ErrorObjectUnion.memory_path_conflict_error": true}}
	c.Check("$", &env)
	if len(c.Problems) != 0 {
		t.Errorf("problems in an allowed variant: %q", c.Problems)
	}
	c = Checker{}
	c.Check("$", &env)
	if len(c.Problems) != 1 || !strings.Contains(c.Problems[0], "no variant for type memory_path_conflict_error") {
		t.Errorf("a variant the SDK lacks went unseen: %q", c.Problems)
	}
}
