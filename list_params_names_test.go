package managedagents

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestListParamsNameTheirBoundsAlike: every list of the package names the
// bounds of a timestamp filter the same way, CreatedAtGT, CreatedAtGTE,
// CreatedAtLT, CreatedAtLTE (as the agents, sessions and deployments lists
// do), so that moving from one list to another needs no guess. The official
// SDK's spelling (CreatedAtGte) is not ours.
func TestListParamsNameTheirBoundsAlike(t *testing.T) {
	t.Parallel()
	bound := regexp.MustCompile(`^[A-Z][A-Za-z]*[a-z](Gt|Gte|Lt|Lte)$`)
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var wrong []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || !ts.Name.IsExported() {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, field := range st.Fields.List {
				for _, id := range field.Names {
					if bound.MatchString(id.Name) {
						wrong = append(wrong, fset.Position(id.Pos()).String()+": "+ts.Name.Name+"."+id.Name)
					}
				}
			}
			return true
		})
	}
	require.Empty(t, wrong, "time bounds are spelled GT, GTE, LT, LTE")
}
