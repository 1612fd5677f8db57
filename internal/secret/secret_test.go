package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

const key = "sk-ant-secret-test-value"

var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%p"}

func TestNeverPrinted(t *testing.T) {
	t.Parallel()
	s := New(key)
	type holder struct {
		Public  String
		private String
		Ptr     *String
	}
	values := []any{s, &s, holder{Public: s, private: s, Ptr: &s}, &holder{Public: s, private: s}, []String{s}, map[string]String{"k": s}}
	var out bytes.Buffer
	for _, v := range values {
		for _, verb := range verbs {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		fmt.Fprintln(&out, v)
		j, err := json.Marshal(v)
		require.NoError(t, err)
		out.Write(j)
	}
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	logger.Info("msg", "key", s, "holder", holder{Public: s})
	slog.New(slog.NewTextHandler(&out, nil)).Info("msg", "key", s)
	require.NotContains(t, out.String(), key)
	require.Contains(t, out.String(), "[redacted]")
}

func TestValue(t *testing.T) {
	t.Parallel()
	s := New(key)
	require.True(t, s.IsSet())
	require.Equal(t, key, s.Reveal())
	require.Equal(t, "[redacted]", s.String())
	require.Equal(t, "secret.String([redacted])", s.GoString())

	var zero String
	require.False(t, zero.IsSet())
	require.Empty(t, zero.Reveal())
	require.Empty(t, zero.String())
	require.Equal(t, zero, New(""))
	j, err := json.Marshal(zero)
	require.NoError(t, err)
	require.Equal(t, `""`, string(j))
}
