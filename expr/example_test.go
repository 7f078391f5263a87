package expr_test

import (
	"fmt"

	"github.com/arazzo-run/arazzo/expr"
)

// A resolver answers for the current step; here, a response with status 200
// and a decoded JSON body.
func Example() {
	body := map[string]any{"items": []any{map[string]any{"handle": "mcp-7"}}}
	r := expr.ResolverFunc(func(e *expr.Expression) (any, bool) {
		switch e.Kind {
		case expr.KindStatusCode:
			return 200, true
		case expr.KindResponseBody:
			return body, true
		case expr.KindInputs:
			if e.Name == "search" {
				return "prod", true
			}
		}
		return nil, false
	})

	// A runtime expression with a JSON pointer keeps the value's type.
	e, _ := expr.Parse("$response.body#/items/0/handle")
	v, _ := e.Eval(r)
	fmt.Println(v)

	// A simple condition.
	cond, _ := expr.ParseCondition("$statusCode == 200 && $response.body.items[0].handle != null")
	ok, _ := cond.Eval(r)
	fmt.Println(ok)

	// The bundled workflow's Goessner-style JSONPath criterion runs, with a
	// warning that suggests the RFC 9535 form.
	crit, _ := expr.CompileCriterion(expr.CriterionSpec{
		Context: "$response.body", Condition: "$.items.length > 0", Type: "jsonpath",
	})
	ok, _ = crit.Eval(r)
	fmt.Println(ok, crit.Warnings()[0].Suggestion)

	// Templates interpolate text; other braces stay literal.
	t, _ := expr.ParseTemplate("/servers/{handle}?q={$inputs.search}")
	s, _ := t.Eval(r)
	fmt.Println(s)

	// Errors carry byte offsets.
	_, err := expr.ParseCondition("$statusCode = 200")
	fmt.Println(err)

	// Output:
	// mcp-7
	// true
	// true $[?length($.items) > 0]
	// /servers/{handle}?q=prod
	// at offset 12: unexpected '=' (did you mean '=='?)
}

// Explain reports what a criterion saw, for traces.
func ExampleCriterion_Explain() {
	r := expr.ResolverFunc(func(e *expr.Expression) (any, bool) {
		if e.Kind == expr.KindStatusCode {
			return 404, true
		}
		return nil, false
	})
	crit, _ := expr.CompileCriterion(expr.CriterionSpec{Condition: "$statusCode == 200"})
	out := crit.Explain(r)
	fmt.Println(out.Pass, out.Reason)
	// Output:
	// false $statusCode is 404, expected == 200
}
