package arazzo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/specsuite"
)

// bigDocument generates a workflow of n steps; each step passes the previous
// step's output on and checks its status; every tenth step also has a request
// body, a retry and a conditional goto.
func bigDocument(n int) []byte {
	var b strings.Builder
	b.WriteString(`arazzo: 1.1.0
info:
  title: generated
  version: 1.0.0
sourceDescriptions:
  - name: api
    url: https://example.com/openapi.yaml
    type: openapi
workflows:
  - workflowId: big
    inputs:
      type: object
      properties:
        token:
          type: string
    parameters:
      - name: Authorization
        in: header
        value: Bearer {$inputs.token}
    steps:
`)
	for i := range n {
		fmt.Fprintf(&b, `      - stepId: step%d
        operationId: op%d
        parameters:
          - name: id
            in: query
            value: %s
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          id: $response.body#/id
`, i, i, prevRef(i))
		if i%10 != 0 {
			continue
		}
		// Every tenth step is a rich one: a templated body, a JSONPath check, a
		// retry and a conditional goto.
		fmt.Fprintf(&b, `        requestBody:
          contentType: application/json
          payload:
            previous: %s
            note: "step {$inputs.token} of %d"
        onFailure:
          - name: retry
            type: retry
            retryAfter: 1
            retryLimit: 3
            criteria:
              - condition: $statusCode == 503
        onSuccess:
          - name: skip
            type: goto
            stepId: step%d
            criteria:
              - context: $response.body
                condition: $.items[?@.skip == true]
                type: jsonpath
`, prevRef(i), n, min(i+2, n-1))
	}
	fmt.Fprintf(&b, "    outputs:\n      last: $steps.step%d.outputs.id\n", n-1)
	return []byte(b.String())
}

func prevRef(i int) string {
	if i == 0 {
		return "$inputs.token"
	}
	return fmt.Sprintf("$steps.step%d.outputs.id", i-1)
}

// BenchmarkValidate1000Steps parses and validates a 1,000-step workflow
// (target: under 50 ms per operation).
func BenchmarkValidate1000Steps(b *testing.B) {
	data := bigDocument(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		doc, ds := Parse("big.arazzo.yaml", data)
		ds = append(ds, Validate(doc)...)
		if ds.HasErrors() {
			b.Fatalf("generated document has errors:\n%s", render(ds.Errors()[:1]))
		}
	}
}

// BenchmarkValidate100Docs parses and validates 100 typical documents, the rule
// fixtures and the specification's examples, in one process (target: under 1 s
// per operation).
func BenchmarkValidate100Docs(b *testing.B) {
	files, _ := filepath.Glob("testdata/rules/*.arazzo.yaml")
	if root := specsuite.Dir(); root != "" {
		more, _ := filepath.Glob(filepath.Join(root, "tests-1.1", "pass", "*.yaml"))
		files = append(files, more...)
	}
	var docs [][]byte
	for len(docs) < 100 {
		for _, f := range files {
			if len(docs) == 100 {
				break
			}
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, data)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, data := range docs {
			doc, ds := Parse(fmt.Sprintf("doc%d.arazzo.yaml", i), data)
			_ = append(ds, Validate(doc)...)
		}
	}
}
