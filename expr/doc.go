// Package expr parses and evaluates the expressions embedded in Arazzo
// documents: runtime expressions ("$response.body#/items/0/handle"), string
// templates ("Bearer {$steps.login.outputs.token}"), "Any | {expression}"
// values, simple conditions ("$statusCode == 200") and Criterion Objects of
// every type (simple, regex, jsonpath, xpath).
//
//	cond, err := expr.ParseCondition("$statusCode == 200 && $response.body#/items/0 != null")
//	if err != nil {
//		var se *expr.SyntaxError // se.Offset is a byte offset into the condition
//		...
//	}
//	for _, e := range cond.Refs() { ... }     // what it refers to, for validation
//	ok, err := cond.Eval(resolver)            // resolver implements expr.Resolver
//	out := cond.Explain(resolver)             // out.Reason: "$statusCode is 404, expected == 200"
//
// The package is pure: no I/O, no context, no package state (it counts the
// expressions it parses, in internal/parsecount, for tests). Everything
// compiled is immutable and safe for concurrent use; values come from a
// [Resolver] that the runtime implements for the step being evaluated.
// Parsing happens once, when a document is loaded;
// [Condition.Eval] does not allocate on pass or fail.
//
// Input that is not standard Arazzo but has a clear meaning is evaluated and
// reported with a [Warning] carrying a stable rule id and the standard form
// to write instead. The grammar, every compatibility reading and every
// choice between readings of the specification are documented in
// docs/expressions.md.
package expr
