// Package benchdoc holds the documents and data of the benchmarks, shared by
// bench/gen and bench/mock (the end-to-end runs) and the Go benchmarks, so
// that all of them measure the same workflow.
package benchdoc

import (
	"fmt"
	"strconv"
	"strings"
)

// Chain is the chain workflow of n steps: step i reads /items/{n} with n the
// previous step's "next", checks $statusCode == 200 and an RFC 9535 JSONPath
// criterion, or with simple a simple criterion instead (which Redocly respect
// reads the same way). Its source is openapi/items.openapi.yaml (ItemsOpenAPI).
func Chain(n int, simple bool) string {
	var b strings.Builder
	kind := "an RFC 9535 JSONPath criterion"
	if simple {
		kind = "a simple criterion"
	}
	fmt.Fprintf(&b, `arazzo: 1.0.1
info:
  title: Chain of %d steps
  summary: Each step follows the previous response's next field; checks the status and %s.
  version: 1.0.0
sourceDescriptions:
  - name: items
    url: openapi/items.openapi.yaml
    type: openapi
workflows:
  - workflowId: chain
    steps:
`, n, kind)
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
`, i, value)
		if simple {
			b.WriteString("          - condition: $response.body#/items/0/handle != null\n")
		} else {
			b.WriteString("          - context: $response.body\n            condition: $.items[?@.ok == true]\n            type: jsonpath\n")
		}
		b.WriteString("        outputs:\n          next: $response.body#/next\n")
	}
	fmt.Fprintf(&b, "    outputs:\n      last: $steps.s%d.outputs.next\n", n-1)
	return b.String()
}

// ItemsOpenAPI describes the items Chain reads (GET /items/{n}); its server is
// a placeholder that --server overrides.
const ItemsOpenAPI = `openapi: 3.1.0
info:
  title: Benchmark items
  version: 1.0.0
  summary: A chain of items; each names the next one.
servers:
  - url: http://127.0.0.1:8080
paths:
  /items/{n}:
    get:
      operationId: getItem
      parameters:
        - name: n
          in: path
          required: true
          schema:
            type: integer
      responses:
        "200":
          description: The item; next is the number of the following one.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Item"
        "400":
          description: Not an item number.
components:
  schemas:
    Item:
      type: object
      required: [id, next]
      properties:
        id:
          type: integer
        next:
          type: integer
        handle:
          type: string
        items:
          type: array
          items:
            type: object
            properties:
              id:
                type: integer
              handle:
                type: string
              ok:
                type: boolean
        tags:
          type: array
          items:
            type: string
        owner:
          type: object
        note:
          type: string
`

// filler pads an item to about 1 KiB, the body size the baseline is quoted for.
var filler = strings.Repeat("lorem ipsum dolor sit amet ", 30)

// Item is the body of item n: a step reads next and asks for it.
func Item(n int64) string {
	id := strconv.FormatInt(n, 10)
	return `{"id":` + id + `,"next":` + strconv.FormatInt(n+1, 10) + `,"handle":"item-` + id + `",` +
		`"items":[{"id":` + id + `,"handle":"item-` + id + `-a","ok":true},{"id":` + id + `,"handle":"item-` + id + `-b","ok":false}],` +
		`"tags":["alpha","beta","gamma"],"owner":{"name":"bench","team":"runtime"},` +
		`"note":"` + filler + `"}`
}
