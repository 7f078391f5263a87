package expr

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
)

func TestValueNeverLiteral(t *testing.T) {
	for _, s := range []string{"$steps..outputs.x", "$input.id", "$Inputs.id", "$response.body#/a~2",
		"$statuscode", "$inputs"} {
		if _, err := CompileValue(s); err == nil {
			t.Errorf("CompileValue(%q): no error; a broken expression must not become literal text", s)
		}
	}
	for _, s := range []string{"$.items[*]", "$5", "$ref", "$", "$inputs are given", "$$"} {
		v, err := CompileValue(s)
		if err != nil || !v.IsLiteral() {
			t.Errorf("CompileValue(%q) = %v, %v; want literal text", s, v, err)
		}
	}
	v, err := CompileValue(map[string]any{"a": "$$inputs.id", "b": []any{"$$steps.x.outputs.y"}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := v.Eval(mapResolver{})
	want := map[string]any{"a": "$inputs.id", "b": []any{"$steps.x.outputs.y"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("escaped literals: got %v, want %v", got, want)
	}
}

func TestValueAllErrors(t *testing.T) {
	v, err := CompileValue(map[string]any{"a": "$input.x", "b": "$inputs.ok", "c": []any{"{$nope}"}})
	var ve *ValueError
	if !errors.As(err, &ve) || len(ve.Errs) != 2 || ve.Errs[0].Field != "/a" || ve.Errs[1].Field != "/c/0" {
		t.Fatalf("want two errors at /a and /c/0, got %v", err)
	}
	if parts := v.Parts(); len(parts) != 1 || parts[0].Pointer != "/b" {
		t.Errorf("parts of a value with errors: %+v", parts)
	}
	if _, err := v.Eval(mapResolver{"$inputs.ok": 1}); err == nil {
		t.Error("a value with errors evaluates")
	}
}

func TestValueSelectors(t *testing.T) {
	raw := map[string]any{"id": map[string]any{"context": "$response.body", "selector": "/items/0/id", "type": "jsonpointer"}, "n": 1}
	v, err := CompileValue(raw, WithSelectors())
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Eval(mapResolver{"$response.body": decodeJSON(t, `{"items":[{"id":7}]}`)})
	if err != nil || !reflect.DeepEqual(got, map[string]any{"id": json.Number("7"), "n": 1}) {
		t.Errorf("got %v, %v", got, err)
	}
	if parts := v.Parts(); len(parts) != 1 || parts[0].Selector == nil || parts[0].Pointer != "/id" {
		t.Errorf("parts %+v", parts)
	}
	// Without the option the object is data.
	if v, _ := CompileValue(raw); v.Parts()[0].Selector != nil {
		t.Error("a selector-shaped object without WithSelectors is not data")
	}
	_, err = CompileValue(map[string]any{"x": map[string]any{"context": "$response.body", "selector": "$[", "type": "jsonpath"}}, WithSelectors())
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "/x/selector" {
		t.Errorf("selector error not located: %v", err)
	}
}

func TestRewrite(t *testing.T) {
	v, _ := CompileValue(map[string]any{"a": "$inputs.a.b", "t": "x {$inputs.a.b} y", "k": 1})
	reading := func(e *Expression) *Expression {
		if e.Kind == KindInputs && e.Name == "a.b" {
			r, _ := Parse("$inputs.a#/b")
			return r
		}
		return e
	}
	r := mapResolver{"$inputs.a": map[string]any{"b": "B"}}
	got, err := v.Rewrite(reading).Eval(r)
	want := map[string]any{"a": "B", "t": "x B y", "k": 1}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("rewritten value: got %v, %v; want %v", got, err, want)
	}
	if v.Rewrite(func(e *Expression) *Expression { return e }) != v {
		t.Error("a rewrite that changes nothing copies the value")
	}
	c, _ := CompileCriterion(CriterionSpec{Condition: "$inputs.a.b == 'b' && $statusCode == 200"})
	ok, err := c.Rewrite(reading).Eval(mapResolver{"$inputs.a": map[string]any{"b": "B"}, "$statusCode": 200})
	if !ok || err != nil {
		t.Errorf("rewritten criterion: %v, %v", ok, err)
	}
	if refs := c.Rewrite(reading).Refs(); refs[0].Text != "$inputs.a#/b" {
		t.Errorf("rewritten refs %v", refs)
	}
}

func TestJSONValue(t *testing.T) {
	r := mapResolver{"$inputs.name": `Rex "the" dog\`, "$inputs.age": 3, "$inputs.tags": []any{"a"}}
	for _, tt := range []struct{ src, want, err string }{
		{src: `{"name": "{$inputs.name}", "age": {$inputs.age}}`, want: `{"age":3,"name":"Rex \"the\" dog\\"}`},
		{src: `{"greeting": "hi {$inputs.name}!", "tags": {$inputs.tags}, "lit": "\"{x}\""}`, want: `{"greeting":"hi Rex \"the\" dog\\!","lit":"\"{x}\"","tags":["a"]}`},
		{src: `[{$inputs.age}, "{$inputs.age}"]`, want: `[3,"3"]`},
		{src: `{"name": {$inputs.name}`, err: `at offset 23: not JSON text (embedded expressions aside): unexpected EOF`},
		{src: `{"a": 1} {$inputs.age}`, err: `at offset 9: not JSON text (embedded expressions aside): unexpected text after the JSON value`},
		{src: `{"a": x{$inputs.age}}`, err: `at offset 6: not JSON text (embedded expressions aside): invalid character 'x' looking for beginning of value`},
	} {
		tm, err := ParseTemplate(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		v, err := tm.JSONValue()
		if got := errString(err); got != tt.err {
			t.Errorf("%s: error %q, want %q", tt.src, got, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if len(v.Refs()) != len(tm.Refs()) || !slices.Contains(tm.Refs(), v.Refs()[0]) {
			t.Errorf("%s: JSONValue does not reuse the template's expressions", tt.src)
		}
		out, err := v.Eval(r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(out)
		if string(b) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.src, b, tt.want)
		}
	}
}

func TestExpressionOffsets(t *testing.T) {
	tm, _ := ParseTemplate("a {$inputs.x} b {$steps.s.outputs.y}")
	if refs := tm.Refs(); refs[0].Offset != 3 || refs[1].Offset != 17 {
		t.Errorf("template offsets %d %d", refs[0].Offset, refs[1].Offset)
	}
	c, _ := ParseCondition("$statusCode == 200 && $inputs.x")
	if refs := c.Refs(); refs[0].Offset != 0 || refs[1].Offset != 22 {
		t.Errorf("condition offsets %d %d", refs[0].Offset, refs[1].Offset)
	}
}
