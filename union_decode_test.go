package managedagents

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUnionDecodersMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	// Union types are read as encoding/json reads them: keys match
	// case-insensitively.
	tool, err := decodeTool(json.RawMessage(`{"Type":"custom","name":"n","description":"d","input_schema":{"type":"object"}}`))
	require.NoError(t, err)
	require.IsType(t, &CustomTool{}, tool)
	// An escaped type string is unescaped.
	tool, err = decodeTool(json.RawMessage(`{"type":"mcp\u005ftoolset","mcp_server_name":"s"}`))
	require.NoError(t, err)
	require.IsType(t, &MCPToolset{}, tool)
	// Variants kept raw are still validated as a whole.
	_, err = decodeTool(json.RawMessage(`{"type":"future_tool", "x": }`))
	require.Error(t, err)
	_, err = DecodeEnvironmentConfig([]byte(`{"type":"self_hosted", bad}`))
	require.Error(t, err)
	cfg, err := DecodeEnvironmentConfig([]byte(`{"type":"self_hosted"}`))
	require.NoError(t, err)
	require.IsType(t, &SelfHostedConfig{}, cfg)
	// A list of tools with a bad element fails as a whole.
	var l Tools
	require.Error(t, json.Unmarshal([]byte(`[{"type":"custom","name":1}]`), &l))
	require.NoError(t, json.Unmarshal([]byte(`null`), &l))
	require.Nil(t, l)
}

// BenchmarkDecodeAgent decodes the recorded agent (3 KB, three kinds of tools).
func BenchmarkDecodeAgent(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "agents", "agent.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var a Agent
		if err := json.Unmarshal(data, &a); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzDecodeResources decodes any bytes as an agent and as a session (tool,
// resource and environment-config unions included): no panic, and an input
// encoding/json finds invalid is never accepted.
func FuzzDecodeResources(f *testing.F) {
	for _, name := range []string{"agents/agent.json", "agents/agent_multiagent.json", "sessions/session.json", "environments/environment.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"tools":[{"type":"x"},{"Type":"custom"}],"resources":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var a Agent
		errA := json.Unmarshal(data, &a)
		var s Session
		errS := json.Unmarshal(data, &s)
		var e Environment
		errE := json.Unmarshal(data, &e)
		if !json.Valid(data) && (errA == nil || errS == nil || errE == nil) {
			t.Fatalf("invalid JSON accepted: agent %v, session %v, environment %v", errA, errS, errE)
		}
	})
}
