// Package describe is the view of a compiled workflow, built without running
// anything, and its renderers: the text of `arazzo describe`, the listing of
// `arazzo list`, and the control-flow graph as Graphviz DOT or Mermaid.
//
// runtime's Plan.Describe builds a Workflow; Plan.Workflows lists Outlines.
//
//	plan, _, err := runtime.Inspect(ctx, "flow.arazzo.yaml")
//	if err != nil { ... }
//	v, err := plan.Describe("checkout")
//	if err != nil { ... }
//	err = describe.WriteMermaid(w, v)
//
// The package imports nothing that does I/O but the writer it is given, and
// nothing of runtime: a view holds only what a document says and what it
// resolved to.
package describe
