package webhooks_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/webhooks"
)

func TestDecodeSamples(t *testing.T) {
	t.Parallel()
	body := sampleBody(t, "webhook_session_status_idled.json")
	ev, err := webhooks.DecodeEvent(body)
	require.NoError(t, err)
	idle, ok := ev.(*webhooks.SessionStatusIdledEvent)
	require.True(t, ok, "got %T", ev)
	require.Equal(t, "whe_7c1d2e3f4a5b69788796a5b4c3d2e1aa", idle.EventID())
	require.Equal(t, webhooks.TypeSessionStatusIdled, idle.EventType())
	require.Equal(t, time.Date(2026, 11, 24, 12, 0, 4, 0, time.UTC), idle.EventCreatedAt())
	require.Equal(t, webhooks.SessionData{
		ID:             "sesn_011CZkZAtmR3yMPDzynEDxu7",
		OrganizationID: "org_011CZkZZAe0sMna4vkBdtrfx",
		WorkspaceID:    "wrkspc_011CZkZaBF1tNoB5wlCeusgy",
	}, idle.Data)
	require.Equal(t, body, []byte(idle.RawJSON()))

	body = sampleBody(t, "webhook_session_thread_idled.json")
	ev, err = webhooks.DecodeEvent(body)
	require.NoError(t, err)
	thread, ok := ev.(*webhooks.SessionThreadIdledEvent)
	require.True(t, ok, "got %T", ev)
	require.Equal(t, "sesn_011CZkZAtmR3yMPDzynEDxu7", thread.Data.ID, "data.id is the session")
	require.Equal(t, "sthr_011CZkZVWa6oJjw1rgXZpnBt", thread.Data.SessionThreadID)
	obj, ok := webhooks.ObjectOf(ev)
	require.True(t, ok)
	require.Equal(t, webhooks.Object{Kind: webhooks.KindSessionThread, ID: "sthr_011CZkZVWa6oJjw1rgXZpnBt", ParentID: "sesn_011CZkZAtmR3yMPDzynEDxu7"}, obj)
}

// everyType lists every webhook event type of the reference (51, from the
// official SDK v2.15.0), with the kind of object it names.
var everyType = []struct {
	typ  string
	kind webhooks.ObjectKind
}{
	{"session.created", webhooks.KindSession},
	{"session.pending", webhooks.KindSession},
	{"session.running", webhooks.KindSession},
	{"session.idled", webhooks.KindSession},
	{"session.requires_action", webhooks.KindSession},
	{"session.updated", webhooks.KindSession},
	{"session.archived", webhooks.KindSession},
	{"session.deleted", webhooks.KindSession},
	{"session.status_run_started", webhooks.KindSession},
	{"session.status_idled", webhooks.KindSession},
	{"session.status_rescheduled", webhooks.KindSession},
	{"session.status_terminated", webhooks.KindSession},
	{"session.budget_reached", webhooks.KindSession},
	{"session.outcome_evaluation_ended", webhooks.KindSession},
	{"session.thread_created", webhooks.KindSessionThread},
	{"session.thread_idled", webhooks.KindSessionThread},
	{"session.thread_terminated", webhooks.KindSessionThread},
	{"vault.created", webhooks.KindVault},
	{"vault.archived", webhooks.KindVault},
	{"vault.deleted", webhooks.KindVault},
	{"vault_credential.created", webhooks.KindVaultCredential},
	{"vault_credential.archived", webhooks.KindVaultCredential},
	{"vault_credential.deleted", webhooks.KindVaultCredential},
	{"vault_credential.refresh_failed", webhooks.KindVaultCredential},
	{"agent.created", webhooks.KindAgent},
	{"agent.updated", webhooks.KindAgent},
	{"agent.archived", webhooks.KindAgent},
	{"agent.deleted", webhooks.KindAgent},
	{"environment.created", webhooks.KindEnvironment},
	{"environment.updated", webhooks.KindEnvironment},
	{"environment.archived", webhooks.KindEnvironment},
	{"environment.deleted", webhooks.KindEnvironment},
	{"memory_store.created", webhooks.KindMemoryStore},
	{"memory_store.archived", webhooks.KindMemoryStore},
	{"memory_store.deleted", webhooks.KindMemoryStore},
	{"deployment.created", webhooks.KindDeployment},
	{"deployment.updated", webhooks.KindDeployment},
	{"deployment.paused", webhooks.KindDeployment},
	{"deployment.unpaused", webhooks.KindDeployment},
	{"deployment.archived", webhooks.KindDeployment},
	{"deployment.deleted", webhooks.KindDeployment},
	{"deployment_run.started", webhooks.KindDeploymentRun},
	{"deployment_run.succeeded", webhooks.KindDeploymentRun},
	{"deployment_run.failed", webhooks.KindDeploymentRun},
	{"user_profile.enforcement_action_opened", webhooks.KindUserProfile},
	{"user_profile.enforcement_action_resolved", webhooks.KindUserProfile},
	{"user_profile.program_status_updated", webhooks.KindUserProfile},
	{"external_key.failed", webhooks.KindExternalKey},
	{"external_key.recovered", webhooks.KindExternalKey},
	{"external_storage.failed", webhooks.KindExternalStorage},
	{"external_storage.recovered", webhooks.KindExternalStorage},
}

// payload builds a body of type typ whose data carries every id field any
// type has, so that each struct picks the ones it declares.
func payload(typ string) []byte {
	return fmt.Appendf(nil, `{"type":"event","id":"whe_1","created_at":"2026-11-24T12:00:04Z","data":{"type":%q,`+
		`"id":"obj_1","organization_id":"org_1","workspace_id":"wrkspc_1","session_thread_id":"sthr_1",`+
		`"vault_id":"vlt_1","enforcement_action_id":"enac_1"}}`, typ)
}

func TestEventTypesListsEveryTypeSorted(t *testing.T) {
	t.Parallel()
	want := make([]string, 0, len(everyType))
	for _, tc := range everyType {
		want = append(want, tc.typ)
	}
	slices.Sort(want)
	got := webhooks.EventTypes()
	require.Equal(t, want, got)
	got[0] = "changed"
	require.Equal(t, want, webhooks.EventTypes(), "the caller's copy is its own")
}

func TestDecodeEveryEventType(t *testing.T) {
	t.Parallel()
	require.Len(t, everyType, 51)
	for _, tc := range everyType {
		t.Run(tc.typ, func(t *testing.T) {
			body := payload(tc.typ)
			ev, err := webhooks.DecodeEvent(body)
			require.NoError(t, err)

			// The struct is named after the type: session.status_idled →
			// SessionStatusIdledEvent.
			require.Equal(t, pascal(tc.typ)+"Event", reflect.TypeOf(ev).Elem().Name())
			require.Equal(t, tc.typ, ev.EventType())
			require.Equal(t, "whe_1", ev.EventID())
			require.Equal(t, time.Date(2026, 11, 24, 12, 0, 4, 0, time.UTC), ev.EventCreatedAt())
			require.Equal(t, body, []byte(ev.RawJSON()))

			// Data: the family's fields, nothing else.
			data := reflect.ValueOf(ev).Elem().FieldByName("Data")
			require.True(t, data.IsValid(), "no Data field")
			fields := map[string]string{}
			for i := range data.NumField() {
				fields[data.Type().Field(i).Name] = data.Field(i).String()
			}
			require.Equal(t, "obj_1", fields["ID"])
			require.Equal(t, "org_1", fields["OrganizationID"])
			orgLevel := strings.HasPrefix(tc.typ, "user_profile.") || strings.HasPrefix(tc.typ, "external_")
			wantFields := map[string]string{"ID": "obj_1", "OrganizationID": "org_1"}
			if !orgLevel {
				wantFields["WorkspaceID"] = "wrkspc_1"
			}
			switch {
			case strings.HasPrefix(tc.typ, "session.thread_"):
				wantFields["SessionThreadID"] = "sthr_1"
			case strings.HasPrefix(tc.typ, "vault_credential."):
				wantFields["VaultID"] = "vlt_1"
			case strings.HasPrefix(tc.typ, "user_profile.enforcement_action_"):
				wantFields["EnforcementActionID"] = "enac_1"
			}
			require.Equal(t, wantFields, fields)

			obj, ok := webhooks.ObjectOf(ev)
			require.True(t, ok)
			want := webhooks.Object{Kind: tc.kind, ID: "obj_1", Deleted: strings.HasSuffix(tc.typ, ".deleted")}
			switch tc.kind {
			case webhooks.KindSessionThread:
				want.ID, want.ParentID = "sthr_1", "obj_1"
			case webhooks.KindVaultCredential:
				want.ParentID = "vlt_1"
			}
			require.Equal(t, want, obj)
		})
	}
}

// pascal turns an event type into the Go name of its struct.
func pascal(typ string) string {
	var b strings.Builder
	for part := range strings.FieldsFuncSeq(typ, func(r rune) bool { return r == '.' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func TestDecodeUnknownTypesAsUnknownEvent(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{
		"session.frobnicated", // a type added later
		"",                    // an endpoint's test event, whose type is not documented
		// Stream event types and spellings that are not webhook types.
		"session.status_idle", "session.status_running", "session.thread.created", "vault.credential.created",
		"event", "SESSION.STATUS_IDLED",
	} {
		body := payload(typ)
		ev, err := webhooks.DecodeEvent(body)
		require.NoError(t, err, "%q", typ)
		unknown, ok := ev.(*webhooks.UnknownEvent)
		require.True(t, ok, "%q gave %T", typ, ev)
		require.Equal(t, typ, unknown.EventType())
		require.Equal(t, "whe_1", unknown.EventID())
		require.Equal(t, body, []byte(unknown.RawJSON()))
		var data map[string]string
		require.NoError(t, json.Unmarshal(unknown.Data, &data))
		require.Equal(t, "obj_1", data["id"])
		_, ok = webhooks.ObjectOf(ev)
		require.False(t, ok)
	}
}

func TestDecodeRefusesWhatIsNotAnEvent(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		``,
		`{`,
		`null`,
		`[]`,
		`"event"`,
		`{"type":"event","id":"whe_1"}`,
		`{"type":"event","data":null}`,
		`{"type":"event","data":"session.status_idled"}`,
		`{"type":"event","data":{}}`,
		`{"type":"event","data":{"type":null}}`,
		`{"type":"event","data":{"type":7}}`,
		`{"type":"event","data":{"type":"session.created","id":7}}`,
		`{"type":"event","created_at":"yesterday","data":{"type":"session.created"}}`,
		`{"type":"event","id":["whe_1"],"data":{"type":"session.created"}}`,
		`{"type":"event","data":{"type":"session.created"}} trailing`,
	} {
		ev, err := webhooks.DecodeEvent([]byte(body))
		require.Error(t, err, "%q", body)
		require.Nil(t, ev)
		require.True(t, strings.HasPrefix(err.Error(), "webhooks: decoding"), err.Error())
	}
}

func TestDecodeIgnoresExtraFields(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type":"event","id":"whe_1","created_at":"2026-11-24T12:00:04Z","extra":{"a":[1,2]},` +
		`"data":{"type":"session.status_idled","id":"sesn_1","organization_id":"org_1","workspace_id":"w","new_field":true}}`)
	ev, err := webhooks.DecodeEvent(body)
	require.NoError(t, err)
	require.Equal(t, "sesn_1", ev.(*webhooks.SessionStatusIdledEvent).Data.ID)
}
