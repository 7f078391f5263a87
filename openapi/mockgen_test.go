package openapi

import (
	"context"
	"strings"
	"testing"
)

// generated loads a 3.1 description whose one response has the given schema (and
// components) and returns the body the mock makes for it.
func generated(t *testing.T, schema, components string) string {
	t.Helper()
	src := "openapi: 3.1.0\ninfo: {title: G, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n" +
		"          description: ok\n          content:\n            application/json:\n              schema: " + schema + "\n"
	if components != "" {
		src += "components:\n  schemas:\n" + components
	}
	d, err := Load(context.Background(), "/gen.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, resp := successResponse(d.Operations()[0])
	body, _, ok := responseBody(resp, nil)
	if !ok {
		t.Fatal("no body")
	}
	return strings.TrimSpace(string(body))
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		name, schema, components, want string
	}{
		{"string", "{type: string}", "", `"example"`},
		{"string with minLength", "{type: string, minLength: 10}", "", `"examplexxx"`},
		{"string with maxLength", "{type: string, maxLength: 3}", "", `"exa"`},
		{"date-time", "{type: string, format: date-time}", "", `"2024-01-15T09:30:00Z"`},
		{"date", "{type: string, format: date}", "", `"2024-01-15"`},
		{"email", "{type: string, format: email}", "", `"user@example.com"`},
		{"uri", "{type: object, properties: {home: {type: string, format: uri}}}", "", `{"home":"https://example.com/home"}`},
		{"uuid", "{type: object, properties: {id: {type: string, format: uuid}}}", "", `{"id":"08809531-c5ab-4be9-9aa0-733055ab6278"}`},
		{"integer", "{type: integer, format: int64}", "", `1`},
		{"integer minimum", "{type: integer, minimum: 5, multipleOf: 3}", "", `6`},
		{"integer exclusive minimum", "{type: integer, exclusiveMinimum: 7}", "", `8`},
		{"integer maximum", "{type: integer, maximum: -3}", "", `-3`},
		{"number range", "{type: number, exclusiveMinimum: 10, maximum: 20}", "", `15`},
		{"number", "{type: number}", "", `1.5`},
		{"boolean", "{type: boolean}", "", `true`},
		{"nullable string (3.1)", "{type: [string, 'null']}", "", `"example"`},
		{"null first", "{type: ['null', integer]}", "", `1`},
		{"enum", "{type: string, enum: [b, a]}", "", `"b"`},
		{"const", "{const: fixed}", "", `"fixed"`},
		{"default", "{type: integer, default: 42}", "", `42`},
		{"schema example", "{type: object, example: {a: 1}}", "", `{"a":1}`},
		{"schema examples", "{type: string, examples: [first, second]}", "", `"first"`},
		{"array", "{type: array, items: {type: integer}}", "", `[1]`},
		{"array minItems", "{type: array, minItems: 3, items: {type: boolean}}", "", `[true,true,true]`},
		{"array maxItems 0", "{type: array, maxItems: 0, items: {type: boolean}}", "", `[]`},
		{"prefixItems", "{type: array, prefixItems: [{type: string}, {type: integer}], minItems: 2}", "", `["example",1]`},
		{"object", "{type: object, properties: {n: {type: integer}, s: {type: string}, w: {type: string, writeOnly: true}}}", "",
			`{"n":1,"s":"example-s"}`},
		{"untyped object", "{properties: {a: {type: boolean}}}", "", `{"a":true}`},
		{"additionalProperties", "{type: object, additionalProperties: {type: integer}}", "", `{"key":1}`},
		{"allOf", "{allOf: [{type: object, properties: {a: {type: integer}}}, {type: object, properties: {b: {type: boolean}}}]}", "",
			`{"a":1,"b":true}`},
		{"oneOf", "{oneOf: [{type: 'null'}, {type: integer}, {type: string}]}", "", `1`},
		{"recursive", "{$ref: '#/components/schemas/Node'}",
			"    Node:\n      type: object\n      properties:\n        name: {type: string}\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n",
			`{"children":[{"children":[],"name":"example-name"}],"name":"example-name"}`},
		{"self-referencing property", "{$ref: '#/components/schemas/P'}",
			"    P:\n      type: object\n      properties:\n        id: {type: integer}\n        parent: {$ref: '#/components/schemas/P'}\n",
			`{"id":1,"parent":{"id":1}}`},
		{"empty schema", "{}", "", `"example"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := generated(t, tt.schema, tt.components); got != tt.want {
				t.Errorf("generated %s\nwant      %s", got, tt.want)
			}
		})
	}
}

func TestMediaTypeExamples(t *testing.T) {
	src := `openapi: 3.1.0
info: {title: E, version: "1"}
paths:
  /one:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, example: {from: schema}}
              example: {from: media-type}
  /many:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, example: {from: schema}}
              examples:
                zz: {value: {from: first}}
                aa: {value: {from: second}}
  /schema:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, example: {from: schema}}
  /text:
    get:
      responses:
        "200":
          description: ok
          content:
            text/plain:
              example: hello
`
	d, err := Load(context.Background(), "/ex.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ body, contentType string }{
		{`{"from":"media-type"}`, "application/json"},
		{`{"from":"first"}`, "application/json"},
		{`{"from":"schema"}`, "application/json"},
		{`hello`, "text/plain"},
	}
	for i, op := range d.Operations() {
		_, resp := successResponse(op)
		body, ct, _ := responseBody(resp, nil)
		if got := strings.TrimSpace(string(body)); got != want[i].body || ct != want[i].contentType {
			t.Errorf("%s: %s (%s), want %s (%s)", op.Path, got, ct, want[i].body, want[i].contentType)
		}
	}
}
