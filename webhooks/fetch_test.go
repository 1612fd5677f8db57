package webhooks_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/webhooks"
)

// recordingGetters returns Getters whose every function records its kind and
// arguments and returns them as the object.
func recordingGetters(calls *[]string) webhooks.Getters {
	one := func(kind string) func(context.Context, string) (any, error) {
		return func(_ context.Context, id string) (any, error) {
			call := kind + "(" + id + ")"
			*calls = append(*calls, call)
			return call, nil
		}
	}
	two := func(kind string) func(context.Context, string, string) (any, error) {
		return func(_ context.Context, parent, id string) (any, error) {
			call := kind + "(" + parent + "," + id + ")"
			*calls = append(*calls, call)
			return call, nil
		}
	}
	return webhooks.Getters{
		Session:         one("session"),
		SessionThread:   two("session_thread"),
		Vault:           one("vault"),
		VaultCredential: two("vault_credential"),
		Agent:           one("agent"),
		Environment:     one("environment"),
		MemoryStore:     one("memory_store"),
		Deployment:      one("deployment"),
		DeploymentRun:   one("deployment_run"),
		UserProfile:     one("user_profile"),
		ExternalKey:     one("external_key"),
		ExternalStorage: one("external_storage"),
	}
}

func TestFetchCallsTheGetterOfTheEventsObject(t *testing.T) {
	t.Parallel()
	for _, tc := range everyType {
		t.Run(tc.typ, func(t *testing.T) {
			ev, err := webhooks.DecodeEvent(payload(tc.typ))
			require.NoError(t, err)
			var calls []string
			obj, err := recordingGetters(&calls).Fetch(context.Background(), ev)
			if strings.HasSuffix(tc.typ, ".deleted") {
				require.ErrorIs(t, err, webhooks.ErrDeleted)
				require.Nil(t, obj)
				require.Empty(t, calls, "a getter was called for a deleted object")
				return
			}
			require.NoError(t, err)
			want := string(tc.kind) + "(obj_1)"
			switch tc.kind {
			case webhooks.KindSessionThread:
				want = "session_thread(obj_1,sthr_1)"
			case webhooks.KindVaultCredential:
				want = "vault_credential(vlt_1,obj_1)"
			}
			require.Equal(t, []string{want}, calls)
			require.Equal(t, want, obj)
		})
	}
}

func TestFetchRefusesWithoutAnObjectOrAGetter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	unknown, err := webhooks.DecodeEvent(payload("session.frobnicated"))
	require.NoError(t, err)
	var calls []string
	_, err = recordingGetters(&calls).Fetch(ctx, unknown)
	require.ErrorIs(t, err, webhooks.ErrUnknownObject)
	_, err = recordingGetters(&calls).Fetch(ctx, nil)
	require.ErrorIs(t, err, webhooks.ErrUnknownObject)
	require.Empty(t, calls)

	idle, err := webhooks.DecodeEvent(payload(webhooks.TypeSessionStatusIdled))
	require.NoError(t, err)
	_, err = webhooks.Getters{Agent: recordingGetters(&calls).Agent}.Fetch(ctx, idle)
	require.ErrorIs(t, err, webhooks.ErrNoGetter)
	require.ErrorContains(t, err, "session")
	require.Empty(t, calls)
}

func TestFetchPassesTheGettersErrorWithoutATypedNil(t *testing.T) {
	t.Parallel()
	type session struct{}
	notFound := errors.New("not found")
	getters := webhooks.Getters{Session: func(context.Context, string) (any, error) {
		return (*session)(nil), notFound // as `return client.Sessions.Get(ctx, id, managedagents.SessionGetParams{})` does
	}}
	ev, err := webhooks.DecodeEvent(payload(webhooks.TypeSessionStatusIdled))
	require.NoError(t, err)
	obj, err := getters.Fetch(context.Background(), ev)
	require.ErrorIs(t, err, notFound)
	require.True(t, obj == nil, "a typed nil came back: %#v", obj)
}

func TestFetchPassesTheContext(t *testing.T) {
	t.Parallel()
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	getters := webhooks.Getters{Session: func(ctx context.Context, _ string) (any, error) {
		return ctx.Value(key{}), nil
	}}
	ev, err := webhooks.DecodeEvent(payload(webhooks.TypeSessionStatusIdled))
	require.NoError(t, err)
	got, err := getters.Fetch(ctx, ev)
	require.NoError(t, err)
	require.Equal(t, "v", got)
}
