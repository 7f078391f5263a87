package runtime

import (
	"testing"
)

// A step parameter that spells the operation's parameter differently (pet_id
// for petId) is sent as that parameter: the request goes to /pets/42.
func TestParameterSpelledDifferently(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": `openapi: 3.0.3
info: {title: pets, version: '1'}
servers: [{url: '$URL'}]
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}}
        - {name: X-Trace-Id, in: header, schema: {type: string}}
      responses: {'200': {description: ok}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: spelling, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - stepId: get
        operationId: getPet
        parameters:
          - {name: pet_id, in: path, value: 42}
          - {name: x_trace_id, in: header, value: t-1}
        successCriteria: [{condition: $statusCode == 200}]
`,
	})
	res := mustRun(t, plan, "w", nil)
	wantStatus(t, res, StatusPassed)
	reqs := srv.requests()
	if len(reqs) != 1 || reqs[0].Path != "/pets/42" {
		t.Fatalf("requests %+v, want GET /pets/42", reqs)
	}
	if got := reqs[0].Header.Get("X-Trace-Id"); got != "t-1" {
		t.Errorf("X-Trace-Id %q, want t-1", got)
	}
}
