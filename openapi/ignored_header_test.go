package openapi

import (
	"context"
	"testing"
)

// OpenAPI 3.0/3.1, Parameter Object: header parameters named Accept,
// Content-Type or Authorization "SHALL be ignored".
func TestIgnoredHeaderParameters(t *testing.T) {
	src := `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    parameters:
      - {name: accept, in: header, required: true, schema: {type: string}}
    get:
      operationId: a
      parameters:
        - {name: Content-Type, in: header, required: true, schema: {type: string}}
        - {name: AUTHORIZATION, in: header, required: true, schema: {type: string}}
        - {name: Authorization, in: query, schema: {type: string}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses: {'200': {description: ok}}
`
	doc, err := Load(context.Background(), "file:///t/api.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range doc.Operation("a").Parameters {
		got = append(got, p.In+":"+p.Name)
	}
	if len(got) != 2 || got[0] != "query:Authorization" || got[1] != "header:X-Trace" {
		t.Errorf("parameters %v, want [query:Authorization header:X-Trace]", got)
	}
}
