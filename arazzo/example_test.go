package arazzo_test

import (
	"fmt"

	"github.com/arazzo-run/arazzo/arazzo"
)

// Parse a document and validate it: every problem at once, each with its
// position, its rule id and, for a misspelt name, what was probably meant.
// The package reads nothing itself: the caller hands it the bytes.
func Example() {
	data := []byte(`arazzo: 1.0.1
info: {title: Pets, version: 1.0.0}
sourceDescriptions:
  - {name: pets, url: pets.openapi.yaml, type: openapi}
workflows:
  - workflowId: adopt
    steps:
      - stepid: create
        operationId: createPet
        successCriteria:
          - condition: $statusCode == 201
`)
	doc, diags := arazzo.Parse("pets.arazzo.yaml", data)
	diags = append(diags, arazzo.Validate(doc)...)
	for _, d := range diags.Sort() {
		fmt.Println(d)
	}
	fmt.Println("errors:", diags.HasErrors())
	// Output:
	// pets.arazzo.yaml:8:9: error: unknown field "stepid" in a step; did you mean "stepId"? [unknown-field]
	// errors: true
}
