package runtime

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// Operations are found by bare operationId (when unambiguous), by qualified
// $sourceDescriptions.<name>.<operationId> and by operationPath, in OpenAPI
// 3.0 and 3.1 sources, through $refs of path items, parameters and request
// bodies, local and in other files.
func TestOperationLookup(t *testing.T) {
	srv := newAPI(t, nil)
	files := map[string]string{
		// 3.1: a path item by $ref to components.pathItems.
		"v31.yaml": `openapi: 3.1.0
info: {title: v31, version: '1'}
servers: [{url: '$URL/v31'}]
components:
  pathItems:
    Pet:
      parameters: [{$ref: '#/components/parameters/PetId'}]
      get:
        operationId: getPet
        responses: {'200': {description: ok}}
  parameters:
    PetId: {name: petId, in: path, required: true, schema: {type: integer}}
paths:
  /pets/{petId}: {$ref: '#/components/pathItems/Pet'}
`,
		// 3.0: a path item and a request body in another file.
		"v30.yaml": `openapi: 3.0.3
info: {title: v30, version: '1'}
servers: [{url: '$URL/v30'}]
paths:
  /orders/{id}:
    $ref: 'shared.yaml#/orderItem'
  /orders:
    post:
      operationId: createOrder
      requestBody: {$ref: 'shared.yaml#/orderBody'}
      responses: {'201': {description: created}}
  /pets/{petId}:
    get:
      operationId: getPet
      parameters: [{name: petId, in: path, required: true, schema: {type: integer}}]
      responses: {'200': {description: ok}}
`,
		"shared.yaml": `orderItem:
  parameters:
    - {name: id, in: path, required: true, schema: {type: string}}
  get:
    operationId: getOrder
    parameters:
      - {name: expand, in: query, required: true, schema: {type: array, items: {type: string}}, explode: false}
    responses: {'200': {description: ok}}
orderBody:
  required: true
  content:
    application/x-www-form-urlencoded:
      schema: {type: object}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: lookup, version: '1'}
sourceDescriptions:
  - {name: v31, url: v31.yaml, type: openapi}
  - {name: v30, url: v30.yaml, type: openapi}
workflows:
  - workflowId: w
    steps:
      - stepId: qualified31
        operationId: $sourceDescriptions.v31.getPet
        parameters: [{name: petId, in: path, value: 1}]
      - stepId: qualified30
        operationId: $sourceDescriptions.v30.getPet
        parameters: [{name: petId, in: path, value: 2}]
      - stepId: bare
        operationId: getOrder
        parameters: [{name: id, in: path, value: o-1}, {name: expand, in: query, value: [lines, customer]}]
      - stepId: byPath
        operationPath: '{$sourceDescriptions.v30.url}#/paths/~1orders~1{id}/get'
        parameters: [{name: id, in: path, value: o 2}, {name: expand, in: query, value: lines}]
      - stepId: body
        operationId: createOrder
        requestBody: {payload: {sku: A-1, qty: 2}}
`,
	}
	// Arazzo 1.0.1 (Step Object, operationId) requires the qualified form when a
	// document has several OpenAPI sources, and the validator says so; the
	// executor itself resolves a bare operationId that only one source has.
	plan := loadFiles(t, srv.URL, files)
	res := mustRun(t, plan, "w", nil)
	wantStatus(t, res, StatusPassed)
	var got []string
	for _, r := range srv.requests() {
		got = append(got, r.Method+" "+r.RequestURI+" "+string(r.Body))
	}
	want := []string{
		"GET /v31/pets/1 ",
		"GET /v30/pets/2 ",
		"GET /v30/orders/o-1?expand=lines,customer ",
		"GET /v30/orders/o%202?expand=lines ",
		"POST /v30/orders qty=2&sku=A-1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A bare operationId found in two sources is ambiguous.
	files["arazzo.yaml"] = strings.Replace(files["arazzo.yaml"], "operationId: $sourceDescriptions.v31.getPet", "operationId: getPet", 1)
	dir := writeFiles(t, srv.URL, files)
	_, diags, err := Load(context.Background(), filepath.Join(dir, "arazzo.yaml"))
	if err == nil || !strings.Contains(diags.Errors()[0].Error(), `operationId "getPet" has 2 readings: $sourceDescriptions.v31.getPet, $sourceDescriptions.v30.getPet; qualify it to say which one [ambiguous-operation]`) {
		t.Errorf("ambiguous operationId: %v", diags)
	}
}

// envCredentials is a Credentials of one's own: secrets come from a lookup
// function, such as a vault client.
type envCredentials map[string]string

func (e envCredentials) Credential(source, scheme string) (string, bool) {
	v, ok := e["ARAZZO_"+strings.ToUpper(source+"_"+scheme)]
	return v, ok
}

func TestCustomCredentials(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": securityAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: security, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - {stepId: keyHeader, operationId: keyHeader}
`,
	})
	res := mustRun(t, plan, "w", nil, WithCredentials(envCredentials{"ARAZZO_API_KEYHEADER": "from-vault"}))
	wantStatus(t, res, StatusPassed)
	if got := srv.requests()[0].Header.Get("X-API-Key"); got != "from-vault" {
		t.Errorf("X-API-Key %q", got)
	}
	if len(res.Unused) != 0 {
		t.Errorf("unused %v: credentials that cannot list their keys are not checked", res.Unused)
	}
}
