package runtime

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The library's messages name no command-line flag (nor a command of the
// CLI's): an embedder has neither.
// The CLI adds its flags to what it prints, by error type. Every string
// literal in the library packages' sources is checked.
func TestLibraryMessagesNameNoFlag(t *testing.T) {
	flag := regexp.MustCompile(`(^|[^-\w])--[a-z]`)
	fset := token.NewFileSet()
	for _, pkg := range []string{"runtime", "arazzo", "openapi", "expr", "report", "journal", "temporal", "fetch", "asyncapi", "transport"} {
		root := filepath.Join("..", pkg)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && flag.MatchString(lit.Value) {
					t.Errorf("%s: %s names a flag", fset.Position(lit.Pos()), lit.Value)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// The executor decides on what happened, never on how an error is worded.
func TestExecutorDoesNotMatchErrorText(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "machine.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		fn, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		if pkg, ok := fn.X.(*ast.Ident); !ok || pkg.Name != "strings" {
			return true
		}
		switch arg := call.Args[0].(type) {
		case *ast.SelectorExpr:
			if arg.Sel.Name == "Msg" || arg.Sel.Name == "Err" {
				t.Errorf("%s: strings.%s on an error's text", fset.Position(call.Pos()), fn.Sel.Name)
			}
		case *ast.CallExpr:
			if sel, ok := arg.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" {
				t.Errorf("%s: strings.%s on an error's text", fset.Position(call.Pos()), fn.Sel.Name)
			}
		}
		return true
	})
}
