package expr

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseCondition(t *testing.T) {
	tests := []struct {
		src  string
		refs []string
	}{
		// Forms that appear in the specification and its examples.
		{"$statusCode == 200", []string{"$statusCode"}},
		{"$statusCode == 503", []string{"$statusCode"}},
		{"$statusCode == 200 || $statusCode == 201", []string{"$statusCode", "$statusCode"}},
		{"$response.body#/existingCustomerNotEligible == false", []string{"$response.body#/existingCustomerNotEligible"}},
		{"$response.body#/redirectAuthToken != null", []string{"$response.body#/redirectAuthToken"}},
		{"$steps.checkLoanCanBeProvided.outputs.eligibilityCheckRequired == true", []string{"$steps.checkLoanCanBeProvided.outputs.eligibilityCheckRequired"}},
		{"$response.body.count > $inputs.threshold", []string{"$response.body", "$inputs.threshold"}},
		{"$statusCode == 200 && $response.body.data != null", []string{"$statusCode", "$response.body"}},
		{"{$statusCode == 401}", []string{"$statusCode"}},
		// Every operator, literal and grouping.
		{"$statusCode<300&&$statusCode>=200", []string{"$statusCode", "$statusCode"}},
		{"$statusCode <= 299 && $statusCode > 199", []string{"$statusCode", "$statusCode"}},
		{"!($statusCode != 200)", []string{"$statusCode"}},
		{"!!true", nil},
		{"(true)", nil},
		{"null == null", nil},
		{"'it''s' == 'IT''S'", nil},
		{"-1.5e3 < 0", nil},
		{"$inputs.flag", []string{"$inputs.flag"}},
		{"$inputs.limits[0] >= 1 && $inputs.limits[1]['max'] < 10", []string{"$inputs.limits", "$inputs.limits"}},
		{"$response.body.items[0].id == $steps.s.outputs.id#/x", []string{"$response.body", "$steps.s.outputs.id#/x"}},
		{"$response.header.X-Flag!='on'", []string{"$response.header.X-Flag"}},
		{"$request.query.q=='a'", []string{"$request.query.q"}},
		{"$sourceDescriptions.api.url != null", []string{"$sourceDescriptions.api.url"}},
		{"  $statusCode == 200\n", []string{"$statusCode"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			c, err := ParseCondition(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			var refs []string
			for _, e := range c.Refs() {
				refs = append(refs, e.Text)
			}
			if !reflect.DeepEqual(refs, tt.refs) {
				t.Errorf("refs %q, want %q", refs, tt.refs)
			}
			if c.String() != tt.src {
				t.Errorf("String() = %q", c.String())
			}
		})
	}
}

func TestParseConditionErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"", `at offset 0: empty condition`},
		{"   ", `at offset 3: empty condition`},
		{"{}", `at offset 1: empty condition`},
		{"$statusCode = 200", `at offset 12: unexpected '=' (did you mean '=='?)`},
		{"$statusCode == 200 & true", `at offset 19: unexpected '&' (did you mean '&&'?)`},
		{"true | false", `at offset 5: unexpected '|' (did you mean '||'?)`},
		{"$statusCode == 200 and true", `at offset 19: unexpected word "and" (did you mean '&&'?)`},
		{"$statusCode == OK", `at offset 15: unexpected word "OK" (string literals need single quotes: 'OK')`},
		{"$statusCode == TRUE", `at offset 15: unexpected word "TRUE" (did you mean true?)`},
		{"1 < 2 < 3", `at offset 6: comparison operators cannot be chained; combine comparisons with && or ||`},
		{"$statusCode == 200 $statusCode", `at offset 19: unexpected $statusCode (missing && or ||?)`},
		{"($statusCode == 200", `at offset 19: expected ')' to close '(' at offset 0, found end of input`},
		{"$statusCode == 200)", `at offset 18: unexpected ')' without matching '('`},
		{"()", `at offset 1: expected a value, a runtime expression or '(', found ')'`},
		{"$statusCode ==", `at offset 14: expected a value, a runtime expression or '(', found end of input`},
		{"== 200", `at offset 0: expected a value, a runtime expression or '(', found '=='`},
		{"!", `at offset 1: expected a value, a runtime expression or '(', found end of input`},
		{"200", `at offset 0: expected a condition, found the literal 200 (compare it with an operator)`},
		{"'yes' && true", `at offset 0: expected a condition, found the literal 'yes' (compare it with an operator)`},
		{"!null", `at offset 1: expected a condition, found the literal null (compare it with an operator)`},
		{"$statusCode == 'OK", `at offset 15: unterminated string literal`},
		{`$statusCode == "OK`, `at offset 15: unterminated string literal`},
		{`$statusCode == "\q"`, `at offset 16: invalid escape sequence in string literal`},
		{"$statusCode == 01", `at offset 15: invalid number literal "01"`},
		{"$statusCode == 2x", `at offset 15: invalid number literal "2x"`},
		{"$statusCode == - 1", `at offset 15: unexpected '-' (negative numbers are written -1; there is no subtraction)`},
		{"$statusCode == 200 # note", `at offset 19: unexpected character '#'`},
		{"$statusCode.value == 1", `at offset 11: unexpected '.' after $statusCode`},
		{"$response.body#/a[0] == 1 x", `at offset 26: unexpected word "x" (string literals need single quotes: 'x')`},
		{"$response.body#/a == 1 ]", `at offset 23: unexpected character ']'`},
		{"$response.body.items[x] == 1", `at offset 21: expected an index or a quoted name after '[', found 'x'`},
		{"$response.body. == 1", `at offset 15: expected a member name after '.', found ' '`},
		{"$response.body'a' == 1", `at offset 14: unexpected "'" after $response.body`},
		{"$inputs.x[0]y == 1", `at offset 12: unexpected 'y' after $inputs.x[0]`},
		{"$response.hdr.x == 1", `at offset 10: unknown source "hdr" after "$response." (want header, query, path or body)`},
		{"$steps.a == 1", `at offset 8: expected ".outputs." after step id "a", found ' '`},
		{"{$statusCode == 401", `at offset 0: unexpected character '{'`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := ParseCondition(tt.src)
			if got := errString(err); got != tt.want {
				t.Errorf("ParseCondition(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
			var se *SyntaxError
			if err != nil && (!errors.As(err, &se) || se.Input != tt.src) {
				t.Errorf("want *SyntaxError with Input, got %#v", err)
			}
		})
	}
}

func TestParseConditionDepth(t *testing.T) {
	deep := ""
	for range 300 {
		deep += "("
	}
	_, err := ParseCondition(deep + "true")
	if got, want := errString(err), "at offset 256: condition nested too deeply"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	nots := ""
	for range 300 {
		nots += "!"
	}
	_, err = ParseCondition(nots + "true")
	if got, want := errString(err), "at offset 256: condition nested too deeply"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func conditionResolver(t testing.TB) mapResolver {
	return mapResolver{
		"$statusCode": 200,
		"$response.body": decodeJSON(t, `{"count":5,"status":"Active","token":"abc","flag":true,"zero":0,
			"num_str":"42","nil":null,"items":[{"id":1},{"id":2}],"obj":{},"name":"O'Brien",
			"big":9007199254740993,"f":2.5,"ustr":"Straße","data":{"x":1}}`),
		"$inputs.threshold":                3,
		"$inputs.limits":                   []any{1, map[string]any{"max": 9}},
		"$response.header.content-type":    "application/json",
		"$steps.login.outputs.ok":          true,
		"$steps.login.outputs.retries":     int64(2),
		"$steps.login.outputs":             map[string]any{"ok": true},
		"$workflows.setup.outputs.regions": []any{"eu", "us"},
	}
}

func TestConditionEval(t *testing.T) {
	r := conditionResolver(t)
	tests := []struct {
		src  string
		want bool
		err  string
	}{
		// Numbers.
		{src: "$statusCode == 200", want: true},
		{src: "$statusCode == 201"},
		{src: "$statusCode != 200"},
		{src: "$statusCode >= 200 && $statusCode < 300", want: true},
		{src: "$statusCode > 200"},
		{src: "$statusCode <= 200", want: true},
		{src: "$statusCode == 200 || $statusCode == 201", want: true},
		{src: "$statusCode == 404 || $statusCode == 201"},
		{src: "200.0 == $statusCode", want: true},
		{src: "2e2 == $statusCode", want: true},
		{src: "$response.body#/count > $inputs.threshold", want: true},
		{src: "$response.body.count > $inputs.threshold", want: true},
		{src: "$response.body#/f == 2.5", want: true},
		{src: "$response.body#/f > 2", want: true},
		{src: "$response.body#/big == 9007199254740993", want: true},
		{src: "$response.body#/big == 9007199254740992"},
		{src: "-1 < 0", want: true},
		{src: "$steps.login.outputs.retries < 3", want: true},
		{src: "$steps.login.outputs != null", want: true},
		// Numeric strings are coerced when compared with numbers.
		{src: "$response.body#/num_str == 42", want: true},
		{src: "$response.body#/num_str > 41.5", want: true},
		{src: "$statusCode == '200'", want: true},
		{src: "$statusCode < '1e3'", want: true},
		{src: "$response.body#/num_str == '42.0'"}, // two strings compare as text
		// Strings compare case-insensitively.
		{src: "$response.body#/status == 'active'", want: true},
		{src: "$response.body#/status == 'ACTIVE'", want: true},
		{src: "$response.body#/status != 'inactive'", want: true},
		{src: "$response.body#/status < 'b'", want: true},
		{src: "$response.body#/status > 'AB'", want: true},
		{src: "$response.body#/status >= 'active'", want: true},
		{src: "$response.body#/ustr == 'STRAßE'", want: true},
		{src: "$response.header.Content-Type == 'Application/JSON'", want: true},
		{src: "$response.body#/name == 'o''brien'", want: true},
		{src: `$response.body#/name == "O'BRIEN"`, want: true},
		// Null equals only null.
		{src: "$response.body#/nil == null", want: true},
		{src: "$response.body#/nil != null"},
		{src: "$response.body#/token != null", want: true},
		{src: "$response.body#/obj != null", want: true},
		{src: "$response.body#/items == null"},
		{src: "null == null", want: true},
		{src: "null != 0", want: true},
		// Booleans.
		{src: "$response.body#/flag == true", want: true},
		{src: "$response.body#/flag", want: true},
		{src: "$steps.login.outputs.ok && $statusCode == 200", want: true},
		{src: "!$steps.login.outputs.ok"},
		{src: "!$response.body#/flag == false", want: true}, // ! binds looser than ==
		{src: "($statusCode == 200) == true", want: true},
		{src: "$statusCode == 200 && ($response.body#/count > 10 || $response.body#/flag)", want: true},
		{src: "true", want: true},
		{src: "false"},
		// Navigation.
		{src: "$response.body.items[1].id == 2", want: true},
		{src: "$response.body.items[1]['id'] == 2", want: true},
		{src: "$response.body.data.x == 1", want: true},
		{src: "$inputs.limits[1].max == 9", want: true},
		{src: "$workflows.setup.outputs.regions[1] == 'US'", want: true},
		// Errors: the criterion fails and the error names expression and value.
		{src: "$response.body#/missing == 1", err: `$response.body#/missing: no such value: no member "missing" in the object at the root`},
		{src: "$response.body#/missing != null", err: `$response.body#/missing: no such value: no member "missing" in the object at the root`},
		{src: "$response.body.items[5].id == 1", err: `$response.body.items[5].id: no such value: index 5 out of range, the array at /items has 2 elements`},
		{src: "$inputs.nope == 1", err: `$inputs.nope: no such value`},
		// ".length" (JavaScript's): elements of an array, characters of a string.
		{src: "$response.body.items.length == 2", want: true},
		{src: "$response.body.items.length > 0 && $response.body.status.length == 6", want: true},
		{src: "$response.body.data.length == 1", err: `$response.body.data.length: no such value: the object at $response.body.data has no member "length"`},
		{src: "$response.body.count.length > 0", err: `$response.body.count.length: the number at $response.body.count has no length`},
		{src: "$response.body#/status == 200", err: `$response.body#/status == 200: cannot compare string "Active" with number 200`},
		{src: "$response.body#/obj == $response.body#/obj", err: `$response.body#/obj == $response.body#/obj: cannot compare object {} with object {} (objects and arrays compare only with null, using == or !=)`},
		{src: "$response.body#/items > 1", err: `$response.body#/items > 1: cannot compare array [{"id":1},{"id":2}] with number 1 (objects and arrays compare only with null, using == or !=)`},
		{src: "true == 'true'", err: `true == 'true': cannot compare boolean true with string "true"`},
		{src: "$response.body#/flag < true", err: `$response.body#/flag < true: booleans cannot be ordered with <`},
		{src: "$response.body#/nil < 1", err: `$response.body#/nil < 1: null cannot be ordered with < (null compares only with == and !=)`},
		{src: "$response.body#/zero", err: `$response.body#/zero: is number 0, expected a boolean`},
		{src: "$response.body#/nil", err: `$response.body#/nil: is null null, expected a boolean`},
		// Unknown (error) combines like SQL NULL: it decides nothing unless needed.
		{src: "$response.body#/missing == 1 || $statusCode == 200", want: true},
		{src: "$response.body#/missing == 1 || $statusCode == 201", err: `$response.body#/missing: no such value: no member "missing" in the object at the root`},
		{src: "$response.body#/missing == 1 && $statusCode == 201"},
		{src: "$response.body#/missing == 1 && $statusCode == 200", err: `$response.body#/missing: no such value: no member "missing" in the object at the root`},
		{src: "!($response.body#/missing == 1)", err: `$response.body#/missing: no such value: no member "missing" in the object at the root`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			c, err := ParseCondition(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Eval(r)
			if errString(err) != tt.err {
				t.Fatalf("error\n got %v\nwant %s", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if err != nil && got {
				t.Error("an error must fail the condition")
			}
		})
	}
}

func TestConditionExplain(t *testing.T) {
	r := conditionResolver(t)
	tests := []struct {
		src      string
		pass     bool
		reason   string
		operands []Operand
	}{
		{src: "$statusCode == 404", reason: "$statusCode is 200, expected == 404",
			operands: []Operand{{Expr: "$statusCode", Value: 200}}},
		{src: "$statusCode == 200", pass: true, reason: "$statusCode is 200, == 200 holds",
			operands: []Operand{{Expr: "$statusCode", Value: 200}}},
		{src: "$response.body.count > $inputs.threshold", pass: true, reason: "$response.body.count is 5, > $inputs.threshold (3) holds",
			operands: []Operand{{Expr: "$response.body.count", Value: r["$response.body"].(map[string]any)["count"]}, {Expr: "$inputs.threshold", Value: 3}}},
		{src: "404 == $statusCode", reason: "404 == $statusCode (200) is false",
			operands: []Operand{{Expr: "$statusCode", Value: 200}}},
		{src: "$statusCode == 201 || $statusCode == 204", reason: "$statusCode is 200, expected == 201; $statusCode is 200, expected == 204",
			operands: []Operand{{Expr: "$statusCode", Value: 200}, {Expr: "$statusCode", Value: 200}}},
		{src: "$statusCode == 200 && $response.body#/x != null", reason: "$response.body#/x is missing (no member \"x\" in the object at the root)",
			operands: []Operand{{Expr: "$statusCode", Value: 200}, {Expr: "$response.body#/x", Missing: true}}},
		{src: "!$steps.login.outputs.ok", reason: "not ($steps.login.outputs.ok is true)",
			operands: []Operand{{Expr: "$steps.login.outputs.ok", Value: true}}},
		{src: "$inputs.none", reason: "$inputs.none is missing",
			operands: []Operand{{Expr: "$inputs.none", Missing: true}}},
		{src: "$response.body#/status == 1", reason: `$response.body#/status == 1: cannot compare string "Active" with number 1`,
			operands: []Operand{{Expr: "$response.body#/status", Value: "Active"}}},
		{src: "false", reason: "literal false"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			c, err := ParseCondition(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			out := c.Explain(r)
			pass, evalErr := c.Eval(r)
			if out.Pass != tt.pass || pass != tt.pass || errString(out.Err) != errString(evalErr) {
				t.Errorf("Explain pass=%v err=%v; Eval pass=%v err=%v; want pass=%v", out.Pass, out.Err, pass, evalErr, tt.pass)
			}
			if out.Reason != tt.reason {
				t.Errorf("reason\n got %s\nwant %s", out.Reason, tt.reason)
			}
			if !reflect.DeepEqual(out.Operands, tt.operands) {
				t.Errorf("operands\n got %#v\nwant %#v", out.Operands, tt.operands)
			}
		})
	}
}

func TestConditionWarnings(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"$statusCode == 401", nil},
		{"{$statusCode == 401}", []string{"at offset 0: a condition is not an embedded expression; the surrounding braces are ignored [condition-braced]; suggestion: $statusCode == 401"}},
		{` { $response.body#/s == "it's" } `, []string{
			"at offset 1: a condition is not an embedded expression; the surrounding braces are ignored [condition-braced]; suggestion: $response.body#/s == \"it's\"",
			"at offset 24: string literals in conditions use single quotes [condition-double-quoted]; suggestion: 'it''s'",
		}},
	}
	tests = append(tests, struct {
		src  string
		want []string
	}{"$response.body.items[0]['a b'].length > 0", []string{
		"at offset 30: simple conditions have no .length; $response.body.items[0]['a b'].length is read as the number of elements of the array (or characters of the string) at $response.body.items[0]['a b'] [condition-length]; suggestion: a jsonpath criterion with context $response.body and the function length($.items[0]['a b'])",
	}})
	for _, tt := range tests {
		c, err := ParseCondition(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := warningStrings(c.Warnings()); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCondition(%q) warnings\n got %q\nwant %q", tt.src, got, tt.want)
		}
	}
}

// statusResolver holds the status already boxed, as a runtime would (it
// boxes once per response, not once per lookup).
type statusResolver struct{ code any }

func (s statusResolver) Resolve(e *Expression) (any, bool) {
	if e.Kind == KindStatusCode {
		return s.code, true
	}
	return nil, false
}

type bodyResolver struct{ body any }

func (b bodyResolver) Resolve(e *Expression) (any, bool) {
	switch e.Kind {
	case KindStatusCode:
		return 200, true
	case KindResponseBody:
		return b.body, true
	}
	return nil, false
}

// The hot path must not allocate on pass or fail.
func TestConditionEvalDoesNotAllocate(t *testing.T) {
	body := bodyResolver{decodeJSON(t, `{"status":"ok","items":[{"id":7}],"n":3}`)}
	tests := []struct {
		src string
		r   Resolver
	}{
		{"$statusCode == 200", statusResolver{200}},
		{"$statusCode == 200", statusResolver{404}},
		{"$statusCode == 200 || $statusCode == 201", statusResolver{201}},
		{"$statusCode >= 200 && $statusCode < 300", statusResolver{503}},
		{"$response.body#/status == 'OK'", body},
		{"$response.body.items[0].id == 7 && $response.body#/n > '2'", body},
		{"!($response.body#/status != null)", body},
	}
	for _, tt := range tests {
		c, err := ParseCondition(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { _, _ = c.Eval(tt.r) }); n != 0 {
			t.Errorf("%s: %v allocations per Eval", tt.src, n)
		}
	}
}

func TestCompareFold(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"abc", "ABC", 0},
		{"abc", "ABD", -1},
		{"b", "A", 1},
		{"ab", "abc", -1},
		{"", "", 0},
		{"Σίσυφος", "ΣΊΣΥΦΟΣ", 0},
		{"K", "\u212a", 0}, // Kelvin sign folds to K
		{"é", "F", 1},
	}
	for _, tt := range tests {
		if got := compareFold(tt.a, tt.b); got != tt.want {
			t.Errorf("compareFold(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
