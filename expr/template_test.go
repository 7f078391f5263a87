package expr

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

func TestTemplate(t *testing.T) {
	r := mapResolver{
		"$steps.login.outputs.token": "tok-123",
		"$inputs.pet_id":             "p-9",
		"$inputs.qty":                3,
		"$inputs.host":               "api.example.test",
		"$steps.create.outputs.id":   json.Number("42"),
		"$inputs.price":              2.5,
		"$inputs.whole":              200.0,
		"$inputs.big":                1e21,
		"$inputs.tiny":               0.0000001,
		"$inputs.exp":                json.Number("1e3"),
		"$inputs.flag":               true,
		"$inputs.none":               nil,
		"$inputs.obj":                map[string]any{"b": 1, "a": "<x & y>"},
		"$inputs.list":               []any{1, "two", nil},
		"$response.body":             map[string]any{"a": map[string]any{"b": "deep"}},
		"$inputs.xml":                "<pet><id>1</id></pet>",
	}
	tests := []struct {
		src     string
		want    string
		literal bool
	}{
		{src: "Bearer {$steps.login.outputs.token}", want: "Bearer tok-123"},
		{src: `{ "order": { "petId": "{$inputs.pet_id}", "quantity": {$inputs.qty} } }`,
			want: `{ "order": { "petId": "p-9", "quantity": 3 } }`},
		{src: "https://{$inputs.host}/api/{$steps.create.outputs.id}/status", want: "https://api.example.test/api/42/status"},
		{src: "{$inputs.qty}", want: "3"},
		{src: "{$inputs.price}|{$inputs.whole}|{$inputs.big}|{$inputs.tiny}|{$inputs.exp}", want: "2.5|200|1e+21|1e-7|1e3"},
		{src: "{$inputs.flag}/{$inputs.none}", want: "true/null"},
		{src: "obj={$inputs.obj} list={$inputs.list}", want: `obj={"a":"<x & y>","b":1} list=[1,"two",null]`},
		{src: "{$inputs.xml}", want: "<pet><id>1</id></pet>"},
		{src: "deep={$response.body#/a/b}", want: "deep=deep"},
		{src: "dotted={$response.body.a.b}", want: "dotted=deep"},
		// Braces that do not open an expression are literal text.
		{src: "/pets/{petId}/photos/{photoId}", want: "/pets/{petId}/photos/{photoId}", literal: true},
		{src: `{"a": {"b": [1, 2]}}`, want: `{"a": {"b": [1, 2]}}`, literal: true},
		{src: "{$.items[*]} {$} {$1} }{", want: "{$.items[*]} {$} {$1} }{", literal: true},
		{src: "", want: "", literal: true},
		{src: "{{$inputs.qty}}", want: "{3}"},
		{src: "{$inputs.qty}{$inputs.qty}", want: "33"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			tm, err := ParseTemplate(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if tm.IsLiteral() != tt.literal {
				t.Errorf("IsLiteral = %v", tm.IsLiteral())
			}
			if tm.String() != tt.src {
				t.Errorf("String() = %q", tm.String())
			}
			got, err := tm.Eval(r)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTemplateRefsAndWarnings(t *testing.T) {
	tm, err := ParseTemplate("x {$response.body.a} {$inputs.b} {$steps.s.outputs.c#/0}")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, e := range tm.Refs() {
		refs = append(refs, e.Text)
	}
	if want := []string{"$response.body#/a", "$inputs.b", "$steps.s.outputs.c#/0"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("refs %q, want %q", refs, want)
	}
	want := []string{`at offset 17: dotted access after $response.body is not a runtime expression; read as the JSON pointer "/a" [expr-body-dot]; suggestion: $response.body#/a`}
	if got := warningStrings(tm.Warnings()); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %q, want %q", got, want)
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"Bearer {$inputs.token", `at offset 7: unterminated embedded expression: missing '}'`},
		{"a {$foo}", `at offset 3: unknown runtime expression "$foo"`},
		{"a {$inputs.a[0]}", `at offset 12: invalid character '[' in input name`},
		{"{$inputs.a{$inputs.b}}", `at offset 10: invalid character '{' in input name`},
		{"{$response.body#x}", `at offset 16: JSON pointer must start with '/', found 'x'`},
		{"{$statusCode }", `at offset 12: unexpected ' ' after $statusCode`},
	}
	for _, tt := range tests {
		_, err := ParseTemplate(tt.src)
		if got := errString(err); got != tt.want {
			t.Errorf("ParseTemplate(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

func TestTemplateEvalErrors(t *testing.T) {
	r := mapResolver{"$inputs.nan": math.NaN(), "$inputs.bad": map[string]any{"f": math.Inf(1)}}
	tests := []struct{ src, want string }{
		{"id={$inputs.id}", "$inputs.id: no such value"},
		{"{$inputs.nan}", ""},
		{"{$inputs.bad}", "$inputs.bad: cannot convert the value to text: json: unsupported value: +Inf"},
	}
	for _, tt := range tests {
		tm, err := ParseTemplate(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tm.Eval(r)
		if got := errString(err); got != tt.want {
			t.Errorf("Eval(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}
