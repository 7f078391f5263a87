// Package arazzo is the Arazzo document model, its loader and its validator.
//
//	doc, diags := arazzo.Parse("workflow.arazzo.yaml", data)
//	diags = append(diags, arazzo.Validate(doc)...)
//	for _, d := range diags.Sort() {
//		fmt.Println(d) // workflow.arazzo.yaml:12:7: error: unknown field "stepid" in a step; did you mean "stepId"? [unknown-field]
//	}
//
// Parse decodes YAML or JSON (Arazzo 1.0.0, 1.0.1 and 1.1.0) through a YAML node
// tree, so every object and field keeps the line and column it was written at
// (Node.KeyPos, Node.ValuePos; Value.PosAt for nested values; TextPos maps a byte
// offset inside an expression to the file). Structural problems — unknown fields,
// wrong types, missing required fields, values outside an enum — are reported all
// at once while decoding. Validate adds the semantic checks (references resolve,
// expressions parse, control flow is sound); given Sources it also checks the
// operations of the source descriptions.
//
// The package does no I/O beyond what the caller hands it: it never opens a file
// or a connection, so it is safe on untrusted input, within Limits.
package arazzo
