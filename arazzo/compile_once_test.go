package arazzo

import (
	"strings"
	"testing"
)

// Steps that repeat a criterion or a value share what the loader compiled
// for it, and each still reports its own problems at its own position.
func TestRepeatedCriteriaCompileOnce(t *testing.T) {
	src := `arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationPath: '{$sourceDescriptions.api.url}#/paths/~1a/get'
        parameters: [{name: q, in: query, value: $response.body#/next}]
        successCriteria:
          - condition: $statusCode == 200
          - condition: $statusCode ==
      - stepId: b
        operationPath: '{$sourceDescriptions.api.url}#/paths/~1a/get'
        parameters: [{name: q, in: query, value: $response.body#/next}]
        successCriteria:
          - condition: $statusCode == 200
          - condition: $statusCode ==
`
	doc, diags := Parse("flow.arazzo.yaml", []byte(src))
	if doc == nil {
		t.Fatalf("no document: %v", diags)
	}
	steps := doc.Workflows[0].Steps
	a, aErr := steps[0].SuccessCriteria[0].Compiled()
	b, bErr := steps[1].SuccessCriteria[0].Compiled()
	if aErr != nil || bErr != nil || a == nil || a != b {
		t.Errorf("the same criterion in two steps: %p (%v) and %p (%v), want one compiled criterion", a, aErr, b, bErr)
	}
	va, _ := steps[0].Parameters[0].Value.Compiled()
	vb, _ := steps[1].Parameters[0].Value.Compiled()
	if va == nil || va != vb {
		t.Errorf("the same value in two steps: %p and %p, want one compiled value", va, vb)
	}
	all := append(diags, Validate(doc)...)
	var lines []int
	for _, d := range all {
		if strings.Contains(d.Path, "successCriteria[1]") && d.Severity == SeverityError {
			lines = append(lines, d.Pos.Line)
		}
	}
	if len(lines) != 2 || lines[0] == lines[1] {
		t.Fatalf("the broken criterion of each step: reported on lines %v, want two distinct lines; all: %v", lines, all)
	}
}
