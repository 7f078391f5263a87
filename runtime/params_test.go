package runtime

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// styleCase is one cell group of the OpenAPI "Style Examples" table (3.1.1,
// §4.8.12.4.2): a style and explode at a location, and what the parameter
// "color" becomes for each example value. Object members come out in key
// order (B, G, R) because Arazzo values are JSON objects, which have no order;
// the table lists R, G, B. "" marks a cell the table gives as n/a.
type styleCase struct {
	in, style string
	explode   bool
	empty     string
	str       string
	arr       string
	obj       string
}

var styleTable = []styleCase{
	{"path", "matrix", false, ";color", ";color=blue", ";color=blue,black,brown", ";color=B,150,G,200,R,100"},
	{"path", "matrix", true, ";color", ";color=blue", ";color=blue;color=black;color=brown", ";B=150;G=200;R=100"},
	{"path", "label", false, ".", ".blue", ".blue,black,brown", ".B,150,G,200,R,100"},
	{"path", "label", true, ".", ".blue", ".blue.black.brown", ".B=150.G=200.R=100"},
	{"path", "simple", false, "", "blue", "blue,black,brown", "B,150,G,200,R,100"},
	{"path", "simple", true, "", "blue", "blue,black,brown", "B=150,G=200,R=100"},
	{"query", "form", false, "color=", "color=blue", "color=blue,black,brown", "color=B,150,G,200,R,100"},
	{"query", "form", true, "color=", "color=blue", "color=blue&color=black&color=brown", "B=150&G=200&R=100"},
	{"query", "spaceDelimited", false, "", "", "color=blue%20black%20brown", "color=B%20150%20G%20200%20R%20100"},
	{"query", "pipeDelimited", false, "", "", "color=blue%7Cblack%7Cbrown", "color=B%7C150%7CG%7C200%7CR%7C100"},
	{"query", "deepObject", true, "", "", "", "color%5BB%5D=150&color%5BG%5D=200&color%5BR%5D=100"},
	{"header", "simple", false, "", "blue", "blue,black,brown", "B,150,G,200,R,100"},
	{"header", "simple", true, "", "blue", "blue,black,brown", "B=150,G=200,R=100"},
	{"cookie", "form", false, "color=", "color=blue", "color=blue,black,brown", "color=B,150,G,200,R,100"},
	{"cookie", "form", true, "color=", "color=blue", "color=blue; color=black; color=brown", "B=150; G=200; R=100"},
}

// TestParameterStyles sends the table's example values through steps of a real
// workflow and compares what the server received with the table.
func TestParameterStyles(t *testing.T) {
	srv := newAPI(t, nil)
	var ops, steps strings.Builder
	type sent struct {
		c    styleCase
		kind string
		want string
	}
	var expect []sent
	for i, c := range styleTable {
		id := fmt.Sprintf("%s_%s_%v", c.in, c.style, c.explode)
		path := "/p/" + id
		name := "color"
		if c.in == "path" {
			path += "/{color}"
		}
		if c.in == "header" {
			name = "X-Color"
		}
		fmt.Fprintf(&ops, `  %s:
    get:
      operationId: %s
      parameters:
        - {name: %s, in: %s, required: true, style: %s, explode: %v, schema: {}}
      responses: {'200': {description: ok}}
`, path, id, name, c.in, c.style, c.explode)
		for _, v := range []struct{ kind, want string }{{"empty", c.empty}, {"str", c.str}, {"arr", c.arr}, {"obj", c.obj}} {
			if v.want == "" {
				continue
			}
			fmt.Fprintf(&steps, `      - stepId: s%d_%s
        operationId: %s
        parameters: [{name: %s, in: %s, value: $inputs.%s}]
`, i, v.kind, id, name, c.in, v.kind)
			expect = append(expect, sent{c, v.kind, v.want})
		}
	}
	files := map[string]string{
		"api.yaml": "openapi: 3.1.0\ninfo: {title: styles, version: '1'}\nservers: [{url: $URL}]\npaths:\n" + ops.String(),
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: styles, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: styles
    steps:
` + steps.String(),
	}
	plan := loadFiles(t, srv.URL, files)
	inputs := map[string]any{
		"empty": "",
		"str":   "blue",
		"arr":   []any{"blue", "black", "brown"},
		"obj":   map[string]any{"R": int64(100), "G": int64(200), "B": int64(150)},
	}
	res := mustRun(t, plan, "styles", inputs)
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	reqs := srv.requests()
	if len(reqs) != len(expect) {
		t.Fatalf("%d requests, want %d", len(reqs), len(expect))
	}
	for i, e := range expect {
		r := reqs[i]
		var got string
		switch e.c.in {
		case "path":
			got = strings.TrimPrefix(r.RequestURI, fmt.Sprintf("/p/path_%s_%v/", e.c.style, e.c.explode))
		case "query":
			got = r.RawQuery
		case "header":
			got = r.Header.Get("X-Color")
		case "cookie":
			got = r.Header.Get("Cookie")
		}
		if got != e.want {
			t.Errorf("%s style=%s explode=%v value %s: sent %q, want %q", e.c.in, e.c.style, e.c.explode, e.kind, got, e.want)
		}
	}
}

const paramsAPI = `openapi: 3.0.3
info: {title: params, version: '1'}
servers: [{url: $URL}]
components:
  parameters:
    Trace: {name: X-Trace, in: header, schema: {type: string}}
  requestBodies:
    Pet:
      content:
        application/json: {schema: {type: object}}
paths:
  /pets/{id}:
    parameters:
      - $ref: '#/components/parameters/Trace'
      - {name: id, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getPet
      parameters:
        - {name: fields, in: query, schema: {type: array, items: {type: string}}, explode: false}
        - {name: session, in: cookie, schema: {type: string}}
        - {name: Accept, in: header, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
    put:
      operationId: putPet
      requestBody: {$ref: '#/components/requestBodies/Pet'}
      responses: {'200': {description: ok}}
  /search:
    get:
      operationId: search
      parameters:
        - {name: q, in: query, required: true, schema: {type: string}}
        - {name: path, in: query, allowReserved: true, schema: {type: string}}
        - name: filter
          in: query
          content:
            application/json: {schema: {type: object}}
        - {name: X-Mode, in: header, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
`

// TestParametersEndToEnd covers $ref'd path items and parameters, cookie and
// header parameters, allowReserved, content-typed parameters, workflow-level
// parameters and their override by a step.
func TestParametersEndToEnd(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": paramsAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: params, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: params
    parameters:
      - {name: X-Mode, in: header, value: workflow}
      - {name: X-Trace, in: header, value: 'trace-{$inputs.id}'}
    steps:
      - stepId: get
        operationId: getPet
        parameters:
          - {name: id, in: path, value: $inputs.id}
          - {name: fields, in: query, value: [name, tag]}
          - {name: session, in: cookie, value: abc123}
          - {name: Accept, in: header, value: application/xml}
      - stepId: search
        operationId: $sourceDescriptions.api.search
        parameters:
          - {name: q, in: query, value: 'a b&c'}
          - {name: path, in: query, value: /x/y?z}
          - {name: filter, in: query, value: {max: 3}}
          - {name: X-Mode, in: header, value: step}
      - stepId: put
        operationPath: '{$sourceDescriptions.api.url}#/paths/~1pets~1{id}/put'
        parameters:
          - {name: id, in: path, value: 7}
        requestBody:
          payload: {name: Rex}
`,
	})
	res := mustRun(t, plan, "params", map[string]any{"id": 42})
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	reqs := srv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	get, search, put := reqs[0], reqs[1], reqs[2]
	checks := []struct{ what, got, want string }{
		{"get target", get.RequestURI, "/pets/42?fields=name,tag"},
		{"get cookie", get.Header.Get("Cookie"), "session=abc123"},
		{"get Accept from the step", get.Header.Get("Accept"), "application/xml"},
		{"get workflow-level header", get.Header.Get("X-Mode"), "workflow"},
		{"get workflow-level template", get.Header.Get("X-Trace"), "trace-42"},
		{"search target", search.RequestURI, "/search?q=a%20b%26c&path=/x/y?z&filter=%7B%22max%22%3A3%7D"},
		{"search step overrides workflow", search.Header.Get("X-Mode"), "step"},
		{"put target", put.Method + " " + put.RequestURI, "PUT /pets/7"},
		{"put body", string(put.Body), `{"name":"Rex"}`},
		{"put content type", put.Header.Get("Content-Type"), "application/json"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
}

// TestRequiredParameterMissing: nothing is sent, and the error names the
// workflow, the step, its position and the missing parameter.
func TestRequiredParameterMissing(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": paramsAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: params, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: missing
    steps:
      - stepId: search
        operationId: search
        parameters:
          - {name: path, in: query, value: x}
`,
	})
	res := mustRun(t, plan, "missing", nil)
	if res.Status != StatusError {
		t.Fatalf("status %s, want error", res.Status)
	}
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	want := `arazzo.yaml:7:9: workflow missing, step search: operation search requires query parameter "q", header parameter "X-Mode", which the step does not supply`
	if got := res.Err.Error(); !strings.HasSuffix(got, want) {
		t.Fatalf("error\n%s\nwant suffix\n%s", got, want)
	}
}

func TestHeaderParameterRules(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) { writeJSON(w, 200, map[string]any{}) })
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: h, version: '1'}
servers: [{url: $URL}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
paths:
  /h:
    post:
      operationId: h
      parameters:
        - {name: Authorization, in: header, required: true, schema: {type: string}}
        - {name: Content-Type, in: header, required: true, schema: {type: string}}
      requestBody:
        content:
          text/plain: {schema: {type: string}}
      responses: {'200': {description: ok}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: h, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: declared-ignored
    steps:
      - stepId: h
        operationId: h
        requestBody: {payload: hi}
  - workflowId: supplied
    steps:
      - stepId: h
        operationId: h
        parameters:
          - {name: Authorization, in: header, value: 'Token {$inputs.token}'}
          - {name: Content-Type, in: header, value: application/json}
          - {name: Accept, in: header, value: text/csv}
        requestBody: {payload: hi}
`,
	})
	// OpenAPI: header parameters named Accept, Content-Type or Authorization
	// are ignored, so they are not required.
	res := mustRun(t, plan, "declared-ignored", nil, WithCredentials(CredentialMap{"bearer": "tok-1234"}))
	if res.Status != StatusPassed {
		t.Fatalf("declared-ignored: %s: %v", res.Status, res.Err)
	}
	r := srv.requests()[0]
	if got := r.Header.Get("Authorization"); got != "Bearer tok-1234" {
		t.Errorf("Authorization %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "text/plain" {
		t.Errorf("Content-Type %q", got)
	}
	// Supplied by the step: Accept and Authorization are sent as written (the
	// step's Authorization wins over the security scheme); Content-Type comes
	// from the request body, whose media type decides how it is serialized.
	res = mustRun(t, plan, "supplied", map[string]any{"token": "abcd-secret"}, WithCredentials(CredentialMap{"bearer": "tok-1234"}))
	if res.Status != StatusPassed {
		t.Fatalf("supplied: %s: %v", res.Status, res.Err)
	}
	r = srv.requests()[1]
	for h, want := range map[string]string{"Authorization": "Token abcd-secret", "Content-Type": "text/plain", "Accept": "text/csv"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
}

// Header parameter names are case-insensitive: a step's "x-mode" supplies the
// operation's required "X-Mode" and overrides a workflow-level "X-MODE".
func TestHeaderNamesCaseInsensitive(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": paramsAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: params, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    parameters:
      - {name: X-MODE, in: header, value: workflow}
    steps:
      - stepId: search
        operationId: search
        parameters:
          - {name: q, in: query, value: x}
          - {name: x-mode, in: header, value: step}
`,
	})
	res := mustRun(t, plan, "w", nil)
	wantStatus(t, res, StatusPassed)
	if got := srv.requests()[0].Header.Values("X-Mode"); len(got) != 1 || got[0] != "step" {
		t.Errorf("X-Mode %q", got)
	}
}
