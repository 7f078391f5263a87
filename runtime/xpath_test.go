package runtime

import (
	"net/http"
	"testing"
)

// An XPath criterion runs over the XML body of a step's response, end to end:
// the step passes or fails on the criterion's effective boolean value, and an
// onFailure action can branch on another XPath criterion.
func TestXPathCriteriaOverXMLResponse(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/xml")
		status := r.URL.Query().Get("status")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><pet id="7"><name>Rex</name><status>` + status + `</status><tags><tag>a</tag><tag>b</tag></tags></pet>`))
	})
	files := map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: pets, version: '1'}
servers: [{url: '$URL'}]
paths:
  /pet:
    get:
      operationId: getPet
      parameters: [{name: status, in: query, schema: {type: string}}]
      responses:
        '200':
          description: a pet
          content: {application/xml: {schema: {type: string}}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: xpath, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    inputs: {type: object, properties: {status: {type: string}}}
    steps:
      - stepId: pet
        operationId: getPet
        parameters: [{name: status, in: query, value: $inputs.status}]
        successCriteria:
          - {condition: $statusCode == 200}
          - {context: $response.body, condition: "/pet/status = 'available' and count(//tag) = 2", type: {type: xpath, version: xpath-10}}
        onFailure:
          - name: sold
            type: goto
            stepId: recover
            criteria: [{context: $response.body, condition: "/pet/status = 'sold'", type: xpath}]
        onSuccess: [{name: done, type: end}]
      - stepId: recover
        operationId: getPet
        parameters: [{name: status, in: query, value: available}]
`,
	}
	plan := loadFiles(t, srv.URL, files)
	tests := []struct {
		status string
		want   Status
		trail  []string
	}{
		{"available", StatusPassed, []string{"pet:passed:end done"}},
		{"sold", StatusPassed, []string{"pet:failed:goto sold → step recover", "recover:passed"}},
		{"pending", StatusFailed, []string{"pet:failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			res := mustRun(t, plan, "w", map[string]any{"status": tt.status})
			wantStatus(t, res, tt.want)
			wantTrail(t, res, tt.trail...)
			if tt.status == "pending" {
				c := res.Steps[0].Criteria[1]
				if c.Pass || c.Type != "xpath" {
					t.Errorf("xpath criterion: %+v", c)
				}
			}
		})
	}
}
