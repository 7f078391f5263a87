package arazzo

import (
	"fmt"
	"strings"
	"testing"
)

// chainDocument is the chain workflow bench/gen writes: n steps, each reading
// the item the previous step names, checking the status and a JSONPath criterion.
func chainDocument(n int) []byte {
	var b strings.Builder
	b.WriteString(`arazzo: 1.0.1
info:
  title: chain
  version: 1.0.0
sourceDescriptions:
  - name: items
    url: openapi/items.openapi.yaml
    type: openapi
workflows:
  - workflowId: chain
    steps:
`)
	for i := range n {
		value := "0"
		if i > 0 {
			value = fmt.Sprintf("$steps.s%d.outputs.next", i-1)
		}
		fmt.Fprintf(&b, `      - stepId: s%d
        operationId: getItem
        parameters:
          - name: n
            in: path
            value: %s
        successCriteria:
          - condition: $statusCode == 200
          - context: $response.body
            condition: $.items[?@.ok == true]
            type: jsonpath
        outputs:
          next: $response.body#/next
`, i, value)
	}
	fmt.Fprintf(&b, "    outputs:\n      last: $steps.s%d.outputs.next\n", n-1)
	return []byte(b.String())
}

// BenchmarkChain1000 splits loading the 1,000-step chain of the end-to-end
// benchmark into its phases: YAML to model (parse), then the checks without
// the source descriptions (validate), and both.
func BenchmarkChain1000(b *testing.B) {
	data := chainDocument(1000)
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, ds := Parse("chain.arazzo.yaml", data); ds.HasErrors() {
				b.Fatal(ds.Err())
			}
		}
	})
	doc, ds := Parse("chain.arazzo.yaml", data)
	if ds.HasErrors() {
		b.Fatal(ds.Err())
	}
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ds := Validate(doc); ds.HasErrors() {
				b.Fatal(ds.Err())
			}
		}
	})
	b.Run("parse+validate", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			doc, ds := Parse("chain.arazzo.yaml", data)
			if ds = append(ds, Validate(doc)...); ds.HasErrors() {
				b.Fatal(ds.Err())
			}
		}
	})
}
