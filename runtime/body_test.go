package runtime

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
)

const bodiesAPI = `openapi: 3.1.0
info: {title: bodies, version: '1'}
servers: [{url: $URL}]
paths:
  /json:
    post:
      operationId: json
      requestBody:
        content:
          application/json: {schema: {type: object}}
      responses: {'200': {description: ok}}
  /form:
    post:
      operationId: form
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object}
            encoding:
              tags: {style: form, explode: true}
              meta: {contentType: application/json}
      responses: {'200': {description: ok}}
  /multi:
    post:
      operationId: multi
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object}
            encoding:
              file: {contentType: application/octet-stream}
      responses: {'200': {description: ok}}
  /text:
    post:
      operationId: text
      requestBody: {content: {text/plain: {schema: {type: string}}}}
      responses: {'200': {description: ok}}
  /xml:
    post:
      operationId: xml
      requestBody: {content: {application/xml: {schema: {type: string}}}}
      responses: {'200': {description: ok}}
  /bin:
    put:
      operationId: bin
      requestBody: {content: {application/octet-stream: {schema: {type: string, format: binary}}}}
      responses: {'200': {description: ok}}
  /choose:
    post:
      operationId: choose
      requestBody:
        content:
          application/json: {schema: {type: object}}
          application/x-www-form-urlencoded: {schema: {type: object}}
      responses: {'200': {description: ok}}
`

// TestRequestBodies sends each media type through a step and compares the
// bytes the server received.
func TestRequestBodies(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": bodiesAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: bodies, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: bodies
    steps:
      - stepId: json
        operationId: json
        requestBody:
          payload:
            name: $inputs.name
            label: 'pet-{$inputs.id}'
            tags: $inputs.tags
            owner: {id: $inputs.id}
      - stepId: jsonText
        operationId: json
        requestBody:
          contentType: application/json
          payload: '{"pet": {"id": 0, "tags": []}}'
          replacements:
            - {target: /pet/id, value: $inputs.id}
            - {target: /pet/tags/-, value: new}
      - stepId: form
        operationId: form
        requestBody:
          payload: {name: Rex Dog, tags: $inputs.tags, meta: {a: 1}}
      - stepId: multi
        operationId: multi
        requestBody:
          payload: {name: $inputs.name, file: $inputs.file}
      - stepId: text
        operationId: text
        requestBody:
          payload: 'hello {$inputs.name}'
      - stepId: xml
        operationId: xml
        requestBody:
          payload: '<pet kind="?"><name>x</name><id>0</id></pet>'
          replacements:
            - {target: /pet/name, value: $inputs.name}
            - {target: /pet/@kind, value: dog}
            - {target: /pet/id, value: $inputs.id}
      - stepId: bin
        operationId: bin
        requestBody:
          payload: $inputs.file
      - stepId: choose
        operationId: choose
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: {a: 1}
`,
	})
	file := "\x00\x01binary\xff"
	res := mustRun(t, plan, "bodies", map[string]any{"name": "Rex", "id": int64(7), "tags": []any{"a", "b"}, "file": file})
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	reqs := srv.requests()
	if len(reqs) != 8 {
		t.Fatalf("%d requests", len(reqs))
	}
	checks := []struct {
		step, ct, body string
	}{
		{"json", "application/json", `{"label":"pet-7","name":"Rex","owner":{"id":7},"tags":["a","b"]}`},
		{"jsonText", "application/json", `{"pet":{"id":7,"tags":["new"]}}`},
		{"form", "application/x-www-form-urlencoded", `meta=%7B%22a%22%3A1%7D&name=Rex+Dog&tags=a&tags=b`},
		{"text", "text/plain", `hello Rex`},
		{"xml", "application/xml", `<pet kind="dog"><name>Rex</name><id>7</id></pet>`},
		{"bin", "application/octet-stream", file},
		{"choose", "application/x-www-form-urlencoded", `a=1`},
	}
	byStep := map[string]received{}
	for i, s := range res.Steps {
		byStep[s.StepID] = reqs[i]
	}
	for _, c := range checks {
		r := byStep[c.step]
		if got := r.Header.Get("Content-Type"); got != c.ct {
			t.Errorf("%s: Content-Type %q, want %q", c.step, got, c.ct)
		}
		if string(r.Body) != c.body {
			t.Errorf("%s: body %q, want %q", c.step, r.Body, c.body)
		}
	}
	// multipart: one part per property, the file as binary.
	r := byStep["multi"]
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("multi: Content-Type %q", r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	parts := map[string]string{}
	types := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		parts[p.FormName()] = string(b)
		types[p.FormName()] = p.Header.Get("Content-Type")
	}
	if parts["name"] != "Rex" || parts["file"] != file || types["file"] != "application/octet-stream" {
		t.Errorf("multi: parts %q types %q", parts, types)
	}
}

// TestArazzo11Selectors: JSONPath replacement targets and Selector Objects in
// a payload, a parameter value and outputs.
func TestArazzo11Selectors(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": bodiesAPI,
		"arazzo.yaml": `arazzo: 1.1.0
info: {title: selectors, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: selectors
    inputs:
      type: object
      properties:
        invoice: {type: string}
        order: {type: object}
    steps:
      - stepId: send
        operationId: json
        requestBody:
          payload:
            items: [{id: 1, price: 0}, {id: 2, price: 0}]
            number:
              context: $inputs.invoice
              selector: /Invoice/Header/Number
              type: {type: xpath, version: xpath-30}
            first:
              context: $inputs.order
              selector: $.lines[0].sku
              type: jsonpath
          replacements:
            - target: $.items[*].price
              targetSelectorType: jsonpath
              value: 5
        outputs:
          skus:
            context: $request.body
            selector: $.items[*].id
            type: jsonpath
          number:
            context: $request.body
            selector: /number
            type: jsonpointer
    outputs:
      skus: $steps.send.outputs.skus
      number: $steps.send.outputs.number
      firstSku:
        context: $steps.send.outputs
        selector: $.skus[0]
        type: jsonpath
      viaPointer: $steps.send.outputs#/number
`,
	})
	res := mustRun(t, plan, "selectors", map[string]any{
		"invoice": "<Invoice><Header><Number>INV-9</Number></Header></Invoice>",
		"order":   map[string]any{"lines": []any{map[string]any{"sku": "A-1"}}},
	})
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	want := `{"first":"A-1","items":[{"id":1,"price":5},{"id":2,"price":5}],"number":"INV-9"}`
	if got := string(srv.requests()[0].Body); got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	if got := jsonText(res.Outputs); got != `{"firstSku":1,"number":"INV-9","skus":[1,2],"viaPointer":"INV-9"}` {
		t.Errorf("outputs %s", got)
	}
}

// TestReplacementErrors: a target that selects nothing fails the step before
// anything is sent, at the position of the target.
func TestReplacementErrors(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": bodiesAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: bodies, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: bad
    steps:
      - stepId: send
        operationId: json
        requestBody:
          payload: {pet: {}}
          replacements:
            - target: /owner/name
              value: x
`,
	})
	res := mustRun(t, plan, "bad", nil)
	if res.Status != StatusError || len(srv.requests()) != 0 {
		t.Fatalf("status %s, %d requests", res.Status, len(srv.requests()))
	}
	want := `arazzo.yaml:12:23: workflow bad, step send: replacement "/owner/name": /owner/name: no member "owner"`
	if got := res.Err.Error(); !strings.HasSuffix(got, want) {
		t.Errorf("error\n%s\nwant suffix\n%s", got, want)
	}
}
