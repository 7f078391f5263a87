package arazzo

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ruleConstants reads the rule ids declared as Rule* string constants in rules.go
// and validate*.go.
func ruleConstants(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob("validate*.go")
	files = append(files, "rules.go")
	ids := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Rule") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						id, _ := strconv.Unquote(lit.Value)
						ids[id] = name.Name
					}
				}
			}
		}
	}
	if len(ids) < 50 {
		t.Fatalf("found only %d rule constants", len(ids))
	}
	return ids
}

// TestRulesDocumented checks that every rule id used in the code has an entry in
// docs/rules.md and a one-line description for SARIF, and that the page documents
// no rule that does not exist.
func TestRulesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	ids := ruleConstants(t)
	for id, name := range ids {
		if !strings.Contains(text, "\n### `"+id+"`\n") {
			t.Errorf("%s (%q) has no entry \"### `%s`\" in docs/rules.md", name, id, id)
		}
		if _, ok := ruleDescriptions[id]; !ok {
			t.Errorf("%s (%q) has no description in ruleDescriptions", name, id)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if id, ok := strings.CutPrefix(line, "### `"); ok {
			id = strings.TrimSuffix(id, "`")
			if _, known := ids[id]; !known {
				t.Errorf("docs/rules.md documents %q, which no constant declares", id)
			}
		}
	}
	for id := range ruleDescriptions {
		if _, known := ids[id]; !known {
			t.Errorf("ruleDescriptions describes %q, which no constant declares", id)
		}
	}
	// The index has a row per rule, with the severity of its entry.
	index := text[strings.Index(text, "## Index"):strings.Index(text, "## Structure (loader)")]
	for id := range ids {
		entry := text[strings.Index(text, "\n### `"+id+"`\n"):]
		sev, _, _ := strings.Cut(strings.TrimPrefix(entry[strings.Index(entry, "**Severity:** "):], "**Severity:** "), "\n")
		want := strings.TrimRight(strings.Fields(sev)[0], ";,")
		switch {
		case strings.HasPrefix(sev, "error (") && strings.Contains(sev, ") or warning ("):
			want = "error or warning"
		case strings.HasPrefix(sev, "error (") && strings.Contains(sev, "warning"):
			want = "error when used, else warning"
		}
		row := "| [`" + id + "`](#" + id + ") | "
		i := strings.Index(index, row)
		if i < 0 {
			t.Errorf("docs/rules.md: the index has no row for %s", id)
			continue
		}
		if got, _, _ := strings.Cut(index[i+len(row):], " |"); got != want {
			t.Errorf("docs/rules.md: the index says %s is %q, its entry %q", id, got, sev)
		}
	}
}
