package managedagents

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// publicPackageDirs returns the directories of the packages a user imports:
// this one and every package below it, nested modules included, but not
// internal packages, example programs, test data, and the test-only modules
// conformance and benchmarks.
func publicPackageDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		switch d.Name() {
		case "internal", "examples", "testdata", "conformance", "benchmarks":
			return filepath.SkipDir
		}
		if strings.HasPrefix(d.Name(), ".") && path != "." {
			return filepath.SkipDir
		}
		if matches, _ := filepath.Glob(filepath.Join(path, "*.go")); len(matches) > 0 {
			dirs = append(dirs, path)
		}
		return nil
	})
	require.NoError(t, err)
	return dirs
}

// docProblems returns what the doc comments of the package in dir lack: a
// package comment, and for every exported name a comment: a type's and a
// function's start with the name (or "A", "An", "The"); a method's, a named
// field's, an interface method's and a constant's or variable's (its own or
// its group's) must exist.
func docProblems(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	pkgs := map[string][]*ast.File{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		pkgs[f.Name.Name] = append(pkgs[f.Name.Name], f)
	}
	var problems []string
	add := func(pos token.Pos, format string, args ...any) {
		p := fset.Position(pos)
		problems = append(problems, fmt.Sprintf("%s:%d: ", p.Filename, p.Line)+fmt.Sprintf(format, args...))
	}
	for name, files := range pkgs {
		if name == "main" {
			continue
		}
		d, err := doc.NewFromFiles(fset, files, dir)
		require.NoError(t, err)
		if strings.TrimSpace(d.Doc) == "" {
			problems = append(problems, dir+": package "+name+" has no package comment")
		}
		startsWith := func(pos token.Pos, text, name string) {
			if strings.TrimSpace(text) == "" {
				add(pos, "%s has no doc comment", name)
				return
			}
			first := strings.Fields(text)[0]
			if first != name && first != "A" && first != "An" && first != "The" && first != "Deprecated:" {
				add(pos, "the doc comment of %s starts with %q, not its name", name, first)
			}
		}
		values := func(vs []*doc.Value) {
			for _, v := range vs {
				if strings.TrimSpace(v.Doc) != "" {
					continue
				}
				for _, spec := range v.Decl.Specs {
					vs := spec.(*ast.ValueSpec)
					for _, n := range vs.Names {
						if n.IsExported() && vs.Doc.Text() == "" && vs.Comment.Text() == "" {
							add(n.Pos(), "%s has no doc comment", n.Name)
						}
					}
				}
			}
		}
		funcs := func(fs []*doc.Func) {
			for _, f := range fs {
				startsWith(f.Decl.Pos(), f.Doc, f.Name)
			}
		}
		values(d.Consts)
		values(d.Vars)
		funcs(d.Funcs)
		for _, typ := range d.Types {
			startsWith(typ.Decl.Pos(), typ.Doc, typ.Name)
			values(typ.Consts)
			values(typ.Vars)
			funcs(typ.Funcs)
			for _, m := range typ.Methods {
				if strings.TrimSpace(m.Doc) == "" {
					add(m.Decl.Pos(), "%s.%s has no doc comment", typ.Name, m.Name)
				}
			}
			for _, spec := range typ.Decl.Specs {
				ts := spec.(*ast.TypeSpec)
				var fields *ast.FieldList
				switch tt := ts.Type.(type) {
				case *ast.StructType:
					fields = tt.Fields
				case *ast.InterfaceType:
					fields = tt.Methods
				}
				if fields == nil {
					continue
				}
				for _, f := range fields.List {
					for _, n := range f.Names { // an embedded field is its type's doc
						if n.IsExported() && f.Doc.Text() == "" && f.Comment.Text() == "" {
							add(n.Pos(), "%s.%s has no doc comment", typ.Name, n.Name)
						}
					}
				}
			}
		}
	}
	return problems
}

// TestEveryExportedNameHasADocComment: go doc explains every exported name
// of every public package, from its own comment.
func TestEveryExportedNameHasADocComment(t *testing.T) {
	t.Parallel()
	dirs := publicPackageDirs(t)
	require.Contains(t, dirs, ".")
	require.Contains(t, dirs, "webhooks")
	var problems []string
	for _, dir := range dirs {
		problems = append(problems, docProblems(t, dir)...)
	}
	require.Empty(t, problems, "%d names lack a doc comment:\n%s", len(problems), strings.Join(problems, "\n"))
}

// TestServiceMethodsNameTheirRoutes: the doc comment of every service method
// names the route of each endpoint it calls ("POST /v1/agents"), as the
// table of endpoints_test.go says it calls them.
func TestServiceMethodsNameTheirRoutes(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		files = append(files, f)
	}
	d, err := doc.NewFromFiles(fset, files, "github.com/go-managedagents/managedagents")
	require.NoError(t, err)
	docs := map[string]string{} // "AgentService.Create": its doc, white space folded
	for _, typ := range d.Types {
		for _, m := range typ.Methods {
			docs[typ.Name+"."+m.Name] = strings.Join(strings.Fields(m.Doc), " ")
		}
	}
	c := NewClient()
	for _, name := range serviceMethods(c) {
		path := strings.Split(name, ".")
		v := reflect.ValueOf(c)
		for _, field := range path[:len(path)-1] {
			v = v.Elem().FieldByName(field)
		}
		method := v.Elem().Type().Name() + "." + path[len(path)-1]
		for _, op := range serviceCalls[name].ops {
			require.Contains(t, docs[method], wantEndpoints[op].route, "the doc comment of %s (%s) names the route it calls", method, name)
		}
	}
}
