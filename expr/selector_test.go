package expr

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestSelectorEval(t *testing.T) {
	body := decodeJSON(t, `{"user":{"email":"a@example.com","tags":["x","y"]},"items":[{"id":1},{"id":2}]}`)
	xml := `<Invoice><Header><Number>INV-7</Number></Header><Line>a</Line><Line>b</Line><Total>12</Total></Invoice>`
	r := mapResolver{"$response.body": body, "$inputs.xml": xml, "$inputs.text": `{"a":{"b":3}}`}
	tests := []struct {
		name string
		spec SelectorSpec
		want string // JSON of the result
		err  string
	}{
		{"jsonpath singular", SelectorSpec{"$response.body", "$.user.email", "jsonpath", ""}, `"a@example.com"`, ""},
		{"jsonpath index", SelectorSpec{"$response.body", "$.items[1].id", "jsonpath", ""}, `2`, ""},
		{"jsonpath many", SelectorSpec{"$response.body", "$.items[*].id", "jsonpath", ""}, `[1,2]`, ""},
		{"jsonpath many, none", SelectorSpec{"$response.body", "$.items[?@.id > 5].id", "jsonpath", ""}, `[]`, ""},
		{"jsonpath singular missing", SelectorSpec{"$response.body", "$.user.phone", "jsonpath", ""}, "", "$.user.phone: no such value: jsonpath $.user.phone selected no node in $response.body"},
		{"jsonpointer", SelectorSpec{"$response.body", "/user/tags/1", "jsonpointer", ""}, `"y"`, ""},
		{"jsonpointer missing", SelectorSpec{"$response.body", "/user/name", "jsonpointer", ""}, "", `/user/name: no such value: no member "name" in the object at /user of $response.body`},
		{"jsonpointer on JSON text", SelectorSpec{"$inputs.text", "/a/b", "jsonpointer", ""}, `3`, ""},
		{"xpath one node", SelectorSpec{"$inputs.xml", "/Invoice/Header/Number", "xpath", "xpath-30"}, `"INV-7"`, ""},
		{"xpath nodes", SelectorSpec{"$inputs.xml", "/Invoice/Line", "xpath", ""}, `["a","b"]`, ""},
		{"xpath number", SelectorSpec{"$inputs.xml", "number(/Invoice/Total) * 2", "xpath", ""}, `24`, ""},
		{"xpath none", SelectorSpec{"$inputs.xml", "/Invoice/Nope", "xpath", ""}, "", "/Invoice/Nope: no such value: xpath /Invoice/Nope selected no node in $inputs.xml"},
		{"xpath on JSON", SelectorSpec{"$response.body", "/a", "xpath", ""}, "", "$response.body: an xpath selector needs XML text as context, got object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := CompileSelector(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			v, err := s.Eval(r)
			if tt.err != "" {
				if errString(err) != tt.err {
					t.Fatalf("error %q, want %q", errString(err), tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(v)
			if string(b) != tt.want {
				t.Fatalf("got %s, want %s", b, tt.want)
			}
		})
	}
}

func TestSelectorMissingIsErrMissing(t *testing.T) {
	s, err := CompileSelector(SelectorSpec{Context: "$response.body", Selector: "/x", Type: "jsonpointer"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Eval(mapResolver{"$response.body": map[string]any{}})
	if !errors.Is(err, ErrMissing) {
		t.Fatalf("want ErrMissing, got %v", err)
	}
}

func TestCompileSelectorErrors(t *testing.T) {
	tests := []struct {
		spec SelectorSpec
		want string
	}{
		{SelectorSpec{"response.body", "$.a", "jsonpath", ""}, "context: "},
		{SelectorSpec{"$response.body", "$.a[", "jsonpath", ""}, "selector: "},
		{SelectorSpec{"$response.body", "a/b", "jsonpointer", ""}, "selector: "},
		{SelectorSpec{"$response.body", "/a)", "xpath", ""}, "selector: "},
		{SelectorSpec{"$response.body", "$.a", "regex", ""}, `type: at offset 0: selector type must be jsonpath, jsonpointer or xpath, got "regex"`},
	}
	for _, tt := range tests {
		_, err := CompileSelector(tt.spec)
		var fe *FieldError
		if !errors.As(err, &fe) || len(err.Error()) < len(tt.want) || err.Error()[:len(tt.want)] != tt.want {
			t.Errorf("%+v: error %v, want prefix %q", tt.spec, err, tt.want)
		}
	}
}
