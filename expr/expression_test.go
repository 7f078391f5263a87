package expr

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		src     string
		kind    Kind
		id      string
		name    string
		pointer string
		hasPtr  bool
		text    string // "" means src
	}{
		// Keywords.
		{src: "$url", kind: KindURL},
		{src: "$method", kind: KindMethod},
		{src: "$statusCode", kind: KindStatusCode},
		{src: "$self", kind: KindSelf},
		// Request and response sources.
		{src: "$request.header.accept", kind: KindRequestHeader, name: "accept"},
		{src: "$request.header.X-Rate-Limit.Remaining", kind: KindRequestHeader, name: "X-Rate-Limit.Remaining"},
		{src: "$request.header.x!#$%&'*+-.^_`|~9", kind: KindRequestHeader, name: "x!#$%&'*+-.^_`|~9"},
		{src: "$request.query.filter[name]", kind: KindRequestQuery, name: "filter[name]"},
		{src: "$request.query.page size", kind: KindRequestQuery, name: "page size"},
		{src: "$request.path.petId", kind: KindRequestPath, name: "petId"},
		{src: "$request.body", kind: KindRequestBody},
		{src: "$request.body#/customer/uuid", kind: KindRequestBody, pointer: "/customer/uuid", hasPtr: true},
		{src: "$response.header.Server", kind: KindResponseHeader, name: "Server"},
		{src: "$response.query.q", kind: KindResponseQuery, name: "q"},
		{src: "$response.path.id", kind: KindResponsePath, name: "id"},
		{src: "$response.body", kind: KindResponseBody},
		{src: "$response.body#", kind: KindResponseBody, hasPtr: true},
		{src: "$response.body#/state", kind: KindResponseBody, pointer: "/state", hasPtr: true},
		{src: "$response.body#/results/3/code", kind: KindResponseBody, pointer: "/results/3/code", hasPtr: true},
		{src: "$response.body#/a~1b/c~0d/", kind: KindResponseBody, pointer: "/a~1b/c~0d/", hasPtr: true},
		{src: "$response.body#/with space/ü", kind: KindResponseBody, pointer: "/with space/ü", hasPtr: true},
		{src: "$message.header.Correlation-Id", kind: KindMessageHeader, name: "Correlation-Id"},
		{src: "$message.payload", kind: KindMessagePayload},
		{src: "$message.payload#/event/kind", kind: KindMessagePayload, pointer: "/event/kind", hasPtr: true},
		// Inputs and outputs: identifiers may contain dots.
		{src: "$inputs.username", kind: KindInputs, name: "username"},
		{src: "$inputs.pet_id", kind: KindInputs, name: "pet_id"},
		{src: "$inputs.a.b", kind: KindInputs, name: "a.b"},
		{src: "$inputs.buyer#/firstName", kind: KindInputs, name: "buyer", pointer: "/firstName", hasPtr: true},
		{src: "$outputs.total-count", kind: KindOutputs, name: "total-count"},
		{src: "$outputs.summary#/0", kind: KindOutputs, name: "summary", pointer: "/0", hasPtr: true},
		// Steps and workflows.
		{src: "$steps.login.outputs.token", kind: KindStepOutputs, id: "login", name: "token"},
		{src: "$steps.find-server.outputs.items#/0/handle", kind: KindStepOutputs, id: "find-server", name: "items", pointer: "/0/handle", hasPtr: true},
		{src: "$steps.s_1.outputs.a.b.c", kind: KindStepOutputs, id: "s_1", name: "a.b.c"},
		{src: "$steps.find.outputs", kind: KindStepOutputs, id: "find"},
		{src: "$steps.find.outputs#/items/0", kind: KindStepOutputs, id: "find", pointer: "/items/0", hasPtr: true},
		// Readings of the 1.0.1 grammar's "$steps." name: an id outside
		// identifier-strict, the shorthand without ".outputs.".
		{src: "$steps.Search Stations_0.outputs.x", kind: KindStepOutputs, id: "Search Stations_0", name: "x"},
		{src: "$steps.a.b.outputs.c", kind: KindStepOutputs, id: "a.b", name: "c"},
		{src: "$steps.login.token", kind: KindStepOutputs, id: "login", name: "token", text: "$steps.login.outputs.token"},
		{src: "$steps.login.token#/a", kind: KindStepOutputs, id: "login", name: "token", pointer: "/a", hasPtr: true, text: "$steps.login.outputs.token#/a"},
		{src: "$steps.a.output.id", kind: KindStepOutputs, id: "a", name: "output.id", text: "$steps.a.outputs.output.id"},
		// Names: any 1.0.1 CHAR outside a condition.
		{src: "$inputs.first name", kind: KindInputs, name: "first name"},
		{src: "$steps.s.outputs.my output#/a", kind: KindStepOutputs, id: "s", name: "my output", pointer: "/a", hasPtr: true},
		{src: "$workflows.setup.inputs.region", kind: KindWorkflowInputs, id: "setup", name: "region"},
		{src: "$workflows.setup.steps.s.outputs.token#/a", kind: KindWorkflowStepOutputs, id: "setup", name: "token", pointer: "/a", hasPtr: true},
		{src: "$workflows.setup.outputs.result#/name", kind: KindWorkflowOutputs, id: "setup", name: "result", pointer: "/name", hasPtr: true},
		// Source descriptions: the reference is everything after the second dot.
		{src: "$sourceDescriptions.shop.listOrders", kind: KindSourceDescription, id: "shop", name: "listOrders"},
		{src: "$sourceDescriptions.shop.url", kind: KindSourceDescription, id: "shop", name: "url"},
		{src: "$sourceDescriptions.my.api.x", kind: KindSourceDescription, id: "my", name: "api.x"},
		{src: "$sourceDescriptions.shop.get.orders/by id", kind: KindSourceDescription, id: "shop", name: "get.orders/by id"},
		{src: `$sourceDescriptions.shop.a\u0042\"c`, kind: KindSourceDescription, id: "shop", name: `aB"c`},
		// Components.
		{src: "$components.parameters.page-size", kind: KindComponent, id: "parameters", name: "page-size"},
		{src: "$components.successActions.done", kind: KindComponent, id: "successActions", name: "done"},
		{src: "$components.failureActions.retry.later", kind: KindComponent, id: "failureActions", name: "retry.later"},
		{src: "$components.inputs.pagination", kind: KindComponent, id: "inputs", name: "pagination"},
		// Compatibility reading: navigation after body is a JSON pointer.
		{src: "$response.body.items.0.handle", kind: KindResponseBody, pointer: "/items/0/handle", hasPtr: true,
			text: "$response.body#/items/0/handle"},
		{src: "$response.body.items[0]['a/b']", kind: KindResponseBody, pointer: "/items/0/a~1b", hasPtr: true,
			text: "$response.body#/items/0/a~1b"},
		{src: "$request.body.user.id", kind: KindRequestBody, pointer: "/user/id", hasPtr: true, text: "$request.body#/user/id"},
		{src: "$response.headers.Location", kind: KindResponseHeader, name: "Location"},
		{src: "$message.payload.event", kind: KindMessagePayload, pointer: "/event", hasPtr: true, text: "$message.payload#/event"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			text := tt.text
			if text == "" {
				text = tt.src
			}
			got := [...]any{e.Kind, e.ID, e.Name, e.Pointer, e.HasPointer, e.Text, e.String()}
			want := [...]any{tt.kind, tt.id, tt.name, tt.pointer, tt.hasPtr, text, text}
			if got != want {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestParseWarnings(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"$response.body#/items/0", nil},
		{"$response.body.items.0.handle", []string{`at offset 14: dotted access after $response.body is not a runtime expression; read as the JSON pointer "/items/0/handle" [expr-body-dot]; suggestion: $response.body#/items/0/handle`}},
		{"$message.payload[2]", []string{`at offset 16: dotted access after $message.payload is not a runtime expression; read as the JSON pointer "/2" [expr-body-dot]; suggestion: $message.payload#/2`}},
		{"$steps.find.outputs", []string{`at offset 0: $steps.find.outputs names no output; it is read as the object of all the outputs of step "find" [expr-step-outputs]; suggestion: $steps.find.outputs.<name>`}},
		{"$components.inputs.paging", []string{`at offset 0: $components.inputs is not a runtime expression in Arazzo 1.1 (component types are parameters, successActions and failureActions); input components are referenced from a schema with $ref [expr-components-inputs]; suggestion: $ref: '#/components/inputs/paging'`}},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		if got := warningStrings(e.Warnings()); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) warnings\n got %q\nwant %q", tt.src, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"", `at offset 0: expected a runtime expression starting with '$', found end of input`},
		{"inputs.x", `at offset 0: expected a runtime expression starting with '$', found 'i'`},
		{" $url", `at offset 0: expected a runtime expression starting with '$', found ' '`},
		{"{$inputs.id}", `at offset 0: expected a runtime expression starting with '$', found '{' (braces embed an expression in text; here write it without them)`},
		{"$", `at offset 1: expected an expression name after '$', found end of input`},
		{"$.items[*]", `at offset 1: expected an expression name after '$', found '.'`},
		{"$foo", `at offset 0: unknown runtime expression "$foo"`},
		{"$StatusCode", `at offset 0: unknown runtime expression "$StatusCode" (did you mean "$statusCode"?)`},
		{"$url ", `at offset 4: unexpected ' ' after $url`},
		{"$statusCode.x", `at offset 11: unexpected '.' after $statusCode`},
		{"$request", `at offset 8: expected "." after $request, found end of input`},
		{"$request.", `at offset 9: expected a source name after "$request.", found end of input`},
		{"$response.status", `at offset 10: unknown source "status" after "$response." (want header, query, path or body)`},
		{"$request.payload", `at offset 9: $request has no payload (want $request.body)`},
		{"$message.body", `at offset 9: $message has no body (want $message.header or $message.payload)`},
		{"$message.query.x", `at offset 9: $message has no query (want $message.header or $message.payload)`},
		{"$message.cookie", `at offset 9: unknown source "cookie" after "$message." (want header or payload)`},
		{"$request.header.", `at offset 16: expected a header name, found end of input`},
		{"$request.header.Content Type", `at offset 23: invalid character ' ' in header name`},
		{"$request.header.a{b}", `at offset 17: invalid character '{' in header name`},
		{"$request.query.", `at offset 15: expected a parameter name after "$request.query.", found end of input`},
		{"$request.query.a{b}", `at offset 16: invalid character '{' in parameter name`},
		{`$request.query.a"b`, `at offset 16: invalid character '"' in parameter name`},
		{`$request.query.a\qb`, `at offset 16: invalid escape sequence in parameter name`},
		{"$request.path.a\tb", `at offset 15: invalid character '\t' in parameter name`},
		{"$response.bodyx", `at offset 10: unknown source "bodyx" after "$response." (want header, query, path or body)`},
		{"$response.body#a", `at offset 15: JSON pointer must start with '/', found 'a'`},
		{"$response.body#/a~2", `at offset 17: invalid escape in JSON pointer: '~' must be followed by '0' or '1'`},
		{"$response.body#/a~", `at offset 17: invalid escape in JSON pointer: '~' must be followed by '0' or '1'`},
		{"$response.body#/a{b}", `at offset 17: invalid character '{' in JSON pointer`},
		{"$response.body/a", `at offset 14: unexpected '/' after $response.body (want '#' and a JSON pointer)`},
		{"$response.body.", `at offset 15: expected a member name after '.', found end of input`},
		{"$response.body.a b", `at offset 16: unexpected ' ' after $response.body navigation`},
		{"$response.body[x]", `at offset 15: expected an index or a quoted name after '[', found 'x'`},
		{"$response.body[01]", `at offset 15: invalid array index "01"`},
		{"$response.body[0", `at offset 16: expected ']', found end of input`},
		{"$response.body['a", `at offset 15: unterminated string literal`},
		{"$inputs", `at offset 7: expected "." after $inputs, found end of input`},
		{"$inputs.", `at offset 8: expected an input name after "$inputs.", found end of input`},
		{"$inputs.a ", `at offset 9: input name ends with a space`},
		{"$inputs.a\tb", `at offset 9: invalid character '\t' in input name`},
		{"$inputs.list[0]", `at offset 12: invalid character '[' in input name`},
		{"$outputs.x/y", `at offset 10: invalid character '/' in output name`},
		{"$outputs.x#y", `at offset 11: JSON pointer must start with '/', found 'y'`},
		{"$steps", `at offset 6: expected "." after $steps, found end of input`},
		{"$steps.", `at offset 7: expected a step id after "$steps.", found end of input`},
		{"$steps.login", `at offset 12: expected ".outputs." after step id "login", found end of input`},
		{"$steps..outputs.x", `at offset 7: expected a step id after "$steps.", found '.'`},
		{"$steps. a.outputs.x", `at offset 7: step id " a" starts or ends with a space`},
		{"$steps.a{b}.outputs.x", `at offset 8: expected ".outputs." after step id "a", found '{'`},
		{"$steps.login.outputs.", `at offset 21: expected an output name after "$steps.login.outputs.", found end of input`},
		{"$workflows.w", `at offset 12: expected ".inputs." or ".outputs." after workflow id "w"`},
		{"$workflows.w.steps.x", `at offset 20: expected ".outputs." after step id "x", found end of input`},
		{"$workflows.w.inputs", `at offset 12: expected ".inputs." or ".outputs." after workflow id "w"`},
		{"$workflows.w.outputs.", `at offset 21: expected an output name after "$workflows.w.outputs.", found end of input`},
		{"$sourceDescriptions.api", `at offset 23: expected "." after $sourceDescriptions.api, found end of input`},
		{"$sourceDescriptions.api.", `at offset 24: expected a reference after "$sourceDescriptions.api.", found end of input`},
		{"$sourceDescriptions.my{x}", `at offset 22: expected "." after $sourceDescriptions.my, found '{'`},
		{"$sourceDescriptions.my.a}", `at offset 24: invalid character '}' in reference`},
		{"$sourceDescriptions..x", `at offset 20: expected a source description name after "$sourceDescriptions.", found '.'`},
		{"$components.schemas.x", `at offset 12: unknown component type "schemas" (want parameters, successActions, failureActions or inputs)`},
		{"$components.parameters", `at offset 22: expected "." after $components.parameters, found end of input`},
		{"$components.parameters.", `at offset 23: expected a component name after "$components.parameters.", found end of input`},
		{"$components.parameters.a#/b", `at offset 24: invalid character '#' in component name`},
		{"$self/x", `at offset 5: unexpected '/' after $self`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Parse(tt.src)
			if got := errString(err); got != tt.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.Input != tt.src {
				t.Errorf("want *SyntaxError with Input %q, got %#v", tt.src, err)
			}
		})
	}
}

func TestExpressionEval(t *testing.T) {
	body := decodeJSON(t, `{"items":[{"handle":"mcp-1","n":7},{"handle":"mcp-2"}],"a/b":{"c~d":true},"":"empty key","nil":null,"s":"text"}`)
	r := mapResolver{
		"$response.body":             body,
		"$statusCode":                200,
		"$response.header.x-request": "abc",
		"$inputs.buyer":              map[string]any{"firstName": "Ada", "tags": []any{"a", "b"}},
		"$steps.find.outputs.handle": "mcp-1",
	}
	tests := []struct {
		src  string
		want any
		err  string
	}{
		{src: "$statusCode", want: 200},
		{src: "$response.header.X-Request", want: "abc"},
		{src: "$response.body#/items/0/handle", want: "mcp-1"},
		{src: "$response.body#/items/0/n", want: json.Number("7")},
		{src: "$response.body#/items/1", want: map[string]any{"handle": "mcp-2"}},
		{src: "$response.body#/a~1b/c~0d", want: true},
		{src: "$response.body#/", want: "empty key"},
		{src: "$response.body#/nil", want: nil},
		{src: "$response.body.items.1.handle", want: "mcp-2"},
		{src: "$inputs.buyer#/firstName", want: "Ada"},
		{src: "$inputs.buyer#/tags/1", want: "b"},
		{src: "$steps.find.outputs.handle", want: "mcp-1"},
		{src: "$steps.find.outputs.other", err: "$steps.find.outputs.other: no such value"},
		{src: "$response.body#/missing", err: `$response.body#/missing: no such value: no member "missing" in the object at the root`},
		{src: "$response.body#/items/2", err: `$response.body#/items/2: no such value: index 2 out of range, the array at /items has 2 elements`},
		{src: "$response.body#/items/-", err: `$response.body#/items/-: no such value: "-" (past the last element) never selects a value, in the array at /items`},
		{src: "$response.body#/items/01", err: `$response.body#/items/01: no such value: "01" is not an array index, in the array at /items`},
		{src: "$response.body#/items/first", err: `$response.body#/items/first: no such value: "first" is not an array index, in the array at /items`},
		{src: "$response.body#/s/0", err: `$response.body#/s/0: no such value: cannot select "0" in the string at /s`},
		{src: "$response.body#/nil/x", err: `$response.body#/nil/x: no such value: cannot select "x" in the null at /nil`},
		{src: "$response.body.items.5", err: `$response.body#/items/5: no such value: index 5 out of range, the array at /items has 2 elements`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Eval(r)
			if errString(err) != tt.err {
				t.Fatalf("error\n got %v\nwant %s", err, tt.err)
			}
			if err != nil {
				if !errors.Is(err, ErrMissing) {
					t.Errorf("error %v does not wrap ErrMissing", err)
				}
				var ee *EvalError
				if !errors.As(err, &ee) || ee.Expr != e.Text {
					t.Errorf("want *EvalError naming %s, got %#v", e.Text, err)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestArrayIndex(t *testing.T) {
	for s, want := range map[string]int{"0": 0, "7": 7, "10": 10, "01": -1, "-": -1, "": -1, "1a": -1, "-1": -1, "99999999999999999999": -1} {
		if got := arrayIndex(s); got != want {
			t.Errorf("arrayIndex(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestKindString(t *testing.T) {
	if got := KindStepOutputs.String(); got != "$steps.outputs" {
		t.Errorf("got %q", got)
	}
	if got := Kind(99).String(); got != "Kind(99)" {
		t.Errorf("got %q", got)
	}
}
