package arazzo

import (
	"fmt"
	"strings"
	"testing"
)

// Paths cut from shared blocks stay what they were cut as while many more
// are cut after them, across blocks, and a path too long for a block is
// made on its own.
func TestPathsCutFromBlocks(t *testing.T) {
	var ps paths
	long := strings.Repeat("x", pathChunk)
	type cut struct{ got, want string }
	var cuts []cut
	base := "workflows[0].steps"
	for i := range 5000 {
		step := ps.index(base, i)
		cuts = append(cuts, cut{step, indexPath(base, i)})
		p := ps.join(step, "parameters")
		cuts = append(cuts, cut{p, joinPath(indexPath(base, i), "parameters")})
		if i%1000 == 0 {
			cuts = append(cuts, cut{ps.join(step, long), joinPath(indexPath(base, i), long)}, cut{ps.index(long, i), indexPath(long, i)})
		}
	}
	cuts = append(cuts, cut{ps.join("", "workflows"), "workflows"})
	for _, c := range cuts {
		if c.got != c.want {
			t.Fatalf("path %.60q, want %.60q", c.got, c.want)
		}
	}
}

// The checker's diagnostics carry the paths of their nodes when a document
// has more of them than a block holds.
func TestCheckPathsOfManySteps(t *testing.T) {
	const n = 400
	var b strings.Builder
	b.WriteString("arazzo: 1.0.1\ninfo: {title: t, version: \"1\"}\nsourceDescriptions: [{name: api, url: api.yaml, type: openapi}]\nworkflows:\n  - workflowId: w\n    steps:\n")
	for i := range n {
		fmt.Fprintf(&b, `      - stepId: s%d
        operationPath: '{$sourceDescriptions.api.url}#/paths/~1a/get'
        parameters:
          - {name: q, in: query, value: 1}
          - {name: p, value: 2}
        successCriteria:
          - condition: $statusCode == 200
          - condition: $statusCode ==
        outputs:
          out: $response.body#/next
`, i)
	}
	doc, diags := Parse("many.arazzo.yaml", []byte(b.String()))
	if doc == nil {
		t.Fatalf("no document: %v", diags)
	}
	got := map[string]int{}
	for _, d := range Validate(doc) {
		got[d.Rule+" "+d.Path]++
	}
	for i := range n {
		for _, want := range []string{
			fmt.Sprintf("%s workflows[0].steps[%d].parameters[1]", RuleParameterInMissing, i),
			fmt.Sprintf("%s workflows[0].steps[%d].successCriteria[1].condition", RuleConditionSyntax, i),
		} {
			if got[want] != 1 {
				t.Fatalf("diagnostic %q reported %d times, want once; all: %v", want, got[want], got)
			}
			delete(got, want)
		}
	}
	if len(got) > 0 {
		t.Errorf("other diagnostics: %v", got)
	}
}
