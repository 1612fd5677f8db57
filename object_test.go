package managedagents

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Every object embeds ObjectMeta: decoding fills its id, type and timestamps,
// tolerates fields the SDK does not know, and keeps the JSON exactly as
// received.
func TestObjectMetaOfEveryObject(t *testing.T) {
	t.Parallel()
	const extra = `"future_field":{"x":[1,2]},`
	for _, tc := range []struct {
		name, json string
		decode     func([]byte) (*ObjectMeta, error)
		archived   bool
	}{
		{"agent", `{` + extra + `"id":"agent_1","type":"agent","name":"a","model":"claude-sonnet-5-5","tools":[],"created_at":"2026-11-24T10:00:00Z","updated_at":"2026-11-24T10:00:01Z","archived_at":"2026-11-24T10:00:02Z","version":1}`,
			func(b []byte) (*ObjectMeta, error) {
				var v Agent
				err := json.Unmarshal(b, &v)
				return &v.ObjectMeta, err
			}, true},
		{"environment", `{` + extra + `"id":"env_1","type":"environment","name":"e","config":{"type":"self_hosted"},"created_at":"2026-11-24T10:00:00Z","updated_at":"2026-11-24T10:00:01Z","archived_at":null}`,
			func(b []byte) (*ObjectMeta, error) {
				var v Environment
				err := json.Unmarshal(b, &v)
				return &v.ObjectMeta, err
			}, false},
		{"session", `{` + extra + `"id":"sesn_1","type":"session","status":"idle","resources":[],"created_at":"2026-11-24T10:00:00Z","updated_at":"2026-11-24T10:00:01Z","archived_at":"2026-11-24T10:00:02Z"}`,
			func(b []byte) (*ObjectMeta, error) {
				var v Session
				err := json.Unmarshal(b, &v)
				return &v.ObjectMeta, err
			}, true},
		{"thread", `{` + extra + `"id":"sthr_1","type":"session_thread","session_id":"sesn_1","status":"idle","created_at":"2026-11-24T10:00:00Z","updated_at":"2026-11-24T10:00:01Z"}`,
			func(b []byte) (*ObjectMeta, error) {
				var v SessionThread
				err := json.Unmarshal(b, &v)
				return &v.ObjectMeta, err
			}, false},
		{"file resource", `{` + extra + `"id":"sesrsc_1","type":"file","file_id":"file_1","created_at":"2026-11-24T10:00:00Z","updated_at":"2026-11-24T10:00:01Z"}`,
			func(b []byte) (*ObjectMeta, error) {
				r, err := DecodeSessionResource(b)
				if err != nil {
					return nil, err
				}
				return &r.(*FileResource).ObjectMeta, nil
			}, false},
		{"unknown resource", `{` + extra + `"id":"sesrsc_1","type":"volume","created_at":"2026-11-24T10:00:00Z","updated_at":"2026-11-24T10:00:01Z"}`,
			func(b []byte) (*ObjectMeta, error) {
				r, err := DecodeSessionResource(b)
				if err != nil {
					return nil, err
				}
				return &r.(*UnknownResource).ObjectMeta, nil
			}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := tc.decode([]byte(tc.json))
			require.NoError(t, err)
			require.NotEmpty(t, m.ID)
			require.NotEmpty(t, m.Type)
			require.Equal(t, time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), m.CreatedAt)
			require.Equal(t, time.Date(2026, 11, 24, 10, 0, 1, 0, time.UTC), m.UpdatedAt)
			require.Equal(t, tc.archived, m.IsArchived())
			require.Equal(t, tc.json, string(m.RawJSON()), "the raw JSON is kept as received")
		})
	}
}

// marshalWithType puts the type first and keeps every member of the variant.
func TestMarshalWithType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    any
		want string
	}{
		{struct{}{}, `{"type":"x"}`},
		{struct {
			A string `json:"a"`
		}{"b"}, `{"type":"x","a":"b"}`},
		{struct {
			A string `json:"a,omitzero"`
		}{}, `{"type":"x"}`},
	} {
		b, err := marshalWithType("x", tc.v)
		require.NoError(t, err)
		require.Equal(t, tc.want, string(b))
	}
	_, err := marshalWithType("x", func() {})
	require.Error(t, err)
}
