package runtime

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A path parameter value taken from a response is data: ".." must not make
// the next request reach the parent path (another endpoint of the API).
func TestPathValueDotSegments(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == "/users/me" {
			writeJSON(w, 200, map[string]any{"id": "..", "tag": "."})
			return
		}
		writeJSON(w, 200, map[string]any{})
	})
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: api, version: '1'}
servers: [{url: $URL}]
paths:
  /users/me:
    get: {operationId: me, responses: {'200': {description: ok}}}
  /users/{id}/tags/{tag}/delete:
    get:
      operationId: tag
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: tag, in: path, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - stepId: me
        operationId: me
        outputs: {id: $response.body#/id, tag: $response.body#/tag}
      - stepId: tag
        operationId: tag
        parameters:
          - {name: id, in: path, value: $steps.me.outputs.id}
          - {name: tag, in: path, value: $steps.me.outputs.tag}
`})
	mustRun(t, plan, "w", nil)
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if got, want := reqs[1].RequestURI, "/users/%2E%2E/tags/%2E/delete"; got != want {
		t.Errorf("sent %s, want %s: a dot segment from a response reaches another path", got, want)
	}
}

// A criterion that would run long on a hostile response (a quadratic XPath
// query) stops when the run is cancelled — a signal, or --run-timeout — and
// the run ends: the run is cancelled the moment the response arrives.
func TestCriterionStopsWithTheRun(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte("<r>" + strings.Repeat("<i/>", 1500) + "</r>"))
	})
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: api, version: '1'}
servers: [{url: $URL}]
paths:
  /items:
    get: {operationId: list, responses: {'200': {description: ok}}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - stepId: list
        operationId: list
        successCriteria:
          - context: $response.body
            condition: count(//i[count(preceding::i) >= 0]) > 0
            type: xpath
`})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelOnResponse := ObserverFunc(func(e *Event) {
		if e.Kind == EventResponse {
			cancel()
		}
	})
	res, _ := plan.Run(ctx, "w", nil, WithObserver(cancelOnResponse))
	if res == nil || len(res.Steps) != 1 || len(res.Steps[0].Criteria) != 1 {
		t.Fatalf("result %+v: want one step with its criterion", res)
	}
	if c := res.Steps[0].Criteria[0]; c.Pass || !strings.Contains(c.Reason, "stopped") {
		t.Errorf("criterion reason %q: the XPath query ran on after the run was cancelled", c.Reason)
	}
	if res.Status == StatusPassed {
		t.Errorf("status %s after the run was cancelled", res.Status)
	}
}
