package runtime

import (
	"strings"

	"github.com/arazzo-run/arazzo/openapi"
)

// findOperation looks an operationId up in a description. operationIds are
// case-sensitive; when there is no exact match but exactly one operation whose id
// differs only in case, that operation has the one sensible reading and is used
// (the validator warns with the exact spelling).
func findOperation(d *openapi.Document, id string) *openapi.Operation {
	if op := d.Operation(id); op != nil {
		return op
	}
	var match *openapi.Operation
	for _, op := range d.Operations() {
		if op.ID != "" && strings.EqualFold(op.ID, id) {
			if match != nil {
				return nil // ambiguous
			}
			match = op
		}
	}
	return match
}
