package worker_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
	"github.com/go-managedagents/managedagents/agenttoolset"
	"github.com/go-managedagents/managedagents/internal/worksecret"
	"github.com/go-managedagents/managedagents/managedagentstest"
	"github.com/go-managedagents/managedagents/worker"
)

// toolCall is one call of a scripted agent.
type toolCall struct {
	name  string
	input map[string]any
}

// callAll is a script that makes calls one after the other and sends each
// answer on answers.
func callAll(calls []toolCall, answers chan<- managedagentstest.Answer) managedagentstest.Script {
	return func(turn *managedagentstest.Turn) {
		for _, c := range calls {
			a, err := turn.CallTool(c.name, c.input)
			if err != nil {
				return
			}
			answers <- a
		}
		turn.Message("done")
	}
}

// The file tools reach nothing outside the item's working directory: a read
// of /etc/passwd, a write through a link to a file outside, and "../" in
// every path field are error results, and nothing outside is read or
// changed.
func TestFileToolsStayInTheWorkingDirectory(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	root := t.TempDir()    // the worker's Workdir: the parent of the item's
	outside := t.TempDir() // somewhere else
	target := filepath.Join(outside, "target.txt")
	require.NoError(t, os.WriteFile(target, []byte("outside\n"), 0o600))
	victim := filepath.Join(root, "victim.txt")
	require.NoError(t, os.WriteFile(victim, []byte("secret of the worker\n"), 0o600))

	calls := []toolCall{
		{"bash", map[string]any{"command": "ln -s " + target + " link.txt && ln -s " + outside + " linkdir && echo linked"}},
		{"read", map[string]any{"file_path": "/etc/passwd"}},
		{"write", map[string]any{"file_path": "link.txt", "content": "overwritten"}},
		{"write", map[string]any{"file_path": "linkdir/new.txt", "content": "planted"}},
		{"edit", map[string]any{"file_path": "link.txt", "old_string": "outside", "new_string": "edited"}},
		{"read", map[string]any{"file_path": "link.txt"}},
		{"read", map[string]any{"file_path": "../victim.txt"}},
		{"write", map[string]any{"file_path": "../escape.txt", "content": "escaped"}},
		{"edit", map[string]any{"file_path": "../victim.txt", "old_string": "secret", "new_string": "changed"}},
		{"glob", map[string]any{"pattern": "*.txt", "path": ".."}},
		{"glob", map[string]any{"pattern": "../*.txt"}},
		{"grep", map[string]any{"pattern": "secret", "path": ".."}},
		{"grep", map[string]any{"pattern": "outside", "path": "linkdir"}},
	}
	answers := make(chan managedagentstest.Answer, len(calls))
	sid := f.session(t, callAll(calls, answers), nil, nil)
	f.start(t, sid)
	w := f.run(t, worker.Options{Workdir: root})
	require.Equal(t, "linked\n\n", recv(t, answers).Text())
	for _, c := range calls[1:] {
		a := recv(t, answers)
		require.True(t, a.IsError, "%s %v: %s", c.name, c.input, a.Text())
		require.True(t, strings.HasPrefix(a.Text(), c.name+": "), a.Text())
		require.NotContains(t, a.Text(), "root:", "nothing of /etc/passwd")
		require.NotContains(t, a.Text(), "secret of the worker")
	}
	f.waitIdle(t, sid)
	stop(t, w)
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	require.Equal(t, "outside\n", string(b))
	b, err = os.ReadFile(victim)
	require.NoError(t, err)
	require.Equal(t, "secret of the worker\n", string(b))
	_, err = os.Stat(filepath.Join(outside, "new.txt"))
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = os.Stat(filepath.Join(root, "escape.txt"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// env inside bash shows no credential: no ANTHROPIC_* variable, not the
// environment key (also under another name, when given as a secret), not
// the item's secret or sessions token; and the worker's logs hold none of
// them either.
func TestShellEnvironmentHoldsNoCredential(t *testing.T) {
	// Not parallel: it sets the process's environment.
	f := newFixture(t)
	t.Setenv("ANTHROPIC_ENVIRONMENT_KEY", managedagentstest.TestEnvironmentKey)
	t.Setenv("ANTHROPIC_API_KEY", managedagentstest.TestAPIKey)
	t.Setenv("ANTHROPIC_BASE_URL", f.srv.URL)
	t.Setenv("anthropic_lower", "x")
	t.Setenv("DEPLOY_KEY_COPY", "prefix-"+managedagentstest.TestEnvironmentKey)
	t.Setenv("HARMLESS_VARIABLE", "kept")

	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, callAll([]toolCall{{"bash", map[string]any{"command": "env"}}}, answers), nil, nil)
	f.start(t, sid)
	var mu sync.Mutex
	var secrets []string
	remember := func(ctx context.Context, item *managedagents.WorkItem, next func(context.Context) error) error {
		mu.Lock()
		secrets = append(secrets, item.Secret.Reveal(), worksecret.SessionsToken(item.Secret.Reveal()))
		mu.Unlock()
		return next(ctx)
	}
	var logged logs
	w := f.run(t, worker.Options{
		Toolset:        toolsetWithSecrets(managedagentstest.TestEnvironmentKey),
		ItemMiddleware: []worker.ItemMiddleware{remember},
		Logger:         slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	env := recv(t, answers).Text()
	f.waitIdle(t, sid)
	stop(t, w)
	require.Contains(t, env, "HARMLESS_VARIABLE=kept")
	require.NotContains(t, strings.ToUpper(env), "ANTHROPIC_")
	require.NotContains(t, env, "DEPLOY_KEY_COPY")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, secrets, 2)
	for _, s := range append(secrets, managedagentstest.TestEnvironmentKey, managedagentstest.TestAPIKey) {
		require.NotEmpty(t, s)
		require.NotContains(t, env, s)
		require.NotContains(t, logged.String(), s)
	}
	require.Contains(t, logged.String(), "toolrunner: call ran", "the logs were written")
}

// toolsetWithSecrets returns toolset options that keep secrets out of the
// shell.
func toolsetWithSecrets(secrets ...string) agenttoolset.Options {
	return agenttoolset.Options{Secrets: secrets}
}

// The credentials the worker's client holds stay out of the shell whatever
// the names under which they reached the process: keys given to the client
// with options, and also set in variables of other names, are removed from
// bash's environment without being listed in Toolset.Secrets.
func TestShellEnvironmentHoldsNoCredentialOfTheClient(t *testing.T) {
	// Not parallel: it sets the process's environment.
	f := newFixture(t) // its client holds the API key and the environment key, as options
	t.Setenv("WORKER_ENVIRONMENT_KEY", managedagentstest.TestEnvironmentKey)
	t.Setenv("MY_API_KEY", managedagentstest.TestAPIKey)
	t.Setenv("HARMLESS_VARIABLE", "kept")

	answers := make(chan managedagentstest.Answer, 1)
	sid := f.session(t, callAll([]toolCall{{"bash", map[string]any{"command": "env"}}}, answers), nil, nil)
	f.start(t, sid)
	w := f.run(t, worker.Options{})
	env := recv(t, answers).Text()
	f.waitIdle(t, sid)
	stop(t, w)
	require.Contains(t, env, "HARMLESS_VARIABLE=kept")
	require.NotContains(t, env, managedagentstest.TestEnvironmentKey)
	require.NotContains(t, env, managedagentstest.TestAPIKey)
}
