package managedagents

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEnvironmentCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params EnvironmentCreateParams
	}{
		{"environments/create_limited.json", EnvironmentCreateParams{
			Name:        "support-python",
			Description: "Python 3 with pandas.",
			Config: &CloudConfig{
				Networking: &Networking{Type: NetworkingLimited, AllowedHosts: []string{"api.orders.example.com"}, AllowMCPServers: new(true), AllowPackageManagers: new(true)},
				Packages:   &Packages{Apt: []string{"jq"}, Pip: []string{"pandas==2.2.3", "requests"}, Npm: []string{}},
			},
			Metadata: map[string]string{"team": "support"},
			Scope:    "organization",
		}},
		{"environments/create_unrestricted.json", EnvironmentCreateParams{
			Name:   "open-net",
			Config: &CloudConfig{Networking: NewNetworkingUnrestricted(), Packages: &Packages{Cargo: []string{"ripgrep"}, Gem: []string{"rake"}, Go: []string{"golang.org/x/tools/cmd/goimports@latest"}}},
		}},
		{"environments/create_limited_bare.json", EnvironmentCreateParams{Name: "locked", Config: &CloudConfig{Networking: NewNetworkingLimited()}}},
		{"environments/create_self_hosted.json", EnvironmentCreateParams{Name: "on-prem-workers", Config: &SelfHostedConfig{}}},
		{"environments/create_minimal.json", EnvironmentCreateParams{Name: "default"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "environments/environment.json"))))
			env, err := c.Environments.Create(context.Background(), tc.params)
			require.NoError(t, err)
			require.Equal(t, "env_011C9KTAb8dLcukC7edhDQ7c", env.ID)
			r := requireOneRequest(t, *reqs, "POST", "/v1/environments", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestEnvironmentUpdate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		golden string
		params EnvironmentUpdateParams
	}{
		{"environments/update_partial.json", EnvironmentUpdateParams{
			Name:     "support-python-2",
			Config:   &CloudConfig{Packages: &Packages{Pip: []string{}}},
			Metadata: MetadataPatch{}.Set("team", "core").Delete("old"),
			Scope:    "organization",
		}},
		{"environments/update_clear_description.json", EnvironmentUpdateParams{Clear: []string{"description"}}},
		// New hosts only: the stored allow_* flags are kept (not sent).
		{"environments/update_hosts_keep_flags.json", EnvironmentUpdateParams{
			Config: &CloudConfig{Networking: NewNetworkingLimited("api.example.com")},
		}},
		// An explicit false is sent, to turn a flag off.
		{"environments/update_flags_off.json", EnvironmentUpdateParams{
			Config: &CloudConfig{Networking: &Networking{Type: NetworkingLimited, AllowedHosts: []string{"api.example.com"}, AllowPackageManagers: new(false)}},
		}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "environments/environment.json"))))
			_, err := c.Environments.Update(context.Background(), "env_011C9KTAb8dLcukC7edhDQ7c", tc.params)
			require.NoError(t, err)
			r := requireOneRequest(t, *reqs, "POST", "/v1/environments/env_011C9KTAb8dLcukC7edhDQ7c", "")
			assertGolden(t, tc.golden, r.Body)
		})
	}
}

func TestEnvironmentGetListArchive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "environments/environment_self_hosted.json"))))
	env, err := c.Environments.Get(ctx, "env_011CZkZ9X2dpNyB7HsEFoRfW", EnvironmentGetParams{})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/environments/env_011CZkZ9X2dpNyB7HsEFoRfW", "")
	require.Equal(t, &SelfHostedConfig{}, env.Config)

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "environments/environment_self_hosted.json"))))
	env, err = c.Environments.Archive(ctx, "env_011CZkZ9X2dpNyB7HsEFoRfW", EnvironmentArchiveParams{})
	require.NoError(t, err)
	r := requireOneRequest(t, *reqs, "POST", "/v1/environments/env_011CZkZ9X2dpNyB7HsEFoRfW/archive", "")
	require.Empty(t, r.Body)
	require.True(t, env.IsArchived())

	page := `{"data":[` + string(fixture(t, "environments/environment.json")) + `,` + string(fixture(t, "environments/environment_unrestricted.json")) + `],"next_page":"p2"}`
	c, reqs = newTestClient(t, replyJSON(200, page))
	p, err := c.Environments.List(ctx, EnvironmentListParams{IncludeArchived: true, Limit: 10, Page: "p1"})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/environments", "include_archived=true&limit=10&page=p1")
	require.Len(t, p.Data, 2)
	require.Equal(t, "p2", p.NextPage)
	require.Equal(t, "open-net", p.Data[1].Name)
}

func TestEnvironmentListAll(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, pagesByCursor(map[string]string{
		"":   `{"data":[{"id":"env_1","type":"environment","config":{"type":"cloud","networking":{"type":"unrestricted"}}}],"next_page":"p2"}`,
		"p2": `{"data":[],"next_page":"p3"}`,
		"p3": `{"data":[{"id":"env_2","type":"environment","config":{"type":"self_hosted"}}],"next_page":"p4"}`,
	}))
	var ids []string
	var gotErr error
	for env, err := range c.Environments.ListAll(context.Background(), EnvironmentListParams{Limit: 1}) {
		if err != nil {
			gotErr = err
			break
		}
		ids = append(ids, env.ID)
	}
	require.Equal(t, []string{"env_1", "env_2"}, ids)
	require.ErrorIs(t, gotErr, ErrServer)
	require.Len(t, *reqs, 4)
	require.Equal(t, "limit=1&page=p4", (*reqs)[3].RawQuery)
}

func TestEnvironmentDelete(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"stub", 200, string(fixture(t, "environments/deleted.json"))},
		{"empty 200", 200, ""},
		{"empty 204", 204, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, reqs := newTestClient(t, replyJSON(tc.status, tc.body))
			d, err := c.Environments.Delete(context.Background(), "env_011C9KTAb8dLcukC7edhDQ7c", EnvironmentDeleteParams{})
			require.NoError(t, err)
			require.Equal(t, &DeletedObject{ID: "env_011C9KTAb8dLcukC7edhDQ7c", Type: "environment_deleted"}, d)
			r := requireOneRequest(t, *reqs, "DELETE", "/v1/environments/env_011C9KTAb8dLcukC7edhDQ7c", "")
			require.Empty(t, r.Body)
		})
	}
	c, _ := newTestClient(t, replyJSON(409, `{"type":"error","error":{"type":"conflict_error","message":"in use"}}`))
	_, err := c.Environments.Delete(context.Background(), "env_1", EnvironmentDeleteParams{})
	require.ErrorIs(t, err, ErrConflict)
}

func TestEnvironmentDecode(t *testing.T) {
	t.Parallel()
	var env Environment
	require.NoError(t, json.Unmarshal(fixture(t, "environments/environment.json"), &env))
	require.Equal(t, "env_011C9KTAb8dLcukC7edhDQ7c", env.ID)
	require.Equal(t, "environment", env.Type)
	require.Equal(t, "support-python", env.Name)
	require.Contains(t, env.Description, "pandas")
	require.Equal(t, &CloudConfig{
		Networking: &Networking{Type: NetworkingLimited, AllowedHosts: []string{"api.orders.example.com"}, AllowMCPServers: new(true), AllowPackageManagers: new(true)},
		Packages:   &Packages{Type: "packages", Apt: []string{"jq"}, Cargo: []string{}, Gem: []string{}, Go: []string{}, Npm: []string{}, Pip: []string{"pandas==2.2.3", "requests"}},
	}, env.Config)
	require.Equal(t, EnvironmentTypeCloud, env.Config.ConfigType())
	require.Equal(t, "organization", env.Scope)
	require.Equal(t, map[string]string{"team": "support"}, env.Metadata)
	require.Equal(t, parseTS(t, "2026-11-02T09:10:51.803Z"), env.CreatedAt)
	require.Equal(t, parseTS(t, "2026-11-02T09:10:51.803Z"), env.UpdatedAt)
	require.False(t, env.IsArchived())

	var sh Environment
	require.NoError(t, json.Unmarshal(fixture(t, "environments/environment_self_hosted.json"), &sh))
	require.Empty(t, sh.Description)
	require.Empty(t, sh.Scope)
	require.Equal(t, EnvironmentTypeSelfHosted, sh.Config.ConfigType())
	require.Equal(t, parseTS(t, "2026-11-01T00:00:00Z"), sh.ArchivedAt)

	var un Environment
	require.NoError(t, json.Unmarshal(fixture(t, "environments/environment_unrestricted.json"), &un))
	require.Equal(t, "account", un.Scope)
	cc := un.Config.(*CloudConfig)
	require.Equal(t, NewNetworkingUnrestricted(), cc.Networking)
	require.Equal(t, []string{"typescript@5"}, cc.Packages.Npm)
	require.Equal(t, []string{"golang.org/x/tools/cmd/goimports@latest"}, cc.Packages.Go)

	// An unknown config type and unknown fields are kept.
	raw := `{"id":"env_9","type":"environment","name":"x","description":"d","config":{"type":"gpu_cloud","gpus":2},"metadata":{},"created_at":"2026-11-02T09:10:51Z","updated_at":"2026-11-02T09:10:51Z","archived_at":null,"region":"eu"}`
	var unk Environment
	require.NoError(t, json.Unmarshal([]byte(raw), &unk))
	cfg, ok := unk.Config.(*UnknownEnvironmentConfig)
	require.True(t, ok)
	require.Equal(t, "gpu_cloud", cfg.ConfigType())
	require.JSONEq(t, raw, string(unk.RawJSON()))
	out, err := json.Marshal(&unk)
	require.NoError(t, err)
	require.Contains(t, string(out), `"config":{"type":"gpu_cloud","gpus":2}`)
}

func TestEnvironmentValidation(t *testing.T) {
	t.Parallel()
	c, reqs := newTestClient(t, replyJSON(200, `{}`))
	ctx := context.Background()
	for _, tc := range []struct {
		field  string
		params EnvironmentCreateParams
	}{
		{"name", EnvironmentCreateParams{}},
		{"config.networking.type", EnvironmentCreateParams{Name: "x", Config: &CloudConfig{Networking: &Networking{Type: "open"}}}},
		{"config.networking.allowed_hosts[1]", EnvironmentCreateParams{Name: "x", Config: &CloudConfig{Networking: NewNetworkingLimited("a.example.com", "")}}},
		{"config", EnvironmentCreateParams{Name: "x", Config: (*CloudConfig)(nil)}},
		{`metadata[""]`, EnvironmentCreateParams{Name: "x", Metadata: map[string]string{"": "v"}}},
	} {
		_, err := c.Environments.Create(ctx, tc.params)
		requireInvalid(t, err, tc.field)
	}
	_, err := c.Environments.Update(ctx, "env_1", EnvironmentUpdateParams{Clear: []string{"description"}, Description: "x"})
	requireInvalid(t, err, "description")
	_, err = c.Environments.Update(ctx, "env_1", EnvironmentUpdateParams{Clear: []string{"metadata"}})
	requireInvalid(t, err, "clear[0]")
	_, err = c.Environments.Update(ctx, "env_1", EnvironmentUpdateParams{Config: &CloudConfig{Networking: &Networking{}}})
	requireInvalid(t, err, "config.networking.type")
	_, err = c.Environments.Update(ctx, "env/1", EnvironmentUpdateParams{})
	requireInvalid(t, err, "environment_id")
	_, err = c.Environments.Get(ctx, "", EnvironmentGetParams{})
	requireInvalid(t, err, "environment_id")
	_, err = c.Environments.Delete(ctx, "env?1", EnvironmentDeleteParams{})
	requireInvalid(t, err, "environment_id")
	_, err = c.Environments.Archive(ctx, "env#1", EnvironmentArchiveParams{})
	requireInvalid(t, err, "environment_id")
	_, err = c.Environments.List(ctx, EnvironmentListParams{Limit: -5})
	requireInvalid(t, err, "limit")
	require.Empty(t, *reqs)
}
