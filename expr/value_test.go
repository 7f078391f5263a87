package expr

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestValue(t *testing.T) {
	order := map[string]any{"id": json.Number("7"), "lines": []any{map[string]any{"sku": "A"}}}
	r := mapResolver{
		"$inputs.qty":     3,
		"$inputs.tag":     "blue",
		"$inputs.order":   order,
		"$inputs.enabled": false,
		"$response.body":  map[string]any{"items": []any{map[string]any{"handle": "h1"}}},
	}
	tests := []struct {
		name    string
		in      any
		want    any
		literal bool
		refs    []string
	}{
		{name: "number literal", in: 5, want: 5, literal: true},
		{name: "json number literal", in: json.Number("5.5"), want: json.Number("5.5"), literal: true},
		{name: "null literal", in: nil, want: nil, literal: true},
		{name: "bool literal", in: true, want: true, literal: true},
		{name: "text literal", in: "plain", want: "plain", literal: true},
		{name: "jsonpath-looking text", in: "$.items[*]", want: "$.items[*]", literal: true},
		{name: "dollar amount", in: "$5", want: "$5", literal: true},
		{name: "path template", in: "/pets/{petId}", want: "/pets/{petId}", literal: true},
		{name: "whole expression keeps int", in: "$inputs.qty", want: 3, refs: []string{"$inputs.qty"}},
		{name: "whole expression keeps bool", in: "$inputs.enabled", want: false, refs: []string{"$inputs.enabled"}},
		{name: "whole expression keeps object", in: "$inputs.order", want: order, refs: []string{"$inputs.order"}},
		{name: "pointer", in: "$inputs.order#/lines/0/sku", want: "A", refs: []string{"$inputs.order#/lines/0/sku"}},
		{name: "body dot", in: "$response.body.items.0.handle", want: "h1", refs: []string{"$response.body#/items/0/handle"}},
		{name: "braced is a string", in: "{$inputs.qty}", want: "3", refs: []string{"$inputs.qty"}},
		{name: "template", in: "n={$inputs.qty}&tag={$inputs.tag}", want: "n=3&tag=blue", refs: []string{"$inputs.qty", "$inputs.tag"}},
		{
			name: "payload",
			in: map[string]any{
				"quantity": "$inputs.qty",
				"tags":     []any{"$inputs.tag", "x-{$inputs.tag}", 1},
				"meta":     map[string]any{"static": true, "items": []any{"a"}},
				"order":    "$inputs.order",
			},
			want: map[string]any{
				"quantity": 3,
				"tags":     []any{"blue", "x-blue", 1},
				"meta":     map[string]any{"static": true, "items": []any{"a"}},
				"order":    order,
			},
			refs: []string{"$inputs.order", "$inputs.qty", "$inputs.tag", "$inputs.tag"},
		},
		{name: "literal tree", in: map[string]any{"a": []any{1, "b", map[string]any{"c": nil}}},
			want: map[string]any{"a": []any{1, "b", map[string]any{"c": nil}}}, literal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := CompileValue(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if v.IsLiteral() != tt.literal {
				t.Errorf("IsLiteral = %v", v.IsLiteral())
			}
			var refs []string
			for _, e := range v.Refs() {
				refs = append(refs, e.Text)
			}
			if !reflect.DeepEqual(refs, tt.refs) {
				t.Errorf("refs %q, want %q", refs, tt.refs)
			}
			got, err := v.Eval(r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// Eval returns a fresh tree: mutating it changes neither the compiled
// literal nor the resolver's values.
func TestValueEvalIsFresh(t *testing.T) {
	input := map[string]any{"lines": []any{"a"}}
	r := mapResolver{"$inputs.order": input}
	v, err := CompileValue(map[string]any{"order": "$inputs.order", "fixed": map[string]any{"k": []any{"v"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Eval(r)
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	m["order"].(map[string]any)["lines"].([]any)[0] = "changed"
	m["fixed"].(map[string]any)["k"].([]any)[0] = "changed"
	if input["lines"].([]any)[0] != "a" {
		t.Error("Eval result shares the resolver's value")
	}
	again, _ := v.Eval(r)
	if again.(map[string]any)["fixed"].(map[string]any)["k"].([]any)[0] != "v" {
		t.Error("Eval result shares the compiled literal")
	}
}

func TestValueWarnings(t *testing.T) {
	v, err := CompileValue(map[string]any{
		"a": "$inputs.first name",
		"b": []any{"$response.body.id"},
		"c": "$.not.an.expression",
		"d": "$$inputs.literal",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`/b/0: at offset 14: dotted access after $response.body is not a runtime expression; read as the JSON pointer "/id" [expr-body-dot]; suggestion: $response.body#/id`,
	}
	if got := warningStrings(v.Warnings()); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings\n got %q\nwant %q", got, want)
	}
}

func TestValueErrors(t *testing.T) {
	_, err := CompileValue(map[string]any{"a": map[string]any{"b~/": []any{"ok", "{$nope}"}}})
	if got, want := errString(err), `/a/b~0~1/1: at offset 1: unknown runtime expression "$nope"`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var fe *FieldError
	var se *SyntaxError
	if !errors.As(err, &fe) || fe.Field != "/a/b~0~1/1" || !errors.As(err, &se) {
		t.Errorf("want *FieldError wrapping *SyntaxError, got %#v", err)
	}
	_, err = CompileValue(struct{}{})
	if got, want := errString(err), "unsupported value type struct {}"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	v, err := CompileValue(map[string]any{"a": []any{"$inputs.missing"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Eval(mapResolver{})
	if got, want := errString(err), "/a/0: $inputs.missing: no such value"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if !errors.Is(err, ErrMissing) {
		t.Error("want ErrMissing")
	}
}
