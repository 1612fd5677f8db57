package managedagents

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents/option"
)

// TestEveryServiceMethodHasTheOneShape: every method of every service is
// Method(ctx, ids..., params, opts ...option.RequestOption), its ids the path
// parameters of its route, its params a struct named …Params, and it returns
// (T, error) or an iter.Seq2[T, error] (doc.go, "The shape of a call").
func TestEveryServiceMethodHasTheOneShape(t *testing.T) {
	t.Parallel()
	c := NewClient()
	ctxType := reflect.TypeFor[context.Context]()
	optsType := reflect.TypeFor[[]option.RequestOption]()
	errType := reflect.TypeFor[error]()
	for _, name := range serviceMethods(c) {
		mt := serviceMethod(c, name).Type()
		ids := len(routeParams(wantEndpoints[serviceCalls[name].ops[0]].route))
		require.Equal(t, ids+3, mt.NumIn(), "%s: ctx, %d ids, params, opts", name, ids)
		require.Equal(t, ctxType, mt.In(0), "%s: ctx first", name)
		for i := 1; i <= ids; i++ {
			require.Equal(t, reflect.String, mt.In(i).Kind(), "%s: the ids are strings", name)
		}
		params := mt.In(ids + 1)
		require.Equal(t, reflect.Struct, params.Kind(), "%s: params is a struct", name)
		require.True(t, strings.HasSuffix(params.Name(), "Params"), "%s: params type %s", name, params.Name())
		require.True(t, mt.IsVariadic(), "%s: options last", name)
		require.Equal(t, optsType, mt.In(ids+2), "%s: opts ...option.RequestOption", name)
		switch mt.NumOut() {
		case 2:
			require.Equal(t, errType, mt.Out(1), "%s: (T, error)", name)
		case 1:
			seq := mt.Out(0)
			require.Equal(t, reflect.Func, seq.Kind(), "%s: iter.Seq2[T, error]", name)
			require.True(t, strings.HasPrefix(seq.String(), "iter.Seq2["), "%s: %s", name, seq)
			require.Equal(t, errType, seq.In(0).In(1), "%s: iter.Seq2[T, error]", name)
			require.True(t, strings.HasSuffix(name, "ListAll"), "%s: only ListAll iterates", name)
		default:
			t.Errorf("%s returns %d values", name, mt.NumOut())
		}
	}
}
