package runtime_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// libraryPackages are the packages an embedder imports, by name and directory.
var libraryPackages = map[string]string{
	"runtime":   ".",
	"arazzo":    "../arazzo",
	"report":    "../report",
	"openapi":   "../openapi",
	"asyncapi":  "../asyncapi",
	"expr":      "../expr",
	"fetch":     "../fetch",
	"journal":   "../journal",
	"transport": "../transport",
}

// TestDocNamesExist: every pkg.Name that the documentation of a library
// package mentions (go doc shows it) is a name that package declares, so
// the documentation names no type or function that does not exist.
func TestDocNamesExist(t *testing.T) {
	declared := map[string]map[string]bool{}
	comments := map[string][]*ast.CommentGroup{}
	for name, dir := range libraryPackages {
		declared[name] = map[string]bool{}
		fset := token.NewFileSet()
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			for _, obj := range f.Scope.Objects {
				declared[name][obj.Name] = true
			}
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					declared[name][fd.Name.Name] = true
				}
			}
			comments[path] = f.Comments
		}
	}
	mention := regexp.MustCompile(`\b(runtime|arazzo|report|openapi|asyncapi|expr|fetch|journal|transport)\.([A-Z][A-Za-z0-9_]*)`)
	checked := 0
	for path, groups := range comments {
		for _, g := range groups {
			for _, m := range mention.FindAllStringSubmatch(g.Text(), -1) {
				checked++
				if !declared[m[1]][m[2]] {
					t.Errorf("%s: the documentation names %s.%s, which package %s does not declare", path, m[1], m[2], m[1])
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no documented name was checked")
	}
}
