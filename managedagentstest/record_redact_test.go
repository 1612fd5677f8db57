package managedagentstest_test

import (
	"encoding/base64"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/stretchr/testify/require"
)

// Secrets of every kind the redaction must catch.
const (
	redactKey           = "sk-ant-api03-RedactionTestKey-abcdefghijklmnop"
	redactBearer        = "oauth-bearer-RedactionTest-0123456789"
	redactRepoToken     = "repo-token-RedactionTest-0123456789"
	redactAccessToken   = "access-RedactionTest-0123456789"
	redactRefreshToken  = "refresh-RedactionTest-0123456789"
	redactClientSecret  = "client-secret-RedactionTest-0123456789"
	redactStaticBearer  = "static-bearer-RedactionTest-0123456789"
	redactSecretValue   = "env-secret-value-RedactionTest-0123456789"
	redactSessionsToken = "sessions-token-RedactionTest-0123456789"
	redactIngressToken  = "ingress-token-RedactionTest-0123456789"
	redactOAuthToken    = "anthropic-oauth-RedactionTest-0123456789"
	redactSigning       = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	redactCustom        = "custom-field-RedactionTest-0123456789"
	redactHeader        = "custom-header-RedactionTest-0123456789"
	redactLiteral       = "literal-RedactionTest-0123456789"
	redactAuthHeader    = "x-auth-token-RedactionTest-0123456789"
)

var allRedactSecrets = []string{redactKey, redactBearer, redactRepoToken, redactAccessToken, redactRefreshToken,
	redactClientSecret, redactStaticBearer, redactSecretValue, redactSessionsToken, redactIngressToken,
	redactOAuthToken, redactSigning, redactCustom, redactHeader, redactLiteral, redactAuthHeader}

// workSecret is a self-hosted work item's secret: base64url of its tokens.
func workSecret() string {
	b, _ := json.Marshal(map[string]any{
		"sessions_token":        redactSessionsToken,
		"session_ingress_token": redactIngressToken,
		"auth":                  []any{map[string]any{"type": "anthropic_oauth", "token": redactOAuthToken}},
	})
	return base64.RawURLEncoding.EncodeToString(b)
}

// redactServer answers each path with a payload that holds secrets.
func redactServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "session="+redactLiteral)
		w.Header().Set("Anthropic-Ratelimit-Tokens-Remaining", "9000")
		switch r.URL.Path {
		case "/v1/vaults/vlt_1/credentials":
			w.Write([]byte(`{"id":"vcrd_1","type":"vault_credential","auth":{"type":"mcp_oauth","mcp_server_url":"https://mcp.example.com/mcp",` +
				`"refresh":{"client_id":"cli_1","token_endpoint":"https://auth.example.com/token","token_endpoint_auth":{"type":"client_secret_post"}}}}`))
		case "/v1/environments/env_1/work/poll":
			w.Write([]byte(`{"type":"work","id":"work_1","data":{"type":"session","id":"sesn_1"},"secret":"` + workSecret() + `"}`))
		case "/v1/organizations/webhooks":
			w.Write([]byte(`{"id":"whep_1","url":"https://example.com/hook","signing_secret":"` + redactSigning + `"}`))
		case "/echo":
			// A proxy that echoes what it got, secrets included.
			w.WriteHeader(http.StatusBadRequest)
			msg, _ := json.Marshal(r.Header.Get("X-Api-Key") + " " + r.Header.Get("Authorization") + " " + string(body))
			w.Write([]byte(`{"type":"error","error":{"type":"invalid_request_error","message":` + string(msg) + `}}`))
		default:
			w.Write([]byte(`{}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// post sends a request with both kinds of credentials' headers.
func redactSend(t *testing.T, rec *managedagentstest.Recorder, method, url, body string, bearer bool) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if bearer {
		req.Header.Set("Authorization", "Bearer "+redactBearer)
	} else {
		req.Header.Set("X-Api-Key", redactKey)
	}
	req.Header.Set("X-Custom-Auth-Thing", "not matched by name alone")
	req.Header.Set("X-Custom", redactHeader)
	req.Header.Set("X-Auth-Token", redactAuthHeader)
	resp, err := rec.Client().Do(req)
	require.NoError(t, err)
	io.ReadAll(resp.Body)
	resp.Body.Close()
}

// Every kind of secret is redacted before the recording is written, and a
// secret seen in one place is removed from everywhere else.
func TestRecordRedactsSecrets(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "secrets")
	srv := redactServer(t)
	sse := recNewSSEServer(t)
	opts := []managedagentstest.RecorderOption{
		managedagentstest.WithRedactedFields("My_Secret"),
		managedagentstest.WithRedactedHeaders("x-custom"),
		managedagentstest.WithSecrets(redactLiteral),
	}
	t.Run("record", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, append(opts, managedagentstest.WithMode(managedagentstest.ModeRecord))...)
		redactSend(t, rec, "POST", srv.URL+"/v1/sessions", `{"agent":"agent_1","resources":[{"type":"github_repository",`+
			`"url":"https://github.com/example/app","authorization_token":"`+redactRepoToken+`"}],"my_secret":{"nested":"`+redactCustom+`"}}`, false)
		redactSend(t, rec, "POST", srv.URL+"/v1/vaults/vlt_1/credentials", `{"auth":{"type":"mcp_oauth","mcp_server_url":"https://mcp.example.com/mcp",`+
			`"access_token":"`+redactAccessToken+`","refresh":{"client_id":"cli_1","refresh_token":"`+redactRefreshToken+`",`+
			`"token_endpoint":"https://auth.example.com/token","token_endpoint_auth":{"type":"client_secret_post","client_secret":"`+redactClientSecret+`"}}}}`, true)
		redactSend(t, rec, "POST", srv.URL+"/v1/vaults/vlt_1/credentials", `{"auth":{"type":"static_bearer","token":"`+redactStaticBearer+`","mcp_server_url":"https://x.example.com"}}`, false)
		redactSend(t, rec, "POST", srv.URL+"/v1/vaults/vlt_1/credentials", `{"auth":{"type":"environment_variable","secret_name":"API_TOKEN",`+
			`"secret_value":"`+redactSecretValue+`","networking":{"type":"limited","allowed_hosts":["api.example.com"]}}}`, false)
		redactSend(t, rec, "POST", srv.URL+"/v1/environments/env_1/work/poll?access_token="+redactAccessToken+"&block_ms=100", ``, false)
		redactSend(t, rec, "POST", srv.URL+"/v1/organizations/webhooks", `{"url":"https://example.com/hook"}`, false)
		redactSend(t, rec, "POST", srv.URL+"/echo", `{"text":"my token is `+redactSessionsToken+` and `+redactSigning+`"}`, false)
		redactSend(t, rec, "POST", srv.URL+"/echo", `{}`, true)
		// The repository token, seen earlier in a request, comes back in a
		// stream, split across two reads.
		resp := recOpenStream(t, rec, sse.URL+"/stream")
		defer resp.Body.Close()
		first := "event: agent.message\ndata: {\"type\":\"agent.message\",\"text\":\"" + redactRepoToken[:10]
		sse.frames <- first
		recReadN(t, resp.Body, len(first))
		sse.frames <- redactRepoToken[10:] + "\"}\n\n"
		close(sse.frames)
		io.ReadAll(resp.Body)
	})

	files, err := filepath.Glob(name + ".*")
	require.NoError(t, err)
	require.Len(t, files, 2, "the document and one stream")
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, s := range allRedactSecrets {
			if strings.Contains(string(data), s) {
				t.Errorf("%s holds the secret %s", f, s)
			}
		}
	}
	doc, err := os.ReadFile(name + ".json")
	require.NoError(t, err)
	for _, kept := range []string{`"mcp_server_url": "https://mcp.example.com/mcp"`, `"client_id": "cli_1"`,
		`"type": "client_secret_post"`, `"secret_name": "API_TOKEN"`, `"allowed_hosts": ["api.example.com"]`,
		`"token_endpoint": "https://auth.example.com/token"`, `"X-Custom-Auth-Thing": ["not matched by name alone"]`,
		`"Anthropic-Ratelimit-Tokens-Remaining": ["9000"]`} {
		require.Contains(t, string(doc), kept)
	}
	for _, masked := range []string{`"X-Api-Key": ["[redacted]"]`, `"Authorization": ["[redacted]"]`, `"X-Custom": ["[redacted]"]`,
		`"Set-Cookie": ["[redacted]"]`, `"X-Auth-Token": ["[redacted]"]`, `"my_secret": {"nested": "[redacted]"}`, `"signing_secret": "[redacted]"`,
		`"token": "[redacted]"`, `"secret_value": "[redacted]"`, `"text": "my token is [redacted] and [redacted]"`,
		`"query": "access_token=%5Bredacted%5D&block_ms=100"`} {
		require.Contains(t, string(doc), masked)
	}

	// The work item's secret is still a secret a worker can decode, with its
	// tokens redacted.
	var f struct {
		Interactions []struct {
			Response struct {
				Body json.RawMessage
			}
		}
	}
	require.NoError(t, json.Unmarshal(doc, &f))
	var item struct{ Secret string }
	require.NoError(t, json.Unmarshal(f.Interactions[4].Response.Body, &item))
	payload, err := base64.RawURLEncoding.DecodeString(item.Secret)
	require.NoError(t, err)
	require.JSONEq(t, `{"sessions_token":"[redacted]","session_ingress_token":"[redacted]","auth":[{"type":"anthropic_oauth","token":"[redacted]"}]}`, string(payload))

	// The stream's chunks stay consistent with its bytes: the one that ended
	// inside the token now ends after the mask.
	rec := managedagentstest.NewRecorder(t, name, append(opts, managedagentstest.WithMode(managedagentstest.ModeReplay))...)
	s := rec.Unplayed()[8].Response.Stream
	require.Equal(t, "event: agent.message\ndata: {\"type\":\"agent.message\",\"text\":\"[redacted]\"}\n\n", string(s.Data))
	require.Len(t, s.Chunks, 2)
	require.Equal(t, len(s.Data)-4, s.Chunks[0].Size)
	require.Equal(t, 4, s.Chunks[1].Size)
}

// A replay compares requests redacted as the recording was: the same request
// with other credentials (a CI key, a test token) matches, and a difference
// never shows a secret.
func TestReplayComparesRedactedRequests(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "creds")
	srv := redactServer(t)
	body := func(token string) string {
		return `{"resources":[{"type":"github_repository","url":"https://github.com/example/app","authorization_token":"` + token + `"}]}`
	}
	t.Run("record", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord))
		redactSend(t, rec, "POST", srv.URL+"/v1/sessions", body(redactRepoToken), false)
		redactSend(t, rec, "POST", srv.URL+"/v1/sessions", body(redactRepoToken), false)
	})
	tb := &recTB{}
	rec := recNewRecorderTB(tb, name, managedagentstest.WithMode(managedagentstest.ModeReplay))
	defer tb.finish()
	redactSend(t, rec, "POST", "http://127.0.0.1:1/v1/sessions", body("another-token-used-in-CI-000"), true)
	require.Empty(t, tb.errors())

	req, _ := http.NewRequest("POST", "http://127.0.0.1:1/v1/sessions", strings.NewReader(
		`{"resources":[{"type":"github_repository","url":"https://github.com/example/other","authorization_token":"ci-secret-token-123456"}]}`))
	resp, err := rec.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Len(t, tb.errors(), 1)
	require.Contains(t, tb.errors()[0], `body.resources[0].url: got "https://github.com/example/other", recorded "https://github.com/example/app"`)
	require.NotContains(t, tb.errors()[0], "ci-secret-token-123456")
	require.NotContains(t, tb.errors()[0], "authorization_token", "redacted on both sides, it does not differ")
}

// secretField is a field of the SDK's request or answer types that holds a
// secret ([managedagents.Secret] or [managedagents.WorkSecret]).
type secretField struct {
	typ, field, json string
}

// sdkSecretFields returns every struct field of the SDK's root package whose
// type is Secret or WorkSecret, read from its source.
func sdkSecretFields(t *testing.T) []secretField {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join("..", "*.go"))
	require.NoError(t, err)
	var out []secretField
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fl := range st.Fields.List {
				id, ok := fl.Type.(*ast.Ident)
				if !ok || (id.Name != "Secret" && id.Name != "WorkSecret") || fl.Tag == nil || len(fl.Names) == 0 {
					continue
				}
				tag := reflect.StructTag(strings.Trim(fl.Tag.Value, "`")).Get("json")
				jsonName, _, _ := strings.Cut(tag, ",")
				out = append(out, secretField{ts.Name.Name, fl.Names[0].Name, jsonName})
			}
			return true
		})
	}
	return out
}

// TestRecordRedactsEverySDKSecretField: every field the SDK treats as secret
// (a Secret or WorkSecret field of its types) is redacted by name from a
// recording, where the API carries it: a credential's auth fields inside its
// "auth" object, the others at any depth. A secret field added to the SDK
// without its name in record_redact.go fails here.
func TestRecordRedactsEverySDKSecretField(t *testing.T) {
	t.Parallel()
	fields := sdkSecretFields(t)
	require.GreaterOrEqual(t, len(fields), 7, "the SDK's secret fields: %v", fields)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body) // the secrets come back in the answer too
	}))
	t.Cleanup(srv.Close)
	name := filepath.Join(t.TempDir(), "sdk-secrets")
	values := map[string]string{}
	t.Run("record", func(t *testing.T) {
		rec := managedagentstest.NewRecorder(t, name, managedagentstest.WithMode(managedagentstest.ModeRecord))
		for _, f := range fields {
			value := "value-of-" + f.typ + "-" + f.field + "-0123456789"
			values[f.typ+"."+f.field] = value
			inner, err := json.Marshal(map[string]any{f.json: value})
			require.NoError(t, err)
			body := `{"resources":[` + string(inner) + `]}`
			if strings.HasSuffix(f.typ, "AuthParams") { // sent as a credential's "auth"
				body = `{"auth":` + string(inner) + `}`
			}
			req, err := http.NewRequest("POST", srv.URL+"/v1/"+f.typ, strings.NewReader(body))
			require.NoError(t, err)
			resp, err := rec.Client().Do(req)
			require.NoError(t, err)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	data, err := os.ReadFile(name + ".json")
	require.NoError(t, err)
	for field, value := range values {
		if strings.Contains(string(data), value) {
			t.Errorf("%s is recorded unredacted: add its JSON name to secretFields", field)
		}
	}
}
